"""THE run FilterSet: one definition of run-history filtering for ``/runs``
(API) and ``/ui/runs`` (web UI), so the two can never disagree.

Every filter that is not given is not applied; every value that is given but
malformed is an error keyed by the parameter's name (the API answers 400).
The memory registry backend applies the same validated values in Python
(see :mod:`runs.registry.memory`), reading each filter's ``field_name`` and
``lookup_expr`` from here.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from runs.models import HEADLINE_KPIS, Run

# SQLite and PostgreSQL both hold 64-bit signed integers; a bigger number in a
# query must be a 400, not an overflow deep in the driver.
MAX_ID = 2**63 - 1

# Ordering keys offered to clients (the run_id tie-breaker is appended).
ORDERING_FIELDS = ("started_at", "finished_at", "duration_ms", *HEADLINE_KPIS)
DEFAULT_ORDERING = ("-started_at",)
TIE_BREAKER = "run_id"


class StrictBooleanField(forms.Field):
    """true/false (also 1/0, yes/no); anything else is an error, not "no filter"."""

    TRUE = {"true", "1", "yes", "on"}
    FALSE = {"false", "0", "no", "off"}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in self.TRUE:
            return True
        if lowered in self.FALSE:
            return False
        raise ValidationError(_("Expected true or false."), code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class IdFilter(django_filters.NumberFilter):
    """An exact match on an integer primary key."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class StableOrderingFilter(django_filters.OrderingFilter):
    """Client ordering (or ``default``), then a unique ``tie_breaker``, so equal keys
    keep a fixed order across pages."""

    def __init__(
        self,
        *args: Any,
        default: tuple[str, ...] = DEFAULT_ORDERING,
        tie_breaker: str = TIE_BREAKER,
        **kwargs: Any,
    ) -> None:
        self.default = default
        self.tie_breaker = tie_breaker
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: list[str] | None) -> QuerySet:
        params = [param for param in (value or []) if param] or list(self.default)
        return qs.order_by(*ordering_fields(params, self.param_map, self.tie_breaker))


def ordering_fields(
    params: list[str], param_map: dict[str, str] | None = None, tie_breaker: str = TIE_BREAKER
) -> list[str]:
    """Model ordering for validated ordering params, with the tie-breaker last."""
    fields = []
    for param in params:
        descending = param.startswith("-")
        name = param.lstrip("-")
        name = (param_map or {}).get(name, name)
        fields.append(f"-{name}" if descending else name)
    last_desc = fields[-1].startswith("-") if fields else True
    fields.append(f"-{tie_breaker}" if last_desc else tie_breaker)
    return fields


class RunFilter(django_filters.FilterSet):
    plan_version_id = django_filters.CharFilter(
        field_name="plan_version_id",
        max_length=40,
        help_text=_("Runs of this plan version (exact `plan_version_id`)."),
    )
    plan_id = IdFilter(
        field_name="plan_version__plan_id", help_text=_("Runs of any version of this plan.")
    )
    scenario_id = IdFilter(field_name="scenario_id", help_text=_("Runs against this scenario."))
    scenario_name = django_filters.CharFilter(
        field_name="scenario__name",
        lookup_expr="icontains",
        max_length=200,
        help_text=_("Scenario name contains this text (case-insensitive)."),
    )
    config_version_id = IdFilter(
        field_name="config_version_id", help_text=_("Runs on this config version.")
    )
    job_id = IdFilter(field_name="job_id", help_text=_("Runs recorded by this job."))
    status = django_filters.ChoiceFilter(choices=Run.Status.choices, help_text=_("Run status."))
    source = django_filters.ChoiceFilter(
        choices=Run.Source.choices, help_text=_("How the run came (plan or other).")
    )
    pinned = StrictBooleanFilter(help_text=_("Only pinned (true) or unpinned (false) runs."))
    started_after = django_filters.IsoDateTimeFilter(
        field_name="started_at",
        lookup_expr="gte",
        help_text=_("Started at or after this ISO 8601 time."),
    )
    started_before = django_filters.IsoDateTimeFilter(
        field_name="started_at",
        lookup_expr="lt",
        help_text=_("Started before this ISO 8601 time."),
    )
    ordering = StableOrderingFilter(
        fields=ORDERING_FIELDS,
        help_text=_(
            "Comma-separated keys, `-` for descending: started_at (default -started_at), "
            "finished_at, duration_ms, fill_rate, cycle_service_level, avg_on_hand, "
            "avg_backlog, shortage_total, profit_total. Ties are broken by run_id."
        ),
    )

    class Meta:
        model = Run
        fields: list[str] = []
