"""Plan-driven mode: factories execute a weekly plan of receipts instead of their policy."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from scpln.engine.psi import NetworkBuilder, PlanSchedule, simulate_network


def plant(*, days: int = 10, lead: int = 0, start: date | None = None, **factory) -> NetworkBuilder:
    """Factory F makes A and B; left alone it would make 1000 of each on day 0."""
    b = NetworkBuilder(horizon_days=days, start_date=start)
    b.node("F", "factory")
    b.factory("F", **factory)
    for item in ("A", "B"):
        b.produce("F", item, lead_time=lead)
        b.stock("F", item, order_up_to=1000.0)
    return b


def made(result, node: str, item: str) -> list[float]:
    psi = result.psi
    rows = psi[(psi["node"] == node) & (psi["item"] == item)]
    return [round(float(v), 6) for v in rows["production"].to_numpy(np.float64)]


def plan(*rows: tuple) -> pd.DataFrame:
    columns = ["item", "day", "quantity", "node"][: len(rows[0])]
    return pd.DataFrame(list(rows), columns=columns)


def test_planned_items_follow_the_plan_and_the_others_their_policy() -> None:
    r = simulate_network(plant().build(), plan=plan(("A", 0, 70.0)))
    assert made(r, "F", "A") == [10.0] * 7 + [0.0] * 3
    assert made(r, "F", "B")[:2] == [1000.0, 0.0]


def test_a_zero_plan_stops_production() -> None:
    r = simulate_network(plant().build(), plan=plan(("A", 0, 0.0)))
    assert sum(made(r, "F", "A")) == 0.0


def test_releases_lead_the_receipts_and_capacity_shortfalls_carry_over() -> None:
    b = plant(days=20, lead=1, capacity=8.0, hard_capacity=True)
    r = simulate_network(b.build(), plan=plan(("A", 7, 70.0), ("B", 0, 0.0)))
    # receipts due days 7–13 (10 each) are released on days 6–12; 8 a day fit
    assert made(r, "F", "A") == [0.0] * 7 + [8.0] * 8 + [6.0] + [0.0] * 4
    assert sum(made(r, "F", "A")) == pytest.approx(70.0)


def test_a_sku_is_split_across_factories_by_the_demand_they_serve() -> None:
    b = NetworkBuilder(horizon_days=7)
    for f, dc, store, rate in (("F1", "DC1", "S1", 3.0), ("F2", "DC2", "S2", 1.0)):
        b.node(f, "factory")
        b.produce(f, "A")
        b.stock(f, "A")
        b.node(dc, "warehouse")
        b.node(store, "store")
        b.arc(f, dc, lead_time=1)
        b.arc(dc, store, lead_time=1)
        b.stock(dc, "A", initial=100.0, order_up_to=100.0)
        b.stock(store, "A", initial=100.0, order_up_to=100.0)
        b.demand(store, "A", first_day=0, last_day=6, mean=rate, model="deterministic")
    net = b.build()
    r = simulate_network(net, plan=plan(("A", 0, 70.0)))
    assert made(r, "F1", "A") == [7.5] * 7
    assert made(r, "F2", "A") == [2.5] * 7
    pinned = simulate_network(net, plan=plan(("A", 0, 70.0, "F2")))
    assert made(pinned, "F2", "A") == [10.0] * 7


def test_weeks_can_be_given_as_dates_or_iso_weeks() -> None:
    net = plant(days=21, start=date(2025, 1, 6)).build()
    frame = pd.DataFrame(
        {"item": ["A", "A"], "week_start": ["2025-W03", "2025-01-20"], "quantity": [7.0, 14.0]}
    )
    r = simulate_network(net, plan=frame)
    assert made(r, "F", "A") == [0.0] * 7 + [1.0] * 7 + [2.0] * 7


def test_a_plan_the_network_cannot_make_is_rejected() -> None:
    net = plant().build()
    with pytest.raises(ValueError, match="no factory makes plan item 'C'"):
        PlanSchedule.from_frame(plan(("C", 0, 5.0))).schedule(net, 10)
    with pytest.raises(ValueError, match="missing column"):
        PlanSchedule.from_frame(pd.DataFrame({"item": ["A"], "day": [0]}))
