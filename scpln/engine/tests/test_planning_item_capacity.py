"""A SKU's own hard capacity (a per-item production policy or ``item`` capacity rows) in
the plan: the run cuts a release there and carries the rest over, so the plan levels the
SKU's receipts within it and predicts what its run then serves."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from scpln.engine.planning import (
    default_parameters,
    planning_inputs_from_config,
    run_pipeline,
    run_receipts,
)
from scpln.engine.planning.capacity import resources
from scpln.engine.planning.inputs import PlanningInputError, make_planning_inputs
from scpln.engine.tests.test_plan_run_consistency import (
    NETWORK,
    assert_consistent,
    network,
    plan_and_runs,
)


def item_capped(per_day: float, *, hard: bool = True):
    """S1's chain (10 a day, 21 days from the factory); FACT may make ``per_day`` FG a day."""
    nodes = [n for n in copy.deepcopy(NETWORK["nodes"]) if n["code"] not in ("DC2", "S2")]
    nodes[1]["production_policies"] = [
        {"item_code": "FG", "production_capacity": per_day, "allow_over_capacity": not hard}
    ]
    return network(
        nodes=nodes,
        arcs=[a for a in NETWORK["arcs"] if a["to_node"] != "S2"],
        demands=[d for d in NETWORK["demands"] if d["node_code"] != "S2"],
    )


def test_a_skus_hard_capacity_is_planned_per_period() -> None:
    capacity = planning_inputs_from_config(item_capped(8.0)).item_capacity
    per_month = capacity.set_index("period")["capacity"]
    assert per_month.to_dict() == {"2025-01": 8.0 * 31, "2025-02": 8.0 * 28, "2025-03": 8.0 * 31}
    # A soft capacity is the run's to exceed at a cost: the plan keeps no limit for it.
    assert planning_inputs_from_config(item_capped(8.0, hard=False)).item_capacity.empty


@pytest.mark.parametrize("per_day", [6.0, 8.0])
def test_a_skus_hard_capacity_limits_its_plan_as_it_limits_its_run(per_day) -> None:
    # FACT may make 8 FG a day for 10 a day of demand: the plan ignored the item's limit
    # and predicted 1.0 where its run served 0.59. It now levels FG within 8 a day (the
    # rest spills later, or is unmet) and predicts the run's 0.61.
    config = item_capped(per_day)
    plan, policy, run = plan_and_runs(config)
    receipts, _ = run_receipts(plan.final.plan_final, config, by_node=True)
    assert (receipts["quantity"] <= per_day * receipts["days"] + 1e-6).all()
    assert run.kpis["fill_rate"] < 0.7
    assert_consistent(plan, policy, run)


def test_a_plan_that_is_not_capacity_constrained_keeps_no_item_limit() -> None:
    plan, policy, run = plan_and_runs(item_capped(6.0), capacity_constrained=False)
    assert plan.kpis["fill_rate"] == run.kpis["fill_rate"] == pytest.approx(1.0)
    assert_consistent(plan, policy, run)


def test_item_capacity_rows_are_checked_naming_row_and_column() -> None:
    good = planning_inputs_from_config(item_capped(8.0))
    with pytest.raises(PlanningInputError) as caught:
        make_planning_inputs(
            demand=good.demand,
            capacity=good.capacity,
            mix_share=good.mix_share,
            items=good.items,
            routing=good.routing,
            item_capacity=pd.DataFrame(
                {"sku": ["FG", "NOPE"], "period": ["2031-01", "2025-01"], "capacity": [-1.0, 5]}
            ),
            calendar=good.calendar,
        )
    assert [str(p) for p in caught.value.problems] == [
        "item_capacity[1].sku: NOPE is not a SKU of mix_share",
        "item_capacity[0].period: 2031-01 is not a period of the calendar",
        "item_capacity[0].capacity: must be ≥ 0, not -1.0",
    ]


def test_a_week_with_a_holiday_has_the_capacity_of_its_working_days() -> None:
    # FACT works Monday to Friday, not on Wednesday 15 January, and may make 8 a day. The
    # month's 22 working days were spread over its weeks by calendar days, so the week of
    # the holiday (13–19 January) was planned with 39.7 where the run makes 32.
    nodes = [n for n in copy.deepcopy(NETWORK["nodes"]) if n["code"] not in ("DC2", "S2")]
    nodes[1]["calendar_code"] = "WD"
    nodes[1]["production_policies"] = [
        {"item_code": None, "production_capacity": 8.0, "allow_over_capacity": False}
    ]
    config = network(
        nodes=nodes,
        arcs=[a for a in NETWORK["arcs"] if a["to_node"] != "S2"],
        demands=[d for d in NETWORK["demands"] if d["node_code"] != "S2"],
        calendars=[
            {
                "calendar_code": "WD",
                "definition": {
                    "workdays": ["Mon", "Tue", "Wed", "Thu", "Fri"],
                    "exceptions": ["2025-01-15"],
                },
            }
        ],
    )
    inputs = planning_inputs_from_config(config)
    params = default_parameters(inputs)
    weekly = pd.Series(
        resources(inputs, inputs.calendar, params).weekly(inputs.calendar, None)[0],
        index=inputs.calendar.week_codes,
    )
    assert weekly["2025-W03"] == pytest.approx(4 * 8.0)
    assert weekly["2025-W02"] == pytest.approx(5 * 8.0)
    monthly = inputs.capacity.set_index("period")["capacity"]
    assert weekly.iloc[:5].sum() == pytest.approx(monthly["2025-01"])  # 1–31 January
    # The plan (hard capacity: 10 a day are wanted) fills every week to what it can make.
    final = run_pipeline(inputs, params).reconciliation.reconcile.set_index("week")["final"]
    assert final["2025-W03"] == pytest.approx(4 * 8.0)
    assert final["2025-W04"] == pytest.approx(5 * 8.0)
