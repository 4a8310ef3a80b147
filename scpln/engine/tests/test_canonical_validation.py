"""Validation: every problem of a config at once, worded for a planner."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from scpln.engine.canonical import Problem, load_config
from scpln.engine.canonical.validation import check_config, config_warnings, validate_config

NETWORK = {
    "meta": {"name": "tiny", "attributes": {"planning_horizon": 59}},
    "items": [
        {"code": "FG", "item_type": "product", "unit_cost": 10, "attributes": {"sales_price": 15}},
        {"code": "RM", "item_type": "material", "unit_cost": 2},
    ],
    "nodes": [
        {
            "code": "SUP",
            "node_type": "supplier",
            "unlimited_supply": True,
            "inventory_policies": [{"item_code": "RM"}],
        },
        {
            "code": "FACT",
            "node_type": "factory",
            "inventory_policies": [{"item_code": "RM", "initial_inventory": 50}],
            "production_policies": [
                {"item_code": None, "production_capacity": 100},
                {"item_code": "FG", "production_capacity": 80},
            ],
        },
        {
            "code": "DC",
            "node_type": "warehouse",
            "inventory_policies": [
                {"item_code": "FG", "initial_inventory": 30, "reorder_point": 20, "order_up_to": 60}
            ],
        },
        {
            "code": "STORE",
            "node_type": "store",
            "service_level": 0.95,
            "inventory_policies": [
                {"item_code": "FG", "initial_inventory": 10, "reorder_point": 5, "order_up_to": 20}
            ],
        },
    ],
    "arcs": [
        {"from_node": "SUP", "to_node": "FACT", "lead_time_days": 3},
        {"from_node": "FACT", "to_node": "DC", "lead_time_days": 2},
        {"from_node": "DC", "to_node": "STORE", "lead_time_days": 1},
    ],
    "bom": [{"parent_item": "FG", "child_item": "RM", "quantity": 2}],
    "demands": [
        {"node_code": "STORE", "item_code": "FG", "bucket": "M1", "mean": 310, "std_dev": 30},
        {"node_code": "STORE", "item_code": "FG", "bucket": "M2", "mean": 280, "std_dev": 28},
    ],
    "capacities": [{"resource_code": "FACT", "bucket": "M1", "capacity": 2000}],
    "calendars": [{"calendar_code": "STD", "definition": {"workdays": ["Mon"]}}],
    "hierarchies": [
        {"hierarchy_type": "product", "node_key": "FG", "parent_key": "FAM", "level": "sku"},
        {"hierarchy_type": "product", "node_key": "FAM", "parent_key": None, "level": "family"},
    ],
}


def network() -> dict:
    return copy.deepcopy(NETWORK)


def messages(document: object) -> list[str]:
    return [str(problem) for problem in validate_config(document)]  # type: ignore[arg-type]


def test_small_network_is_valid() -> None:
    assert validate_config(network()) == []
    assert validate_config(load_config(network())) == []


@pytest.mark.reference
@pytest.mark.parametrize("name", ["mono_node_sample_2Mths.json", "multi_node_sample_3Mths.json"])
def test_reference_configs_are_valid(reference_dir: Path, name: str) -> None:
    assert validate_config(reference_dir / "canonical" / name) == []


@pytest.mark.reference
def test_six_month_reference_is_valid_and_warns_of_its_store_item_without_supply(
    reference_dir: Path,
) -> None:
    """A genuine gap in the original sample: a warning, so the file imports as it is.

    STORE-MEX sells SKU-B, but its only source DC-4 is fed only by FACTORY-4, whose
    production policies name SKU-F alone; no arc reaches FACTORY-1, the maker of SKU-B.
    """
    report = check_config(reference_dir / "canonical" / "multi_node_sample_6Mths.json")

    assert report.problems == []
    assert [str(warning) for warning in report.warnings] == [
        "demands[30]: STORE-MEX has demand for SKU-B but no chain of arcs brings it from a "
        "factory that makes it or a supplier that stocks it"
    ]


def test_broken_config_reports_every_problem_path_first() -> None:
    document = network()
    document["meta"]["schema_version"] = "canonical-2.0"
    document["items"].append({"code": "FG", "name": "typo copy"})
    document["nodes"][3]["service_level"] = 1.2
    document["nodes"][1]["production_policies"][1]["production_capacity"] = -5
    document["arcs"][2]["to_node"] = "DC-9"
    document["bom"].append({"parent_item": "RM", "child_item": "FG", "quantity": 1})
    document["demands"][0]["mean"] = "lots"
    document["demands"][1]["bucket"] = "Feb"

    assert messages(document) == [
        "meta.schema_version: unknown schema version 'canonical-2.0'; this engine reads "
        "canonical-1.0",
        "items[2]: duplicate item code (already at items[0])",
        "nodes[1].production_policies[1].production_capacity: must not be negative, got -5",
        "nodes[3].service_level: must be between 0 and 1 (exclusive), got 1.2",
        "arcs[2].to_node: unknown node 'DC-9'",
        "bom[1]: BOM cycle: FG → RM → FG",
        "demands[0].mean: expected a number, got the text 'lots'",
        "demands[1].bucket: 'Feb' is not a bucket; use Mn, Wn, Dn (n ≥ 1), YYYY-MM, YYYY-Www "
        "or YYYY-MM-DD",
    ]


def test_problem_renders_path_then_message() -> None:
    assert str(Problem("arcs[3].to_node", "unknown node 'DC-9'")) == (
        "arcs[3].to_node: unknown node 'DC-9'"
    )
    assert str(Problem("", "not valid JSON")) == "not valid JSON"


def test_unresolved_references_everywhere() -> None:
    document = network()
    document["nodes"][2]["inventory_policies"][0]["item_code"] = "FG-X"
    document["nodes"][1]["production_policies"][1]["item_code"] = "FG-Y"
    document["arcs"][0]["from_node"] = "SUP-9"
    document["arcs"][1]["min_order_qty"] = {"FG-Z": 10}
    document["bom"][0]["child_item"] = "RM-9"
    document["demands"][1]["item_code"] = "FG-W"
    document["capacities"][0]["resource_code"] = "FACT-9"
    document["capacities"][0]["calendar_code"] = "NIGHT"
    document["hierarchies"][0]["parent_key"] = "FAM-9"

    assert messages(document) == [
        "nodes[1].production_policies[1].item_code: unknown item 'FG-Y'",
        "nodes[2].inventory_policies[0].item_code: unknown item 'FG-X'",
        "arcs[0].from_node: unknown node 'SUP-9'",
        "arcs[1].min_order_qty.FG-Z: unknown item 'FG-Z'",
        "bom[0].child_item: unknown item 'RM-9'",
        "demands[1].item_code: unknown item 'FG-W'",
        "capacities[0].resource_code: unknown node 'FACT-9'",
        "capacities[0].calendar_code: unknown calendar 'NIGHT'",
        "hierarchies[0].parent_key: unknown product hierarchy key 'FAM-9'; give it an entry "
        "of its own",
    ]


def test_negative_numbers_and_impossible_policies() -> None:
    document = network()
    document["items"][0]["unit_cost"] = -1
    document["items"][0]["attributes"]["sales_price"] = "high"
    document["nodes"][2]["inventory_policies"][0].update(order_up_to=10, order_multiple=0)
    document["arcs"][1]["lead_time_days"] = -2
    document["bom"][0].update(quantity=0, scrap_rate=1)
    document["demands"][0]["std_dev"] = -3

    assert messages(document) == [
        "items[0].unit_cost: must not be negative, got -1",
        "items[0].attributes.sales_price: must be a number, got 'high'",
        "nodes[2].inventory_policies[0].order_multiple: must be greater than 0, got 0",
        "nodes[2].inventory_policies[0].order_up_to: 10 is below the reorder point 20",
        "arcs[1].lead_time_days: must not be negative, got -2",
        "bom[0].quantity: must be greater than 0, got 0",
        "bom[0].scrap_rate: must be at least 0 and below 1, got 1",
        "demands[0].std_dev: must not be negative, got -3",
    ]


def test_an_r_q_policy_needs_a_reorder_point_and_no_order_up_to() -> None:
    document = network()
    document["nodes"][2]["inventory_policies"][0].update(order_quantity=25)
    document["nodes"][3]["inventory_policies"][0] = {"item_code": "FG", "order_quantity": 0}
    assert messages(document) == [
        "nodes[2].inventory_policies[0].order_quantity: give order_up_to (an (s, S) policy) "
        "or order_quantity (an (R, Q) policy), not both",
        "nodes[3].inventory_policies[0].order_quantity: must be greater than 0, got 0",
        "nodes[3].inventory_policies[0].order_quantity: an (R, Q) policy needs a "
        "reorder_point: it orders when the inventory position falls to it",
    ]
    del document["nodes"][2]["inventory_policies"][0]["order_up_to"]
    document["nodes"][3]["inventory_policies"][0].update(reorder_point=5, order_quantity=10)
    assert messages(document) == []


def test_a_lead_time_distribution_has_whole_days_and_probabilities_adding_to_one() -> None:
    document = network()
    document["arcs"][1]["lead_time_distribution"] = {"2": 0.5, "3.5": 0.2, "4": -0.1}
    assert messages(document) == [
        "arcs[1].lead_time_distribution: the probabilities add up to 0.6, not 1",
        "arcs[1].lead_time_distribution.4: must not be negative, got -0.1",
        "arcs[1].lead_time_distribution.3.5: a lead time is a whole number of days, not '3.5'",
    ]
    document["arcs"][1]["lead_time_distribution"] = {"2": 0.75, "5": 0.25}
    assert messages(document) == []
    from scpln.engine.psi import compile_network

    spec = compile_network(load_config(document)).lead_times
    assert spec is not None and spec.days.tolist() == [[2, 5]]
    assert spec.cumulative.tolist() == [[0.75, 1.0]]


def test_duplicates_of_every_keyed_row() -> None:
    document = network()
    document["nodes"].append({"code": "DC", "node_type": "warehouse"})
    document["nodes"][3]["inventory_policies"].append({"item_code": "FG"})
    document["arcs"].append({"from_node": "DC", "to_node": "STORE", "arc_type": "supply"})
    document["demands"].append({"node_code": "STORE", "item_code": "FG", "bucket": "M1", "mean": 1})
    document["calendars"].append({"calendar_code": "STD"})

    assert messages(document) == [
        "nodes[3].inventory_policies[1].item_code: STORE already has a policy for 'FG' "
        "(inventory_policies[0])",
        "nodes[4]: duplicate node code (already at nodes[2])",
        "arcs[3]: duplicate arc between the same two nodes (already at arcs[2])",
        "demands[2]: duplicate demand for STORE × FG in M1 (already at demands[0])",
        "calendars[1]: duplicate calendar code (already at calendars[0])",
    ]


def test_overlapping_buckets_of_one_store_item_count_twice() -> None:
    document = network()
    document["demands"].append(
        {"node_code": "STORE", "item_code": "FG", "bucket": "2025-01-15", "mean": 5}
    )

    assert messages(document) == [
        "demands[2].bucket: 2025-01-15 overlaps M1 (demands[0]) for STORE × FG; those days "
        "would count twice"
    ]


def test_demand_belongs_on_a_store() -> None:
    document = network()
    document["demands"][1]["node_code"] = "DC"

    assert messages(document) == [
        "demands[1].node_code: customer demand belongs on a store; DC is a warehouse"
    ]


def test_supply_path_needs_a_maker_or_a_stocking_supplier() -> None:
    document = network()
    document["nodes"][1]["production_policies"][1]["item_code"] = "RM"  # FACT no longer makes FG
    assert validate_config(document) == []
    assert [str(w) for w in config_warnings(document)] == [
        "demands[0]: STORE has demand for FG but no chain of arcs brings it from a factory "
        "that makes it or a supplier that stocks it"
    ]

    document["nodes"].append(
        {"code": "IMPORT", "node_type": "supplier", "inventory_policies": [{"item_code": "FG"}]}
    )
    document["arcs"].append({"from_node": "IMPORT", "to_node": "DC"})
    assert check_config(document).problems == check_config(document).warnings == []


def test_factory_without_item_policies_makes_every_product() -> None:
    document = network()
    del document["nodes"][1]["production_policies"][1]

    assert validate_config(document) == []


def test_bom_cycles_are_named_once_each() -> None:
    document = network()
    document["items"].append({"code": "SUB", "item_type": "component"})
    document["bom"] += [
        {"parent_item": "RM", "child_item": "SUB", "quantity": 1},
        {"parent_item": "SUB", "child_item": "FG", "quantity": 1},
        {"parent_item": "SUB", "child_item": "SUB", "quantity": 1},
    ]

    assert messages(document) == [
        "bom[2]: BOM cycle: FG → RM → SUB → FG",
        "bom[3]: BOM cycle: SUB → SUB",
    ]


def test_meta_horizon_start_and_scale() -> None:
    document = network()
    document["meta"]["status"] = "live"
    document["meta"]["attributes"] = {
        "planning_horizon": 0,
        "start_date": "01/02/2025",
        "initial_inventory_scale": -1,
    }

    assert messages(document) == [
        "meta.status: unknown status 'live'; use draft, active, archived",
        "meta.attributes.planning_horizon: must be a whole number of days above 0, got 0",
        "meta.attributes.start_date: must be an ISO date such as 2025-01-01, got '01/02/2025'",
        "meta.attributes.initial_inventory_scale: must be a number above 0 and at most 1000, "
        "got -1",
    ]
    del document["meta"]["attributes"]
    assert (
        "meta.attributes.planning_horizon: required: the number of days to plan and simulate"
        in (messages(document))
    )


def test_enumerations_and_node_rules() -> None:
    document = network()
    document["items"][1]["item_type"] = "raw"
    document["nodes"][2]["unlimited_supply"] = True
    document["nodes"][2]["production_policies"] = [{"item_code": None}]
    document["nodes"][3]["attributes"] = {"lost_sales": True, "backorder_enabled": True}
    document["arcs"][0]["arc_type"] = "air"
    document["demands"][0]["demand_model"] = "gamma"
    document["capacities"][0]["resource_code"] = "DC"

    assert messages(document) == [
        "items[1].item_type: unknown item type 'raw'; use product, component, material, service",
        "nodes[2].unlimited_supply: only a supplier or material node has unlimited supply, "
        "not a warehouse",
        "nodes[2].production_policies: only a factory produces; DC is a warehouse",
        "nodes[3].attributes.lost_sales: contradicts backorder_enabled: true; a node either "
        "backorders or loses the sale",
        "arcs[0].arc_type: unknown arc type 'air'; use transport, supply, distribution",
        "demands[0].demand_model: unknown demand model 'gamma'; use normal, poisson, deterministic",
        "capacities[0].resource_code: DC is a warehouse; a 'node' capacity belongs to a factory",
    ]


def test_hierarchy_loops_are_reported() -> None:
    document = network()
    document["hierarchies"][1]["parent_key"] = "FG"

    assert messages(document) == [
        "hierarchies[0].parent_key: product hierarchy loops: FG → FAM → FG"
    ]


def test_unreadable_input_is_one_problem_not_an_exception() -> None:
    assert messages([]) == ["a canonical config is a JSON object, got a list"]
    assert messages('{"meta": {') == [
        "JSON text is not valid JSON: unexpected end of data at line 1, column 11"
    ]
    # NaN is not JSON (the standard library read it, and a NaN reached validation).
    assert messages('{"meta": {"name": NaN}}') == [
        "JSON text is not valid JSON: unexpected character, expected a JSON value at line 1, "
        "column 19"
    ]


def test_validation_accepts_a_path(tmp_path: Path) -> None:
    path = tmp_path / "network.json"
    path.write_text(json.dumps(network()))

    assert validate_config(path) == []


def test_rows_after_an_unreadable_row_keep_their_document_position() -> None:
    document = network()
    document["demands"].insert(0, {"node_code": "STORE", "bucket": "M3", "mean": 1})
    document["demands"].append({"node_code": "STORE", "item_code": "FG", "bucket": "M1", "mean": 1})
    document["nodes"][3]["inventory_policies"].insert(0, {"initial_inventory": 1})
    document["nodes"][3]["inventory_policies"].append({"item_code": "FG", "order_up_to": -1})

    assert messages(document) == [
        "nodes[3].inventory_policies[0].item_code: required field is missing",
        "nodes[3].inventory_policies[2].item_code: STORE already has a policy for 'FG' "
        "(inventory_policies[1])",
        "nodes[3].inventory_policies[2].order_up_to: must not be negative, got -1",
        "demands[0].item_code: required field is missing",
        "demands[3]: duplicate demand for STORE × FG in M1 (already at demands[1])",
    ]


# --- Every number has a range -------------------------------------------------------


def _numeric_paths(document: dict) -> list[tuple[list, str]]:
    """(row path, key) of each number field the schema reads, at the first row that has it."""
    from scpln.engine.canonical.codec import _specs
    from scpln.engine.canonical.schema import CanonicalConfig

    numeric = {"int", "opt_int", "num", "opt_num", "num_map"}
    found: dict[tuple[type, str], tuple[list, str]] = {}

    def walk(cls: type, data: dict, where: list) -> None:
        for name, spec in _specs(cls).items():
            if spec.kind in numeric:
                found.setdefault((cls, name), (where, name))
            elif spec.entity is None:
                continue
            elif spec.kind in ("list", "table") and isinstance(data.get(name), list):
                for index, row in enumerate(data[name]):
                    walk(spec.entity, row, [*where, name, index])
            elif spec.kind == "entity" and isinstance(data.get(name), dict):
                walk(spec.entity, data[name], [*where, name])

    walk(CanonicalConfig, document, [])
    return list(found.values())


def _at(document: dict, where: list) -> dict:
    for step in where:
        document = document[step]
    return document


def test_every_numeric_field_is_bounded():
    """1e30 anywhere the schema reads a number is a problem at that path, never accepted."""
    document: dict[str, Any] = copy.deepcopy(NETWORK)
    document["hierarchies"] = [{"hierarchy_type": "product", "node_key": "FG", "sort_order": 1}]
    document["arcs"][2]["min_order_qty"] = {"FG": 1}
    document["arcs"][2]["order_multiple"] = {"FG": 1}
    document["arcs"][2]["lead_time_distribution"] = {"1": 0.5, "2": 0.5}
    document["sourcing_rules"] = [{"node_code": "STORE", "item_code": "FG", "from_node": "DC"}]
    paths = _numeric_paths(document)
    assert len(paths) >= 42  # every entity's numbers, policies, maps and rules included
    for where, name in paths:
        broken = copy.deepcopy(document)
        row = _at(broken, where)
        if isinstance(row.get(name), dict):  # an arc's per-item map
            row[name] = {"FG": 1e30}
        else:
            row[name] = 1e30
        here = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in where)
        field = f"{here.lstrip('.')}.{name}"
        refused = [p.path for p in validate_config(broken)]
        assert any(path.startswith(field) for path in refused), f"{field} = 1e30: {refused}"


def test_days_and_horizon_have_their_own_bounds():
    document: dict[str, Any] = copy.deepcopy(NETWORK)
    document["items"][0]["lead_time_days"] = 1e30
    document["meta"]["attributes"]["planning_horizon"] = 10_000_000
    document["arcs"][0]["lead_time_days"] = 3661
    document["arcs"][1]["lead_time_distribution"] = {"99999": 1.0}
    problems = {p.path: p.message for p in validate_config(document)}
    assert "at most 3660 days" in problems["arcs[1].lead_time_distribution.99999"]
    assert problems["items[0].lead_time_days"] == "must be at most 3660, got 1e+30"
    assert "at most 3660 days" in problems["meta.attributes.planning_horizon"]
    assert problems["arcs[0].lead_time_days"] == "must be at most 3660, got 3661"
