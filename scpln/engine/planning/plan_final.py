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

The plan's own view (receipts as planned, late deliveries included):

- ``supplied_total`` and ``fill_rate_by_horizon_end``: SKU demand the plan supplies by the
  end of the horizon, and that over demand;
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
from .capacity import resources
from .inputs import PlanningInputs
from .mrp import plan_materials
from .parameters import PlanParameters, horizon_calendar
from .reconcile import Reconciliation
from .tables import to_dense

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
)


@dataclass(frozen=True)
class FinalPlan:
    """The plan_final stage's artifacts.

    ``plan_final``: ``PLAN_COLUMNS`` per item × week — sold SKUs (level 0, with their family
    and the work centre that makes them) and their components (level ≥ 1, both empty);
    ``projected_on_hand`` is at the week's end and is negative where the plan leaves a
    shortage.
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
        frame = pd.DataFrame(
            {
                "item": sold["item"].to_numpy(),
                "week_start": sold["week_start"].to_numpy(),
                "day": (sold["week_start"] - pd.Timestamp(start)).dt.days.to_numpy(),
                "days": (sold["week_end"] - sold["week_start"]).dt.days.to_numpy() + 1,
                "quantity": sold["planned_receipt"].to_numpy(),
            }
        )
        if by_node:
            frame.insert(1, "node", sold["workcenter"].to_numpy())
        return frame


def run_plan_final(
    inputs: PlanningInputs,
    params: PlanParameters,
    allocation: Allocation,
    reconciliation: Reconciliation,
) -> FinalPlan:
    calendar = horizon_calendar(inputs, params)
    skus = inputs.skus
    weeks = len(calendar.weeks)
    sku_week = allocation.sku_week
    gross = to_dense(sku_week, "sku", skus, "week_index", weeks, "supply")
    receipts = to_dense(reconciliation.reconcile, "sku", skus, "week_index", weeks, "final")
    materials = plan_materials(inputs, params, calendar, sku_gross=gross, sku_receipts=receipts)
    grid, orders = materials.tables(calendar)
    res = resources(inputs, calendar, params.decimals)
    sold = pd.DataFrame(
        {
            "family": inputs.sku_families,
            "workcenter": np.asarray(res.names, dtype=object)[res.of_sku],
        },
        index=pd.Index(skus, name="item"),
    )
    grid = grid.join(sold, on="item")
    grid[["family", "workcenter"]] = grid[["family", "workcenter"]].fillna("").astype("str")
    grid["week_end"] = np.tile(calendar.weeks["week_end"].to_numpy(), len(materials.items))
    grid = grid.rename(columns={"on_hand_end": "projected_on_hand"})[list(PLAN_COLUMNS)]
    demand = to_dense(sku_week, "sku", skus, "week_index", weeks, "demand")
    opening = materials.grid["on_hand_start"][: len(skus), 0]
    scheduled = materials.grid["scheduled_receipt"][: len(skus)]
    available = opening[:, None] + np.cumsum(scheduled + receipts, axis=1)
    kpis = _kpis(calendar, demand, available, orders, reconciliation, inputs.unreachable)
    kpis.update(
        _prediction(inputs, params, calendar, res.names, res.of_sku, demand, scheduled, receipts)
    )
    target = inputs.target_matrix(skus, calendar.week_codes)
    kpis["target_inventory_total"] = _units(target[:, -1].sum())
    kpis["projected_on_hand_end"] = _units(materials.grid["on_hand_end"][: len(skus), -1].sum())
    return FinalPlan(plan_final=grid, plan_orders=orders, kpis=kpis)


def _kpis(
    calendar: PlanningCalendar,
    demand: np.ndarray,
    available: np.ndarray,
    orders: pd.DataFrame,
    reconciliation: Reconciliation,
    unreachable: pd.DataFrame,
) -> dict[str, Any]:
    wanted = np.cumsum(demand, axis=1)
    supplied = np.minimum(wanted, np.maximum(available, 0.0))
    backlog = (wanted - supplied).sum(axis=0)
    # Demand no supply path reaches is the run's demand too, served only by stranded stock.
    demand_total = float(demand.sum()) + float(unreachable["demand"].sum())
    capacity = reconciliation.capacity
    limited = capacity[capacity["capacity"] > 0]
    by_centre = limited.groupby("workcenter")[["load", "capacity"]].sum()
    past_due = orders[orders["past_due"]]
    log = reconciliation.anchor_log
    peak = int(np.argmax(backlog)) if backlog.size else 0
    has_backlog = bool(backlog.size) and _units(backlog[peak]) > 0
    supplied_total = float(supplied[:, -1].sum()) if supplied.size else 0.0
    supplied_total += float((unreachable["demand"] - unreachable["short"]).sum())
    return {
        "demand_total": _units(demand_total),
        "supplied_total": _units(supplied_total),
        "fill_rate_by_horizon_end": (
            _units(supplied_total / demand_total) if demand_total > 0 else 1.0
        ),
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
    resource_names: list[str],
    resource_of_sku: np.ndarray,
    demand: np.ndarray,
    scheduled: np.ndarray,
    receipts: np.ndarray,
) -> dict[str, Any]:
    """What a run executing the plan can be expected to serve on time (module docs)."""
    made, late = _as_made(inputs, params, calendar, receipts)
    made, blocked = _component_limited(inputs, resource_names, resource_of_sku, made)
    delay = _distribution_delay(inputs)
    arrivals = _delivered(calendar, made, delay) + _stock_arrivals(inputs, calendar, delay)
    unreachable = inputs.unreachable
    on_time = _served_on_time(demand, scheduled + arrivals)
    on_time += float((unreachable["demand"] - unreachable["short"]).sum())
    total = float(demand.sum()) + float(unreachable["demand"].sum())
    return {
        "fill_rate": _units(min(on_time / total, 1.0)) if total > 0 else 1.0,
        "supplied_on_time_total": _units(on_time),
        "late_receipts": _units(late),
        "component_short": _units(blocked),
        "unreachable_demand": _units(unreachable["demand"].sum()),
        "unreachable_short": _units(unreachable["short"].sum()),
    }


def _as_made(
    inputs: PlanningInputs,
    params: PlanParameters,
    calendar: PlanningCalendar,
    receipts: np.ndarray,
) -> tuple[np.ndarray, float]:
    """Receipts as a run makes them: a daily share due before day ``L`` (the production
    lead time in days) was due for release before the horizon and arrives on day ``L``."""
    weeks = calendar.weeks
    first = (weeks["week_start"] - weeks["week_start"].iloc[0]).dt.days.to_numpy()
    length = (weeks["week_end"] - weeks["week_start"]).dt.days.to_numpy() + 1
    lead = (
        inputs.items.drop_duplicates("item")
        .set_index("item")["lead_time"]
        .reindex(inputs.skus, fill_value=0.0)
        .to_numpy(dtype=float)
    )
    if params.lead_time_unit != "day":
        lead = lead * 7.0
    lead = np.ceil(lead - 1e-9)
    early = np.clip(lead[:, None] - first[None, :], 0.0, length[None, :]) / length[None, :]
    moved = receipts * early
    made = receipts - moved
    arrival = np.searchsorted(first, lead, side="right") - 1
    inside = arrival < len(first)
    np.add.at(made, (np.flatnonzero(inside), arrival[inside]), moved[inside].sum(axis=1))
    return made, float(moved.sum())


def _distribution_delay(inputs: PlanningInputs) -> np.ndarray:
    """Per SKU, the days a unit takes from where it is made to its customers: the
    ``network``'s ``lead_time`` of the locations with demand, weighted by their demand (0
    without a network)."""
    network = inputs.network
    served = network[network["supplied"] & (network["demand"] > 0)]
    weighted = (served["lead_time"] * served["demand"]).groupby(served["item"]).sum()
    delay = weighted / served.groupby("item")["demand"].sum()
    return np.rint(delay.reindex(inputs.skus, fill_value=0.0).to_numpy(dtype=float))


def _delivered(calendar: PlanningCalendar, made: np.ndarray, delay: np.ndarray) -> np.ndarray:
    """Receipts as they reach the customers: a unit finished on day ``t`` is sold from day
    ``t + delay`` on. What arrives after the horizon serves no demand inside it."""
    if not delay.any():
        return made
    length = ((calendar.weeks["week_end"] - calendar.weeks["week_start"]).dt.days + 1).to_numpy()
    week_of_day = np.repeat(np.arange(len(length)), length)
    # A week's receipts are finished evenly over its days (as the run finishes them).
    daily = np.repeat(made / length[None, :], length, axis=1)
    arrival = np.arange(len(week_of_day))[None, :] + delay[:, None].astype(np.int64)
    inside = arrival < len(week_of_day)
    weeks = made.shape[1]
    cell = (
        np.arange(len(delay))[:, None] * weeks
        + week_of_day[np.minimum(arrival, len(week_of_day) - 1)]
    )
    out = np.bincount(cell[inside], weights=daily[inside], minlength=made.size)
    return out.reshape(made.shape)


def _stock_arrivals(
    inputs: PlanningInputs, calendar: PlanningCalendar, delay: np.ndarray
) -> np.ndarray:
    """Opening stock by the week it can reach the customers: stock at a location ``l`` days
    from where the SKU is made is ``delay − l`` days from them (a store's own stock serves
    at once). Stock where nothing supplies the SKU is left out: it serves only the
    unplanned demand below it (``PlanningInputs.unreachable``)."""
    skus = inputs.skus
    stock = inputs.inventory.merge(
        inputs.network[["item", "loc", "supplied", "lead_time"]], on=["item", "loc"], how="left"
    )
    row = pd.Index(skus).get_indexer(pd.Index(stock["item"]))
    stock = stock[(row >= 0) & stock["supplied"].fillna(True).astype(bool)]
    row = pd.Index(skus).get_indexer(pd.Index(stock["item"]))
    # Stock at a location the network does not list (inputs from files) serves at once.
    lead = stock["lead_time"].to_numpy(dtype=float)
    away = np.maximum(delay[row] - np.where(np.isnan(lead), delay[row], lead), 0.0)
    start = calendar.weeks["week_start"]
    week = calendar.week_index_of(start.iloc[0] + pd.to_timedelta(away, unit="D"))
    inside = week < len(start)
    out = np.zeros((len(skus), len(start)))
    np.add.at(out, (row[inside], week[inside]), stock["qty"].to_numpy(dtype=float)[inside])
    return out


def _component_limited(
    inputs: PlanningInputs,
    resource_names: list[str],
    resource_of_sku: np.ndarray,
    made: np.ndarray,
) -> tuple[np.ndarray, float]:
    """Receipts the stock of components that nothing supplies can cover, week by week.

    Such a component (``supplied`` false in ``PlanningInputs.network`` at the SKU's work
    centre) has only its opening stock there. A week that asks for more of it than is left
    gives every SKU using it the same fraction of its want; what is cut is wanted again the
    week after, as the simulator carries a cut release over.
    """
    network = inputs.network
    short = network[~network["supplied"] & ~network["item"].isin(inputs.skus)]
    if short.empty or inputs.bom.empty:
        return made, 0.0
    skus = inputs.skus
    centre = np.asarray(resource_names, dtype=object)[resource_of_sku]
    where = pd.DataFrame({"parent": skus, "loc": centre})
    edges = inputs.bom.merge(where, on="parent").merge(
        short[["item", "loc"]].rename(columns={"item": "child"}), on=["child", "loc"]
    )
    if edges.empty:
        return made, 0.0
    keys = pd.Index(sorted(set(zip(edges["child"], edges["loc"], strict=True))))
    comp = keys.get_indexer(list(zip(edges["child"], edges["loc"], strict=True)))
    parent = pd.Index(skus).get_indexer(pd.Index(edges["parent"]))
    qty = edges["qty"].to_numpy(dtype=float)
    stock_at = inputs.inventory.groupby(["item", "loc"])["qty"].sum()
    left = stock_at.reindex(keys, fill_value=0.0).to_numpy(dtype=float).copy()
    out = np.zeros_like(made)
    wanted = np.zeros(len(skus))
    for t in range(made.shape[1]):
        wanted += made[:, t]
        need = np.bincount(comp, weights=qty * wanted[parent], minlength=len(keys))
        share = np.divide(left, need, out=np.ones_like(left), where=need > left)
        fraction = np.ones(len(skus))
        np.minimum.at(fraction, parent, share[comp])
        done = wanted * fraction
        left -= np.bincount(comp, weights=qty * done[parent], minlength=len(keys))
        left = np.maximum(left, 0.0)
        out[:, t] = done
        wanted -= done
    return out, float(made.sum() - out.sum())


def _served_on_time(demand: np.ndarray, inflow: np.ndarray) -> float:
    """Units of demand served in their own week, backlog served first (as the run does), by
    what reaches the customers week by week (opening stock included)."""
    stock = np.zeros(len(demand))
    backlog = np.zeros_like(stock)
    on_time = 0.0
    for t in range(demand.shape[1]):
        stock += inflow[:, t]
        late = np.minimum(stock, backlog)
        stock -= late
        backlog -= late
        now = np.minimum(stock, demand[:, t])
        stock -= now
        backlog += demand[:, t] - now
        on_time += float(now.sum())
    return on_time


def _units(value: float) -> float:
    """KPIs are stored to 6 decimals: float dust (1e-13 of backlog) is not a planner's number."""
    return round(float(value), 6) + 0.0
