"""Checks of the master data: meta, items, nodes and their policies, arcs, BOM, calendars,
hierarchies."""

from __future__ import annotations

from collections.abc import Mapping
from operator import attrgetter
from typing import Any

from scpln.engine.canonical.calendars import calendar_problems
from scpln.engine.canonical.limits import MAX_DAYS, MAX_QUANTITY, MAX_SCALE, MAX_SORT_ORDER
from scpln.engine.canonical.network import find_cycles
from scpln.engine.canonical.problems import join_path
from scpln.engine.canonical.schema import (
    ARC_TYPES,
    HIERARCHY_TYPES,
    ITEM_TYPES,
    NODE_TYPES,
    SCHEMA_VERSION,
    STATUSES,
    SUPPLIER_TYPES,
    Arc,
    HierarchyEntry,
    InventoryPolicy,
    Node,
)

from .context import Context, fmt

_POLICY_QUANTITIES = (
    "initial_inventory",
    "reorder_point",
    "order_up_to",
    "safety_stock",
    "min_order_qty",
    "storage_cost",
    "stockout_cost",
    "backorder_cost",
    "lead_time_days",
)
_PRODUCTION_NUMBERS = (
    "production_capacity",
    "production_cost_fixed",
    "production_cost_variable",
    "over_capacity_fixed_cost",
    "over_capacity_variable_cost",
)
_NODE_NUMBERS = (
    "lead_time_days",
    "review_period_days",
    "storage_capacity",
    "storage_cost_fixed",
    "storage_over_capacity_fixed_cost",
    "storage_over_capacity_variable_cost",
)
# Fields counted in days, bounded by MAX_DAYS rather than MAX_QUANTITY.
_DAYS = frozenset({"lead_time_days", "review_period_days"})


def _maximum(name: str) -> float:
    return MAX_DAYS if name in _DAYS else MAX_QUANTITY


_POLICY_LIMITS = tuple((name, _maximum(name)) for name in _POLICY_QUANTITIES)
_POLICY_VALUES = attrgetter(*_POLICY_QUANTITIES)
_POLICY_MAXIMA = tuple(maximum for _, maximum in _POLICY_LIMITS)
# Every number ``_clean_policy`` looks at: policies with the same ones are as clean.
_POLICY_NUMBERS = attrgetter(*_POLICY_QUANTITIES, "order_multiple", "order_quantity")
_ARC_NUMBERS = (
    "lead_time_days",
    "capacity_per_day",
    "transportation_cost_fixed",
    "transportation_cost_variable",
    "over_capacity_fixed_cost",
    "over_capacity_variable_cost",
)


def check_master_data(ctx: Context) -> None:
    check_meta(ctx)
    check_items(ctx)
    check_nodes(ctx)
    check_arcs(ctx)
    check_bom(ctx)
    ctx.duplicates("calendars", (c.calendar_code for c in ctx.config.calendars), "calendar code")
    check_calendars(ctx)
    check_hierarchies(ctx)


def check_calendars(ctx: Context) -> None:
    """Definitions that can be read, and nodes that name a calendar that exists."""
    for index, calendar in enumerate(ctx.config.calendars):
        path = ctx.row("calendars", index)
        for problem in calendar_problems(f"{path}.definition", calendar.definition):
            ctx.add(problem.path, problem.message)
    codes = {calendar.calendar_code for calendar in ctx.config.calendars}
    for index, node in enumerate(ctx.config.nodes):
        if node.calendar_code is not None and node.calendar_code not in codes:
            path = ctx.row("nodes", index)
            ctx.add(f"{path}.calendar_code", f"unknown calendar '{node.calendar_code}'")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_meta(ctx: Context) -> None:
    meta = ctx.config.meta
    if meta.schema_version != SCHEMA_VERSION:
        ctx.add(
            "meta.schema_version",
            f"unknown schema version '{meta.schema_version}'; this engine reads {SCHEMA_VERSION}",
        )
    ctx.one_of("meta.status", meta.status, STATUSES, "status")
    attributes, path = meta.attributes, "meta.attributes"
    if "planning_horizon" not in attributes:
        ctx.add(f"{path}.planning_horizon", "required: the number of days to plan and simulate")
    else:
        try:
            horizon = ctx.config.horizon_days
        except ValueError:
            got = attributes["planning_horizon"]
            ctx.add(
                f"{path}.planning_horizon", f"must be a whole number of days above 0, got {got!r}"
            )
        else:
            if horizon > MAX_DAYS:
                ctx.add(
                    f"{path}.planning_horizon", f"must be at most {MAX_DAYS} days, got {horizon}"
                )
    if "start_date" in attributes:
        try:
            ctx.start = ctx.config.start_date
        except ValueError:
            got = attributes["start_date"]
            ctx.add(f"{path}.start_date", f"must be an ISO date such as 2025-01-01, got {got!r}")
    scale = attributes.get("initial_inventory_scale", 1)
    if not _is_number(scale) or not 0 < scale <= MAX_SCALE:
        ctx.add(
            f"{path}.initial_inventory_scale",
            f"must be a number above 0 and at most {fmt(MAX_SCALE)}, got {scale!r}",
        )


def _number_attributes(
    ctx: Context, path: str, attributes: Mapping[str, Any], keys: tuple[str, ...]
) -> None:
    for key in keys:
        if key not in attributes:
            continue
        value = attributes[key]
        if _is_number(value):
            ctx.at_least(f"{path}.attributes.{key}", value)
        else:
            ctx.add(f"{path}.attributes.{key}", f"must be a number, got {value!r}")


def check_items(ctx: Context) -> None:
    ctx.duplicates("items", (item.code for item in ctx.config.items), "item code")
    for index, item in enumerate(ctx.config.items):
        path = ctx.row("items", index)
        ctx.one_of(f"{path}.item_type", item.item_type, ITEM_TYPES, "item type")
        ctx.at_least(f"{path}.lead_time_days", item.lead_time_days, maximum=MAX_DAYS)
        ctx.at_least(f"{path}.unit_cost", item.unit_cost)
        _number_attributes(ctx, path, item.attributes, ("sales_price", "sgna_cost_per_unit"))


def check_nodes(ctx: Context) -> None:
    # Whether policies with these numbers are clean: the 200,000 policies of a generated
    # network have some 25,000 sets of numbers between them, so most are looked up.
    clean: dict[tuple[Any, ...], bool] = {}
    ctx.duplicates("nodes", (node.code for node in ctx.config.nodes), "node code")
    for index, node in enumerate(ctx.config.nodes):
        path = ctx.row("nodes", index)
        ctx.one_of(f"{path}.node_type", node.node_type, NODE_TYPES, "node type")
        level = node.service_level
        if level is not None and not 0 < level < 1:
            ctx.add(
                f"{path}.service_level", f"must be between 0 and 1 (exclusive), got {fmt(level)}"
            )
        for name in _NODE_NUMBERS:
            ctx.at_least(f"{path}.{name}", getattr(node, name), maximum=_maximum(name))
        if node.unlimited_supply and node.node_type not in SUPPLIER_TYPES:
            ctx.add(
                f"{path}.unlimited_supply",
                f"only a supplier or material node has unlimited supply, not a {node.node_type}",
            )
        _check_node_attributes(ctx, path, node)
        _check_inventory_policies(ctx, path, node, clean)
        _check_production_policies(ctx, path, node)


def _check_node_attributes(ctx: Context, path: str, node: Node) -> None:
    attributes = node.attributes
    for key in ("backorder_enabled", "lost_sales"):
        if key in attributes and not isinstance(attributes[key], bool):
            ctx.add(f"{path}.attributes.{key}", f"must be true or false, got {attributes[key]!r}")
    if attributes.get("lost_sales") is True and attributes.get("backorder_enabled") is True:
        ctx.add(
            f"{path}.attributes.lost_sales",
            "contradicts backorder_enabled: true; a node either backorders or loses the sale",
        )
    keys = ("stockout_cost_per_unit", "backorder_cost_per_unit_per_day")
    _number_attributes(ctx, path, attributes, keys)


def _check_inventory_policies(
    ctx: Context, path: str, node: Node, clean: dict[tuple[Any, ...], bool]
) -> None:
    seen: dict[str, int] = {}
    rows_path = f"{path}.inventory_policies"
    kept = ctx.kept.get(rows_path)
    items = ctx.items
    for index, policy in enumerate(node.inventory_policies):
        code = policy.item_code
        # A network has 200,000 policies: a row that can have no problem is only recorded
        # (its path is never worded); any other row gets every check below, in order.
        if code in items and code not in seen:
            numbers = _POLICY_NUMBERS(policy)
            judged = clean.get(numbers)
            if judged is None:
                judged = clean[numbers] = _clean_policy(policy)
            if judged:
                seen[code] = index if kept is None else kept[index]
                continue
        here = ctx.row(rows_path, index)
        if policy.item_code not in ctx.items:
            ctx.known_item(f"{here}.item_code", policy.item_code)
        if policy.item_code in seen:
            ctx.add(
                f"{here}.item_code",
                f"{node.code} already has a policy for '{policy.item_code}' "
                f"(inventory_policies[{seen[policy.item_code]}])",
            )
        seen.setdefault(policy.item_code, ctx.index(rows_path, index))
        for name, maximum in _POLICY_LIMITS:
            value = getattr(policy, name)
            # paths are worded only for a value out of range: a network has 200,000 policies
            if value is not None and not 0 <= value <= maximum:
                ctx.at_least(f"{here}.{name}", value, maximum=maximum)
        ctx.at_least(f"{here}.order_multiple", policy.order_multiple, strict=True)
        low, high = policy.reorder_point, policy.order_up_to
        if low is not None and high is not None and high < low:
            ctx.add(f"{here}.order_up_to", f"{fmt(high)} is below the reorder point {fmt(low)}")
        if policy.order_quantity is not None:
            ctx.at_least(f"{here}.order_quantity", policy.order_quantity, strict=True)
            if low is None:
                ctx.add(
                    f"{here}.order_quantity",
                    "an (R, Q) policy needs a reorder_point: it orders when the inventory "
                    "position falls to it",
                )
            if high is not None:
                ctx.add(
                    f"{here}.order_quantity",
                    "give order_up_to (an (s, S) policy) or order_quantity (an (R, Q) "
                    "policy), not both",
                )


def _clean_policy(policy: InventoryPolicy) -> bool:
    """Whether ``_check_inventory_policies`` finds nothing in the numbers of ``policy`` (a
    NaN is not clean: the full checks decide what it gets)."""
    for value, maximum in zip(_POLICY_VALUES(policy), _POLICY_MAXIMA, strict=True):
        if value is not None and not 0 <= value <= maximum:
            return False
    multiple, low, high = policy.order_multiple, policy.reorder_point, policy.order_up_to
    if multiple is not None and not 0 < multiple <= MAX_QUANTITY:
        return False
    if low is not None and high is not None and not high >= low:
        return False
    return policy.order_quantity is None


def _check_production_policies(ctx: Context, path: str, node: Node) -> None:
    if node.production_policies and node.node_type != "factory":
        ctx.add(
            f"{path}.production_policies",
            f"only a factory produces; {node.code} is a {node.node_type}",
        )
    seen: dict[str | None, int] = {}
    rows_path = f"{path}.production_policies"
    for index, policy in enumerate(node.production_policies):
        here = ctx.row(rows_path, index)
        code = policy.item_code
        if code is not None:
            ctx.known_item(f"{here}.item_code", code)
        if code in seen:
            what = f"item '{code}'" if code is not None else "the whole node (item_code null)"
            ctx.add(
                f"{here}.item_code",
                f"{node.code} already has a production policy for {what} "
                f"(production_policies[{seen[code]}])",
            )
        seen.setdefault(code, ctx.index(rows_path, index))
        for name in _PRODUCTION_NUMBERS:
            ctx.at_least(f"{here}.{name}", getattr(policy, name))


def check_arcs(ctx: Context) -> None:
    arcs = ctx.config.arcs
    pairs = ((arc.from_node, arc.to_node) for arc in arcs)
    ctx.duplicates("arcs", pairs, "arc between the same two nodes")
    for index, arc in enumerate(arcs):
        path = ctx.row("arcs", index)
        ctx.known_node(f"{path}.from_node", arc.from_node)
        ctx.known_node(f"{path}.to_node", arc.to_node)
        if arc.from_node == arc.to_node:
            ctx.add(path, f"arc from {arc.from_node} to itself")
        ctx.one_of(f"{path}.arc_type", arc.arc_type, ARC_TYPES, "arc type")
        for name in _ARC_NUMBERS:
            ctx.at_least(f"{path}.{name}", getattr(arc, name), maximum=_maximum(name))
        for name, strict in (("min_order_qty", False), ("order_multiple", True)):
            for code, value in getattr(arc, name).items():
                here = join_path(f"{path}.{name}", code)
                ctx.known_item(here, code)
                ctx.at_least(here, value, strict=strict)
        _check_lead_time_distribution(ctx, f"{path}.lead_time_distribution", arc)


def _check_lead_time_distribution(ctx: Context, path: str, arc: Arc) -> None:
    """Whole days as keys, probabilities that add up to 1."""
    distribution = arc.lead_time_distribution
    if not distribution:
        return
    for days, probability in distribution.items():
        here = join_path(path, days)
        if not days.isdigit():
            ctx.add(here, f"a lead time is a whole number of days, not {days!r}")
        elif int(days) > MAX_DAYS:
            ctx.add(here, f"a lead time is at most {MAX_DAYS} days, not {days}")
        ctx.at_least(here, probability)
    total = sum(distribution.values())
    if abs(total - 1.0) > 1e-6:
        ctx.add(path, f"the probabilities add up to {fmt(total)}, not 1")


def check_bom(ctx: Context) -> None:
    bom = ctx.config.bom
    pairs = ((line.parent_item, line.child_item) for line in bom)
    ctx.duplicates("bom", pairs, "BOM line for the same parent and child")
    edge_index: dict[tuple[str, str], int] = {}
    for index, line in enumerate(bom):
        path = ctx.row("bom", index)
        ctx.known_item(f"{path}.parent_item", line.parent_item)
        ctx.known_item(f"{path}.child_item", line.child_item)
        ctx.at_least(f"{path}.quantity", line.quantity, strict=True)
        if not 0 <= line.scrap_rate < 1:
            ctx.add(
                f"{path}.scrap_rate", f"must be at least 0 and below 1, got {fmt(line.scrap_rate)}"
            )
        edge_index.setdefault((line.parent_item, line.child_item), index)
    for cycle in find_cycles(edge_index):
        ctx.add(
            ctx.row("bom", edge_index[(cycle[-2], cycle[-1])]), "BOM cycle: " + " → ".join(cycle)
        )


def check_hierarchies(ctx: Context) -> None:
    rows = ctx.config.hierarchies
    keys = ((row.hierarchy_type, row.node_key) for row in rows)
    ctx.duplicates("hierarchies", keys, "hierarchy entry for the same key")
    parents: dict[tuple[str, str], str | None] = {}
    for row in rows:
        parents.setdefault((row.hierarchy_type, row.node_key), row.parent_key)
    for index, row in enumerate(rows):
        path = ctx.row("hierarchies", index)
        kind = row.hierarchy_type
        if row.sort_order is not None and abs(row.sort_order) > MAX_SORT_ORDER:
            ctx.add(
                f"{path}.sort_order",
                f"must be between -{MAX_SORT_ORDER} and {MAX_SORT_ORDER}, "
                f"got {fmt(row.sort_order)}",
            )
        if kind not in HIERARCHY_TYPES:
            ctx.one_of(f"{path}.hierarchy_type", kind, HIERARCHY_TYPES, "hierarchy type")
        elif row.parent_key is not None and (kind, row.parent_key) not in parents:
            ctx.add(
                f"{path}.parent_key",
                f"unknown {kind} hierarchy key '{row.parent_key}'; give it an entry of its own",
            )
    _check_hierarchy_loops(ctx, rows, parents)


def _check_hierarchy_loops(
    ctx: Context, rows: tuple[HierarchyEntry, ...], parents: dict[tuple[str, str], str | None]
) -> None:
    """Walk each key up to its root; a key met twice on one walk is a loop (reported once)."""
    settled: set[tuple[str, str]] = set()
    for index, row in enumerate(rows):
        kind, chain = row.hierarchy_type, [row.node_key]
        key = (kind, row.node_key)
        walked = {key}
        while key not in settled and (parent := parents.get(key)) is not None:
            key = (kind, parent)
            chain.append(parent)
            if key in walked:
                loop = " → ".join(chain)
                path = ctx.row("hierarchies", index)
                ctx.add(f"{path}.parent_key", f"{kind} hierarchy loops: {loop}")
                break
            walked.add(key)
        settled |= walked
