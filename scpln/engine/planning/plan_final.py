"""The final plan: reconciled SKU receipts, their releases, the components they need, KPIs.

The sold SKUs' planned receipts are the reconciled ones; their releases are those receipts
offset by the lead time (flagged ``past_due`` before the horizon, as in MRP), and the BOM is
exploded and netted again from these releases, so components follow the plan actually
chosen rather than MRP's first draft. The KPIs are plain numbers a plan version stores:

- ``fill_rate``: units of SKU demand that the plan can supply by the end of the horizon
  (from opening stock, open POs and planned receipts, late deliveries included), over demand;
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
    available = materials.grid["on_hand_start"][: len(skus), :1] + np.cumsum(
        materials.grid["scheduled_receipt"][: len(skus)] + receipts, axis=1
    )
    kpis = _kpis(calendar, demand, available, orders, reconciliation)
    return FinalPlan(plan_final=grid, plan_orders=orders, kpis=kpis)


def _kpis(
    calendar: PlanningCalendar,
    demand: np.ndarray,
    available: np.ndarray,
    orders: pd.DataFrame,
    reconciliation: Reconciliation,
) -> dict[str, Any]:
    wanted = np.cumsum(demand, axis=1)
    supplied = np.minimum(wanted, np.maximum(available, 0.0))
    backlog = (wanted - supplied).sum(axis=0)
    demand_total = float(demand.sum())
    capacity = reconciliation.capacity
    limited = capacity[capacity["capacity"] > 0]
    by_centre = limited.groupby("workcenter")[["load", "capacity"]].sum()
    past_due = orders[orders["past_due"]]
    log = reconciliation.anchor_log
    peak = int(np.argmax(backlog)) if backlog.size else 0
    has_backlog = bool(backlog.size) and _units(backlog[peak]) > 0
    supplied_total = float(supplied[:, -1].sum()) if supplied.size else 0.0
    return {
        "demand_total": _units(demand_total),
        "supplied_total": _units(supplied_total),
        "fill_rate": _units(supplied_total / demand_total) if demand_total > 0 else 1.0,
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


def _units(value: float) -> float:
    """KPIs are stored to 6 decimals: float dust (1e-13 of backlog) is not a planner's number."""
    return round(float(value), 6) + 0.0
