"""How canonical-1.0 fields reach the simulation (the mapping ``compile.py`` documents)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from scpln.engine.canonical import load_config
from scpln.engine.psi import compile_network, simulate
from scpln.engine.psi.builder import STOCK_FIELDS, NetworkBuilder, StockRows
from scpln.engine.psi.network import MODE_PRODUCE, MODE_TRANSFER, MODE_UNLIMITED


def document(horizon: int = 59, **changes: Any) -> dict[str, Any]:
    """Supplier (unlimited) → factory → store, one SKU made from one material."""
    doc: dict[str, Any] = {
        "meta": {"name": "t", "attributes": {"planning_horizon": horizon}},
        "items": [
            {
                "code": "SKU",
                "item_type": "product",
                "lead_time_days": 0,
                "unit_cost": 5,
                "attributes": {"sales_price": 9},
            },
            {"code": "MAT", "item_type": "material", "unit_cost": 1},
        ],
        "nodes": [
            {
                "code": "SUP",
                "node_type": "supplier",
                "unlimited_supply": True,
                "inventory_policies": [{"item_code": "MAT"}],
            },
            {
                "code": "FAC",
                "node_type": "factory",
                "inventory_policies": [{"item_code": "MAT", "order_up_to": 1000}],
                "production_policies": [
                    {"item_code": None, "production_capacity": 100, "allow_over_capacity": False}
                ],
            },
            {
                "code": "STORE",
                "node_type": "store",
                "inventory_policies": [
                    {"item_code": "SKU", "initial_inventory": 5, "order_up_to": 30}
                ],
            },
        ],
        "arcs": [
            {"from_node": "SUP", "to_node": "FAC", "lead_time_days": 0},
            {"from_node": "FAC", "to_node": "STORE", "lead_time_days": 0},
        ],
        "bom": [{"parent_item": "SKU", "child_item": "MAT", "quantity": 1}],
        "demands": [
            {
                "node_code": "STORE",
                "item_code": "SKU",
                "bucket": "M1",
                "mean": 310,
                "demand_model": "deterministic",
            },
            {
                "node_code": "STORE",
                "item_code": "SKU",
                "bucket": "M2",
                "mean": 280,
                "demand_model": "deterministic",
            },
        ],
    }
    doc.update(changes)
    return doc


def column(result, node: str, item: str, metric: str) -> np.ndarray:
    psi = result.psi
    return psi.loc[(psi["node"] == node) & (psi["item"] == item), metric].to_numpy(np.float64)


def test_monthly_bucket_totals_are_spread_over_their_calendar_days_from_day_zero() -> None:
    r = simulate(load_config(document()))
    # January: 310 over 31 days, February: 280 over 28 days.
    assert column(r, "STORE", "SKU", "demand").tolist() == [10.0] * 59
    half = simulate(load_config(document(horizon=40)))
    assert half.kpis["demand_total"] == pytest.approx(400.0)  # 31 + 9 days of 10


def test_capacity_rows_cap_the_daily_capacity_at_their_bucket_rate() -> None:
    doc = document(
        capacities=[
            {"resource_code": "FAC", "resource_type": "node", "bucket": "M1", "capacity": 186}
        ]
    )
    r = simulate(load_config(doc))
    made = column(r, "FAC", "SKU", "production")
    assert made[:31].max() == pytest.approx(6.0)  # 186 / 31, below the policy's 100
    assert made[31:].max() > 6.0  # February has no row: the policy capacity applies
    assert r.kpis["capacity_utilisation"]["FAC"] <= 1.0


def test_item_capacity_rows_cap_that_item_at_every_factory_making_it() -> None:
    row = {"resource_code": "SKU", "resource_type": "item", "bucket": "M2", "capacity": 56}
    doc = document(capacities=[row])
    soft = simulate(load_config(doc))
    policy = {"item_code": "SKU", "allow_over_capacity": False}
    doc["nodes"][1]["production_policies"].append(policy)
    hard = simulate(load_config(doc))
    # 56 over February's 28 days: a hard cap of 2 a day, or 8 a day over a soft one
    assert column(hard, "FAC", "SKU", "production")[32:].max() == pytest.approx(2.0)
    assert column(soft, "FAC", "SKU", "production")[32:].max() == pytest.approx(10.0)
    assert soft.raw.item_over[32:].max() == pytest.approx(8.0)


def test_roles_follow_unlimited_supply_production_policies_and_arcs() -> None:
    net = compile_network(load_config(document()))
    assert net.mode[net.index_of("SUP", "MAT")] == MODE_UNLIMITED
    assert net.mode[net.index_of("FAC", "SKU")] == MODE_PRODUCE
    assert net.mode[net.index_of("FAC", "MAT")] == MODE_TRANSFER
    assert net.mode[net.index_of("STORE", "SKU")] == MODE_TRANSFER
    assert net.levels == 4  # store, factory SKU, its material, the supplier


def test_opening_stock_is_scaled_by_the_initial_inventory_scale() -> None:
    doc = document()
    doc["meta"]["attributes"]["initial_inventory_scale"] = 3
    net = compile_network(load_config(doc))
    assert net.initial[net.index_of("STORE", "SKU")] == 15.0


@pytest.mark.parametrize("attributes", [{"lost_sales": True}, {"backorder_enabled": False}])
def test_lost_sales_come_from_the_node_attributes(attributes: dict[str, bool]) -> None:
    doc = document()
    doc["nodes"][2]["attributes"] = attributes
    doc["arcs"] = doc["arcs"][:1]  # the store is left with its opening stock only
    r = simulate(load_config(doc))
    assert column(r, "STORE", "SKU", "backlog").max() == 0.0
    assert r.kpis["lost_sales_total"] == pytest.approx(590.0 - 5.0)


def test_a_factory_without_item_policies_makes_every_product() -> None:
    doc = document()
    doc["items"].append({"code": "SKU2", "item_type": "product"})
    net = compile_network(load_config(doc))
    assert net.mode[net.index_of("FAC", "SKU2")] == MODE_PRODUCE


def test_simulating_past_the_horizon_keeps_reading_the_buckets() -> None:
    r = simulate(load_config(document(horizon=31)), days=59)
    assert column(r, "STORE", "SKU", "demand").tolist() == [10.0] * 59


def test_inventory_policy_fields_reach_their_node_item() -> None:
    doc = document()
    doc["nodes"][2]["inventory_policies"][0] |= {
        "reorder_point": 12,
        "safety_stock": 4,
        "min_order_qty": 6,
        "order_multiple": 3,
        "storage_cost": 0.5,
        "stockout_cost": 7,
        "backorder_cost": 2,
    }
    doc["nodes"][2]["attributes"] = {"stockout_cost_per_unit": 9}
    net = compile_network(load_config(doc))
    store, fac = net.index_of("STORE", "SKU"), net.index_of("FAC", "MAT")
    assert net.initial[store] == 5.0
    assert (net.reorder_point[store], net.order_up_to[store]) == (12.0, 30.0)
    assert (net.safety_stock[store], net.moq[store], net.multiple[store]) == (4.0, 6.0, 3.0)
    assert net.costs.storage_variable[store] == 0.5
    assert (net.costs.stockout[store], net.costs.backorder[store]) == (7.0, 2.0)
    # unset: a base stock at the order-up-to level, no lot rules, the node's rates
    assert net.reorder_point[fac] == net.order_up_to[fac] == 1000.0
    assert np.isnan(net.safety_stock[fac]) and np.isnan(net.order_quantity[fac])
    assert (net.moq[fac], net.multiple[fac], net.costs.stockout[fac]) == (0.0, 0.0, 0.0)
    made = net.index_of("FAC", "SKU")  # made without a policy: no opening stock, no levels
    assert net.initial[made] == 0.0 and np.isnan(net.order_up_to[made])


def test_a_later_policy_for_a_node_item_replaces_the_earlier_one() -> None:
    b = NetworkBuilder(horizon_days=5)
    b.node("S", "store")
    b.stock("S", "A", initial=1.0, order_up_to=10.0)
    b.stock("S", "B", initial=2.0)
    b.stock("S", "A", initial=3.0)
    b.stock("S", "C", initial=4.0)
    table = np.full((2, len(STOCK_FIELDS)), np.nan)
    table[:, STOCK_FIELDS.index("initial")] = [5.0, 6.0]
    table[:, STOCK_FIELDS.index("moq")] = 0.0
    b.stock_table(StockRows(np.zeros(2, np.int64), ("S",), np.arange(2), ("B", "C"), table))
    b.stock("S", "C", initial=7.0)  # declared one by one after the table: it wins
    net = b.build()
    assert net.initial[net.index_of("S", "A")] == 3.0
    assert np.isnan(net.order_up_to[net.index_of("S", "A")])
    assert net.initial[net.index_of("S", "B")] == 5.0  # the table replaced 2.0
    assert net.initial[net.index_of("S", "C")] == 7.0


def test_a_policy_at_an_undeclared_node_is_refused_by_name() -> None:
    b = NetworkBuilder(horizon_days=5)
    b.node("S", "store")
    b.stock("S", "A")
    b.stock("GHOST", "A")
    with pytest.raises(ValueError, match="undeclared nodes: GHOST"):
        b.build()
