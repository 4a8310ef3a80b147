"""Multi-sourcing in the plan: a SKU made at several factories is planned on their pool
and split the way its run sources it (shares, then fallback for what a hard capacity
cannot make), so the run of the plan makes what the plan says, where it says."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from scpln.engine.planning import planning_inputs_from_config, run_receipts
from scpln.engine.planning.sourcing import sku_factories
from scpln.engine.psi import SimulationResult, compile_network
from scpln.engine.tests.test_plan_run_consistency import (
    NETWORK,
    assert_consistent,
    network,
    plan_and_runs,
)


def two_factories(rules: list[tuple[str, int, float]], capacity: dict[str, float | None]):
    """S1's chain only (10 a day through the DC), made at FACT and at F2 (10 days from the
    DC); the DC orders FG by ``rules`` (source, priority, share); ``capacity`` per factory
    per day, hard."""
    nodes = [n for n in copy.deepcopy(NETWORK["nodes"]) if n["code"] not in ("DC2", "S2")]
    second = copy.deepcopy(nodes[1])
    second["code"] = "F2"
    nodes.append(second)
    for node in nodes:
        if node["code"] in capacity:
            node["production_policies"] = [
                {
                    "item_code": None,
                    "production_capacity": capacity[node["code"]],
                    "allow_over_capacity": False,
                }
            ]
    arcs = [a for a in NETWORK["arcs"] if a["to_node"] != "S2"] + [
        {"from_node": "SUP", "to_node": "F2", "lead_time_days": 1},
        {"from_node": "F2", "to_node": "DC", "lead_time_days": 10},
    ]
    return network(
        nodes=nodes,
        arcs=arcs,
        demands=[d for d in NETWORK["demands"] if d["node_code"] != "S2"],
        sourcing_rules=[
            {"node_code": "DC", "item_code": "FG", "from_node": source, "priority": p, "share": s}
            for source, p, s in rules
        ],
    )


def made_by_factory(run: SimulationResult) -> pd.Series:
    psi = run.psi
    made = psi[psi["node"].isin(["FACT", "F2"])].groupby("node", observed=True)["production"]
    return made.sum().astype(float)


def test_a_sku_two_factories_share_is_planned_at_both_by_their_shares() -> None:
    # The DC takes 60 % of FG from FACT and 40 % from F2. The plan made it all at the first
    # factory in code order (F2) while FACT kept its policy for the DC's 60 %: the run made
    # 986 units for 620 planned (and 610 in the policy run). It now plans FG on both, pooled,
    # and gives each factory the share of the demand it serves.
    config = two_factories([("FACT", 1, 0.6), ("F2", 1, 0.4)], {})
    plan, policy, run = plan_and_runs(config)
    inputs = planning_inputs_from_config(config)
    assert inputs.routing.set_index("sku").at["FG", "workcenter"] == "F2+FACT"
    receipts, _ = run_receipts(plan.final.plan_final, config, by_node=True)
    planned = receipts.groupby("node")["quantity"].sum()
    assert planned["FACT"] / planned.sum() == pytest.approx(0.6)
    made = made_by_factory(run)
    assert made.sum() == pytest.approx(plan.kpis["planned_receipts_total"], rel=1e-6)
    assert made.sum() <= made_by_factory(policy).sum() * 1.02
    assert made["FACT"] / made.sum() == pytest.approx(0.6, abs=0.01)
    assert_consistent(plan, policy, run)


def test_what_the_preferred_factory_cannot_make_is_planned_at_its_fallback() -> None:
    # FACT (priority 1) can make 4 a day, F2 (priority 2) 3: the plan could only count on F2,
    # the first factory in code order, and predicted 0.34 where its run served 0.50. Now the
    # two are one pool of 7 a day; each week FACT gets what it can make and F2 the rest, as
    # the DC falls back to F2 for what FACT cannot ship.
    config = two_factories([("FACT", 1, 1.0), ("F2", 2, 1.0)], {"FACT": 4.0, "F2": 3.0})
    plan, policy, run = plan_and_runs(config)
    receipts, _ = run_receipts(plan.final.plan_final, config, by_node=True)
    weekly = receipts.pivot_table(index="day", columns="node", values="quantity", fill_value=0.0)
    days = receipts.drop_duplicates("day").set_index("day")["days"]
    assert (weekly["FACT"] <= 4.0 * days.reindex(weekly.index) + 1e-6).all()
    assert weekly["F2"].sum() > 0
    assert run.kpis["fill_rate"] > policy.kpis["fill_rate"]
    assert_consistent(plan, policy, run)
    # With room at FACT nothing falls back: F2 is not in the plan and keeps its policy.
    roomy = two_factories([("FACT", 1, 1.0), ("F2", 2, 1.0)], {"FACT": 40.0, "F2": 3.0})
    plan, policy, run = plan_and_runs(roomy)
    receipts, _ = run_receipts(plan.final.plan_final, roomy, by_node=True)
    assert set(receipts["node"]) == {"FACT"}
    assert made_by_factory(run).get("F2", 0.0) == 0.0
    assert_consistent(plan, policy, run)


def test_factories_that_share_a_sku_are_planned_as_one_work_centre() -> None:
    config = two_factories([("FACT", 1, 1.0), ("F2", 2, 1.0)], {"FACT": 4.0, "F2": 3.0})
    factories = sku_factories(compile_network(config), ["FG"]).set_index("node")
    # FACT serves all of FG's demand; F2 is only the DC's fallback.
    assert factories["share"].to_dict() == {"F2": 0.0, "FACT": 1.0}
    assert factories["fallback"].to_dict() == {"F2": True, "FACT": False}
    inputs = planning_inputs_from_config(config)
    capacity = inputs.capacity.set_index(["workcenter", "period"])["capacity"]
    assert capacity[("F2+FACT", "2025-02")] == pytest.approx(7.0 * 28)
    assert set(inputs.capacity["workcenter"]) == {"F2+FACT"}
    assert not inputs.workcenters.set_index("workcenter").at["F2+FACT", "allow_over_capacity"]
    assert sorted(inputs.sites["loc"]) == ["F2", "FACT"]
