"""A daily result in periods: flows summed, stocks closed on the last covered day."""

from __future__ import annotations

from datetime import date

import pandas as pd

from scpln.engine.psi.periods import to_periods


def _daily(days: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": range(days),
            "node": "N",
            "sales": 1.0,
            "on_hand": [float(d) for d in range(days)],
        }
    )


def test_months_sum_flows_and_close_stocks_on_the_last_covered_day():
    out = to_periods(_daily(60), "month", start_date=date(2025, 1, 15))
    assert out[["period", "day_first", "day_last", "sales", "on_hand"]].values.tolist() == [
        ["2025-01", 0, 16, 17.0, 16.0],
        ["2025-02", 17, 44, 28.0, 44.0],
        ["2025-03", 45, 59, 15.0, 59.0],
    ]


def test_iso_weeks_across_a_year_boundary():
    out = to_periods(_daily(13), "week", start_date=date(2026, 12, 30))  # a Wednesday
    assert out["period"].tolist() == ["2026-W53", "2027-W01", "2027-W02"]
    assert out["sales"].tolist() == [5.0, 7.0, 1.0]
