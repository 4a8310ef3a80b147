"""The fast paths of reading and checking big sections give exactly what the general ones give.

A generated network has 200,000 inventory policies and millions of demand rows; plain rows
take shortcuts (made positionally, checked only for what could be wrong). Any row a shortcut
cannot take must still get the general reader's value and problems, in the same order.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from typing import Any

import pytest

from scpln.engine.canonical import codec, load_config
from scpln.engine.canonical.schema import Demand, InventoryPolicy, Node
from scpln.engine.canonical.table import RowTable
from scpln.engine.canonical.validation import check_config, master
from scpln.engine.tests.test_canonical_validation import NETWORK

POLICY = {"item_code": "FG", "initial_inventory": 10, "reorder_point": 5, "order_up_to": 20}
ODD_POLICIES: list[Any] = [
    POLICY,
    {"order_up_to": 20, "item_code": "FG", "reorder_point": 5.5},  # another key order, a float
    POLICY | {"order_multiple": 6, "min_order_qty": None, "lead_time_days": 3},
    POLICY | {"initial_inventory": math.inf},
    POLICY | {"reorder_point": math.nan},
    POLICY | {"storage_cost": True},
    POLICY | {"lead_time_days": 2.0},
    POLICY | {"lead_time_days": 2.5},
    POLICY | {"order_up_to": "20"},
    POLICY | {"item_code": None},
    {"initial_inventory": 1},
    POLICY | {"note": "kept in extra"},
    POLICY | {"attributes": {"abc": "A"}},
    POLICY | {"attributes": {}},
    "not a row",
    [POLICY],
    {},
    POLICY | {"item_code": "RM", "safety_stock": 10**20},
]


def _one_by_one(rows: list[Any], path: str) -> tuple[list[Any], codec.ReadLog]:
    """The reference: every row through ``read_entity``, as before the plain-row reader."""
    log = codec.ReadLog()
    read = [
        codec.read_entity(InventoryPolicy, row, path, log, index=i) for i, row in enumerate(rows)
    ]
    return read, log


def test_plain_and_odd_rows_read_as_read_entity_reads_them() -> None:
    log = codec.ReadLog()
    rows = codec.read_list(InventoryPolicy, copy.deepcopy(ODD_POLICIES), "p", log)
    reference, expected = _one_by_one(copy.deepcopy(ODD_POLICIES), "p")

    assert log.problems == expected.problems
    assert log.kept == {"p": [i for i, row in enumerate(reference) if row is not None]}
    kept = [row for row in reference if row is not None]
    assert list(rows) == kept
    assert [row._keys for row in rows] == [row._keys for row in kept]
    assert [dict(row.extra) for row in rows] == [dict(row.extra) for row in kept]
    # written back as the file wrote them: 5 stays 5, 5.5 stays 5.5, keys in their order
    assert [row.to_dict() for row in rows] == [row.to_dict() for row in kept]
    assert rows[1].to_dict() == ODD_POLICIES[1]
    assert [type(row.reorder_point) for row in rows[:2]] == [int, float]
    # made without the dataclass's ``__init__`` (``codec.maker``), still the frozen class
    assert {type(row) for row in rows} == {InventoryPolicy}
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows[0].reorder_point = 1  # type: ignore[misc]
    assert dataclasses.replace(rows[0], reorder_point=6) == dataclasses.replace(
        kept[0], reorder_point=6
    )


def test_a_plain_row_shares_its_codes_and_empty_mappings() -> None:
    """One string object per distinct code and one shared empty mapping, as ``read_entity``
    keeps them: a parsed document's strings must not stay pinned by 200,000 rows."""
    first, second = codec.read_list(
        InventoryPolicy,
        [dict(POLICY, item_code="".join("FG")) for _ in range(2)],
        "p",
        codec.ReadLog(),
    )
    assert first.item_code is second.item_code
    assert first.extra is codec.EMPTY and first.attributes is codec.EMPTY


def _policy_problems(document: dict[str, Any]) -> list[str]:
    return [str(problem) for problem in check_config(document).problems]


def test_policy_checks_find_what_the_full_checks_find(monkeypatch: pytest.MonkeyPatch) -> None:
    document: dict[str, Any] = copy.deepcopy(NETWORK)
    document["nodes"][3]["inventory_policies"] = [
        {"initial_inventory": 1},  # unreadable: later rows keep their document position
        POLICY,
        POLICY,
        POLICY | {"item_code": "RM", "order_up_to": 4},
        POLICY | {"item_code": "XX", "order_multiple": 0},
        {"item_code": "FG2", "order_quantity": 5, "reorder_point": 1},
        {"item_code": "FG3", "order_quantity": 5},
        {"item_code": "FG4", "safety_stock": 1e30, "lead_time_days": 100_000},
        {"item_code": "FG5", "order_multiple": 2.5, "storage_cost": 0.1},
    ]
    document["items"] += [{"code": f"FG{k}"} for k in range(2, 6)]
    fast = _policy_problems(copy.deepcopy(document))
    monkeypatch.setattr(master, "_clean_policy", lambda policy: False)
    assert fast == _policy_problems(document)
    assert (
        "nodes[3].inventory_policies[2].item_code: STORE already has a policy for 'FG' "
        "(inventory_policies[1])"
    ) in fast
    assert "nodes[3].inventory_policies[4].item_code: unknown item 'XX'" in fast


def test_a_policy_made_in_code_with_nan_gets_the_full_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = load_config(copy.deepcopy(NETWORK))
    store = config.nodes[3]
    odd = InventoryPolicy(item_code="FG", order_up_to=math.nan, reorder_point=5)
    nodes = (*config.nodes[:3], Node(**{**_fields(store), "inventory_policies": (odd,)}))
    changed = type(config)(**{**_fields(config), "nodes": nodes})
    fast = [str(p) for p in check_config(changed).problems]
    monkeypatch.setattr(master, "_clean_policy", lambda policy: False)
    assert fast == [str(p) for p in check_config(changed).problems]


def _fields(entity: Any) -> dict[str, Any]:
    return {name: getattr(entity, name) for name in entity.__dataclass_fields__}


def test_a_number_absent_from_some_rows_reads_as_its_default_and_writes_back_as_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    row = {"node_code": "STORE", "item_code": "FG", "mean": 10}
    demands = [
        row | {"bucket": "M1", "std_dev": 2},
        row | {"bucket": "M2", "demand_model": "poisson"},
        row | {"bucket": "M3", "std_dev": 2.5},
        row | {"bucket": "M4", "demand_model": "deterministic"},
    ]
    document: dict[str, Any] = copy.deepcopy(NETWORK) | {"demands": demands}
    by_rows = load_config(copy.deepcopy(document))
    monkeypatch.setattr(codec, "TABLE_ROWS", 0)
    by_columns = load_config(copy.deepcopy(document))
    assert isinstance(by_columns.demands, RowTable)
    assert list(by_columns.demands.number("std_dev")) == [2.0, 0.0, 2.5, 0.0]
    assert list(by_columns.demands) == list(by_rows.demands)
    assert [type(d.std_dev) for d in by_columns.demands] == [int, int, float, int]
    assert by_columns.to_dict()["demands"] == demands
    assert Demand.__dataclass_fields__["std_dev"].default == 0


@pytest.mark.parametrize("with_attributes", [2, 20])
def test_rows_with_attributes_among_many_read_as_row_by_row(
    with_attributes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A few rows with ``attributes`` are found among the others (not pulled out as a column);
    many are read as a column. Either way: the values, key orders and extras row by row."""
    row = {"node_code": "STORE", "item_code": "FG", "mean": 10, "std_dev": 1}
    demands = [
        row | {"bucket": f"2025-{day // 28 + 1:02d}-{day % 28 + 1:02d}"} for day in range(24)
    ]
    for k in range(with_attributes):
        demands[k] = demands[k] | {"attributes": {} if k % 2 else {"promo": k}}
    demands[5] = demands[5] | {"channel": "web"}
    document: dict[str, Any] = copy.deepcopy(NETWORK) | {"demands": demands}
    by_rows = load_config(copy.deepcopy(document))
    monkeypatch.setattr(codec, "TABLE_ROWS", 0)
    by_columns = load_config(copy.deepcopy(document))
    assert isinstance(by_columns.demands, RowTable)
    assert list(by_columns.demands) == list(by_rows.demands)
    assert [d._keys for d in by_columns.demands] == [d._keys for d in by_rows.demands]
    assert by_columns.to_dict()["demands"] == demands
    assert by_columns.demands[0].attributes == {"promo": 0}
    assert by_columns.demands[5].extra == {"channel": "web"}
