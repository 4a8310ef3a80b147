"""THE job FilterSet, for ``/jobs`` (API) and ``/ui/jobs`` alike."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from jobs.models import Job
from runs.filters import StableOrderingFilter


class JobFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(
        choices=Job.Type.choices, label=_("Type"), empty_label=_("Any"), help_text=_("Job type.")
    )
    status = django_filters.ChoiceFilter(
        choices=Job.Status.choices,
        label=_("Status"),
        empty_label=_("Any"),
        help_text=_("Job status."),
    )
    plan_version_id = django_filters.CharFilter(
        field_name="plan_version_id",
        max_length=40,
        label=_("Plan version"),
        help_text=_("Jobs of this plan version (exact `plan_version_id`)."),
    )
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    ordering = StableOrderingFilter(
        fields=("created_at", "started_at", "finished_at"),
        default=("-created_at",),
        tie_breaker="id",
        help_text=_("created_at (default -created_at), started_at or finished_at."),
    )

    class Meta:
        model = Job
        fields: list[str] = []
