"""The plans' sections on the scenario and config pages (core/panels.py).

Plan versions are filtered with the plan FilterSet, as ``/ui/plans?base_scenario_id=``
and ``?config_version_id=`` do, so the first rows here are the first rows there.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Model
from django.http import HttpRequest

from core.panels import Panel, register
from plans.filters import PlanVersionFilter
from plans.selectors import plan_version_list

RELATED_ROWS = 20


def scenario_plans(scenario: Model, request: HttpRequest) -> dict[str, Any]:
    versions = PlanVersionFilter({"base_scenario_id": scenario.pk}, queryset=plan_version_list()).qs
    return {"scenario": scenario, "versions": Paginator(versions, RELATED_ROWS).page(1)}


def config_plans(config: Model, request: HttpRequest) -> dict[str, Any]:
    versions = PlanVersionFilter({"config_version_id": config.pk}, queryset=plan_version_list()).qs
    return {
        "config": config,
        "versions": list(versions[:RELATED_ROWS]),
        "version_count": versions.count(),
    }


def register_panels() -> None:
    register("scenarios.scenario", Panel(10, "plans/_scenario_plans.html", scenario_plans))
    register("scenarios.configversion", Panel(10, "plans/_config_plans.html", config_plans))
