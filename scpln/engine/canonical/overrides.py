"""Scenario overrides: what-if adjustments applied on top of a config, never inside it.

- ``demand_scale`` multiplies every demand; ``demand_scale_by_item`` maps an item code or
  a product-hierarchy key (a family, at any level) to a factor; the most specific entry
  wins (the item's own, else its nearest ancestor's) and multiplies with the overall
  factor. ``mean`` and ``std_dev`` scale alike (a scaled random variable).
- ``capacity_scale`` multiplies every production capacity (production policies and
  capacity rows); ``capacity_scale_by_node`` further multiplies one node's.
- ``lead_time_shift_days`` is added to every lead time (items, nodes, arcs, inventory
  policies); a result below 0 is clamped to 0, so "two days faster" never invents time.
- ``initial_inventory_scale`` multiplies ``meta.attributes.initial_inventory_scale``.
- ``horizon_days`` replaces ``meta.attributes.planning_horizon``.
- ``inventory_levels`` sets stock levels per node and item:
  ``{"STORE-01": {"SKU-01": {"order_up_to": 120, "reorder_point": 100}}}``. ``order_up_to``
  is required; ``reorder_point`` defaults to it (a base stock: order up to S whenever the
  position is below it); ``initial_inventory`` optionally sets the opening stock. The
  policy's lot size (``order_quantity``) is cleared so the levels are what orders follow;
  a node-item without an inventory policy gets one. Unknown nodes and items are refused.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .codec import describe
from .limits import MAX_DAYS
from .loader import ConfigSource, load_config
from .problems import ConfigError, Problem, join_path
from .schema import CanonicalConfig, Capacity, Demand, InventoryPolicy, Node

if TYPE_CHECKING:  # numpy: imported only where a table was read
    from .table import RowTable

MAX_HORIZON_DAYS = MAX_DAYS
_ROOT = "overrides"
_FACTORS = ("demand_scale", "capacity_scale", "initial_inventory_scale")
_FACTOR_MAPS = ("demand_scale_by_item", "capacity_scale_by_node")
_LEVEL_KEYS = ("order_up_to", "reorder_point", "initial_inventory")


@dataclass(frozen=True, slots=True)
class ScenarioOverrides:
    """Adjustments a scenario makes to a config; the defaults change nothing."""

    demand_scale: float = 1.0
    demand_scale_by_item: Mapping[str, float] = field(default_factory=dict)
    capacity_scale: float = 1.0
    capacity_scale_by_node: Mapping[str, float] = field(default_factory=dict)
    lead_time_shift_days: int = 0
    initial_inventory_scale: float = 1.0
    horizon_days: int | None = None
    inventory_levels: Mapping[str, Mapping[str, Mapping[str, float]]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ScenarioOverrides:
        """Read overrides from JSON; raises ``ConfigError`` listing every wrong key or type."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise ConfigError([Problem(_ROOT, f"expected an object, got {describe(data)}")])
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        names = [f.name for f in dataclasses.fields(cls)]
        for key, value in data.items():
            path = join_path(_ROOT, key)
            if key not in names:
                problems.append(Problem(path, f"unknown override; use {', '.join(names)}"))
            elif key in _FACTORS:
                if _is_number(value):
                    values[key] = value
                else:
                    problems.append(Problem(path, f"expected a number, got {describe(value)}"))
            elif key in _FACTOR_MAPS:
                values[key] = _factor_map(value, path, problems)
            elif key == "inventory_levels":
                values[key] = _level_map(value, path, problems)
            elif key == "horizon_days" and value is None:
                values[key] = None
            elif _is_number(value) and value == int(value):
                values[key] = int(value)
            else:
                problems.append(
                    Problem(path, f"expected a whole number of days, got {describe(value)}")
                )
        if problems:
            raise ConfigError(problems)
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Only the overrides that change something."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            default = (
                f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            )
            if value != default:
                out[f.name] = _plain(value)
        return out


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_object(value: Any, path: str, of: str, problems: list[Problem]) -> bool:
    """Whether ``value`` is a JSON object; if not, the problem says what it should map."""
    if isinstance(value, Mapping):
        return True
    problems.append(Problem(path, f"expected an object of {of}, got {describe(value)}"))
    return False


def _factor_map(value: Any, path: str, problems: list[Problem]) -> dict[str, float]:
    if not _is_object(value, path, "codes to factors", problems):
        return {}
    out = {}
    for code, factor in value.items():
        if _is_number(factor):
            out[str(code)] = factor
        else:
            problems.append(
                Problem(join_path(path, str(code)), f"expected a number, got {describe(factor)}")
            )
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _plain(inner) for key, inner in value.items()}
    return value


def _level_map(
    value: Any, path: str, problems: list[Problem]
) -> dict[str, dict[str, dict[str, float]]]:
    """``{node: {item: {"order_up_to": S, "reorder_point": s, "initial_inventory": x}}}``."""
    if not _is_object(value, path, "node codes to items", problems):
        return {}
    out: dict[str, dict[str, dict[str, float]]] = {}
    for node, items in value.items():
        node_path = join_path(path, str(node))
        if not _is_object(items, node_path, "item codes", problems):
            continue
        for item, levels in items.items():
            item_path = join_path(node_path, str(item))
            if not _is_object(levels, item_path, "levels", problems):
                continue
            row: dict[str, float] = {}
            for key, level in levels.items():
                key_path = join_path(item_path, str(key))
                if key not in _LEVEL_KEYS:
                    problems.append(
                        Problem(key_path, f"unknown level; use {', '.join(_LEVEL_KEYS)}")
                    )
                elif not _is_number(level) or not math.isfinite(level) or level < 0:
                    problems.append(
                        Problem(key_path, f"expected a number of 0 or more, got {describe(level)}")
                    )
                else:
                    row[key] = float(level)
            if "order_up_to" not in row and not any(p.path.startswith(item_path) for p in problems):
                problems.append(Problem(item_path, "order_up_to is required"))
            elif "reorder_point" in row and row["reorder_point"] > row.get("order_up_to", 0):
                problems.append(Problem(item_path, "reorder_point may not be above order_up_to"))
            out.setdefault(str(node), {})[str(item)] = row
    return out


def _product_parents(config: CanonicalConfig) -> dict[str, str | None]:
    return {
        row.node_key: row.parent_key
        for row in config.hierarchies
        if row.hierarchy_type == "product"
    }


def _has_capacity(node: Node, capacity_rows: set[str]) -> bool:
    return node.code in capacity_rows or any(
        policy.production_capacity is not None for policy in node.production_policies
    )


def validate_overrides(overrides: ScenarioOverrides, config: ConfigSource) -> list[Problem]:
    """Every problem of ``overrides`` against ``config``; empty means it can be applied."""
    loaded = load_config(config)
    problems: list[Problem] = []

    def positive(path: str, factor: float) -> None:
        if factor <= 0:
            problems.append(Problem(path, f"must be a factor greater than 0, got {factor:g}"))

    for name in _FACTORS:
        positive(join_path(_ROOT, name), getattr(overrides, name))
    items = {item.code for item in loaded.items}
    families = set(_product_parents(loaded)) | {
        row.parent_key
        for row in loaded.hierarchies
        if row.hierarchy_type == "product" and row.parent_key
    }
    for code, factor in overrides.demand_scale_by_item.items():
        path = join_path(f"{_ROOT}.demand_scale_by_item", code)
        if code not in items and code not in families:
            problems.append(Problem(path, f"unknown item or product family '{code}'"))
        positive(path, factor)
    nodes = {node.code: node for node in loaded.nodes}
    capacity_rows = {row.resource_code for row in loaded.capacities}
    for code, factor in overrides.capacity_scale_by_node.items():
        path = join_path(f"{_ROOT}.capacity_scale_by_node", code)
        if code not in nodes:
            problems.append(Problem(path, f"unknown node '{code}'"))
        elif not _has_capacity(nodes[code], capacity_rows):
            problems.append(Problem(path, f"{code} has no production capacity to scale"))
        positive(path, factor)
    for code, items_of in overrides.inventory_levels.items():
        node_path = join_path(f"{_ROOT}.inventory_levels", code)
        if code not in nodes:
            problems.append(Problem(node_path, f"unknown node '{code}'"))
            continue
        for item in items_of:
            if item not in items:
                problems.append(Problem(join_path(node_path, item), f"unknown item '{item}'"))
    horizon = overrides.horizon_days
    if horizon is not None and not 1 <= horizon <= MAX_HORIZON_DAYS:
        problems.append(
            Problem(
                f"{_ROOT}.horizon_days",
                f"must be between 1 and {MAX_HORIZON_DAYS} days, got {horizon}",
            )
        )
    return problems


def _scaled(value: float, factor: float) -> float:
    # rounded so that 200 × 1.1 × 2 reads 440, not 440.00000000000006, in the document
    return value if factor == 1 else round(value * factor, 9)


def apply_overrides(
    config: ConfigSource, overrides: ScenarioOverrides | Mapping[str, Any]
) -> CanonicalConfig:
    """A new config with the overrides applied (the input is left as it was).

    Raises ``ConfigError`` when the overrides do not fit the config.
    """
    loaded = load_config(config)
    if not isinstance(overrides, ScenarioOverrides):
        overrides = ScenarioOverrides.from_dict(overrides)
    problems = validate_overrides(overrides, loaded)
    if problems:
        raise ConfigError(problems)
    shift = overrides.lead_time_shift_days
    attributes = dict(loaded.meta.attributes)
    if overrides.initial_inventory_scale != 1:
        scale = loaded.initial_inventory_scale * overrides.initial_inventory_scale
        attributes["initial_inventory_scale"] = scale
    if overrides.horizon_days is not None:
        attributes["planning_horizon"] = overrides.horizon_days
    return replace(
        loaded,
        meta=replace(loaded.meta, attributes=attributes),
        items=tuple(_shift_lead_time(item, shift) for item in loaded.items),
        nodes=tuple(_adjust_node(node, overrides) for node in loaded.nodes),
        arcs=tuple(_shift_lead_time(arc, shift) for arc in loaded.arcs),
        demands=_scaled_demands(loaded, overrides),
        capacities=tuple(
            replace(row, capacity=_scaled(row.capacity, _row_capacity_factor(overrides, row)))
            for row in loaded.capacities
        ),
    )


def _shift_lead_time(row: Any, shift: int) -> Any:
    if shift == 0 or row.lead_time_days is None:
        return row
    return replace(row, lead_time_days=max(0, row.lead_time_days + shift))


def _node_capacity_factor(overrides: ScenarioOverrides, code: str) -> float:
    return overrides.capacity_scale * overrides.capacity_scale_by_node.get(code, 1.0)


def _row_capacity_factor(overrides: ScenarioOverrides, row: Capacity) -> float:
    """Node and supplier rows follow their node's factor; item/workcenter rows the overall one."""
    if row.resource_type in ("node", "supplier"):
        return _node_capacity_factor(overrides, row.resource_code)
    return overrides.capacity_scale


def _adjust_node(node: Node, overrides: ScenarioOverrides) -> Node:
    factor = _node_capacity_factor(overrides, node.code)
    production = tuple(
        policy
        if policy.production_capacity is None
        else replace(policy, production_capacity=_scaled(policy.production_capacity, factor))
        for policy in node.production_policies
    )
    shift = overrides.lead_time_shift_days
    inventory = _set_levels(node, overrides.inventory_levels.get(node.code, {}))
    inventory = tuple(_shift_lead_time(policy, shift) for policy in inventory)
    shifted = _shift_lead_time(node, shift)
    return replace(shifted, inventory_policies=inventory, production_policies=production)


def _set_levels(
    node: Node, levels: Mapping[str, Mapping[str, float]]
) -> tuple[InventoryPolicy, ...]:
    """The node's inventory policies with ``levels`` set (a missing policy is added)."""
    if not levels:
        return tuple(node.inventory_policies)

    def level(policy: InventoryPolicy, row: Mapping[str, float]) -> InventoryPolicy:
        up_to = row["order_up_to"]
        changed = replace(
            policy,
            order_up_to=up_to,
            reorder_point=row.get("reorder_point", up_to),
            order_quantity=None,
        )
        if "initial_inventory" in row:
            changed = replace(changed, initial_inventory=row["initial_inventory"])
        return changed

    out = [
        level(policy, levels[policy.item_code]) if policy.item_code in levels else policy
        for policy in node.inventory_policies
    ]
    have = {policy.item_code for policy in node.inventory_policies}
    out.extend(
        level(InventoryPolicy(item_code=item), row)
        for item, row in levels.items()
        if item not in have
    )
    return tuple(out)


def _scaled_demands(config: CanonicalConfig, overrides: ScenarioOverrides) -> Sequence[Demand]:
    factor_of = _demand_factors(config, overrides)
    if not isinstance(config.demands, tuple | list):  # a table: millions of rows
        from .table import RowTable  # loaded already: the config has a table

        assert isinstance(config.demands, RowTable)
        return _scaled_table(config.demands, factor_of)
    rows = []
    for row in config.demands:
        factor = factor_of(row.item_code)
        if factor != 1:
            row = replace(row, mean=_scaled(row.mean, factor), std_dev=_scaled(row.std_dev, factor))
        rows.append(row)
    return tuple(rows)


def _scaled_table(table: RowTable[Demand], factor_of: Callable[[str], float]) -> RowTable[Demand]:
    """:func:`_scaled_demands` column by column, with the same numbers (``_scaled`` per value)."""
    codes, items = table.text("item_code")
    factors = [factor_of(code) for code in items]
    per_row = list(map(factors.__getitem__, codes.tolist()))
    scaled = {name: list(map(_scaled, table.values(name), per_row)) for name in ("mean", "std_dev")}
    rows = {}
    for position, row in table.read_rows.items():
        factor = factors[codes[position]]
        rows[position] = replace(
            row, mean=_scaled(row.mean, factor), std_dev=_scaled(row.std_dev, factor)
        )
    return table.with_numbers(scaled, rows)


def _demand_factors(
    config: CanonicalConfig, overrides: ScenarioOverrides
) -> Callable[[str], float]:
    """item code → overall factor × the most specific item/family factor (memoized)."""
    parents = _product_parents(config)
    by_item = overrides.demand_scale_by_item
    cache: dict[str, float] = {}

    def factor(item: str) -> float:
        if item not in cache:
            key: str | None = item
            seen: set[str] = set()
            while key is not None and key not in by_item and key not in seen:
                seen.add(key)
                key = parents.get(key)
            specific = by_item[key] if key is not None and key in by_item else 1.0
            cache[item] = overrides.demand_scale * specific
        return cache[item]

    return factor
