"""Filter pieces every FilterSet shares: strict booleans, integer ids, times, stable ordering.

Every filter that is not given is not applied; every value that is given but
malformed is an error keyed by the parameter's name (the API answers 400).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.utils import pretty_name
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from core.converters import MAX_ID


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


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, turned into UTC before it reaches a query.

    Python accepts offsets up to ±23:59 (``-18:49``); PostgreSQL refuses more
    than about ±16 hours, so the offset is applied here. A time that falls
    outside the years 1–9999 once in UTC is a refusal naming the parameter.
    """

    def to_python(self, value: Any) -> datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise ValidationError(_("Enter a time between the years 1 and 9999.")) from None


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class IdFilter(django_filters.NumberFilter):
    """An exact match on an integer primary key."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class StableOrderingFilter(django_filters.OrderingFilter):
    """Client ordering (or ``default``), then a unique ``tie_breaker`` (the primary key
    unless said otherwise), so equal keys keep a fixed order across pages."""

    def __init__(
        self,
        *args: Any,
        default: tuple[str, ...],
        tie_breaker: str = "pk",
        **kwargs: Any,
    ) -> None:
        self.default = default
        self.tie_breaker = tie_breaker
        super().__init__(*args, **kwargs)

    def build_choices(self, fields: dict[str, str], labels: dict[str, Any]) -> list[Any]:
        """django-filter's choices, each key then its descending twin, with the twin's label
        kept lazy: django-filter formats it once, as the filter is made at start-up, so a
        Japanese page listed "Severity (descending)" (and it has no Japanese catalogue)."""
        choices: list[Any] = []
        for field, param in fields.items():
            label = labels.get(field, pretty_name(param))
            choices.append((param, label))
            choices.append((f"-{param}", labels.get(f"-{param}", _descending(label))))
        return choices

    def filter(self, qs: QuerySet, value: list[str] | None) -> QuerySet:
        params = [param for param in (value or []) if param] or list(self.default)
        return qs.order_by(*ordering_fields(params, self.param_map, self.tie_breaker))


def _descending_label(label: Any) -> str:
    return str(_("%(label)s (descending)") % {"label": label})


_descending = lazy(_descending_label, str)


def ordering_fields(
    params: list[str], param_map: dict[str, str] | None, tie_breaker: str
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
