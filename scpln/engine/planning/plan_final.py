"""The final plan: reconciled SKU receipts, their releases, the components they need, KPIs.

The sold SKUs' planned receipts are the reconciled ones; their releases are those receipts
offset by the lead time (flagged ``past_due`` before the horizon, as in MRP), and the BOM is
exploded and netted again from these releases, so components follow the plan actually
chosen rather than MRP's first draft. The KPIs are plain numbers a plan version stores.

What the plan predicts for a run that executes it (see docs/planning.md, *Plan and run*):

- ``fill_rate``: the share of customer demand served in the week it arises, as the run
  serves it: from open POs, the opening stock and the planned receipts *as they reach the
  customers* — a receipt whose release falls before the horizon is finished one production
  lead time after the start, not before; releases are limited by the stock of components
  nothing supplies (shared like the simulator shares them, by the same fraction of what
  each SKU asks); a finished unit reaches the customers the SKU's distribution lead time
  later (``network.lead_time`` of its demand locations, demand-weighted) and stock held
  upstream the rest of that way later; what arrives after the horizon serves nothing — and
  backlog is served before new demand. Demand at locations nothing can replenish
  (``PlanningInputs.unreachable``) is served only by the stock stranded there;
- ``demand_total``: all customer demand, the unreachable part included (the run's total);
- ``supplied_on_time_total``: those units; ``late_receipts``: planned receipts that arrive
  after their week because their release was past due; ``component_short``: planned
  receipts the stock of unsupplied components cannot cover; ``unreachable_demand`` /
  ``unreachable_short``: demand no supply path reaches, and the part its stranded stock
  cannot cover;
- ``target_inventory_total``: the sold SKUs' target stock at the horizon end;
  ``projected_on_hand_end``: their stock there as planned (at least the target where
  capacity allows).

The plan's own view (receipts in the weeks planned, late deliveries included, but only as
many as the stock of components nothing supplies can build — ``component_short`` — so it
never promises what no run can make):

- ``supplied_total`` and ``fill_rate_by_horizon_end``: SKU demand the plan supplies by the
  end of the horizon, and that over demand (a run's ``sales_total / demand_total``);
- ``backlog_end`` / ``backlog_peak`` (and ``backlog_peak_week``): demand not yet supplied,
  summed over SKUs, at the last week and at its worst week;
- ``capacity_utilisation``: load over capacity, all resources and weeks together, and
  ``utilisation_by_workcenter`` per resource (per week: the reconcile ``capacity`` table);
- ``spill_total`` (units moved to a later week, unmet included), ``pull_in_total``,
  ``unmet_total`` (spilled past the horizon), ``anchor_residual_total``;
- ``past_due_orders`` / ``past_due_quantity``: final-plan orders whose release is before the
  horizon; ``delta_outside_tolerance``: delta-log rows outside the tolerances.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .allocate import Allocation
from .calendar import PlanningCalendar
from .capacity import Resources, item_limits, resources
from .inputs import PlanningInputs
from .mrp import plan_materials
from .parameters import PlanParameters, horizon_grid
from .reconcile import Reconciliation
from .tables import label_positions, repeat_labels

PLAN_COLUMNS = (
    "item",
    "family",
    "workcenter",
    "level",
    "week",
    "week_index",
    "week_start",
    "week_end",
    "gross_requirement",
    "scheduled_receipt",
    "planned_receipt",
    "planned_release",
    "projected_on_hand",
    "backlog",
)


@dataclass(frozen=True)
class FinalPlan:
    """The plan_final stage's artifacts.

    ``plan_final``: ``PLAN_COLUMNS`` per item × week — sold SKUs (level 0, with their family
    and the work centre that makes them) and their components (level ≥ 1, both empty);
    ``projected_on_hand`` is at the week's end and is negative where the plan leaves a
    shortage; ``backlog`` is the SKU's demand not yet supplied at the week's end in the plan's
    own view (the per-SKU-week terms of the ``backlog_end`` / ``backlog_peak`` KPIs, see the
    module docs and docs/planning.md), 0 for components.
    ``plan_orders``: the final plan's orders, columns as MRP's ``mrp_orders``.
    ``kpis``: plain numbers (see the module docs).
    """

    plan_final: pd.DataFrame
    plan_orders: pd.DataFrame
    kpis: dict[str, Any]

    def frames(self) -> dict[str, pd.DataFrame]:
        return {"plan_final": self.plan_final, "plan_orders": self.plan_orders}

    def planned_receipts(self, start: dt.date, *, by_node: bool = False) -> pd.DataFrame:
        """The sold SKUs' planned receipts as the PSI simulation's plan-driven input.

        Columns: item, week_start, day (days from ``start``, the simulation's day 0), days
        (the week's days inside the horizon: a week clipped by the horizon is shorter),
        quantity; with ``by_node`` also node (the work centre, which for a plan built from a
        canonical config is the factory that makes the SKU).
        """
        sold = self.plan_final[
            (self.plan_final["level"] == 0) & (self.plan_final["planned_receipt"] > 0)
        ]
        # Text columns as their arrays, not to_numpy(): that makes a Python string a row, which
        # the new frame then converts back (half a second for a 10,000-SKU year).
        frame = pd.DataFrame(
            {
                "item": sold["item"].array,
                "week_start": sold["week_start"].to_numpy(),
                "day": (sold["week_start"] - pd.Timestamp(start)).dt.days.to_numpy(),
                "days": (sold["week_end"] - sold["week_start"]).dt.days.to_numpy() + 1,
                "quantity": sold["planned_receipt"].to_numpy(),
            }
        )
        if by_node:
            frame.insert(1, "node", sold["workcenter"].array)
        return frame


def run_plan_final(
    inputs: PlanningInputs,
    params: PlanParameters,
    allocation: Allocation,
    reconciliation: Reconciliation,
) -> FinalPlan:
    horizon = horizon_grid(inputs, params)
    calendar, skus, weeks = horizon.calendar, horizon.skus, horizon.weeks
    gross = horizon.dense(allocation.sku_week, "supply")
    receipts = horizon.dense(reconciliation.reconcile, "final")
    materials = plan_materials(inputs, params, calendar, sku_gross=gross, sku_receipts=receipts)
    grid, orders = materials.tables(calendar)
    res = resources(inputs, calendar, params)
    # The sold SKUs' family and work centre, empty for components (MaterialPlan's items are
    # the SKUs first, each over all weeks).
    components = np.full(len(materials.items) - len(skus), "", dtype=object)
    centres = np.asarray(res.names, dtype=object)[res.of_sku]
    for column, labels in (("family", inputs.sku_families), ("workcenter", centres)):
        every = np.concatenate([np.asarray(labels, dtype=object), components])
        grid[column] = repeat_labels(list(every), weeks)
    grid["week_end"] = np.tile(calendar.weeks["week_end"].to_numpy(), len(materials.items))
    grid = grid.rename(columns={"on_hand_end": "projected_on_hand"})
    demand = horizon.dense(allocation.sku_week, "demand")
    opening = materials.grid["on_hand_start"][: len(skus), 0]
    scheduled = materials.grid["scheduled_receipt"][: len(skus)]
    # The plan's own view counts receipts as the components nothing supplies let them be
    # made, like the prediction does: a plan cannot supply what it cannot build.
    buildable = _component_limited(inputs, params, calendar, res, receipts).made
    # Stock stranded where nothing supplies the SKU serves only the unreachable demand below
    # it, which the KPIs count apart (PlanningInputs.unreachable): not this demand too.
    network = inputs.network
    stranded = network[~network["supplied"]].groupby("item")["target"].sum()
    reachable = np.maximum(opening - stranded.reindex(skus, fill_value=0.0).to_numpy(), 0.0)
    available = reachable[:, None] + np.cumsum(scheduled + buildable, axis=1)
    backlog = sku_backlog(demand, available)
    grid["backlog"] = np.concatenate(
        [backlog.reshape(-1), np.zeros(len(grid) - backlog.size)]
    )  # the SKUs' rows come first, week by week (MaterialPlan's order)
    grid = grid[list(PLAN_COLUMNS)]
    kpis = _kpis(calendar, demand, backlog, orders, reconciliation, inputs.unreachable)
    kpis.update(_prediction(inputs, params, calendar, res, demand, scheduled, receipts))
    target = inputs.target_matrix(skus, calendar.week_codes)
    kpis["target_inventory_total"] = _units(target[:, -1].sum())
    kpis["projected_on_hand_end"] = _units(materials.grid["on_hand_end"][: len(skus), -1].sum())
    return FinalPlan(plan_final=grid, plan_orders=orders, kpis=kpis)


def sku_backlog(demand: np.ndarray, available: np.ndarray) -> np.ndarray:
    """SKUs × weeks: demand not yet supplied at each week's end — demand so far beyond what is
    ``available`` so far (reachable opening stock, open POs and buildable receipts)."""
    wanted = np.cumsum(demand, axis=1)
    return wanted - np.minimum(wanted, np.maximum(available, 0.0))


def _kpis(
    calendar: PlanningCalendar,
    demand: np.ndarray,
    sku_backlog: np.ndarray,
    orders: pd.DataFrame,
    reconciliation: Reconciliation,
    unreachable: pd.DataFrame,
) -> dict[str, Any]:
    backlog = sku_backlog.sum(axis=0)
    # Demand no supply path reaches is the run's demand too, served only by stranded stock.
    demand_total = float(demand.sum()) + float(unreachable["demand"].sum())
    capacity = reconciliation.capacity
    limited = capacity[capacity["capacity"] > 0]
    by_centre = limited.groupby("workcenter")[["load", "capacity"]].sum()
    past_due = orders[orders["past_due"]]
    log = reconciliation.anchor_log
    peak = int(np.argmax(backlog)) if backlog.size else 0
    has_backlog = bool(backlog.size) and _units(backlog[peak]) > 0
    return {
        "demand_total": _units(demand_total),
        "backlog_end": _units(backlog[-1]) if backlog.size else 0.0,
        "backlog_peak": _units(backlog[peak]) if backlog.size else 0.0,
        "backlog_peak_week": str(calendar.weeks["week"].iloc[peak]) if has_backlog else None,
        "planned_receipts_total": _units(reconciliation.reconcile["final"].sum()),
        "capacity_utilisation": (
            _units(limited["load"].sum() / limited["capacity"].sum()) if len(limited) else None
        ),
        "utilisation_by_workcenter": {
            str(name): _units(row["load"] / row["capacity"]) for name, row in by_centre.iterrows()
        },
        "spill_total": _units(capacity["spilled"].sum()),
        "pull_in_total": _units(capacity["pulled"].sum()),
        "unmet_total": _units(log["unmet"].sum()),
        "anchor_residual_total": _units(log["residual"].sum()),
        "past_due_orders": len(past_due),
        "past_due_quantity": _units(past_due["quantity"].sum()),
        "delta_outside_tolerance": int(reconciliation.delta_log["outside_tolerance"].sum()),
    }


def _prediction(
    inputs: PlanningInputs,
    params: PlanParameters,
    calendar: PlanningCalendar,
    res: Resources,
    demand: np.ndarray,
    scheduled: np.ndarray,
    receipts: np.ndarray,
) -> dict[str, Any]:
    """What a run executing the plan can be expected to serve, day by day (module docs):
    on the day demand arises (``fill_rate``) and by the horizon end, late fills included
    (``fill_rate_by_horizon_end``)."""
    days = _Days.of(calendar)
    works = _working(inputs, calendar, res, days)
    finish = _finishing_days(inputs, calendar, res, params, receipts, days, works)
    if works is None:
        count = finish[:, days.week]
        finished = np.where(days.into[None, :] < count, receipts[:, days.week] / count, 0.0)
    else:
        lead = _lead_days(inputs, params)
        finished = _finished_on_working_days(receipts, finish, works[res.of_sku], days, lead)
    made, late = _as_made(inputs, params, finished)
    expedited = 0.0
    if not params.lead_time_constrained:
        made, late, expedited = finished, 0.0, late
    made = _item_limited(inputs, params, calendar, days, made)
    material = _component_limited(inputs, params, calendar, res, made, week_of_step=days.week)
    delay = _distribution_delay(inputs)
    stock = _stock_arrivals(inputs, days, delay)
    stock[:, days.first] += scheduled  # open POs: at the start of their week
    wanted = days.spread(demand)
    unreachable = inputs.unreachable
    stranded = float((unreachable["demand"] - unreachable["short"]).sum())
    if works is None:
        inflow = _delivered(material.made, delay) + stock
        on_time = _served_on_time(wanted, inflow) + stranded
        by_end = float(np.minimum(wanted.sum(axis=1), inflow.sum(axis=1)).sum()) + stranded
    else:
        served = _served_when_shipped(wanted, stock, material.made, works[res.of_sku], delay)
        on_time, by_end = served[0] + stranded, served[1] + stranded
    total = float(demand.sum()) + float(unreachable["demand"].sum())
    return {
        "fill_rate": _units(min(on_time / total, 1.0)) if total > 0 else 1.0,
        "supplied_on_time_total": _units(on_time),
        "supplied_total": _units(by_end),
        "fill_rate_by_horizon_end": _units(min(by_end / total, 1.0)) if total > 0 else 1.0,
        "late_receipts": _units(late),
        "expedited_receipts": _units(expedited),
        "component_short": _units(material.blocked),
        "material_assumed_total": _units(sum(material.assumed.values())),
        "material_assumed": material.assumed,
        "unreachable_demand": _units(unreachable["demand"].sum()),
        "unreachable_short": _units(unreachable["short"].sum()),
    }


@dataclass(frozen=True)
class _Days:
    """The horizon's days: ``week`` of each day, its index ``into`` its week, each week's
    ``length`` and ``first`` day."""

    week: np.ndarray
    into: np.ndarray
    length: np.ndarray
    first: np.ndarray

    @classmethod
    def of(cls, calendar: PlanningCalendar) -> _Days:
        weeks = calendar.weeks
        length = ((weeks["week_end"] - weeks["week_start"]).dt.days + 1).to_numpy()
        first = np.cumsum(length) - length
        week = np.repeat(np.arange(len(length)), length)
        return cls(week, np.arange(len(week)) - first[week], length, first)

    def spread(self, weekly: np.ndarray) -> np.ndarray:
        """A weekly quantity spread evenly over the week's days."""
        return weekly[:, self.week] / self.length[self.week]


def _working(
    inputs: PlanningInputs, calendar: PlanningCalendar, res: Resources, days: _Days
) -> np.ndarray | None:
    """Resources × the horizon's days: whether the resource works (``inputs.days_off``);
    None when every resource works every day."""
    off = inputs.days_off
    row = pd.Index(res.names).get_indexer(pd.Index(off["workcenter"]))
    day = (off["date"] - calendar.weeks["week_start"].iloc[0]).dt.days.to_numpy()
    keep = (row >= 0) & (day >= 0) & (day < len(days.week))
    if not keep.any():
        return None
    out = np.ones((len(res.names), len(days.week)), dtype=bool)
    out[row[keep], day[keep]] = False
    return out


def _finishing_days(
    inputs: PlanningInputs,
    calendar: PlanningCalendar,
    res: Resources,
    params: PlanParameters,
    made: np.ndarray,
    days: _Days,
    works: np.ndarray | None,
) -> np.ndarray:
    """Per SKU × week, on how many (working) days its receipts finish in a run: all the
    week's days under the ``daily`` rule; under ``lot`` the days a hard capacity needs —
    the resource's for its week, the SKU's own for its receipts, each a week's capacity
    over the week's working days — else one (a run may make a lot over more days where that
    is cheaper; the plan does not know the costs, and finishing earlier only serves
    sooner)."""
    length = days.length
    worked = np.broadcast_to(length[None, :], (len(res.names), len(length)))
    if works is not None:
        worked = np.add.reduceat(works.astype(np.int64), days.first, axis=1)
    span = np.maximum(worked, 1)[res.of_sku]
    if params.release_rule == "daily":
        return span
    capacity = res.weekly(calendar, params.decimals)
    load = np.zeros_like(capacity)
    np.add.at(load, res.of_sku, made)
    per_day = capacity / np.maximum(worked, 1)
    hard = ~res.allow_over[:, None] & (per_day > 0)
    need = np.where(hard, np.ceil(load / np.where(hard, per_day, 1.0) - 1e-9), 1.0)[res.of_sku]
    # A SKU with a hard capacity of its own takes at least the days that needs.
    limits = item_limits(inputs, calendar, params)
    rows = limits.rows
    own = limits.weekly / span[rows]
    days_own = np.where(own > 0, np.ceil(made[rows] / np.where(own > 0, own, 1.0) - 1e-9), 1.0)
    need[rows] = np.maximum(need[rows], days_own)
    return np.clip(need, 1, span)


def _lead_days(inputs: PlanningInputs, params: PlanParameters) -> np.ndarray:
    """Per SKU, its production lead time in whole days (rounded up)."""
    lead = (
        inputs.items.drop_duplicates("item")
        .set_index("item")["lead_time"]
        .reindex(inputs.skus, fill_value=0.0)
        .to_numpy(dtype=float)
    )
    if params.lead_time_unit != "day":
        lead = lead * 7.0
    return np.ceil(lead - 1e-9).astype(np.int64)


def _finished_on_working_days(
    receipts: np.ndarray, count: np.ndarray, works: np.ndarray, days: _Days, lead: np.ndarray
) -> np.ndarray:
    """Receipts (SKUs × weeks) by the day they finish (SKUs × days) where factories keep
    days off (``works``: SKUs × days, its work centre's): a week's receipts are released, as
    the run releases them, on the first ``count`` working days of the week's days moved a
    lead time earlier (days before the horizon are worked; a window without a working day
    falls back to the last one before it) and finish a lead time later."""
    horizon = len(days.week)
    out = np.zeros((len(receipts), horizon))
    for s in range(len(receipts)):
        before = np.arange(-int(lead[s]) - 2 * len(days.length), 0)
        worked = np.concatenate([before, np.flatnonzero(works[s])])
        for w in np.flatnonzero(receipts[s] > 0):
            first = days.first[w] - lead[s]
            lo = np.searchsorted(worked, first, side="left")
            hi = np.searchsorted(worked, first + days.length[w] - 1, side="right")
            window = worked[lo:hi] if hi > lo else worked[max(lo - 1, 0) : lo]
            k = int(min(max(count[s, w], 1), max(len(window), 1)))
            finish = window[:k] + lead[s]
            np.add.at(out[s], finish[finish < horizon], receipts[s, w] / k)
    return out


def _served_when_shipped(
    demand: np.ndarray, stock: np.ndarray, made: np.ndarray, works: np.ndarray, delay: np.ndarray
) -> tuple[float, float]:
    """Units of demand served on the day they arise and by the horizon end, where factories
    keep days off (``works``: SKUs × days, the SKU's work centre's). What a factory makes
    waits there and ships only on its working days, and only what the customers' orders
    pull (backlog and the day's demand beyond the stock already downstream), as the
    policies below it order it: demand on day ``t`` is pulled from the factory on day
    ``t − delay`` and is served late when that is a day off. Stock downstream (``stock``:
    by the day it reaches the customers, open POs included) serves first."""
    skus, horizon = demand.shape
    rows = np.arange(skus)
    lead = delay.astype(np.int64)
    factory = np.zeros(skus)
    downstream = np.zeros(skus)
    backlog = np.zeros(skus)
    on_time = sold = 0.0
    for t in range(horizon):
        day = t - lead
        inside = day >= 0
        at = np.clip(day, 0, horizon - 1)
        factory += np.where(inside, made[rows, at], 0.0)
        downstream += stock[:, t]
        ahead = demand[:, t + 1] if t + 1 < horizon else 0.0
        pull = np.maximum(backlog + demand[:, t] + ahead - downstream, 0.0)
        ship = np.where(inside & works[rows, at], np.minimum(factory, pull), 0.0)
        factory -= ship
        downstream += ship
        late, now = _serve_day(downstream, backlog, demand[:, t])
        on_time += float(now.sum())
        sold += float(late.sum() + now.sum())
    return on_time, sold


def _as_made(
    inputs: PlanningInputs, params: PlanParameters, finished: np.ndarray
) -> tuple[np.ndarray, float]:
    """Receipts (SKUs × days, by the day they finish) as a run makes them: what should
    finish before day ``L`` (the production lead time in days) was due for release before
    the horizon; it is released on day 0 and finishes on day ``L``."""
    lead = _lead_days(inputs, params)
    early = np.arange(finished.shape[1])[None, :] < lead[:, None]
    moved = np.where(early, finished, 0.0)
    made = finished - moved
    inside = np.flatnonzero(lead < finished.shape[1])
    made[inside, lead[inside]] += moved[inside].sum(axis=1)
    return made, float(moved.sum())


def _item_limited(
    inputs: PlanningInputs,
    params: PlanParameters,
    calendar: PlanningCalendar,
    days: _Days,
    made: np.ndarray,
) -> np.ndarray:
    """Receipts (SKUs × days) as a SKU's own hard capacity lets them finish: at most its
    week's capacity spread over the week's days each day, what is over carried to the next
    day, as the run carries a cut release over (late receipts made on day ``L`` at once
    included)."""
    limits = item_limits(inputs, calendar, params)
    if not len(limits.rows):
        return made
    cap = limits.weekly[:, days.week] / days.length[days.week][None, :]
    out = made.copy()
    waiting = np.zeros(len(limits.rows))
    for t in range(made.shape[1]):
        waiting += made[limits.rows, t]
        done = np.minimum(waiting, cap[:, t])
        out[limits.rows, t] = done
        waiting -= done
    return out


def _distribution_delay(inputs: PlanningInputs) -> np.ndarray:
    """Per SKU, the days a unit takes from where it is made to its customers: the
    ``network``'s ``lead_time`` of the locations with demand, weighted by their demand (0
    without a network)."""
    network = inputs.network
    served = network[network["supplied"] & (network["demand"] > 0)]
    weighted = (served["lead_time"] * served["demand"]).groupby(served["item"]).sum()
    delay = weighted / served.groupby("item")["demand"].sum()
    return np.rint(delay.reindex(inputs.skus, fill_value=0.0).to_numpy(dtype=float))


def _delivered(made: np.ndarray, delay: np.ndarray) -> np.ndarray:
    """Receipts (SKUs × days) by the day they reach the customers: a unit finished on day
    ``t`` is sold from day ``t + delay`` on. What arrives after the horizon serves nothing."""
    horizon = made.shape[1]
    out = np.zeros_like(made)
    for shift in np.unique(delay).astype(np.int64):
        rows = np.flatnonzero(delay == shift)
        if shift < horizon:
            out[rows, shift:] = made[rows, : horizon - shift]
    return out


def _stock_arrivals(inputs: PlanningInputs, days: _Days, delay: np.ndarray) -> np.ndarray:
    """Opening stock by the day it can reach the customers: stock at a location ``l`` days
    from where the SKU is made is ``delay − l`` days from them (a store's own stock serves
    at once). Stock where nothing supplies the SKU is left out: it serves only the
    unplanned demand below it (``PlanningInputs.unreachable``)."""
    skus = inputs.skus
    stock = inputs.inventory.merge(
        inputs.network[["item", "loc", "supplied", "lead_time"]], on=["item", "loc"], how="left"
    )
    row = label_positions(skus, stock["item"])
    stock = stock[(row >= 0) & stock["supplied"].fillna(True).astype(bool)]
    row = label_positions(skus, stock["item"])
    # Stock at a location the network does not list (inputs from files) serves at once.
    lead = stock["lead_time"].to_numpy(dtype=float)
    away = np.maximum(delay[row] - np.where(np.isnan(lead), delay[row], lead), 0.0)
    day = away.astype(np.int64)
    inside = day < len(days.week)
    out = np.zeros((len(skus), len(days.week)))
    np.add.at(out, (row[inside], day[inside]), stock["qty"].to_numpy(dtype=float)[inside])
    return out


@dataclass(frozen=True)
class _Material:
    """Receipts as components nothing supplies let them be made (``made``), what that cut
    (``blocked``), and, for a plan that is not material-constrained, what it assumes
    available beyond their stock, per ``component@location``."""

    made: np.ndarray
    blocked: float
    assumed: dict[str, float]


def _component_limited(
    inputs: PlanningInputs,
    params: PlanParameters,
    calendar: PlanningCalendar,
    resources: Resources,
    made: np.ndarray,
    *,
    week_of_step: np.ndarray | None = None,
) -> _Material:
    """Receipts the components can cover, step by step (``made``'s columns: the weeks of
    ``calendar``, or days when ``week_of_step`` gives each day's week).

    A component nothing supplies (``supplied`` false in ``PlanningInputs.network`` at the
    SKU's work centre) has only its opening stock there; one fed by a capped supplier gets
    ``component_supply`` on top, each week's spread evenly over its days (capacity-
    constrained plans only, as its run drops supplier caps otherwise). A step that asks for
    more of a component than is left gives every SKU using it the same fraction of its want;
    what is cut is wanted again the step after, as the simulator carries a cut release over.
    Not material-constrained: components nothing supplies cut nothing, and what the
    receipts need of them beyond their stock is reported as assumed available.
    """
    network = inputs.network
    short = network[~network["supplied"] & (label_positions(inputs.skus, network["item"]) < 0)]
    capped = inputs.component_supply if params.capacity_constrained else inputs.component_supply[:0]
    if (short.empty and capped.empty) or inputs.bom.empty:
        return _Material(made, 0.0, {})
    skus = inputs.skus
    centre = np.asarray(resources.names, dtype=object)[resources.of_sku]
    where = pd.DataFrame({"parent": skus, "loc": centre})
    # A pool of factories (multi-sourcing) holds its members' components together.
    site = dict(zip(inputs.sites["loc"], inputs.sites["workcenter"], strict=True))
    short = short.assign(loc=short["loc"].replace(site))
    capped = capped.assign(loc=capped["loc"].replace(site))
    limited = pd.concat([short[["item", "loc"]], capped[["item", "loc"]]]).drop_duplicates()
    edges = inputs.bom.merge(where, on="parent").merge(
        limited.rename(columns={"item": "child"}), on=["child", "loc"]
    )
    if edges.empty:
        return _Material(made, 0.0, {})
    keys = pd.Index(sorted(set(zip(edges["child"], edges["loc"], strict=True))))
    comp = keys.get_indexer(list(zip(edges["child"], edges["loc"], strict=True)))
    parent = label_positions(skus, edges["parent"])
    qty = edges["qty"].to_numpy(dtype=float)
    stock = inputs.inventory.assign(loc=inputs.inventory["loc"].replace(site))
    stock_at = stock.groupby(["item", "loc"])["qty"].sum()
    left = stock_at.reindex(keys, fill_value=0.0).to_numpy(dtype=float).copy()
    weekly = (
        capped.groupby(["item", "loc", "week"])["supply"]
        .sum()
        .unstack("week")
        .reindex(index=keys, columns=calendar.week_codes, fill_value=0.0)
        .fillna(0.0)
        .to_numpy(dtype=float)
    )
    if week_of_step is None:
        inflow = weekly
    else:
        length = np.bincount(week_of_step, minlength=weekly.shape[1])
        inflow = weekly[:, week_of_step] / length[week_of_step][None, :]
    free = np.zeros(len(keys), dtype=bool)
    assumed: dict[str, float] = {}
    if not params.material_constrained:
        unsourced = set(zip(short["item"], short["loc"], strict=True))
        free = np.array([key in unsourced for key in keys], dtype=bool)
        need = np.bincount(comp, weights=qty * made.sum(axis=1)[parent], minlength=len(keys))
        beyond = np.where(free, np.maximum(need - left, 0.0), 0.0)
        assumed = {
            f"{child}@{loc}": _units(units)
            for (child, loc), units in zip(keys, beyond, strict=True)
            if units > 1e-9
        }
        left = np.where(free, np.inf, left)
    out = np.zeros_like(made)
    wanted = np.zeros(len(skus))
    for t in range(made.shape[1]):
        wanted += made[:, t]
        unlimited = np.isinf(inflow[:, t]) | free
        have = np.where(unlimited, np.inf, left + inflow[:, t])
        need = np.bincount(comp, weights=qty * wanted[parent], minlength=len(keys))
        share = np.divide(have, need, out=np.ones_like(have), where=need > have)
        fraction = np.ones(len(skus))
        np.minimum.at(fraction, parent, share[comp])
        done = wanted * fraction
        used = np.bincount(comp, weights=qty * done[parent], minlength=len(keys))
        left = np.where(unlimited, left, np.maximum(have - used, 0.0))
        out[:, t] = done
        wanted -= done
    return _Material(out, float(made.sum() - out.sum()), assumed)


def _served_on_time(demand: np.ndarray, inflow: np.ndarray) -> float:
    """Units of demand served on the day they arise, backlog served first (as the run does),
    by what reaches the customers day by day (opening stock included)."""
    stock = np.zeros(len(demand))
    backlog = np.zeros_like(stock)
    on_time = 0.0
    for t in range(demand.shape[1]):
        stock += inflow[:, t]
        _late, now = _serve_day(stock, backlog, demand[:, t])
        on_time += float(now.sum())
    return on_time


def _serve_day(
    stock: np.ndarray, backlog: np.ndarray, demand: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One day at the customers, as the run serves them: ``stock`` serves the ``backlog``
    first, then the day's ``demand``, whose unserved part joins the backlog (both arrays
    change in place). Returns the units served late and on time."""
    late = np.minimum(stock, backlog)
    stock -= late
    backlog -= late
    now = np.minimum(stock, demand)
    stock -= now
    backlog += demand - now
    return late, now


def _units(value: float) -> float:
    """KPIs are stored to 6 decimals: float dust (1e-13 of backlog) is not a planner's number."""
    return round(float(value), 6) + 0.0
