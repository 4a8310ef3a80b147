"""The plans' sections on the scenario and config pages (core/panels.py).

Plan versions are filtered with the plan FilterSet, as ``/ui/plans?base_scenario_id=``
and ``?config_version_id=`` do, so the first rows here are the first rows there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.panels import Panel, register
from plans.filters import PlanVersionFilter
from plans.selectors import plan_version_list

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

RELATED_ROWS = 20
TEMPLATE = "plans/_plan_versions_panel.html"


@dataclass(frozen=True)
class _VersionsPanel:
    """The newest plan versions of one scenario or config: ``filter_name`` is the FilterSet
    field that picks them, ``show`` the other parent the rows name, and the rest the
    section's words."""

    filter_name: str
    testid: str
    show: str
    heading: StrOrPromise
    empty: StrOrPromise
    all_label: StrOrPromise

    def __call__(self, obj: Model, request: HttpRequest) -> dict[str, Any]:
        query = {self.filter_name: obj.pk}
        versions = PlanVersionFilter(query, queryset=plan_version_list()).qs
        return {
            "versions": list(versions[:RELATED_ROWS]),
            "total": versions.count(),
            "all_url": f"{reverse('plans:list')}?{urlencode(query)}",
            "heading": self.heading,
            "testid": self.testid,
            "show": self.show,
            "empty": self.empty,
            "all_label": self.all_label,
        }


scenario_plans = _VersionsPanel(
    "base_scenario_id",
    "scenario-plans",
    "config",
    _("Plans based on this scenario"),
    _("No plan has been made from this scenario yet."),
    _("All plans of this scenario"),
)
config_plans = _VersionsPanel(
    "config_version_id",
    "config-plans",
    "scenario",
    _("Plans using it"),
    _("No plan uses this config yet."),
    _("All plans on this config"),
)


def register_panels() -> None:
    register("scenarios.scenario", Panel(10, TEMPLATE, scenario_plans))
    register("scenarios.configversion", Panel(10, TEMPLATE, config_plans))
