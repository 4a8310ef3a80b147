"""Which day loop runs a simulation, and the driver of the compiled one.

The numpy day loop (:mod:`.kernel`) is the reference: dozens of whole-array passes per
level and day. The compiled loop (:mod:`.fused_loop`, Numba) runs the same arithmetic
in one pass per level and day over the same state and gives bit-identical results
(the tests compare both on every reference config). The environment variable
``SCPLN_PSI_KERNEL`` picks one:

- ``auto`` (default): compiled when Numba is importable, the network uses only what
  the compiled loop implements, and the compiled loop is already loaded in this process
  (workers load it as their pool processes start: ``SCPLN_PSI_PRELOAD``,
  ``api.load_compiled_loop``), or the run has at least ``SCPLN_PSI_COMPILED_FROM``
  node-item-days (unset by default). A fresh process pays 0.5–2 s to import Numba and
  load the cached machine code, more than the numpy loop needs for a small network, so a
  one-off process (a test) stays on numpy — the CLI passes 50 M node-item-days as the
  threshold of its run (``simulate_network(compiled_from=…)``, :mod:`.command`), where the
  compiled loop wins that back, and ``SCPLN_PSI_COMPILED_FROM`` overrides it;
- ``numpy``: always the numpy loop;
- ``compiled``: the compiled loop, and an error when it cannot run this network.

The compiled loop does not implement multi-sourcing rules and the day-0 releases of
lead-time-unconstrained plans: :func:`unsupported` names them and ``auto`` takes numpy
for such runs.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .environment import whole_number
from .record import CUSTOMER_DAY, KernelResult

if TYPE_CHECKING:
    from .kernel import _Kernel
    from .network import Network
    from .plan import Schedule

KERNEL_ENV = "SCPLN_PSI_KERNEL"
CHOICES = ("auto", "numpy", "compiled")
THRESHOLD_ENV = "SCPLN_PSI_COMPILED_FROM"


def kernel_choice() -> str:
    """The day loop asked for by ``SCPLN_PSI_KERNEL`` (read at every run, not at import)."""
    choice = os.environ.get(KERNEL_ENV, "auto").strip().lower() or "auto"
    if choice not in CHOICES:
        raise ValueError(f"{KERNEL_ENV} must be one of {', '.join(CHOICES)}, not {choice!r}")
    return choice


def compiled_from() -> int | None:
    """Node-item-days from which ``auto`` compiles in a process that has not yet (None:
    only once loaded)."""
    return whole_number(THRESHOLD_ENV, "node-item-days")


def numba_available() -> bool:
    """Whether Numba can be imported (it is a dependency; a stripped install may lack it)."""
    return importlib.util.find_spec("numba") is not None


def compiled_loaded() -> bool:
    """Whether this process already runs the compiled loop (its machine code is loaded).

    A worker's loader thread may be importing the module meanwhile (``api.load_compiled_loop``):
    until then it is in ``sys.modules`` without ``run_days``."""
    run_days = getattr(sys.modules.get(f"{__package__}.fused_loop"), "run_days", None)
    return run_days is not None and bool(run_days.signatures)


def unsupported(net: Network, *, schedule: Schedule | None) -> str | None:
    """Why the compiled loop cannot run this network, or None when it can."""
    if schedule is not None and len(schedule.early[0]):
        return "plan releases due before the run (lead-time-unconstrained plans)"
    if net.sourcing is not None:
        return "multi-sourcing rules"
    return None


def use_compiled(
    net: Network, *, days: int, schedule: Schedule | None, threshold: int | None = None
) -> bool:
    """Whether this run takes the compiled loop (see the module docstring). ``threshold``:
    the node-item-days from which ``auto`` compiles when ``SCPLN_PSI_COMPILED_FROM`` is
    not set (the caller knows whether its process pays Numba's loading; the environment,
    set by whoever runs it, wins)."""
    choice = kernel_choice()
    if choice == "numpy":
        return False
    reason = unsupported(net, schedule=schedule)
    if choice == "compiled":
        if not numba_available():
            raise RuntimeError(f"{KERNEL_ENV}=compiled but numba is not installed")
        if reason is not None:
            raise ValueError(f"{KERNEL_ENV}=compiled: the compiled loop does not model {reason}")
        return True
    if reason is not None or not numba_available():
        return False
    from_environment = compiled_from()
    if from_environment is not None:
        threshold = from_environment
    return compiled_loaded() or (threshold is not None and net.size * days >= threshold)


def _concat(parts: list[np.ndarray], dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated per-level arrays and their offsets (``ptr[i] … ptr[i + 1]``)."""
    ptr = np.zeros(len(parts) + 1, np.int64)
    ptr[1:] = np.cumsum([len(p) for p in parts])
    if not parts:
        return np.zeros(0, dtype), ptr
    return np.concatenate([np.asarray(p, dtype) for p in parts]).astype(dtype), ptr


def stores_fusable(
    lv_lo: np.ndarray,
    lv_hi: np.ndarray,
    lv_flags: np.ndarray,
    prod_ptr: np.ndarray,
    unl_ptr: np.ndarray,
    sup_ptr: np.ndarray,
    cust_ptr: np.ndarray,
    c_ni_of: np.ndarray,
    c_mixed: np.ndarray,
) -> bool:
    """Whether level 0 is a level of stores the compiled loop receives, serves and records
    in one pass (the store pass of ``fused_loop.run_days``): every node-item of it has one customer,
    in order, and it supplies nobody (so no customer's sales mix with shipments), produces
    nothing and has no unlimited source or supplier cap, so nothing else happens there
    between its receipts and the record."""
    if len(lv_lo) == 0 or lv_lo[0] != 0 or lv_hi[0] == 0:
        return False
    if lv_flags[0, 4] or prod_ptr[1] > prod_ptr[0] or unl_ptr[1] > unl_ptr[0]:
        return False
    if sup_ptr[1] > sup_ptr[0] or cust_ptr[0] != 0 or cust_ptr[1] != lv_hi[0]:
        return False
    if (c_mixed[: cust_ptr[1]] >= 0).any():
        return False
    return bool(np.array_equal(c_ni_of[: cust_ptr[1]], np.arange(lv_hi[0])))


def run_compiled(k: _Kernel, days: int, progress: Callable[[float], None] | None) -> KernelResult:
    """Run the day loop of ``k`` (set up by ``_Kernel``) compiled, in chunks of days.

    Chunks end where the numpy loop reports progress (about a hundred times a run), and
    each waits for the rows the prefault helper has not yet touched.
    """
    from .fused_loop import BLOCK, pairwise_leaves, run_days

    net, levels, rec = k.net, k.levels, k.rec
    n_levels = len(levels)
    i64 = np.int64
    lv_lo = np.array([lv.lo for lv in levels], i64)
    lv_hi = np.array([lv.hi for lv in levels], i64)
    lv_flags = np.array(
        [
            (
                lv.lot is not None,
                lv.review is not None,
                lv.moq is not None,
                lv.hard_arcs,
                len(lv.lane_ids) > 0,
            )
            for lv in levels
        ],
        np.bool_,
    ).reshape(n_levels, 5)
    bs_local, bs_ptr = _concat([lv.base_stock for lv in levels], i64)
    lane_ni, lane_ptr = _concat([lv.lane_ids for lv in levels], i64)
    lane_arc, _ = _concat([lv.lane_arc for lv in levels], i64)
    run_start, run_ptr = _concat([lane_ptr[i] + lv.arc_runs for i, lv in enumerate(levels)], i64)
    run_arc, _ = _concat([lv.run_arc for lv in levels], i64)
    unl_ni, unl_ptr = _concat([lv.unlimited for lv in levels], i64)
    lot = np.concatenate(
        [lv.lot if lv.lot is not None else np.full(lv.hi - lv.lo, np.nan) for lv in levels]
    ).astype(np.float64)
    mode_transfer, _ = _concat([lv.transfer_local for lv in levels], np.bool_)
    prods = [lv.production for lv in levels]
    none = np.zeros(0, i64)
    p_ni, prod_ptr = _concat([lp.ni if lp else none for lp in prods], i64)
    p_pos, _ = _concat([lp.pos if lp else none for lp in prods], i64)
    p_factory, _ = _concat([lp.factory_of if lp else none for lp in prods], i64)
    p_lead, _ = _concat([lp.lead_time if lp else none for lp in prods], i64)
    p_item_hard, _ = _concat([lp.item_hard if lp else none for lp in prods], np.bool_)
    e_prod, edge_ptr = _concat([lp.edge_pos if lp else none for lp in prods], i64)
    e_comp, _ = _concat([lp.edge_comp if lp else none for lp in prods], i64)
    e_qty, _ = _concat([lp.edge_qty if lp else none for lp in prods], np.float64)
    c_ni, comp_ptr = _concat([lp.comps if lp else none for lp in prods], i64)
    c_free, _ = _concat(
        [
            (lp.free if lp.free is not None else np.zeros(len(lp.comps), bool)) if lp else none
            for lp in prods
        ],
        np.bool_,
    )
    c_col, cust_ptr = _concat([lv.customer_cols for lv in levels], i64)
    n_cust = len(c_col)
    c_ni_of = net.demand.ni[c_col].astype(i64)
    c_lost = np.zeros(n_cust, np.bool_)
    c_unlimited = np.zeros(n_cust, np.bool_)
    c_mixed = np.full(n_cust, -1, i64)
    cycle_review = np.ones(n_cust, i64)
    cycle_offset = np.zeros(n_cust, i64)
    lv_cust_flags = np.zeros((n_levels, 3), np.bool_)
    for i, lv in enumerate(levels):
        c0, c1 = cust_ptr[i], cust_ptr[i + 1]
        if lv.lost_sales is not None:
            c_lost[c0:c1] = lv.lost_sales
            lv_cust_flags[i, 0] = True
        unlimited = k.unlimited_customers[i]
        if unlimited is not None:
            c_unlimited[c0:c1] = unlimited
            lv_cust_flags[i, 1] = True
        if lv.cycle_review is not None and lv.cycle_offset is not None:
            cycle_review[c0:c1] = lv.cycle_review
            cycle_offset[c0:c1] = lv.cycle_offset
            lv_cust_flags[i, 2] = True
        local, where = rec.mixed_by_level[i]
        c_mixed[c0 + local] = where
    cycle_failed = np.zeros(n_cust, np.bool_)
    owing = np.array(k.owing, np.bool_)
    # The customer day totals live in one (7, days) array; the recorder's dict views it.
    customer_day = np.zeros((len(CUSTOMER_DAY), days))
    rec.customer_day = {name: customer_day[j] for j, name in enumerate(CUSTOMER_DAY)}
    node_on_hand = rec.node_on_hand if rec.node_on_hand is not None else np.zeros((0, 0))
    n_arcs = len(net.arc_ends)
    widest = max(net.size, len(lane_ni), n_cust, len(p_ni), len(c_ni), 1)
    scratch = np.zeros((6, widest))
    acc = np.zeros(net.size)
    supply = net.supply
    n_caps = len(supply.node) if supply is not None else 0
    acc2 = np.zeros(max(n_arcs, len(k.capacity_left), rec.on_hand_by_type.shape[1], n_caps, 1))
    # supplier capacities, per level (``_SupplyLevel``)
    capped = k.supply
    sup_ni, sup_ptr = _concat([c.ni if c is not None else none for c in capped], i64)
    sup_item_col = np.full(len(sup_ni), -1, i64)
    sup_node_col = np.full(len(sup_ni), -1, i64)
    for i, c in enumerate(capped):
        if c is not None:
            sup_item_col[sup_ptr[i] + c.item_at] = c.item_col
            sup_node_col[sup_ptr[i] + c.node_at] = c.node_col
    empty_caps = np.zeros((0, 0))
    # lead-time distributions: drawn only in stochastic runs, per level (``_Kernel.varied``)
    lane_var_row = np.full(len(lane_ni), -1, i64)
    lane_var_col = np.zeros(len(lane_ni), i64)
    var_ptr = np.zeros(n_levels + 1, i64)
    for i, lv in enumerate(levels):
        varied = k.varied.get(lv.lo) if k.rng is not None else None
        var_ptr[i + 1] = var_ptr[i]
        if varied is not None:
            at, rows = varied
            lane_var_row[lane_ptr[i] + at] = rows
            lane_var_col[lane_ptr[i] + at] = var_ptr[i] + np.arange(len(at))
            var_ptr[i + 1] += len(at)
    leads = net.lead_times
    lt_days = leads.days.astype(i64) if leads is not None else np.zeros((0, 1), i64)
    lt_cum = leads.cumulative if leads is not None else np.zeros((0, 1))
    spec, costs = net.production, net.costs

    # the plan's releases by day, as offsets (``Schedule.by_day``)
    due = [k.schedule.get(t, (none, np.zeros(0))) for t in range(days)]
    sched_pos, sched_ptr = _concat([pos for pos, _ in due], i64)
    sched_qty, _ = _concat([qty for _, qty in due], np.float64)

    bs = k.targets
    bs_python = np.array([bs.reads_streams(i) for i in range(n_levels)], np.bool_)
    echelon_levels = [i for i in range(n_levels) if bs_python[i]]
    # Chunks end where progress is reported (about a hundred a run) and where rows the
    # prefault helper has not touched yet begin; without either, one call runs every day.
    step = max(1, days // 100) if progress is not None or rec.prefault.active else days
    targets = np.zeros((step, len(bs_local) if bs_python.any() else 0))
    drawn = np.zeros((step, n_cust)) if k.rng is not None else np.zeros((0, 0))
    u_drawn = np.zeros((step, var_ptr[-1]))
    h = rec.history.stored

    fuse_stores = stores_fusable(
        lv_lo, lv_hi, lv_flags, prod_ptr, unl_ptr, sup_ptr, cust_ptr, c_ni_of, c_mixed
    )
    leaf_sizes = pairwise_leaves(int(lv_hi[0] - lv_lo[0])) if fuse_stores else none
    leaf_buf = np.zeros((5, BLOCK))
    leaf_sums = np.zeros((5, len(leaf_sizes)))

    def cols(metric: str) -> np.ndarray:
        picked = rec.columns[metric]
        return none if picked is None else picked

    args = (
        days,
        k.horizon,
        k.seg_of_day,
        k.on_hand,
        k.in_transit,
        k.on_order,
        k.lane_backlog,
        k.cust_backlog,
        k.req_new,
        k.ordered,
        k.order_up_to,
        k.reorder_point,
        k.ring,
        k.flow["demand"],
        k.flow["sales"],
        k.flow["shortage"],
        k.flow["receipts"],
        k.flow["production"],
        k.flow["consumption"],
        k.flow["orders"],
        net.src.astype(i64),
        mode_transfer,
        net.lead_time.astype(i64),
        net.moq.astype(np.float64),
        net.multiple.astype(np.float64),
        lot,
        net.review_period.astype(i64),
        lv_lo,
        lv_hi,
        lv_flags,
        bs_ptr,
        bs_local,
        targets,
        bs_python,
        bs.constant,
        bs.window.astype(i64),
        bs.z,
        bs.safety,
        # (segments, base-stock node-items): made C-ordered, a day's row is contiguous, and
        # every network passes the loop the same array types (a single-segment or single
        # node-item network's are both C and F contiguous, a larger one's F: the loop loaded
        # on a tiny network, ``api.load_compiled_loop``, was compiled again for them)
        *(np.ascontiguousarray(a) for a in (bs.cum_mean, bs.mean, bs.cum_var, bs.var)),
        net.segments.starts.astype(i64),
        lane_ptr,
        lane_ni,
        lane_arc,
        run_ptr,
        run_start,
        run_arc,
        costs.arc_hard.astype(np.bool_),
        costs.arc_capacity.astype(np.float64),
        unl_ptr,
        unl_ni,
        prod_ptr,
        p_ni,
        p_pos,
        p_factory,
        p_lead,
        p_item_hard,
        k.want,
        spec.item_capacity,
        spec.node_capacity,
        spec.node_hard.astype(np.bool_),
        k.capacity_left,
        k.factory_today,
        edge_ptr,
        e_prod,
        e_comp,
        e_qty,
        comp_ptr,
        c_ni,
        c_free,
        cust_ptr,
        c_col,
        c_ni_of,
        c_lost,
        c_unlimited,
        c_mixed,
        cycle_review,
        cycle_offset,
        cycle_failed,
        lv_cust_flags,
        owing,
        drawn,
        k.rng is not None,
        net.demand.mean,
        h["demand"],
        h["sales"],
        h["shortage"],
        h["backlog"],
        h["receipts"],
        h["production"],
        h["consumption"],
        h["on_hand"],
        h["in_transit"],
        h["orders"],
        cols("demand"),
        cols("production"),
        cols("consumption"),
        cols("backlog"),
        rec.arc_shipped,
        rec.factory_released,
        rec.factory_over,
        rec.item_over,
        node_on_hand,
        rec.node_on_hand is not None,
        net.ni_node.astype(i64),
        rec.on_hand_by_type,
        np.array(rec.level_type, i64),
        rec.type_of.astype(i64),
        customer_day,
        rec.customer_shortage,
        rec.customer_sales_mixed,
        acc,
        acc2,
        scratch,
        net.working is not None,
        net.working if net.working is not None else np.zeros((0, 0), np.bool_),
        k.wait.astype(i64) if k.wait is not None else np.zeros((0, 0), i64),
        spec.factory.astype(i64),
        lane_var_row,
        lane_var_col,
        lt_days,
        lt_cum,
        u_drawn,
        sup_ptr,
        sup_ni,
        sup_item_col,
        sup_node_col,
        supply.item_cap if supply is not None else empty_caps,
        supply.node_cap if supply is not None else empty_caps,
        k.limit,
        sched_ptr,
        sched_pos,
        sched_qty,
        k.planned,
        k.plan_due,
        fuse_stores,
        leaf_sizes,
        leaf_buf,
        leaf_sums,
    )
    try:
        for t0 in range(0, days, step):
            t1 = min(days, t0 + step)
            for t in range(t0, t1):
                for level in echelon_levels:
                    targets[t - t0, bs_ptr[level] : bs_ptr[level + 1]] = bs.levels(t, level)
                if k.rng is not None:  # the numpy loop's order: top level first, ...
                    for i in range(n_levels - 1, -1, -1):
                        if var_ptr[i + 1] > var_ptr[i]:  # ... lead times, then demand
                            u_drawn[t - t0, var_ptr[i] : var_ptr[i + 1]] = k.rng.random(
                                var_ptr[i + 1] - var_ptr[i]
                            )
                        if cust_ptr[i + 1] > cust_ptr[i]:
                            drawn[t - t0, cust_ptr[i] : cust_ptr[i + 1]] = k.demand_model.draw(i, t)
            rec.prefault.wait_for(t1 - 1)
            run_days(t0, t1, *args)
            if progress is not None and (t1 % max(1, days // 100) == 0 or t1 == days):
                progress(t1 / days)
    finally:
        rec.prefault.close()
    return rec.result()
