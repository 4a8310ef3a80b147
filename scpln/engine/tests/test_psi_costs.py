"""Every account of the daily P&L worked out by hand, and the trace that explains it."""

from __future__ import annotations

import pytest

from scpln.engine.psi import NetworkBuilder, simulate_network


def priced_line():
    b = NetworkBuilder(horizon_days=2)
    b.item("A", sales_price=10.0, unit_cost=6.0, sga=1.0)
    b.node("SUP", "supplier", unlimited=True)
    b.stock("SUP", "A")
    b.node(
        "DC",
        "warehouse",
        storage_fixed=3.0,
        storage_capacity=8.0,
        storage_over_fixed=4.0,
        storage_over_variable=0.5,
    )
    b.node("S", "store", stockout_cost=2.0, backorder_cost=0.3)
    b.arc("SUP", "DC", cost_fixed=20.0, cost_variable=0.5)
    b.arc("DC", "S", cost_fixed=5.0, cost_variable=0.25)
    b.stock("DC", "A", initial=10.0, order_up_to=10.0, storage_cost=0.1)
    b.stock("S", "A", order_up_to=4.0, storage_cost=0.2)
    b.demand("S", "A", first_day=0, last_day=0, mean=3.0, model="deterministic")
    b.demand("S", "A", first_day=1, last_day=1, mean=6.0, model="deterministic")
    return simulate_network(b.build())


def test_daily_pl_matches_a_hand_calculation() -> None:
    pl = priced_line().pl.set_index("day")
    # Day 0: S orders 4, DC orders 4 from SUP; all lead times 0, so S sells 3 of 4.
    # Day 1: S orders 3 (up to 4), sells all 4 of the 6 demanded: 2 short, backordered.
    expected = {
        "revenue": [30.0, 40.0],
        "cogs": [18.0, 24.0],
        "sga": [3.0, 4.0],
        "transport_fixed": [25.0, 25.0],
        "transport_variable": [4 * 0.5 + 4 * 0.25, 3 * 0.5 + 3 * 0.25],
        "storage_fixed": [3.0, 3.0],
        "storage_variable": [10 * 0.1 + 1 * 0.2, 10 * 0.1 + 0 * 0.2],
        "storage_over_capacity": [4.0 + (10 - 8) * 0.5] * 2,
        "penalty_stockout": [0.0, 2 * 2.0],
        "penalty_backorder": [0.0, 2 * 0.3],
        "production_fixed": [0.0, 0.0],
    }
    for account, values in expected.items():
        assert pl[account].tolist() == pytest.approx(values), account
    assert pl["total_cost"].tolist() == pytest.approx([58.2, 68.85])
    assert pl["profit"].tolist() == pytest.approx([30 - 58.2, 40 - 68.85])


def test_trace_rows_name_the_node_item_or_arc_behind_each_amount() -> None:
    r = priced_line()
    trace = r.trace
    day1 = trace[trace["day"] == 1].set_index("account")
    assert day1.loc["penalty_stockout", ["node", "item", "quantity", "amount"]].tolist() == [
        "S",
        "A",
        2.0,
        4.0,
    ]
    transport = trace[(trace["day"] == 0) & (trace["account"] == "transport_variable")]
    assert sorted(transport["arc"].tolist()) == ["DC->S", "SUP->DC"]
    assert transport.set_index("arc").loc["SUP->DC", "quantity"] == 4.0
    assert (trace["amount"] != 0).all()
    assert trace["amount"].groupby(trace["day"]).sum().tolist() == pytest.approx(
        (r.pl["revenue"] + r.pl["total_cost"]).tolist()
    )


def test_production_costs_fixed_per_day_made_and_variable_per_unit_released() -> None:
    b = NetworkBuilder(horizon_days=2)
    b.node("F", "factory")
    b.factory("F", cost_fixed=100.0, cost_variable=2.0)
    b.produce("F", "A", cost_variable=3.0, cost_fixed=7.0)
    b.produce("F", "B")
    b.stock("F", "A", order_up_to=5.0)
    b.stock("F", "B", order_up_to=4.0)
    pl = simulate_network(b.build()).pl
    # Day 0 releases 5 A (its own rate 3) and 4 B (the factory's rate 2); day 1 nothing.
    assert pl["production_variable"].tolist() == [5 * 3.0 + 4 * 2.0, 0.0]
    assert pl["production_fixed"].tolist() == [100.0 + 7.0, 0.0]
