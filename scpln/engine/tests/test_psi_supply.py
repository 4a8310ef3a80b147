"""Supplier capacity: what a supplier ships a day, per item or over all its items."""

from __future__ import annotations

import copy

import numpy as np

from scpln.engine.canonical import content_hash, load_config
from scpln.engine.psi import NetworkBuilder, simulate, simulate_network
from scpln.engine.tests.test_canonical_validation import messages
from scpln.engine.tests.test_canonical_validation import network as tiny


def series(result, node: str, item: str, metric: str) -> list[float]:
    psi = result.psi
    rows = psi[(psi["node"] == node) & (psi["item"] == item)]
    return [round(float(v), 6) for v in rows[metric].to_numpy(np.float64)]


def two_items(**cap: float) -> NetworkBuilder:
    """An unlimited supplier of X and Y → store S selling 10 of each a day."""
    b = NetworkBuilder(horizon_days=6)
    b.node("SUP", "supplier", unlimited=True)
    b.node("S", "store")
    b.arc("SUP", "S", lead_time=0)
    for item in ("X", "Y"):
        b.stock("SUP", item)
        b.stock("S", item, initial=0.0, order_up_to=10.0)
        b.demand("S", item, first_day=0, last_day=5, mean=10.0, model="deterministic")
    if "node" in cap:
        b.supply_window("SUP", first_day=0, last_day=5, capacity=cap["node"])
    if "x" in cap:
        b.supply_window("SUP", first_day=0, last_day=5, capacity=cap["x"], item="X")
    return b


def test_an_item_cap_limits_that_item_and_what_is_short_waits() -> None:
    r = simulate_network(two_items(x=6.0).build())
    assert series(r, "SUP", "X", "sales") == [6.0] * 6
    assert series(r, "SUP", "Y", "sales") == [10.0] * 6
    assert series(r, "SUP", "X", "backlog") == [4.0, 8.0, 12.0, 16.0, 20.0, 24.0]


def test_a_node_cap_is_shared_by_its_items_in_proportion_to_what_they_are_asked() -> None:
    # 10 a day for both: each is asked 10 and gets 5.
    shared = simulate_network(two_items(node=10.0).build())
    assert series(shared, "SUP", "X", "sales")[0] == series(shared, "SUP", "Y", "sales")[0] == 5.0
    # An item's own cap applies first: X may ship 2, so Y gets the other 10 of 12.
    r = simulate_network(two_items(node=12.0, x=2.0).build())
    assert (series(r, "SUP", "X", "sales")[0], series(r, "SUP", "Y", "sales")[0]) == (2.0, 10.0)


def capped() -> dict:
    document = tiny()
    document["capacities"].append(
        {
            "resource_code": "SUP",
            "resource_type": "supplier",
            "bucket": "M1",
            "capacity": 31,
            "item_code": "RM",
        }
    )
    return document


def test_a_config_supplier_capacity_limits_its_shipments() -> None:
    document = capped()
    assert messages(document) == []
    r = simulate(load_config(document))
    shipped = series(r, "SUP", "RM", "sales")[:31]
    assert max(shipped) <= 1.0 + 1e-9  # 31 over January's 31 days
    assert content_hash(document) != content_hash(tiny())
    wrong = copy.deepcopy(document)
    wrong["capacities"][-1]["item_code"] = "FG"
    wrong["capacities"][0]["item_code"] = "RM"
    assert messages(wrong) == [
        "capacities[0].item_code: only a supplier capacity names an item, not a 'node' one",
        "capacities[1].item_code: SUP does not supply FG",
    ]
    assert simulate(load_config(tiny())).raw.network.supply is None
