"""The generator: valid, deterministic networks of any size, in the reference format."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scpln.engine.canonical import load_config
from scpln.engine.canonical.generator import generate_config
from scpln.engine.canonical.hashing import content_hash
from scpln.engine.canonical.validation import validate_config


@pytest.mark.parametrize(
    "shape",
    [
        {"skus": 1, "stores": 1, "dcs": 1, "factories": 1, "materials": 0, "days": 1, "seed": 0},
        {"skus": 12, "stores": 3, "dcs": 2, "factories": 2, "materials": 5, "days": 90, "seed": 1},
        {"skus": 25, "stores": 6, "dcs": 4, "factories": 5, "days": 400, "seed": 2},
        {
            "skus": 200,
            "stores": 15,
            "dcs": 5,
            "factories": 3,
            "materials": 60,
            "days": 365,
            "seed": 3,
        },
    ],
)
def test_generated_config_is_valid(shape: dict[str, Any]) -> None:
    document = generate_config(**shape)

    assert validate_config(document) == []
    assert load_config(document).to_dict() == document


def test_same_arguments_give_the_same_document_and_hash() -> None:
    shape: dict[str, Any] = {
        "skus": 30,
        "stores": 4,
        "dcs": 2,
        "factories": 2,
        "days": 120,
        "seed": 9,
    }

    first, second = generate_config(**shape), generate_config(**shape)

    assert json.dumps(first) == json.dumps(second)
    assert content_hash(first) == content_hash(second)
    assert content_hash(generate_config(**{**shape, "seed": 10})) != content_hash(first)


def test_network_shape() -> None:
    document = generate_config(skus=20, stores=5, dcs=2, factories=2, materials=30, days=59, seed=4)
    config = load_config(document)

    kinds = Counter(node.node_type for node in config.nodes)
    assert kinds == {"supplier": 2, "factory": 2, "warehouse": 2, "store": 5}
    assert all(node.unlimited_supply for node in config.nodes if node.node_type == "supplier")
    types = {node.code: node.node_type for node in config.nodes}
    lanes = Counter((types[arc.from_node], types[arc.to_node]) for arc in config.arcs)
    assert set(lanes) == {("supplier", "factory"), ("factory", "warehouse"), ("warehouse", "store")}
    assert lanes[("warehouse", "store")] == 5 and lanes[("factory", "warehouse")] == 4
    store_items = sum(len(n.inventory_policies) for n in config.nodes if n.node_type == "store")
    assert store_items == 100
    assert {row.bucket for row in config.demands} == {"M1", "M2"}
    assert len(config.demands) == 5 * 20 * 2
    assert {row.demand_model for row in config.demands} <= {"normal", "poisson", "deterministic"}
    materials = {item.code for item in config.items if item.item_type == "material"}
    assert {line.child_item for line in config.bom} <= materials
    families = [
        h for h in config.hierarchies if h.hierarchy_type == "product" and h.level == "family"
    ]
    assert len(families) == 2
    assert config.horizon_days == 59 and config.meta.attributes["start_date"] == "2025-01-01"


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="stores must be at least 1"):
        generate_config(skus=1, stores=0, dcs=1, factories=1, days=30, seed=0)


@settings(max_examples=25, deadline=None)
@given(
    skus=st.integers(1, 15),
    stores=st.integers(1, 5),
    dcs=st.integers(1, 4),
    factories=st.integers(1, 4),
    materials=st.integers(0, 8),
    days=st.integers(1, 800),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_small_generated_network_is_valid(
    skus: int, stores: int, dcs: int, factories: int, materials: int, days: int, seed: int
) -> None:
    document = generate_config(
        skus=skus,
        stores=stores,
        dcs=dcs,
        factories=factories,
        materials=materials,
        days=days,
        seed=seed,
    )

    assert validate_config(document) == []
