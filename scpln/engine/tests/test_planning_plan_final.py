"""The final plan: reconciled receipts and releases, components re-planned from them, KPIs."""

import pytest

from scpln.engine.planning import PlanParameters, run_pipeline
from scpln.engine.planning.inputs import make_planning_inputs

# January 2025: ISO weeks of 5, 7, 7, 7 and 5 days; the family sells 1 a day (31).


def _run(*, capacity, moq=0.0, allow_over=False, bom=(), component_lead_days=0.0):
    inputs = make_planning_inputs(
        demand=[("F", "2025-01", 31.0)],
        capacity=[("WC1", "2025-01", capacity)],
        mix_share=[("F", "A", 1.0)],
        items=[("A", 0.0, 0.0, moq), ("C", component_lead_days, 0.0, 0.0)],
        bom=bom,
        workcenters=[("WC1", allow_over)],
    )
    return run_pipeline(inputs, PlanParameters())


def _rows(result, item, column):
    plan = result.final.plan_final
    return plan[plan["item"] == item].sort_values("week_index")[column].tolist()


def test_kpis_of_a_plan_short_of_capacity():
    result = _run(capacity=21.0)
    kpis = result.kpis
    # 21 of 31 can be made; the 10 left are backlog at the end, its worst point.
    assert kpis["demand_total"] == 31
    assert kpis["supplied_total"] == pytest.approx(21)
    assert kpis["fill_rate_by_horizon_end"] == pytest.approx(21 / 31, abs=1e-6)
    # Served on the day it arises, backlog first (as a run serves it): every day makes 21/31
    # of the day's 1 unit, so the backlog grows by 10/31 a day and from the fourth day on
    # takes every unit made.
    made = 21 / 31
    on_time = made + (made - (1 - made)) + (made - 2 * (1 - made))
    assert kpis["fill_rate"] == pytest.approx(on_time / 31, abs=1e-6)
    assert kpis["supplied_on_time_total"] == pytest.approx(on_time, abs=1e-6)
    assert kpis["backlog_end"] == pytest.approx(10)
    assert kpis["backlog_peak"] == pytest.approx(10)
    assert kpis["backlog_peak_week"] == "2025-W05"
    assert kpis["capacity_utilisation"] == pytest.approx(1.0)
    assert kpis["utilisation_by_workcenter"] == {"WC1": pytest.approx(1.0)}
    assert result.aggregate.aggregate["backlog"].tolist() == [10.0]


def test_a_work_centre_allowed_over_capacity_is_neither_capped_nor_leveled():
    result = _run(capacity=21.0, moq=20.0, allow_over=True)
    # The aggregate makes all 31; MRP's MOQ lumps stay where they are.
    assert result.aggregate.aggregate["production"].tolist() == [31.0]
    assert _rows(result, "A", "planned_receipt") == pytest.approx([20, 0, 0, 20, 0])
    capacity = result.reconciliation.capacity
    assert capacity["utilisation"].max() > 1
    assert result.kpis["spill_total"] == 0
    assert result.kpis["fill_rate"] == 1.0


def test_components_are_replanned_from_the_reconciled_releases():
    result = _run(capacity=31.0, moq=20.0, bom=[("A", "C", 2.0)], component_lead_days=7.0)
    # MRP wanted A as 20, 0, 0, 20, 0; capacity levels it to 5, 7, 7, 7, 5 (9 unmet).
    mrp = result.mrp.mrp
    assert mrp[mrp["item"] == "C"]["gross_requirement"].tolist() == pytest.approx([40, 0, 0, 40, 0])
    assert _rows(result, "A", "planned_receipt") == pytest.approx([5, 7, 7, 7, 5])
    assert _rows(result, "A", "planned_release") == pytest.approx([5, 7, 7, 7, 5])
    assert _rows(result, "C", "gross_requirement") == pytest.approx([10, 14, 14, 14, 10])
    # C takes a week: its week-0 need was due for release before the horizon.
    orders = result.final.plan_orders
    c = orders[orders["item"] == "C"]
    assert c["past_due"].tolist() == [True, False, False, False, False]
    assert result.kpis["past_due_orders"] == 1
    assert result.kpis["past_due_quantity"] == pytest.approx(10)
    assert _rows(result, "C", "projected_on_hand") == pytest.approx([0, 0, 0, 0, 0])


def test_backlog_per_sku_week_is_demand_owed_after_stock_and_receipts_and_sums_to_the_kpis():
    import datetime as dt

    import numpy as np

    from scpln.engine.planning import default_parameters, generate_planning_inputs

    inputs = generate_planning_inputs(
        families=20, skus_per_family=10, periods=12, start=dt.date(2025, 1, 1)
    )
    result = run_pipeline(inputs, default_parameters(inputs))
    kpis, plan = result.kpis, result.final.plan_final
    # What makes the recursion below the whole story: nothing stranded, no component short.
    assert inputs.network.empty or inputs.network["supplied"].all()
    assert kpis["component_short"] == 0
    sold = plan[plan["level"] == 0].sort_values(["item", "week_index"])
    demand = result.allocation.sku_week.set_index(["sku", "week_index"])["demand"]
    opening = inputs.inventory.groupby("item")["qty"].sum()
    expected = []
    for item, rows in sold.groupby("item", sort=True):
        # A stock and what is owed, week by week: arrivals serve what is owed, then new demand.
        stock, owed = float(opening.get(item, 0.0)), 0.0
        for week, arriving in zip(
            rows["week_index"], rows["scheduled_receipt"] + rows["planned_receipt"], strict=True
        ):
            stock += arriving
            asked = owed + float(demand.get((item, week), 0.0))
            served = min(stock, asked)
            stock, owed = stock - served, asked - served
            expected.append(owed)
    np.testing.assert_allclose(sold["backlog"].to_numpy(), expected, atol=1e-6)
    assert sold["backlog"].max() > 0  # the case has backlog to check
    assert (plan.loc[plan["level"] > 0, "backlog"] == 0).all()
    by_week = sold.groupby("week_index")["backlog"].sum()
    assert kpis["backlog_end"] == pytest.approx(by_week.iloc[-1], abs=1e-6)
    assert kpis["backlog_peak"] == pytest.approx(by_week.max(), abs=1e-6)
