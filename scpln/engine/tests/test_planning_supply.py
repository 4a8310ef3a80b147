"""Supplier capacity in the plan: components a capped supplier feeds arrive no faster in
the plan than in its run, so the plan predicts the service its run then gives."""

from __future__ import annotations

import copy

import pytest

from scpln.engine.canonical import load_config
from scpln.engine.planning import planning_inputs_from_config
from scpln.engine.psi import Constraints, simulate
from scpln.engine.tests.test_plan_run_consistency import (
    NETWORK,
    assert_consistent,
    network,
    plan_and_runs,
)

MONTHS = (("M1", 31), ("M2", 28), ("M3", 31))


def capped(per_day: float, *, item: bool = False):
    """S1's chain (10 a day, 21 days from the factory); the factory holds 100 RM and keeps
    ordering up to 400 from SUP, which may ship ``per_day`` a day (of RM only with
    ``item``, else of all it supplies)."""
    nodes = [n for n in copy.deepcopy(NETWORK["nodes"]) if n["code"] not in ("DC2", "S2")]
    nodes[1]["inventory_policies"][0] = {
        "item_code": "RM",
        "initial_inventory": 100,
        "order_up_to": 400,
    }
    rows = [
        {
            "resource_code": "SUP",
            "resource_type": "supplier",
            "bucket": bucket,
            "capacity": per_day * days,
            **({"item_code": "RM"} if item else {}),
        }
        for bucket, days in MONTHS
    ]
    return network(
        nodes=nodes,
        arcs=[a for a in NETWORK["arcs"] if a["to_node"] != "S2"],
        demands=[d for d in NETWORK["demands"] if d["node_code"] != "S2"],
        capacities=rows,
    )


def test_what_a_capped_supplier_can_deliver_is_counted_week_by_week() -> None:
    # RM is shipped on day t and used on day t + 1 (SUP → FACT) for FG finishing 2 days
    # later: supply arriving in a week is what SUP shipped 3 days before each of its days.
    supply = planning_inputs_from_config(capped(6.0, item=True)).component_supply
    weekly = supply.set_index("week")["supply"]
    assert set(supply["item"]) == {"RM"} and set(supply["loc"]) == {"FACT"}
    # 2025-W01 is 1–5 January (days 0–4): only days 3 and 4 were shipped on days 0 and 1.
    assert weekly["2025-W01"] == pytest.approx(2 * 6.0)
    assert weekly["2025-W02"] == pytest.approx(7 * 6.0)
    assert weekly.sum() == pytest.approx(6.0 * (90 - 3))


def test_a_capped_supplier_limits_the_plan_as_it_limits_its_run() -> None:
    # SUP ships 6 RM a day for 10 FG a day: the plan counted RM as unlimited and predicted
    # 1.0 where its run served 0.69. It now builds only what the RM can make, when it can.
    for item in (False, True):
        plan, policy, run = plan_and_runs(capped(6.0, item=item))
        assert run.kpis["fill_rate"] < 0.8
        assert_consistent(plan, policy, run)
    # With enough supply the cap binds neither.
    plan, policy, run = plan_and_runs(capped(12.0))
    assert plan.kpis["fill_rate"] == run.kpis["fill_rate"] == 1.0


def test_a_plan_that_is_not_capacity_constrained_and_its_run_ignore_supplier_caps() -> None:
    config = capped(6.0)
    plan, policy, run = plan_and_runs(config, capacity_constrained=False)
    assert plan.kpis["fill_rate"] == pytest.approx(1.0)
    assert run.kpis["fill_rate"] == pytest.approx(1.0)
    assert_consistent(plan, policy, run)
    shipped = simulate(config, constraints=Constraints(capacity=False)).psi
    sup = shipped[shipped["node"] == "SUP"]
    assert float(sup["sales"].max()) > 6.0


def test_a_suppliers_cap_on_all_its_items_is_shared_by_the_demand_each_component_sees() -> None:
    # FG takes 1 RM and 2 RM2 from SUP, which ships 9 a day of both together: RM sees 10 a
    # day of demand and RM2 20, so RM gets 3 a day and RM2 6 (shared in proportion).
    document = copy.deepcopy(NETWORK)
    document["items"].append({"code": "RM2", "item_type": "material", "unit_cost": 1})
    document["nodes"][0]["inventory_policies"].append({"item_code": "RM2"})
    document["nodes"][1]["inventory_policies"].append({"item_code": "RM2"})
    document["bom"].append({"parent_item": "FG", "child_item": "RM2", "quantity": 2})
    document["capacities"] = [
        {"resource_code": "SUP", "resource_type": "supplier", "bucket": b, "capacity": 9.0 * d}
        for b, d in MONTHS
    ]
    supply = planning_inputs_from_config(load_config(document)).component_supply
    week = supply[supply["week"] == "2025-W02"].set_index("item")["supply"]
    assert week["RM"] == pytest.approx(3.0 * 7)
    assert week["RM2"] == pytest.approx(6.0 * 7)
