"""The plans' sections on the scenario and config pages (core/panels.py).

Plan versions are filtered with the plan FilterSet, as ``/ui/plans?base_scenario_id=``
and ``?config_version_id=`` do, so the first rows here are the first rows there.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.panels import Panel, register
from plans.filters import PlanVersionFilter
from plans.selectors import plan_version_list

RELATED_ROWS = 20
TEMPLATE = "plans/_plan_versions_panel.html"


def _versions(filter_name: str, obj: Model) -> dict[str, Any]:
    versions = PlanVersionFilter({filter_name: obj.pk}, queryset=plan_version_list()).qs
    return {
        "versions": list(versions[:RELATED_ROWS]),
        "total": versions.count(),
        "all_url": f"{reverse('plans:list')}?{urlencode({filter_name: obj.pk})}",
    }


def scenario_plans(scenario: Model, request: HttpRequest) -> dict[str, Any]:
    return {
        **_versions("base_scenario_id", scenario),
        "heading": _("Plans based on this scenario"),
        "testid": "scenario-plans",
        "show": "config",
        "empty": _("No plan has been made from this scenario yet."),
        "all_label": _("All plans of this scenario"),
    }


def config_plans(config: Model, request: HttpRequest) -> dict[str, Any]:
    return {
        **_versions("config_version_id", config),
        "heading": _("Plans using it"),
        "testid": "config-plans",
        "show": "scenario",
        "empty": _("No plan uses this config yet."),
        "all_label": _("All plans on this config"),
    }


def register_panels() -> None:
    register("scenarios.scenario", Panel(10, TEMPLATE, scenario_plans))
    register("scenarios.configversion", Panel(10, TEMPLATE, config_plans))
