"""The plan page's replication panel (core.panels): the latest set and the form."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import HttpRequest

from core import panels
from risk import selectors
from risk.forms import OptimisationForm, ReplicationSetForm
from risk.models import LevelOptimisation
from risk.views import ADD, ADD_SCENARIO, scenario_versions, set_context


def plan_version_replications(version: Model, request: HttpRequest) -> dict[str, Any]:
    latest = selectors.replication_set_list(plan_version=version.pk).first()
    context: dict[str, Any] = {
        "version": version,
        "form": ReplicationSetForm(),
        "can_add": request.user.has_perm(ADD),
        "latest": None,
    }
    if latest is not None:
        context["latest"] = set_context(latest)
    return context


def scenario_optimisations(scenario: Model, request: HttpRequest) -> dict[str, Any]:
    return {
        "scenario": scenario,
        "form": OptimisationForm(versions=scenario_versions(scenario)),  # type: ignore[arg-type]
        "can_add": request.user.has_perm(ADD_SCENARIO),
        "optimisations": list(
            LevelOptimisation.objects.filter(scenario_id=scenario.pk)
            .select_related("job", "result_scenario")
            .order_by("-created_at", "-id")[:10]
        ),
    }


def register_panels() -> None:
    panels.register(
        "scenarios.scenario",
        panels.Panel(
            order=60, template="risk/_scenario_panel.html", context=scenario_optimisations
        ),
    )
    panels.register(
        "plans.planversion",
        panels.Panel(order=50, template="risk/_plan_panel.html", context=plan_version_replications),
    )
