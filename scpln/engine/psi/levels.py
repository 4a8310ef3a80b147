"""Per-level index sets the kernel reuses every day.

Everything here is derived from the :class:`Network` once per run, so the day loop does
only arithmetic. Index arrays that happen to be contiguous become slices: numpy then
works on views instead of gathering and scattering copies, which is most of the
speed-up for the big store level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import MODE_PRODUCE, MODE_TRANSFER, MODE_UNLIMITED, Network
from .production import LevelProduction

Index = slice | np.ndarray


def as_index(idx: np.ndarray) -> Index:
    """A slice when ``idx`` is a run of consecutive integers, else ``idx`` itself."""
    if len(idx) and int(idx[-1]) - int(idx[0]) == len(idx) - 1:
        return slice(int(idx[0]), int(idx[-1]) + 1)
    return idx


@dataclass(frozen=True, eq=False)
class Level:
    """One echelon level: node-items ``lo … hi-1`` and the lanes they serve."""

    lo: int
    hi: int
    # ordering (pass 1), positions relative to ``lo``
    transfer_local: np.ndarray  # per slice position: does it order over an arc?
    review: np.ndarray | None  # review periods of the slice, None when all daily
    moq: np.ndarray | None  # MOQ and multiples of the slice, None when none apply
    multiple: np.ndarray | None
    lot: np.ndarray | None  # (R, Q) order quantity of the slice (NaN: none), None when none
    base_stock: np.ndarray  # slice positions whose S comes from the service level
    produce_local: np.ndarray  # slice positions of producing node-items
    # shipping (pass 2)
    lanes: Index  # downstream node-items whose source is in this level (global)
    lane_ids: np.ndarray  # the same as an array, for (slot, node-item) pairs
    lane_src: np.ndarray  # their source, relative to ``lo``
    lane_lead: np.ndarray | int  # an int when all lanes share one lead time
    lane_cells: np.ndarray  # flat ring position lead · size + node-item, for day 0
    lane_arc: np.ndarray
    arc_runs: np.ndarray  # starts of runs of consecutive lanes on one arc
    run_arc: np.ndarray  # the arc of each run
    hard_arcs: bool
    production: LevelProduction | None
    unlimited: np.ndarray
    customer_cols: np.ndarray  # columns of DemandSpec
    customers: Index  # their node-items (global)
    lost_sales: np.ndarray | None
    # Customers' review cycles, when any reviews less often than daily (else None): cycle k
    # of a customer with review period R and lead time L is days kR + L … kR + L + R − 1,
    # the days one review's order serves.
    cycle_review: np.ndarray | None
    cycle_offset: np.ndarray | None
    # Multi-sourcing (``Network.sourcing``; None when the level has none): extra lanes
    # ordered by the level's node-items (``alt_in``) and served by them (``alt_out``),
    # indices into the sourcing arrays; ``ruled`` the slice positions with rules.
    alt_in: np.ndarray | None
    alt_out: np.ndarray | None
    ruled: np.ndarray | None

    @property
    def slice(self) -> slice:
        return slice(self.lo, self.hi)


def build_levels(net: Network) -> list[Level]:
    ordering = np.isin(net.mode, (MODE_TRANSFER, MODE_PRODUCE))
    base_stock = ordering & np.isnan(net.order_up_to)
    prod_pos_of = {int(k): p for p, k in enumerate(net.production.ni)}
    out = []
    for lv in range(net.levels):
        lo, hi = (int(x) for x in net.level_starts[lv : lv + 2])
        sl = slice(lo, hi)
        lanes = np.flatnonzero((net.src >= lo) & (net.src < hi))
        produce = lo + np.flatnonzero(net.mode[sl] == MODE_PRODUCE)
        review = net.review_period[sl]
        moq, multiple = net.moq[sl], net.multiple[sl]
        lot = np.where(ordering[sl], net.order_quantity[sl], np.nan)
        rounds = bool((moq > 0).any() or (multiple > 0).any())
        cust = np.flatnonzero((net.demand.ni >= lo) & (net.demand.ni < hi))
        lost = net.lost_sales[net.demand.ni[cust]]
        cust_review = net.review_period[net.demand.ni[cust]]
        cycles = bool((cust_review > 1).any())
        pos = np.array([prod_pos_of[int(k)] for k in produce], np.int64)
        out.append(
            Level(
                lo=lo,
                hi=hi,
                transfer_local=net.mode[sl] == MODE_TRANSFER,
                review=review if (review > 1).any() else None,
                moq=moq if rounds else None,
                multiple=multiple if rounds else None,
                lot=lot if not np.isnan(lot).all() else None,
                base_stock=np.flatnonzero(base_stock[sl]),
                produce_local=produce - lo,
                lanes=as_index(lanes),
                lane_ids=lanes,
                lane_src=net.src[lanes] - lo,
                lane_lead=_uniform(net.lead_time[lanes]),
                lane_cells=net.lead_time[lanes] * net.size + lanes,
                lane_arc=net.arc[lanes],
                arc_runs=_runs(net.arc[lanes]),
                run_arc=net.arc[lanes][_runs(net.arc[lanes])],
                hard_arcs=bool(net.costs.arc_hard[net.arc[lanes]].any()),
                production=LevelProduction.of(net.production, pos, net.mode) if len(pos) else None,
                unlimited=lo + np.flatnonzero(net.mode[sl] == MODE_UNLIMITED),
                customer_cols=cust,
                customers=as_index(net.demand.ni[cust]),
                lost_sales=lost if lost.any() else None,
                cycle_review=np.maximum(cust_review, 1) if cycles else None,
                cycle_offset=net.lead_time[net.demand.ni[cust]] if cycles else None,
                **_sourcing(net, lo, hi),
            )
        )
    return out


def _uniform(values: np.ndarray) -> np.ndarray | int:
    if len(values) and (values == values[0]).all():
        return int(values[0])
    return values


def _runs(values: np.ndarray) -> np.ndarray:
    """Where runs of equal consecutive values start (a store's lanes share one arc)."""
    if len(values) == 0:
        return np.zeros(0, np.int64)
    return np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))


def _sourcing(net: Network, lo: int, hi: int) -> dict[str, np.ndarray | None]:
    rules = net.sourcing
    if rules is None:
        return {"alt_in": None, "alt_out": None, "ruled": None}
    alt_in = np.flatnonzero((rules.dest >= lo) & (rules.dest < hi))
    alt_out = np.flatnonzero((rules.src >= lo) & (rules.src < hi))
    ruled = np.flatnonzero(rules.first_priority[lo:hi] > 0)
    return {
        "alt_in": alt_in if len(alt_in) else None,
        "alt_out": alt_out if len(alt_out) else None,
        "ruled": ruled if len(ruled) else None,
    }
