"""Diff of two configs by entity key, with field-level old → new."""

from __future__ import annotations

import copy
import json

from scpln.engine.canonical.diff import diff_configs
from scpln.engine.canonical.generator import generate_config

BASE = generate_config(skus=3, stores=2, dcs=1, factories=1, materials=2, days=59, seed=5)


def base() -> dict:
    return copy.deepcopy(BASE)


def test_identical_configs_have_no_differences() -> None:
    result = diff_configs(base(), base())

    assert result.is_empty
    assert result.render_text() == "no differences"
    assert result.to_dict()["identical"] is True


def test_rows_are_matched_by_key_not_position() -> None:
    after = base()
    after["demands"].reverse()
    after["nodes"].reverse()

    assert diff_configs(base(), after).is_empty


def test_added_removed_and_changed_rows_by_entity() -> None:
    after = base()
    after["items"][0]["unit_cost"] += 5
    after["items"][0]["attributes"]["sales_price"] += 7
    after["arcs"] = [arc for arc in after["arcs"] if arc["to_node"] != "STORE-02"]
    after["demands"].append(
        {"node_code": "STORE-01", "item_code": "SKU-01", "bucket": "M3", "mean": 9}
    )
    after["nodes"][-1]["inventory_policies"][0]["reorder_point"] = 99

    result = diff_configs(base(), after)
    by_entity = {entity.entity: entity for entity in result.entities}

    sku = BASE["items"][0]
    items = by_entity["items"]
    assert items.changed[0].key == "SKU-01"
    assert [(f.field, f.old, f.new) for f in items.changed[0].fields] == [
        ("unit_cost", sku["unit_cost"], sku["unit_cost"] + 5),
        (
            "attributes.sales_price",
            sku["attributes"]["sales_price"],
            sku["attributes"]["sales_price"] + 7,
        ),
    ]
    assert by_entity["arcs"].removed == ("DC-01 → STORE-02",)
    assert by_entity["demands"].added == ("STORE-01 × SKU-01 @ M3",)
    policy = by_entity["inventory_policies"].changed[0]
    assert policy.key == "STORE-02 / SKU-01"
    assert [(f.field, f.new) for f in policy.fields] == [("reorder_point", 99)]
    assert by_entity["nodes"].is_empty


def test_text_rendering_lists_changes_per_entity() -> None:
    after = base()
    after["meta"]["attributes"]["planning_horizon"] = 90
    after["bom"][0]["quantity"] = 4

    text = diff_configs(base(), after).render_text()

    line = BASE["bom"][0]
    assert text.splitlines() == [
        "meta:",
        "  ~ attributes.planning_horizon 59 → 90",
        "bom: 0 added, 0 removed, 1 changed",
        f"  ~ {line['parent_item']} → {line['child_item']}: quantity {line['quantity']} → 4",
    ]


def test_render_limit_keeps_counts_exact() -> None:
    after = base()
    after["demands"] = []

    text = diff_configs(base(), after).render_text(limit=2)

    removed = len(BASE["demands"])
    assert f"demands: 0 added, {removed} removed, 0 changed" in text
    assert f"  … and {removed - 2} more" in text


def test_json_form_round_trips_through_json() -> None:
    after = base()
    after["nodes"][0]["unlimited_supply"] = False
    after["extra_section"] = {"a": 1}

    payload = diff_configs(base(), after).to_dict()

    assert json.loads(json.dumps(payload)) == payload
    entities = {entity["entity"]: entity for entity in payload["entities"]}
    assert entities["nodes"]["changed"][0]["fields"] == [
        {"field": "unlimited_supply", "old": True, "new": False}
    ]
    assert entities["other"]["added"] == ["extra_section"]


def test_explicit_default_is_not_a_change() -> None:
    after = base()
    after["arcs"][0]["allow_over_capacity"] = True

    assert diff_configs(base(), after).is_empty
