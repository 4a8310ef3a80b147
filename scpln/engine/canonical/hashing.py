"""A content hash that changes exactly when something a plan or a run depends on changes.

Identity is everything outside ``meta`` plus ``meta.schema_version`` and
``meta.attributes``; the rest of ``meta`` (version id, name, status, description,
timestamps, ...) is bookkeeping and does not count. Rows are compared in their complete
form (an absent key counts as its default), object keys are sorted, whole numbers are
written alike (``1`` = ``1.0``), and the rows of every list are sorted, because row
order carries no meaning in canonical-1.0.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from typing import Any

from .loader import ConfigSource, load_config

HASH_FORMAT = b"scpln-canonical-hash-1\n"
_SECTIONS = ("items", "nodes", "arcs", "bom", "demands", "capacities", "calendars", "hierarchies")
# Sections added since canonical-1.0: they count only when a config has rows in them.
_ADDED_SECTIONS = ("sourcing_rules",)


def _normal(value: Any) -> Any:
    if type(value) is float and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {key: _normal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normal(item) for item in value]
    return value


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


_FIELD_NAMES: dict[type, tuple[tuple[str, ...], tuple[tuple[str, Any], ...]]] = {}


def _field_names(cls: type) -> tuple[tuple[str, ...], tuple[tuple[str, Any], ...]]:
    """The fields of canonical-1.0 in schema order, and the fields added since (with their
    defaults), which count only where set so that older configs keep their hash."""
    if cls not in _FIELD_NAMES:
        fields = [f for f in dataclasses.fields(cls) if f.name not in ("extra", "_keys")]
        core = tuple(f.name for f in fields if not f.metadata.get("added"))
        later = tuple((f.name, _default(f)) for f in fields if f.metadata.get("added"))
        _FIELD_NAMES[cls] = (core, later)
    return _FIELD_NAMES[cls]


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    return f.default_factory() if callable(f.default_factory) else None


def _encode(row: Any) -> str:
    """One row as canonical JSON: its fields' values in schema order, then any extras.

    Written by hand rather than through ``to_dict`` because a generated network has
    millions of rows and this is the one pass over them the hash needs.
    """
    values = []
    core, later = _field_names(type(row))
    for name in core:
        value = getattr(row, name)
        kind = type(value)
        if kind is float and value.is_integer():
            value = int(value)
        elif kind is tuple:
            value = sorted(_encode(nested) for nested in value)
        elif isinstance(value, Mapping):
            value = _normal(value)
        values.append(value)
    if row.extra:
        values.append(_normal(row.extra))
    for name, default in later:
        value = getattr(row, name)
        if value != default:
            values.append({name: _normal(value)})
    return _dumps(values)


def _encoded(rows: Sequence[Any]) -> list[str]:
    """:func:`_encode` of every row; a demand table's plain rows column by column."""
    if isinstance(rows, tuple | list):
        return [_encode(row) for row in rows]
    from .table import RowTable  # loaded already: the config has a table

    assert isinstance(rows, RowTable)
    core, later = _field_names(rows.cls)
    if later:
        return [_encode(row) for row in rows]
    texts, numbers = rows.names()
    columns: list[Iterable[str]] = []
    for name in core:
        if name in texts:
            codes, labels = rows.text(name)
            written = [_dumps(_normal(label)) for label in labels]
            columns.append(map(written.__getitem__, codes.tolist()))
        elif name in numbers:
            columns.append(map(_number, rows.number(name).tolist()))
        else:  # an object field (``attributes``): empty in a plain row
            columns.append(repeat("{}", len(rows)))
    encoded = [f"[{','.join(values)}]" for values in zip(*columns, strict=True)]
    for position, row in rows.read_rows.items():
        encoded[position] = _encode(row)
    return encoded


def _number(value: float) -> str:
    """A number as ``_encode`` writes it (NaN: a null)."""
    if value != value:
        return "null"
    return str(int(value)) if value.is_integer() else repr(value)


def content_hash(config: ConfigSource) -> str:
    """sha256 (hex) of a config's identity; raises ``ConfigError`` for unreadable input."""
    loaded = load_config(config)
    digest = hashlib.sha256(HASH_FORMAT)
    meta = loaded.meta
    digest.update(_dumps([meta.schema_version, _normal(meta.attributes)]).encode())
    sections = [*_SECTIONS, *(s for s in _ADDED_SECTIONS if getattr(loaded, s))]
    for section in sections:
        digest.update(f"\n{section}\n".encode())
        for row in sorted(_encoded(getattr(loaded, section))):
            digest.update(row.encode())
            digest.update(b"\n")
    digest.update(b"\nother\n")
    digest.update(_dumps(_normal(loaded.extra)).encode())
    return digest.hexdigest()
