"""Chart data for static/scpln/charts.js (``scplnChart``), built from DataFrame columns.

A view builds the dict and the template embeds it with ``json_script``; the
keys are those charts.js documents. NaN and infinities become ``null`` (JSON
has no NaN), so a missing value is a gap in the line.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any


def series(values: Iterable[Any], *, digits: int = 3) -> list[float | None]:
    """Numbers for a dataset: rounded, with None for NaN, infinities and missing values."""
    out: list[float | None] = []
    for value in values:
        try:
            number = float(value)
        except (TypeError, ValueError):
            out.append(None)
            continue
        out.append(round(number, digits) if math.isfinite(number) else None)
    return out


def chart_data(
    *,
    labels: Iterable[Any],
    datasets: Sequence[dict[str, Any]],
    chart_type: str = "line",
    x_title: str = "",
    y_title: str = "",
    y2_title: str = "",
    stacked: bool = False,
) -> dict[str, Any]:
    """The JSON charts.js draws; each dataset is ``{"label", "data", ...}`` as documented there."""
    data: dict[str, Any] = {
        "type": chart_type,
        "labels": [str(label) for label in labels],
        "datasets": [{**dataset, "label": str(dataset["label"])} for dataset in datasets],
        "x": {"title": str(x_title)},
        "y": {"title": str(y_title), "stacked": stacked},
    }
    if y2_title:
        data["y2"] = {"title": str(y2_title)}
    return data
