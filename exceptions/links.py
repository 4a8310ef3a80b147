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


# Plan rows about a sold SKU: the workbench grid shows SKUs, not components or centres.
GRID_KINDS = frozenset({"late_demand", "unreachable_demand"})


def grid_url(row: PlanningException) -> str:
    """The plan's workbench grid on the row's SKU from the ISO week of its first day, for a
    plan's own row about a sold SKU (where the planner can change the plan); "" otherwise."""
    if row.run_id is not None or not row.plan_version_id or not row.item:
        return ""
    if row.kind not in GRID_KINDS:
        return ""
    query: dict[str, Any] = {"level": "detail", "sku": row.item}
    if row.first_date is not None:
        year, week, _ = row.first_date.isocalendar()
        query["period_from"] = f"{year}-W{week:02d}"
    page = reverse("plans:psi", args=[row.plan_version_id])
    return f"{page}?{urlencode(query)}"
