"""Aggregate planning: capacity, stock, backlog carried forward, rounding that keeps totals."""

import pytest

from scpln.engine.planning import PlanParameters, run_aggregate
from scpln.engine.planning.inputs import make_planning_inputs

MONTHS = ["2025-01", "2025-02", "2025-03"]


def _inputs(demand, capacity, *, skus=None, inventory=(), open_po=()):
    """Families with one SKU each (``X`` → SKU ``X-1``) unless ``skus`` says otherwise."""
    families = sorted({family for family, _, _ in demand})
    skus = skus or [(family, f"{family}-1", 1.0) for family in families]
    return make_planning_inputs(
        demand=demand,
        capacity=[("WC1", month, capacity[i]) for i, month in enumerate(MONTHS)],
        mix_share=skus,
        items=[(sku, 0.0, 0.0, 0.0) for _, sku, _ in skus],
        inventory=inventory,
        open_po=open_po,
    )


def _rows(plan):
    return plan.aggregate.set_index(["family", "period"])


def test_backlog_is_carried_into_the_next_month_until_capacity_catches_up():
    inputs = _inputs(
        [("F", "2025-01", 150.0), ("F", "2025-02", 80.0), ("F", "2025-03", 50.0)],
        [100.0, 100.0, 100.0],
    )
    rows = _rows(run_aggregate(inputs, PlanParameters()))
    assert rows["production"].tolist() == [100.0, 100.0, 80.0]
    assert rows["backlog_in"].tolist() == [0.0, 50.0, 30.0]
    assert rows["backlog"].tolist() == [50.0, 30.0, 0.0]
    # Every month: demand + backlog carried in = supplied + backlog carried out.
    assert (rows["demand"] + rows["backlog_in"]).tolist() == (
        rows["supply"] + rows["backlog"]
    ).tolist()


def test_backlog_left_after_the_last_month_is_reported_not_dropped():
    inputs = _inputs(
        [("F", "2025-01", 120.0), ("F", "2025-02", 120.0), ("F", "2025-03", 120.0)],
        [100.0, 100.0, 100.0],
    )
    rows = _rows(run_aggregate(inputs, PlanParameters()))
    assert rows["backlog"].tolist() == [20.0, 40.0, 60.0]
    assert rows["demand"].sum() == rows["supply"].sum() + rows["backlog"].iloc[-1]


def test_short_capacity_is_shared_pro_rata_between_families():
    demand = [(f, m, q) for m in MONTHS for f, q in (("F1", 120.0), ("F2", 80.0))]
    rows = _rows(run_aggregate(_inputs(demand, [100.0, 400.0, 400.0]), PlanParameters()))
    assert rows.loc[("F1", "2025-01"), "production"] == 60.0
    assert rows.loc[("F2", "2025-01"), "production"] == 40.0
    # February has room: each family makes its demand plus its January backlog.
    assert rows.loc[("F1", "2025-02"), "production"] == 180.0
    assert rows.loc[("F2", "2025-02"), "production"] == 120.0


def test_stock_and_open_orders_serve_demand_before_production():
    import datetime as dt

    inputs = _inputs(
        [("F", "2025-01", 50.0), ("F", "2025-02", 50.0), ("F", "2025-03", 50.0)],
        [500.0, 500.0, 500.0],
        inventory=[("F-1", "WH1", 30.0)],
        open_po=[("F-1", dt.date(2025, 2, 10), 40.0)],
    )
    rows = _rows(run_aggregate(inputs, PlanParameters()))
    assert rows["from_stock"].tolist() == [30.0, 40.0, 0.0]
    assert rows["production"].tolist() == [20.0, 10.0, 50.0]


def test_int_rounding_keeps_the_month_total_by_largest_remainder():
    demand = [(f, m, 10.0) for m in MONTHS for f in ("F1", "F2", "F3")]
    plan = run_aggregate(_inputs(demand, [10.0, 10.0, 10.0]), PlanParameters(rounding="int"))
    january = plan.aggregate[plan.aggregate["period"] == "2025-01"]
    # 10 units of capacity for three equal families: 3.33 each, the first gets the spare unit.
    assert january["production"].tolist() == [4.0, 3.0, 3.0]
    assert january["backlog"].tolist() == [6.0, 7.0, 7.0]
    assert plan.aggregate_capacity["production"].tolist() == [10.0, 10.0, 10.0]


@pytest.mark.parametrize("rounding", ["none", "int", "dec1", "dec2"])
def test_every_rounding_mode_conserves_units(rounding):
    demand = [(f, m, q) for m in MONTHS for f, q in (("F1", 33.33), ("F2", 71.7), ("F3", 12.05))]
    plan = run_aggregate(_inputs(demand, [90.0, 90.0, 200.0]), PlanParameters(rounding=rounding))
    rows = plan.aggregate
    balance = rows["demand"] + rows["backlog_in"] - rows["supply"] - rows["backlog"]
    assert balance.abs().max() < 1e-9
    capacity = plan.aggregate_capacity
    assert (capacity["production"] <= capacity["capacity"] + 1e-9).all()


def test_without_routing_all_work_centres_are_one_pooled_resource():
    inputs = make_planning_inputs(
        demand=[("F", "2025-01", 100.0)],
        capacity=[("WC1", "2025-01", 10.0), ("WC2", "2025-01", 20.0)],
        mix_share=[("F", "F-1", 1.0)],
        items=[("F-1", 0.0, 0.0, 0.0)],
    )
    plan = run_aggregate(inputs, PlanParameters())
    assert plan.aggregate_capacity["workcenter"].tolist() == ["WC1+WC2"]
    assert plan.aggregate_capacity["capacity"].tolist() == [30.0]
    assert plan.aggregate["production"].tolist() == [30.0]
