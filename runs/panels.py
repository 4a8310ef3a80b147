"""The run history's section on the scenario page (core/panels.py): the newest runs
against it, filtered with THE run FilterSet as ``/ui/runs?scenario_id=`` does."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Model
from django.http import HttpRequest

from core.panels import Panel, register
from runs.selectors import run_list

RELATED_ROWS = 20


def scenario_runs(scenario: Model, request: HttpRequest) -> dict[str, Any]:
    runs = run_list(params={"scenario_id": scenario.pk})
    return {"scenario": scenario, "runs": Paginator(runs, RELATED_ROWS).page(1)}


def register_panels() -> None:
    register("scenarios.scenario", Panel(20, "runs/_scenario_runs.html", scenario_runs))
