"""The plan-version FilterSet: one definition for /plans and /ui/plans."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import DateTimeFilter, IdFilter
from plans.models import PlanVersion


class PlanVersionFilter(django_filters.FilterSet):
    plan = IdFilter(field_name="plan_id", label=_("plan id"))
    plan_name = django_filters.CharFilter(
        field_name="plan__name", lookup_expr="icontains", label=_("plan name contains")
    )
    state = django_filters.MultipleChoiceFilter(choices=PlanVersion.State.choices, label=_("state"))
    base_scenario_id = IdFilter(label=_("base scenario id"))
    config_version_id = IdFilter(label=_("config version id"))
    created_after = DateTimeFilter(
        field_name="created_at", lookup_expr="gte", label=_("created at or after")
    )
    created_before = DateTimeFilter(
        field_name="created_at", lookup_expr="lt", label=_("created before")
    )
