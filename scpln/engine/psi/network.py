"""The compiled network: every array the daily kernel reads, and nothing else.

A *node-item* is one item stocked at one node; it is the unit the kernel vectorizes
over. Node-items are ordered by echelon level (customer-facing first), then node code,
then item code, and every per-node-item array below uses that order. A level only ever
receives goods from higher levels, which is what lets one day be processed as a few
whole-array passes instead of a loop over items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

# How a node-item gets new stock.
MODE_NONE = 0  # nothing can supply it: it only sells down what it has
MODE_TRANSFER = 1  # it orders from one upstream node-item over an arc
MODE_PRODUCE = 2  # its node makes it from BOM components
MODE_UNLIMITED = 3  # external source: every unit asked of it is available

# Demand model codes; they also index per-model arrays, so keep them 0, 1, 2.
MODEL_DETERMINISTIC = 0
MODEL_NORMAL = 1
MODEL_POISSON = 2
DEMAND_MODEL_NAMES = ("deterministic", "normal", "poisson")  # in code order
DEMAND_MODELS = {name: code for code, name in enumerate(DEMAND_MODEL_NAMES)}

NODE_TYPE_ORDER = ("store", "warehouse", "factory", "supplier", "material")


@dataclass(frozen=True, eq=False)
class Segments:
    """A day axis cut where any time-varying input (demand, capacity) changes.

    Segment ``j`` covers days ``starts[j] … starts[j+1]-1``; the last one never ends, so
    any day (also beyond the configured horizon) falls in exactly one segment.
    """

    starts: np.ndarray  # int64, strictly increasing, starts[0] == 0

    @property
    def count(self) -> int:
        return len(self.starts)

    def of_days(self, n_days: int) -> np.ndarray:
        """The segment of each day ``0 … n_days-1``."""
        return np.searchsorted(self.starts, np.arange(n_days), side="right") - 1


@dataclass(frozen=True, eq=False)
class DemandSpec:
    """Customer demand per day, piecewise constant over segments.

    ``mean``/``sd``/``model`` are ``(segments, customers)``; column ``c`` belongs to
    node-item ``ni[c]``. ``mean`` and ``sd`` are per-day figures of the stated model
    (before the clipping of normal draws at zero).
    """

    ni: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    model: np.ndarray


@dataclass(frozen=True, eq=False)
class EchelonSpec:
    """Demand streams that reach a node-item ahead of the customers' own days.

    A node-item whose order-up-to level follows the service level (a *base-stock*
    node-item) orders ahead of its demand: over any run of days its orders equal its
    demand of the same days shifted ``lead time + review period`` days later. So what a
    supplier sees is its customers' demand arriving that many days early, added up along
    the way for every base-stock node-item below it. ``ni`` lists the base-stock node-items
    that see some stream early (their levels must look that far ahead); stream ``k`` is
    demand of mean ``mean[:, k]`` and variance ``var[:, k]`` per day (customer days, by
    segment) reaching ``ni[owner[k]]`` ``offset[k]`` days early. Streams are sorted by
    owner. Empty when no base-stock node-item has one below it (then every level reads
    its demand profile on its own days).
    """

    ni: np.ndarray
    owner: np.ndarray
    offset: np.ndarray
    mean: np.ndarray
    var: np.ndarray

    @property
    def max_offset(self) -> int:
        return int(self.offset.max(initial=0))


@dataclass(frozen=True, eq=False)
class Sourcing:
    """Node-items that order from several sources (multi-sourcing rules).

    Their first lane (priority 1, largest share) is their ordinary ``src``/``arc``; every
    other lane is listed here: destination node-item ``dest``, source node-item ``src``,
    ``arc``, ``lead`` time, ``priority`` and ``share``. ``first_priority``/``first_share``
    are per node-item (0 / NaN where no rule applies) and describe the ordinary lane.
    """

    dest: np.ndarray
    src: np.ndarray
    arc: np.ndarray
    lead: np.ndarray
    priority: np.ndarray
    share: np.ndarray
    first_priority: np.ndarray
    first_share: np.ndarray

    @property
    def ruled(self) -> np.ndarray:
        """Node-items with sourcing rules."""
        return np.flatnonzero(self.first_priority > 0)


@dataclass(frozen=True, eq=False)
class LeadTimes:
    """Lanes whose lead time varies (stochastic runs draw it per shipment).

    ``ni`` are the receiving node-items (their ordinary lane), ``days[r]`` the possible
    lead times of lane ``r`` and ``cumulative[r]`` their cumulative probabilities (rows
    padded with the last value and 1.0).
    """

    ni: np.ndarray
    days: np.ndarray
    cumulative: np.ndarray


@dataclass(frozen=True, eq=False)
class SupplySpec:
    """What suppliers may ship a day (``capacities`` of type supplier), per segment.

    ``item_ni`` are node-items with a cap of their own, ``item_cap`` ``(segments, len)``;
    ``node`` are supplier nodes with a cap on all their items together, ``node_cap``
    ``(segments, len)``; ``inf`` where a segment has none.
    """

    item_ni: np.ndarray
    item_cap: np.ndarray
    node: np.ndarray
    node_cap: np.ndarray


@dataclass(frozen=True, eq=False)
class ProductionSpec:
    """Factories, what they make, their capacities and bills of material.

    ``ni`` are the producing node-items (MODE_PRODUCE), ``factory`` the index into
    ``nodes`` of each factory and ``factory_of[p]`` the factory of ``ni[p]``. Capacities
    are units per day; ``inf`` means unlimited. ``node_capacity`` is
    ``(segments, factories)`` because bucket capacities vary over time. BOM edges say
    that making one unit of ``ni[edge_prod]`` consumes ``edge_qty`` of node-item
    ``edge_comp`` (scrap included); edges are sorted by ``edge_prod``.
    """

    factory: np.ndarray
    ni: np.ndarray
    factory_of: np.ndarray
    lead_time: np.ndarray
    item_capacity: np.ndarray  # (segments, producing node-items)
    item_hard: np.ndarray
    node_capacity: np.ndarray
    node_hard: np.ndarray
    edge_prod: np.ndarray
    edge_comp: np.ndarray
    edge_qty: np.ndarray


@dataclass(frozen=True, eq=False)
class CostRates:
    """Money per unit, per unit-day or per day; indexed like the entity they price."""

    # per node-item
    sales_price: np.ndarray
    unit_cost: np.ndarray
    sga: np.ndarray
    storage_variable: np.ndarray
    stockout: np.ndarray
    backorder: np.ndarray
    # per node
    storage_fixed: np.ndarray
    storage_capacity: np.ndarray
    storage_over_fixed: np.ndarray
    storage_over_variable: np.ndarray
    # per producing node-item
    production_variable: np.ndarray
    production_item_fixed: np.ndarray
    production_item_over_fixed: np.ndarray
    production_item_over_variable: np.ndarray
    # per factory
    production_fixed: np.ndarray
    production_over_fixed: np.ndarray
    production_over_variable: np.ndarray
    # per arc
    arc_fixed: np.ndarray
    arc_variable: np.ndarray
    arc_capacity: np.ndarray
    arc_hard: np.ndarray
    arc_over_fixed: np.ndarray
    arc_over_variable: np.ndarray


@dataclass(frozen=True, eq=False)
class Network:
    """A supply network in array form, ready for :func:`scpln.engine.psi.kernel.run_kernel`.

    Replenishment fields are per node-item: ``src`` is the supplying node-item and ``arc``
    the arc used (-1 when not MODE_TRANSFER); ``lead_time`` is the arc's lead time or
    the production lead time. ``reorder_point``/``order_up_to`` are NaN where the level
    comes from the service level and the demand profile (see ``profile_*``):
    ``profile_mean``/``profile_var`` are ``(segments, node-items)`` per-day mean and
    variance of the demand each node-item sees from downstream; ``echelon`` says which part
    of it reaches a node-item ahead of the customers' days.
    """

    horizon_days: int
    start_date: date | None
    node_codes: tuple[str, ...]
    node_types: tuple[str, ...]
    item_codes: tuple[str, ...]
    arc_ends: tuple[tuple[str, str], ...]
    ni_node: np.ndarray
    ni_item: np.ndarray
    level_starts: np.ndarray
    mode: np.ndarray
    src: np.ndarray
    arc: np.ndarray
    lead_time: np.ndarray
    review_period: np.ndarray
    initial: np.ndarray
    reorder_point: np.ndarray
    order_up_to: np.ndarray
    safety_stock: np.ndarray
    order_quantity: np.ndarray  # (R, Q) lot; NaN where the policy is (s, S) or base stock
    z: np.ndarray
    moq: np.ndarray
    multiple: np.ndarray
    lost_sales: np.ndarray
    segments: Segments
    profile_mean: np.ndarray
    profile_var: np.ndarray
    echelon: EchelonSpec
    demand: DemandSpec
    production: ProductionSpec
    costs: CostRates
    # ``working[n, t]``: node n works (produces, ships, receives) on day t; days past the
    # array's end are worked. None when every node works every day.
    working: np.ndarray | None = None
    # Multi-sourcing: None when every node-item orders from one source.
    sourcing: Sourcing | None = None
    # Supplier capacities: None when no supplier is limited.
    supply: SupplySpec | None = None
    # Lead-time variability: None when every lane takes its ``lead_time``.
    lead_times: LeadTimes | None = None

    @property
    def size(self) -> int:
        """Number of node-items."""
        return len(self.ni_node)

    @property
    def levels(self) -> int:
        return len(self.level_starts) - 1

    def index_of(self, node: str, item: str) -> int:
        """The node-item index of ``node``/``item``; ``KeyError`` if it is not stocked there."""
        n = self.node_codes.index(node)
        i = self.item_codes.index(item)
        hits = np.flatnonzero((self.ni_node == n) & (self.ni_item == i))
        if len(hits) == 0:
            raise KeyError(f"{node}/{item} is not a node-item of this network")
        return int(hits[0])

    @property
    def max_lead_time(self) -> int:
        most = int(self.lead_time.max(initial=0))
        if self.sourcing is not None:
            most = max(most, int(self.sourcing.lead.max(initial=0)))
        if self.lead_times is not None:
            most = max(most, int(self.lead_times.days.max(initial=0)))
        return most


def chain_roots(net: Network, ni: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each node-item's chain of ordinary sources (transfer arcs) starts — itself when
    it does not order over an arc — and the days along that chain (the arcs' lead times
    added up). Planning, exceptions and the plan schedule all trace supply back this way;
    a chain is at most as long as the levels."""
    root = np.array(ni, dtype=np.int64)
    lead = np.zeros(len(root), dtype=np.int64)
    for _ in range(net.levels + 1):
        moving = (net.mode[root] == MODE_TRANSFER) & (net.src[root] >= 0)
        if not moving.any():
            break
        lead += np.where(moving, net.lead_time[root], 0)
        root = np.where(moving, net.src[root], root)
    return root, lead
