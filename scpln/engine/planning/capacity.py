"""Which capacity each SKU draws on, per month and per week.

A *resource* is what capacity is checked against: a work centre named in the routing, or,
when the inputs give no routing (the original files never do), the pooled capacity of every
work centre, named ``WC1+WC2+…`` (just ``WC1`` when there is one). Monthly capacity is
spread over a month's weeks exactly like demand (by the calendar weights), so a month whose
demand fits its capacity also fits it week by week.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .calendar import PlanningCalendar
from .inputs import PlanningInputs
from .parameters import PlanParameters
from .rounding import round_keeping_totals
from .tables import part_shares, part_sums, to_dense


@dataclass(frozen=True)
class Resources:
    """Resources in name order; ``of_sku[i]`` is the resource of ``inputs.skus[i]``."""

    names: list[str]
    of_sku: np.ndarray
    monthly: np.ndarray
    allow_over: np.ndarray
    # resources × calendar parts: how a month's capacity falls on its week parts where the
    # inputs say (``capacity_parts``: working days), NaN where they do not.
    parts: np.ndarray | None = None

    def weekly(self, calendar: PlanningCalendar, decimals: int | None) -> np.ndarray:
        """``resources × weeks`` capacity; rounded per month part so monthly totals hold."""
        return weekly_capacity(self.monthly, calendar, decimals, given=self.parts)


def weekly_capacity(
    monthly: np.ndarray,
    calendar: PlanningCalendar,
    decimals: int | None,
    *,
    given: np.ndarray | None = None,
) -> np.ndarray:
    """Rows × periods of capacity as rows × weeks: each month spread over its week parts by
    the calendar weights, like demand — or, for a row whose ``given`` parts (rows × parts)
    say how its month falls on them (a factory's working days), in their proportions — and
    rounded per month part so monthly totals hold."""
    period_of_part = calendar.parts["period_index"].to_numpy()
    shares = np.broadcast_to(part_shares(calendar), (len(monthly), len(period_of_part)))
    if given is not None:
        known = ~np.isnan(given)
        values = np.where(known, given, 0.0)
        month = np.zeros((len(monthly), len(calendar.periods)))
        for row in range(len(monthly)):
            np.add.at(month[row], period_of_part, values[row])
        total = month[:, period_of_part]
        own = np.divide(values, total, out=np.zeros_like(values), where=total > 0)
        shares = np.where(known.all(axis=1, keepdims=True), own, shares)
    parts = monthly[:, period_of_part] * shares
    groups = np.arange(len(monthly))[:, None] * len(shares) + period_of_part[None, :]
    return part_sums(calendar, round_keeping_totals(parts, groups, decimals))


@dataclass(frozen=True)
class ItemLimits:
    """Hard per-SKU production capacities: ``rows`` index ``inputs.skus``, ``weekly`` is
    ``len(rows) × weeks``."""

    rows: np.ndarray
    weekly: np.ndarray


def item_limits(
    inputs: PlanningInputs, calendar: PlanningCalendar, params: PlanParameters
) -> ItemLimits:
    """The SKUs with a hard capacity of their own (``inputs.item_capacity``) and their weekly
    capacity, floored to the rounding grid; none for a plan that is not
    capacity-constrained (its run makes hard item capacities soft)."""
    table = inputs.item_capacity
    weeks = len(calendar.weeks)
    if table.empty or not params.capacity_constrained:
        return ItemLimits(np.zeros(0, np.int64), np.zeros((0, weeks)))
    capped = sorted(set(table["sku"]) & set(inputs.skus))
    rows = pd.Index(inputs.skus).get_indexer(pd.Index(capped))
    periods = calendar.periods.set_index("period")["period_index"]
    frame = table[table["sku"].isin(capped) & table["period"].isin(periods.index)]
    frame = frame.assign(period_index=periods.reindex(frame["period"]).to_numpy())
    monthly = to_dense(frame, "sku", capped, "period_index", len(calendar.periods), "capacity")
    decimals = params.decimals
    if decimals is not None:
        monthly = np.floor(monthly * 10.0**decimals + 1e-9) / 10.0**decimals
    return ItemLimits(rows.astype(np.int64), weekly_capacity(monthly, calendar, decimals))


def resources(
    inputs: PlanningInputs, calendar: PlanningCalendar, params: PlanParameters
) -> Resources:
    """The resources of the horizon; capacity is floored to the rounding grid, since a plan
    rounded to whole units cannot use a fraction of a unit of capacity. A plan that is not
    capacity-constrained lets every resource run over capacity."""
    decimals = params.decimals
    capacity = inputs.capacity.assign(
        period_index=calendar.periods.set_index("period")["period_index"]
        .reindex(inputs.capacity["period"])
        .fillna(-1)
        .to_numpy(dtype=np.int64)
    )
    flags = inputs.workcenters.set_index("workcenter")["allow_over_capacity"]
    if inputs.routing.empty:
        centres = sorted(capacity["workcenter"].unique().tolist())
        pool = "+".join(centres)
        capacity = capacity.assign(workcenter=pool)
        names = [pool]
        of_sku = np.zeros(len(inputs.skus), dtype=np.int64)
        allow = np.array([bool(flags.reindex(centres).fillna(False).all())])
    else:
        names = sorted(inputs.routing["workcenter"].unique().tolist())
        routed = inputs.routing.set_index("sku")["workcenter"].reindex(inputs.skus)
        of_sku = pd.Index(names).get_indexer(pd.Index(routed))
        allow = flags.reindex(names).fillna(False).to_numpy(dtype=bool)
    monthly = to_dense(
        capacity, "workcenter", names, "period_index", len(calendar.periods), "capacity"
    )
    if decimals is not None:
        monthly = np.floor(monthly * 10.0**decimals + 1e-9) / 10.0**decimals
    if not params.capacity_constrained:
        allow = np.ones(len(names), dtype=bool)
    return Resources(
        names=names,
        of_sku=of_sku,
        monthly=monthly,
        allow_over=allow,
        parts=_given_parts(inputs, calendar, names) if not inputs.routing.empty else None,
    )


def _given_parts(
    inputs: PlanningInputs, calendar: PlanningCalendar, names: list[str]
) -> np.ndarray | None:
    """``capacity_parts`` as resources × calendar parts (NaN where a part is not given)."""
    table = inputs.capacity_parts
    if table.empty:
        return None
    keys = pd.MultiIndex.from_frame(calendar.parts[["period", "week"]])
    column = keys.get_indexer(pd.MultiIndex.from_frame(table[["period", "week"]]))
    row = pd.Index(names).get_indexer(pd.Index(table["workcenter"]))
    keep = (column >= 0) & (row >= 0)
    out = np.full((len(names), len(keys)), np.nan)
    out[row[keep], column[keep]] = table["capacity"].to_numpy(dtype=float)[keep]
    return out
