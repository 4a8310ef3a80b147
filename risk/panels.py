"""The plan page's replication panel (core.panels): the latest set and the form."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import HttpRequest

from core import panels
from risk import selectors
from risk.forms import ReplicationSetForm
from risk.views import ADD, set_context


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


def register_panels() -> None:
    panels.register(
        "plans.planversion",
        panels.Panel(order=50, template="risk/_plan_panel.html", context=plan_version_replications),
    )
