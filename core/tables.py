"""DataFrames as HTML-ready tables: the first rows, formatted, with the total count.

Plan artifacts and run tables can be long; a page shows the first ``limit``
rows and says how many there are, and the CSV download has all of them.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from django.utils import formats

from core.numbers import display_quantity

DEFAULT_LIMIT = 200


@dataclass(frozen=True)
class Column:
    name: str
    numeric: bool


@dataclass(frozen=True)
class DisplayTable:
    columns: list[Column]
    rows: list[list[tuple[str, bool]]]  # (text, numeric) per cell
    total: int

    @property
    def shown(self) -> int:
        return len(self.rows)

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


def cell(value: Any) -> str:
    """One value as text: numbers as every page writes them (:func:`display_quantity`), ISO
    dates, ✓ for true."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return "✓" if value else ""
    if isinstance(value, numbers.Integral):
        return formats.number_format(int(value), 0, force_grouping=True)
    if isinstance(value, numbers.Real):
        value = float(value)
        if math.isnan(value):
            return ""
        if not math.isfinite(value):
            return str(value)
        return display_quantity(value)
    if isinstance(value, datetime | pd.Timestamp):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def display_table(frame: pd.DataFrame, *, limit: int = DEFAULT_LIMIT) -> DisplayTable:
    head = frame.head(limit)
    columns = [
        Column(
            str(name),
            pd.api.types.is_numeric_dtype(frame[name])
            and not pd.api.types.is_bool_dtype(frame[name]),
        )
        for name in frame.columns
    ]
    numeric = [column.numeric for column in columns]
    rows = [
        [(cell(value), flag) for value, flag in zip(record, numeric, strict=True)]
        for record in head.astype(object).itertuples(index=False)
    ]
    return DisplayTable(columns=columns, rows=rows, total=len(frame))
