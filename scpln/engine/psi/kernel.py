"""The daily simulation: one day is two whole-array passes over the echelon levels.

Order of events on day ``t`` (``docs/engine.md`` has the full statement):

1. **Order pass**, customer-facing level first. Each node-item's inventory position
   ``IP = on_hand + in_transit + on_order − backlog − orders received today`` is
   compared with its policy; on a review day with ``IP ≤ s`` it orders ``S − IP``, or
   under (R, Q) the fewest lots of Q that lift IP above R (rounded up to MOQ and
   multiples) from its source, which sees the order at once as
   today's demand, or asks its factory to produce that much.
2. **Ship pass**, most upstream level first. At each level: receipts due today land
   on hand; unlimited sources make what is asked of them; factories release production
   (capacity and components permitting); orders are shipped from on hand (old backlog
   first, then today's orders); finally customers are served (backlog first, unless
   the node loses sales) from what is left.

A shipment or release of day ``t`` with lead time ``L`` is received on day ``t + L``,
before anything is shipped or sold at its destination that day — so lead time 0
goods serve the same day's demand, and every day of lead time delays them one day.
With working calendars a node produces and ships only on its working days, and a
shipment due on a day its destination does not work is received on the next one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .demand import BaseStockTargets, CustomerDemand, round_orders
from .fused import run_compiled, use_compiled
from .levels import Level, build_levels
from .network import MODE_PRODUCE, MODE_TRANSFER, MODE_UNLIMITED, Network
from .plan import _NO_EARLY, Schedule
from .production import LevelProduction, release
from .record import EPS, KernelResult, Recorder


def run_kernel(
    net: Network,
    *,
    days: int,
    rng: np.random.Generator | None = None,
    schedule: Schedule | None = None,
    progress: Callable[[float], None] | None = None,
    compiled_from: int | None = None,
) -> KernelResult:
    """Simulate ``days`` days; stochastic when ``rng`` is given, else on the means.

    With a ``schedule`` the producing node-items it names release what it says
    (within capacity, shortfalls carried to the next day) instead of following their
    policy. ``progress`` is called about a hundred times with the fraction done; an
    exception it raises aborts the run. The day loop runs compiled when it can
    (``fused.use_compiled``, with ``compiled_from`` as its threshold), with the same results.
    """
    if days <= 0:
        raise ValueError("days must be positive")
    kernel = _Kernel(net, days, rng, schedule)
    if use_compiled(net, days=days, schedule=schedule, threshold=compiled_from):
        return run_compiled(kernel, days, progress)
    step = max(1, days // 100)
    try:
        for t in range(days):
            kernel.day(t)
            if progress is not None and ((t + 1) % step == 0 or t + 1 == days):
                progress((t + 1) / days)
    finally:
        kernel.rec.prefault.close()
    return kernel.rec.result()


def run_compiled_loop(net: Network, days: int) -> KernelResult:
    """Simulate ``net`` on the compiled loop whatever ``SCPLN_PSI_KERNEL`` says: run on a
    tiny network, it loads the loop's machine code into the process (``load_compiled_loop``)."""
    return run_compiled(_Kernel(net, days, None, None), days, None)


class _Kernel:
    def __init__(
        self, net: Network, days: int, rng: np.random.Generator | None, schedule: Schedule | None
    ) -> None:
        size, prod = net.size, net.production
        self.net, self.days = net, days
        self.levels = build_levels(net)
        self.horizon = net.max_lead_time + 1
        # Working calendars: what arrives at a node on a day it does not work is received on
        # its next working day, so a pipeline slot may be that much further out.
        self.open: np.ndarray | None = None
        self.wait: np.ndarray | None = None
        if net.working is not None:
            span = net.working.shape[1]
            nxt = np.where(net.working, np.arange(span), span)
            self.wait = np.minimum.accumulate(nxt[:, ::-1], axis=1)[:, ::-1] - np.arange(span)
            self.horizon += int(self.wait.max(initial=0))
        self.seg_of_day = net.segments.of_days(days + BaseStockTargets.days_needed(net))
        self.demand_model = CustomerDemand(
            net.demand, [lv.customer_cols for lv in self.levels], self.seg_of_day, rng
        )
        self.targets = BaseStockTargets(
            net, [lv.lo + lv.base_stock for lv in self.levels], self.seg_of_day
        )
        self.schedule = schedule.by_day if schedule is not None else {}
        self.early = schedule.early if schedule is not None else _NO_EARLY
        self.planned = np.zeros(len(prod.ni), bool)
        if schedule is not None:
            self.planned[schedule.planned] = True
        # state
        self.on_hand = net.initial.astype(np.float64).copy()
        self.in_transit = np.zeros(size)
        self.on_order = np.zeros(size)
        self.lane_backlog = np.zeros(size)
        self.cust_backlog = np.zeros(size)
        self.ring = np.zeros((self.horizon, size))
        self.supply = [_SupplyLevel.of(net, lv) for lv in self.levels]
        self.rng = rng
        # Lanes with a lead-time distribution, per level (by its first node-item): their
        # positions among the level's lanes and their rows in ``Network.lead_times``.
        self.varied: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        if net.lead_times is not None:
            for lv in self.levels:
                at = np.flatnonzero(np.isin(lv.lane_ids, net.lead_times.ni))
                if len(at):
                    rows = np.searchsorted(net.lead_times.ni, lv.lane_ids[at])
                    self.varied[lv.lo] = (at, rows)
        self.limit = np.full(size, np.inf)  # what a capped supplier may ship today
        lanes = len(net.sourcing.dest) if net.sourcing is not None else 0
        self.alt_on_order = np.zeros(lanes)  # multi-sourcing: per extra lane
        self.alt_ordered = np.zeros(lanes)
        # Node-items nobody can supply, and unlimited ones, never order.
        ordering = np.isin(net.mode, (MODE_TRANSFER, MODE_PRODUCE))
        self.order_up_to = np.where(ordering, net.order_up_to, np.nan)
        self.reorder_point = np.where(ordering, net.reorder_point, np.nan)
        self.want = np.zeros(len(prod.ni))
        self.plan_due = np.zeros(len(prod.ni))
        # today's flows
        self.req_new = np.zeros(size)
        self.ordered = np.zeros(size)
        self.flow = {m: np.zeros(size) for m in ("demand", "sales", "shortage", "receipts")}
        self.flow |= {m: np.zeros(size) for m in ("production", "consumption", "orders")}
        self.capacity_left = np.zeros(len(prod.factory))
        self.factory_today = np.zeros(len(prod.factory))
        self.rec = Recorder(net, days, self.levels, self.seg_of_day, stochastic=rng is not None)
        unlimited = [
            net.mode[net.demand.ni[lv.customer_cols]] == MODE_UNLIMITED for lv in self.levels
        ]
        self.unlimited_customers = [u if u.any() else None for u in unlimited]
        self.owing = [False] * len(self.levels)  # does the level carry customer backlog?
        # per customer of a level with review cycles: has its open cycle failed yet?
        self.cycle_failed = [np.zeros(len(lv.customer_cols), bool) for lv in self.levels]

    # ----------------------------------------------------------------- day
    def day(self, t: int) -> None:
        seg = int(self.seg_of_day[t])
        working = self.net.working
        if working is not None:
            self.open = working[:, t] if t < working.shape[1] else None
        self.req_new.fill(0.0)
        for name in ("demand", "sales", "shortage", "consumption"):
            self.flow[name].fill(0.0)
        self.capacity_left[:] = self.net.production.node_capacity[seg]
        self.factory_today.fill(0.0)
        if t in self.schedule:
            pos, qty = self.schedule[t]
            np.add.at(self.plan_due, pos, qty)
        for i, lv in enumerate(self.levels):
            self._order(i, lv, t)
        for i in range(len(self.levels) - 1, -1, -1):
            self._ship(i, self.levels[i], t, seg)
        self.rec.write(t, self, seg)

    def _order(self, i: int, lv: Level, t: int) -> None:
        sl = lv.slice
        ip = self.on_hand[sl] + self.in_transit[sl]
        ip += self.on_order[sl]
        if len(lv.lane_ids):  # this level supplies others: what it owes them
            ip -= self.lane_backlog[sl]
            ip -= self.req_new[sl]
        if len(lv.customer_cols):
            ip -= self.cust_backlog[sl]
        if lv.alt_in is not None:
            rules = self.net.sourcing
            assert rules is not None
            ip += np.bincount(
                rules.dest[lv.alt_in] - lv.lo, self.alt_on_order[lv.alt_in], minlength=len(ip)
            )
        up_to, reorder = self.order_up_to[sl], self.reorder_point[sl]
        if len(lv.base_stock):
            target = self.targets.levels(t, i)
            up_to[lv.base_stock] = target
            reorder[lv.base_stock] = target
        need = up_to - ip
        trigger = ip <= reorder
        trigger &= need > EPS
        if lv.lot is not None:
            # (R, Q): order when the position is at R or below (it may sit exactly at R)
            rq = ~np.isnan(lv.lot)
            trigger[rq] = ip[rq] <= reorder[rq] + EPS
        if lv.review is not None:
            trigger &= t % lv.review == 0
        # Orders are sparse under (s, S) policies: round and route only the triggered ones.
        hit = np.flatnonzero(trigger)
        qty = need[hit]
        if lv.lot is not None:
            # the fewest lots Q that lift the position above R: n = ⌊(R − IP)/Q⌋ + 1
            q = lv.lot[hit]
            lots = np.floor((reorder[hit] - ip[hit]) / np.where(np.isnan(q), 1.0, q) + 1e-9) + 1
            qty = np.where(np.isnan(q), qty, lots * q)
        if lv.moq is not None and lv.multiple is not None:
            qty = round_orders(qty, lv.moq[hit], lv.multiple[hit])
        orders = self.flow["orders"][sl]
        orders.fill(0.0)
        orders[hit] = qty
        self.ordered[sl] = orders
        if lv.alt_in is not None:
            self.alt_ordered[lv.alt_in] = 0.0
        if lv.ruled is not None:
            qty = self._split(lv, hit, qty)
            self.ordered[lv.lo + hit] = qty
        moving = lv.transfer_local[hit]
        if moving.any():
            k, q = lv.lo + hit[moving], qty[moving]
            self.on_order[k] += q
            self.req_new[lv.hi :] += np.bincount(
                self.net.src[k] - lv.hi, q, minlength=self.net.size - lv.hi
            )
        if lv.production is not None:
            self.want[lv.production.pos] = orders[lv.produce_local]

    def _split(self, lv: Level, hit: np.ndarray, qty: np.ndarray) -> np.ndarray:
        """Split the orders of multi-sourced node-items over their lanes; returns what goes
        to each one's ordinary lane (the rest is on its extra lanes).

        Priorities are tried in turn; a priority's sources split what is left by share, and
        each takes what it can ship today (on hand less what it already owes; a source
        without limit, all); the last priority takes the rest. Several orders asking more of
        one source than it has share it in proportion.
        """
        rules = self.net.sourcing
        assert rules is not None
        k = lv.lo + hit
        ruled = rules.first_priority[k] > 0
        if not ruled.any():
            return qty
        rows = np.flatnonzero(ruled)
        alt = lv.alt_in if lv.alt_in is not None else np.zeros(0, np.int64)
        alt = alt[np.isin(rules.dest[alt], k[rows])]
        row_of = {int(node_item): r for r, node_item in zip(rows, k[rows], strict=True)}
        # One table of lanes: the ordinary ones first, then the extra ones.
        owner = np.concatenate(
            [rows, np.array([row_of[int(d)] for d in rules.dest[alt]], np.int64)]
        )
        source = np.concatenate([self.net.src[k[rows]], rules.src[alt]])
        priority = np.concatenate([rules.first_priority[k[rows]], rules.priority[alt]])
        share = np.concatenate([rules.first_share[k[rows]], rules.share[alt]])
        last = np.zeros(len(qty), np.int64)
        np.maximum.at(last, owner, priority)
        avail = np.maximum(self.on_hand - self.lane_backlog - self.req_new, 0.0)
        avail[self.net.mode == MODE_UNLIMITED] = np.inf
        left = qty.astype(np.float64).copy()
        give = np.zeros(len(owner))
        for p in np.unique(priority):
            lanes = np.flatnonzero(priority == p)
            want = left[owner[lanes]] * share[lanes]
            final = last[owner[lanes]] == p
            asked = np.bincount(source[lanes[~final]], want[~final], minlength=self.net.size)
            room = np.minimum(
                1.0, np.divide(avail, asked, out=np.ones_like(avail), where=asked > 0)
            )
            take = np.where(final, want, want * room[source[lanes]])
            avail -= np.bincount(source[lanes], np.where(final, 0.0, take), minlength=self.net.size)
            give[lanes] = take
            left -= np.bincount(owner[lanes], take, minlength=len(qty))
        first = give[: len(rows)]
        extra = give[len(rows) :]
        self.alt_ordered[alt] = extra
        self.alt_on_order[alt] += extra
        self.req_new += np.bincount(rules.src[alt], extra, minlength=self.net.size)
        out = qty.astype(np.float64).copy()
        out[rows] = first
        return out

    def _ship(self, i: int, lv: Level, t: int, seg: int) -> None:
        sl, slot = lv.slice, t % self.horizon
        arrived = self.ring[slot, sl]
        self.on_hand[sl] += arrived
        in_transit = self.in_transit[sl]
        in_transit -= arrived
        np.maximum(in_transit, 0.0, out=in_transit)
        receipts = self.flow["receipts"]
        receipts[sl] = arrived
        arrived.fill(0.0)
        if lv.production is not None:
            made = lv.production.ni
            self.flow["production"][made] = receipts[made]
            receipts[made] = 0.0
            self._release(lv, t, seg)
        capped = self.supply[i]
        if capped is not None:
            self.limit[capped.ni] = capped.allowed(
                self.net, seg, self.lane_backlog[capped.ni] + self.req_new[capped.ni]
            )
        if len(lv.unlimited):
            make = self.lane_backlog[lv.unlimited] + self.req_new[lv.unlimited]
            if capped is not None:
                make = np.minimum(make, self.limit[lv.unlimited])
            if self.open is not None:  # a closed source supplies nothing today
                make = np.where(self.open[self.net.ni_node[lv.unlimited]], make, 0.0)
            self.on_hand[lv.unlimited] += make
            self.flow["production"][lv.unlimited] = make
            self.flow["orders"][lv.unlimited] = make
        if len(lv.lane_ids) or lv.alt_out is not None:
            self._serve_lanes(lv, t, capped is not None)
        if len(lv.customer_cols):
            self._serve_customers(i, lv, t)

    def _release(self, lv: Level, t: int, seg: int) -> None:
        lp, spec = lv.production, self.net.production
        assert lp is not None
        # For a produced node-item ``orders`` is what it releases (not its policy's want).
        self.flow["orders"][lp.ni] = 0.0
        if t == 0 and len(self.early[0]):
            self._release_early(lv, seg)
        planned = self.planned[lp.pos]
        want = np.where(planned, self.plan_due[lp.pos], self.want[lp.pos])
        if self.open is not None:  # a factory releases nothing on a day it does not work
            want = np.where(self.open[spec.factory][lp.factory_of], want, 0.0)
        r = release(spec, lp, want, seg, self.on_hand, self.capacity_left)
        qty = r.quantity
        self._consume(lp, r.consumption)
        self.capacity_left -= r.factory_total
        self.factory_today += r.factory_total
        self.rec.item_over[t, lp.pos] += r.item_over
        self.flow["orders"][lp.ni] += qty
        self.plan_due[lp.pos] -= np.where(planned, qty, 0.0)
        instant = lp.lead_time == 0
        now, later = lp.ni[instant], lp.ni[~instant]
        self.on_hand[now] += qty[instant]
        self.flow["production"][now] += qty[instant]
        slots = (t + lp.lead_time[~instant]) % self.horizon
        self.ring[slots, later] += qty[~instant]
        self.in_transit[later] += qty[~instant]

    def _consume(self, lp: LevelProduction, consumption: np.ndarray) -> None:
        """Take a release's components off the shelf; components supplied without limit
        (material-unconstrained run) first receive what their stock lacks."""
        if lp.free is not None:
            supplied = np.where(lp.free, np.maximum(consumption - self.on_hand[lp.comps], 0.0), 0.0)
            self.on_hand[lp.comps] += supplied
            self.flow["production"][lp.comps] += supplied
            self.flow["orders"][lp.comps] += supplied
        on_hand = self.on_hand[lp.comps] - consumption
        self.on_hand[lp.comps] = np.maximum(on_hand, 0.0)
        self.flow["consumption"][lp.comps] += consumption

    def _release_early(self, lv: Level, seg: int) -> None:
        """Lead-time-unconstrained plan: releases due before day 0 are made on day 0 (within
        capacity and components) and finish on their planned day; what is cut joins the
        plan's due releases and takes the full lead time."""
        lp = lv.production
        assert lp is not None
        pos, finish, qty = self.early
        mine = np.isin(pos, lp.pos)
        if not mine.any():
            return
        pos, finish, qty = pos[mine], finish[mine], qty[mine]
        local = np.searchsorted(lp.pos, pos)
        want = np.bincount(local, qty, minlength=len(lp.pos))
        if self.open is not None:
            want = np.where(self.open[self.net.production.factory][lp.factory_of], want, 0.0)
        r = release(self.net.production, lp, want, seg, self.on_hand, self.capacity_left)
        self._consume(lp, r.consumption)
        self.capacity_left -= r.factory_total
        self.factory_today += r.factory_total
        self.rec.item_over[0, lp.pos] += r.item_over
        self.flow["orders"][lp.ni] += r.quantity
        made = np.divide(r.quantity, want, out=np.zeros_like(want), where=want > 0)[local]
        done = qty * made
        np.add.at(self.plan_due, pos, qty - done)
        ni = lp.ni[local]
        finish = np.maximum(finish, 0)
        now = finish == 0
        np.add.at(self.on_hand, ni[now], done[now])
        np.add.at(self.flow["production"], ni[now], done[now])
        np.add.at(self.ring, (finish[~now] % self.horizon, ni[~now]), done[~now])
        np.add.at(self.in_transit, ni[~now], done[~now])

    def _serve_lanes(self, lv: Level, t: int, capped: bool = False) -> None:
        """Ship to the lanes this level supplies: old backlog first, then today's orders.

        Within each class every lane of a short supplier gets the same fraction of what
        it asked for; a hard arc capacity then scales its lanes down the same way.
        """
        sl, lanes, src = lv.slice, lv.lanes, lv.lane_src
        old_j, new_j = self.lane_backlog[sl], self.req_new[sl]
        have = self.on_hand[sl]
        if capped:  # a supplier ships no more than its capacity
            have = np.minimum(have, self.limit[sl])
        if self.open is not None:  # a node ships nothing on a day it does not work
            have = np.where(self.open[self.net.ni_node[sl]], have, 0.0)
        out_old = np.minimum(have, old_j)
        out_new = np.minimum(have - out_old, new_j)
        asked = self.on_order[lanes]
        alt = lv.alt_out
        if not lv.hard_arcs and (out_old == old_j).all() and (out_new == new_j).all():
            # Every supplier of the level can fill everything: ship all that is on order.
            ship = asked.copy()
            self.on_order[lanes] = 0.0
            self.lane_backlog[sl] = 0.0
            if alt is not None:
                self._ship_alt(lv, t, self.alt_on_order[alt].copy())
        else:
            new_k = self.ordered[lanes]
            old_k = asked - new_k
            r_old = np.divide(out_old, old_j, out=np.zeros_like(old_j), where=old_j > 0)
            r_new = np.divide(out_new, new_j, out=np.zeros_like(new_j), where=new_j > 0)
            ship_old, ship_new = old_k * r_old[src], new_k * r_new[src]
            if lv.hard_arcs:
                ship_old, ship_new = self._arc_limits(lv, ship_old, ship_new)
                n = lv.hi - lv.lo
                out_old = np.bincount(src, ship_old, minlength=n)
                out_new = np.bincount(src, ship_new, minlength=n)
            ship = ship_old + ship_new
            open_orders = np.maximum(asked - ship, 0.0)
            self.lane_backlog[sl] = np.bincount(src, open_orders, minlength=lv.hi - lv.lo)
            self.on_order[lanes] = open_orders
            if alt is not None:
                rules = self.net.sourcing
                assert rules is not None
                alt_src = rules.src[alt] - lv.lo
                alt_new = self.alt_ordered[alt]
                alt_old = self.alt_on_order[alt] - alt_new
                alt_ship_old = alt_old * r_old[alt_src]
                alt_ship_new = alt_new * r_new[alt_src]
                if lv.hard_arcs:  # what the ordinary lanes shipped, plus these
                    n = lv.hi - lv.lo
                    out_old = out_old + np.bincount(alt_src, alt_ship_old, minlength=n)
                    out_new = out_new + np.bincount(alt_src, alt_ship_new, minlength=n)
                alt_ship = alt_ship_old + alt_ship_new
                alt_open = np.maximum(self.alt_on_order[alt] - alt_ship, 0.0)
                self.lane_backlog[sl] += np.bincount(alt_src, alt_open, minlength=lv.hi - lv.lo)
                self._ship_alt(lv, t, alt_ship)
        out = out_old + out_new
        on_hand = self.on_hand[sl]
        on_hand -= out
        np.maximum(on_hand, 0.0, out=on_hand)
        self.flow["sales"][sl] += out
        self.flow["demand"][sl] += new_j
        self.flow["shortage"][sl] += new_j - out_new
        varied = self.varied.get(lv.lo) if self.rng is not None else None
        if self.wait is not None or varied is not None:
            arrive = t + self.net.lead_time[lv.lane_ids]
            if varied is not None:
                arrive[varied[0]] = t + self._draw_leads(varied[1])
            if self.wait is not None:
                inside = arrive < self.wait.shape[1]
                node = self.net.ni_node[lv.lane_ids]
                arrive[inside] += self.wait[node[inside], arrive[inside]]
            self.ring[arrive % self.horizon, lv.lane_ids] += ship
        elif isinstance(lv.lane_lead, int):
            self.ring[(t + lv.lane_lead) % self.horizon, lanes] += ship
        else:
            cells = lv.lane_cells + (t % self.horizon) * self.net.size
            cells[cells >= self.ring.size] -= self.ring.size
            self.ring.reshape(-1)[cells] += ship
        self.in_transit[lanes] += ship
        if len(lv.lane_ids):
            # Sum per run of lanes first: far fewer runs than lanes, and contiguous.
            per_run = np.add.reduceat(ship, lv.arc_runs)
            self.rec.arc_shipped[t] += np.bincount(
                lv.run_arc, per_run, minlength=len(self.net.arc_ends)
            )

    def _draw_leads(self, rows: np.ndarray) -> np.ndarray:
        """One lead time per shipping lane (``LeadTimes`` rows), from the run's generator."""
        spec = self.net.lead_times
        assert spec is not None and self.rng is not None
        u = self.rng.random(len(rows))
        pick = (u[:, None] > spec.cumulative[rows]).sum(axis=1)
        return spec.days[rows, np.minimum(pick, spec.days.shape[1] - 1)]

    def _ship_alt(self, lv: Level, t: int, ship: np.ndarray) -> None:
        """Send what the level's extra (multi-sourcing) lanes ship on their way."""
        rules = self.net.sourcing
        assert rules is not None and lv.alt_out is not None
        alt = lv.alt_out
        self.alt_on_order[alt] = np.maximum(self.alt_on_order[alt] - ship, 0.0)
        dest = rules.dest[alt]
        arrive = t + rules.lead[alt]
        if self.wait is not None:
            inside = arrive < self.wait.shape[1]
            node = self.net.ni_node[dest]
            arrive[inside] += self.wait[node[inside], arrive[inside]]
        np.add.at(self.ring, (arrive % self.horizon, dest), ship)
        np.add.at(self.in_transit, dest, ship)
        self.rec.arc_shipped[t] += np.bincount(
            rules.arc[alt], ship, minlength=len(self.net.arc_ends)
        )

    def _arc_limits(
        self, lv: Level, ship_old: np.ndarray, ship_new: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scale the lanes of a hard-capacity arc down to its daily capacity."""
        costs = self.net.costs
        total = np.bincount(lv.lane_arc, ship_old + ship_new, minlength=len(self.net.arc_ends))
        over = costs.arc_hard & (total > costs.arc_capacity)
        if not over.any():
            return ship_old, ship_new
        factor = np.where(over, costs.arc_capacity / np.where(over, total, 1.0), 1.0)
        factor = factor[lv.lane_arc]
        return ship_old * factor, ship_new * factor

    def _close_cycles(self, i: int, lv: Level, t: int, unfilled: np.ndarray) -> None:
        """Count the review cycles that end today, and those that left nothing unfilled.

        A cycle fails on any day that ends with a shortage or a backlog; the horizon's end
        closes the cycles still open.
        """
        assert lv.cycle_review is not None and lv.cycle_offset is not None
        failed = self.cycle_failed[i]
        failed |= unfilled
        ends = (t - lv.cycle_offset + 1) % lv.cycle_review == 0
        if t == self.days - 1:
            ends[:] = True
        day = self.rec.customer_day
        day["cycles"][t] += np.count_nonzero(ends)
        day["in_stock"][t] += np.count_nonzero(ends & ~failed)
        failed[ends] = False

    def _serve_customers(self, i: int, lv: Level, t: int) -> None:
        cols, ni = lv.customer_cols, lv.customers
        wanted = self.demand_model.draw(i, t)
        unlimited = self.unlimited_customers[i]
        if unlimited is not None:
            make = np.where(unlimited, wanted + self.cust_backlog[ni], 0.0)
            self.on_hand[ni] += make
            self.flow["production"][ni] += make
        on_hand, backlog = self.on_hand[ni], self.cust_backlog[ni]
        if self.owing[i]:  # serve yesterday's backlog first
            late = np.minimum(on_hand, backlog)
            on_hand = on_hand - late
        now = np.minimum(on_hand, wanted)
        short = wanted - now
        self.on_hand[ni] = on_hand - now
        carried = short if lv.lost_sales is None else np.where(lv.lost_sales, 0.0, short)
        sold = now
        if self.owing[i]:
            backlog = backlog - late + carried
            sold = late + now
        else:
            backlog = carried
        self.cust_backlog[ni] = backlog
        self.owing[i] = bool(backlog.any())
        self.flow["sales"][ni] += sold
        self.flow["demand"][ni] += wanted
        self.flow["shortage"][ni] += short
        day = self.rec.customer_day
        day["demand"][t] += wanted.sum()
        day["sales"][t] += sold.sum()
        day["shortage"][t] += short.sum()
        stockouts = np.count_nonzero(short > EPS)
        day["stockouts"][t] += stockouts
        if self.owing[i]:
            day["backlog"][t] += backlog.sum()
        if lv.cycle_review is not None:
            unfilled = short > EPS
            if self.owing[i]:
                unfilled |= backlog > EPS
            self._close_cycles(i, lv, t, unfilled)
        elif self.owing[i]:
            # under backorders a shortage always leaves a backlog, so one count does
            unfilled = short > EPS if lv.lost_sales is not None else backlog > EPS
            if lv.lost_sales is not None:
                unfilled |= backlog > EPS
            day["cycles"][t] += len(cols)
            day["in_stock"][t] += len(cols) - np.count_nonzero(unfilled)
        else:
            day["cycles"][t] += len(cols)
            day["in_stock"][t] += len(cols) - stockouts
        self.rec.customer_shortage[cols] += short
        local, mixed = self.rec.mixed_by_level[i]
        if len(local):
            self.rec.customer_sales_mixed[t, mixed] = sold[local]


@dataclass(frozen=True, eq=False)
class _SupplyLevel:
    """The node-items of one level that a supplier capacity limits, and how."""

    ni: np.ndarray
    item_at: np.ndarray  # positions in ``ni`` with a cap of their own …
    item_col: np.ndarray  # … and its column in ``SupplySpec.item_cap``
    node_at: np.ndarray  # positions in ``ni`` at a node with a cap on all its items …
    node_col: np.ndarray  # … and its column in ``SupplySpec.node_cap``

    @classmethod
    def of(cls, net: Network, lv: Level) -> _SupplyLevel | None:
        supply = net.supply
        if supply is None:
            return None
        mine = np.arange(lv.lo, lv.hi)
        node_col = np.full(len(net.node_codes), -1, np.int64)
        node_col[supply.node] = np.arange(len(supply.node))
        by_item = np.isin(mine, supply.item_ni)
        by_node = node_col[net.ni_node[mine]] >= 0
        ni = mine[by_item | by_node]
        if len(ni) == 0:
            return None
        item_at = np.flatnonzero(np.isin(ni, supply.item_ni))
        col_of = {k: c for c, k in enumerate(supply.item_ni.tolist())}
        node_at = np.flatnonzero(node_col[net.ni_node[ni]] >= 0)
        return cls(
            ni=ni,
            item_at=item_at,
            item_col=np.array([col_of[k] for k in ni[item_at].tolist()], np.int64),
            node_at=node_at,
            node_col=node_col[net.ni_node[ni[node_at]]],
        )

    def allowed(self, net: Network, segment: int, asked: np.ndarray) -> np.ndarray:
        """What each may ship today of what it is asked: its own cap first, then its
        supplier's cap on all its items shared in proportion to what they are asked."""
        supply = net.supply
        assert supply is not None
        out = asked.copy()
        out[self.item_at] = np.minimum(out[self.item_at], supply.item_cap[segment, self.item_col])
        if len(self.node_at):
            cap = supply.node_cap[segment]
            total = np.bincount(self.node_col, out[self.node_at], minlength=len(cap))
            share = np.minimum(1.0, np.divide(cap, total, out=np.ones_like(cap), where=total > 0))
            out[self.node_at] *= share[self.node_col]
        return out
