"""THE run FilterSet: one definition of run-history filtering for ``/runs``
(API) and ``/ui/runs`` (web UI), so the two can never disagree.

Every filter that is not given is not applied; every value that is given but
malformed is an error keyed by the parameter's name (the API answers 400).
The memory registry backend applies the same validated values in Python
(see :mod:`runs.registry.memory`), reading each filter's ``field_name`` and
``lookup_expr`` from here.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import DateTimeFilter, IdFilter, StableOrderingFilter, StrictBooleanFilter
from runs.models import HEADLINE_KPIS, Run

# Ordering keys offered to clients (the run_id tie-breaker is appended).
ORDERING_FIELDS = ("started_at", "finished_at", "duration_ms", *HEADLINE_KPIS)
DEFAULT_ORDERING = ("-started_at",)
TIE_BREAKER = "run_id"


class RunFilter(django_filters.FilterSet):
    plan_version_id = django_filters.CharFilter(
        max_length=40,
        help_text=_("Runs of this plan version (exact `plan_version_id`)."),
    )
    plan_id = IdFilter(
        field_name="plan_version__plan_id", help_text=_("Runs of any version of this plan.")
    )
    scenario_id = IdFilter(help_text=_("Runs against this scenario."))
    scenario_name = django_filters.CharFilter(
        field_name="scenario__name",
        lookup_expr="icontains",
        max_length=200,
        help_text=_("Scenario name contains this text (case-insensitive)."),
    )
    config_version_id = IdFilter(help_text=_("Runs on this config version."))
    job_id = IdFilter(help_text=_("Runs recorded by this job."))
    status = django_filters.ChoiceFilter(choices=Run.Status.choices, help_text=_("Run status."))
    source = django_filters.ChoiceFilter(
        choices=Run.Source.choices, help_text=_("How the run came (plan or other).")
    )
    pinned = StrictBooleanFilter(help_text=_("Only pinned (true) or unpinned (false) runs."))
    baseline = StrictBooleanFilter(
        field_name="is_baseline",
        help_text=_("Only the plans' baseline runs (true), or only other runs (false)."),
    )
    archived = StrictBooleanFilter(
        help_text=_(
            "Archived runs (true) or the others (false). Left out: false — archived runs "
            "are hidden from the default history."
        )
    )
    started_after = DateTimeFilter(
        field_name="started_at",
        lookup_expr="gte",
        help_text=_("Started at or after this ISO 8601 time."),
    )
    started_before = DateTimeFilter(
        field_name="started_at",
        lookup_expr="lt",
        help_text=_("Started before this ISO 8601 time."),
    )
    ordering = StableOrderingFilter(
        fields=ORDERING_FIELDS,
        default=DEFAULT_ORDERING,
        tie_breaker=TIE_BREAKER,
        help_text=_(
            "Comma-separated keys, `-` for descending: started_at (default -started_at), "
            "finished_at, duration_ms, fill_rate, cycle_service_level, avg_on_hand, "
            "avg_backlog, shortage_total, profit_total. Ties are broken by run_id."
        ),
    )
