"""A run's exceptions, computed on the kernel's arrays (no per-row Python over days).

Each pass reads only the columns it needs: customer columns with a shortage, node-items
whose backlog is open at the horizon end, components, factories. On a 200,000 node-item
year that is a handful of whole-array reductions, a few per cent of the run itself.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace
from typing import Any

import numpy as np

from scpln.engine.psi.constraints import unsourced_components
from scpln.engine.psi.network import (
    MODE_NONE,
    MODE_PRODUCE,
    Network,
    chain_roots,
)
from scpln.engine.psi.record import EPS, KernelResult

from .records import ExceptionRecord, Kind, Severity, Thresholds, at

CAPACITY = "capacity"  # a cause_kind: the factory that makes the item is at its capacity


def run_exceptions(kr: KernelResult, thresholds: Thresholds | None = None) -> list[ExceptionRecord]:
    """Every exception of a run (docs/planner-guide.md, *Exceptions*), most urgent first.

    Stock-outs and growing backlogs are traced up their chain of sources to where supply
    ends: a location nothing replenishes (``no_supply_path``), a factory whose bill of
    material has a component nothing supplies (``unsourced_component``) or a factory at its
    capacity (``capacity``). The units short are then charged to those causes, split evenly
    among a stock-out's causes, which is how an unsourced component gets its quantity.
    """
    limits = thresholds or Thresholds()
    net = kr.network
    trace = _Trace.of(kr)
    stockouts = _stockouts(kr, trace, limits)
    records = [
        *stockouts,
        *_backlogs(kr, trace),
        *_unsupplied(kr, trace, stockouts),
        *_component_shortages(kr, trace),
        *_capacity(kr, limits),
        *_excess(kr, limits),
    ]
    return _sorted([_dated(r, net.start_date) for r in records])


def divergence_exceptions(
    *,
    plan_kpis: dict[str, Any],
    run_kpis: dict[str, Any],
    run_records: list[ExceptionRecord],
    thresholds: Thresholds | None = None,
) -> list[ExceptionRecord]:
    """The plan's fill rate vs its run's, when they differ by more than the threshold.

    ``quantity`` is the units of demand the difference amounts to (``|plan − run| ×
    demand``); the cause lists the run's largest stock-outs, the node-items that
    contribute most to what the run served differently.
    """
    limits = thresholds or Thresholds()
    planned, served = plan_kpis.get("fill_rate"), run_kpis.get("fill_rate")
    if not isinstance(planned, int | float) or not isinstance(served, int | float):
        return []
    points = (float(planned) - float(served)) * 100.0
    if abs(points) <= limits.divergence_points:
        return []
    demand = float(run_kpis.get("demand_total") or 0.0)
    top = sorted((r for r in run_records if r.kind == Kind.STOCKOUT), key=lambda r: -r.quantity)[:5]
    return [
        ExceptionRecord(
            kind=Kind.PLAN_RUN_DIVERGENCE,
            node="",
            item="",
            first_day=None,
            last_day=None,
            quantity=abs(points) / 100.0 * demand,
            value=0.0,
            severity=(
                Severity.HIGH if abs(points) > 2 * limits.divergence_points else Severity.MEDIUM
            ),
            cause_kind=Kind.STOCKOUT.value if top else "",
            cause_refs=tuple(f"{r.node}/{r.item}" for r in top),
            detail={
                "metric": "fill_rate",
                "plan": float(planned),
                "run": float(served),
                "points": points,
            },
        )
    ]


class _Trace:
    """Where each node-item's supply chain ends, and why it may not deliver."""

    def __init__(self, net: Network, origin: np.ndarray, unsourced: np.ndarray) -> None:
        self.net = net
        self.origin = origin
        self.unsourced = unsourced
        # product node-item -> its components nothing supplies
        self.blocked_by: dict[int, list[int]] = defaultdict(list)
        spec = net.production
        free = np.isin(spec.edge_comp, unsourced)
        for prod, comp in zip(
            spec.edge_prod[free].tolist(), spec.edge_comp[free].tolist(), strict=True
        ):
            self.blocked_by[prod].append(comp)
        self.capacity_bound: set[int] = set()

    @classmethod
    def of(cls, kr: KernelResult) -> _Trace:
        net = kr.network
        origin, _ = chain_roots(net, np.arange(net.size))
        unsourced = unsourced_components(net)
        trace = cls(net, origin, unsourced)
        # Charge a product's shortfall to the unsourced components that ran out; one that
        # never did was not what stopped it.
        ran_out = (kr.history["on_hand"][:, unsourced] <= EPS).any(axis=0)
        out = set(unsourced[ran_out].tolist())
        for prod, comps in trace.blocked_by.items():
            if any(c in out for c in comps):
                trace.blocked_by[prod] = [c for c in comps if c in out]
        cap, rel = kr.factory_capacity, kr.factory_released
        bound = (np.isfinite(cap) & (cap > 0) & (rel >= cap - EPS)).any(axis=0)
        factories = set(net.production.factory[bound].tolist())
        trace.capacity_bound = {
            int(p) for p in net.production.ni.tolist() if int(net.ni_node[p]) in factories
        }
        return trace

    def label(self, k: int) -> str:
        return (
            f"{self.net.node_codes[self.net.ni_node[k]]}/{self.net.item_codes[self.net.ni_item[k]]}"
        )

    def cause(self, k: int) -> tuple[str, tuple[int, ...]]:
        """What node-item ``k``'s shortfall traces to: a cause kind and node-items."""
        o = int(self.origin[k])
        mode = int(self.net.mode[o])
        if mode == MODE_NONE:
            return Kind.NO_SUPPLY_PATH.value, (o,)
        if mode == MODE_PRODUCE and self.blocked_by.get(o):
            return Kind.UNSOURCED_COMPONENT.value, tuple(self.blocked_by[o])
        if mode == MODE_PRODUCE and o in self.capacity_bound:
            return CAPACITY, (o,)
        return "", ()

    def blame(self, k: int) -> dict[str, Any]:
        """The ``cause_kind`` and ``cause_refs`` of node-item ``k``'s record (``k`` itself
        is not among its causes)."""
        kind, refs = self.cause(k)
        return {"cause_kind": kind, "cause_refs": tuple(self.label(r) for r in refs if r != k)}

    def where(self, k: int) -> tuple[str, str]:
        return self.net.node_codes[self.net.ni_node[k]], self.net.item_codes[self.net.ni_item[k]]


def _first_last(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last row where each column of ``mask`` is true (columns with any)."""
    first = np.argmax(mask, axis=0)
    last = mask.shape[0] - 1 - np.argmax(mask[::-1], axis=0)
    return first, last


def _node_item(
    kr: KernelResult,
    k: int,
    kind: Kind,
    *,
    quantity: float,
    per_unit: np.ndarray,
    last_day: int | None = None,
    **fields: Any,
) -> ExceptionRecord:
    """The record of node-item ``k``: ``quantity`` valued at ``per_unit[k]``, lasting to
    the horizon's end unless ``last_day`` says otherwise."""
    net = kr.network
    return ExceptionRecord(
        kind=kind,
        node=net.node_codes[net.ni_node[k]],
        item=net.item_codes[net.ni_item[k]],
        last_day=kr.days - 1 if last_day is None else last_day,
        quantity=quantity,
        value=quantity * float(per_unit[k]),
        **fields,
    )


def _stockouts(kr: KernelResult, trace: _Trace, limits: Thresholds) -> list[ExceptionRecord]:
    """Customer node-items left short: units short, days out, first and last day."""
    net = kr.network
    cols = np.flatnonzero(kr.customer_shortage > EPS)
    if not len(cols):
        return []
    ni = net.demand.ni[cols]
    out = kr.history["shortage"][:, ni] > EPS
    first, last = _first_last(out)
    days_out = out.sum(axis=0)
    demand = kr.history["demand"][:, ni].sum(axis=0, dtype=np.float64)
    records = []
    for j, k in enumerate(ni.tolist()):
        short = float(kr.customer_shortage[cols[j]])
        share = short / float(demand[j]) if demand[j] > 0 else 1.0
        records.append(
            _node_item(
                kr,
                k,
                Kind.STOCKOUT,
                first_day=int(first[j]),
                last_day=int(last[j]),
                quantity=short,
                per_unit=net.costs.sales_price,
                severity=(
                    Severity.HIGH
                    if share >= limits.stockout_high
                    else Severity.MEDIUM
                    if share >= limits.stockout_medium
                    else Severity.LOW
                ),
                **trace.blame(k),
                detail={
                    "days_out": int(days_out[j]),
                    "demand": float(demand[j]),
                    "short_share": share,
                },
            )
        )
    return records


def _backlogs(kr: KernelResult, trace: _Trace) -> list[ExceptionRecord]:
    """Backlog open at the horizon end and larger than half-way through: still growing."""
    net, backlog = kr.network, kr.history["backlog"]
    end, mid = backlog[-1], backlog[kr.days // 2]
    cols = np.flatnonzero((end > EPS) & (end > mid + EPS))
    if not len(cols):
        return []
    first, _ = _first_last(backlog[:, cols] > EPS)
    records = []
    for j, k in enumerate(cols.tolist()):
        open_end = float(end[k])
        records.append(
            _node_item(
                kr,
                k,
                Kind.BACKLOG_GROWING,
                first_day=int(first[j]),
                quantity=open_end,
                per_unit=net.costs.sales_price,
                severity=Severity.MEDIUM,
                **trace.blame(k),
                detail={"backlog_mid": float(mid[k]), "backlog_end": open_end},
            )
        )
    return records


def _unsupplied(
    kr: KernelResult, trace: _Trace, stockouts: list[ExceptionRecord]
) -> list[ExceptionRecord]:
    """Components and locations nothing replenishes that something needs, with the units
    short charged to them (each stock-out split evenly among its causes)."""
    net = kr.network
    charged: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for r in stockouts:
        if r.cause_kind in (Kind.UNSOURCED_COMPONENT.value, Kind.NO_SUPPLY_PATH.value):
            refs = r.cause_refs or (f"{r.node}/{r.item}",)
            for ref in refs:
                charged[ref][0] += r.quantity / len(refs)
                charged[ref][1] += r.value / len(refs)
    feeds = np.zeros(net.size, bool)
    feeds[net.src[net.src >= 0]] = True
    feeds[net.demand.ni] = True
    comps = np.zeros(net.size, bool)
    comps[trace.unsourced] = True
    stuck = np.flatnonzero((net.mode == MODE_NONE) & (feeds | comps))
    if not len(stuck):
        return []
    empty = kr.history["on_hand"][:, stuck] <= EPS
    first, _ = _first_last(empty)
    ever: np.ndarray = np.asarray(empty.any(axis=0))
    products: dict[int, list[str]] = defaultdict(list)
    spec = net.production
    for prod, comp in zip(spec.edge_prod.tolist(), spec.edge_comp.tolist(), strict=True):
        if comps[comp]:
            products[comp].append(net.item_codes[net.ni_item[prod]])
    records = []
    for j, k in enumerate(stuck.tolist()):
        label = trace.label(k)
        units, value = charged.get(label, (0.0, 0.0))
        node, item = trace.where(k)
        is_comp = bool(comps[k])
        records.append(
            ExceptionRecord(
                kind=Kind.UNSOURCED_COMPONENT if is_comp else Kind.NO_SUPPLY_PATH,
                node=node,
                item=item,
                first_day=int(first[j]) if ever[j] else None,
                last_day=kr.days - 1 if ever[j] else None,
                quantity=units,
                value=value,
                severity=Severity.HIGH if units > EPS else Severity.LOW,
                detail={
                    "opening_stock": float(net.initial[k]),
                    **({"products": sorted(set(products[k]))} if is_comp else {}),
                },
            )
        )
    return records


def _component_shortages(kr: KernelResult, trace: _Trace) -> list[ExceptionRecord]:
    """Products whose factory ran out of a component and then could not ship what was
    ordered of them: units blocked are the orders it could not ship from that day on."""
    net, spec = kr.network, kr.network.production
    if not len(spec.edge_comp):
        return []
    comps = np.unique(spec.edge_comp)
    empty = kr.history["on_hand"][:, comps] <= EPS
    ran_out = empty.any(axis=0)
    first_empty = dict(
        zip(comps.tolist(), np.where(ran_out, np.argmax(empty, axis=0), -1).tolist(), strict=True)
    )
    by_product: dict[int, list[int]] = defaultdict(list)
    for prod, comp in zip(spec.edge_prod.tolist(), spec.edge_comp.tolist(), strict=True):
        if first_empty[comp] >= 0:
            by_product[prod].append(comp)
    records = []
    for prod, short_comps in by_product.items():
        since = min(first_empty[c] for c in short_comps)
        shortage = kr.history["shortage"][since:, prod]
        blocked = float(shortage.sum(dtype=np.float64))
        if blocked <= EPS:
            continue
        records.append(
            _node_item(
                kr,
                prod,
                Kind.COMPONENT_SHORTAGE,
                first_day=since,
                quantity=blocked,
                per_unit=net.costs.sales_price,
                severity=Severity.HIGH,
                cause_kind=(
                    Kind.UNSOURCED_COMPONENT.value
                    if any(c in trace.unsourced for c in short_comps)
                    else Kind.COMPONENT_SHORTAGE.value
                ),
                cause_refs=tuple(trace.label(c) for c in sorted(short_comps)),
                detail={"components": [net.item_codes[net.ni_item[c]] for c in short_comps]},
            )
        )
    return records


def _capacity(kr: KernelResult, limits: Thresholds) -> list[ExceptionRecord]:
    """Factories at or over capacity (load vs capacity, over-capacity used and its cost)
    and factories loaded below the idle threshold."""
    net, spec, costs = kr.network, kr.network.production, kr.network.costs
    records = []
    for f, node in enumerate(spec.factory.tolist()):
        cap, rel, over = kr.factory_capacity[:, f], kr.factory_released[:, f], kr.factory_over[:, f]
        finite = np.isfinite(cap)
        if not finite.all() or cap.sum() <= 0:
            continue
        load, capacity = float(rel.sum()), float(cap.sum())
        utilisation = load / capacity
        full = (cap > 0) & (rel >= cap - EPS)
        code = net.node_codes[node]
        detail = {"load": load, "capacity": capacity, "utilisation": utilisation}
        if full.any():
            first, last = np.flatnonzero(full)[[0, -1]].tolist()
            over_units = float(over.sum())
            over_days = int((over > EPS).sum())
            cost = over_units * float(costs.production_over_variable[f]) + over_days * float(
                costs.production_over_fixed[f]
            )
            records.append(
                ExceptionRecord(
                    kind=Kind.CAPACITY_OVERLOAD,
                    node=code,
                    item="",
                    first_day=first,
                    last_day=last,
                    quantity=over_units,
                    value=cost,
                    severity=Severity.HIGH if full.mean() >= 0.25 else Severity.MEDIUM,
                    detail={**detail, "days_at_capacity": int(full.sum()), "days_over": over_days},
                )
            )
        elif utilisation < limits.idle_utilisation:
            records.append(
                ExceptionRecord(
                    kind=Kind.CAPACITY_IDLE,
                    node=code,
                    item="",
                    first_day=0,
                    last_day=kr.days - 1,
                    quantity=capacity - load,
                    value=0.0,
                    severity=Severity.LOW,
                    detail=detail,
                )
            )
    return records


def _excess(kr: KernelResult, limits: Thresholds) -> list[ExceptionRecord]:
    """Stock at the horizon end above ``excess_cover_days`` of its average daily outflow
    or above its policy's order-up-to level (whichever is lower), and stock that nothing
    draws from at all (dead stock)."""
    net, history = kr.network, kr.history
    end = history["on_hand"][-1].astype(np.float64)
    held = end > EPS
    if not held.any():
        return []
    outflow = history["sales"].sum(axis=0, dtype=np.float64)
    outflow += history["consumption"].sum(axis=0, dtype=np.float64)
    daily = outflow / kr.days
    cover_limit = limits.excess_cover_days * daily
    policy_max = np.where(np.isfinite(net.order_up_to), net.order_up_to, np.inf)
    limit = np.minimum(cover_limit, policy_max)
    dead = held & (outflow <= EPS)
    excess = held & ~dead & (end > limit + EPS)
    records = []
    for k in np.flatnonzero(dead).tolist():
        records.append(
            _node_item(
                kr,
                k,
                Kind.DEAD_STOCK,
                first_day=0,
                quantity=float(end[k]),
                per_unit=net.costs.unit_cost,
                severity=Severity.LOW,
            )
        )
    cols = np.flatnonzero(excess)
    if len(cols):
        above = history["on_hand"][:, cols] > limit[cols]
        first, _ = _first_last(above)
        for j, k in enumerate(cols.tolist()):
            units = float(end[k] - limit[k])
            records.append(
                _node_item(
                    kr,
                    k,
                    Kind.EXCESS_INVENTORY,
                    first_day=int(first[j]),
                    quantity=units,
                    per_unit=net.costs.unit_cost,
                    severity=Severity.LOW,
                    detail={
                        "on_hand_end": float(end[k]),
                        "cover_days": float(end[k] / daily[k]),
                        "limit": float(limit[k]),
                    },
                )
            )
    return records


def _dated(record: ExceptionRecord, start: dt.date | None) -> ExceptionRecord:
    if start is None:
        return record
    return replace(
        record, first_date=at(start, record.first_day), last_date=at(start, record.last_day)
    )


def _sorted(records: list[ExceptionRecord]) -> list[ExceptionRecord]:
    return sorted(records, key=lambda r: (-r.severity.rank, -r.value, -r.quantity, r.node, r.item))
