"""The exceptions' section on the run and plan version pages (core/panels.py), and the
counts by kind the runs and plans APIs show (core/badges.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse

from core import badges
from core.panels import Panel, register
from exceptions import selectors
from exceptions.labels import KIND_LABELS
from exceptions.views import summary_context
from plans.models import PlanVersion
from runs.api.serializers import EXCEPTION_COUNTS
from runs.models import Run


def run_panel(run: Model, request: HttpRequest) -> dict[str, Any]:
    assert isinstance(run, Run)
    rows = selectors.exceptions_of_run(run=run)
    return {**summary_context(rows, run), "url": reverse("exceptions:run", args=[run.pk])}


def plan_panel(version: Model, request: HttpRequest) -> dict[str, Any]:
    assert isinstance(version, PlanVersion)
    rows = selectors.exceptions_of_plan_version(plan_version=version)
    run = selectors.plan_version_run(version)
    return {**summary_context(rows, run), "url": reverse("exceptions:plan", args=[version.pk])}


def run_counts(runs: Sequence[Model]) -> dict[Any, dict[str, int]]:
    return selectors.counts_of_runs([run for run in runs if isinstance(run, Run)])


def plan_counts(versions: Sequence[Model]) -> dict[Any, dict[str, int]]:
    return selectors.counts_of_plan_versions(
        [version for version in versions if isinstance(version, PlanVersion)]
    )


def register_panels() -> None:
    register("runs.run", Panel(10, "exceptions/_panel.html", run_panel))
    register("plans.planversion", Panel(10, "exceptions/_panel.html", plan_panel))
    badges.register("runs.run", EXCEPTION_COUNTS, run_counts, labels=KIND_LABELS)
    badges.register("plans.planversion", EXCEPTION_COUNTS, plan_counts, labels=KIND_LABELS)
