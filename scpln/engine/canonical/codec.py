"""Reading and writing canonical entities field by field.

Every entity dataclass in :mod:`.schema` tags its fields with the JSON shape they take
(``field(metadata=NUM)``). One generic reader turns a JSON object into the dataclass
(checking JSON types only, so a document with wrong types yields problems, never an
exception), and one generic writer turns it back. Keys the schema does not know are kept
in ``extra`` and the source key order in ``_keys``, so ``to_dict()`` of a loaded file
gives the file back.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any, TypeVar, cast

from .problems import Problem, join_path
from .typed import TypedRows

T = TypeVar("T")

_INTERNAL = frozenset({"extra", "_keys"})


class _ReadOnlyDict(dict[str, Any]):
    """A dict that refuses changes; still a dict for ``json.dumps`` and ``isinstance``."""

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("canonical config rows are read-only; copy with dict(...) first")

    # One refusing method for every mutator, whatever its signature in dict.
    __setitem__ = __delitem__ = __ior__ = _refuse  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]


# One shared, read-only empty mapping for the many rows without attributes or extras:
# a generated network has millions of rows and an empty dict each would cost hundreds of MB.
EMPTY: Mapping[str, Any] = _ReadOnlyDict()


def empty_map() -> Mapping[str, Any]:
    return EMPTY


# Rows of one list nearly always share their key order; one tuple serves them all.
_KEY_ORDERS: dict[tuple[str, ...], tuple[str, ...]] = {}


def _kind(name: str, entity: type | None = None) -> dict[str, Any]:
    return {"kind": name, "entity": entity}


# Field metadata for the entity dataclasses: the JSON shape each field is read as.
STR, OPT_STR = _kind("str"), _kind("opt_str")
INT, OPT_INT = _kind("int"), _kind("opt_int")
NUM, OPT_NUM = _kind("num"), _kind("opt_num")
BOOL, ANY = _kind("bool"), _kind("any")
MAP, NUM_MAP = _kind("map"), _kind("num_map")


def added(kind: dict[str, Any]) -> dict[str, Any]:
    """The metadata of a field added after canonical-1.0: it counts in a config's content
    hash only where it is set, so every config written before it keeps its hash."""
    return {**kind, "added": True}


def rows(entity: type) -> dict[str, Any]:
    """Metadata of a field holding a JSON list of ``entity`` rows (a tuple in Python)."""
    return _kind("list", entity)


def table(entity: type) -> dict[str, Any]:
    """Metadata of a field holding a JSON list of ``entity`` rows that may run to millions:
    from ``TABLE_ROWS`` rows on they are read column-wise into a ``table.RowTable``."""
    return _kind("table", entity)


# From this many rows a "table" field is read column-wise. Below it, rows are read one by
# one into a tuple, without importing numpy (``validate`` of a small file starts fast).
TABLE_ROWS = 20_000


def entity(cls: type) -> dict[str, Any]:
    """Metadata of a field holding one nested ``cls`` object."""
    return _kind("entity", cls)


_NONE = type(None)
_INF = float("inf")
# JSON types a plain value may have without further checks (the common case, kept cheap
# because generated networks have millions of rows); anything else goes through _CHECKS.
_FAST: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "opt_str": (str, _NONE),
    "int": (int,),
    "opt_int": (int, _NONE),
    "num": (int, float),
    "opt_num": (int, float, _NONE),
    "bool": (bool,),
}


@dataclasses.dataclass(frozen=True, slots=True)
class _Spec:
    kind: str
    required: bool
    default: Any
    entity: type | None


_SPECS: dict[type, dict[str, _Spec]] = {}
_FAST_TYPES: dict[type, dict[str, tuple[type, ...]]] = {}
_REQUIRED: dict[type, tuple[str, ...]] = {}


def _specs(cls: type) -> dict[str, _Spec]:
    if cls in _SPECS:
        return _SPECS[cls]
    specs: dict[str, _Spec] = {}
    for f in dataclasses.fields(cls):
        if f.name in _INTERNAL:
            continue
        if f.default is not dataclasses.MISSING:
            default, required = f.default, False
        elif f.default_factory is not dataclasses.MISSING:
            default, required = f.default_factory(), False
        else:
            default, required = None, True
        specs[f.name] = _Spec(f.metadata["kind"], required, default, f.metadata["entity"])
    _SPECS[cls] = specs
    return specs


def specs_of(cls: type) -> dict[str, _Spec]:
    """Per field of an entity (``extra`` and ``_keys`` aside): its JSON shape, whether it is
    required and its default."""
    return _specs(cls)


def describe(value: Any) -> str:
    """Name a JSON value's type the way a planner reads the file."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{value}'" if len(value) <= 40 else "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def copy_json(value: Any) -> Any:
    """Copy nested JSON containers so a config never shares mutable state with its source."""
    if isinstance(value, Mapping):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value


class _Bad:
    """Marker for a value that failed its type check (the problem is already recorded)."""


_BAD = _Bad()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


Check = Callable[[Any, str, list[Problem]], Any]


def _is_finite(value: Any) -> bool:
    return _is_number(value) and math.isfinite(value)


def _check(
    expected: str, accepts: Callable[[Any], bool], read: Callable[[Any], Any] = lambda v: v
) -> Check:
    """The check of one JSON shape: what ``read`` makes of an accepted value, else ``_BAD``
    with a problem saying what was expected (every shape words its problem alike)."""

    def check(value: Any, path: str, problems: list[Problem]) -> Any:
        if accepts(value):
            return read(value)
        problems.append(Problem(path, f"expected {expected}, got {describe(value)}"))
        return _BAD

    return check


_str = _check("text", lambda v: isinstance(v, str))
_int = _check("a whole number", lambda v: _is_finite(v) and v == int(v), int)
_num = _check("a number", _is_finite)
_bool = _check("true or false", lambda v: isinstance(v, bool))
_map = _check("an object", lambda v: isinstance(v, dict), lambda v: copy_json(v) if v else EMPTY)


def _num_map(value: Any, path: str, problems: list[Problem]) -> Any:
    if not isinstance(value, dict):
        problems.append(
            Problem(path, f"expected an object of item codes to numbers, got {describe(value)}")
        )
        return _BAD
    out = {}
    for key, number in value.items():
        checked = _num(number, join_path(path, key), problems)
        if checked is not _BAD:
            out[key] = checked
    return out or EMPTY


def _optional(check: Check) -> Check:
    def optional(value: Any, path: str, problems: list[Problem]) -> Any:
        return None if value is None else check(value, path, problems)

    return optional


_CHECKS: dict[str, Check] = {
    "str": _str,
    "opt_str": _optional(_str),
    "int": _int,
    "opt_int": _optional(_int),
    "num": _num,
    "opt_num": _optional(_num),
    "bool": _bool,
    "map": _map,
    "num_map": _num_map,
    "any": lambda value, path, problems: copy_json(value),
}


@dataclasses.dataclass
class ReadLog:
    """What reading found: the problems, and where rows were dropped.

    ``kept`` maps the path of a list that lost rows to the source index of each row kept,
    so later checks can still name rows by their position in the document.
    """

    problems: list[Problem] = dataclasses.field(default_factory=list)
    kept: dict[str, list[int]] = dataclasses.field(default_factory=dict)


def read_list(cls: type[T], value: Any, path: str, log: ReadLog) -> tuple[T, ...]:
    """Read a JSON list of entities, dropping (after reporting) rows that cannot be read."""
    if not isinstance(value, list):
        log.problems.append(Problem(path, f"expected a list, got {describe(value)}"))
        return ()
    plain = _plain_reader(cls)
    rows = [
        made if (made := plain(row)) is not None else read_entity(cls, row, path, log, index=i)
        for i, row in enumerate(value)
    ]
    if None in rows:
        log.kept[path] = [i for i, row in enumerate(rows) if row is not None]
        return tuple(row for row in rows if row is not None)
    return tuple(rows)  # type: ignore[arg-type]  # no None left


def _fast_types(cls: type) -> dict[str, tuple[type, ...]]:
    """Per field, the value types accepted as they are (null never for a required field)."""
    if cls in _FAST_TYPES:
        return _FAST_TYPES[cls]
    out = {}
    for name, spec in _specs(cls).items():
        if spec.kind in _FAST:
            accepted = _FAST[spec.kind]
            out[name] = tuple(t for t in accepted if t is not _NONE) if spec.required else accepted
    _FAST_TYPES[cls] = out
    return out


def _required(cls: type) -> tuple[str, ...]:
    if cls not in _REQUIRED:
        _REQUIRED[cls] = tuple(name for name, spec in _specs(cls).items() if spec.required)
    return _REQUIRED[cls]


# Per entity: per key order of a row, its :class:`_Shape` (False: a row with these keys is
# never plain). Bounded, so a file whose rows all order their keys differently cannot grow it
# without end; rows of an unrecorded order are read by ``read_entity``.
_SHAPES: dict[type, dict[tuple[str, ...], _Shape | bool]] = {}
_MAX_SHAPES = 256

_Typed = tuple[tuple[int, ...], tuple[int, ...]]


class _Shape:
    """The rows of one entity with one key order, every key a field read as it is (text,
    number, true/false, null) and every required field present: what ``read_entity`` would
    make of such a row when its values have the accepted types.

    A row of this shape is made positionally: its values in key order, then the defaults
    of the fields it lacks, picked into field order (a third faster than by keywords).
    """

    def __init__(
        self,
        order: tuple[str, ...],
        accepted: tuple[tuple[type, ...], ...],
        fields: tuple[str, ...],
        defaults: dict[str, Any],
    ) -> None:
        self.order = _KEY_ORDERS.setdefault(order, order)
        self.accepted = accepted
        absent = [name for name in fields if name not in order]
        self.tail = [defaults[name] for name in absent]
        self.tail[absent.index("_keys")] = self.order
        where = {name: i for i, name in enumerate((*order, *absent))}
        self.pick = itemgetter(*(where[name] for name in fields))
        # per tuple of value types: the positions of its texts (interned) and of its floats
        # (checked finite), or False when a type is not accepted as it is
        self.typed: dict[tuple[type, ...], _Typed | bool] = {}

    def judge(self, types: tuple[type, ...]) -> _Typed | bool:
        if len(self.typed) >= _MAX_SHAPES:
            return False
        plain = all(kind in ok for kind, ok in zip(types, self.accepted, strict=True))
        texts = tuple(i for i, kind in enumerate(types) if kind is str)
        floats = tuple(i for i, kind in enumerate(types) if kind is float)
        self.typed[types] = judged = (texts, floats) if plain else False
        return judged


def _shape(cls: type, order: tuple[str, ...]) -> _Shape | bool:
    fast = _fast_types(cls)
    if any(key not in fast for key in order):  # an unknown key, a list, an object, ...
        return False
    if any(name not in order for name in _required(cls)):
        return False
    defaults: dict[str, Any] = {"extra": EMPTY, "_keys": ()}
    for f in dataclasses.fields(cls):
        if f.name in _INTERNAL:
            continue
        if f.default is not dataclasses.MISSING:
            defaults[f.name] = f.default
        elif f.default_factory is empty_map:  # the one shared empty mapping
            defaults[f.name] = EMPTY
        elif f.name not in order:  # a fresh default per row: made by keywords
            return False
    names = tuple(f.name for f in dataclasses.fields(cls))
    return _Shape(order, tuple(fast[key] for key in order), names, defaults)


_MAKERS: dict[type, Callable[..., Any]] = {}


def maker(cls: type[T]) -> Callable[..., T]:
    """A constructor of the entity ``cls`` taking every field positionally, in field order:
    the object ``cls(*values)`` makes, in a quarter of its time.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__`` (a
    call per field: 0.8 s for the 200,123 inventory policies of a 200k config). This one
    sets them on a twin class with the same slots that is not frozen (plain attribute
    stores) and then makes the object a ``cls`` (``__class__`` assignment, which Python
    allows between classes of one layout). An entity the twin cannot stand in for (no
    slots, a ``__post_init__``, a field not set by ``__init__``) gets ``cls`` itself."""
    made = _MAKERS.get(cls)
    if made is None:
        made = _MAKERS[cls] = _twin(cls) or cast(Any, cls)
    return made


def _twin(cls: type) -> Callable[..., Any] | None:
    fields = dataclasses.fields(cls)
    names = tuple(f.name for f in fields)
    slots = cls.__dict__.get("__slots__")
    if (
        slots is None
        or tuple(slots) != names
        or hasattr(cls, "__post_init__")
        or not all(f.init for f in fields)
    ):
        return None
    # Generated as dataclasses generates ``__init__``: one store per field, by name.
    arguments = ", ".join(names)
    stores = "".join(f"    self.{name} = {name}\n" for name in names)
    source = f"def __init__(self, {arguments}):\n{stores}    self.__class__ = entity\n"
    namespace: dict[str, Any] = {"entity": cls}
    exec(source, namespace)  # the field names of a schema dataclass, no outside text
    init = namespace["__init__"]
    twin = type(cls.__name__, cls.__bases__, {"__slots__": slots, "__init__": init})
    try:  # Python refuses the class change when the layouts differ after all
        twin(*(None for _ in names))
    except TypeError:
        return None
    return twin


def _plain_reader(cls: type[T]) -> Callable[[Any], T | None]:
    """A reader of ``cls`` rows that makes a plain row at half of ``read_entity``'s cost
    (the 200,000 inventory policies of a generated network) and returns None for any other
    row, which ``read_entity`` then reads with its problems. A plain row has no problem, so
    reading it first never changes which problems are reported or their order."""
    shapes = _SHAPES.setdefault(cls, {})
    make = maker(cls)
    intern = sys.intern

    def plain(data: Any) -> T | None:
        if type(data) is not dict:
            return None
        order = tuple(data)
        shape = shapes.get(order)
        if shape is None:
            if len(shapes) >= _MAX_SHAPES:
                return None
            shape = shapes[order] = _shape(cls, order)
        if shape is False:
            return None
        assert isinstance(shape, _Shape)
        types = tuple(map(type, data.values()))
        how = shape.typed.get(types)
        if how is None:
            how = shape.judge(types)
        if how is False:
            return None
        texts, floats = cast(_Typed, how)
        values = [*data.values(), *shape.tail]
        for i in floats:
            if not -_INF < values[i] < _INF:  # inf or NaN: read_entity reports it
                return None
        for i in texts:  # one string object per distinct code, as read_entity keeps
            values[i] = intern(values[i])
        made: T = make(*shape.pick(values))
        return made

    return plain


def read_entity(
    cls: type[T], data: Any, path: str, log: ReadLog, *, index: int | None = None
) -> T | None:
    """Read one JSON object (the ``index``-th row of a list at ``path``, if given) into ``cls``.

    A wrong type in an optional field is reported and the field falls back to its
    default, so the rest of the row still gets checked; a missing or unreadable required
    field drops the row (reported once), because checks keyed on it would only echo it.
    """
    # ``path`` gets the row index only when a problem needs it: formatting it for each of
    # millions of rows would cost more than reading them
    problems = log.problems
    if not isinstance(data, dict):
        here = path if index is None else join_path(path, index)
        problems.append(Problem(here, f"expected an object, got {describe(data)}"))
        return None
    specs = _specs(cls)
    fast = _fast_types(cls)
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    usable = True
    for key, value in data.items():
        accepted = fast.get(key)
        kind = type(value)
        if (
            accepted is not None
            and kind in accepted
            and (kind is not float or -_INF < value < _INF)
        ):
            # codes repeat across millions of rows: keep one string object per distinct code
            values[key] = sys.intern(value) if kind is str else value
        elif key in specs:
            if index is not None:
                path, index = join_path(path, index), None
            field_path = join_path(path, key)
            usable = _read_field(specs[key], key, value, field_path, values, log) and usable
        else:
            extra[key] = copy_json(value)
    missing = [name for name in _required(cls) if name not in data]
    if missing:
        here = path if index is None else join_path(path, index)
        for name in missing:
            problems.append(Problem(join_path(here, name), "required field is missing"))
        usable = False
    if not usable:
        return None
    order = tuple(data)
    order = _KEY_ORDERS.setdefault(order, order)
    made: T = cast(Any, cls)(**values, extra=extra or EMPTY, _keys=order)
    return made


def _read_field(
    spec: _Spec, key: str, value: Any, path: str, values: dict[str, Any], log: ReadLog
) -> bool:
    """Read a value off the fast path; False when a required field is unusable."""
    if spec.kind in ("list", "entity", "table"):
        assert spec.entity is not None
        if spec.kind == "table" and (
            isinstance(value, TypedRows) or (isinstance(value, list) and len(value) >= TABLE_ROWS)
        ):
            from .table import read_table  # numpy, only for lists this long

            values[key] = read_table(spec.entity, value, path, log)
            return True
        if spec.kind != "entity":
            values[key] = read_list(spec.entity, value, path, log)
            return True
        nested = read_entity(spec.entity, value, path, log)
        if nested is None:
            return False
        values[key] = nested
        return True
    if value is None and spec.required:
        log.problems.append(Problem(path, "required, got null"))
        return False
    checked = _CHECKS[spec.kind](value, path, log.problems)
    if checked is _BAD:
        return not spec.required
    values[key] = checked
    return True


def _emit(value: Any, complete: bool, kind: str) -> Any:
    if kind in ("list", "table"):
        return [write_entity(row, complete=complete) for row in value]
    if dataclasses.is_dataclass(value):
        return write_entity(value, complete=complete)
    return copy_json(value)


def write_entity(obj: Any, *, complete: bool = False) -> dict[str, Any]:
    """Write an entity back to JSON.

    The default (sparse) form gives back every key the source had, in its order, plus
    any field whose value differs from its default; ``complete=True`` writes every known
    field, which is the form hashes and diffs compare so that an explicit default and an
    absent key mean the same thing.
    """
    specs = _specs(type(obj))
    extra: dict[str, Any] = obj.extra
    out: dict[str, Any] = {}
    if complete:
        for name in specs:
            out[name] = _emit(getattr(obj, name), complete, specs[name].kind)
        for key in sorted(extra):
            out.setdefault(key, copy_json(extra[key]))
        return out
    for key in obj._keys:
        if key in specs:
            out[key] = _emit(getattr(obj, key), complete, specs[key].kind)
        elif key in extra:
            out[key] = copy_json(extra[key])
    for name, spec in specs.items():
        if name not in out:
            value = getattr(obj, name)
            if spec.required or value != spec.default:
                out[name] = _emit(value, complete, spec.kind)
    for key, value in extra.items():
        out.setdefault(key, copy_json(value))
    return out
