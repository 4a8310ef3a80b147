"""Reconciliation: anchor DET to AGG at the cutover, level weekly capacity, log AGG ↔ DET.

The planned receipts of the sold SKUs are reconciled in three steps:

1. anchoring (:mod:`.anchor`) combines the aggregate plan and MRP's detailed plan around the
   cutover, conserving each SKU's aggregate total (carryover places what the window cannot);
2. leveling (:mod:`.leveling`) fits the result into weekly capacity by pull-in and forward
   spill, reporting what spills past the horizon as unmet;
3. the delta log rolls the detailed plans up to family × month (with the allocation's week
   shares, so a week split by a month end is split like the aggregate was) and compares them
   with the aggregate production, flagging rows outside the tolerances.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .aggregate import AggregatePlan
from .allocate import Allocation, roll_up
from .anchor import Anchored, anchor, cutover_week
from .calendar import PlanningCalendar
from .capacity import item_limits, resources
from .inputs import PlanningInputs
from .leveling import Leveled, level
from .mrp import MrpPlan
from .parameters import PlanParameters, horizon_grid
from .tables import repeat_labels, tile_labels, to_dense, utilisation, week_table


@dataclass(frozen=True)
class Reconciliation:
    """The reconcile stage's artifacts.

    ``reconcile``: sku, family, week, week_index, week_start, near (starts before the cutover),
    in_window (absorbs the anchoring difference), agg_production, det_production, anchored,
    final — per SKU × week: ``agg_production`` is the family's
    aggregate production split over its SKUs by their net requirements (see :mod:`.anchor`),
    ``det_production`` MRP's planned receipts, ``anchored`` the plan after anchoring,
    ``final`` after leveling (the reconciled planned receipts).
    ``anchor_log``: sku, family, delta, absorbed, carried_prev, carried_next, residual, unmet —
    per SKU (see :class:`~.anchor.Anchored`; ``unmet`` spilled past the horizon end).
    ``capacity``: workcenter, week, week_index, week_start, capacity, requested, load, spilled,
    pulled, utilisation, allow_over_capacity — per resource × week.
    ``delta_log``: family, period, period_index, zone (near / cutover / far), agg, det, final,
    delta_det (det − agg), delta (final − agg), rel_delta, outside_tolerance — per family × month.
    """

    reconcile: pd.DataFrame
    anchor_log: pd.DataFrame
    capacity: pd.DataFrame
    delta_log: pd.DataFrame

    def frames(self) -> dict[str, pd.DataFrame]:
        return {
            "reconcile": self.reconcile,
            "anchor_log": self.anchor_log,
            "capacity": self.capacity,
            "delta_log": self.delta_log,
        }


def run_reconcile(
    inputs: PlanningInputs,
    params: PlanParameters,
    aggregate: AggregatePlan,
    allocation: Allocation,
    mrp: MrpPlan,
) -> Reconciliation:
    horizon = horizon_grid(inputs, params)
    calendar, skus = horizon.calendar, horizon.skus
    agg = horizon.dense(allocation.sku_week, "production")
    det = horizon.dense(mrp.mrp, "planned_receipt", key="item")
    cut = cutover_week(calendar.weeks["week_start"].to_numpy(), params)
    family = pd.Index(inputs.families).get_indexer(pd.Index(inputs.sku_families))
    target = inputs.target_matrix(skus, calendar.week_codes)[:, -1]
    anchored = anchor(agg, det, _net_need(mrp, skus, target), family, cut, params)
    res = resources(inputs, calendar, params)
    capacity = res.weekly(calendar, params.decimals)
    # A SKU's own hard capacity first (pull-in, spill, unmet, like a work centre's), then
    # its work centre's, which moves the SKU's units only later or earlier within it.
    limits = item_limits(inputs, calendar, params)
    plan = anchored.plan.copy()
    item_unmet = np.zeros(len(skus))
    if len(limits.rows):
        own = level(
            plan[limits.rows],
            np.arange(len(limits.rows)),
            limits.weekly,
            np.zeros(len(limits.rows), dtype=bool),
            params.window_weeks,
        )
        plan[limits.rows] = own.plan
        item_unmet[limits.rows] = own.unmet
    leveled = level(plan, res.of_sku, capacity, res.allow_over, params.window_weeks)
    leveled = replace(leveled, unmet=leveled.unmet + item_unmet)
    families = inputs.sku_families
    return Reconciliation(
        reconcile=week_table(
            calendar,
            "sku",
            skus,
            {
                "agg_production": anchored.agg,
                "det_production": det,
                "anchored": anchored.plan,
                "final": leveled.plan,
            },
            extra={"family": families},
        ).assign(
            near=np.tile(anchored.near, len(skus)),
            in_window=np.tile(anchored.in_window, len(skus)),
        )[
            [
                "sku",
                "family",
                "week",
                "week_index",
                "week_start",
                "near",
                "in_window",
                "agg_production",
                "det_production",
                "anchored",
                "final",
            ]
        ],
        anchor_log=_anchor_log(skus, families, anchored, leveled),
        capacity=_capacity_table(calendar, res.names, capacity, res.allow_over, leveled),
        delta_log=_delta_log(
            inputs, params, calendar, aggregate, allocation, det, leveled.plan, cut
        ),
    )


def _net_need(mrp: MrpPlan, skus: list[str], target: np.ndarray) -> np.ndarray:
    """Per SKU: what it must ship over the horizon plus its target stock at the end, less its
    opening stock and open orders."""
    grid = mrp.mrp[mrp.mrp["level"] == 0]
    totals = grid.groupby("item")[["gross_requirement", "scheduled_receipt"]].sum()
    opening = grid[grid["week_index"] == 0].set_index("item")["on_hand_start"]
    need = totals["gross_requirement"] - totals["scheduled_receipt"] - opening
    need = need.reindex(skus).fillna(0.0).to_numpy() + target
    return np.maximum(need, 0.0)


def _anchor_log(
    skus: list[str], families: list[str], anchored: Anchored, leveled: Leveled
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sku": pd.Series(skus, dtype="str"),
            "family": pd.Series(families, dtype="str"),
            "delta": anchored.delta,
            "absorbed": anchored.absorbed,
            "carried_prev": anchored.carried_prev,
            "carried_next": anchored.carried_next,
            "residual": anchored.residual,
            "unmet": leveled.unmet,
        }
    )


def _capacity_table(
    calendar: PlanningCalendar,
    names: list[str],
    capacity: np.ndarray,
    allow_over: np.ndarray,
    leveled: Leveled,
) -> pd.DataFrame:
    frame = week_table(
        calendar,
        "workcenter",
        names,
        {
            "capacity": capacity,
            "requested": leveled.requested,
            "load": leveled.load,
            "spilled": leveled.spilled,
            "pulled": leveled.pulled,
        },
        extra={"allow_over_capacity": allow_over.tolist()},
    )
    frame["allow_over_capacity"] = frame["allow_over_capacity"].astype(bool)
    frame["utilisation"] = utilisation(frame["load"], frame["capacity"])
    return frame


def _delta_log(
    inputs: PlanningInputs,
    params: PlanParameters,
    calendar: PlanningCalendar,
    aggregate: AggregatePlan,
    allocation: Allocation,
    det: np.ndarray,
    final: np.ndarray,
    cut: int,
) -> pd.DataFrame:
    families = inputs.families
    periods = len(calendar.periods)
    family_of_sku = pd.Index(families).get_indexer(pd.Index(inputs.sku_families))
    by_family = np.zeros((len(families), det.shape[1]))
    np.add.at(by_family, family_of_sku, det)
    det_monthly = roll_up(allocation, families, by_family, periods)
    by_family[:] = 0.0
    np.add.at(by_family, family_of_sku, final)
    final_monthly = roll_up(allocation, families, by_family, periods)
    agg = to_dense(aggregate.aggregate, "family", families, "period_index", periods, "production")
    delta = final_monthly - agg
    scale = np.maximum(np.maximum(np.abs(agg), np.abs(final_monthly)), 1.0)
    relative = np.abs(delta) / scale
    outside = (np.abs(delta) > params.tolerance_abs) & (relative > params.tolerance_rel)
    return pd.DataFrame(
        {
            "family": repeat_labels(families, periods),
            "period": tile_labels(calendar.periods["period"], len(families)),
            "period_index": np.tile(np.arange(periods), len(families)),
            "zone": np.tile(_period_zones(calendar, cut), len(families)),
            "agg": agg.reshape(-1),
            "det": det_monthly.reshape(-1),
            "final": final_monthly.reshape(-1),
            "delta_det": (det_monthly - agg).reshape(-1),
            "delta": delta.reshape(-1),
            "rel_delta": relative.reshape(-1),
            "outside_tolerance": outside.reshape(-1),
        }
    )


def _period_zones(calendar: PlanningCalendar, cut: int) -> np.ndarray:
    """``near`` when all a month's weeks start before the cutover, ``far`` when none does,
    ``cutover`` otherwise (weeks are never split: a week starting before it is near)."""
    weeks = calendar.parts.groupby("period_index")["week_index"]
    first, last = weeks.min().to_numpy(), weeks.max().to_numpy()
    return np.where(last < cut, "near", np.where(first >= cut, "far", "cutover")).astype(object)
