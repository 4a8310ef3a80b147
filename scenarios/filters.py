"""The FilterSets of scenarios and config versions, for the API and the UI alike."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter, StableOrderingFilter, StrictBooleanFilter
from scenarios.models import ConfigVersion


class _ByNameFilter(django_filters.FilterSet):
    """Scenarios and config versions are both found by a part of their name."""

    name = django_filters.CharFilter(
        lookup_expr="icontains", max_length=200, help_text=_("Name contains (case-insensitive).")
    )


class ScenarioFilter(_ByNameFilter):
    locked = StrictBooleanFilter(help_text=_("Only locked (true) or unlocked (false) scenarios."))
    parent_id = IdFilter(help_text=_("Children of this scenario."))
    ordering = StableOrderingFilter(
        fields=("name", "created_at", "updated_at"),
        default=("name",),
        help_text=_("name (default), created_at or updated_at; `-` for descending."),
    )


class ConfigVersionFilter(_ByNameFilter):
    status = django_filters.ChoiceFilter(choices=ConfigVersion.Status.choices, empty_label=_("Any"))
    schema_version = django_filters.CharFilter(max_length=32)
    ordering = StableOrderingFilter(
        fields=("created_at", "name"),
        default=("-created_at",),
        help_text=_("created_at (default -created_at) or name; `-` for descending."),
    )
