"""Sections that an app adds to another app's page, so the lower app need not know it.

A scenario's page shows the plans made from it and the runs against it, but
``scenarios`` sits below ``plans`` and ``runs`` and cannot import them. Those
apps register a panel for the scenario instead (in their ``AppConfig.ready``),
and the scenario page renders whatever panels are registered for it, in
``order`` — the way admin inlines extend a change page::

    panels.register("scenarios.scenario", Panel(
        order=10, template="plans/_scenario_plans.html", context=scenario_plans_context))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    """A section of another app's detail page: a template and the context it needs."""

    order: int
    template: str
    context: Callable[[Model, HttpRequest], dict[str, Any]]


@dataclass(frozen=True)
class RenderedPanel:
    template: str
    context: dict[str, Any]


_panels: dict[str, list[Panel]] = {}


def register(model_label: str, panel: Panel) -> None:
    """Add ``panel`` to the detail page of ``model_label`` (``app_label.modelname``)."""
    registered = _panels.setdefault(model_label, [])
    if panel.template not in {existing.template for existing in registered}:
        registered.append(panel)
        registered.sort(key=lambda existing: existing.order)


def panels_for(obj: Model, request: HttpRequest) -> list[RenderedPanel]:
    """The panels registered for ``obj``'s model, with their context, in order."""
    return [
        RenderedPanel(template=panel.template, context=panel.context(obj, request))
        for panel in _panels.get(obj._meta.label_lower, [])
    ]
