"""Loading canonical configs: the reference files as they are, and unreadable input."""

from __future__ import annotations

import dataclasses
import json
import os
import threading
from datetime import date
from pathlib import Path

import pytest

from scpln.engine.canonical import (
    DEFAULT_START_DATE,
    CanonicalConfig,
    ConfigError,
    Problem,
    load_config,
)

REFERENCE_FILES = (
    "mono_node_sample_2Mths.json",
    "multi_node_sample_3Mths.json",
    "multi_node_sample_6Mths.json",
)


def tiny() -> dict:
    return {
        "meta": {"name": "tiny", "attributes": {"planning_horizon": 31}},
        "items": [{"code": "FG", "unit_cost": 10, "attributes": {"sales_price": 15}}],
        "nodes": [
            {
                "code": "DC",
                "node_type": "warehouse",
                "inventory_policies": [{"item_code": "FG", "initial_inventory": 4}],
            }
        ],
    }


@pytest.mark.reference
@pytest.mark.parametrize("name", REFERENCE_FILES)
def test_reference_file_round_trips_key_for_key(reference_dir: Path, name: str) -> None:
    path = reference_dir / "canonical" / name
    document = json.loads(path.read_text())

    config = load_config(path)

    assert config.to_dict() == document
    # same keys in the same order all the way down, so a stored config reads like its file
    assert json.dumps(config.to_dict()) == json.dumps(document)


@pytest.mark.reference
def test_reference_fields_resolve_to_typed_values(reference_dir: Path) -> None:
    config = load_config(reference_dir / "canonical" / "mono_node_sample_2Mths.json")

    factory = config.nodes[0]
    assert (factory.code, factory.node_type, factory.service_level) == ("FACT-001", "factory", 0.95)
    node_level, item_level = factory.production_policies
    assert node_level.item_code is None and node_level.production_capacity == 450
    assert item_level.item_code == "SKU-FG" and item_level.production_cost_fixed == 0
    assert config.arcs[0].min_order_qty == {"SKU-FG": 20}
    assert config.arcs[0].capacity_per_day == 200 and not config.arcs[0].allow_over_capacity
    assert config.items[0].sales_price == 2200 and config.items[0].sgna_cost_per_unit == 220
    assert config.demands[1].demand_model == "normal" and config.demands[1].std_dev == 24
    assert (config.horizon_days, config.start_date) == (59, date(2025, 1, 1))
    assert config.initial_inventory_scale == 3
    assert config.opening_stock(factory.inventory_policies[0]) == 360


@pytest.mark.reference
def test_reference_keys_outside_the_schema_are_kept(reference_dir: Path) -> None:
    config = load_config(reference_dir / "canonical" / "multi_node_sample_3Mths.json")

    assert config.meta.attributes["sources"]["planning_dir"] == "samples/planning"
    assert config.arcs[2].over_capacity_fixed_cost == 250


def test_load_accepts_mapping_path_and_json_text(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny()))

    loaded = [load_config(tiny()), load_config(path), load_config(str(path))]
    loaded.append(load_config(json.dumps(tiny())))

    assert all(config == loaded[0] for config in loaded)
    assert load_config(loaded[0]) is loaded[0]


def test_unknown_fields_survive_at_every_level() -> None:
    document = tiny()
    document["scenario_notes"] = ["keep me"]
    document["nodes"][0]["dock_doors"] = 4
    document["nodes"][0]["inventory_policies"][0]["abc_class"] = "A"

    config = load_config(document)

    assert config.extra == {"scenario_notes": ["keep me"]}
    assert config.nodes[0].extra == {"dock_doors": 4}
    assert config.to_dict() == document


def test_complete_form_writes_every_default() -> None:
    node = load_config(tiny()).nodes[0].to_dict(complete=True)

    assert node["lead_time_days"] == 0
    assert node["unlimited_supply"] is False
    assert node["storage_capacity"] is None
    assert node["inventory_policies"][0]["reorder_point"] is None


def test_defaults_for_absent_keys() -> None:
    config = load_config(tiny())

    assert config.start_date == DEFAULT_START_DATE
    assert config.initial_inventory_scale == 1
    node = config.nodes[0]
    assert (node.lead_time_days, node.review_period_days, node.unlimited_supply) == (0, 0, False)
    assert node.backorder_enabled and not node.lost_sales


def test_config_is_immutable() -> None:
    config = load_config(tiny())

    with pytest.raises(dataclasses.FrozenInstanceError):
        config.items[0].unit_cost = 1  # type: ignore[misc]
    assert isinstance(config.nodes, tuple)


def test_every_structural_problem_is_reported_at_once() -> None:
    document = tiny()
    document["items"].append({"name": "no code"})
    document["items"][0]["lead_time_days"] = 2.5
    document["nodes"][0]["inventory_policies"] = {"item_code": "FG"}
    document["arcs"] = [{"from_node": "DC", "to_node": 7}]
    document["demands"] = "monthly"

    with pytest.raises(ConfigError) as raised:
        load_config(document)

    assert [str(problem) for problem in raised.value.problems] == [
        "items[0].lead_time_days: expected a whole number, got the number 2.5",
        "items[1].code: required field is missing",
        "nodes[0].inventory_policies: expected a list, got an object",
        "arcs[0].to_node: expected text, got the number 7",
        "demands: expected a list, got the text 'monthly'",
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ([1, 2], "a canonical config is a JSON object, got a list"),
        ({"items": []}, "meta: required field is missing"),
        ('{"meta": ', "JSON text is not valid JSON: unexpected end of data at line 1, column 10"),
    ],
)
def test_unreadable_input_raises_config_error(source: object, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(source)  # type: ignore[arg-type]

    assert [str(problem) for problem in raised.value.problems] == [message]


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "absent.json")

    assert raised.value.problems == (
        Problem("", f"cannot read {tmp_path / 'absent.json'}: No such file or directory"),
    )


def test_an_empty_file_or_a_pipe_is_read_as_any_file(tmp_path: Path) -> None:
    """A file is parsed from its mapped pages; what cannot be mapped (an empty file, a named
    pipe) is read as it comes, with the same problems."""
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    with pytest.raises(ConfigError) as raised:
        load_config(empty)
    assert str(raised.value.problems[0]).startswith(f"{empty} is not valid JSON: ")

    pipe = tmp_path / "pipe.json"
    os.mkfifo(pipe)
    writer = threading.Thread(target=pipe.write_text, args=(json.dumps(tiny()),), daemon=True)
    writer.start()
    config = load_config(pipe)
    writer.join()
    assert config.meta.name == tiny()["meta"]["name"]


def test_horizon_property_refuses_a_missing_horizon() -> None:
    document = tiny()
    del document["meta"]["attributes"]["planning_horizon"]

    config = load_config(document)

    assert isinstance(config, CanonicalConfig)
    with pytest.raises(ValueError, match="planning_horizon"):
        config.horizon_days  # noqa: B018
