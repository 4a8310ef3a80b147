"""Plan-driven production: a weekly plan of receipts per SKU becomes daily releases.

Input, one row per SKU × week (extra columns are ignored):

- ``item``: the SKU code;
- ``day``: the week's first day as a 0-based day index of the simulation (day 0 is the
  config's start date) — or ``week_start``: that first day as a date, or an ISO week
  ``YYYY-Www`` (its Monday); ``day`` wins when both are present;
- ``quantity``: units planned to be *received* (finished) in that week;
- ``days`` (optional, 1–7, default 7): how many days the week has inside the horizon
  (a first or last week clipped by the horizon is shorter);
- ``node`` (optional): the factory that makes them.

This is the shape of ``FinalPlan.planned_receipts(start)`` of the planning pipeline.

A week's quantity is finished evenly over its ``days`` days from its first day (1/7 a
day for a whole week), so a week clipped by the end of the horizon is finished inside
it and a short first week does not spill into the next one; each daily share is
released ``L`` days earlier, ``L`` being the item's production lead
time at the factory (a release that would fall before day 0 is released on day 0, late).
Without ``node``, a SKU's quantity is split across the factories that make it in
proportion to the demand each of them serves (its downstream demand profile over the
horizon), equally when none serves any. A plan row for an item no factory makes raises
``ValueError``. Factories follow the plan for the items it names and their own policy
for the others; a release that capacity or components cut short is carried over to
the next day until made.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from .constraints import Constraints
from .demand import BaseStockTargets
from .network import MODE_PRODUCE, MODE_TRANSFER, MODE_UNLIMITED, Network, chain_roots

if TYPE_CHECKING:
    import pandas as pd

DAYS_PER_WEEK = 7


@dataclass(frozen=True, eq=False)
class Schedule:
    """Plan-driven releases: ``by_day[t]`` = (positions in ``ProductionSpec.ni``, units).

    ``planned`` lists every position the plan governs, also those it plans zero for.
    ``early`` = (positions, finish days, units): releases due before the run that a
    lead-time-unconstrained run makes on day 0 and finishes on time (empty otherwise).
    """

    by_day: dict[int, tuple[np.ndarray, np.ndarray]]
    planned: np.ndarray
    early: tuple[np.ndarray, np.ndarray, np.ndarray]


_NO_EARLY = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
RELEASE_RULES = ("lot", "daily")
# How :meth:`PlanSchedule.digest` writes a plan, oldest first. A run's input hash holds its
# plan's digest, so runs recorded under an earlier scheme compare their re-run in theirs
# (runs/services/reproduction.py): ``csv`` hashed the rows' CSV text (a second for a
# 10,000-SKU plan), ``columns`` hashes the columns' bytes.
PLAN_DIGEST_SCHEMES = ("csv", "columns")
PLAN_DIGEST = PLAN_DIGEST_SCHEMES[-1]


@dataclass(frozen=True)
class PlanSchedule:
    """Planned receipts per item and week: ``item``, ``day``, ``days``, ``quantity``
    [, ``node``]; how they become releases (``release_rule``: ``lot`` or ``daily``, see
    :func:`_releases`) and the constraints the plan was made under, which a run of it keeps
    unless the run is given its own."""

    rows: pd.DataFrame
    release_rule: str = "lot"
    constraints: Constraints = field(default_factory=Constraints)

    def __post_init__(self) -> None:
        if self.release_rule not in RELEASE_RULES:
            raise ValueError(
                f"release_rule must be one of {', '.join(RELEASE_RULES)}, not {self.release_rule!r}"
            )

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        start_date: date | None = None,
        release_rule: str = "lot",
        constraints: Constraints | None = None,
    ) -> PlanSchedule:
        """Normalize a plan frame (see the module docs); raises ``ValueError`` if malformed."""
        import pandas as pd

        missing = {"item", "quantity"} - set(frame.columns)
        if missing:
            raise ValueError(f"plan is missing column(s): {', '.join(sorted(missing))}")
        if "day" in frame.columns:
            day = pd.to_numeric(frame["day"], errors="raise").to_numpy()
        elif "week_start" in frame.columns:
            if start_date is None:
                raise ValueError("plan gives week_start dates but the run has no start date")
            day = _days_after(frame["week_start"], start_date)
        else:
            raise ValueError("plan needs a 'day' or a 'week_start' column")
        quantity = pd.to_numeric(frame["quantity"], errors="raise").to_numpy(dtype=float)
        if (quantity < 0).any() or not np.isfinite(quantity).all():
            raise ValueError("plan quantities must be finite and not negative")
        if "days" in frame.columns:
            length = pd.to_numeric(frame["days"], errors="raise").to_numpy()
            if ((length < 1) | (length > DAYS_PER_WEEK) | (length != np.floor(length))).any():
                raise ValueError(f"plan days must be whole numbers from 1 to {DAYS_PER_WEEK}")
        else:
            length = np.full(len(frame), DAYS_PER_WEEK)
        rows = pd.DataFrame(
            {  # text as arrays: to_numpy() would make a Python string a row, converted back
                "item": frame["item"].astype(str).array,
                "day": np.asarray(day, dtype=np.int64),
                "days": np.asarray(length, dtype=np.int64),
                "quantity": quantity,
            }
        )
        if "node" in frame.columns:
            rows["node"] = frame["node"].astype(str).array
        return cls(rows, release_rule, constraints or Constraints())

    def digest(self, scheme: str = PLAN_DIGEST) -> str:
        """sha256 (hex) of the plan's rows, whatever their order, and of how it is executed
        (release rule, lead-time switch), written as ``scheme`` (:data:`PLAN_DIGEST_SCHEMES`).
        Digests of the current scheme carry its name, so none equals an older one's."""
        if scheme not in PLAN_DIGEST_SCHEMES:
            raise ValueError(f"plan digest scheme must be one of {PLAN_DIGEST_SCHEMES}")
        execution = f"{self.release_rule} lead_time={self.constraints.lead_time}".encode()
        if scheme == "csv":
            rows = self.rows.sort_values(list(self.rows.columns), kind="stable")
            digest = hashlib.sha256(rows.to_csv(index=False).encode())
            digest.update(execution)
            return digest.hexdigest()
        digest = hashlib.sha256(f"{scheme}\n".encode())
        keys: list[np.ndarray] = []
        for name in self.rows.columns:  # the labels of text columns, the rows' ranks in them
            values = self.rows[name]
            if values.dtype.kind in "iuf":
                keys.append(values.to_numpy())
                continue
            codes, labels = _factorized(values)
            ordered = np.argsort(labels, kind="stable")
            rank = np.empty(len(labels), np.int64)
            rank[ordered] = np.arange(len(labels))
            keys.append(rank[codes])
            digest.update(f"{name} ".encode())
            digest.update(json.dumps(labels[ordered].tolist(), ensure_ascii=False).encode())
        order = np.lexsort(keys[::-1])
        for name, key in zip(self.rows.columns, keys, strict=True):
            digest.update(f"\n{name} {key.dtype}\n".encode())
            digest.update(np.ascontiguousarray(key[order]).tobytes())
        digest.update(execution)
        return f"{scheme}:{digest.hexdigest()}"

    def schedule(self, net: Network, days: int) -> Schedule:
        """Release day → (producing positions, quantities) for the kernel.

        Vectorised over the plan's rows (a 10,000-SKU plan has half a million): rows are taken
        in (item[, node]) order, each row once per producing position that makes it (in
        position order), so the releases come out in the order a loop over the groups gives.
        """
        prod = net.production
        by_node = "node" in self.rows.columns
        item = _codes(net.item_codes, self.rows["item"])
        node = _codes(net.node_codes, self.rows["node"]) if by_node else None
        keys = [(net.item_codes, item, self.rows["item"])]
        if node is not None:
            keys.append((net.node_codes, node, self.rows["node"]))
        order = _group_order(keys)
        if len(order) == 0:
            return Schedule({}, np.zeros(0, np.int64), _NO_EARLY)
        # Producing positions sorted by (item[, node]), ascending within: a row's makers are
        # the slice of its key.
        width = len(net.node_codes) + 1
        maker_key = net.ni_item[prod.ni].astype(np.int64)
        row_key = item[order]
        if node is not None:
            maker_key = maker_key * width + net.ni_node[prod.ni]
            row_key = np.where(
                (row_key >= 0) & (node[order] >= 0), row_key * width + node[order], -1
            )
        makers = np.argsort(maker_key, kind="stable")
        lo = np.searchsorted(maker_key[makers], row_key, side="left")
        count = np.where(row_key >= 0, np.searchsorted(maker_key[makers], row_key, "right") - lo, 0)
        if not count.all():
            raise ValueError(
                f"no factory makes plan item '{self.rows['item'].iloc[order[np.argmin(count)]]}'"
            )
        served = net.profile_mean[:, prod.ni].sum(axis=0)
        rows = np.repeat(order, count)
        within = np.arange(len(rows)) - np.repeat(np.cumsum(count) - count, count)
        pos = makers[np.repeat(lo, count) + within]
        # A row's share of each maker: by the demand they serve, equally when none serves any.
        total = np.repeat(np.add.reduceat(served[pos], np.cumsum(count) - count), count)
        share = np.divide(served[pos], total, out=1.0 / np.repeat(count, count), where=total > 0)
        week = self.rows["day"].to_numpy()[rows]
        length = self.rows["days"].to_numpy()[rows]
        qty = self.rows["quantity"].to_numpy()[rows] * share
        planned = np.unique(pos)
        pos, day, qty = _releases(net, pos, week, length, qty, self.release_rule)
        due = day < 0
        if self.constraints.lead_time:
            # Due before the run: released on day 0, late by what it missed.
            early = _NO_EARLY
            day = np.maximum(day, 0)
        else:
            # Lead-time unconstrained: released on day 0 and finished when the plan says.
            early = (pos[due], day[due] + prod.lead_time[pos[due]], qty[due])
            pos, day, qty = pos[~due], day[~due], qty[~due]
        return Schedule(_by_day([pos], [day], [qty], days), planned, early)


def _releases(
    net: Network,
    pos: np.ndarray,
    week: np.ndarray,
    length: np.ndarray,
    qty: np.ndarray,
    rule: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut each week's receipts (row: producing position, first day, days, units) into
    releases: (position, release day, units). A week's receipts finish on its days, so they
    are released on the days ``lead time`` earlier; which of those days is the rule's:

    - ``daily``: evenly on every one of them;
    - ``lot``: the factory's week (all its planned SKUs, ``X`` units) is one production
      run: released from the earliest of its SKUs' first release days (so SKUs with a
      shorter lead time finish early rather than start on another day), over the ``k``
      days that make it cheapest — ``k · F + [X > k·c] · (k · OF + (X − k·c) · OV)`` with
      ``F`` the factory's and its items' fixed cost per production day, ``c`` its daily
      capacity and ``OF``/``OV`` its over-capacity rates (``k ≥ ⌈X / c⌉`` under a hard
      capacity; ties: the fewest days). Each SKU is released evenly over those ``k`` days:
      on one day when nothing makes more days cheaper (unlimited capacity, or fixed costs
      above the over-capacity charge).
    """
    prod = net.production
    first = week - prod.lead_time[pos]
    last = first + length.astype(np.int64) - 1
    calendar = _WorkingDays(net)
    factory = prod.factory[prod.factory_of[pos]]
    if rule == "daily":
        count = np.maximum(calendar.count(factory, first, last), 1)
    else:
        count, first, last = _lot_days(net, pos, week, first, last, qty, calendar)
    rows = np.repeat(np.arange(len(pos)), count)
    within = np.arange(len(rows)) - np.repeat(np.cumsum(count) - count, count)
    day = calendar.nth(factory[rows], first[rows], within, last[rows])
    return pos[rows], day, qty[rows] / count[rows]


class _WorkingDays:
    """The days each factory works (every day without calendars; days before the run and
    past the calendar's end are worked)."""

    def __init__(self, net: Network) -> None:
        self.working = net.working
        self.days: dict[int, np.ndarray] = {}
        if self.working is not None:
            span = self.working.shape[1]
            pad = int(net.production.lead_time.max(initial=0)) + 2 * DAYS_PER_WEEK
            before, after = np.arange(-pad, 0), np.arange(span, span + pad)
            for node in np.unique(net.production.factory).tolist():
                worked = np.flatnonzero(self.working[node])
                self.days[node] = np.concatenate([before, worked, after])

    def count(self, node: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Working days of ``node`` from ``first`` to ``last`` (inclusive)."""
        if self.working is None:
            return (last - first + 1).astype(np.int64)
        out = np.zeros(len(node), np.int64)
        for n, days in self.days.items():
            rows = node == n
            lo = np.searchsorted(days, first[rows], side="left")
            out[rows] = np.searchsorted(days, last[rows], side="right") - lo
        return out

    def nth(
        self, node: np.ndarray, first: np.ndarray, index: np.ndarray, last: np.ndarray
    ) -> np.ndarray:
        """The ``index``-th working day from ``first``; a window ``first … last`` without
        one falls back to the last working day before it (finishing early, not late)."""
        if self.working is None:
            return first + index
        out = first + index
        for n, days in self.days.items():
            rows = node == n
            at = np.searchsorted(days, first[rows], side="left") + index[rows]
            day = days[np.minimum(at, len(days) - 1)]
            out[rows] = np.where(day > last[rows], days[np.maximum(at - 1 - index[rows], 0)], day)
        return out


def _lot_days(
    net: Network,
    pos: np.ndarray,
    week: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    qty: np.ndarray,
    calendar: _WorkingDays,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row, the number of (working) days ``k`` its factory's week is made over, and the
    first and last day it may be made on (see :func:`_releases`)."""
    prod, costs = net.production, net.costs
    factory = prod.factory_of[pos]
    f, _week, group = _unique_pairs(factory, week)
    groups = len(f)
    total = np.bincount(group, qty, minlength=groups)
    start = np.full(groups, np.iinfo(np.int64).max)
    np.minimum.at(start, group, first)
    end = np.full(groups, np.iinfo(np.int64).min)
    np.maximum.at(end, group, last)
    span = np.maximum(calendar.count(prod.factory[f], start, end), 1)
    segment = np.searchsorted(net.segments.starts, np.maximum(start, 0), side="right") - 1
    capacity = prod.node_capacity[segment, f]
    # Fixed cost of a production day: the factory's, plus each planned item's own.
    item_group, item_pos, _ = _unique_pairs(group, pos)
    fixed = costs.production_fixed[f] + np.bincount(
        item_group, costs.production_item_fixed[item_pos], minlength=groups
    )
    k = np.arange(1, DAYS_PER_WEEK + 1)[None, :].astype(float)
    cap = np.where(np.isfinite(capacity), capacity, np.inf)[:, None]
    over = np.maximum(total[:, None] - k * cap, 0.0)
    cost = k * fixed[:, None] + np.where(
        over > 1e-9,
        k * costs.production_over_fixed[f][:, None]
        + over * costs.production_over_variable[f][:, None],
        0.0,
    )
    # Not allowed: more days than the week has, or too few for a hard capacity.
    cost[k > span[:, None]] = np.inf
    cost[prod.node_hard[f][:, None] & (over > 1e-9)] = np.inf
    best = np.argmin(cost, axis=1) + 1  # the fewest days among the cheapest
    best = np.where(np.isinf(cost.min(axis=1)), span, best)  # nothing fits: all its days
    return np.minimum(best[group], span[group]).astype(np.int64), start[group], end[group]


def _unique_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (a, b) pairs of two integer arrays, in (a, b) order, and each row's pair:
    ``np.unique(np.stack([a, b]), axis=1, return_inverse=True)`` through one int64 key (the
    axis form sorts the pairs as raw bytes: seconds for the million rows of a large plan)."""
    if len(a) == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    a0, b0 = int(a.min()), int(b.min())
    width = int(b.max()) - b0 + 1
    key, inverse = np.unique(
        (a.astype(np.int64) - a0) * width + (b.astype(np.int64) - b0), return_inverse=True
    )
    return a0 + key // width, b0 + key % width, inverse.reshape(-1)


def _codes(codes: tuple[str, ...], values: pd.Series) -> np.ndarray:
    """Each value's position in ``codes`` (-1 where it is none of them): the distinct values
    looked up (a few thousand), not every row (half a million)."""
    import pandas as pd

    rows, labels = _factorized(values)
    return pd.Index(codes).get_indexer(pd.Index(labels)).astype(np.int64)[rows]


def _factorized(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's position among the distinct values (in order of appearance), and those values
    as text."""
    import pandas as pd

    rows, labels = pd.factorize(values, use_na_sentinel=False)
    return rows.astype(np.int64), np.asarray(labels, dtype=object).astype(str)


def _group_order(keys: list[tuple[tuple[str, ...], np.ndarray, pd.Series]]) -> np.ndarray:
    """Row positions in ``groupby(keys, sort=True)`` order: by the keys' text, original order
    within a key. A key is (codes, each row's position in them, the rows' values): rows are
    ranked by their code's rank among the codes (a few thousand strings to sort, not one a
    row), by their own text where a value is none of the codes."""
    ranks = []
    for codes, index, values in keys:
        if (index >= 0).all():
            rank = np.empty(len(codes), np.int64)
            rank[np.argsort(np.asarray(codes, dtype=object), kind="stable")] = np.arange(len(codes))
            ranks.append(rank[index])
        else:
            ranks.append(np.unique(values.to_numpy(), return_inverse=True)[1].reshape(-1))
    return np.lexsort(ranks[::-1]).astype(np.int64)


def _days_after(values: pd.Series, start: date) -> np.ndarray:
    import pandas as pd

    text = values.astype(str)
    iso_week = text.str.fullmatch(r"\d{4}-W\d{2}")
    dates = pd.to_datetime(text.where(~iso_week), errors="raise")
    if iso_week.any():
        mondays = [date.fromisocalendar(int(t[:4]), int(t[6:]), 1) for t in text[iso_week]]
        dates = dates.copy()
        dates[iso_week] = pd.to_datetime(mondays)
    return (dates - pd.Timestamp(start)).dt.days.to_numpy()


def _by_day(
    pos_parts: list[np.ndarray], day_parts: list[np.ndarray], qty_parts: list[np.ndarray], days: int
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    if not pos_parts:
        return {}
    pos, day, qty = (np.concatenate(p) for p in (pos_parts, day_parts, qty_parts))
    keep = (day < days) & (qty > 0)
    pos, day, qty = pos[keep], day[keep], qty[keep]
    if len(day) == 0:
        return {}
    # Stable sorts of 16-bit integers are radix sorts (linear): a year's millions of releases
    # are ordered by day in a fraction of the comparison sort's time, in the same order.
    narrow = day.astype(np.int16) if day.min() >= 0 and day.max() < 2**15 else day
    order = np.argsort(narrow, kind="stable")
    pos, day, qty = pos[order], day[order], qty[order]
    cuts = np.flatnonzero(np.diff(day)) + 1
    return {
        int(d[0]): (p, q)
        for d, p, q in zip(
            np.split(day, cuts), np.split(pos, cuts), np.split(qty, cuts), strict=True
        )
    }


def target_levels(net: Network, days: np.ndarray) -> np.ndarray:
    """The inventory position each node-item's policy restores with an order placed on each
    of ``days`` (rows: days, columns: node-items): its ``order_up_to`` level, or the base
    stock ``S(t)`` from its service level, which covers the demand of its lead time and
    review period ahead — so a plan that keeps it finishes every unit a lead time before it
    is sold. NaN for node-items that never order (nothing supplies them, or an unlimited
    source)."""
    days = np.asarray(days, dtype=np.int64)
    ordering = np.isin(net.mode, (MODE_TRANSFER, MODE_PRODUCE))
    out = np.tile(np.where(ordering, net.order_up_to, np.nan), (len(days), 1))
    base = np.flatnonzero(ordering & np.isnan(net.order_up_to))
    if len(base) and len(days):
        seg_of_day = net.segments.of_days(int(days.max()) + 1 + BaseStockTargets.days_needed(net))
        levels = BaseStockTargets(net, [base], seg_of_day)
        for row, day in enumerate(days):
            out[row, base] = levels.levels(int(day), 0)
    return out


def stock_positions(net: Network, days: int | None = None) -> pd.DataFrame:
    """What a plan for this network needs to know about its stock, one row per node-item.

    ``opening`` is the opening stock; ``target`` the level :func:`target_levels` gives,
    averaged over days ``0 … days-1`` (the horizon by default). ``supplied`` says whether
    the chain of sources above it ends at a factory that makes the item or at an unlimited
    source, i.e. whether anything can ever replenish it; a node-item whose chain ends at a
    node-item nothing supplies can only sell down the stock already in that chain.
    ``lead_time`` is the days a unit takes from the start of that chain to the node-item
    (the arcs' lead times added up).
    """
    import pandas as pd

    days = net.horizon_days if days is None else days
    total = np.zeros(net.size)
    # In chunks, so a long horizon of a large network never holds days × node-items at once.
    for first in range(0, days, 32):
        total += target_levels(net, np.arange(first, min(first + 32, days))).sum(axis=0)
    target = total / days if days > 0 else target_levels(net, np.zeros(1, np.int64))[0]
    root, lead = chain_roots(net, np.arange(net.size))
    supplied = np.isin(net.mode[root], (MODE_PRODUCE, MODE_UNLIMITED))
    return pd.DataFrame(
        {
            "node": np.asarray(net.node_codes, dtype=object)[net.ni_node],
            "node_type": np.asarray(net.node_types, dtype=object)[net.ni_node],
            "item": np.asarray(net.item_codes, dtype=object)[net.ni_item],
            "opening": net.initial.astype(np.float64),
            "target": target,
            "supplied": supplied,
            "lead_time": lead,
        }
    )
