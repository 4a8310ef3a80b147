"""Content hash: same content, same hash; a real change, a new hash."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from scpln.engine.canonical import load_config
from scpln.engine.canonical.generator import generate_config
from scpln.engine.canonical.hashing import content_hash

BASE = generate_config(skus=4, stores=2, dcs=1, factories=1, materials=2, days=59, seed=11)


def base() -> dict:
    return copy.deepcopy(BASE)


def reversed_keys(value: object) -> object:
    if isinstance(value, dict):
        return {key: reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(item) for item in value]
    return value


def test_hash_is_sha256_hex() -> None:
    digest = content_hash(BASE)

    assert len(digest) == 64 and int(digest, 16) >= 0


def test_key_order_does_not_change_the_hash() -> None:
    assert content_hash(reversed_keys(base())) == content_hash(base())  # type: ignore[arg-type]


def test_row_order_does_not_change_the_hash() -> None:
    document = base()
    for section in ("items", "nodes", "arcs", "demands", "hierarchies"):
        document[section].reverse()
    document["nodes"][0]["inventory_policies"].reverse()

    assert content_hash(document) == content_hash(base())


def test_bookkeeping_meta_does_not_change_the_hash() -> None:
    document = base()
    document["meta"].update(version_id=42, name="renamed", status="active", description="x")
    document["meta"]["created_at"] = 1_700_000_000_000

    assert content_hash(document) == content_hash(base())


def test_explicit_defaults_and_whole_floats_do_not_change_the_hash() -> None:
    document = base()
    document["arcs"][0].update(arc_type="transport", capacity_per_day=None, min_order_qty={})
    document["demands"][0]["mean"] = float(document["demands"][0]["mean"])

    assert content_hash(document) == content_hash(base())


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["demands"][0].update(mean=d["demands"][0]["mean"] + 1),
        lambda d: d["arcs"][0].update(lead_time_days=d["arcs"][0]["lead_time_days"] + 1),
        lambda d: d["meta"]["attributes"].update(planning_horizon=60),
        lambda d: d["nodes"][0].update(dock_doors=4),
        lambda d: d["bom"].pop(),
        lambda d: d.update(notes="anything outside meta counts"),
    ],
)
def test_a_real_change_changes_the_hash(change: Callable[[dict], object]) -> None:
    document = base()
    change(document)

    assert content_hash(document) != content_hash(base())


def test_hash_of_loaded_config_equals_hash_of_its_document() -> None:
    assert content_hash(load_config(base())) == content_hash(json.dumps(base()))


@pytest.mark.reference
def test_reference_file_hash_is_stable_across_a_round_trip(reference_dir: Path) -> None:
    path = reference_dir / "canonical" / "multi_node_sample_6Mths.json"

    assert content_hash(path) == content_hash(load_config(path).to_dict())


@pytest.mark.reference
def test_fields_added_since_canonical_1_0_keep_older_configs_hashes(reference_dir: Path) -> None:
    # A config version's content hash is its identity in the registry: a field the schema
    # gains later (order_quantity, calendar_code, …) counts only where a config sets it.
    path = reference_dir / "canonical" / "mono_node_sample_2Mths.json"
    digest = "150b0aad6bcca000bb0e1de6f71a301ac4e0ec7f7fdce77940cd2c8410c1243a"
    assert content_hash(path) == digest
    document = json.loads(path.read_text())
    document["nodes"][2]["inventory_policies"][0]["order_quantity"] = None
    assert content_hash(document) == digest
    document["nodes"][2]["inventory_policies"][0]["order_quantity"] = 40
    assert content_hash(document) != digest
