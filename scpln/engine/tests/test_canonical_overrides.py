"""Scenario overrides: validated against the config, applied without touching it."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from scpln.engine.canonical import ConfigError, load_config
from scpln.engine.canonical.overrides import (
    ScenarioOverrides,
    apply_overrides,
    validate_overrides,
)
from scpln.engine.canonical.validation import validate_config

NETWORK = {
    "meta": {
        "name": "families",
        "attributes": {"planning_horizon": 59, "initial_inventory_scale": 3},
    },
    "items": [
        {"code": "A", "lead_time_days": 2},
        {"code": "B", "lead_time_days": 5},
        {"code": "C"},
    ],
    "nodes": [
        {
            "code": "FACT",
            "node_type": "factory",
            "lead_time_days": 1,
            "production_policies": [
                {"item_code": None, "production_capacity": 100},
                {"item_code": "A", "production_capacity": 40},
                {"item_code": "B"},
                {"item_code": "C", "production_capacity": 30},
            ],
        },
        {
            "code": "STORE",
            "node_type": "store",
            "inventory_policies": [
                {"item_code": "A", "initial_inventory": 10, "lead_time_days": 1},
                {"item_code": "B", "initial_inventory": 4},
            ],
        },
    ],
    "arcs": [{"from_node": "FACT", "to_node": "STORE", "lead_time_days": 3}],
    "demands": [
        {"node_code": "STORE", "item_code": "A", "bucket": "M1", "mean": 100, "std_dev": 10},
        {"node_code": "STORE", "item_code": "B", "bucket": "M1", "mean": 50, "std_dev": 5},
        {"node_code": "STORE", "item_code": "C", "bucket": "M1", "mean": 20},
    ],
    "capacities": [
        {"resource_code": "FACT", "bucket": "M1", "capacity": 3000},
        {"resource_code": "LINE-1", "resource_type": "workcenter", "bucket": "M1", "capacity": 800},
    ],
    "hierarchies": [
        {"hierarchy_type": "product", "node_key": "A", "parent_key": "FAM-1"},
        {"hierarchy_type": "product", "node_key": "B", "parent_key": "FAM-1"},
        {"hierarchy_type": "product", "node_key": "C", "parent_key": "FAM-2"},
        {"hierarchy_type": "product", "node_key": "FAM-1", "parent_key": "ALL"},
        {"hierarchy_type": "product", "node_key": "FAM-2", "parent_key": "ALL"},
        {"hierarchy_type": "product", "node_key": "ALL"},
    ],
}


def network() -> dict:
    return copy.deepcopy(NETWORK)


def test_network_is_valid() -> None:
    assert validate_config(network()) == []


def test_defaults_change_nothing() -> None:
    overrides = ScenarioOverrides.from_dict({})

    assert overrides == ScenarioOverrides() and overrides.to_dict() == {}
    assert apply_overrides(network(), overrides) == load_config(network())


def test_most_specific_demand_factor_wins_over_its_family() -> None:
    overrides = ScenarioOverrides(
        demand_scale=1.1, demand_scale_by_item={"FAM-1": 2, "B": 3, "ALL": 0.5}
    )

    result = apply_overrides(network(), overrides)

    means = [(row.item_code, row.mean, row.std_dev) for row in result.demands]
    assert means == [("A", 220, 22), ("B", 165, 16.5), ("C", 11, 0)]


def test_capacity_scales_overall_and_per_node() -> None:
    result = apply_overrides(
        network(), {"capacity_scale": 0.5, "capacity_scale_by_node": {"FACT": 1.5}}
    )

    capacities = [p.production_capacity for p in result.nodes[0].production_policies]
    assert capacities == [75, 30, None, 22.5]  # unlimited stays unlimited
    assert [row.capacity for row in result.capacities] == [2250, 400]


def test_negative_lead_time_shift_is_clamped_at_zero() -> None:
    result = apply_overrides(network(), {"lead_time_shift_days": -2})

    assert [item.lead_time_days for item in result.items] == [0, 3, 0]
    assert result.nodes[0].lead_time_days == 0
    assert [p.lead_time_days for p in result.nodes[1].inventory_policies] == [0, None]
    assert result.arcs[0].lead_time_days == 1


def test_initial_inventory_scale_multiplies_the_config_scale() -> None:
    result = apply_overrides(network(), {"initial_inventory_scale": 2, "horizon_days": 30})

    assert result.initial_inventory_scale == 6
    assert result.opening_stock(result.nodes[1].inventory_policies[0]) == 60
    assert result.horizon_days == 30
    assert result.nodes[1].inventory_policies[0].initial_inventory == 10


def test_apply_is_pure_and_result_validates() -> None:
    document = network()
    original = load_config(document)
    overrides = ScenarioOverrides(
        demand_scale=1.3, capacity_scale=0.8, lead_time_shift_days=-5, horizon_days=200
    )

    result = apply_overrides(original, overrides)

    assert load_config(document) == original and document == network()
    assert result != original
    assert validate_config(result) == []


def test_validate_overrides_names_every_problem_by_path() -> None:
    overrides = ScenarioOverrides(
        demand_scale=0,
        demand_scale_by_item={"FAM-9": 1.2, "A": -1},
        capacity_scale_by_node={"FACT-9": 2, "STORE": 1.1},
        initial_inventory_scale=-2,
        horizon_days=20_000,
    )

    assert [str(problem) for problem in validate_overrides(overrides, network())] == [
        "overrides.demand_scale: must be a factor greater than 0, got 0",
        "overrides.initial_inventory_scale: must be a factor greater than 0, got -2",
        "overrides.demand_scale_by_item.FAM-9: unknown item or product family 'FAM-9'",
        "overrides.demand_scale_by_item.A: must be a factor greater than 0, got -1",
        "overrides.capacity_scale_by_node.FACT-9: unknown node 'FACT-9'",
        "overrides.capacity_scale_by_node.STORE: STORE has no production capacity to scale",
        "overrides.horizon_days: must be between 1 and 3660 days, got 20000",
    ]


def test_apply_refuses_overrides_that_do_not_fit() -> None:
    with pytest.raises(ConfigError, match="unknown node 'FACT-9'"):
        apply_overrides(network(), {"capacity_scale_by_node": {"FACT-9": 2}})


def test_from_dict_reports_unknown_keys_and_wrong_types() -> None:
    with pytest.raises(ConfigError) as raised:
        ScenarioOverrides.from_dict(
            {
                "demand_scal": 1.2,
                "capacity_scale": "high",
                "lead_time_shift_days": 1.5,
                "capacity_scale_by_node": {"FACT": None},
            }
        )

    assert [str(problem) for problem in raised.value.problems] == [
        "overrides.demand_scal: unknown override; use demand_scale, demand_scale_by_item, "
        "capacity_scale, capacity_scale_by_node, lead_time_shift_days, initial_inventory_scale, "
        "horizon_days, inventory_levels",
        "overrides.capacity_scale: expected a number, got the text 'high'",
        "overrides.lead_time_shift_days: expected a whole number of days, got the number 1.5",
        "overrides.capacity_scale_by_node.FACT: expected a number, got null",
    ]


def test_to_dict_round_trips() -> None:
    data = {"demand_scale_by_item": {"FAM-1": 1.2}, "lead_time_shift_days": -1, "horizon_days": 90}

    assert ScenarioOverrides.from_dict(data).to_dict() == data


@pytest.mark.reference
def test_reference_scale_composes_with_a_scenario(reference_dir: Path) -> None:
    config = load_config(reference_dir / "canonical" / "mono_node_sample_2Mths.json")

    result = apply_overrides(config, {"initial_inventory_scale": 0.5, "demand_scale": 2})

    store_policy = result.nodes[2].inventory_policies[0]
    assert result.opening_stock(store_policy) == 7.5  # 5 units × 3 (file) × 0.5 (scenario)
    assert [row.mean for row in result.demands] == [280, 360]
    assert validate_config(result) == []


def test_inventory_levels_set_exactly_that_policy() -> None:
    overrides = ScenarioOverrides.from_dict(
        {
            "inventory_levels": {
                "STORE": {
                    "A": {"order_up_to": 120, "reorder_point": 90, "initial_inventory": 120},
                    "C": {"order_up_to": 30},
                }
            }
        }
    )
    before = load_config(network())
    after = apply_overrides(network(), overrides)
    store = {
        p.item_code: p for p in next(n for n in after.nodes if n.code == "STORE").inventory_policies
    }
    assert (store["A"].order_up_to, store["A"].reorder_point, store["A"].initial_inventory) == (
        120,
        90,
        120,
    )
    assert store["A"].lead_time_days == 1 and store["A"].order_quantity is None
    # a base stock for an item the store had no policy for
    assert (store["C"].order_up_to, store["C"].reorder_point) == (30, 30)
    original = {
        p.item_code: p
        for p in next(n for n in before.nodes if n.code == "STORE").inventory_policies
    }
    assert store["B"] == original["B"]
    assert next(n for n in after.nodes if n.code == "FACT") == next(
        n for n in before.nodes if n.code == "FACT"
    )
    assert ScenarioOverrides.from_dict(overrides.to_dict()) == overrides


def test_inventory_levels_name_unknown_node_and_item() -> None:
    overrides = ScenarioOverrides.from_dict(
        {
            "inventory_levels": {
                "NOPE": {"A": {"order_up_to": 1}},
                "STORE": {"Z": {"order_up_to": 1}},
            }
        }
    )
    paths = [p.path for p in validate_overrides(overrides, network())]
    assert paths == ["overrides.inventory_levels.NOPE", "overrides.inventory_levels.STORE.Z"]
    with pytest.raises(ConfigError) as exc:
        ScenarioOverrides.from_dict(
            {"inventory_levels": {"STORE": {"A": {"reorder_point": 5, "up_to": -1}}}}
        )
    paths = [p.path for p in exc.value.problems]
    assert "overrides.inventory_levels.STORE.A.up_to" in paths
