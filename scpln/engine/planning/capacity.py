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

    def weekly(self, calendar: PlanningCalendar, decimals: int | None) -> np.ndarray:
        """``resources × weeks`` capacity; rounded per month part so monthly totals hold."""
        shares = part_shares(calendar)
        period_of_part = calendar.parts["period_index"].to_numpy()
        parts = self.monthly[:, period_of_part] * shares
        groups = np.arange(len(self.names))[:, None] * len(shares) + period_of_part[None, :]
        return part_sums(calendar, round_keeping_totals(parts, groups, decimals))


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
    return Resources(names=names, of_sku=of_sku, monthly=monthly, allow_over=allow)
