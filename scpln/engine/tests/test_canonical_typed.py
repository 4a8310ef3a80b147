"""A config file's big sections decoded into typed rows (msgspec) give the config, the key
orders and the problems of the file parsed by orjson and read from its JSON objects."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest

from scpln.engine.canonical import codec, load_config, typed
from scpln.engine.canonical.loader import read_json
from scpln.engine.canonical.table import RowTable
from scpln.engine.canonical.validation import check_config
from scpln.engine.tests.test_canonical_table import BROKEN, ROW, STORE2, _broken
from scpln.engine.tests.test_canonical_validation import NETWORK


@pytest.fixture(autouse=True)
def _tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every demand list read as a table, however short."""
    monkeypatch.setattr(codec, "TABLE_ROWS", 0)


def _file(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "config.json"
    path.write_bytes(orjson.dumps(document))
    return path


ROWS = [
    ROW,
    {"item_code": "FG", "node_code": "STORE", "bucket": "M2", "mean": 2.5},  # another order
    ROW | {"bucket": "M3", "node_code": "ST}ORE", "demand_model": "poisson"},
    {"item_code": "FG", "node_code": 'a "}" text', "bucket": "M4", "mean": 0},
    ROW | {"bucket": "M5", "std_dev": 1.5},
]


@pytest.mark.parametrize("scan_rows", [10_000, 1])  # rows scanned, or split by msgspec
def test_typed_rows_give_the_config_and_key_orders_of_json_objects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scan_rows: int
) -> None:
    monkeypatch.setattr(typed, "_SCAN_ROWS", scan_rows)
    document = _broken(ROWS)
    parsed, problems = read_json(_file(tmp_path, document))
    assert problems == []
    assert isinstance(parsed["demands"], typed.TypedRows)
    assert list(parsed) == list(document)
    config = load_config(parsed)
    expected = load_config(copy.deepcopy(document))
    assert isinstance(config.demands, RowTable)
    assert config == expected
    assert config.to_dict() == expected.to_dict()
    # a key set's rows written back in the order of its first row
    orders = [list(row) for row in config.to_dict()["demands"]]
    assert orders == [list(row) for row in expected.to_dict()["demands"]]
    assert orders[1] == list(ROWS[1]) != orders[0]
    assert [type(d.mean) for d in config.demands] == [int, float, int, int, int]
    assert [d.std_dev for d in config.demands] == [2, 0, 2, 0, 1.5]


def test_a_number_the_columns_cannot_hold_reads_the_rows_as_json_objects(
    tmp_path: Path,
) -> None:
    document = _broken([ROW, ROW | {"mean": 10**17, "bucket": "M2"}])
    parsed, _ = read_json(_file(tmp_path, document))
    assert isinstance(parsed["demands"], typed.TypedRows)
    assert check_config(parsed) == check_config(copy.deepcopy(document))
    assert load_config(parsed) == load_config(copy.deepcopy(document))


@pytest.mark.parametrize(
    "other", [{}, {"node_code": "NOWHERE"}, {"item_code": "XX"}, {"demand_model": "gamma"}]
)
def test_rows_naming_the_files_codes_share_one_string_per_code(
    tmp_path: Path, other: dict[str, Any]
) -> None:
    # 2.4 M rows naming 2,000 stores: a string each would be made, held and freed; a row
    # naming anything else has the rows decoded with texts of their own, read as before
    rows = [ROW, ROW | {"bucket": "M2", "demand_model": "poisson"}, ROW | {"bucket": "M3"} | other]
    document = _broken(rows)
    parsed, problems = read_json(_file(tmp_path, document))
    assert problems == []
    assert isinstance(parsed["demands"], typed.TypedRows)
    if not other:
        first, *rest = parsed["demands"].rows
        for name in ("node_code", "item_code"):
            assert all(getattr(row, name) is getattr(first, name) for row in rest)
    assert load_config(parsed) == load_config(copy.deepcopy(document))
    assert check_config(parsed) == check_config(copy.deepcopy(document))


@pytest.mark.parametrize("case", BROKEN)
def test_broken_files_give_the_problems_of_json_objects(tmp_path: Path, case: str) -> None:
    document = _broken(BROKEN[case], nodes=[*NETWORK["nodes"], STORE2])
    parsed, problems = read_json(_file(tmp_path, document))
    assert problems == []
    report = check_config(parsed)
    expected = check_config(copy.deepcopy(document))
    assert (report.problems, report.warnings) == (expected.problems, expected.warnings)


def _text(**section: Any) -> bytes:
    return orjson.dumps(_broken([ROW]) | section)


DEEP = b"[" * 5000 + b"0" + b"]" * 5000
UNDECODED = {
    "unknown key": _text(demands=[ROW, ROW | {"note": "x"}]),
    "wrong type": _text(demands=[ROW, ROW | {"mean": "ten"}]),
    "missing field": _text(demands=[ROW, {"node_code": "STORE", "item_code": "FG", "mean": 1}]),
    "not a list": _text(demands={"not": "a list"}),
    "a number beyond float64 in another section": _text(items=[{"code": "X"}]).replace(
        b'"code":"X"', b'"code":"X","lead_time_days":1e400'
    ),
    "not JSON": _text()[:-1],
    "nested beyond orjson's depth limit": _text(meta=[[[0]]]).replace(b"[[[0]]]", DEEP),
}


def _parsed_by_orjson(text: bytes) -> tuple[Any, str | None]:
    try:
        return orjson.loads(text), None
    except orjson.JSONDecodeError as exc:  # the whole file's line and column
        return None, f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"


@pytest.mark.parametrize("case", UNDECODED)
def test_what_typed_rows_cannot_decode_is_parsed_by_orjson(tmp_path: Path, case: str) -> None:
    path = tmp_path / "config.json"
    path.write_bytes(UNDECODED[case])
    parsed, problems = read_json(path)
    document, error = _parsed_by_orjson(UNDECODED[case])
    assert parsed == document
    assert [p.message for p in problems] == ([f"{path} {error}"] if error else [])
