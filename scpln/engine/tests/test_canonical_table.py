"""Demands read column-wise (``RowTable``, large configs) give the config, the problems and
the compiled network of demands read row by row (tuples, small configs)."""

from __future__ import annotations

import copy
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scpln.engine.canonical import apply_overrides, codec, content_hash, load_config
from scpln.engine.canonical.generator import generate_config
from scpln.engine.canonical.schema import Demand
from scpln.engine.canonical.summary import summarise
from scpln.engine.canonical.table import RowTable
from scpln.engine.canonical.validation import check_config
from scpln.engine.canonical.validation.demand_table import demand_pairs
from scpln.engine.psi import compile_network, simulate_network
from scpln.engine.psi.api import network_digest
from scpln.engine.psi.builder import DemandRows, NetworkBuilder
from scpln.engine.tests.test_canonical_validation import NETWORK
from scpln.engine.tests.test_psi_fused import REFERENCES, _assert_identical


def _both(document: Any, monkeypatch: pytest.MonkeyPatch, read: Any = load_config) -> tuple:
    """``read(document)`` with demands as a tuple, then as a table."""
    by_rows = read(copy.deepcopy(document))
    monkeypatch.setattr(codec, "TABLE_ROWS", 0)
    by_columns = read(copy.deepcopy(document))
    monkeypatch.undo()
    return by_rows, by_columns


def _broken(demands: list[Any], **sections: Any) -> dict[str, Any]:
    document = copy.deepcopy(NETWORK)
    document["demands"] = demands
    document.update(sections)
    return document


ROW = {"node_code": "STORE", "item_code": "FG", "bucket": "M1", "mean": 10, "std_dev": 2}
BROKEN: dict[str, list[Any]] = {
    "references": [
        ROW | {"node_code": "NOWHERE"},
        ROW | {"node_code": "DC", "bucket": "M2"},
        ROW | {"item_code": "XX", "bucket": "M3"},
        ROW | {"demand_model": "gamma", "mean": -1, "std_dev": 2e12, "bucket": "M4"},
    ],
    "duplicates and buckets": [
        ROW,
        ROW | {"mean": 5},
        ROW | {"bucket": "M99"},
        ROW | {"bucket": "2025-01"},
        ROW | {"bucket": "W3"},
        ROW | {"bucket": "nonsense", "mean": -3},
    ],
    "json types": [
        ROW | {"mean": "ten"},
        ROW | {"node_code": 5, "bucket": "M2"},
        {"node_code": "STORE", "bucket": "M3", "mean": 1},
        "not a row",
        ROW | {"std_dev": None, "bucket": "M4"},
        ROW | {"std_dev": True, "bucket": "M5", "note": "kept"},
        ROW | {"bucket": "M6", "attributes": {"promo": 1}},
        ROW | {"mean": 1.5, "bucket": "M7", "demand_model": "deterministic"},
        ROW | {"mean": 10**17, "bucket": "M8"},
        [1, 2],
        ROW | {"node_code": "NOWHERE", "bucket": "M9"},
        ROW | {"bucket": "M9"},
        ROW | {"bucket": "M9", "item_code": ["FG"]},
        ROW | {"bucket": "M10", "node_code": None},
        ROW | {"bucket": "M11", "demand_model": {"name": "normal"}},
    ],
    "no supply and sourcing": [ROW, ROW | {"node_code": "STORE2"}],
}
STORE2 = {"code": "STORE2", "node_type": "store"}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_demands_give_the_same_problems_read_row_by_row_and_column_wise(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = [
        {"node_code": "STORE", "item_code": "FG", "from_node": "FACT", "share": 0.5},
        {"node_code": "STORE2", "item_code": "FG", "from_node": "DC"},
    ]
    nodes = [*NETWORK["nodes"], STORE2]  # demand that nothing brings to it
    document = _broken(BROKEN[case], sourcing_rules=rules, nodes=nodes)
    by_rows, by_columns = _both(document, monkeypatch, read=check_config)
    assert by_columns.problems == by_rows.problems
    assert by_columns.warnings == by_rows.warnings
    assert any(p.path.startswith("demands[") for p in by_rows.problems + by_rows.warnings)


def test_a_table_gives_back_the_rows_their_hash_and_their_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [
        ROW,
        ROW | {"bucket": "M2", "mean": 2.5, "demand_model": "poisson"},
        {"bucket": "M3", "mean": 0, "item_code": "FG", "node_code": "STORE"},
        ROW | {"bucket": "M4", "attributes": {"promo": True}, "channel": "web"},
    ]
    by_rows, by_columns = _both(_broken(rows), monkeypatch)
    assert isinstance(by_columns.demands, RowTable)
    assert not isinstance(by_rows.demands, RowTable)
    assert list(by_columns.demands) == list(by_rows.demands)
    assert by_columns == by_rows
    assert by_columns.to_dict() == by_rows.to_dict() == _broken(rows)
    # each row written back with its keys in the file's order
    assert [list(d) for d in by_columns.to_dict()["demands"]] == [list(d) for d in rows]
    assert [type(d.mean) for d in by_columns.demands] == [int, float, int, int]
    assert content_hash(by_columns) == content_hash(by_rows)


def test_overrides_scale_a_table_as_they_scale_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [
        ROW,
        ROW | {"bucket": "M2", "mean": 0.3, "std_dev": 0.1},
        ROW | {"bucket": "M3", "attributes": {"promo": True}},
    ]
    overrides = {"demand_scale": 1.1, "demand_scale_by_item": {"FG": 3}}
    by_rows, by_columns = _both(_broken(rows), monkeypatch)
    scaled_rows = apply_overrides(by_rows, overrides)
    scaled_columns = apply_overrides(by_columns, overrides)
    assert isinstance(scaled_columns.demands, RowTable)
    assert [(d.mean, d.std_dev) for d in scaled_rows.demands] == [
        (33, 6.6),
        (0.99, 0.33),
        (33, 6.6),
    ]
    assert scaled_columns.to_dict() == scaled_rows.to_dict()
    assert content_hash(scaled_columns) == content_hash(scaled_rows)


def _assert_same_network(a: Any, b: Any) -> None:
    assert network_digest(a) == network_digest(b)
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y, err_msg=f.name)
            assert x.dtype == y.dtype


@pytest.mark.reference
@pytest.mark.parametrize("name", REFERENCES)
def test_reference_configs_compile_and_simulate_identically_from_columns(
    reference_dir: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = reference_dir / "canonical" / f"{name}.json"
    by_rows, by_columns = _both(path, monkeypatch)
    assert isinstance(by_columns.demands, RowTable)
    assert content_hash(by_columns) == content_hash(by_rows)
    _assert_same_network(compile_network(by_rows), compile_network(by_columns))
    for stochastic in (False, True):
        _assert_identical(
            simulate_network(compile_network(by_rows), stochastic=stochastic, seed=3),
            simulate_network(compile_network(by_columns), stochastic=stochastic, seed=3),
        )


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_networks_compile_and_simulate_identically_from_columns(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = generate_config(skus=12, stores=9, dcs=3, factories=2, days=120, seed=seed)
    by_rows, by_columns = _both(document, monkeypatch)
    assert not check_config(by_columns).problems
    assert check_config(by_columns).warnings == check_config(by_rows).warnings
    assert summarise(by_columns) == summarise(by_rows)
    assert content_hash(by_columns) == content_hash(by_rows)
    _assert_same_network(compile_network(by_rows), compile_network(by_columns))
    _assert_identical(
        simulate_network(compile_network(by_rows), stochastic=True, seed=seed),
        simulate_network(compile_network(by_columns), stochastic=True, seed=seed),
    )


@pytest.mark.parametrize(("stores", "size"), [(3, 2_000), (300, 100)])  # dense, then sparse
def test_node_items_and_demand_pairs_are_the_declared_and_demanded_pairs(
    stores: int, size: int
) -> None:
    """Counted or sorted out (sparse), the distinct (store, item) pairs are those of the rows."""
    b = NetworkBuilder(horizon_days=10)
    codes = [f"I{i:02d}" for i in range(40)]
    for code in codes:
        b.item(code)
    names = [f"S{s:02d}" for s in range(stores)]
    for name in names:
        b.node(name, "store")
    b.stock(names[-1], "I39")
    rng = np.random.default_rng(stores)
    node, item = rng.integers(0, stores, size), rng.integers(0, 40, size)
    b.demand_table(
        DemandRows(
            node=node,
            node_labels=tuple(reversed(names)),
            item=item,
            item_labels=tuple(reversed(codes)),
            model=np.zeros(size, np.int64),
            first_day=np.zeros(size, np.int64),
            last_day=np.zeros(size, np.int64),
            mean=np.ones(size),
            sd=np.zeros(size),
        )
    )
    demanded = {(names[stores - 1 - n], codes[39 - i]) for n, i in zip(node, item, strict=True)}
    node_ix, item_ix = b.node_items(b.demand_rows(), b.stock_rows())
    pairs = [(sorted(names)[n], codes[i]) for n, i in zip(node_ix, item_ix, strict=True)]
    assert pairs == sorted(demanded | {(names[-1], "I39")})
    rows = [Demand(node_code=n, item_code=i, bucket="M1", mean=1) for n, i in sorted(demanded)]
    assert demand_pairs(RowTable.from_rows(Demand, rows)) == demanded
