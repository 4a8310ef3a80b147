"""The FilterSets of scenarios and config versions, for the API and the UI alike."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter, StableOrderingFilter, StrictBooleanFilter
from scenarios.models import ConfigVersion


class ScenarioFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(
        lookup_expr="icontains", max_length=200, help_text=_("Name contains (case-insensitive).")
    )
    locked = StrictBooleanFilter(help_text=_("Only locked (true) or unlocked (false) scenarios."))
    parent_id = IdFilter(field_name="parent_id", help_text=_("Children of this scenario."))
    ordering = StableOrderingFilter(
        fields=("name", "created_at", "updated_at"),
        default=("name",),
        tie_breaker="id",
        help_text=_("name (default), created_at or updated_at; `-` for descending."),
    )


class ConfigVersionFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(
        lookup_expr="icontains", max_length=200, help_text=_("Name contains (case-insensitive).")
    )
    status = django_filters.ChoiceFilter(choices=ConfigVersion.Status.choices, empty_label=_("Any"))
    schema_version = django_filters.CharFilter(max_length=32)
    ordering = StableOrderingFilter(
        fields=("created_at", "name"),
        default=("-created_at",),
        tie_breaker="id",
        help_text=_("created_at (default -created_at) or name; `-` for descending."),
    )
