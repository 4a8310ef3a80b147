"""Multi-sourcing: a node orders one item from several sources by priority and share,
falling back to the next priority for what a source cannot ship."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from scpln.engine.canonical import content_hash, load_config
from scpln.engine.psi import NetworkBuilder, compile_network, simulate, simulate_network
from scpln.engine.tests.test_canonical_validation import messages
from scpln.engine.tests.test_canonical_validation import network as tiny


def series(result, node: str, metric: str) -> list[float]:
    psi = result.psi
    return [round(float(v), 6) for v in psi[psi["node"] == node][metric].to_numpy(np.float64)]


def two_warehouses(stock_a: float, **rules: tuple[int, float]) -> NetworkBuilder:
    """Warehouses A (1 day away) and B (2 days) both stock X; store S sells 10 a day and
    restores 30 every day, ordering by ``rules`` (source → (priority, share))."""
    b = NetworkBuilder(horizon_days=10)
    for name, stock in (("A", stock_a), ("B", 1000.0)):
        b.node(name, "warehouse")
        b.stock(name, "X", initial=stock, order_up_to=0.0)
    b.node("S", "store")
    b.arc("A", "S", lead_time=1)
    b.arc("B", "S", lead_time=2)
    b.stock("S", "X", initial=0.0, order_up_to=30.0)
    b.demand("S", "X", first_day=0, last_day=9, mean=10.0, model="deterministic")
    for source, (priority, share) in rules.items():
        b.source("S", "X", source, priority=priority, share=share)
    return b


def test_sources_of_one_priority_split_every_order_by_share() -> None:
    r = simulate_network(two_warehouses(1000.0, A=(1, 0.3), B=(1, 0.7)).build())
    assert series(r, "A", "sales") == pytest.approx([9.0] + [3.0] * 9)
    assert series(r, "B", "sales") == pytest.approx([21.0] + [7.0] * 9)
    # Each lane's units arrive after its own lead time: A's 9 on day 1, B's 21 on day 2.
    assert series(r, "S", "receipts")[:3] == pytest.approx([0.0, 9.0, 21.0 + 3.0])


def test_what_the_preferred_source_cannot_ship_falls_back_to_the_next() -> None:
    # A (priority 1) holds 25: the first order of 30 takes its 25 and B ships the other 5;
    # from then on A has nothing and every order goes to B.
    r = simulate_network(two_warehouses(25.0, A=(1, 1.0), B=(2, 1.0)).build())
    assert series(r, "A", "sales") == [25.0] + [0.0] * 9
    assert series(r, "B", "sales") == [5.0] + [10.0] * 9
    # Without the rule the store orders from its nearest source alone, and A runs dry.
    single = simulate_network(two_warehouses(25.0).build())
    assert single.kpis["fill_rate"] < r.kpis["fill_rate"]


def test_a_source_sees_its_share_of_the_demand_it_serves() -> None:
    net = two_warehouses(1000.0, A=(1, 0.3), B=(1, 0.7)).build()
    assert net.profile_mean[0, net.index_of("A", "X")] == pytest.approx(3.0)
    assert net.profile_mean[0, net.index_of("B", "X")] == pytest.approx(7.0)


def sourced() -> dict:
    """The tiny network with a second factory F2 also making FG and shipping to the DC:
    the DC takes 60 % from FACT and 40 % from F2."""
    document = tiny()
    f2 = copy.deepcopy(document["nodes"][1])
    f2["code"] = "F2"
    document["nodes"].append(f2)
    document["arcs"] += [
        {"from_node": "SUP", "to_node": "F2", "lead_time_days": 3},
        {"from_node": "F2", "to_node": "DC", "lead_time_days": 4},
    ]
    document["sourcing_rules"] = [
        {"node_code": "DC", "item_code": "FG", "from_node": "FACT", "share": 0.6},
        {"node_code": "DC", "item_code": "FG", "from_node": "F2", "share": 0.4},
    ]
    return document


def test_a_config_with_sourcing_rules_runs_them_and_hashes_them() -> None:
    document = sourced()
    assert messages(document) == []
    result = simulate(load_config(document))
    psi = result.psi
    shipped = psi[psi["node"].isin(["FACT", "F2"]) & (psi["item"] == "FG")]
    by_factory = shipped.groupby("node", observed=True)["sales"].sum()
    assert by_factory["FACT"] / by_factory.sum() == pytest.approx(0.6, abs=0.02)
    net = compile_network(load_config(document))
    assert net.sourcing is not None and len(net.sourcing.dest) == 1
    without = copy.deepcopy(document)
    del without["sourcing_rules"]
    assert content_hash(document) != content_hash(without)
    assert compile_network(load_config(without)).sourcing is None


def test_sourcing_rule_problems_name_their_field() -> None:
    document = sourced()
    document["sourcing_rules"] += [
        {"node_code": "STORE", "item_code": "FG", "from_node": "F2", "priority": 0},
        {"node_code": "DC", "item_code": "RM", "from_node": "SUP", "share": 1.5},
    ]
    document["sourcing_rules"][1]["share"] = 0.3
    assert messages(document) == [
        "sourcing_rules[0].share: the shares of DC × FG at priority 1 add up to 0.9, not 1",
        "sourcing_rules[2].priority: must be 1 or more (1 is tried first), got 0",
        "sourcing_rules[2].from_node: no arc F2 → STORE to order FG along",
        "sourcing_rules[3].share: must be above 0 and at most 1, got 1.5",
        "sourcing_rules[3].from_node: no arc SUP → DC to order RM along",
        "sourcing_rules[3].node_code: DC does not stock RM (no inventory policy or demand for it)",
    ]
