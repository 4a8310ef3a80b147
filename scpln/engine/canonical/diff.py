"""What changed between two configs, entity by entity and field by field.

Rows are matched by their key, never by position: items and nodes by code, policies by
node and item, arcs by from → to, BOM lines by parent → child, demands by
node × item @ bucket, capacities by resource @ bucket, calendars by code, hierarchy
entries by type and key. Fields are compared in their complete form, so writing a
default explicitly is not a change; nested objects are compared key by key
(``attributes.sales_price``, ``min_order_qty.SKU-A``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .loader import ConfigSource, load_config
from .schema import CanonicalConfig

_ABSENT: Any = None


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field's old and new value (None where the field is absent on that side)."""

    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}

    def __str__(self) -> str:
        return f"{self.field} {_show(self.old)} → {_show(self.new)}"


@dataclass(frozen=True, slots=True)
class EntityChange:
    key: str
    fields: tuple[FieldChange, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "fields": [change.to_dict() for change in self.fields]}


@dataclass(frozen=True, slots=True)
class EntityDiff:
    """Added, removed and changed rows of one kind, by key, in document order."""

    entity: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[EntityChange, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": [change.to_dict() for change in self.changed],
        }


@dataclass(frozen=True, slots=True)
class ConfigDiff:
    meta: tuple[FieldChange, ...]
    entities: tuple[EntityDiff, ...]

    @property
    def is_empty(self) -> bool:
        return not self.meta and all(entity.is_empty for entity in self.entities)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable form (values are JSON values from the configs)."""
        return {
            "identical": self.is_empty,
            "meta": [change.to_dict() for change in self.meta],
            "entities": [entity.to_dict() for entity in self.entities],
        }

    def render_text(self, limit: int | None = None) -> str:
        """Lines for a terminal: ``+`` added, ``-`` removed, ``~`` changed.

        ``limit`` caps the lines listed per entity kind (the counts stay exact).
        """
        if self.is_empty:
            return "no differences"
        lines: list[str] = []
        if self.meta:
            lines.append("meta:")
            lines.extend(f"  ~ {change}" for change in self.meta)
        for entity in self.entities:
            if entity.is_empty:
                continue
            counts = f"{len(entity.added)} added, {len(entity.removed)} removed"
            lines.append(f"{entity.entity}: {counts}, {len(entity.changed)} changed")
            rows = [f"  + {key}" for key in entity.added]
            rows += [f"  - {key}" for key in entity.removed]
            for change in entity.changed:
                rows.append(f"  ~ {change.key}: " + "; ".join(str(f) for f in change.fields))
            if limit is not None and len(rows) > limit:
                rows = [*rows[:limit], f"  … and {len(rows) - limit} more"]
            lines.extend(rows)
        return "\n".join(lines)


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)


def _flatten(value: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            yield from _flatten(item, f"{name}.")
        else:
            yield name, item


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[FieldChange, ...]:
    """Field-level differences between two rows' complete forms."""
    before, after = dict(_flatten(old)), dict(_flatten(new))
    names = list(before) + [name for name in after if name not in before]
    return tuple(
        FieldChange(name, before.get(name, _ABSENT), after.get(name, _ABSENT))
        for name in names
        if before.get(name, _ABSENT) != after.get(name, _ABSENT)
    )


def _keyed(rows: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, row in rows:
        unique, n = key, 1
        while unique in out:  # duplicate keys (an invalid config) still diff row by row
            n += 1
            unique = f"{key} #{n}"
        out[unique] = row
    return out


def diff_rows(
    entity: str,
    old: Iterable[tuple[str, dict[str, Any]]],
    new: Iterable[tuple[str, dict[str, Any]]],
) -> EntityDiff:
    before, after = _keyed(old), _keyed(new)
    changed = []
    for key, row in after.items():
        if key in before:
            fields = field_changes(before[key], row)
            if fields:
                changed.append(EntityChange(key, fields))
    return EntityDiff(
        entity=entity,
        added=tuple(key for key in after if key not in before),
        removed=tuple(key for key in before if key not in after),
        changed=tuple(changed),
    )


Rows = Callable[[CanonicalConfig], Iterable[tuple[str, dict[str, Any]]]]


def _rows(attribute: str, key: Callable[[Any], str]) -> Rows:
    def rows(config: CanonicalConfig) -> Iterator[tuple[str, dict[str, Any]]]:
        for row in getattr(config, attribute):
            yield key(row), row.to_dict(complete=True)

    return rows


def _nodes(config: CanonicalConfig) -> Iterator[tuple[str, dict[str, Any]]]:
    for node in config.nodes:
        row = node.to_dict(complete=True)
        del row["inventory_policies"], row["production_policies"]
        yield node.code, row


def _inventory_policies(config: CanonicalConfig) -> Iterator[tuple[str, dict[str, Any]]]:
    for node in config.nodes:
        for policy in node.inventory_policies:
            yield f"{node.code} / {policy.item_code}", policy.to_dict(complete=True)


def _production_policies(config: CanonicalConfig) -> Iterator[tuple[str, dict[str, Any]]]:
    for node in config.nodes:
        for policy in node.production_policies:
            item = policy.item_code if policy.item_code is not None else "(all items)"
            yield f"{node.code} / {item}", policy.to_dict(complete=True)


def _capacity_key(row: Any) -> str:
    resource = (
        row.resource_code
        if row.resource_type == "node"
        else f"{row.resource_type}:{row.resource_code}"
    )
    return f"{resource} @ {row.bucket}"


_ENTITIES: tuple[tuple[str, Rows], ...] = (
    ("items", _rows("items", lambda row: row.code)),
    ("nodes", _nodes),
    ("inventory_policies", _inventory_policies),
    ("production_policies", _production_policies),
    ("arcs", _rows("arcs", lambda row: f"{row.from_node} → {row.to_node}")),
    ("bom", _rows("bom", lambda row: f"{row.parent_item} → {row.child_item}")),
    ("demands", _rows("demands", lambda row: f"{row.node_code} × {row.item_code} @ {row.bucket}")),
    ("capacities", _rows("capacities", _capacity_key)),
    ("calendars", _rows("calendars", lambda row: row.calendar_code)),
    ("hierarchies", _rows("hierarchies", lambda row: f"{row.hierarchy_type}:{row.node_key}")),
    (
        "sourcing_rules",
        _rows("sourcing_rules", lambda row: f"{row.node_code} × {row.item_code} ← {row.from_node}"),
    ),
)


def diff_configs(a: ConfigSource, b: ConfigSource) -> ConfigDiff:
    """Differences from ``a`` (before) to ``b`` (after).

    Raises ``ConfigError`` if either cannot be read as a config.
    """
    old, new = load_config(a), load_config(b)
    meta = field_changes(old.meta.to_dict(complete=True), new.meta.to_dict(complete=True))
    entities = [diff_rows(name, rows(old), rows(new)) for name, rows in _ENTITIES]
    other = diff_rows("other", _top_level(old), _top_level(new))
    if not other.is_empty:
        entities.append(other)
    return ConfigDiff(meta=meta, entities=tuple(entities))


def _top_level(config: CanonicalConfig) -> Iterator[tuple[str, dict[str, Any]]]:
    """Top-level keys canonical-1.0 does not define, diffed as opaque values."""
    for key, value in config.extra.items():
        yield key, {"value": value}
