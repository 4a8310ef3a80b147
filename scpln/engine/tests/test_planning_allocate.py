"""Allocation: SKU mix, weeks by the calendar, chronological order, split weeks summed."""

import datetime as dt

import numpy as np
import pytest

from scpln.engine.planning import PlanParameters, derive_calendar, run_aggregate, run_allocate
from scpln.engine.planning.allocate import roll_up
from scpln.engine.planning.calendar import calendar_from_document
from scpln.engine.planning.inputs import make_planning_inputs


def _inputs(demand, *, calendar=None, mix=(("F", "A", 0.6), ("F", "B", 0.4))):
    periods = sorted({period for _, period, _ in demand})
    return make_planning_inputs(
        demand=demand,
        capacity=[("WC1", p, 1e9) for p in periods],
        mix_share=mix,
        items=[(sku, 0.0, 0.0, 0.0) for _, sku, _ in mix],
        calendar=calendar,
    )


def _allocate(inputs, **params):
    parameters = PlanParameters(**params)
    aggregate = run_aggregate(inputs, parameters)
    return aggregate, run_allocate(inputs, parameters, aggregate)


def test_a_week_spanning_two_months_appears_once_as_the_sum_of_its_parts():
    # 310 in January and 280 in February: 10 a day in both months.
    inputs = _inputs([("F", "2025-01", 310.0), ("F", "2025-02", 280.0)], mix=(("F", "A", 1.0),))
    _, allocation = _allocate(inputs)
    weeks = allocation.sku_week
    split = weeks[weeks["week"] == "2025-W05"]
    assert len(split) == 1
    # Monday 27 January to Sunday 2 February: 5 January days + 2 February days.
    assert split["supply"].iloc[0] == pytest.approx(70.0)
    assert weeks.duplicated(["sku", "week"]).sum() == 0
    shares = allocation.week_periods.set_index(["week", "period"])["share"]
    assert shares[("2025-W05", "2025-01")] == pytest.approx(5 / 7)
    assert shares[("2025-W05", "2025-02")] == pytest.approx(2 / 7)


def test_family_months_go_to_skus_by_mix_share_and_add_back_up():
    inputs = _inputs([("F", "2025-01", 100.0), ("F", "2025-02", 120.0)])
    aggregate, allocation = _allocate(inputs)
    by_sku = allocation.sku_week.groupby("sku")["demand"].sum()
    assert by_sku["A"] == pytest.approx(0.6 * 220)
    assert by_sku["B"] == pytest.approx(0.4 * 220)
    weekly = allocation.sku_week.groupby("week_index")["production"].sum().to_numpy()[None, :]
    monthly = roll_up(allocation, ["F"], weekly, 2)
    assert monthly[0] == pytest.approx(aggregate.aggregate["production"].to_numpy())


def test_int_rounding_keeps_every_family_month_total():
    inputs = _inputs(
        [("F", "2025-01", 101.0), ("F", "2025-02", 97.0)],
        mix=(
            ("F", "A", 1 / 3),
            ("F", "B", 1 / 3),
            ("F", "C", 1 / 3),
        ),
    )
    _, allocation = _allocate(inputs, rounding="int")
    weeks = allocation.sku_week
    assert np.array_equal(weeks["supply"], np.round(weeks["supply"]))
    assert weeks["supply"].sum() == 198.0
    weekly = weeks.groupby("week_index")["supply"].sum().to_numpy()[None, :]
    assert roll_up(allocation, ["F"], weekly, 2)[0].tolist() == [101.0, 97.0]


def _custom_calendar(periods):
    document = {
        "periods": [
            {
                "period": code,
                "start_date": weeks[0][1],
                "end_date": weeks[-1][2],
                "weeks": [
                    {"week_code": w, "start_date": s, "end_date": e, "weight": weight}
                    for w, s, e, weight in weeks
                ],
            }
            for code, weeks in periods
        ]
    }
    calendar, problems = calendar_from_document(document)
    assert problems == []
    return calendar


def test_weeks_follow_the_calendar_dates_even_when_their_codes_sort_otherwise():
    calendar = _custom_calendar(
        [
            (
                "DEC",
                [("W52", "2025-12-22", "2025-12-28", 7), ("W1", "2025-12-29", "2025-12-31", 3)],
            ),
            (
                "JAN",
                [("W1", "2026-01-01", "2026-01-04", 4), ("W10", "2026-01-05", "2026-01-11", 7)],
            ),
            ("FEB", [("W9", "2026-01-12", "2026-01-18", 7)]),
        ]
    )
    assert calendar.week_codes == ["W52", "W1", "W10", "W9"]
    inputs = _inputs(
        [("F", "DEC", 100.0), ("F", "JAN", 110.0), ("F", "FEB", 70.0)],
        calendar=calendar,
        mix=(("F", "A", 1.0),),
    )
    _, allocation = _allocate(inputs)
    weeks = allocation.sku_week
    assert weeks["week"].tolist() == ["W52", "W1", "W10", "W9"]
    assert weeks["week_index"].tolist() == [0, 1, 2, 3]
    assert weeks["week_start"].dt.date.tolist() == [
        dt.date(2025, 12, 22),
        dt.date(2025, 12, 29),
        dt.date(2026, 1, 5),
        dt.date(2026, 1, 12),
    ]
    # W1 spans the year end: 3/10 of December and 4/11 of January.
    assert weeks["supply"].tolist() == pytest.approx([70.0, 30.0 + 40.0, 70.0, 70.0])


def test_derived_calendar_cuts_iso_weeks_at_month_ends_across_the_year_boundary():
    calendar = derive_calendar(dt.date(2025, 12, 1), dt.date(2026, 1, 31))
    parts = calendar.parts
    year_end = parts[parts["week"] == "2026-W01"]
    assert year_end["period"].tolist() == ["2025-12", "2026-01"]
    assert year_end["weight"].tolist() == [3.0, 4.0]
    assert calendar.week_codes[:2] == ["2025-W49", "2025-W50"]
    assert calendar.week_codes[-1] == "2026-W05"
    assert calendar.weeks["week_start"].is_monotonic_increasing


def test_calendar_problems_name_the_place_in_the_file():
    _, problems = calendar_from_document(
        {
            "periods": [
                {
                    "period": "2025-01",
                    "start_date": "2025-01-01",
                    "end_date": "2025-01-31",
                    "weeks": [
                        {
                            "week_code": "W1",
                            "start_date": "2025-01-01",
                            "end_date": "2025-01-05",
                            "weight": -1,
                        },
                        {"week_code": "W2", "start_date": "2025-01-06", "end_date": "2025-01-x"},
                    ],
                }
            ]
        }
    )
    assert [str(p) for p in problems] == [
        "planning_calendar.json: periods[0].weeks[0].weight: must be a number ≥ 0, not -1",
        "planning_calendar.json: periods[0].weeks[1].end_date: "
        "must be a date YYYY-MM-DD, not '2025-01-x'",
        "planning_calendar.json: periods[0].weeks[1].weight: must be a number ≥ 0, not None",
    ]
