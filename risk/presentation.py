"""How the UI shows a replication set: KPI rows, the histogram chart, the heat table."""

from __future__ import annotations

import itertools
from typing import Any

from django.utils.translation import gettext as _

from core.charts import chart_data, series
from risk.selectors import SetSummary
from runs.kpis import format_kpi, kpi_label
from scpln.engine.risk import KPI_NAMES


def kpi_rows(summary: SetSummary) -> list[dict[str, Any]]:
    """One row per KPI: label and formatted mean, sd, interval and quantiles."""
    rows = []
    for name in KPI_NAMES:
        s = summary.kpis.get(name)
        if s is None:
            continue
        rows.append(
            {
                "name": name,
                "label": kpi_label(name),
                "mean": format_kpi(name, s["mean"]),
                "sd": format_kpi(name, s["sd"]) if s["sd"] is not None else "—",
                "ci_low": format_kpi(name, s["ci_low"]) if s["ci_low"] is not None else "—",
                "ci_high": format_kpi(name, s["ci_high"]) if s["ci_high"] is not None else "—",
                **{q: format_kpi(name, v) for q, v in s["quantiles"].items()},
            }
        )
    return rows


def histogram_chart(summary: SetSummary, name: str) -> dict[str, Any] | None:
    """A bar chart of how many replications fell in each bin of ``name``."""
    h = summary.histograms.get(name)
    if h is None:
        return None
    edges = h["edges"]
    labels = [
        f"{format_kpi(name, lo)} – {format_kpi(name, hi)}" for lo, hi in itertools.pairwise(edges)
    ]
    return chart_data(
        labels=labels,
        datasets=[{"label": _("Replications"), "data": h["counts"]}],
        chart_type="bar",
        x_title=str(kpi_label(name)),
        y_title=_("Replications"),
    )


def bands_chart(summary: SetSummary) -> dict[str, Any] | None:
    """Weekly network on-hand of a complete set: its 5th, 50th and 95th percentiles."""
    band = summary.bands.get("on_hand")
    if not band:
        return None
    weeks = [_("Week %(n)s") % {"n": w + 1} for w in range(len(band["p50"]))]
    return chart_data(
        labels=weeks,
        datasets=[
            {"label": _("95th percentile"), "data": series(band["p95"]), "dashed": True},
            {"label": _("Median"), "data": series(band["p50"])},
            {"label": _("5th percentile"), "data": series(band["p05"]), "dashed": True},
        ],
        x_title=_("Week"),
        y_title=_("On-hand at the end of the week (all node-items)"),
    )


def miss_table(summary: SetSummary) -> dict[str, Any]:
    """Stores as rows, items as columns; each cell the probability of missing the target."""
    stores = sorted({m["node"] for m in summary.misses})
    items = sorted({m["item"] for m in summary.misses})
    # The cell's shade: transparent at 0, strongest at 1 (the text carries the number).
    cell = {
        (m["node"], m["item"]): {**m, "shade": round(0.7 * m["probability"], 2)}
        for m in summary.misses
    }
    rows = [
        {"store": store, "cells": [cell.get((store, item)) for item in items]} for store in stores
    ]
    return {"items": items, "rows": rows}
