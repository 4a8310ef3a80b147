"""What a run records, day by day, and the arrays it hands to frames, costs and KPIs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from . import buffers
from .levels import Index, Level
from .network import MODE_PRODUCE, MODE_UNLIMITED, NODE_TYPE_ORDER, Network

EPS = 1e-9  # below this many units nothing happened (no fixed charge, no stockout)
METRICS = (
    "demand",
    "sales",
    "shortage",
    "backlog",
    "receipts",
    "production",
    "consumption",
    "on_hand",
    "in_transit",
    "orders",
)
# ``cycles``: customer review cycles that ended that day (one a customer a day under daily
# review); ``in_stock``: those of them in which nothing was left unfilled.
CUSTOMER_DAY = ("demand", "sales", "shortage", "backlog", "cycles", "in_stock", "stockouts")


# A metric that only some node-items can ever move is recorded at those alone when they are
# at most this share of the network (elsewhere a gather costs more than it saves).
_SPARSE_SHARE = 0.75


def recorded_columns(
    net: Network, derived: DerivedDemand | None = None
) -> dict[str, np.ndarray | None]:
    """Per metric, the node-items whose record is stored (None: every node-item).

    Only producing and unlimited node-items and components produce (components are
    supplied in material-unconstrained runs), only components are consumed, and only
    suppliers and backorder customers carry a backlog (a lost-sales customer's stays
    zero); everywhere else these records are zero by construction, so they are not
    stored: at 200,000 node-items that is 0.7 GB of fresh memory less to fault in. With
    ``derived`` (a deterministic run) a customer's demand is an input
    (:class:`DerivedDemand`), so demand is stored only at the other node-items, mostly
    suppliers (the orders they receive): 0.29 GB less at 200,000.
    """
    comps = net.production.edge_comp
    sources = net.src[net.src >= 0]
    if net.sourcing is not None:
        sources = np.concatenate([sources, net.sourcing.src])
    customers = net.demand.ni[~net.lost_sales[net.demand.ni]]
    movers = np.flatnonzero((net.mode == MODE_PRODUCE) | (net.mode == MODE_UNLIMITED))
    support = {
        "production": np.concatenate([net.production.ni, movers, comps]),
        "consumption": comps,
        "backlog": np.concatenate([sources, customers]),
    }
    if derived is not None:
        customers = np.ones(net.size, bool)
        customers[derived.ni] = False
        support["demand"] = np.concatenate([sources, net.demand.ni[customers[net.demand.ni]]])
    out: dict[str, np.ndarray | None] = dict.fromkeys(METRICS)
    for metric, ids in support.items():
        # sorted and unique (``np.unique`` hashes: 0.3 s over 200,000 node-items)
        present = np.zeros(net.size, bool)
        present[ids] = True
        if np.count_nonzero(present) <= _SPARSE_SHARE * net.size:
            out[metric] = np.flatnonzero(present)
    return out


@dataclass(frozen=True, eq=False)
class DerivedDemand:
    """The demand records of a deterministic run's customers that supply nobody.

    Such a node-item's demand on day ``t`` is its customer's mean of that day's segment
    (``DemandSpec.mean``), which both loops record as the float32 of ``0.0 + mean``; so it
    is made from the network on read, the same values to the bit, instead of being stored.
    A node-item that supplies lanes (its demand adds the orders it receives) or has more
    than one customer column is stored as usual.
    """

    ni: np.ndarray  # node-items, ascending
    col: np.ndarray  # their customer columns

    @classmethod
    def of(cls, net: Network) -> DerivedDemand:
        ni = net.demand.ni.astype(np.int64)
        once = np.bincount(ni, minlength=net.size) == 1
        once[net.src[net.src >= 0]] = False
        if net.sourcing is not None:
            once[net.sourcing.src] = False
        cols = np.flatnonzero(once[ni])
        order = np.argsort(ni[cols], kind="stable")
        return cls(ni[cols][order], cols[order])

    def values(self, mean: np.ndarray, seg_of_day: np.ndarray, at: np.ndarray) -> np.ndarray:
        """The records ``(len(seg_of_day), len(at))`` of ``ni[at]`` on the days whose
        segments are ``seg_of_day``."""
        return self._per_segment(mean, at)[seg_of_day]

    def fill(self, whole: np.ndarray, mean: np.ndarray, seg_of_day: np.ndarray) -> None:
        """Write the records into the ``(days, node-items)`` table, a day at a time (no
        ``(days, customers)`` temporary; the stores are usually one range of columns)."""
        ni = self.ni
        into: Index = ni
        if len(ni) and ni[-1] - ni[0] + 1 == len(ni):
            into = slice(int(ni[0]), int(ni[-1]) + 1)
        per_segment = self._per_segment(mean, slice(None))
        for t, seg in enumerate(seg_of_day):
            whole[t, into] = per_segment[seg]

    def _per_segment(self, mean: np.ndarray, at: Index) -> np.ndarray:
        # ``0.0 + mean`` as the loops add it to a zeroed flow (a -0.0 mean records 0.0)
        return (mean[:, self.col[at]] + 0.0).astype(np.float32)


def _positions(ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``wanted`` sits in the ascending ``ids``, and whether it is there."""
    if not len(ids):
        return np.zeros(len(wanted), np.int64), np.zeros(len(wanted), bool)
    at = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
    return at, ids[at] == wanted


class History(Mapping[str, np.ndarray]):
    """The recorded metrics: ``history[metric]`` is ``(days, node-items)`` float32.

    A metric with ``columns[metric]`` set is stored only at those node-items (``stored``,
    ``(days, len(columns))``); elsewhere it is zero by construction
    (:func:`recorded_columns`) or, for ``demand`` with ``derived`` set, the customers'
    demand (:class:`DerivedDemand`). Its whole table is built on first access and then
    replaces the stored part (so a reader of the PSI table does not hold both).
    :meth:`take` reads node-items' columns without building it.
    """

    def __init__(
        self,
        stored: dict[str, np.ndarray],
        columns: dict[str, np.ndarray | None],
        size: int,
        derived: tuple[DerivedDemand, np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """``derived``: the derived demand, ``DemandSpec.mean`` and the segment of each
        recorded day."""
        self.stored, self.columns, self.size = stored, dict(columns), size
        self.derived = derived

    def __getitem__(self, metric: str) -> np.ndarray:
        cols = self.columns[metric]
        if cols is not None:
            part = self.stored[metric]
            whole = buffers.zeros((part.shape[0], self.size), np.float32)
            whole[:, cols] = part
            if metric == "demand" and self.derived is not None:
                spec, mean, seg_of_day = self.derived
                spec.fill(whole, mean, seg_of_day)
            self.stored[metric], self.columns[metric] = whole, None
        return self.stored[metric]

    def __iter__(self) -> Iterator[str]:
        return iter(self.stored)

    def __len__(self) -> int:
        return len(self.stored)

    def take(self, metric: str, ids: Index, rows: slice = slice(None)) -> np.ndarray:
        """``history[metric][rows, ids]`` without building a sparsely stored table."""
        cols = self.columns[metric]
        part = self.stored[metric][rows]
        if cols is None:
            # ``take`` gathers columns about twice as fast as fancy indexing
            return part[:, ids] if isinstance(ids, slice) else np.take(part, ids, axis=1)
        wanted = np.arange(self.size)[ids] if isinstance(ids, slice) else ids
        at, present = _positions(cols, wanted)
        if present.all():
            return np.take(part, at, axis=1)
        out = np.zeros((part.shape[0], len(wanted)), np.float32)
        out[:, present] = np.take(part, at[present], axis=1)
        if metric == "demand" and self.derived is not None:
            spec, mean, seg_of_day = self.derived
            at, made = _positions(spec.ni, wanted)
            out[:, made] = spec.values(mean, seg_of_day[rows], at[made])
        return out


class DayState(Protocol):
    """Stocks and the running day's flows, per node-item: what the recorder reads."""

    on_hand: np.ndarray
    in_transit: np.ndarray
    lane_backlog: np.ndarray
    cust_backlog: np.ndarray
    flow: dict[str, np.ndarray]
    factory_today: np.ndarray


@dataclass(eq=False)
class KernelResult:
    """Everything recorded by a run, as arrays; frames, costs and KPIs derive from it.

    ``history[metric]`` is ``(days, node-items)`` float32, end-of-day stocks and daily
    flows (:class:`History`). The rest are float64 per-day side records: arc shipments,
    factory releases, capacity and over-capacity, per-node on-hand (only when storage
    capacities exist), and customer-facing day totals for the KPIs.
    """

    network: Network
    days: int
    history: History
    arc_shipped: np.ndarray
    factory_released: np.ndarray
    factory_capacity: np.ndarray
    factory_over: np.ndarray
    item_over: np.ndarray
    node_on_hand: np.ndarray | None
    customer_sales_mixed: np.ndarray
    mixed_cols: np.ndarray
    on_hand_by_type: np.ndarray
    customer_day: dict[str, np.ndarray]
    customer_shortage: np.ndarray


class Recorder:
    """Allocates the records of a run and writes each day's end-of-day values."""

    def __init__(
        self,
        net: Network,
        days: int,
        levels: list[Level],
        seg_of_day: np.ndarray,
        *,
        stochastic: bool,
    ) -> None:
        size, prod = net.size, net.production
        self.net, self.days, self.levels = net, days, levels
        derived = None if stochastic else DerivedDemand.of(net)
        self.columns = recorded_columns(net, derived)
        made = {
            m: buffers.reusable((days, size if c is None else len(c)), np.float32)
            for m, c in self.columns.items()
        }
        stored = {m: array for m, (array, _) in made.items()}
        by_day = None  # demand made from the network where it is not stored
        if derived is not None and self.columns["demand"] is not None:
            by_day = (derived, net.demand.mean, seg_of_day[:days])
        self.history = History(stored, self.columns, size, by_day)
        cold = [array for array, warm in made.values() if not warm]
        self.prefault = buffers.RowPrefault(cold, days)
        self.arc_shipped = np.zeros((days, len(net.arc_ends)))
        self.factory_released = np.zeros((days, len(prod.factory)))
        self.factory_over = np.zeros((days, len(prod.factory)))
        self.item_over = np.zeros((days, len(prod.ni)))
        self.factory_capacity = prod.node_capacity[seg_of_day[:days]]
        tracks_nodes = bool(np.isfinite(net.costs.storage_capacity).any())
        self.node_on_hand = np.zeros((days, len(net.node_codes))) if tracks_nodes else None
        types = np.array([NODE_TYPE_ORDER.index(t) for t in net.node_types], np.int64)
        self.type_of = types[net.ni_node]
        # A level of one node type throughout (the usual case) sums its on-hand directly.
        self.level_type = [
            int(self.type_of[lv.lo])
            if (self.type_of[lv.slice] == self.type_of[lv.lo]).all()
            else -1
            for lv in levels
        ]
        self.on_hand_by_type = np.zeros((days, len(NODE_TYPE_ORDER)))
        self.customer_day = {k: np.zeros(days) for k in CUSTOMER_DAY}
        self.customer_shortage = np.zeros(len(net.demand.ni))
        # Customers whose node-item also supplies other nodes: their sales column mixes
        # both, so the customer part is kept apart for revenue.
        has_lanes = np.zeros(size, bool)
        has_lanes[net.src[net.src >= 0]] = True
        self.mixed_cols = np.flatnonzero(has_lanes[net.demand.ni])
        self.customer_sales_mixed = np.zeros((days, len(self.mixed_cols)), np.float32)
        self.mixed_by_level = []
        for lv in levels:
            mixed = np.isin(lv.customer_cols, self.mixed_cols)
            where = np.searchsorted(self.mixed_cols, lv.customer_cols[mixed])
            self.mixed_by_level.append((np.flatnonzero(mixed), where))

    def write(self, t: int, state: DayState, segment: int) -> None:
        h, f = self.history.stored, state.flow
        self.prefault.wait_for(t)
        for name in ("demand", "sales", "shortage", "receipts", "production", "consumption"):
            self._store(h[name], t, name, f[name])
        h["orders"][t] = f["orders"]
        cols = self.columns["backlog"]
        if cols is None:
            h["backlog"][t] = state.lane_backlog + state.cust_backlog
        else:
            h["backlog"][t] = state.lane_backlog[cols] + state.cust_backlog[cols]
        h["on_hand"][t] = state.on_hand
        h["in_transit"][t] = state.in_transit
        spec = self.net.production
        self.factory_released[t] = state.factory_today
        over = np.maximum(state.factory_today - spec.node_capacity[segment], 0.0)
        self.factory_over[t] = np.where(spec.node_hard, 0.0, over)
        for lv, kind in zip(self.levels, self.level_type, strict=True):
            if kind >= 0:
                self.on_hand_by_type[t, kind] += state.on_hand[lv.slice].sum()
            else:
                self.on_hand_by_type[t] += np.bincount(
                    self.type_of[lv.slice],
                    state.on_hand[lv.slice],
                    minlength=len(NODE_TYPE_ORDER),
                )
        if self.node_on_hand is not None:
            self.node_on_hand[t] = np.bincount(
                self.net.ni_node, state.on_hand, minlength=len(self.net.node_codes)
            )

    def _store(self, record: np.ndarray, t: int, metric: str, values: np.ndarray) -> None:
        cols = self.columns[metric]
        record[t] = values if cols is None else values[cols]

    def result(self) -> KernelResult:
        return KernelResult(
            network=self.net,
            days=self.days,
            history=self.history,
            arc_shipped=self.arc_shipped,
            factory_released=self.factory_released,
            factory_capacity=self.factory_capacity,
            factory_over=self.factory_over,
            item_over=self.item_over,
            node_on_hand=self.node_on_hand,
            customer_sales_mixed=self.customer_sales_mixed,
            mixed_cols=self.mixed_cols,
            on_hand_by_type=self.on_hand_by_type,
            customer_day=self.customer_day,
            customer_shortage=self.customer_shortage,
        )
