"""Turning a file, JSON text or mapping into a :class:`CanonicalConfig`."""

from __future__ import annotations

import dataclasses
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec
import orjson

from . import codec
from .codec import ReadLog, describe, read_entity, specs_of
from .problems import ConfigError, Problem
from .schema import DEMAND_MODELS, CanonicalConfig, Meta
from .typed import DecodeFailure, TypedRows, parsed, row_struct

ConfigSource = CanonicalConfig | dict[str, Any] | str | Path


def read_json(source: str | Path) -> tuple[Any, list[Problem]]:
    """Read JSON from a path, or from text when a ``str`` starts with ``{``.

    Parsed with orjson: a 300 MB config parses in about a third of the standard library's
    time. Strict JSON (``NaN`` and ``Infinity`` are not JSON, integers fit in 64 bits).
    A file's demand rows are first decoded into typed rows (``_typed_document``), which
    takes the 200k config's parse from 1.9 to 1.3 CPU s and skips 2.4 M dicts.
    """
    raw: str | bytes
    if isinstance(source, str) and source.lstrip().startswith("{"):
        raw, origin = source, "JSON text"
    else:
        path = Path(source)
        origin = str(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            return None, [Problem("", f"cannot read {origin}: {exc.strerror or exc}")]
    if isinstance(raw, bytes) and (document := _typed_document(raw)) is not None:
        return document, []
    try:
        return orjson.loads(raw), []
    except orjson.JSONDecodeError as exc:
        if isinstance(raw, bytes):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as undecodable:
                return None, [Problem("", f"cannot read {origin}: {undecodable}")]
        message = f"{origin} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        return None, [Problem("", message)]


def _typed_document(raw: bytes) -> dict[str, Any] | None:
    """The document with its big sections (``table`` fields: ``demands``) as typed rows
    (:mod:`.typed`) and the others as orjson parses them; None when any part does not
    decode so (bad JSON, an unknown key, a wrong type, ...): orjson then parses the whole
    file and the row reader reports what is wrong, as it did before typed decoding."""
    try:
        sections = _SECTIONS.decode(raw)
        document = {key: parsed(text) for key, text in sections.items() if key not in _STRUCTS}
        for key, text in sections.items():
            if key in _STRUCTS:
                document[key] = _typed_rows(text, key, document)
    except DecodeFailure:
        return None
    return {key: document[key] for key in sections}  # the file's order of sections


def _typed_rows(text: msgspec.Raw, key: str, document: dict[str, Any]) -> TypedRows | list[Any]:
    rows: list[Any] | None = None
    if choices := _choices(key, document):
        struct = row_struct(_TABLES[key].__name__, _KINDS[key], choices)
        try:
            rows = msgspec.json.decode(text, type=list[struct])  # type: ignore[valid-type]
        except msgspec.ValidationError:  # a text outside them (an unknown node, ...)
            rows = None
    if rows is None:
        rows = msgspec.json.decode(text, type=list[_STRUCTS[key]])  # type: ignore[valid-type]
    if len(rows) < codec.TABLE_ROWS:  # read row by row (``read_list``): as JSON objects
        return parsed(text)
    return TypedRows(rows, text)


def _choices(key: str, document: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """The texts each text field of section ``key`` can take when the file is right (see
    ``row_struct``): the codes of the sections it refers to, as far as they read as codes,
    and the demand models. A file with any other value has its rows decoded with plain
    texts, and validation reports the value as it did before."""
    choices: dict[str, tuple[str, ...]] = dict(_FIXED_CHOICES.get(key, {}))
    for field, section in _CODES_OF.get(key, {}).items():
        rows = document.get(section)
        if type(rows) is list and rows and all(type(row) is dict for row in rows):
            codes = [row.get("code") for row in rows]
            if all(type(code) is str for code in codes):
                choices[field] = tuple(map(sys.intern, codes))
    return choices


# The text fields of a table section that name a row of another section by its code.
_CODES_OF = {"demands": {"node_code": "nodes", "item_code": "items"}}
_FIXED_CHOICES = {"demands": {"demand_model": DEMAND_MODELS}}
_SECTIONS = msgspec.json.Decoder(dict[str, msgspec.Raw])
_TABLES = {
    name: spec.entity
    for name, spec in specs_of(CanonicalConfig).items()
    if spec.kind == "table" and spec.entity is not None
}
_KINDS = {
    name: {field: (row.kind, row.required) for field, row in specs_of(entity).items()}
    for name, entity in _TABLES.items()
}
_STRUCTS = {name: row_struct(entity.__name__, _KINDS[name]) for name, entity in _TABLES.items()}


def read_config(source: ConfigSource) -> tuple[CanonicalConfig | None, list[Problem]]:
    """Read a config as far as it can be read, returning it with every structural problem.

    The config is None only when there is nothing to read (no file, bad JSON, not an
    object). Otherwise rows with unreadable key fields are left out and the rest kept, so
    that validation can still report everything else at once.
    """
    config, log = read_config_logged(source)
    return config, log.problems


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cycle collector while reading millions of rows.

    Every few hundred new tuples or declarations would otherwise trigger a collection
    that walks the whole config or parsed document (tens of millions of objects), which
    made compiling a 200,000 node-item config several times slower. Reading and compiling
    create no cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_config_logged(source: ConfigSource) -> tuple[CanonicalConfig | None, ReadLog]:
    """:func:`read_config`, also telling which rows were left out (see ``ReadLog``)."""
    with no_cyclic_gc():
        return _read_config_logged(source)


def _read_config_logged(source: ConfigSource) -> tuple[CanonicalConfig | None, ReadLog]:
    log = ReadLog()
    if isinstance(source, CanonicalConfig):
        return source, log
    if isinstance(source, str | Path):
        data, log.problems = read_json(source)
        if log.problems:
            return None, log
    else:
        data = source
    if not isinstance(data, dict):
        log.problems.append(
            Problem("", f"a canonical config is a JSON object, got {describe(data)}")
        )
        return None, log
    body = {key: value for key, value in data.items() if key != "meta"}
    meta = None
    if "meta" in data:
        meta = read_entity(Meta, data["meta"], "meta", log)
    else:
        log.problems.append(Problem("meta", "required field is missing"))
    placeholder = {"meta": {"name": ""}, **body}
    config = read_entity(CanonicalConfig, placeholder, "", log)
    assert config is not None  # only ``meta`` is required at the top level
    config = dataclasses.replace(config, meta=meta or Meta(name=""), _keys=tuple(data))
    return config, log


def load_config(source: ConfigSource) -> CanonicalConfig:
    """Load a canonical-1.0 config from a mapping, a JSON file path, or JSON text.

    Raises :class:`ConfigError` with every problem when the input cannot be read as a
    config (unreadable file, bad JSON, wrong JSON types, missing key fields). It does not
    judge meaning (unknown references, negative costs, ...): that is ``validate_config``.
    """
    config, problems = read_config(source)
    if problems or config is None:
        raise ConfigError(problems)
    return config
