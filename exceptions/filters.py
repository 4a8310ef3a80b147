"""THE exception FilterSet, for the API lists and the Exceptions pages alike.

A filter not given is not applied; a malformed value is an error keyed by the
parameter's name (the API answers 400 naming it, the page shows it on the field).
"""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters import StableOrderingFilter
from exceptions.labels import KIND_LABELS, SEVERITY_LABELS

# Ordering keys offered to clients; ``severity`` sorts high first when descending.
ORDERING = {
    "severity": "severity_rank",
    "quantity": "quantity",
    "value": "value",
    "first_date": "first_date",
    "node": "node",
    "item": "item",
}


class ExceptionFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(
        label=_("Kind"),
        choices=list(KIND_LABELS.items()),
        help_text=_("Only these kinds (repeat the parameter for several)."),
    )
    node = django_filters.CharFilter(
        label=_("Node"), max_length=200, help_text=_("Exceptions at this node (exact code).")
    )
    item = django_filters.CharFilter(
        label=_("Item"), max_length=200, help_text=_("Exceptions of this item (exact code).")
    )
    severity = django_filters.MultipleChoiceFilter(
        label=_("Severity"),
        choices=list(SEVERITY_LABELS.items()),
        help_text=_("Only these severities: high, medium, low."),
    )
    period_from = django_filters.DateFilter(
        label=_("Open on or after"),
        method="ends_on_or_after",
        help_text=_("Exceptions still open on or after this date (YYYY-MM-DD)."),
    )
    period_to = django_filters.DateFilter(
        label=_("Starting on or before"),
        method="starts_on_or_before",
        help_text=_("Exceptions that start on or before this date (YYYY-MM-DD)."),
    )
    ordering = StableOrderingFilter(
        label=_("Order by"),
        fields=tuple((field, key) for key, field in ORDERING.items()),
        field_labels={
            "severity_rank": _("Severity"),
            "quantity": _("Quantity"),
            "value": _("Value at risk"),
            "first_date": _("First date"),
            "node": _("Node"),
            "item": _("Item"),
        },
        default=("-severity", "-value"),
        help_text=_(
            "Comma-separated keys, `-` for descending: severity (default -severity,-value), "
            "quantity, value, first_date, node, item."
        ),
    )

    def ends_on_or_after(self, qs: QuerySet, name: str, value: object) -> QuerySet:
        # An exception with no last date lasts to the horizon end; with no first date
        # (a plan-wide divergence) it is not tied to a period and always matches.
        return qs.filter(Q(last_date__gte=value) | Q(last_date__isnull=True))

    def starts_on_or_before(self, qs: QuerySet, name: str, value: object) -> QuerySet:
        return qs.filter(Q(first_date__lte=value) | Q(first_date__isnull=True))
