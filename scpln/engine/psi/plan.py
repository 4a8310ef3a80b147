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

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from .demand import BaseStockTargets
from .network import MODE_PRODUCE, MODE_TRANSFER, MODE_UNLIMITED, Network

DAYS_PER_WEEK = 7


@dataclass(frozen=True, eq=False)
class Schedule:
    """Plan-driven releases: ``by_day[t]`` = (positions in ``ProductionSpec.ni``, units).

    ``planned`` lists every position the plan governs, also those it plans zero for.
    """

    by_day: dict[int, tuple[np.ndarray, np.ndarray]]
    planned: np.ndarray


@dataclass(frozen=True)
class PlanSchedule:
    """Planned receipts per item and week: ``item``, ``day``, ``days``, ``quantity``
    [, ``node``]."""

    rows: pd.DataFrame

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, start_date: date | None = None) -> PlanSchedule:
        """Normalize a plan frame (see the module docs); raises ``ValueError`` if malformed."""
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
            {
                "item": frame["item"].astype(str).to_numpy(),
                "day": np.asarray(day, dtype=np.int64),
                "days": np.asarray(length, dtype=np.int64),
                "quantity": quantity,
            }
        )
        if "node" in frame.columns:
            rows["node"] = frame["node"].astype(str).to_numpy()
        return cls(rows)

    def schedule(self, net: Network, days: int) -> Schedule:
        """Release day → (producing positions, quantities) for the kernel."""
        prod = net.production
        item_of = net.ni_item[prod.ni]
        node_of = net.ni_node[prod.ni]
        served = net.profile_mean[:, prod.ni].sum(axis=0)
        keys = ["item", "node"] if "node" in self.rows.columns else ["item"]
        pos_parts: list[np.ndarray] = []
        day_parts: list[np.ndarray] = []
        qty_parts: list[np.ndarray] = []
        offsets = np.arange(DAYS_PER_WEEK)
        for key, rows in self.rows.groupby(keys, sort=True):
            item, *node = key if isinstance(key, tuple) else (key,)
            makers = np.flatnonzero(item_of == _index(net.item_codes, item))
            if node:
                makers = makers[node_of[makers] == _index(net.node_codes, node[0])]
            if len(makers) == 0:
                raise ValueError(f"no factory makes plan item '{item}'")
            weight = served[makers]
            total = weight.sum()
            share = weight / total if total > 0 else np.full(len(makers), 1.0 / len(makers))
            week = rows["day"].to_numpy()[:, None, None]
            length = rows["days"].to_numpy()[:, None, None]
            units = rows["quantity"].to_numpy()[:, None, None]
            shape = (len(rows), len(makers), DAYS_PER_WEEK)
            pos_parts.append(np.broadcast_to(makers[None, :, None], shape).ravel())
            lead = prod.lead_time[makers][None, :, None]
            day_parts.append(np.broadcast_to(np.maximum(week + offsets - lead, 0), shape).ravel())
            # Days past the week's own length get nothing (dropped as zero quantities).
            daily = np.where(offsets < length, units / length, 0.0) * share[None, :, None]
            qty_parts.append(np.broadcast_to(daily, shape).ravel())
        planned = np.unique(np.concatenate([np.zeros(0, np.int64), *pos_parts]))
        return Schedule(_by_day(pos_parts, day_parts, qty_parts, days), planned)


def _index(codes: tuple[str, ...], code: object) -> int:
    return codes.index(code) if isinstance(code, str) and code in codes else -1


def _days_after(values: pd.Series, start: date) -> np.ndarray:
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
    order = np.argsort(day, kind="stable")
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
    days = net.horizon_days if days is None else days
    total = np.zeros(net.size)
    # In chunks, so a long horizon of a large network never holds days × node-items at once.
    for first in range(0, days, 32):
        total += target_levels(net, np.arange(first, min(first + 32, days))).sum(axis=0)
    target = total / days if days > 0 else target_levels(net, np.zeros(1, np.int64))[0]
    root = np.arange(net.size)
    lead = np.zeros(net.size, dtype=np.int64)
    for _ in range(net.levels + 1):
        moving = net.mode[root] == MODE_TRANSFER
        if not moving.any():
            break
        lead += np.where(moving, net.lead_time[root], 0)
        root = np.where(moving, net.src[root], root)
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
