"""Reading the original system's aggregate-planning files as they are.

Planners already have these files, so they are read without edits and every problem is
reported at once with its file, row (the line number a spreadsheet shows, header = row 1)
and column, e.g. ``mix_share.csv row 4: share: must be between 0 and 1, not 1.4``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from scpln.engine.canonical.problems import Problem

from .calendar import CALENDAR_FILE, PlanningCalendar, calendar_for_periods, calendar_from_document
from .inputs import COLUMNS, PlanningInputError, PlanningInputs, empty_table, make_planning_inputs


@dataclass(frozen=True)
class _Column:
    name: str
    kind: str  # "text", "number" or "date"
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    source: str | None = None  # the file's own header when it differs

    @property
    def header(self) -> str:
        return self.source or self.name


@dataclass(frozen=True)
class _File:
    table: str
    name: str
    required: bool
    columns: tuple[_Column, ...]


_FILES = (
    _File(
        "demand",
        "demand_family.csv",
        True,
        (_Column("family", "text"), _Column("period", "text"), _Column("demand", "number", 0)),
    ),
    _File(
        "capacity",
        "capacity.csv",
        True,
        (
            _Column("workcenter", "text"),
            _Column("period", "text"),
            _Column("capacity", "number", 0),
        ),
    ),
    _File(
        "mix_share",
        "mix_share.csv",
        True,
        (_Column("family", "text"), _Column("sku", "text"), _Column("share", "number", 0, 1)),
    ),
    _File(
        "items",
        "item.csv",
        True,
        (
            _Column("item", "text"),
            _Column("lead_time", "number", 0, source="lt"),
            _Column("lot", "number", 0),
            _Column("moq", "number", 0),
        ),
    ),
    _File(
        "inventory",
        "inventory.csv",
        False,
        (_Column("item", "text"), _Column("loc", "text"), _Column("qty", "number", 0)),
    ),
    _File(
        "open_po",
        "open_po.csv",
        False,
        (_Column("item", "text"), _Column("due", "date"), _Column("qty", "number", 0)),
    ),
    _File(
        "bom",
        "bom.csv",
        False,
        (
            _Column("parent", "text"),
            _Column("child", "text"),
            _Column("qty", "number", 0, low_open=True),
        ),
    ),
    _File(
        "period_cost",
        "period_cost.csv",
        False,
        (_Column("period", "text"), _Column("cost", "number")),
    ),
    _File(
        "period_score",
        "period_score.csv",
        False,
        (_Column("period", "text"), _Column("score", "number", 0)),
    ),
)


def load_planning_inputs(directory: str | Path) -> PlanningInputs:
    """Read and check a directory of planning files; raise :class:`PlanningInputError` listing
    every problem, or return inputs every stage can trust.

    Without ``planning_calendar.json`` the calendar falls back to ISO weeks clipped to the
    demand months (see docs/planning.md). Without a routing file every SKU is made on the pooled
    capacity of all work centres.
    """
    folder = Path(directory)
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    for spec in _FILES:
        tables[spec.table] = _read_table(folder, spec, problems)
    calendar, defaults = _read_calendar(folder, tables["demand"], problems)
    if calendar is None:
        raise PlanningInputError(problems)
    try:
        inputs = make_planning_inputs(
            **tables, calendar=calendar, defaults=defaults, origin="files"
        )
    except PlanningInputError as error:
        problems += error.problems
    if problems:
        raise PlanningInputError(problems)
    return inputs


def _read_table(folder: Path, spec: _File, problems: list[Problem]) -> pd.DataFrame:
    path = folder / spec.name
    if not path.is_file():
        if spec.required:
            problems.append(Problem(spec.name, f"is missing from {folder}"))
        return empty_table(spec.table)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    raw.columns = [str(c).strip() for c in raw.columns]
    absent = [c.header for c in spec.columns if c.header not in raw.columns]
    if absent:
        problems.append(
            Problem(
                spec.name, f"has no column {', '.join(absent)} (it has {', '.join(raw.columns)})"
            )
        )
        return empty_table(spec.table)
    table = pd.DataFrame(index=raw.index)
    for column in spec.columns:
        table[column.name] = _parse(raw[column.header].str.strip(), spec.name, column, problems)
    return table[list(COLUMNS[spec.table])]


def _parse(values: pd.Series, file: str, column: _Column, problems: list[Problem]) -> pd.Series:
    def report(mask: np.ndarray, message: str) -> None:
        for index in values.index[mask]:
            text = message.format(raw=values.at[index])
            problems.append(Problem(f"{file} row {index + 2}: {column.header}", text))

    empty = (values == "").to_numpy()
    report(empty, "is empty")
    if column.kind == "text":
        return values.astype("str")
    if column.kind == "date":
        parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
        report(parsed.isna().to_numpy() & ~empty, "'{raw}' is not a date YYYY-MM-DD")
        return parsed.astype("datetime64[ns]")
    number = pd.to_numeric(values, errors="coerce").astype("float64")
    report(number.isna().to_numpy() & ~empty, "'{raw}' is not a number")
    known = number.notna().to_numpy()
    if column.low is not None and column.high is not None:
        outside = known & ((number < column.low) | (number > column.high)).to_numpy()
        report(outside, f"must be between {column.low:g} and {column.high:g}, not {{raw}}")
    elif column.low is not None:
        below = (number <= column.low) if column.low_open else (number < column.low)
        sign = ">" if column.low_open else "≥"
        report(known & below.to_numpy(), f"must be {sign} {column.low:g}, not {{raw}}")
    return number


def _read_calendar(
    folder: Path, demand: pd.DataFrame, problems: list[Problem]
) -> tuple[PlanningCalendar | None, dict[str, object]]:
    path = folder / CALENDAR_FILE
    if not path.is_file():
        calendar, found = calendar_for_periods(demand["period"], where="demand_family.csv: period")
        problems += found
        return calendar, {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        problems.append(Problem(CALENDAR_FILE, f"is not valid JSON: {error}"))
        return None, {}
    if not isinstance(document, dict):
        problems.append(Problem(CALENDAR_FILE, "must be a JSON object"))
        return None, {}
    calendar, found = calendar_from_document(document)
    problems += found
    params = document.get("planning_params")
    return calendar, dict(params) if isinstance(params, dict) else {}
