"""From a :class:`NetworkBuilder`'s declarations to the :class:`Network` arrays.

Per-node-item values are read from the declarations in one pass each and then handled
as arrays; node, item and arc settings are gathered per entity and spread by index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from .network import (
    MODE_NONE,
    MODE_PRODUCE,
    MODE_TRANSFER,
    MODE_UNLIMITED,
    CostRates,
    EchelonSpec,
    LeadTimes,
    Network,
    ProductionSpec,
    Segments,
    Sourcing,
    SupplySpec,
)
from .timeline import customer_demand, segment_range, segments_of
from .topology import choose_sources, demand_profiles, echelon_levels, echelon_streams

if TYPE_CHECKING:
    from .builder import ArcDecl, NetworkBuilder, NodeDecl, StockRows


@dataclass(frozen=True)
class _Keys:
    """The node-items by code: finds (node, item) pairs without a dict of 200,000 tuples."""

    node_codes: tuple[str, ...]  # sorted
    item_codes: tuple[str, ...]  # sorted
    node_ix: dict[str, int]
    item_ix: dict[str, int]
    ni_node: np.ndarray  # per node-item, its node and item (indexes into the codes)
    ni_item: np.ndarray
    codes: np.ndarray  # node × items + item of each node-item, ascending
    position: np.ndarray  # the node-item's index, per code

    @staticmethod
    def of(
        node_codes: tuple[str, ...],
        item_codes: tuple[str, ...],
        ni_node: np.ndarray,
        ni_item: np.ndarray,
    ) -> _Keys:
        """The node-items ``ni_node``, ``ni_item``, sorted by node, then item."""
        return _Keys(
            node_codes,
            item_codes,
            {c: i for i, c in enumerate(node_codes)},
            {c: i for i, c in enumerate(item_codes)},
            ni_node,
            ni_item,
            ni_node * len(item_codes) + ni_item,
            np.arange(len(ni_node)),
        )

    def renumbered(self, order: np.ndarray, new_of: np.ndarray) -> _Keys:
        """The same node-items, node-item ``order[k]`` now numbered ``k`` (``new_of`` the
        inverse)."""
        return replace(
            self,
            ni_node=self.ni_node[order],
            ni_item=self.ni_item[order],
            position=new_of[self.position],
        )

    def pair(self, k: int | np.integer) -> tuple[str, str]:
        """Node-item ``k`` as (node code, item code)."""
        return self.node_codes[self.ni_node[k]], self.item_codes[self.ni_item[k]]

    def find(self, pairs: Iterable[tuple[str, str]]) -> np.ndarray:
        """The index of each (node code, item code), -1 where there is no such node-item."""
        known = [(self.node_ix.get(n, -1), self.item_ix.get(i, -1)) for n, i in pairs]
        table = np.array(known, np.int64).reshape(-1, 2)
        return self.find_codes(table[:, 0], table[:, 1])

    def find_codes(self, node: np.ndarray, item: np.ndarray) -> np.ndarray:
        """:meth:`find` for node and item indexes (-1: unknown)."""
        wanted = np.where((node >= 0) & (item >= 0), node * len(self.item_codes) + item, -1)
        if not len(self.codes):
            return np.full(len(wanted), -1, np.int64)
        at = np.minimum(np.searchsorted(self.codes, wanted), len(self.codes) - 1)
        return np.where((wanted >= 0) & (self.codes[at] == wanted), self.position[at], -1)


def assemble(b: NetworkBuilder) -> Network:
    demand_rows, stock_rows = b.demand_rows(), b.stock_rows()
    ni_node, ni_item = b.node_items(demand_rows, stock_rows)
    size = len(ni_node)
    node_codes, item_codes = tuple(sorted(b.nodes)), tuple(sorted(b.items))
    keys = _Keys.of(node_codes, item_codes, ni_node, ni_item)
    node_ix = keys.node_ix
    arc_ends = [(node_ix[a.from_node], node_ix[a.to_node], a.lead_time) for a in b.arcs]
    src, arc = choose_sources(ni_node, ni_item, len(item_codes), arc_ends)
    mode = np.where(src >= 0, MODE_TRANSFER, MODE_NONE).astype(np.int8)
    mode[keys.find(b.produces)] = MODE_PRODUCE
    unlimited = np.array([b.nodes[c].unlimited for c in node_codes], bool)
    mode[unlimited[ni_node]] = MODE_UNLIMITED
    src = np.where(mode == MODE_TRANSFER, src, -1)
    arc = np.where(mode == MODE_TRANSFER, arc, -1)

    rules = _rule_lanes(b, keys, mode, src, arc)
    edges = [
        (node, parent, child, qty)
        for (node, parent) in sorted(b.produces)
        for child, qty in b.boms.get(parent, ())
    ]
    e_prod = keys.find((e[0], e[1]) for e in edges)
    e_comp = keys.find((e[0], e[2]) for e in edges)
    e_qty = np.array([e[3] for e in edges], np.float64)
    # A multi-sourced node-item passes its demand to each source like a BOM edge passes a
    # product's to a component: times the lane's share (priority 1; fallbacks get none).
    r_dest, r_src, r_weight = rules.flows()
    level = echelon_levels(
        size, rules.single(src), np.concatenate([e_prod, r_dest]), np.concatenate([e_comp, r_src])
    )

    # Renumber node-items by (level, node code, item code); keys are already sorted.
    order = np.argsort(level, kind="stable")
    new_of = np.empty(size, np.int64)
    new_of[order] = np.arange(size)
    keys = keys.renumbered(order, new_of)
    mode, level, arc = mode[order], level[order], arc[order]
    ni_node, ni_item = ni_node[order], ni_item[order]
    src = np.where(src[order] >= 0, new_of[np.maximum(src[order], 0)], -1)
    e_prod, e_comp = new_of[e_prod], new_of[e_comp]
    rules = rules.renumbered(new_of)
    r_dest, r_src, r_weight = rules.flows()
    by_prod = np.argsort(e_prod, kind="stable")
    e_prod, e_comp, e_qty = e_prod[by_prod], e_comp[by_prod], e_qty[by_prod]

    nodes = [b.nodes[c] for c in node_codes]

    windows = [(w.first_day, w.last_day) for w in [*b.capacities, *b.supply_windows]]
    segments = segments_of(demand_rows, windows)
    ni_of = np.full((len(node_codes), len(item_codes)), -1, np.int64)
    ni_of[ni_node, ni_item] = np.arange(size)
    demand, cust_var = customer_demand(demand_rows, segments, ni_of, node_codes, item_codes)
    mean = np.zeros((segments.count, size))
    var = np.zeros((segments.count, size))
    mean[:, demand.ni] = demand.mean
    var[:, demand.ni] = cust_var
    flow_prod = np.concatenate([e_prod, r_dest])
    flow_comp = np.concatenate([e_comp, r_src])
    flow_qty = np.concatenate([e_qty, r_weight])
    single = rules.single(src)
    profile_mean, profile_var = demand_profiles(
        level, single, flow_prod, flow_comp, flow_qty, mean, var
    )

    stock = _stock_table(stock_rows, keys, size)
    moq, multiple = _lot_rules(b, arc, ni_item, item_codes, stock)
    production = _production(b, keys, mode, segments, node_codes, e_prod, e_comp, e_qty)
    lead_time = np.zeros(size, np.int64)
    transfer = np.flatnonzero(mode == MODE_TRANSFER)
    lead_time[transfer] = np.array([a.lead_time for a in b.arcs], np.int64)[arc[transfer]]
    lead_time[production.ni] = production.lead_time
    s, up_to = stock["reorder_point"], stock["order_up_to"]

    def per_node(name: str) -> np.ndarray:
        return np.array([getattr(n, name) for n in nodes])[ni_node]

    review = per_node("review_period").astype(np.int64)
    ordering = np.isin(mode, (MODE_TRANSFER, MODE_PRODUCE))
    base_stock = ordering & np.isnan(s) & np.isnan(up_to)
    streams = echelon_streams(
        level,
        single,
        flow_prod,
        flow_comp,
        flow_qty,
        demand.ni,
        demand.mean,
        cust_var,
        base_stock,
        lead_time + review,
    )

    return Network(
        horizon_days=b.horizon_days,
        start_date=b.start_date,
        node_codes=node_codes,
        node_types=tuple(n.node_type for n in nodes),
        item_codes=item_codes,
        arc_ends=tuple((a.from_node, a.to_node) for a in b.arcs),
        ni_node=ni_node.astype(np.int32),
        ni_item=ni_item.astype(np.int32),
        level_starts=np.searchsorted(level, np.arange(int(level.max(initial=-1)) + 2)),
        mode=mode,
        src=src,
        arc=arc,
        lead_time=lead_time,
        review_period=review,
        initial=stock["initial"],
        # Only a reorder point or only an order-up-to level: a base stock at that level.
        reorder_point=np.where(np.isnan(s), up_to, s),
        order_up_to=np.where(np.isnan(up_to), s, up_to),
        safety_stock=stock["safety_stock"],
        order_quantity=stock["order_quantity"],
        z=per_node("z").astype(np.float64),
        moq=moq,
        multiple=multiple,
        lost_sales=per_node("lost_sales").astype(bool),
        segments=segments,
        profile_mean=profile_mean,
        profile_var=profile_var,
        echelon=EchelonSpec(*streams),
        demand=demand,
        production=production,
        costs=_costs(b, stock, node_codes, ni_node, ni_item, item_codes, keys, production),
        working=_working(nodes),
        sourcing=rules.spec(size, [a.lead_time for a in b.arcs]),
        lead_times=_lead_times(arcs=b.arcs, arc=arc),
        supply=_supply(b, segments, keys=keys),
    )


def _supply(
    b: NetworkBuilder,
    segments: Segments,
    *,
    keys: _Keys,
) -> SupplySpec | None:
    """Supplier caps per segment (the smallest where windows overlap)."""
    if not b.supply_windows:
        return None
    items = sorted({w.key for w in b.supply_windows if len(w.key) == 2})
    nodes = sorted({w.key[0] for w in b.supply_windows if len(w.key) == 1})
    item_ni = keys.find(items)
    missing = [key for key, k in zip(items, item_ni.tolist(), strict=True) if k < 0]
    if missing:
        raise ValueError(f"supplier capacity for an item the supplier does not stock: {missing}")
    item_cap = np.full((segments.count, len(items)), np.inf)
    node_cap = np.full((segments.count, len(nodes)), np.inf)
    for w in b.supply_windows:
        seg = segment_range(segments, w.first_day, w.last_day)
        if len(w.key) == 2:
            col = items.index(w.key)
            item_cap[seg, col] = np.minimum(item_cap[seg, col], w.values[0])
        else:
            col = nodes.index(w.key[0])
            node_cap[seg, col] = np.minimum(node_cap[seg, col], w.values[0])
    return SupplySpec(
        item_ni=item_ni,
        item_cap=item_cap,
        node=np.array([keys.node_ix[n] for n in nodes], np.int64),
        node_cap=node_cap,
    )


def _working(nodes: list[NodeDecl]) -> np.ndarray | None:
    """Nodes × days worked, padded with worked days; None when no node has a calendar."""
    calendars = [n.working for n in nodes]
    if all(c is None for c in calendars):
        return None
    span = max(len(c) for c in calendars if c is not None)
    out = np.ones((len(nodes), span), bool)
    for n, days in enumerate(calendars):
        if days is not None:
            out[n, : len(days)] = days
    return out


def _stock_table(rows: StockRows, keys: _Keys, size: int) -> dict[str, np.ndarray]:
    """Policy fields per node-item (its last policy; the defaults where it has none); NaN
    where a level or rate is not given."""
    at = keys.find_codes(rows.node_codes(keys.node_codes), rows.item_codes(keys.item_codes))
    which = np.full(size, -1, np.int64)
    np.maximum.at(which, at, np.arange(len(rows)))
    return rows.fields_of(which)


def _lot_rules(
    b: NetworkBuilder,
    arc: np.ndarray,
    ni_item: np.ndarray,
    item_codes: tuple[str, ...],
    stock: dict[str, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """MOQ and order multiple combining the policy's and the arc's (per item) rules.

    The larger MOQ applies. Whole multiples combine to their least common multiple, so
    an order satisfies both; fractional ones cannot be reconciled exactly and the
    larger wins.
    """
    arc_moq = np.zeros(len(arc))
    arc_multiple = np.zeros(len(arc))
    ruled = np.array([bool(a.moq or a.multiple) for a in b.arcs] + [False])  # [-1]: no arc
    for k in np.flatnonzero(ruled[arc]).tolist():
        rules, item = b.arcs[arc[k]], item_codes[ni_item[k]]
        arc_moq[k] = rules.moq.get(item, 0.0)
        arc_multiple[k] = rules.multiple.get(item, 0.0)
    moq = np.maximum(stock["moq"], arc_moq)
    a, c = stock["multiple"], arc_multiple
    whole = (a > 0) & (c > 0) & (a == np.round(a)) & (c == np.round(c))
    lcm = np.lcm(np.where(whole, a, 1).astype(np.int64), np.where(whole, c, 1).astype(np.int64))
    multiple = np.where(whole, lcm.astype(np.float64), np.maximum(a, c))
    return moq, multiple


def _production(
    b: NetworkBuilder,
    keys: _Keys,
    mode: np.ndarray,
    segments: Segments,
    node_codes: tuple[str, ...],
    e_prod: np.ndarray,
    e_comp: np.ndarray,
    e_qty: np.ndarray,
) -> ProductionSpec:
    prod = np.flatnonzero(mode == MODE_PRODUCE)
    factory_codes = sorted({keys.pair(k)[0] for k in prod})
    f_of = {c: f for f, c in enumerate(factory_codes)}
    decls = [b.produces[keys.pair(k)] for k in prod]
    p_of = {keys.pair(k): p for p, k in enumerate(prod)}
    item_cap = np.tile(np.array([d.capacity for d in decls], float), (segments.count, 1))
    node_cap = np.tile(
        np.array([b.factories[c].capacity for c in factory_codes], float), (segments.count, 1)
    )
    for w in b.capacities:
        seg = segment_range(segments, w.first_day, w.last_day)
        if len(w.key) == 1 and w.key[0] in f_of:
            f = f_of[w.key[0]]
            node_cap[seg, f] = np.minimum(node_cap[seg, f], w.values[0])
        elif len(w.key) == 2 and (w.key[0], w.key[1]) in p_of:
            p = p_of[(w.key[0], w.key[1])]
            item_cap[seg, p] = np.minimum(item_cap[seg, p], w.values[0])
    return ProductionSpec(
        factory=np.array([node_codes.index(c) for c in factory_codes], np.int64),
        ni=prod.astype(np.int64),
        factory_of=np.array([f_of[keys.pair(k)[0]] for k in prod], np.int64),
        lead_time=np.array([d.lead_time for d in decls], np.int64),
        item_capacity=item_cap,
        item_hard=np.array([d.hard_capacity for d in decls], bool),
        node_capacity=node_cap,
        node_hard=np.array([b.factories[c].hard_capacity for c in factory_codes], bool),
        edge_prod=e_prod,
        edge_comp=e_comp,
        edge_qty=e_qty,
    )


def _costs(
    b: NetworkBuilder,
    stock: dict[str, np.ndarray],
    node_codes: tuple[str, ...],
    ni_node: np.ndarray,
    ni_item: np.ndarray,
    item_codes: tuple[str, ...],
    keys: _Keys,
    production: ProductionSpec,
) -> CostRates:
    items = [b.items[c] for c in item_codes]
    nodes = [b.nodes[c] for c in node_codes]
    prod = [b.produces[keys.pair(k)] for k in production.ni]
    factories = [b.factories[node_codes[n]] for n in production.factory]
    factory_of = production.factory_of

    def entity(values: list, name: str) -> np.ndarray:
        return np.array([getattr(v, name) for v in values], np.float64)

    def own_or(name: str, fallback: np.ndarray) -> np.ndarray:
        return np.where(np.isnan(stock[name]), fallback, stock[name])

    item_rate = {name: entity(items, name)[ni_item] for name in ("sales_price", "unit_cost", "sga")}
    factory_variable = entity(factories, "cost_variable")[factory_of] if prod else np.zeros(0)
    item_variable = np.array(
        [np.nan if d.cost_variable is None else d.cost_variable for d in prod], np.float64
    )
    return CostRates(
        sales_price=item_rate["sales_price"],
        unit_cost=item_rate["unit_cost"],
        sga=item_rate["sga"],
        storage_variable=stock["storage_cost"],
        stockout=own_or("stockout_cost", entity(nodes, "stockout_cost")[ni_node]),
        backorder=own_or("backorder_cost", entity(nodes, "backorder_cost")[ni_node]),
        storage_fixed=entity(nodes, "storage_fixed"),
        storage_capacity=entity(nodes, "storage_capacity"),
        storage_over_fixed=entity(nodes, "storage_over_fixed"),
        storage_over_variable=entity(nodes, "storage_over_variable"),
        production_variable=np.where(np.isnan(item_variable), factory_variable, item_variable),
        production_item_fixed=entity(prod, "cost_fixed"),
        production_item_over_fixed=entity(prod, "over_fixed"),
        production_item_over_variable=entity(prod, "over_variable"),
        production_fixed=entity(factories, "cost_fixed"),
        production_over_fixed=entity(factories, "over_fixed"),
        production_over_variable=entity(factories, "over_variable"),
        arc_fixed=entity(b.arcs, "cost_fixed"),
        arc_variable=entity(b.arcs, "cost_variable"),
        arc_capacity=entity(b.arcs, "capacity"),
        arc_hard=np.array([a.hard_capacity for a in b.arcs], bool),
        arc_over_fixed=entity(b.arcs, "over_fixed"),
        arc_over_variable=entity(b.arcs, "over_variable"),
    )


@dataclass
class _RuleLanes:
    """The lanes of multi-sourced node-items while the network is assembled: per lane its
    destination and source node-item, arc, priority and share; ``first`` marks each
    destination's ordinary lane (the one ``src``/``arc`` hold)."""

    dest: np.ndarray
    src: np.ndarray
    arc: np.ndarray
    priority: np.ndarray
    share: np.ndarray
    first: np.ndarray

    def flows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Lanes as demand flows (dest → src, weight): the share at priority 1, else 0."""
        return self.dest, self.src, np.where(self.priority == 1, self.share, 0.0)

    def single(self, src: np.ndarray) -> np.ndarray:
        """``src`` without the multi-sourced node-items (their lanes are flows instead)."""
        out = src.copy()
        out[self.dest] = -1
        return out

    def renumbered(self, new_of: np.ndarray) -> _RuleLanes:
        return _RuleLanes(
            new_of[self.dest], new_of[self.src], self.arc, self.priority, self.share, self.first
        )

    def spec(self, size: int, arc_lead: list[int]) -> Sourcing | None:
        if len(self.dest) == 0:
            return None
        first_priority = np.zeros(size, np.int64)
        first_share = np.full(size, np.nan)
        first_priority[self.dest[self.first]] = self.priority[self.first]
        first_share[self.dest[self.first]] = self.share[self.first]
        other = ~self.first
        return Sourcing(
            dest=self.dest[other],
            src=self.src[other],
            arc=self.arc[other],
            lead=np.array(arc_lead, np.int64)[self.arc[other]] if other.any() else self.arc[other],
            priority=self.priority[other],
            share=self.share[other],
            first_priority=first_priority,
            first_share=first_share,
        )


def _rule_lanes(
    b: NetworkBuilder,
    keys: _Keys,
    mode: np.ndarray,
    src: np.ndarray,
    arc: np.ndarray,
) -> _RuleLanes:
    """Resolve the sourcing rules; the first lane of each node-item (lowest priority,
    largest share, then source code) becomes its ``src``/``arc`` (changed in place)."""
    arc_of = {(a.from_node, a.to_node): i for i, a in enumerate(b.arcs)}
    lanes = []
    ordered = sorted(b.rules, key=lambda r: (r[0], r[1], r[3], -r[4], r[2]))
    dests = keys.find((r[0], r[1]) for r in ordered).tolist()
    sources = keys.find((r[2], r[1]) for r in ordered).tolist()
    for (node, item, source, priority, share), d, s in zip(ordered, dests, sources, strict=True):
        if d < 0 or s < 0:
            raise ValueError(f"sourcing rule {node} × {item} ← {source}: no such node-item")
        if (source, node) not in arc_of:
            raise ValueError(f"sourcing rule {node} × {item} ← {source}: no arc")
        lanes.append((d, s, arc_of[(source, node)], priority, share))
    table = np.array(lanes, dtype=np.float64).reshape(len(lanes), 5)
    dest = table[:, 0].astype(np.int64)
    first = np.concatenate([[True], dest[1:] != dest[:-1]]) if len(dest) else np.zeros(0, bool)
    lane_src = table[:, 1].astype(np.int64)
    lane_arc = table[:, 2].astype(np.int64)
    if len(dest):
        if np.isin(mode[dest], (MODE_PRODUCE, MODE_UNLIMITED)).any():
            raise ValueError("a sourcing rule names a node-item that makes or supplies the item")
        mode[dest[first]] = MODE_TRANSFER
        src[dest[first]] = lane_src[first]
        arc[dest[first]] = lane_arc[first]
    return _RuleLanes(dest, lane_src, lane_arc, table[:, 3].astype(np.int64), table[:, 4], first)


def _lead_times(*, arcs: list[ArcDecl], arc: np.ndarray) -> LeadTimes | None:
    """The lanes (by receiving node-item) of arcs with a lead-time distribution."""
    varied = [a for a, decl in enumerate(arcs) if decl.lead_time_distribution]
    if not varied:
        return None
    ni = np.flatnonzero(np.isin(arc, varied))
    width = max(len(arcs[a].lead_time_distribution) for a in varied)
    days = np.zeros((len(ni), width), np.int64)
    cumulative = np.ones((len(ni), width))
    for row, k in enumerate(ni.tolist()):
        table = sorted(arcs[int(arc[k])].lead_time_distribution.items())
        values = np.array([d for d, _ in table], np.int64)
        days[row] = np.concatenate([values, np.full(width - len(values), values[-1])])
        total = np.cumsum([p for _, p in table])
        cumulative[row, : len(table)] = total / total[-1]
    return LeadTimes(ni=ni, days=days, cumulative=cumulative)
