"""Hand-computed small cases for every replenishment rule planners rely on.

Demand is deterministic so every number can be worked out on paper from the documented
order of events: orders at the start of day t, receipts of day t before shipping and
selling, a lead time L received on day t+L.
"""

from __future__ import annotations

import numpy as np
import pytest

from scpln.engine.psi import NetworkBuilder, simulate_network


def store_line(
    *, days: int = 10, lead: int = 0, demand: float = 4.0, store: dict | None = None, **stock
) -> NetworkBuilder:
    """An unlimited supplier → one store selling ``demand`` units of A a day."""
    b = NetworkBuilder(horizon_days=days)
    b.node("SUP", "supplier", unlimited=True)
    b.stock("SUP", "A")
    b.node("S", "store", **(store or {}))
    b.arc("SUP", "S", lead_time=lead)
    b.stock("S", "A", **stock)
    if demand:
        b.demand("S", "A", first_day=0, last_day=days - 1, mean=demand, model="deterministic")
    return b


def series(result, node: str, item: str, metric: str) -> list[float]:
    psi = result.psi
    rows = psi[(psi["node"] == node) & (psi["item"] == item)]
    return [round(float(v), 6) for v in rows[metric].to_numpy(np.float64)]


def run(b: NetworkBuilder, **kwargs):
    return simulate_network(b.build(), **kwargs)


def test_lead_time_zero_order_is_received_and_sold_the_same_day() -> None:
    r = run(store_line(lead=0, demand=4.0, initial=0.0, order_up_to=10.0))
    assert series(r, "S", "A", "orders")[:3] == [10.0, 4.0, 4.0]
    assert series(r, "S", "A", "receipts")[:3] == [10.0, 4.0, 4.0]
    assert series(r, "S", "A", "sales")[:3] == [4.0, 4.0, 4.0]
    assert series(r, "S", "A", "on_hand")[:3] == [6.0, 6.0, 6.0]
    assert sum(series(r, "S", "A", "shortage")) == 0.0
    assert series(r, "SUP", "A", "production")[:2] == [10.0, 4.0]


def test_lead_time_l_is_received_exactly_l_days_later() -> None:
    r = run(store_line(lead=2, demand=4.0, initial=12.0, order_up_to=12.0))
    assert series(r, "S", "A", "orders")[:5] == [0.0, 4.0, 4.0, 4.0, 4.0]
    assert series(r, "S", "A", "receipts")[:5] == [0.0, 0.0, 0.0, 4.0, 4.0]
    assert series(r, "S", "A", "in_transit")[:5] == [0.0, 4.0, 8.0, 8.0, 8.0]
    # S − D(L+1) = 12 − 12: the textbook net stock, reached once the pipeline is full.
    assert series(r, "S", "A", "on_hand")[:5] == [8.0, 4.0, 0.0, 0.0, 0.0]
    assert sum(series(r, "S", "A", "shortage")) == 0.0


def test_review_period_orders_only_on_review_days() -> None:
    b = store_line(lead=0, demand=4.0, store={"review_period": 3}, initial=12.0, order_up_to=12.0)
    r = run(b)
    assert series(r, "S", "A", "orders")[:7] == [0.0, 0.0, 0.0, 12.0, 0.0, 0.0, 12.0]
    assert series(r, "S", "A", "on_hand")[:7] == [8.0, 4.0, 0.0, 8.0, 4.0, 0.0, 8.0]


def test_reorder_point_triggers_an_order_up_to_level() -> None:
    r = run(store_line(demand=3.0, initial=12.0, reorder_point=4.0, order_up_to=12.0))
    assert series(r, "S", "A", "orders")[:7] == [0.0, 0.0, 0.0, 9.0, 0.0, 0.0, 9.0]


def test_orders_are_raised_to_the_moq_then_to_the_order_multiple() -> None:
    b = NetworkBuilder(horizon_days=3)
    b.node("SUP", "supplier", unlimited=True)
    b.stock("SUP", "A")
    b.node("S", "store")
    b.arc("SUP", "S", moq={"A": 15.0}, multiple={"A": 4.0})
    b.stock("S", "A", order_up_to=7.0, multiple=6.0)
    r = run(b)
    # need 7 → MOQ 15 → next multiple of lcm(6, 4) = 12 → 24
    assert series(r, "S", "A", "orders") == [24.0, 0.0, 0.0]


def test_backorders_carry_unmet_demand_and_lost_sales_drop_it() -> None:
    def only_stock(lost: bool):
        b = NetworkBuilder(horizon_days=4)
        b.node("S", "store", lost_sales=lost)
        b.stock("S", "A", initial=5.0)
        b.demand("S", "A", first_day=0, last_day=3, mean=3.0, model="deterministic")
        return run(b)

    kept, lost = only_stock(False), only_stock(True)
    assert series(kept, "S", "A", "shortage") == [0.0, 1.0, 3.0, 3.0]
    assert series(kept, "S", "A", "backlog") == [0.0, 1.0, 4.0, 7.0]
    assert series(lost, "S", "A", "shortage") == [0.0, 1.0, 3.0, 3.0]
    assert series(lost, "S", "A", "backlog") == [0.0, 0.0, 0.0, 0.0]
    assert kept.kpis["fill_rate"] == pytest.approx(1 - 7 / 12)
    assert lost.kpis["lost_sales_total"] == 7.0
    assert kept.kpis["lost_sales_total"] == 0.0
    assert "S/A: no upstream node" in kept.warnings[0]


def test_a_backordered_unit_filled_later_is_not_demand_twice() -> None:
    r = run(store_line(days=6, lead=2, demand=4.0, initial=0.0, order_up_to=4.0))
    assert series(r, "S", "A", "demand") == [4.0] * 6
    # Day t's order (4 + the backlog growth) arrives on day t+2 and goes to the backlog.
    assert series(r, "S", "A", "sales") == [0.0, 0.0, 4.0, 4.0, 4.0, 4.0]
    assert series(r, "S", "A", "shortage") == [4.0] * 6
    assert r.kpis["demand_total"] == 24.0
    assert r.kpis["fill_rate"] == 0.0
    assert r.kpis["sales_total"] == 16.0


def test_a_supplier_ships_what_it_has_and_backorders_the_rest_first_next_time() -> None:
    b = NetworkBuilder(horizon_days=3)
    b.node("SUP", "supplier", unlimited=True)
    b.stock("SUP", "A")
    b.node("DC", "warehouse")
    b.node("S", "store")
    b.arc("SUP", "DC", lead_time=1)
    b.arc("DC", "S", lead_time=1)
    b.stock("DC", "A", initial=5.0, order_up_to=10.0)
    b.stock("S", "A", order_up_to=8.0)
    r = run(b)
    assert series(r, "DC", "A", "demand") == [8.0, 0.0, 0.0]
    assert series(r, "DC", "A", "sales") == [5.0, 3.0, 0.0]
    assert series(r, "DC", "A", "shortage") == [3.0, 0.0, 0.0]
    assert series(r, "DC", "A", "backlog") == [3.0, 0.0, 0.0]
    assert series(r, "DC", "A", "orders") == [13.0, 0.0, 0.0]  # 10 − (5 − 8)
    assert series(r, "DC", "A", "on_hand") == [0.0, 10.0, 10.0]
    assert series(r, "S", "A", "receipts") == [0.0, 5.0, 3.0]
    # the store counts the backordered 3 as on order: no second order
    assert series(r, "S", "A", "orders") == [8.0, 0.0, 0.0]
    assert r.kpis["internal_shortage_total"] == 3.0


def test_multi_sourcing_takes_the_shortest_lead_time_among_suppliers_that_stock_it() -> None:
    b = NetworkBuilder(horizon_days=2)
    b.node("SUP", "supplier", unlimited=True)
    b.stock("SUP", "A")
    for dc in ("DC-A", "DC-B", "DC-C"):
        b.node(dc, "warehouse")
        b.arc("SUP", dc, lead_time=1)
    for dc in ("DC-A", "DC-B"):
        b.stock(dc, "A", initial=50.0, order_up_to=50.0)
    b.stock("DC-C", "B", initial=50.0)  # DC-C does not stock A
    b.node("S1", "store")
    b.node("S2", "store")
    b.arc("DC-C", "S1", lead_time=0)  # fastest, but cannot provide A
    b.arc("DC-B", "S1", lead_time=2)
    b.arc("DC-A", "S1", lead_time=2)  # ties with DC-B: the lower code wins
    b.arc("DC-A", "S2", lead_time=3)
    b.arc("DC-B", "S2", lead_time=1)  # shortest
    b.stock("S1", "A", order_up_to=6.0)
    b.stock("S2", "A", order_up_to=9.0)
    r = run(b)
    assert series(r, "DC-A", "A", "demand") == [6.0, 0.0]
    assert series(r, "DC-B", "A", "demand") == [9.0, 0.0]
    net = r.raw.network
    assert net.src[net.index_of("S1", "A")] == net.index_of("DC-A", "A")


def factory(
    *, days: int = 3, want: float = 8.0, comp: float = 10.0, qty: float = 2.0, **kwargs
) -> NetworkBuilder:
    """Factory F making A from C (no C supplier); A's order-up-to is ``want``."""
    scrap = kwargs.pop("scrap", 0.0)
    b = NetworkBuilder(horizon_days=days)
    b.node("F", "factory")
    b.factory("F", **kwargs.pop("factory", {}))
    b.produce("F", "A", **kwargs)
    b.stock("F", "A", order_up_to=want)
    b.stock("F", "C", initial=comp)
    b.bom("A", "C", quantity=qty, scrap=scrap)
    return b


def test_missing_components_block_production() -> None:
    r = run(factory(want=8.0, comp=10.0, qty=2.0))
    assert series(r, "F", "A", "production") == [5.0, 0.0, 0.0]
    assert series(r, "F", "C", "consumption") == [10.0, 0.0, 0.0]
    assert series(r, "F", "C", "on_hand") == [0.0, 0.0, 0.0]
    assert series(r, "F", "A", "orders") == [5.0, 0.0, 0.0]  # what was released


def test_scrap_raises_component_consumption() -> None:
    r = run(factory(want=10.0, comp=10.0, qty=1.0, scrap=0.25))
    assert series(r, "F", "A", "production")[0] == 8.0
    assert series(r, "F", "C", "consumption")[0] == 10.0


def test_hard_capacity_cuts_production_and_soft_capacity_charges_the_excess() -> None:
    hard = run(factory(comp=100.0, factory={"capacity": 5.0, "hard_capacity": True}))
    assert series(hard, "F", "A", "production")[:2] == [5.0, 3.0]
    soft = factory(comp=100.0, factory={"capacity": 5.0, "over_fixed": 100.0, "over_variable": 2.0})
    r = run(soft)
    assert series(r, "F", "A", "production")[:2] == [8.0, 0.0]
    assert r.pl["production_over_capacity"].tolist()[:2] == [100.0 + 3 * 2.0, 0.0]
    assert hard.pl["production_over_capacity"].sum() == 0.0
    item_cap = run(factory(comp=100.0, capacity=4.0, hard_capacity=True))
    assert series(item_cap, "F", "A", "production")[:2] == [4.0, 4.0]
    item_soft = run(factory(comp=100.0, capacity=4.0, over_fixed=10.0, over_variable=1.0))
    assert series(item_soft, "F", "A", "production")[:2] == [8.0, 0.0]
    assert item_soft.pl["production_over_capacity"].tolist()[:2] == [10.0 + 4 * 1.0, 0.0]


def test_a_hard_factory_capacity_is_shared_in_proportion_to_what_items_want() -> None:
    b = factory(comp=100.0, want=6.0, qty=1.0, factory={"capacity": 4.0, "hard_capacity": True})
    b.produce("F", "B")
    b.stock("F", "B", order_up_to=2.0)
    r = run(b)
    assert series(r, "F", "A", "production")[0] == 3.0
    assert series(r, "F", "B", "production")[0] == 1.0
    assert series(r, "F", "A", "production")[1:] == [3.0, 0.0]  # the rest, next day
    # 8 units made over 3 days of 4 units' capacity
    assert r.kpis["capacity_utilisation"]["F"] == pytest.approx(8 / 12)


def test_a_short_component_is_shared_in_proportion_to_each_products_need() -> None:
    b = factory(comp=6.0, want=6.0, qty=1.0)
    b.produce("F", "B")
    b.stock("F", "B", order_up_to=6.0)
    b.bom("B", "C", quantity=1.0)
    r = run(b)
    assert series(r, "F", "A", "production")[0] == 3.0
    assert series(r, "F", "B", "production")[0] == 3.0


def test_production_lead_time_holds_output_in_work_in_progress() -> None:
    r = run(factory(days=4, comp=100.0, lead_time=2))
    assert series(r, "F", "A", "orders") == [8.0, 0.0, 0.0, 0.0]
    assert series(r, "F", "A", "in_transit") == [8.0, 8.0, 0.0, 0.0]
    assert series(r, "F", "A", "production") == [0.0, 0.0, 8.0, 0.0]


def test_a_multi_level_bom_builds_parts_before_the_products_that_use_them() -> None:
    b = factory(days=3, comp=100.0, want=4.0, qty=1.0)
    b.produce("F", "P")
    b.stock("F", "P", order_up_to=2.0)
    b.bom("P", "A", quantity=1.0)  # P is made from A, A from C
    r = run(b)
    # Parts sit a level above their parents, so A is released first; with production
    # lead time 0 it is on hand when P is released later the same day.
    assert series(r, "F", "A", "production")[:2] == [4.0, 2.0]
    assert series(r, "F", "P", "production")[:2] == [2.0, 0.0]
    assert series(r, "F", "A", "consumption")[:2] == [2.0, 0.0]
    assert series(r, "F", "A", "on_hand")[:2] == [2.0, 4.0]


def test_hard_arc_capacity_limits_shipments_and_soft_capacity_is_charged() -> None:
    def line(**arc):
        b = NetworkBuilder(horizon_days=2)
        b.node("DC", "warehouse")
        b.node("S", "store")
        b.arc("DC", "S", lead_time=0, **arc)
        b.stock("DC", "A", initial=100.0)
        b.stock("S", "A", order_up_to=8.0)
        return run(b)

    hard = line(capacity=5.0, hard_capacity=True)
    assert series(hard, "S", "A", "receipts") == [5.0, 3.0]
    assert series(hard, "DC", "A", "backlog") == [3.0, 0.0]
    soft = line(capacity=5.0, over_fixed=50.0, over_variable=1.5, cost_fixed=10.0)
    assert series(soft, "S", "A", "receipts") == [8.0, 0.0]
    assert soft.pl["transport_over_capacity"].tolist() == [50.0 + 3 * 1.5, 0.0]
    assert soft.pl["transport_fixed"].tolist() == [10.0, 0.0]


def test_service_level_base_stock_follows_the_demand_profile_over_lead_time_plus_review() -> None:
    b = NetworkBuilder(horizon_days=16)
    b.node("SUP", "supplier", unlimited=True)
    b.stock("SUP", "A")
    b.node("S", "store")
    b.arc("SUP", "S", lead_time=2)
    b.stock("S", "A")  # no levels: from the service level and the profile
    b.demand("S", "A", first_day=0, last_day=9, mean=4.0, model="deterministic")
    b.demand("S", "A", first_day=10, last_day=15, mean=10.0, model="deterministic")
    r = run(b)
    # After ordering IP = S(t); end of day that is on_hand + in_transit − backlog + demand.
    level = [
        oh + it - bl + d
        for oh, it, bl, d in zip(
            series(r, "S", "A", "on_hand"),
            series(r, "S", "A", "in_transit"),
            series(r, "S", "A", "backlog"),
            series(r, "S", "A", "demand"),
            strict=True,
        )
    ]
    # S(t) = demand of days t, t+1, t+2 (L = 2, R = 1), deterministic so no safety term.
    assert level[6:11] == [12.0, 12.0, 18.0, 24.0, 30.0]


def test_a_warehouse_level_covers_the_lead_time_demand_of_the_stores_below_it() -> None:
    # Defect 3: a warehouse's automatic level covered the customers' demand of its own lead
    # time from today, but its stores order their own lead time and review period ahead, so
    # at every step up the warehouse ran short and the stores with it. With deterministic
    # steps every order must be filled on time: store fill exactly 1.0.
    days = 120
    b = NetworkBuilder(horizon_days=days)
    b.node("SUP", "supplier", unlimited=True)
    b.stock("SUP", "A")
    b.node("DC", "warehouse")
    b.arc("SUP", "DC", lead_time=5)
    b.stock("DC", "A", initial=200.0)
    for store, lead in (("S1", 3), ("S2", 6)):
        b.node(store, "store", review_period=2 if store == "S2" else 1)
        b.arc("DC", store, lead_time=lead)
        b.stock(store, "A", initial=100.0)
        for first, last, mean in ((0, 29, 4.0), (30, 59, 9.0), (60, 89, 15.0), (90, 150, 24.0)):
            b.demand(store, "A", first_day=first, last_day=last, mean=mean, model="deterministic")
    r = run(b)
    assert r.kpis["fill_rate"] == 1.0
    assert r.kpis["internal_shortage_total"] == 0.0
    # What reaches the DC is its stores' orders: S1's sales 4 days early (L 3 + R 1), S2's
    # 8 days early (L 6 + R 2). The DC's level covers its 6 days (L 5 + R 1) of those.
    net = r.raw.network
    assert net.echelon.ni.tolist() == [net.index_of("DC", "A")]
    assert sorted(net.echelon.offset.tolist()) == [4, 8]


def test_echelon_levels_reach_up_through_production_and_its_components() -> None:
    # Store ← DC ← factory (FG from 2 RM each, 2 days) ← supplier, every level automatic:
    # the factory's FG sees the store's sales 4 + 6 days early (store L 3 + R 1, DC L 5 + R 1)
    # and the RM at the factory 3 days more (FG's L 2 + R 1). Steps up are served in full.
    b = NetworkBuilder(horizon_days=150)
    b.node("SUP", "supplier", unlimited=True)
    b.stock("SUP", "RM")
    b.node("F", "factory")
    b.arc("SUP", "F", lead_time=4)
    b.produce("F", "FG", lead_time=2)
    b.bom("FG", "RM", quantity=2.0)
    b.stock("F", "RM", initial=100.0)
    b.stock("F", "FG", initial=50.0)
    b.node("DC", "warehouse")
    b.arc("F", "DC", lead_time=5)
    b.stock("DC", "FG", initial=200.0)
    b.node("S", "store")
    b.arc("DC", "S", lead_time=3)
    b.stock("S", "FG", initial=100.0)
    for first, last, mean in ((0, 29, 4.0), (30, 59, 9.0), (60, 89, 15.0), (90, 200, 24.0)):
        b.demand("S", "FG", first_day=first, last_day=last, mean=mean, model="deterministic")
    r = run(b)
    assert r.kpis["fill_rate"] == 1.0
    assert r.kpis["internal_shortage_total"] == 0.0
    net = r.raw.network
    owners = net.echelon.ni[net.echelon.owner].tolist()
    early = dict(zip(owners, net.echelon.offset.tolist(), strict=True))
    assert early == {
        net.index_of("DC", "FG"): 4,
        net.index_of("F", "FG"): 10,
        net.index_of("F", "RM"): 13,
    }


def test_normal_demand_adds_z_sigma_and_a_dc_sees_its_stores_demand() -> None:
    b = NetworkBuilder(horizon_days=5)
    b.node("SUP", "supplier", unlimited=True)
    b.stock("SUP", "A")
    b.node("DC", "warehouse", service_level=0.9)
    b.arc("SUP", "DC", lead_time=1)
    b.stock("DC", "A")
    for store in ("S1", "S2"):
        b.node(store, "store", service_level=0.9)
        b.arc("DC", store, lead_time=2)
        b.stock(store, "A", initial=100.0, order_up_to=100.0)
        b.demand(store, "A", first_day=0, last_day=9, mean=4.0, sd=2.0, model="normal")
    r = run(b)
    z = 1.2815515655446004
    # DC: window L + R = 2 days of two stores' demand: mean 16, variance 2·2·4 = 16
    assert series(r, "DC", "A", "orders")[0] == pytest.approx(16.0 + z * 4.0)
    net = r.raw.network
    assert net.profile_mean[0, net.index_of("DC", "A")] == 8.0


def test_overlapping_demand_rows_add_up_and_mixed_models_are_drawn_as_normal() -> None:
    b = store_line(days=30, demand=0.0)
    b.demand("S", "A", first_day=0, last_day=9, mean=2.0, sd=1.0, model="normal")
    b.demand("S", "A", first_day=5, last_day=14, mean=3.0, model="poisson")
    b.demand("S", "A", first_day=10, last_day=14, mean=1.0, model="poisson")
    b.demand("S", "A", first_day=20, last_day=29, mean=4.0, model="deterministic")
    net = b.build()
    assert net.segments.starts.tolist() == [0, 5, 10, 15, 20, 30]
    column = net.demand.ni.tolist().index(net.index_of("S", "A"))
    spec = net.demand
    assert spec.mean[:, column].tolist() == [2.0, 5.0, 4.0, 0.0, 4.0, 0.0]
    assert spec.sd[:, column].tolist() == [1.0, 2.0, 2.0, 0.0, 0.0, 0.0]  # sd², mean, mean
    # normal, normal + Poisson (normal), two Poissons, none, deterministic, none
    assert spec.model[:, column].tolist() == [1, 1, 2, 0, 0, 0]


def test_customer_demand_is_stochastic_only_when_asked_and_reproducible_by_seed() -> None:
    b = store_line(days=30, demand=0.0, initial=1000.0)
    b.demand("S", "A", first_day=0, last_day=29, mean=5.0, model="poisson")
    net = b.build()
    means = simulate_network(net)
    one = simulate_network(net, stochastic=True, seed=7)
    two = simulate_network(net, stochastic=True, seed=7)
    other = simulate_network(net, stochastic=True, seed=8)
    assert series(means, "S", "A", "demand") == [5.0] * 30
    assert series(one, "S", "A", "demand") == series(two, "S", "A", "demand")
    assert series(one, "S", "A", "demand") != series(other, "S", "A", "demand")
    assert all(float(v).is_integer() for v in series(one, "S", "A", "demand"))
