"""A canonical-1.0 config as the simulator's :class:`Network` (how each field is used).

- Items: ``unit_cost`` (COGS), ``attributes.sales_price`` (revenue),
  ``attributes.sgna_cost_per_unit`` (SG&A), ``lead_time_days`` (production lead time).
- Nodes: ``service_level`` (default 0.95) for order-up-to levels computed from demand,
  ``review_period_days`` (0 or 1: daily), ``unlimited_supply``, lost sales when
  ``attributes.lost_sales`` is true or ``attributes.backorder_enabled`` false, penalty
  rates from ``attributes``, storage cost and capacity fields.
- Inventory policies: opening stock (× ``initial_inventory_scale``), reorder point,
  order-up-to or order quantity ((R, Q)), safety stock, MOQ, order multiple, storage,
  stockout and backorder cost (the last two override the node's rates).
- Production policies: the item-less row is the factory (capacity per day shared by
  its items, fixed/variable/over-capacity costs); an item row caps and prices that
  item (its variable cost replaces the factory's when positive). What a factory makes
  follows :func:`scpln.engine.canonical.network.produced_items`.
- Arcs: lead time (drawn from ``lead_time_distribution`` in stochastic runs), daily
  capacity (hard unless ``allow_over_capacity``), transport and over-capacity costs,
  per-item MOQ and multiples.
- Sourcing rules: a node × item with rules orders from their sources by priority and
  share (the first is its ordinary source) instead of the shortest-lead-time one.
- Capacities: rows of ``resource_type`` ``node`` naming a factory cap its daily
  capacity over the bucket at the bucket total spread over its calendar days (the
  smaller of this and the policy capacity applies); rows of type ``item`` do the same
  for that item at every factory making it. Rows of type ``supplier`` cap what a
  supplier ships a day (of one item with ``item_code``, else of all its items together).
  Workcenter rows feed the planner only.
- Demands: bucket totals spread evenly over the bucket's calendar days
  (:class:`scpln.engine.canonical.BucketSpan`).
- Calendars: a node naming one (``calendar_code``) produces, ships and receives only on
  its working days; a factory's capacity rows are spread over its working days.
  Hierarchies are not used by the simulation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from scpln.engine.canonical import (
    BucketSpan,
    CanonicalConfig,
    Capacity,
    Demand,
    Node,
    bucket_period,
    bucket_span,
)
from scpln.engine.canonical.calendars import WorkingCalendar, working_calendar
from scpln.engine.canonical.loader import no_cyclic_gc
from scpln.engine.canonical.network import produced_items
from scpln.engine.canonical.table import table_of

from .builder import DemandRows, NetworkBuilder, StockRows
from .network import DEMAND_MODEL_NAMES, Network

DEFAULT_SERVICE_LEVEL = 0.95
# Demand and capacity are read this far past the simulated days, so order-up-to levels
# near the end still see the buckets that follow.
LOOKAHEAD_DAYS = 366


def compile_network(config: CanonicalConfig, *, days: int | None = None) -> Network:
    """The array form of a (validated) config, for ``days`` days (default: its horizon)."""
    with no_cyclic_gc():
        return _compile(config, days)


def _compile(config: CanonicalConfig, days: int | None) -> Network:
    horizon = days if days is not None else config.horizon_days
    reach = horizon + LOOKAHEAD_DAYS
    b = NetworkBuilder(horizon_days=horizon, start_date=config.start_date)
    for item in config.items:
        b.item(
            item.code,
            sales_price=item.sales_price,
            unit_cost=item.unit_cost,
            sga=item.sgna_cost_per_unit,
        )
    lead_times = {item.code: item.lead_time_days for item in config.items}
    products = [item.code for item in config.items if item.item_type == "product"]
    for node in config.nodes:
        _node(b, node, lead_times, products)
    b.stock_table(_stock_rows(config))
    for arc in config.arcs:
        b.arc(
            arc.from_node,
            arc.to_node,
            lead_time=arc.lead_time_days,
            capacity=_limit(arc.capacity_per_day),
            hard_capacity=not arc.allow_over_capacity,
            cost_fixed=arc.transportation_cost_fixed,
            cost_variable=arc.transportation_cost_variable,
            over_fixed=arc.over_capacity_fixed_cost,
            over_variable=arc.over_capacity_variable_cost,
            moq=dict(arc.min_order_qty),
            multiple=dict(arc.order_multiple),
            lead_time_distribution={int(k): v for k, v in arc.lead_time_distribution.items()},
        )
    for line in config.bom:
        b.bom(line.parent_item, line.child_item, quantity=line.quantity, scrap=line.scrap_rate)
    for rule in config.sourcing_rules:
        b.source(
            rule.node_code, rule.item_code, rule.from_node, priority=rule.priority, share=rule.share
        )
    b.demand_table(_demand_rows(config, reach))
    calendars = _calendars(b, config, reach)
    _capacities(b, config, reach, calendars)
    return b.build()


def _calendars(
    b: NetworkBuilder, config: CanonicalConfig, reach: int
) -> dict[str, WorkingCalendar]:
    """Give every node that names a calendar its working days; node code → calendar."""
    by_code = {c.calendar_code: working_calendar(c.definition) for c in config.calendars}
    out: dict[str, WorkingCalendar] = {}
    for node in config.nodes:
        if node.calendar_code is not None:
            out[node.code] = by_code[node.calendar_code]
            b.calendar(node.code, out[node.code].working_days(config.start_date, reach))
    return out


def _demand_rows(config: CanonicalConfig, reach: int) -> DemandRows:
    """Demand rows as daily figures, column-wise (a big config has millions of rows).

    Read from the config's demand columns (``RowTable``): codes stay integer codes, each
    distinct bucket is dated once, and no row becomes an object.
    """
    table = table_of(Demand, config.demands)
    # Sorted as the network orders them, so the rows need no recoding there.
    nodes = tuple(sorted(n.code for n in config.nodes))
    items = tuple(sorted(i.code for i in config.items))
    bucket, buckets = table.text("bucket")
    spans = [bucket_span(str(code), config.start_date, reach) for code in buckets]
    first = np.array([s.first_day if s else 0 for s in spans], np.int64)
    last = np.array([s.last_day if s else -1 for s in spans], np.int64)
    period = np.array([s.period_days if s else 1 for s in spans], np.float64)[bucket]
    return DemandRows(
        node=_codes(*table.text("node_code"), nodes),
        node_labels=nodes,
        item=_codes(*table.text("item_code"), items),
        item_labels=items,
        model=_codes(*table.text("demand_model"), DEMAND_MODEL_NAMES),
        first_day=first[bucket],
        last_day=last[bucket],
        mean=table.number("mean") / period,
        sd=table.number("std_dev") / np.sqrt(period),
    )


def _codes(codes: np.ndarray, values: Sequence[str], labels: tuple[str, ...]) -> np.ndarray:
    """Codes into ``values`` as indexes into ``labels``."""
    index = {label: i for i, label in enumerate(labels)}
    try:
        lookup = np.array([index[value] for value in values], np.int64)
    except KeyError as exc:
        raise ValueError(f"a demand row names the unknown code {exc.args[0]!r}") from None
    return lookup[codes] if len(codes) else np.zeros(0, np.int64)


def _stock_rows(config: CanonicalConfig) -> StockRows:
    """Every node's inventory policies column-wise: a 200k network has 200,000, and a
    declaration (or a row of ten values) per policy took most of compiling it. Each field
    is read by a comprehension of its own: twice as fast as ``attrgetter`` on these
    slotted dataclasses."""
    nodes = config.nodes
    ps = [p for node in nodes for p in node.inventory_policies]
    codes = [p.item_code for p in ps]
    items = tuple(dict.fromkeys(codes))
    index = {code: i for i, code in enumerate(items)}
    nan, lot = math.nan, 0.0  # unset: a level or rate is NaN, an MOQ or multiple 0
    columns = (  # in ``builder.STOCK_FIELDS`` order
        _floats([p.initial_inventory for p in ps], nan),
        _floats([p.reorder_point for p in ps], nan),
        _floats([p.order_up_to for p in ps], nan),
        _floats([p.safety_stock for p in ps], nan),
        _floats([p.min_order_qty for p in ps], lot),
        _floats([p.order_multiple for p in ps], lot),
        _floats([p.storage_cost for p in ps], nan),
        _floats([p.stockout_cost for p in ps], nan),
        _floats([p.backorder_cost for p in ps], nan),
        _floats([p.order_quantity for p in ps], nan),
    )
    values = np.stack(columns, axis=1)
    for j in (4, 5):  # ``value or 0.0``: a zero MOQ or multiple is +0.0
        values[values[:, j] == 0.0, j] = 0.0
    values[:, 0] *= config.initial_inventory_scale  # config.opening_stock, read once
    return StockRows(
        node=np.repeat(np.arange(len(nodes)), [len(n.inventory_policies) for n in nodes]),
        node_labels=tuple(n.code for n in nodes),
        item=np.fromiter(map(index.__getitem__, codes), np.int64, len(codes)),
        item_labels=items,
        values=values,
    )


def _floats(values: list[float | None], null: float) -> np.ndarray:
    """Numbers as float64, ``null`` for None. A column of nothing but None (an unset level,
    the usual case) is not converted value by value: numpy takes ten times as long over
    None as over numbers."""
    nulls = values.count(None)
    if nulls == len(values):
        return np.full(len(values), null)
    if nulls:
        values = [null if v is None else v for v in values]
    return np.array(values, np.float64)


def _limit(value: float | None) -> float:
    return math.inf if value is None else float(value)


def _node(
    b: NetworkBuilder,
    node: Node,
    lead_times: dict[str, int],
    products: list[str],
) -> None:
    b.node(
        node.code,
        node.node_type,
        unlimited=node.unlimited_supply,
        lost_sales=node.lost_sales or not node.backorder_enabled,
        review_period=node.review_period_days,
        service_level=(
            node.service_level if node.service_level is not None else DEFAULT_SERVICE_LEVEL
        ),
        stockout_cost=node.stockout_cost_per_unit,
        backorder_cost=node.backorder_cost_per_unit_per_day,
        storage_fixed=node.storage_cost_fixed,
        storage_capacity=_limit(node.storage_capacity),
        storage_over_fixed=node.storage_over_capacity_fixed_cost,
        storage_over_variable=node.storage_over_capacity_variable_cost,
    )
    if node.node_type != "factory":
        return
    general = next((p for p in node.production_policies if p.item_code is None), None)
    if general is not None:
        b.factory(
            node.code,
            capacity=_limit(general.production_capacity),
            hard_capacity=not general.allow_over_capacity,
            cost_fixed=general.production_cost_fixed,
            cost_variable=general.production_cost_variable,
            over_fixed=general.over_capacity_fixed_cost,
            over_variable=general.over_capacity_variable_cost,
        )
    by_item = {p.item_code: p for p in node.production_policies if p.item_code is not None}
    for item in sorted(produced_items(node, products)):
        own = by_item.get(item)
        b.produce(
            node.code,
            item,
            lead_time=lead_times.get(item, 0),
            capacity=_limit(own.production_capacity) if own else math.inf,
            hard_capacity=bool(own and not own.allow_over_capacity),
            cost_fixed=own.production_cost_fixed if own else 0.0,
            cost_variable=(
                own.production_cost_variable if own and own.production_cost_variable > 0 else None
            ),
            over_fixed=own.over_capacity_fixed_cost if own else 0.0,
            over_variable=own.over_capacity_variable_cost if own else 0.0,
        )


def _capacities(
    b: NetworkBuilder,
    config: CanonicalConfig,
    reach: int,
    calendars: dict[str, WorkingCalendar],
) -> None:
    """Capacity rows as daily caps: a bucket's total over its calendar days, or over its
    working days at a node with a calendar (it makes and ships nothing on the others)."""
    makers: dict[str, list[str]] = {}
    for node, item in b.produces:
        makers.setdefault(item, []).append(node)
    start = config.start_date

    def daily(node: str, row: Capacity, span: BucketSpan) -> float:
        calendar = calendars.get(node)
        if calendar is None:
            return span.daily_mean(row.capacity)
        worked = calendar.count(*bucket_period(row.bucket, start))
        return row.capacity / worked if worked else 0.0

    for row in config.capacities:
        span = bucket_span(row.bucket, start, reach)
        if span is None:
            continue
        first, last = span.first_day, span.last_day
        if row.resource_type == "supplier" and row.resource_code in b.nodes:
            node = row.resource_code
            b.supply_window(
                node,
                first_day=first,
                last_day=last,
                capacity=daily(node, row, span),
                item=row.item_code,
            )
        elif row.resource_type == "node" and row.resource_code in b.factories:
            node = row.resource_code
            b.capacity_window(node, first_day=first, last_day=last, capacity=daily(node, row, span))
        elif row.resource_type == "item":
            for node in makers.get(row.resource_code, ()):
                b.capacity_window(
                    node,
                    item=row.resource_code,
                    first_day=first,
                    last_day=last,
                    capacity=daily(node, row, span),
                )
