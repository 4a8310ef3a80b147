"""Checks of the time-bucketed rows (demands, capacities) and of the supply network behind
the demand."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from scpln.engine.canonical.network import reachable_items
from scpln.engine.canonical.schema import DEMAND_MODELS, RESOURCE_TYPES, SUPPLIER_TYPES

from .context import Context

Pair = tuple[str, str]


def _bucket_form(code: str) -> str:
    """Codes of one form (all ``Mn``, all ``YYYY-MM`` ...) that differ never overlap."""
    return code[0] if code[0].isalpha() else str(len(code))


def check_demands(ctx: Context) -> None:
    if not isinstance(ctx.config.demands, tuple):  # read column-wise: a large config
        from .demand_table import check_demand_table  # numpy, only for such a config

        check_demand_table(ctx, ctx.config.demands)
        return
    seen: dict[tuple[str, str, str], int] = {}
    periods: dict[Pair, list[tuple[date, date, int]]] = defaultdict(list)
    forms: dict[Pair, set[str]] = defaultdict(set)
    first_row: dict[Pair, int] = {}
    for index, row in enumerate(ctx.config.demands):
        path = ctx.row("demands", index)
        node = ctx.nodes.get(row.node_code)
        if node is None:
            ctx.add(f"{path}.node_code", f"unknown node '{row.node_code}'")
        elif node.node_type != "store":
            ctx.add(
                f"{path}.node_code",
                f"customer demand belongs on a store; {row.node_code} is a {node.node_type}",
            )
        item_known = ctx.known_item(f"{path}.item_code", row.item_code)
        ctx.one_of(f"{path}.demand_model", row.demand_model, DEMAND_MODELS, "demand model")
        ctx.at_least(f"{path}.mean", row.mean)
        ctx.at_least(f"{path}.std_dev", row.std_dev)
        key = (row.node_code, row.item_code, row.bucket)
        if key in seen:
            ctx.add(
                path,
                f"duplicate demand for {row.node_code} × {row.item_code} in {row.bucket} "
                f"(already at {ctx.row('demands', seen[key])})",
            )
            continue
        seen[key] = index
        pair = (row.node_code, row.item_code)
        period = ctx.bucket(f"{path}.bucket", row.bucket)
        if period is not None:
            periods[pair].append((*period, index))
            forms[pair].add(_bucket_form(row.bucket))
        if node is not None and node.node_type == "store" and item_known:
            first_row.setdefault(pair, index)
    for pair, kinds in forms.items():
        if len(kinds) > 1:
            _check_overlaps(ctx, periods[pair])
    _check_supply_paths(ctx, first_row)


def _check_overlaps(ctx: Context, spans: list[tuple[date, date, int]]) -> None:
    """Buckets of one store × item must not share days, or those days count twice."""
    spans.sort()
    rows = ctx.config.demands
    latest_end, latest = spans[0][1], spans[0][2]
    for first, last, index in spans[1:]:
        if first <= latest_end:
            this, other = rows[index], rows[latest]
            ctx.add(
                f"{ctx.row('demands', index)}.bucket",
                f"{this.bucket} overlaps {other.bucket} ({ctx.row('demands', latest)}) for "
                f"{this.node_code} × {this.item_code}; those days would count twice",
            )
        if last > latest_end:
            latest_end, latest = last, index


def _check_supply_paths(ctx: Context, first_row: dict[Pair, int]) -> None:
    """A store × item that nothing can replenish only sells its opening stock down.

    That is a warning, not an error: it is a legitimate state (a product being
    phased out at a store) and the original system's own six-month sample has
    one, which scpln must import as it is.
    """
    if not first_row:
        return
    reach = reachable_items(ctx.config)
    for (store, item), index in first_row.items():
        if item not in reach[store]:
            ctx.warn(
                ctx.row("demands", index),
                f"{store} has demand for {item} but no chain of arcs brings it from a factory "
                "that makes it or a supplier that stocks it",
            )


def check_capacities(ctx: Context) -> None:
    rows = ctx.config.capacities
    calendars = {calendar.calendar_code for calendar in ctx.config.calendars}
    keys = ((row.resource_type, row.resource_code, row.bucket) for row in rows)
    ctx.duplicates("capacities", keys, "capacity for the same resource and bucket")
    for index, row in enumerate(rows):
        path = ctx.row("capacities", index)
        kind = row.resource_type
        ctx.one_of(f"{path}.resource_type", kind, RESOURCE_TYPES, "resource type")
        if kind == "item":
            ctx.known_item(f"{path}.resource_code", row.resource_code)
        elif kind in ("node", "supplier") and ctx.known_node(
            f"{path}.resource_code", row.resource_code
        ):
            node_type = ctx.nodes[row.resource_code].node_type
            wanted = ("factory",) if kind == "node" else SUPPLIER_TYPES
            if node_type not in wanted:
                ctx.add(
                    f"{path}.resource_code",
                    f"{row.resource_code} is a {node_type}; a '{kind}' capacity belongs to a "
                    + " or ".join(wanted),
                )
        ctx.bucket(f"{path}.bucket", row.bucket)
        ctx.at_least(f"{path}.capacity", row.capacity)
        if row.calendar_code is not None and row.calendar_code not in calendars:
            ctx.add(f"{path}.calendar_code", f"unknown calendar '{row.calendar_code}'")
        if row.item_code is not None:
            _check_capacity_item(ctx, path, row.resource_type, row.resource_code, row.item_code)


def _check_capacity_item(ctx: Context, path: str, kind: str, node: str, item: str) -> None:
    """An item on a capacity row narrows a supplier's capacity to that item."""
    if kind != "supplier":
        ctx.add(f"{path}.item_code", f"only a supplier capacity names an item, not a '{kind}' one")
        return
    if not ctx.known_item(f"{path}.item_code", item) or node not in ctx.nodes:
        return
    if item not in {p.item_code for p in ctx.nodes[node].inventory_policies}:
        ctx.add(f"{path}.item_code", f"{node} does not supply {item}")
