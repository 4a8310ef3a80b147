"""The rows of a config's big sections decoded straight into typed structs (msgspec).

Parsing a 200,000 node-item config with orjson builds 2.4 M demand dicts (1.9 CPU s,
2.4 GB while parsing); msgspec decodes the same rows into slotted structs whose fields
are already type-checked, in about half of that and half the memory. Only the plain case
is decoded this way: a row with a key the struct does not declare (``attributes``, an
unknown key), a missing required field or a value of another JSON type fails the decode,
and the caller then parses the whole file with orjson, so that every problem is reported
by the row reader exactly as before. A row's values do not keep its key order; the key
order of the first row of each key set is read from the row's own text (``key_order``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, cast

import msgspec
import orjson

# The JSON shapes of codec's field kinds that a struct field can check as msgspec decodes.
_TYPES: dict[str, Any] = {
    "str": str,
    "opt_str": str | None,
    "int": int,
    "opt_int": int | None,
    "num": int | float,
    "opt_num": int | float | None,
    "bool": bool,
}
# Past this row, the first row of a key set is found by splitting the section into rows
# (0.3 s over 2.4 M rows) rather than by scanning row after row from the start.
_SCAN_ROWS = 10_000

# What decoding a file this way raises when orjson might read it or report it (msgspec
# raises RecursionError on lists nested a few thousand deep, where orjson reports its
# depth limit).
DecodeFailure = (msgspec.MsgspecError, orjson.JSONDecodeError, UnicodeDecodeError, RecursionError)


def row_struct(
    name: str,
    kinds: Mapping[str, tuple[str, bool]],
    choices: Mapping[str, tuple[str, ...]] | None = None,
) -> type[msgspec.Struct]:
    """A struct of the rows whose fields all have these ``(kind, required)`` shapes; a field
    that is not required is ``UNSET`` where a row lacks it. Fields of other kinds (objects)
    are left out, so a row that has one is not decoded here.

    A text field given ``choices`` takes only those texts (a ``Literal``), and every row
    gets the one string object of its value rather than a string of its own: 2.4 M rows
    of a 200k config hold three such fields, 7 M strings not made, kept and freed.
    (``typing`` caches the last 128 ``Literal`` types made: a process keeps the codes of
    that many files' nodes and items at most.)"""
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for field, (kind, required) in kinds.items():
        if kind not in _TYPES:
            continue
        values = (choices or {}).get(field)
        shape = cast(Any, Literal)[values] if values and kind == "str" else _TYPES[kind]
        if required:
            fields.append((field, shape))
        else:
            fields.append((field, shape | msgspec.UnsetType, msgspec.UNSET))
    fields.sort(key=len)  # required fields first, as a struct requires
    return msgspec.defstruct(name, fields, forbid_unknown_fields=True, gc=False)


def parsed(text: msgspec.Raw) -> Any:
    """A decoded section's text as orjson parses it."""
    return orjson.loads(memoryview(text))


class TypedRows:
    """A section's rows as structs, with the section's text for their key orders (and
    for reading them as JSON objects after all, see :meth:`plain`)."""

    def __init__(self, rows: list[Any], text: msgspec.Raw) -> None:
        self.rows = rows
        self._text = text
        self._orders: dict[int, tuple[str, ...]] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def plain(self) -> list[Any]:
        """The rows as orjson parses them (a row the columns cannot hold as it is needs the
        row reader, which reads JSON objects)."""
        rows: list[Any] = parsed(self._text)
        return rows

    def key_order(self, index: int) -> tuple[str, ...]:
        """The keys of row ``index`` in the order its text gives them."""
        if index not in self._orders:
            self._orders[index] = tuple(orjson.loads(self._row_text(index)))
        return self._orders[index]

    def _row_text(self, index: int) -> memoryview:
        text = memoryview(self._text)
        if index >= _SCAN_ROWS:
            return memoryview(msgspec.json.decode(text, type=list[msgspec.Raw])[index])
        # A decoded row holds no object or list, so it ends at the first '}' whose prefix
        # parses: a '}' inside a text leaves that text unterminated. Between rows there
        # are only commas and white space, so the next '{' starts the next row.
        start = end = 0
        for _ in range(index + 1):
            start = end = _find(text, b"{", end)
            while True:
                end = _find(text, b"}", end) + 1
                try:
                    orjson.loads(text[start:end])
                    break
                except orjson.JSONDecodeError:
                    continue
        return text[start:end]


def _find(text: memoryview, char: bytes, start: int) -> int:
    """Where ``char`` is next in ``text`` from ``start``, copying 64 kB at a time (the
    section is most of the file)."""
    window = 1 << 16
    while start < len(text):
        found = bytes(text[start : start + window]).find(char)
        if found >= 0:
            return start + found
        start += window
    raise ValueError(f"no {char!r} in the rest of a decoded section")
