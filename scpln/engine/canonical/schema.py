"""The canonical-1.0 config as typed, frozen dataclasses.

Field names, nesting and meanings follow the files planners of the original system
already have (``../shared/reference/canonical``). Defaults are resolved here, once, so
the simulator and the planner never disagree about what an absent key means; units and
defaults are documented in ``docs/canonical-config.md``.

Row order carries no meaning anywhere in canonical-1.0: every row is identified by its
key (item code, node code, from/to pair, ...), and hashes and diffs ignore order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .codec import (
    ANY,
    BOOL,
    INT,
    MAP,
    NUM,
    NUM_MAP,
    OPT_INT,
    OPT_NUM,
    OPT_STR,
    STR,
    added,
    empty_map,
    entity,
    rows,
    table,
    write_entity,
)

SCHEMA_VERSION = "canonical-1.0"
DEFAULT_START_DATE = date(2025, 1, 1)

ITEM_TYPES = ("product", "component", "material", "service")
NODE_TYPES = ("store", "warehouse", "factory", "material", "supplier")
SUPPLIER_TYPES = ("material", "supplier")
ARC_TYPES = ("transport", "supply", "distribution")
DEMAND_MODELS = ("normal", "poisson", "deterministic")
RESOURCE_TYPES = ("node", "item", "workcenter", "supplier")
HIERARCHY_TYPES = ("product", "location")
STATUSES = ("draft", "active", "archived")


def _attr_float(attributes: Mapping[str, Any], key: str, default: float) -> float:
    value = attributes.get(key)
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value)


def _attr_bool(attributes: Mapping[str, Any], key: str, default: bool) -> bool:
    value = attributes.get(key)
    return value if isinstance(value, bool) else default


class _Entity:
    __slots__ = ()

    def to_dict(self, *, complete: bool = False) -> dict[str, Any]:
        return write_entity(self, complete=complete)


@dataclass(frozen=True, slots=True)
class Meta(_Entity):
    """Identity and bookkeeping of a config version, plus document-wide attributes.

    Known ``attributes``: ``planning_horizon`` (days), ``start_date`` (ISO date of day 0),
    ``initial_inventory_scale`` (multiplier on every opening stock); others are kept.
    """

    name: str = field(metadata=STR)
    version_id: Any = field(default=None, metadata=ANY)
    schema_version: str = field(default=SCHEMA_VERSION, metadata=STR)
    status: str = field(default="draft", metadata=STR)
    description: str | None = field(default=None, metadata=OPT_STR)
    attributes: Mapping[str, Any] = field(default_factory=empty_map, metadata=MAP)
    extra: Mapping[str, Any] = field(default_factory=empty_map)
    _keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Item(_Entity):
    """An item master row. ``unit_cost`` is per unit; ``lead_time_days`` is production lead time."""

    code: str = field(metadata=STR)
    name: str | None = field(default=None, metadata=OPT_STR)
    item_type: str = field(default="product", metadata=STR)
    uom: str = field(default="unit", metadata=STR)
    lead_time_days: int = field(default=0, metadata=INT)
    unit_cost: float = field(default=0, metadata=NUM)
    attributes: Mapping[str, Any] = field(default_factory=empty_map, metadata=MAP)
    extra: Mapping[str, Any] = field(default_factory=empty_map)
    _keys: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def sales_price(self) -> float:
        return _attr_float(self.attributes, "sales_price", 0.0)

    @property
    def sgna_cost_per_unit(self) -> float:
        return _attr_float(self.attributes, "sgna_cost_per_unit", 0.0)


@dataclass(frozen=True, slots=True)
class InventoryPolicy(_Entity):
    """How a node stocks one item. Quantities in the item's unit; ``storage_cost`` per unit-day."""

    item_code: str = field(metadata=STR)
    initial_inventory: float = field(default=0, metadata=NUM)
    reorder_point: float | None = field(default=None, metadata=OPT_NUM)
    order_up_to: float | None = field(default=None, metadata=OPT_NUM)
    safety_stock: float | None = field(default=None, metadata=OPT_NUM)
    min_order_qty: float | None = field(default=None, metadata=OPT_NUM)
    order_multiple: float | None = field(default=None, metadata=OPT_NUM)
    storage_cost: float = field(default=0, metadata=NUM)
    stockout_cost: float | None = field(default=None, metadata=OPT_NUM)
    backorder_cost: float | None = field(default=None, metadata=OPT_NUM)
    lead_time_days: int | None = field(default=None, metadata=OPT_INT)
    attributes: Mapping[str, Any] = field(default_factory=empty_map, metadata=MAP)
    # (R, Q): order a multiple of this quantity when the position falls to reorder_point.
    order_quantity: float | None = field(default=None, metadata=added(OPT_NUM))
    extra: Mapping[str, Any] = field(default_factory=empty_map)
    _keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ProductionPolicy(_Entity):
    """Production capacity (units per day) and cost of a factory.

    ``item_code`` null is the node-level policy (total capacity across items); a row with
    an item code limits and prices that item. ``production_capacity`` null means unlimited.
    """

    item_code: str | None = field(default=None, metadata=OPT_STR)
    production_capacity: float | None = field(default=None, metadata=OPT_NUM)
    allow_over_capacity: bool = field(default=True, metadata=BOOL)
    production_cost_fixed: float = field(default=0, metadata=NUM)
    production_cost_variable: float = field(default=0, metadata=NUM)
    over_capacity_fixed_cost: float = field(default=0, metadata=NUM)
    over_capacity_variable_cost: float = field(default=0, metadata=NUM)
    attributes: Mapping[str, Any] = field(default_factory=empty_map, metadata=MAP)
    extra: Mapping[str, Any] = field(default_factory=empty_map)
    _keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Node(_Entity):
    """A location: store, warehouse, factory, or external material/supplier.

    ``unlimited_supply`` (scpln addition) marks an external supplier whose stock of the
    items in its ``inventory_policies`` never runs out. Penalty and backorder settings
    live in ``attributes`` as in the original files and are read through properties.
    """

    code: str = field(metadata=STR)
    node_type: str = field(metadata=STR)
    name: str | None = field(default=None, metadata=OPT_STR)
    timezone: str | None = field(default=None, metadata=OPT_STR)
    region: str | None = field(default=None, metadata=OPT_STR)
    service_level: float | None = field(default=None, metadata=OPT_NUM)
    lead_time_days: int = field(default=0, metadata=INT)
    review_period_days: int = field(default=0, metadata=INT)
    storage_capacity: float | None = field(default=None, metadata=OPT_NUM)
    allow_storage_over_capacity: bool = field(default=True, metadata=BOOL)
    storage_cost_fixed: float = field(default=0, metadata=NUM)
    storage_over_capacity_fixed_cost: float = field(default=0, metadata=NUM)
    storage_over_capacity_variable_cost: float = field(default=0, metadata=NUM)
    unlimited_supply: bool = field(default=False, metadata=BOOL)
    # the working calendar (calendars[].calendar_code) it produces, ships and receives by
    calendar_code: str | None = field(default=None, metadata=added(OPT_STR))
    inventory_policies: tuple[InventoryPolicy, ...] = field(
        default=(), metadata=rows(InventoryPolicy)
    )
    production_policies: tuple[ProductionPolicy, ...] = field(
        default=(), metadata=rows(ProductionPolicy)
    )
    attributes: Mapping[str, Any] = field(default_factory=empty_map, metadata=MAP)
    extra: Mapping[str, Any] = field(default_factory=empty_map)
    _keys: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def backorder_enabled(self) -> bool:
        return _attr_bool(self.attributes, "backorder_enabled", True)

    @property
    def lost_sales(self) -> bool:
        return _attr_bool(self.attributes, "lost_sales", False)

    @property
    def stockout_cost_per_unit(self) -> float:
        return _attr_float(self.attributes, "stockout_cost_per_unit", 0.0)

    @property
    def backorder_cost_per_unit_per_day(self) -> float:
        return _attr_float(self.attributes, "backorder_cost_per_unit_per_day", 0.0)


@dataclass(frozen=True, slots=True)
class Arc(_Entity):
    """A lane ``from_node`` → ``to_node`` (goods flow downstream along it).

    ``capacity_per_day`` null means unlimited; ``min_order_qty``/``order_multiple`` map
    item codes to quantities for orders on this lane.
    """

    from_node: str = field(metadata=STR)
    to_node: str = field(metadata=STR)
    arc_type: str = field(default="transport", metadata=STR)
    lead_time_days: int = field(default=0, metadata=INT)
    capacity_per_day: float | None = field(default=None, metadata=OPT_NUM)
    allow_over_capacity: bool = field(default=True, metadata=BOOL)
    transportation_cost_fixed: float = field(default=0, metadata=NUM)
    transportation_cost_variable: float = field(default=0, metadata=NUM)
    over_capacity_fixed_cost: float = field(default=0, metadata=NUM)
    over_capacity_variable_cost: float = field(default=0, metadata=NUM)
    min_order_qty: Mapping[str, float] = field(default_factory=empty_map, metadata=NUM_MAP)
    order_multiple: Mapping[str, float] = field(default_factory=empty_map, metadata=NUM_MAP)
    attributes: Mapping[str, Any] = field(default_factory=empty_map, metadata=MAP)
    # stochastic runs: lead time (whole days, as text keys) → probability (scpln addition)
    lead_time_distribution: Mapping[str, float] = field(
        default_factory=empty_map, metadata=added(NUM_MAP)
    )
    extra: Mapping[str, Any] = field(default_factory=empty_map)
    _keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SourcingRule(_Entity):
    """Where ``node_code`` orders ``item_code`` from (scpln addition).

    The rules of one node × item replace the single-source default: sources are tried by
    ``priority`` (1 first); sources of one priority split an order by ``share`` (the shares
    of a priority add up to 1); what a priority's sources cannot ship today falls back to
    the next priority. Each ``from_node`` needs an arc to ``node_code``.
    """

    node_code: str = field(metadata=STR)
    item_code: str = field(metadata=STR)
    from_node: str = field(metadata=STR)
    priority: int = field(default=1, metadata=INT)
    share: float = field(default=1, metadata=NUM)
    attributes: Mapping[str, Any] = field(default_factory=empty_map, metadata=MAP)
    extra: Mapping[str, Any] = field(default_factory=empty_map)
    _keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class BomLine(_Entity):
    """``quantity`` of ``child_item`` per unit of ``parent_item``; ``scrap_rate`` in [0, 1)."""

    parent_item: str = field(metadata=STR)
    child_item: str = field(metadata=STR)
    quantity: float = field(metadata=NUM)
    scrap_rate: float = field(default=0, metadata=NUM)
    attributes: Mapping[str, Any] = field(default_factory=empty_map, metadata=MAP)
    extra: Mapping[str, Any] = field(default_factory=empty_map)
    _keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Demand(_Entity):
    """Customer demand of one store × item over one bucket.

    ``mean`` and ``std_dev`` are for the whole bucket (see ``buckets.py`` for how they
    become daily figures). ``std_dev`` is ignored by ``poisson`` and ``deterministic``.
    """

    node_code: str = field(metadata=STR)
    item_code: str = field(metadata=STR)
    bucket: str = field(metadata=STR)
    mean: float = field(metadata=NUM)
    demand_model: str = field(default="normal", metadata=STR)
    std_dev: float = field(default=0, metadata=NUM)
    attributes: Mapping[str, Any] = field(default_factory=empty_map, metadata=MAP)
    extra: Mapping[str, Any] = field(default_factory=empty_map)
    _keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Capacity(_Entity):
    """Units a resource can produce over the whole bucket (not per day)."""

    resource_code: str = field(metadata=STR)
    bucket: str = field(metadata=STR)
    capacity: float = field(metadata=NUM)
    resource_type: str = field(default="node", metadata=STR)
    calendar_code: str | None = field(default=None, metadata=OPT_STR)
    attributes: Mapping[str, Any] = field(default_factory=empty_map, metadata=MAP)
    # a supplier capacity for this item alone (scpln addition); null: all its items together
    item_code: str | None = field(default=None, metadata=added(OPT_STR))
    extra: Mapping[str, Any] = field(default_factory=empty_map)
    _keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Calendar(_Entity):
    """A working calendar (``definition``: ``workdays``, ``exceptions``; see
    :mod:`.calendars`), used by the nodes that name it."""

    calendar_code: str = field(metadata=STR)
    timezone: str | None = field(default=None, metadata=OPT_STR)
    definition: Mapping[str, Any] = field(default_factory=empty_map, metadata=MAP)
    attributes: Mapping[str, Any] = field(default_factory=empty_map, metadata=MAP)
    extra: Mapping[str, Any] = field(default_factory=empty_map)
    _keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class HierarchyEntry(_Entity):
    """One edge of the product or location tree; ``parent_key`` null marks a root."""

    hierarchy_type: str = field(metadata=STR)
    node_key: str = field(metadata=STR)
    parent_key: str | None = field(default=None, metadata=OPT_STR)
    level: str | None = field(default=None, metadata=OPT_STR)
    sort_order: int | None = field(default=None, metadata=OPT_INT)
    attributes: Mapping[str, Any] = field(default_factory=empty_map, metadata=MAP)
    extra: Mapping[str, Any] = field(default_factory=empty_map)
    _keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CanonicalConfig(_Entity):
    """A whole canonical-1.0 document. Build it with :func:`load_config`."""

    meta: Meta = field(metadata=entity(Meta))
    items: tuple[Item, ...] = field(default=(), metadata=rows(Item))
    nodes: tuple[Node, ...] = field(default=(), metadata=rows(Node))
    arcs: tuple[Arc, ...] = field(default=(), metadata=rows(Arc))
    bom: tuple[BomLine, ...] = field(default=(), metadata=rows(BomLine))
    # a tuple, or a ``table.RowTable`` read column-wise (a network can have millions of rows)
    demands: Sequence[Demand] = field(default=(), metadata=table(Demand))
    capacities: tuple[Capacity, ...] = field(default=(), metadata=rows(Capacity))
    calendars: tuple[Calendar, ...] = field(default=(), metadata=rows(Calendar))
    hierarchies: tuple[HierarchyEntry, ...] = field(default=(), metadata=rows(HierarchyEntry))
    sourcing_rules: tuple[SourcingRule, ...] = field(default=(), metadata=added(rows(SourcingRule)))
    extra: Mapping[str, Any] = field(default_factory=empty_map)
    _keys: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def horizon_days(self) -> int:
        """Days to plan and simulate (``meta.attributes.planning_horizon``).

        Raises ``ValueError`` when absent or not a positive whole number; a config that
        passed :func:`validate_config` always has one.
        """
        value = self.meta.attributes.get("planning_horizon")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("meta.attributes.planning_horizon is missing or not a number")
        if value != int(value) or value <= 0:
            raise ValueError("meta.attributes.planning_horizon must be a positive whole number")
        return int(value)

    @property
    def start_date(self) -> date:
        """Calendar date of day 0: ``meta.attributes.start_date`` or 2025-01-01."""
        value = self.meta.attributes.get("start_date")
        if value is None:
            return DEFAULT_START_DATE
        if not isinstance(value, str):
            raise ValueError("meta.attributes.start_date must be an ISO date text")
        return date.fromisoformat(value)

    @property
    def initial_inventory_scale(self) -> float:
        """Multiplier applied to every ``initial_inventory`` (1 when absent)."""
        return _attr_float(self.meta.attributes, "initial_inventory_scale", 1.0)

    def opening_stock(self, policy: InventoryPolicy) -> float:
        """On-hand at the start of day 0 for a policy: its ``initial_inventory`` × the scale."""
        return policy.initial_inventory * self.initial_inventory_scale
