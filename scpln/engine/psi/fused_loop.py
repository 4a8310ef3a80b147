"""The day loop compiled with Numba: the same arithmetic as :mod:`.kernel`, fused.

Every statement here mirrors one numpy expression of :class:`.kernel._Kernel`, in the
same order of floating-point operations, so the two paths give bit-identical numbers:

- a ``np.bincount`` is a running sum per bin in input order, started at 0, and added to
  its target only afterwards (``acc`` scratch arrays);
- ``ndarray.sum()`` and ``np.add.reduceat`` use numpy's pairwise summation, which
  :func:`pairwise_sum` reproduces step for step (blocks of 8 accumulators up to 128
  values, halves beyond);
- no ``fastmath``: LLVM must neither reassociate nor fuse multiply-adds.

State is laid out as in the numpy kernel (one float64 array per quantity, indexed by
node-item in level order), and the per-level index sets are concatenated with offset
arrays (``*_ptr[level] … *_ptr[level + 1]``), so a level's work is one pass over
contiguous memory instead of dozens of whole-array numpy calls.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

EPS = 1e-9  # the same threshold as ``record.EPS``
BLOCK = 128  # numpy's PW_BLOCKSIZE


@njit(cache=True)
def _block_sum(a: np.ndarray, lo: int, n: int) -> float:
    """numpy's pairwise sum of at most ``BLOCK`` values: 8 running sums, then the rest."""
    if n < 8:
        res = -0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    stop = n - (n % 8)
    while i < stop:
        b = lo + i
        r0 += a[b]
        r1 += a[b + 1]
        r2 += a[b + 2]
        r3 += a[b + 3]
        r4 += a[b + 4]
        r5 += a[b + 5]
        r6 += a[b + 6]
        r7 += a[b + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True)
def pairwise_sum(a: np.ndarray, lo: int, n: int) -> float:
    """Sum ``a[lo:lo + n]`` exactly as numpy's ``add`` reduction does.

    numpy halves a range (at a multiple of 8) until it is at most ``BLOCK`` long and adds
    the two halves' sums (:func:`_pairwise_tree`).
    """
    if n <= BLOCK:
        return _block_sum(a, lo, n)
    half = n // 2
    half -= half % 8
    if n - half <= BLOCK:  # two blocks (a store's lanes on one arc): no stack to allocate
        return _block_sum(a, lo, half) + _block_sum(a, lo + half, n - half)
    return _pairwise_tree(a, lo, n, False)


@njit(cache=True)
def _pairwise_tree(a: np.ndarray, lo: int, n: int, block_sums: bool) -> float:
    """numpy's halving of ``n`` values, on an explicit stack (Numba's cache cannot reload
    recursive functions: the cached code crashes): each block is summed from
    ``a[lo:lo + n]`` or, with ``block_sums``, taken from ``a``, the blocks' sums in order."""
    depth = 64  # halving 2**63 values reaches a block in fewer levels
    st_lo = np.empty(depth, np.int64)
    st_n = np.empty(depth, np.int64)
    st_stage = np.empty(depth, np.int64)
    st_left = np.empty(depth)
    top = 0
    st_lo[0], st_n[0], st_stage[0] = lo, n, 0
    ret = 0.0
    leaf = 0
    while top >= 0:
        m = st_n[top]
        if m <= BLOCK:
            if block_sums:
                ret = a[leaf]
                leaf += 1
            else:
                ret = _block_sum(a, st_lo[top], m)
            top -= 1
            continue
        half = m // 2
        half -= half % 8
        stage = st_stage[top]
        if stage == 0:
            st_stage[top] = 1
            top += 1
            st_lo[top], st_n[top], st_stage[top] = st_lo[top - 1], half, 0
        elif stage == 1:
            st_left[top] = ret
            st_stage[top] = 2
            top += 1
            st_lo[top], st_n[top], st_stage[top] = st_lo[top - 1] + half, m - half, 0
        else:
            ret = st_left[top] + ret
            top -= 1
    return ret


@njit(cache=True)
def pairwise_leaves(n: int) -> np.ndarray:
    """The sizes of the blocks :func:`pairwise_sum` splits ``n`` values into, in order.

    A pass that produces the values one by one sums each block as soon as it is complete
    (in a buffer that stays in the L1 cache) and :func:`pairwise_combine` adds the block
    sums up as numpy would have: the same sum, without storing and re-reading the values.
    """
    sizes = np.empty(max(1, n // 64 + 2), np.int64)
    count = 0
    st_n = np.empty(64, np.int64)
    st_n[0] = n
    top = 0
    while top >= 0:  # depth first, left half before right: the blocks in index order
        m = st_n[top]
        top -= 1
        if m <= BLOCK:
            sizes[count] = m
            count += 1
            continue
        half = m // 2
        half -= half % 8
        st_n[top + 1] = m - half
        st_n[top + 2] = half
        top += 2
    return sizes[:count]


@njit(cache=True)
def pairwise_combine(sums: np.ndarray, n: int) -> float:
    """numpy's pairwise sum of ``n`` values from the sums of their blocks
    (:func:`pairwise_leaves`, each summed by :func:`_block_sum`)."""
    if n <= BLOCK:
        return sums[0]
    return _pairwise_tree(sums, 0, n, True)


@njit(cache=True)
def _maximum(x: float, y: float) -> float:
    """``np.maximum`` of two floats (NaN wins)."""
    if x >= y or math.isnan(x):
        return x
    return y


@njit(cache=True)
def _minimum(x: float, y: float) -> float:
    """``np.minimum`` of two floats (NaN wins)."""
    if x <= y or math.isnan(x):
        return x
    return y


@njit(cache=True, inline="always")
def _sell(
    have: float, backlog: float, wanted: float, was_owing: bool, lost: bool
) -> tuple[float, float, float, float]:
    """One customer's day, shared by ``_serve_customers`` and the store pass so both do
    the same operations: its backlog first (when the level owes any), then today's
    demand; what is short is carried unless the customer loses sales. Returns what is
    left on hand, the backlog, what was sold and what was short."""
    late = 0.0
    if was_owing:
        late = _minimum(have, backlog)
        have = have - late
    now = _minimum(have, wanted)
    short = wanted - now
    carried = 0.0 if lost else short
    sold = now
    if was_owing:
        backlog = backlog - late + carried
        sold = late + now
    else:
        backlog = carried
    return have - now, backlog, sold, short


@njit(cache=True, inline="always")
def _ring_row(day: int, t: int, slot: int, horizon: int) -> int:
    """``day % horizon`` for a day ahead of ``t`` (whose row is ``slot``) without dividing:
    an integer division per lane was a tenth of the store level's shipping."""
    ahead = day - t
    if ahead < 0 or ahead >= horizon:
        return day % horizon
    row = slot + ahead
    return row - horizon if row >= horizon else row


@njit(cache=True, inline="always")
def _store(out: np.ndarray, a: np.ndarray, lo: int) -> None:
    """``out[lo:] = a[lo:]`` (float64 into the float32 record), as one vectorisable loop."""
    for k in range(lo, a.shape[0]):
        out[k] = a[k]


@njit(cache=True, inline="always")
def _store_reset(out: np.ndarray, a: np.ndarray, lo: int) -> None:
    """``out[lo:] = a[lo:]`` and ``a[lo:] = 0``: a flow that starts the next day at zero."""
    for k in range(lo, a.shape[0]):
        out[k] = a[k]
        a[k] = 0.0


@njit(cache=True, inline="always")
def _store_sum(out: np.ndarray, a: np.ndarray, b: np.ndarray, lo: int) -> None:
    """``out[lo:] = (a + b)[lo:]``, the sum taken in float64 as numpy does."""
    for k in range(lo, a.shape[0]):
        out[k] = a[k] + b[k]


@njit(cache=True, inline="always")
def _store_at(out: np.ndarray, a: np.ndarray, cols: np.ndarray, lo: int) -> None:
    """``out[:] = a[cols]``, or ``out[lo:] = a[lo:]`` when the record holds every node-item
    (the node-items before ``lo`` were recorded by the store pass)."""
    if out.shape[0] == a.shape[0]:
        _store(out, a, lo)
        return
    for j in range(cols.shape[0]):
        out[j] = a[cols[j]]


@njit(cache=True, inline="always")
def _store_reset_at(out: np.ndarray, a: np.ndarray, cols: np.ndarray, lo: int) -> None:
    """:func:`_store_at`, then ``a[lo:] = 0`` (a flow stored at some node-items only, such
    as a deterministic run's demand: ``record.DerivedDemand``)."""
    if out.shape[0] == a.shape[0]:
        _store_reset(out, a, lo)
        return
    for j in range(cols.shape[0]):
        out[j] = a[cols[j]]
    for k in range(lo, a.shape[0]):
        a[k] = 0.0


@njit(cache=True, inline="always")
def _store_sum_at(
    out: np.ndarray, a: np.ndarray, b: np.ndarray, cols: np.ndarray, lo: int, first: int
) -> None:
    """``out[first:] = (a + b)[cols[first:]]`` (the columns before ``first`` were recorded
    by the store pass), or ``(a + b)[lo:]`` when the record holds every node-item."""
    if out.shape[0] == a.shape[0]:
        _store_sum(out, a, b, lo)
        return
    for j in range(first, cols.shape[0]):
        out[j] = a[cols[j]] + b[cols[j]]


# nogil: the prefault helper (``buffers.RowPrefault``) touches rows ahead meanwhile.
@njit(cache=True, nogil=True)
def run_days(
    t0,
    t1,
    days,
    horizon,
    seg_of_day,
    # state, per node-item
    on_hand,
    in_transit,
    on_order,
    lane_backlog,
    cust_backlog,
    req_new,
    ordered,
    order_up_to,
    reorder_point,
    ring,
    # today's flows, per node-item
    f_demand,
    f_sales,
    f_shortage,
    f_receipts,
    f_production,
    f_consumption,
    f_orders,
    # static, per node-item
    src,
    mode_transfer,
    lead_time,
    moq,
    multiple,
    lot,
    review,
    # levels
    lv_lo,
    lv_hi,
    lv_flags,  # (levels, 5): has lot, has review, rounds, hard arcs, has lanes
    bs_ptr,
    bs_local,
    # base-stock levels S(t) (``BaseStockTargets``), per base-stock node-item in level order:
    # computed here from the cumulative demand profile, or read from ``targets`` for the
    # levels that see echelon streams (``bs_python``); ``bs_constant``: S(t) = S(0)
    targets,
    bs_python,
    bs_constant,
    bs_window,
    bs_z,
    bs_safety,
    bs_cum_mean,
    bs_mean,
    bs_cum_var,
    bs_var,
    seg_starts,
    # lanes (sorted by level of their source, then node-item)
    lane_ptr,
    lane_ni,
    lane_arc,
    run_ptr,
    run_start,
    run_arc,
    arc_hard,
    arc_capacity,
    # unlimited sources
    unl_ptr,
    unl_ni,
    # production
    prod_ptr,
    p_ni,
    p_pos,
    p_factory,
    p_lead,
    p_item_hard,
    want,
    item_capacity,
    node_capacity,
    node_hard,
    capacity_left,
    factory_today,
    edge_ptr,
    e_prod,
    e_comp,
    e_qty,
    comp_ptr,
    c_ni,
    c_free,
    # customers
    cust_ptr,
    c_col,
    c_ni_of,
    c_lost,
    c_unlimited,
    c_mixed,
    cycle_review,
    cycle_offset,
    cycle_failed,
    lv_cust_flags,  # (levels, 3): has lost sales, has unlimited customers, has cycles
    owing,
    drawn,  # stochastic: (t1 - t0, customers) demand drawn in the numpy path's order
    stochastic,
    demand_mean,  # (segments, customers)
    # records
    h_demand,
    h_sales,
    h_shortage,
    h_backlog,
    h_receipts,
    h_production,
    h_consumption,
    h_on_hand,
    h_in_transit,
    h_orders,
    # node-items recorded in h_demand, h_production, h_consumption, h_backlog when these
    # hold fewer than all (``record.recorded_columns``)
    cols_demand,
    cols_production,
    cols_consumption,
    cols_backlog,
    arc_shipped,
    factory_released,
    factory_over,
    item_over,
    node_on_hand,
    tracks_nodes,
    ni_node,
    on_hand_by_type,
    level_type,
    type_of,
    customer_day,  # (7, days): demand, sales, shortage, backlog, cycles, in_stock, stockouts
    customer_shortage,
    customer_sales_mixed,
    # scratch
    acc,
    acc2,
    scratch,
    # working calendars: working[node, day] and wait[node, day], the days from ``day`` to the
    # node's next working day (``has_calendar`` False: every node works every day)
    has_calendar,
    working,
    wait,
    factory_node,
    # lead-time distributions (stochastic runs): per lane its row in ``LeadTimes`` (-1: fixed
    # lead time) and its column in ``u_drawn``, the uniform draws of the numpy loop's order
    lane_var_row,
    lane_var_col,
    lt_days,
    lt_cum,
    u_drawn,
    # supplier capacities: per level the capped node-items, their own cap's column (-1: none)
    # and their node's cap column (-1: none); ``limit`` what each may ship today
    sup_ptr,
    sup_ni,
    sup_item_col,
    sup_node_col,
    sup_item_cap,
    sup_node_cap,
    limit,
    # plan-driven production: releases due on day t are sched_pos/sched_qty[sched_ptr[t] …
    # sched_ptr[t + 1]] (positions in ``ProductionSpec.ni``); ``planned`` positions follow
    # ``plan_due`` (what is due and not yet released) instead of their policy
    sched_ptr,
    sched_pos,
    sched_qty,
    planned,
    plan_due,
    # the store level (``stores_fusable``): level 0 received, served and recorded in one
    # pass (the store pass), its sums taken per block of ``leaf_sizes`` on the fly
    fuse_stores,
    leaf_sizes,
    leaf_buf,
    leaf_sums,
):
    """Simulate days ``t0 … t1 - 1`` in place (see :mod:`.kernel` for the model)."""
    size = on_hand.shape[0]
    levels = lv_lo.shape[0]
    n_fact = capacity_left.shape[0]
    # The store pass records the node-items before ``r0`` in the records that hold every
    # node-item, and the backlog's columns before ``b0`` when it holds some.
    r0 = lv_hi[0] if fuse_stores else 0
    b0 = int(np.searchsorted(cols_backlog, r0))
    for t in range(t0, t1):
        seg = seg_of_day[t]
        row = t - t0
        open_day = has_calendar and t < working.shape[1]  # else every node works today
        if t == 0:  # later days (and calls) start from the record pass's reset
            for k in range(size):
                req_new[k] = 0.0
                f_demand[k] = 0.0
                f_sales[k] = 0.0
                f_shortage[k] = 0.0
                f_consumption[k] = 0.0
        for f in range(n_fact):
            capacity_left[f] = node_capacity[seg, f]
            factory_today[f] = 0.0
        for x in range(sched_ptr[t], sched_ptr[t + 1]):
            plan_due[sched_pos[x]] += sched_qty[x]
        # ---------------------------------------------------------- order pass
        for i in range(levels):
            lo, hi = lv_lo[i], lv_hi[i]
            has_lot, has_review, rounds = lv_flags[i, 0], lv_flags[i, 1], lv_flags[i, 2]
            for b in range(bs_ptr[i], bs_ptr[i + 1]):
                if bs_python[i]:
                    level = targets[row, b]
                else:
                    d = 0 if bs_constant else t
                    dw = d + bs_window[b]
                    sw = seg_of_day[dw]
                    iw = dw - seg_starts[sw]
                    mean_w = bs_cum_mean[sw, b] + iw * bs_mean[sw, b]
                    var_w = bs_cum_var[sw, b] + iw * bs_var[sw, b]
                    s0 = seg_of_day[d]
                    i0 = d - seg_starts[s0]
                    mean_w -= bs_cum_mean[s0, b] + i0 * bs_mean[s0, b]
                    var_w -= bs_cum_var[s0, b] + i0 * bs_var[s0, b]
                    level = mean_w + bs_z[b] * np.sqrt(_maximum(var_w, 0.0)) + bs_safety[b]
                k = lo + bs_local[b]
                order_up_to[k] = level
                reorder_point[k] = level
            moved = False
            # a store supplies nobody: its lane backlog and orders received are zero, and
            # subtracting zero changes nothing, so the store pass's level skips reading them;
            # its order is recorded from ``ordered`` by the store pass
            stores = i == 0 and fuse_stores
            for k in range(lo, hi):
                ip = on_hand[k] + in_transit[k]
                ip += on_order[k]
                if not stores:
                    ip -= lane_backlog[k]
                    ip -= req_new[k]
                ip -= cust_backlog[k]
                up_to, reorder = order_up_to[k], reorder_point[k]
                need = up_to - ip
                trigger = ip <= reorder and need > EPS
                q = lot[k] if has_lot else math.nan
                if has_lot and not math.isnan(q):
                    trigger = ip <= reorder + EPS
                if has_review and review[k] > 1 and t % review[k] != 0:
                    trigger = False
                qty = 0.0
                if trigger:
                    qty = need
                    if has_lot and not math.isnan(q):
                        qty = (np.floor((reorder - ip) / q + 1e-9) + 1) * q
                    if rounds:
                        qty = _maximum(qty, moq[k]) if qty > 0.0 else 0.0
                        m = multiple[k]
                        if m > 0.0:
                            qty = np.ceil(_maximum(qty / m - 1e-9, 0.0)) * m
                    if mode_transfer[k]:
                        on_order[k] += qty
                        acc[src[k]] += qty
                        moved = True
                if not stores:
                    f_orders[k] = qty
                ordered[k] = qty
            if moved:
                for j in range(hi, size):
                    if acc[j] != 0.0 or math.isnan(acc[j]):
                        req_new[j] += acc[j]
                        acc[j] = 0.0
            for p in range(prod_ptr[i], prod_ptr[i + 1]):
                want[p_pos[p]] = f_orders[p_ni[p]]
        # ----------------------------------------------------------- ship pass
        slot = t % horizon
        for i in range(levels - 1, -1, -1):
            lo, hi = lv_lo[i], lv_hi[i]
            if i == 0 and fuse_stores:
                # The store pass: level 0 is a level of stores (``fused.stores_fusable``:
                # one customer per node-item, in order, and nothing else to do there), so
                # its receipts, ``_serve_customers`` and its share of the record pass run in
                # one pass and a store's state is read once (at 200,000 node-items each
                # sweep over ten and more arrays of 1.6 MB went to memory). The flows the
                # record pass would read from ``f_demand`` … (zero before the customers:
                # ``0 + x``) go to the record directly; the level's sums stay numpy's
                # pairwise sums, taken block by block as the values come
                # (``pairwise_leaves``, ``pairwise_combine``).
                n = hi - lo
                has_lost, has_unlimited = lv_cust_flags[0, 0], lv_cust_flags[0, 1]
                has_cycles = lv_cust_flags[0, 2]
                was_owing = owing[0]
                full_demand = h_demand.shape[1] == size
                full_backlog = h_backlog.shape[1] == size
                full_production = h_production.shape[1] == size
                full_consumption = h_consumption.shape[1] == size
                by_type = level_type[0] >= 0
                stockouts = 0
                any_backlog = False
                ending = 0
                in_stock = 0
                unfilled_b = 0
                bp = 0  # the next column of ``h_backlog`` when it holds some node-items
                j = 0
                for leaf in range(leaf_sizes.shape[0]):
                    m_leaf = leaf_sizes[leaf]
                    for b in range(m_leaf):
                        x = j + b  # the customer, ``lo + x`` its node-item
                        k = lo + x
                        arrived = ring[slot, k]
                        have = on_hand[k] + arrived
                        it = in_transit[k] - arrived
                        it = _maximum(it, 0.0)
                        in_transit[k] = it
                        ring[slot, k] = 0.0
                        wanted = drawn[row, x] if stochastic else demand_mean[seg, c_col[x]]
                        if has_unlimited:
                            make = wanted + cust_backlog[k] if c_unlimited[x] else 0.0
                            have += make
                            f_production[k] += make
                        lost = has_lost and c_lost[x]
                        left, backlog, sold, short = _sell(
                            have, cust_backlog[k], wanted, was_owing, lost
                        )
                        on_hand[k] = left
                        cust_backlog[k] = backlog
                        if backlog != 0.0:
                            any_backlog = True
                        if short > EPS:
                            stockouts += 1
                        customer_shortage[c_col[x]] += short
                        # (no ``c_mixed``: a store supplies nobody, so none is mixed)
                        if has_cycles:
                            # ``_serve_customers`` reads backlogs only when some is owed:
                            # when none is, each is zero and ``backlog > EPS`` false anyway
                            failed = cycle_failed[x] or short > EPS or backlog > EPS
                            if (t - cycle_offset[x] + 1) % cycle_review[x] == 0 or t == days - 1:
                                ending += 1
                                if not failed:
                                    in_stock += 1
                                failed = False
                            cycle_failed[x] = failed
                        elif backlog > EPS or (has_lost and short > EPS):
                            unfilled_b += 1
                        leaf_buf[0, b] = wanted
                        leaf_buf[1, b] = sold
                        leaf_buf[2, b] = short
                        leaf_buf[3, b] = backlog
                        leaf_buf[4, b] = left
                        if full_demand:  # else made from the network on read
                            h_demand[t, k] = wanted
                        h_sales[t, k] = sold
                        h_shortage[t, k] = short
                        h_receipts[t, k] = arrived
                        h_orders[t, k] = ordered[k]
                        h_on_hand[t, k] = left
                        h_in_transit[t, k] = it
                        if full_backlog:  # a store supplies nobody: its lane backlog is zero
                            h_backlog[t, k] = backlog
                        elif bp < b0 and cols_backlog[bp] == k:
                            h_backlog[t, bp] = 0.0 + backlog  # (+0.0 lane backlog added)
                            bp += 1
                        if full_production:
                            h_production[t, k] = f_production[k]
                        if full_consumption:
                            h_consumption[t, k] = f_consumption[k]
                            f_consumption[k] = 0.0
                    for q_sum in range(5 if by_type else 4):
                        leaf_sums[q_sum, leaf] = _block_sum(leaf_buf[q_sum], 0, m_leaf)
                    j += m_leaf
                owing[0] = any_backlog
                customer_day[0, t] += 0.0 + pairwise_combine(leaf_sums[0], n)
                customer_day[1, t] += 0.0 + pairwise_combine(leaf_sums[1], n)
                customer_day[2, t] += 0.0 + pairwise_combine(leaf_sums[2], n)
                customer_day[6, t] += stockouts
                if any_backlog:
                    customer_day[3, t] += 0.0 + pairwise_combine(leaf_sums[3], n)
                if has_cycles:
                    customer_day[4, t] += ending
                    customer_day[5, t] += in_stock
                elif any_backlog:
                    customer_day[4, t] += n
                    customer_day[5, t] += n - unfilled_b
                else:
                    customer_day[4, t] += n
                    customer_day[5, t] += n - stockouts
                if by_type:  # the record pass's ``on_hand_by_type`` of this level
                    on_hand_by_type[t, level_type[0]] += 0.0 + pairwise_combine(leaf_sums[4], n)
                continue
            for k in range(lo, hi):
                arrived = ring[slot, k]
                on_hand[k] += arrived
                it = in_transit[k] - arrived
                in_transit[k] = _maximum(it, 0.0)
                f_receipts[k] = arrived
                ring[slot, k] = 0.0
            if prod_ptr[i + 1] > prod_ptr[i]:
                _release(
                    i,
                    t,
                    seg,
                    open_day,
                    working,
                    factory_node,
                    planned,
                    plan_due,
                    horizon,
                    prod_ptr,
                    p_ni,
                    p_pos,
                    p_factory,
                    p_lead,
                    p_item_hard,
                    want,
                    item_capacity,
                    node_hard,
                    capacity_left,
                    factory_today,
                    edge_ptr,
                    e_prod,
                    e_comp,
                    e_qty,
                    comp_ptr,
                    c_ni,
                    c_free,
                    on_hand,
                    in_transit,
                    ring,
                    f_receipts,
                    f_production,
                    f_consumption,
                    f_orders,
                    item_over,
                    acc,
                    acc2,
                    scratch,
                )
            capped = sup_ptr[i + 1] > sup_ptr[i]
            if capped:
                _supplier_limits(
                    i,
                    seg,
                    sup_ptr,
                    sup_ni,
                    sup_item_col,
                    sup_node_col,
                    sup_item_cap,
                    sup_node_cap,
                    lane_backlog,
                    req_new,
                    limit,
                    acc2,
                )
            for u in range(unl_ptr[i], unl_ptr[i + 1]):
                k = unl_ni[u]
                make = lane_backlog[k] + req_new[k]
                if capped:
                    make = _minimum(make, limit[k])
                if open_day and not working[ni_node[k], t]:  # closed: supplies nothing
                    make = 0.0
                on_hand[k] += make
                f_production[k] = make
                f_orders[k] = make
            if lv_flags[i, 4]:
                _serve_lanes(
                    i,
                    t,
                    row,
                    horizon,
                    capped,
                    open_day,
                    has_calendar,
                    working,
                    wait,
                    ni_node,
                    limit,
                    lane_var_row,
                    lane_var_col,
                    lt_days,
                    lt_cum,
                    u_drawn,
                    lo,
                    hi,
                    lv_flags[i, 3],
                    lane_ptr,
                    lane_ni,
                    lane_arc,
                    run_ptr,
                    run_start,
                    run_arc,
                    arc_hard,
                    arc_capacity,
                    src,
                    lead_time,
                    on_hand,
                    in_transit,
                    on_order,
                    lane_backlog,
                    req_new,
                    ordered,
                    ring,
                    f_demand,
                    f_sales,
                    f_shortage,
                    arc_shipped,
                    acc,
                    acc2,
                    scratch,
                )
            if cust_ptr[i + 1] > cust_ptr[i]:
                _serve_customers(
                    i,
                    t,
                    row,
                    seg,
                    days,
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
                    stochastic,
                    demand_mean,
                    on_hand,
                    cust_backlog,
                    f_demand,
                    f_sales,
                    f_shortage,
                    f_production,
                    customer_day,
                    customer_shortage,
                    customer_sales_mixed,
                    scratch,
                )
        # ---------------------------------------------------------- record
        # One loop per record: a loop writing ten records at once is not vectorised (LLVM
        # cannot rule out that they overlap) and took 40% of the loop's time.
        _store_reset_at(h_demand[t], f_demand, cols_demand, r0)
        _store_reset(h_sales[t], f_sales, r0)
        _store_reset(h_shortage[t], f_shortage, r0)
        _store(h_receipts[t], f_receipts, r0)
        _store_at(h_production[t], f_production, cols_production, r0)
        if h_consumption.shape[1] == size:
            _store_reset(h_consumption[t], f_consumption, r0)
        else:  # consumed nowhere else
            for j in range(cols_consumption.shape[0]):
                h_consumption[t, j] = f_consumption[cols_consumption[j]]
                f_consumption[cols_consumption[j]] = 0.0
        _store(h_orders[t], f_orders, r0)
        _store_sum_at(h_backlog[t], lane_backlog, cust_backlog, cols_backlog, r0, b0)
        _store(h_on_hand[t], on_hand, r0)
        _store(h_in_transit[t], in_transit, r0)
        # the next day starts with these at zero (orders received only reach node-items
        # above level 0: its part stays zero from the reset at ``t0``)
        for k in range(lv_hi[0] if levels else 0, size):
            req_new[k] = 0.0
        for f in range(n_fact):
            factory_released[t, f] = factory_today[f]
            over = _maximum(factory_today[f] - node_capacity[seg, f], 0.0)
            factory_over[t, f] = 0.0 if node_hard[f] else over
        n_types = on_hand_by_type.shape[1]
        for i in range(levels):
            lo, hi = lv_lo[i], lv_hi[i]
            if i == 0 and fuse_stores and level_type[0] >= 0:
                continue  # summed by the store pass
            if level_type[i] >= 0:
                on_hand_by_type[t, level_type[i]] += 0.0 + pairwise_sum(on_hand, lo, hi - lo)
            else:
                for c in range(n_types):
                    acc2[c] = 0.0
                for k in range(lo, hi):
                    acc2[type_of[k]] += on_hand[k]
                for c in range(n_types):
                    on_hand_by_type[t, c] += acc2[c]
                    acc2[c] = 0.0
        if tracks_nodes:
            for k in range(size):
                node_on_hand[t, ni_node[k]] += on_hand[k]


@njit(cache=True)
def _supplier_limits(
    i,
    seg,
    sup_ptr,
    sup_ni,
    sup_item_col,
    sup_node_col,
    sup_item_cap,
    sup_node_cap,
    lane_backlog,
    req_new,
    limit,
    acc2,
):
    """What each capped node-item of the level may ship today (``_SupplyLevel.allowed``):
    its own cap first, then its supplier's cap shared in proportion to what is asked."""
    s0, s1 = sup_ptr[i], sup_ptr[i + 1]
    nodes = False
    for x in range(s0, s1):
        k = sup_ni[x]
        v = lane_backlog[k] + req_new[k]
        if sup_item_col[x] >= 0:
            v = _minimum(v, sup_item_cap[seg, sup_item_col[x]])
        limit[k] = v
        if sup_node_col[x] >= 0:
            nodes = True
    if not nodes:
        return
    for x in range(s0, s1):
        if sup_node_col[x] >= 0:
            acc2[sup_node_col[x]] += limit[sup_ni[x]]
    for x in range(s0, s1):
        c = sup_node_col[x]
        if c >= 0:
            total = acc2[c]
            share = _minimum(1.0, sup_node_cap[seg, c] / total if total > 0 else 1.0)
            limit[sup_ni[x]] = limit[sup_ni[x]] * share
    for x in range(s0, s1):
        if sup_node_col[x] >= 0:
            acc2[sup_node_col[x]] = 0.0


@njit(cache=True)
def _release(
    i,
    t,
    seg,
    open_day,
    working,
    factory_node,
    planned,
    plan_due,
    horizon,
    prod_ptr,
    p_ni,
    p_pos,
    p_factory,
    p_lead,
    p_item_hard,
    want,
    item_capacity,
    node_hard,
    capacity_left,
    factory_today,
    edge_ptr,
    e_prod,
    e_comp,
    e_qty,
    comp_ptr,
    c_ni,
    c_free,
    on_hand,
    in_transit,
    ring,
    f_receipts,
    f_production,
    f_consumption,
    f_orders,
    item_over,
    acc,
    acc2,
    scratch,
):
    """Factories release what their policies want, cut by capacity and components
    (``production.release`` and ``kernel._release``)."""
    p0, p1 = prod_ptr[i], prod_ptr[i + 1]
    e0, e1 = edge_ptr[i], edge_ptr[i + 1]
    c0, c1 = comp_ptr[i], comp_ptr[i + 1]
    n_fact = capacity_left.shape[0]
    n = p1 - p0
    qty = scratch[0]
    for p in range(p0, p1):
        k = p_ni[p]
        f_production[k] = f_receipts[k]
        f_receipts[k] = 0.0
        f_orders[k] = 0.0
        w = plan_due[p_pos[p]] if planned[p_pos[p]] else want[p_pos[p]]
        if open_day and not working[factory_node[p_factory[p]], t]:  # closed: no release
            w = 0.0
        cap = item_capacity[seg, p_pos[p]]
        q = _minimum(w, cap) if p_item_hard[p] else w
        qty[p - p0] = _maximum(q, 0.0)
    for f in range(n_fact):
        acc2[f] = 0.0
    for p in range(p0, p1):
        acc2[p_factory[p]] += qty[p - p0]
    cut = False
    for f in range(n_fact):
        if node_hard[f] and acc2[f] > capacity_left[f]:
            cut = True
    if cut:
        for p in range(p0, p1):
            f = p_factory[p]
            if node_hard[f] and acc2[f] > capacity_left[f]:
                qty[p - p0] = qty[p - p0] * (capacity_left[f] / acc2[f])
    need, have, consumption = scratch[1], scratch[2], scratch[3]
    nc = c1 - c0
    for c in range(nc):
        consumption[c] = 0.0
    if e1 > e0:
        for c in range(nc):
            need[c] = 0.0
        for e in range(e0, e1):
            need[e_comp[e]] += qty[e_prod[e]] * e_qty[e]
        short = False
        for c in range(nc):
            h = on_hand[c_ni[c0 + c]]
            if c_free[c0 + c]:
                h = _maximum(h, need[c])
            have[c] = h
            if need[c] > h:
                short = True
        if short:
            fraction = scratch[4]
            for p in range(n):
                fraction[p] = 1.0
            for e in range(e0, e1):
                c = e_comp[e]
                ratio = have[c] / need[c] if need[c] > have[c] else 1.0
                fraction[e_prod[e]] = _minimum(fraction[e_prod[e]], ratio)
            for p in range(n):
                qty[p] = qty[p] * fraction[p]
        for e in range(e0, e1):
            consumption[e_comp[e]] += qty[e_prod[e]] * e_qty[e]
        for c in range(nc):
            consumption[c] = _minimum(consumption[c], have[c])
    # take the components off the shelf (``kernel._consume``)
    for c in range(nc):
        k = c_ni[c0 + c]
        if c_free[c0 + c]:
            supplied = _maximum(consumption[c] - on_hand[k], 0.0)
            on_hand[k] += supplied
            f_production[k] += supplied
            f_orders[k] += supplied
        on_hand[k] = _maximum(on_hand[k] - consumption[c], 0.0)
        f_consumption[k] += consumption[c]
    for f in range(n_fact):
        acc2[f] = 0.0
    for p in range(p0, p1):
        acc2[p_factory[p]] += qty[p - p0]
    for f in range(n_fact):
        capacity_left[f] -= acc2[f]
        factory_today[f] += acc2[f]
        acc2[f] = 0.0
    for p in range(p0, p1):
        q = qty[p - p0]
        pos = p_pos[p]
        cap = item_capacity[seg, pos]
        over = 0.0 if p_item_hard[p] else _maximum(q - cap, 0.0)
        item_over[t, pos] += over
        if planned[pos]:
            plan_due[pos] -= q
        k = p_ni[p]
        f_orders[k] += q
        if p_lead[p] == 0:
            on_hand[k] += q
            f_production[k] += q
        else:
            ring[_ring_row(t + p_lead[p], t, t % horizon, horizon), k] += q
            in_transit[k] += q


@njit(cache=True)
def _serve_lanes(
    i,
    t,
    row,
    horizon,
    capped,
    open_day,
    has_calendar,
    working,
    wait,
    ni_node,
    limit,
    lane_var_row,
    lane_var_col,
    lt_days,
    lt_cum,
    u_drawn,
    lo,
    hi,
    hard,
    lane_ptr,
    lane_ni,
    lane_arc,
    run_ptr,
    run_start,
    run_arc,
    arc_hard,
    arc_capacity,
    src,
    lead_time,
    on_hand,
    in_transit,
    on_order,
    lane_backlog,
    req_new,
    ordered,
    ring,
    f_demand,
    f_sales,
    f_shortage,
    arc_shipped,
    acc,
    acc2,
    scratch,
):
    """Ship to the lanes the level supplies (``kernel._serve_lanes``): old backlog first,
    then today's orders, every lane of a short source getting the same fraction."""
    l0, l1 = lane_ptr[i], lane_ptr[i + 1]
    n = hi - lo
    out_old, out_new, ship = scratch[0], scratch[1], scratch[2]
    r_old, r_new, ship_old = scratch[3], scratch[4], scratch[5]
    filled = True
    for j in range(n):
        k = lo + j
        old, new, have = lane_backlog[k], req_new[k], on_hand[k]
        if capped:  # a supplier ships no more than its capacity
            have = _minimum(have, limit[k])
        if open_day and not working[ni_node[k], t]:  # nothing ships on a day off
            have = 0.0
        o = _minimum(have, old)
        w = _minimum(have - o, new)
        out_old[j] = o
        out_new[j] = w
        if o != old or w != new:
            filled = False
    # Every source fills all its orders: each lane ships what it has on order, taken in
    # the pass that puts it in transit below (one sweep over the lanes instead of two).
    shortcut = not hard and filled
    if shortcut:
        for j in range(n):
            lane_backlog[lo + j] = 0.0
    else:
        for j in range(n):
            k = lo + j
            old, new = lane_backlog[k], req_new[k]
            r_old[j] = out_old[j] / old if old > 0 else 0.0
            r_new[j] = out_new[j] / new if new > 0 else 0.0
        ship_new = ship
        for x in range(l0, l1):
            k = lane_ni[x]
            new_k = ordered[k]
            old_k = on_order[k] - new_k
            s = src[k] - lo
            ship_old[x - l0] = old_k * r_old[s]
            ship_new[x - l0] = new_k * r_new[s]
        if hard:
            for x in range(l0, l1):
                acc2[lane_arc[x]] += ship_old[x - l0] + ship_new[x - l0]
            over = False
            for x in range(l0, l1):
                a = lane_arc[x]
                if arc_hard[a] and acc2[a] > arc_capacity[a]:
                    over = True
            if over:
                for x in range(l0, l1):
                    a = lane_arc[x]
                    if arc_hard[a] and acc2[a] > arc_capacity[a]:
                        factor = arc_capacity[a] / acc2[a]
                        ship_old[x - l0] = ship_old[x - l0] * factor
                        ship_new[x - l0] = ship_new[x - l0] * factor
            for x in range(l0, l1):
                acc2[lane_arc[x]] = 0.0
            for j in range(n):
                out_old[j] = 0.0
                out_new[j] = 0.0
            for x in range(l0, l1):
                s = src[lane_ni[x]] - lo
                out_old[s] += ship_old[x - l0]
                out_new[s] += ship_new[x - l0]
        for j in range(n):
            acc[lo + j] = 0.0
        for x in range(l0, l1):
            k = lane_ni[x]
            shipped = ship_old[x - l0] + ship_new[x - l0]
            ship[x - l0] = shipped
            still = _maximum(on_order[k] - shipped, 0.0)
            acc[src[k]] += still
            on_order[k] = still
        for j in range(n):
            lane_backlog[lo + j] = acc[lo + j]
            acc[lo + j] = 0.0
    for j in range(n):
        k = lo + j
        out = out_old[j] + out_new[j]
        on_hand[k] = _maximum(on_hand[k] - out, 0.0)
        f_sales[k] += out
        f_demand[k] += req_new[k]
        f_shortage[k] += req_new[k] - out_new[j]
    n_leads = lt_cum.shape[1]
    varied = u_drawn.shape[1] > 0  # else no lane's lead time is drawn
    slot = t % horizon
    for x in range(l0, l1):
        k = lane_ni[x]
        if shortcut:
            ship[x - l0] = on_order[k]
            on_order[k] = 0.0
        arrive = t + lead_time[k]
        r = lane_var_row[x] if varied else -1
        if r >= 0:  # this shipment's lead time, drawn (``kernel._draw_leads``)
            u = u_drawn[row, lane_var_col[x]]
            pick = 0
            for j in range(n_leads):
                if u > lt_cum[r, j]:
                    pick += 1
            arrive = t + lt_days[r, min(pick, n_leads - 1)]
        if has_calendar and arrive < wait.shape[1]:  # received on its next working day
            arrive += wait[ni_node[k], arrive]
        ring[_ring_row(arrive, t, slot, horizon), k] += ship[x - l0]
        in_transit[k] += ship[x - l0]
    # per run of lanes on one arc: numpy's ``add.reduceat`` (first + pairwise rest)
    for r in range(run_ptr[i], run_ptr[i + 1]):
        start = run_start[r]
        stop = run_start[r + 1] if r + 1 < run_ptr[i + 1] else l1
        acc2[run_arc[r]] += ship[start - l0] + pairwise_sum(ship, start - l0 + 1, stop - start - 1)
    for r in range(run_ptr[i], run_ptr[i + 1]):  # the level's total, as one ``+=``
        arc_shipped[t, run_arc[r]] += acc2[run_arc[r]]
        acc2[run_arc[r]] = 0.0


@njit(cache=True)
def _serve_customers(
    i,
    t,
    row,
    seg,
    days,
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
    stochastic,
    demand_mean,
    on_hand,
    cust_backlog,
    f_demand,
    f_sales,
    f_shortage,
    f_production,
    customer_day,
    customer_shortage,
    customer_sales_mixed,
    scratch,
):
    """Serve the level's customers from what is left (``kernel._serve_customers``)."""
    c0, c1 = cust_ptr[i], cust_ptr[i + 1]
    n = c1 - c0
    has_lost, has_unlimited, has_cycles = (
        lv_cust_flags[i, 0],
        lv_cust_flags[i, 1],
        lv_cust_flags[i, 2],
    )
    was_owing = owing[i]
    wanted_a, sold_a, short_a, backlog_a = scratch[0], scratch[1], scratch[2], scratch[3]
    stockouts = 0
    any_backlog = False
    for x in range(c0, c1):
        j = x - c0
        k = c_ni_of[x]
        wanted = drawn[row, x] if stochastic else demand_mean[seg, c_col[x]]
        if has_unlimited:
            make = wanted + cust_backlog[k] if c_unlimited[x] else 0.0
            on_hand[k] += make
            f_production[k] += make
        lost = has_lost and c_lost[x]
        left, backlog, sold, short = _sell(on_hand[k], cust_backlog[k], wanted, was_owing, lost)
        on_hand[k] = left
        cust_backlog[k] = backlog
        if backlog != 0.0:
            any_backlog = True
        f_sales[k] += sold
        f_demand[k] += wanted
        f_shortage[k] += short
        wanted_a[j], sold_a[j], short_a[j], backlog_a[j] = wanted, sold, short, backlog
        if short > EPS:
            stockouts += 1
        customer_shortage[c_col[x]] += short
        if c_mixed[x] >= 0:
            customer_sales_mixed[t, c_mixed[x]] = sold
    owing[i] = any_backlog
    customer_day[0, t] += 0.0 + pairwise_sum(wanted_a, 0, n)
    customer_day[1, t] += 0.0 + pairwise_sum(sold_a, 0, n)
    customer_day[2, t] += 0.0 + pairwise_sum(short_a, 0, n)
    customer_day[6, t] += stockouts
    if any_backlog:
        customer_day[3, t] += 0.0 + pairwise_sum(backlog_a, 0, n)
    if has_cycles:
        ending = 0
        in_stock = 0
        for x in range(c0, c1):
            j = x - c0
            unfilled = short_a[j] > EPS
            if any_backlog:
                unfilled = unfilled or backlog_a[j] > EPS
            failed = cycle_failed[x] or unfilled
            ends = (t - cycle_offset[x] + 1) % cycle_review[x] == 0 or t == days - 1
            if ends:
                ending += 1
                if not failed:
                    in_stock += 1
                failed = False
            cycle_failed[x] = failed
        customer_day[4, t] += ending
        customer_day[5, t] += in_stock
    elif any_backlog:
        unfilled = 0
        for j in range(n):
            if backlog_a[j] > EPS or (has_lost and short_a[j] > EPS):
                unfilled += 1
        customer_day[4, t] += n
        customer_day[5, t] += n - unfilled
    else:
        customer_day[4, t] += n
        customer_day[5, t] += n - stockouts
