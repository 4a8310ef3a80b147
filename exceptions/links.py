"""Where an exception leads: the run's PSI positioned on its node × item × period."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from exceptions.models import PlanningException

# Days shown before an exception's first day, so the planner sees it coming.
LEAD_IN_DAYS = 7


def psi_url(row: PlanningException, run_id: Any, *, plan_nodes: bool = True) -> str:
    """The run page's PSI section on the row's node and item, from a week before its first
    day to its last for a row of that run (a plan's row counts weeks, not the run's days,
    so it opens the whole horizon). The run page when the row has no node-item, or when it
    is a plan's row and ``plan_nodes`` is false (a plan made from an imported input set
    names work centres, not the run's nodes); the plan page when there is no run."""
    if run_id is None:
        return reverse("plans:detail", args=[row.plan_version_id]) if row.plan_version_id else ""
    page = reverse("runs:detail", args=[run_id])
    if not (row.node and row.item) or (row.run_id is None and not plan_nodes):
        return page
    query: dict[str, Any] = {"node": row.node, "item": row.item, "bucket": "day"}
    if row.first_day is not None and row.run_id is not None:
        query["day_from"] = max(row.first_day - LEAD_IN_DAYS, 0)
        if row.last_day is not None:
            query["day_to"] = row.last_day
    return f"{page}?{urlencode(query)}#psi"
