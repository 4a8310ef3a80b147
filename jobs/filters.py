"""THE job FilterSet, for ``/jobs`` (API) and ``/ui/jobs`` alike.

Besides type, status and time, jobs filter by their subject: each subject kind
an app declares (jobs/registry.py) adds a filter named after its id field
(``plan_version_id``) once the apps are ready (:func:`add_subject_filters`).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import DateTimeFilter, StableOrderingFilter
from jobs import registry
from jobs.models import Job, JobQuerySet


class JobFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(
        choices=registry.job_type_choices,
        label=_("Type"),
        empty_label=_("Any"),
        help_text=_("Job type."),
    )
    status = django_filters.ChoiceFilter(
        choices=Job.Status.choices,
        label=_("Status"),
        empty_label=_("Any"),
        help_text=_("Job status."),
    )
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")
    ordering = StableOrderingFilter(
        fields=("created_at", "started_at", "finished_at"),
        default=("-created_at",),
        help_text=_("created_at (default -created_at), started_at or finished_at."),
    )


class SubjectFilter(django_filters.CharFilter):
    """Jobs about one object of a declared subject kind, by its id."""

    def __init__(self, kind: registry.SubjectKind, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(
            max_length=64,
            label=kind.label,
            # Lazy and without the field's name: the filter is made once, at start-up, and
            # shown to planners in their own language on /ui/jobs.
            help_text=_("Its id: only the jobs about it are listed."),
            **kwargs,
        )

    def filter(self, qs: JobQuerySet, value: str) -> JobQuerySet:
        if value in ([], (), {}, "", None):
            return qs
        return qs.about_any(self.kind.model).filter(subject_id=value)


def add_subject_filters() -> None:
    """Give :class:`JobFilter` one filter per declared subject kind (called once apps are ready)."""
    for kind in registry.subject_kinds():
        if kind.id_field not in JobFilter.base_filters:
            JobFilter.base_filters[kind.id_field] = SubjectFilter(kind, field_name="subject_id")
