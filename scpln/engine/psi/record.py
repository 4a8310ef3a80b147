"""What a run records, day by day, and the arrays it hands to frames, costs and KPIs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from . import buffers
from .levels import Level
from .network import NODE_TYPE_ORDER, Network

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
    flows. The rest are float64 per-day side records: arc shipments, factory releases,
    capacity and over-capacity, per-node on-hand (only when storage capacities exist),
    and customer-facing day totals for the KPIs.
    """

    network: Network
    days: int
    history: dict[str, np.ndarray]
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
        self, net: Network, days: int, levels: list[Level], seg_of_day: np.ndarray
    ) -> None:
        size, prod = net.size, net.production
        self.net, self.days, self.levels = net, days, levels
        made = {m: buffers.reusable((days, size), np.float32) for m in METRICS}
        self.history = {m: array for m, (array, _) in made.items()}
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
        h, f = self.history, state.flow
        self.prefault.wait_for(t)
        for name in ("demand", "sales", "shortage", "receipts", "production", "consumption"):
            h[name][t] = f[name]
        h["orders"][t] = f["orders"]
        h["backlog"][t] = state.lane_backlog + state.cust_backlog
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
