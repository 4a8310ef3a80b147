"""Rows of one entity kind held column-wise (a generated network's 2.4 M demand rows).

Reading millions of rows into frozen dataclasses took longer than simulating them and
held gigabytes; a :class:`RowTable` keeps the same rows as numpy columns (texts as
integer codes into their distinct values) and is still a ``Sequence`` of the entity:
indexing builds the row's dataclass on the fly, so every consumer that iterates rows
(diff, hashing, overrides, the planner) sees exactly what a tuple of rows gave it, and
the large consumers (validation, ``compile_network``) read the columns instead.

Reading checks the JSON types of whole columns at once (the set of value types of each
column); a row that is not plain — a wrong type, a missing
required field, an unknown key, non-empty ``attributes`` — is read by the one row
reader, :func:`~.codec.read_entity`, so its problems (paths, messages) and its value are
exactly those of reading row by row, and it is kept as that dataclass.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import compress, count, repeat, starmap
from operator import is_
from typing import Any, Generic, NamedTuple, TypeVar, cast, overload

import msgspec
import numpy as np

from .codec import EMPTY, ReadLog, maker, read_entity, specs_of
from .typed import TypedRows

T = TypeVar("T")


# The value of a key a row does not have: the one value of its type, so a column's set of
# value types tells whether any row lacks the key. msgspec's, as a typed row has it there.
_Missing = msgspec.UnsetType
_MISSING: Any = msgspec.UNSET
_TEXT = {"str": (str,), "opt_str": (str, type(None)), "bool": (bool,)}
# Text kinds coded straight from the rows (true/false is not: True == 1 as a dict key).
_AT_ONCE = ("str", "opt_str")
_NUMBER = {"num": False, "opt_num": True, "int": False, "opt_int": True}
_EXACT = 2.0**53  # integers beyond this do not survive a float64 column: read as rows
# How a number was written, so a row gives back 175 and not 175.0.
_FLOAT, _INT, _NULL = 0, 1, 2


class RowTable(Sequence[T], Generic[T]):
    """Rows of ``cls`` as columns; ``rows[i]`` is the ``cls`` dataclass of row ``i``."""

    __hash__ = None  # type: ignore[assignment]  # rows hold dicts: a config is not hashable

    def __init__(
        self,
        cls: type[T],
        length: int,
        texts: dict[str, tuple[np.ndarray, tuple[Any, ...]]],
        numbers: dict[str, tuple[np.ndarray, np.ndarray]],
        orders: tuple[np.ndarray, tuple[tuple[str, ...], ...]],
        rows: dict[int, T],
    ) -> None:
        self.cls = cls
        self._length = length
        self._texts = texts
        self._numbers = numbers
        self._orders = orders
        self._rows = rows  # rows kept as read (not plain), by position

    @classmethod
    def from_rows(cls, entity: type[T], rows: Sequence[T]) -> RowTable[T]:
        """The columns of rows already built (a config made in code or read as a tuple)."""
        if isinstance(rows, RowTable):
            return rows
        texts: dict[str, tuple[np.ndarray, tuple[Any, ...]]] = {}
        numbers: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for name, spec in specs_of(entity).items():
            values = [getattr(row, name) for row in rows]
            if spec.kind in _TEXT:
                texts[name] = _coded(values)
            elif spec.kind in _NUMBER:
                numbers[name] = _numbers(values)
        no_order = (np.zeros(len(rows), np.int8), ((),))
        return cls(entity, len(rows), texts, numbers, no_order, dict(enumerate(rows)))

    @property
    def read_rows(self) -> dict[int, T]:
        """Rows kept as read (not plain: unknown keys, attributes, ...), by position; the
        columns hold their values too."""
        return self._rows

    def names(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The fields held as text columns and as number columns."""
        return tuple(self._texts), tuple(self._numbers)

    def values(self, name: str) -> list[Any]:
        """A number field's values as written (whole numbers as ``int``, null as None)."""
        numbers, written = self._numbers[name]
        out: list[Any] = numbers.tolist()
        for i in np.flatnonzero(written == _INT).tolist():
            out[i] = int(out[i])
        for i in np.flatnonzero(written == _NULL).tolist():
            out[i] = None
        return out

    def with_numbers(self, values: dict[str, list[Any]], rows: dict[int, T]) -> RowTable[T]:
        """This table with number fields replaced by ``values`` (one per row, as written) and
        the rows kept as read replaced by ``rows``."""
        numbers = dict(self._numbers)
        for name, column in values.items():
            part = _Numbers(_Raw(column, None, set(map(type, column))), "opt_num", None, set())
            numbers[name] = part.result()
        return RowTable(self.cls, self._length, self._texts, numbers, self._orders, rows)

    def text(self, name: str) -> tuple[np.ndarray, tuple[Any, ...]]:
        """A text (or true/false) field: each row's code into the distinct values."""
        return self._texts[name]

    def number(self, name: str) -> np.ndarray:
        """A number field as float64 (NaN where null)."""
        return self._numbers[name][0]

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...

    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(self._length)))
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("row index out of range")
        kept = self._rows.get(index)
        if kept is not None:
            return kept
        values: dict[str, Any] = {}
        for name, (codes, labels) in self._texts.items():
            values[name] = labels[codes[index]]
        for name, (numbers, written) in self._numbers.items():
            how = written[index]
            value = float(numbers[index])
            values[name] = value if how == _FLOAT else int(value) if how == _INT else None
        order_codes, key_orders = self._orders
        keys = key_orders[order_codes[index]]
        made: T = cast(Any, self.cls)(**values, extra=EMPTY, _keys=keys)
        return made

    def __iter__(self) -> Iterator[T]:
        """Every row in order: column lists built once, rows made positionally (half the
        time of indexing row by row)."""
        order_codes, key_orders = self._orders
        columns: list[Iterable[Any]] = []
        for f in dataclasses.fields(cast(Any, self.cls)):
            if f.name in self._texts:
                codes, labels = self._texts[f.name]
                columns.append(map(labels.__getitem__, codes.tolist()))
            elif f.name in self._numbers:
                columns.append(self.values(f.name))
            elif f.name == "_keys":
                columns.append(map(key_orders.__getitem__, order_codes.tolist()))
            else:  # ``attributes`` and ``extra``: empty in a plain row
                columns.append(repeat(EMPTY))
        made = starmap(maker(self.cls), zip(*columns, strict=False))  # ``repeat`` never ends
        if not self._rows:
            return made
        return (self._rows.get(i, row) for i, row in enumerate(made))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __repr__(self) -> str:
        return f"RowTable({self.cls.__name__}, {self._length} rows)"


def demand_by_item(table: RowTable[Any]) -> list[dict[str, Any]]:
    """Per item of a demand table: rows, distinct stores and the sum of the means, added in
    row order as ``summary`` adds them row by row (``bincount`` sums each bin in order)."""
    item, items = table.text("item_code")
    node, nodes = table.text("node_code")
    rows = np.bincount(item, minlength=len(items)).tolist()
    totals = np.bincount(item, weights=table.number("mean"), minlength=len(items)).tolist()
    pairs = distinct(item.astype(np.int64) * max(len(nodes), 1) + node, len(items) * len(nodes))
    stores = np.bincount(pairs // max(len(nodes), 1), minlength=len(items)).tolist()
    return [
        {"item": code, "rows": rows[i], "nodes": stores[i], "mean_total": totals[i]}
        for i, code in enumerate(items)
        if rows[i]
    ]


def distinct(codes: np.ndarray, size: int) -> np.ndarray:
    """The distinct values of integer codes in ``0 … size - 1``, ascending, as ``np.unique``
    gives them: counted (``bincount``) unless ``size`` is far above the number of codes.
    numpy's hashing ``unique`` took 0.8 s over 2.4 M (store, item) codes in random order;
    counting them takes a hundredth of that."""
    if size > 4 * len(codes) + 1024:  # sparse: a count per possible value would not pay
        return np.unique(codes)
    return np.flatnonzero(np.bincount(codes, minlength=size))


def table_of(entity: type[T], rows: Sequence[T]) -> RowTable[T]:
    """``rows`` as a :class:`RowTable` (itself when it is one)."""
    return RowTable.from_rows(entity, rows)


def read_table(cls: type[T], value: list[Any] | TypedRows, path: str, log: ReadLog) -> RowTable[T]:
    """Read a JSON list of ``cls`` rows column-wise, with the problems of reading them one by
    one (rows with unreadable key fields are dropped and ``log.kept`` says which stayed).

    Typed rows (:mod:`.typed`) have the JSON types the columns take and no other keys; one
    the columns still cannot hold (a number not finite or beyond 2^53, ...) has them read
    as JSON objects after all, as a file parsed by orjson."""
    typed = isinstance(value, TypedRows)
    rows: list[Any] = value.rows if isinstance(value, TypedRows) else value
    n = len(rows)
    odd: set[int] = set()  # rows read one by one
    if not typed and set(map(type, rows)) != {dict}:
        odd.update(i for i, row in enumerate(rows) if type(row) is not dict)
        rows = [row if type(row) is dict else {} for row in rows]
    texts: dict[str, _Texts] = {}
    numbers: dict[str, _Numbers] = {}
    present = np.zeros(n, np.int64)  # known keys each row has
    pattern = np.zeros(n, np.int64)  # which of them, as bits
    objects: list[tuple[int, str]] = []  # fields holding objects (``attributes``), by bit
    for bit, (name, spec) in enumerate(specs_of(cls).items()):
        if spec.kind not in _TEXT and spec.kind not in _NUMBER and not spec.required:
            objects.append((bit, name))
            continue
        coded = (
            _Texts.at_once(_values(rows, name, typed), n, spec.kind)
            if spec.kind in _AT_ONCE
            else None
        )
        if coded is not None:
            texts[name] = coded
            present += 1
            pattern |= 1 << bit
            continue
        column = list(_values(rows, name, typed))
        has = None
        types = set(map(type, column))
        if _Missing in types:
            types.discard(_Missing)
            has = ~np.fromiter(map(is_, column, repeat(_MISSING)), bool, n)
            if spec.required:
                odd.update(np.flatnonzero(~has).tolist())
        present += 1 if has is None else has
        pattern |= (1 if has is None else has.astype(np.int64)) << bit
        if spec.kind in _TEXT:
            texts[name] = _Texts.read(_Raw(column, has, types), spec.kind, spec.default, odd)
        elif spec.kind in _NUMBER:
            numbers[name] = _Numbers(_Raw(column, has, types), spec.kind, spec.default, odd)
        elif types:  # a required object: plain when empty
            odd.update(i for i, v in enumerate(column) if v is not _MISSING and v != {})
    if isinstance(value, TypedRows):  # no other keys, no objects
        if odd:
            return read_table(cls, value.plain(), path, log)
        return _table(cls, texts, numbers, _key_orders(value.key_order, pattern), {})
    parts: dict[str, _Texts | _Numbers] = {**texts, **numbers}
    lengths = np.fromiter(map(len, rows), np.int64, n)
    _read_objects(rows, objects, lengths, present, pattern, odd)
    odd.update(np.flatnonzero(lengths != present).tolist())  # unknown keys: kept in ``extra``
    kept: dict[int, Any] = {}
    keep = np.ones(n, bool)
    for i in sorted(odd):
        row = read_entity(cls, value[i], path, log, index=i)
        if row is None:
            keep[i] = False
            continue
        kept[i] = row
        for name, part in parts.items():
            part.patch(i, getattr(row, name))
    if odd:
        pattern[sorted(odd)] = -1
        if not keep.all():
            log.kept[path] = np.flatnonzero(keep).tolist()
            position = np.cumsum(keep) - 1
            kept = {int(position[i]): row for i, row in kept.items()}
            pattern = pattern[keep]
            rows = [row for row, k in zip(rows, keep.tolist(), strict=True) if k]
        for part in parts.values():
            part.select(keep)
    return _table(cls, texts, numbers, _key_orders(lambda i: tuple(rows[i]), pattern), kept)


def _table(
    cls: type[T],
    texts: dict[str, _Texts],
    numbers: dict[str, _Numbers],
    orders: tuple[np.ndarray, tuple[tuple[str, ...], ...]],
    kept: dict[int, T],
) -> RowTable[T]:
    return RowTable(
        cls,
        len(orders[0]),
        {name: part.result() for name, part in texts.items()},
        {name: part.result() for name, part in numbers.items()},
        orders,
        kept,
    )


def _values(rows: list[Any], name: str, typed: bool) -> Iterator[Any]:
    """Each row's value of field ``name``, ``_MISSING`` where a row does not have it."""
    if typed:  # structs: msgspec's UNSET where absent
        return map(getattr, rows, repeat(name))
    return map(dict.get, rows, repeat(name), repeat(_MISSING))


def _read_objects(
    rows: list[dict[str, Any]],
    objects: list[tuple[int, str]],
    lengths: np.ndarray,
    present: np.ndarray,
    pattern: np.ndarray,
    odd: set[int],
) -> None:
    """Count the object fields (``attributes``) rows have, and send a row with a non-empty
    one to be read one by one. Only rows with more keys than their other known fields can
    have one: when they are few (a generated network has none), they are looked at one by
    one instead of pulling a column out of millions of rows."""
    if not objects:
        return
    longer = np.flatnonzero(lengths > present)
    if len(longer) * 8 > len(rows):
        for bit, name in objects:
            column = list(map(dict.get, rows, repeat(name), repeat(_MISSING)))
            has = ~np.fromiter(map(is_, column, repeat(_MISSING)), bool, len(rows))
            present += has
            pattern |= has.astype(np.int64) << bit
            odd.update(i for i, v in enumerate(column) if v is not _MISSING and v != {})
        return
    for i in longer.tolist():
        row = rows[i]
        for bit, name in objects:
            value = row.get(name, _MISSING)
            if value is _MISSING:
                continue
            present[i] += 1
            pattern[i] |= 1 << bit
            if value != {}:  # plain when empty
                odd.add(i)


class _Raw(NamedTuple):
    """A field's values as pulled out of the rows (``_MISSING`` where a row lacks it), where
    rows have it (None: all do), and the types of the values."""

    column: list[Any]
    has: np.ndarray | None
    types: set[type]


def _set_aside(raw: _Raw, accepted: set[type], placeholder: Any, odd: set[int]) -> None:
    """Send the rows whose value has a type the column cannot hold to be read one by one,
    holding ``placeholder`` in the column until they are."""
    if raw.types <= accepted:
        return
    column = raw.column
    bad = [i for i, v in enumerate(column) if v is not _MISSING and type(v) not in accepted]
    odd.update(bad)
    for i in bad:
        column[i] = placeholder


class _Texts:
    """A text (or true/false) column as codes into its distinct values."""

    def __init__(self, coder: defaultdict[Any, int], codes: np.ndarray) -> None:
        self.coder = coder
        self.codes = codes
        self.touched = False

    @classmethod
    def read(cls, raw: _Raw, kind: str, default: Any, odd: set[int]) -> _Texts:
        """The column from its values as pulled out of the rows."""
        column, has, _ = raw
        _set_aside(raw, set(_TEXT[kind]), default, odd)
        if has is not None:
            column = [default if v is _MISSING else v for v in column]
        coder: defaultdict[Any, int] = defaultdict(count().__next__)
        return cls(coder, np.fromiter(map(coder.__getitem__, column), np.int32, len(column)))

    @classmethod
    def at_once(cls, values: Iterator[Any], n: int, kind: str) -> _Texts | None:
        """The column coded straight from the rows, its types checked on its distinct values
        (half the time of pulling the values out first); None when a row lacks the field or
        has a value that is not text (or null, where allowed): the general path reads it.
        A text equals only a text, so a value of another type never hides behind a code."""
        coder: defaultdict[Any, int] = defaultdict(count().__next__)
        try:
            codes = np.fromiter(map(coder.__getitem__, values), np.int32, n)
        except TypeError:  # an unhashable value (a list or an object)
            return None
        if not set(map(type, coder)) <= set(_TEXT[kind]):
            return None
        return cls(coder, codes)

    def patch(self, i: int, value: Any) -> None:
        self.codes[i] = self.coder[value]
        self.touched = True

    def select(self, keep: np.ndarray) -> None:
        self.codes = self.codes[keep]
        self.touched = True

    def result(self) -> tuple[np.ndarray, tuple[Any, ...]]:
        # Interned, so the parsed document's strings are not kept: one surviving string pins
        # its whole 1 MB allocator arena, and the distinct codes were pinning gigabytes.
        labels = tuple(sys.intern(label) if type(label) is str else label for label in self.coder)
        if not self.touched:
            return self.codes, labels
        used, codes = np.unique(self.codes, return_inverse=True)  # values only odd rows had
        return codes.astype(np.int32), tuple(labels[u] for u in used.tolist())


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


class _Numbers:
    """A number column as float64 (NaN for null) and how each was written."""

    def __init__(self, raw: _Raw, kind: str, default: Any, odd: set[int]) -> None:
        column, has, types = raw
        _set_aside(raw, {int, float, type(None)} if _NUMBER[kind] else {int, float}, None, odd)
        n = len(column)
        if has is None and types <= {int, float}:  # the usual case: a float64 array at once
            self._plain(column, types, kind, odd)
            return
        if has is not None and types <= {int, float} and _is_number(default):
            self._defaulted(column, has, types, default, kind, odd)
            return
        objects = np.array(column, dtype=object) if n else np.zeros(0, object)
        if has is not None:
            objects[~has] = default
        if type(None) in types or (has is not None and default is None):
            nulls = np.fromiter(map(is_, objects, repeat(None)), bool, n)
            objects[nulls] = math.nan
        else:
            nulls = None
        self.values = objects.astype(np.float64)
        if (float in types and int in types) or has is not None:
            written = np.fromiter(map(isinstance, objects, repeat(int)), np.int8, n)
        else:
            written = np.full(n, _INT if int in types else _FLOAT, np.int8)
        if nulls is not None:
            written[nulls] = _NULL
        self.written = written
        self._odd(types, kind, odd)

    def _plain(self, column: list[Any], types: set[type], kind: str, odd: set[int]) -> None:
        """Every row has the field, as a number."""
        self.values = np.array(column, np.float64)
        if len(types) == 2:
            self.written = np.fromiter(map(isinstance, column, repeat(int)), np.int8, len(column))
        else:
            self.written = np.full(len(column), _INT if int in types else _FLOAT, np.int8)
        self._odd(types, kind, odd)

    def _defaulted(
        self,
        column: list[Any],
        has: np.ndarray,
        types: set[type],
        default: float,
        kind: str,
        odd: set[int],
    ) -> None:
        """Some rows lack the field, the others have a number (``std_dev``, absent from the
        rows of a deterministic or Poisson demand): the numbers as one float64 array, the
        default where absent, without an array of Python objects."""
        present = list(compress(column, has))
        self.values = np.full(len(column), float(default), np.float64)
        self.written = np.full(len(column), _INT if isinstance(default, int) else _FLOAT, np.int8)
        if present:
            self.values[has] = np.array(present, np.float64)
            if len(types) == 2:
                how = np.fromiter(map(isinstance, present, repeat(int)), np.int8, len(present))
            else:
                how = np.full(len(present), _INT if int in types else _FLOAT, np.int8)
            self.written[has] = how
        self._odd(types, kind, odd)

    def _odd(self, types: set[type], kind: str, odd: set[int]) -> None:
        """Send rows to be read one by one: inf, and whole numbers a float64 does not hold
        exactly (3.0 is an int field's 3)."""
        values, written = self.values, self.written
        odd.update(np.flatnonzero(~np.isfinite(values) & (written != _NULL)).tolist())
        odd.update(np.flatnonzero(np.abs(values) > _EXACT).tolist())
        if float in types and kind in ("int", "opt_int"):
            odd.update(np.flatnonzero(written == _FLOAT).tolist())

    def patch(self, i: int, value: Any) -> None:
        self.values[i] = math.nan if value is None else value
        self.written[i] = _NULL if value is None else _INT if type(value) is int else _FLOAT

    def select(self, keep: np.ndarray) -> None:
        self.values, self.written = self.values[keep], self.written[keep]

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        return self.values, self.written


def _coded(values: list[Any]) -> tuple[np.ndarray, tuple[Any, ...]]:
    """Codes into the distinct values, in order of first appearance."""
    coder: defaultdict[Any, int] = defaultdict(count().__next__)
    codes = np.fromiter(map(coder.__getitem__, values), np.int32, len(values))
    return codes, tuple(coder)


def _numbers(values: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """float64 values (NaN for null) and how each was written (float, whole number, null)."""
    written = np.array(
        [_NULL if v is None else _INT if type(v) is int else _FLOAT for v in values], np.int8
    )
    out = np.array([math.nan if v is None else v for v in values], np.float64)
    return out, written


def _key_orders(
    order_of: Callable[[int], tuple[str, ...]], pattern: np.ndarray
) -> tuple[np.ndarray, tuple[tuple[str, ...], ...]]:
    """Per row, its key order (``_keys``): the order of the first row with the same keys.

    Reading each row's own order costs a tuple per row; rows of one list share their
    order in every file seen, and the order only shapes the sparse ``to_dict`` output.
    Rows read one by one (``pattern`` -1) have their own.
    """
    plain = np.flatnonzero(pattern >= 0)
    if len(plain) == 0 or pattern[plain].min() == pattern[plain].max():  # the usual case
        return np.zeros(len(pattern), np.int8), (order_of(int(plain[0])) if len(plain) else (),)
    # The patterns are small (one bit per field): a lookup by pattern codes the rows, where
    # sorting 2.4 M of them (``np.unique``) took half a second.
    shifted = pattern + 1  # rows read one by one (-1) first
    distinct = np.flatnonzero(np.bincount(shifted))
    lookup = np.zeros(int(distinct[-1]) + 1, np.int16 if len(distinct) > 127 else np.int8)
    lookup[distinct] = np.arange(len(distinct))
    orders = tuple(order_of(int(np.argmax(shifted == d))) for d in distinct.tolist())
    return lookup[shifted], orders
