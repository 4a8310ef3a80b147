"""Plan-driven mode: factories execute a weekly plan of receipts instead of their policy."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from scpln.engine.psi import Constraints, NetworkBuilder, PlanSchedule, simulate_network


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
    return series_of(result, node, item, "production")


def series_of(result, node: str, item: str, metric: str) -> list[float]:
    psi = result.psi
    rows = psi[(psi["node"] == node) & (psi["item"] == item)]
    return [round(float(v), 6) for v in rows[metric].to_numpy(np.float64)]


def plan(*rows: tuple) -> pd.DataFrame:
    columns = ["item", "day", "quantity", "node"][: len(rows[0])]
    return pd.DataFrame(list(rows), columns=columns)


def test_planned_items_follow_the_plan_and_the_others_their_policy() -> None:
    r = simulate_network(plant().build(), plan=plan(("A", 0, 70.0)))
    # Unlimited capacity: the week's lot is made at once, on its first day.
    assert made(r, "F", "A") == [70.0] + [0.0] * 9
    assert made(r, "F", "B")[:2] == [1000.0, 0.0]


def test_the_daily_rule_spreads_a_week_over_its_days() -> None:
    schedule = PlanSchedule.from_frame(plan(("A", 0, 70.0)), release_rule="daily")
    r = simulate_network(plant().build(), plan=schedule)
    assert made(r, "F", "A") == [10.0] * 7 + [0.0] * 3


def test_a_weeks_lot_is_made_on_the_fewest_cheapest_days_from_its_first_day() -> None:
    # Defect 1: a weekly plan released a seventh every day, so the factory paid its fixed
    # cost on all seven days. The week's 70 (A 40 + B 30) against 20 a day:
    week = plan(("A", 0, 40.0), ("B", 0, 30.0))

    def cost(**factory: Any) -> tuple[float, list[float], list[float]]:
        r = simulate_network(plant(days=14, capacity=20.0, **factory).build(), plan=week)
        return r.kpis["costs_by_account"]["production_fixed"], made(r, "F", "A"), made(r, "F", "B")

    # Hard capacity: the 4 days it needs, each SKU evenly over them; fixed cost 4 × 100.
    fixed, a, b = cost(hard_capacity=True, cost_fixed=100.0)
    assert (fixed, a, b) == (400.0, [10.0] * 4 + [0.0] * 10, [7.5] * 4 + [0.0] * 10)
    # Soft capacity: one day over capacity (100 + 10 + 50 × 1 = 160) beats 4 days (400) …
    fixed, a, _ = cost(cost_fixed=100.0, over_fixed=10.0, over_variable=1.0)
    assert (fixed, a) == (100.0, [40.0] + [0.0] * 13)
    # … unless the excess costs more: 4 days (400) beat 1 (610), 2 (520) and 3 (430).
    fixed, a, _ = cost(cost_fixed=100.0, over_fixed=10.0, over_variable=10.0)
    assert (fixed, a) == (400.0, [10.0] * 4 + [0.0] * 10)
    daily = simulate_network(
        plant(days=14, capacity=20.0, hard_capacity=True, cost_fixed=100.0).build(),
        plan=PlanSchedule.from_frame(week, release_rule="daily"),
    )
    assert daily.kpis["costs_by_account"]["production_fixed"] == 7 * 100.0
    # A week that does not fit its days at a hard capacity is spread over all of them.
    over = simulate_network(
        plant(days=14, capacity=20.0, hard_capacity=True).build(),
        plan=plan(("A", 0, 210.0), ("B", 0, 0.0)),
    )
    assert made(over, "F", "A")[:7] == [20.0] * 7


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
    assert made(r, "F1", "A") == [52.5] + [0.0] * 6
    assert made(r, "F2", "A") == [17.5] + [0.0] * 6
    pinned = simulate_network(net, plan=plan(("A", 0, 70.0, "F2")))
    assert made(pinned, "F2", "A") == [70.0] + [0.0] * 6


def test_weeks_can_be_given_as_dates_or_iso_weeks() -> None:
    net = plant(days=21, start=date(2025, 1, 6)).build()
    frame = pd.DataFrame(
        {"item": ["A", "A"], "week_start": ["2025-W03", "2025-01-20"], "quantity": [7.0, 14.0]}
    )
    r = simulate_network(net, plan=frame)
    assert made(r, "F", "A") == [0.0] * 7 + [7.0] + [0.0] * 6 + [14.0] + [0.0] * 6


def test_a_plan_the_network_cannot_make_is_rejected() -> None:
    net = plant().build()
    with pytest.raises(ValueError, match="no factory makes plan item 'C'"):
        PlanSchedule.from_frame(plan(("C", 0, 5.0))).schedule(net, 10)
    with pytest.raises(ValueError, match="missing column"):
        PlanSchedule.from_frame(pd.DataFrame({"item": ["A"], "day": [0]}))


def test_switches_off_what_the_plan_was_made_without() -> None:
    # F makes A from one RM; nothing supplies RM and F holds 10. A takes 3 days.
    def network() -> NetworkBuilder:
        b = NetworkBuilder(horizon_days=10)
        b.node("F", "factory")
        b.factory("F", capacity=8.0, hard_capacity=True)
        b.produce("F", "A", lead_time=3)
        b.stock("F", "A", order_up_to=0.0)
        b.bom("A", "RM", quantity=1.0)
        b.stock("F", "RM", initial=10.0)
        return b

    week = plan(("A", 0, 21.0))  # due on day 0: its release would be 3 days before the run
    held = simulate_network(network().build(), plan=week)
    assert sum(made(held, "F", "A")) == 10.0  # RM runs out
    assert made(held, "F", "A")[:4] == [0.0, 0.0, 0.0, 8.0]  # 8 a day, 3 days late

    free = simulate_network(
        network().build(),
        plan=PlanSchedule.from_frame(
            week, constraints=Constraints(material=False, capacity=False, lead_time=False)
        ),
    )
    # Its lot (one day: capacity is soft now and costs nothing) is released on day 0, beyond
    # capacity, and finishes that day as planned; RM beyond its 10 is supplied.
    assert made(free, "F", "A") == [21.0] + [0.0] * 9
    assert series_of(free, "F", "A", "orders")[0] == 21.0
    assert made(free, "F", "RM")[0] == 11.0
    assert any("F/RM" in w and "assumed available" in w for w in free.warnings)
    assert free.raw.factory_over[0].sum() == 21.0 - 8.0  # soft now: over capacity, not cut
    assert free.input_hash != held.input_hash
    # A run may be given its own constraints, overriding the plan's.
    again = simulate_network(network().build(), plan=week, constraints=Constraints())
    assert again.kpis == held.kpis
