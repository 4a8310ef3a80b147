"""Output shape of the exception lists."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.links import absolute
from exceptions.labels import KIND_LABELS, SEVERITY_LABELS
from exceptions.models import PlanningException
from exceptions.sentences import cause_text

# Where, when and how much: the columns an exception has in the API and in its CSV, in
# the same order.
FACTS = (
    "node",
    "item",
    "first_day",
    "first_date",
    "last_day",
    "last_date",
    "quantity",
    "value",
    "severity",
)


class ExceptionSerializer(serializers.ModelSerializer):
    """One exception. ``url`` opens the run's PSI on its node × item × period."""

    kind_label = serializers.SerializerMethodField()
    severity_label = serializers.SerializerMethodField()
    cause = serializers.SerializerMethodField()
    run_id = serializers.UUIDField(allow_null=True, read_only=True)
    plan_version_id = serializers.CharField(allow_null=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = PlanningException
        fields = [
            "id",
            "kind",
            "kind_label",
            *FACTS,
            "severity_label",
            "cause",
            "cause_kind",
            "cause_refs",
            "detail",
            "run_id",
            "plan_version_id",
            "url",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "first_day": {"help_text": _("Days from the run's (or plan's) first day.")},
            "quantity": {"help_text": _("Units; what they count depends on the kind.")},
            "value": {"help_text": _("Money at risk (sales price or cost × units).")},
        }

    @extend_schema_field(OpenApiTypes.STR)
    def get_kind_label(self, row: PlanningException) -> str:
        return str(KIND_LABELS.get(row.kind, row.kind))

    @extend_schema_field(OpenApiTypes.STR)
    def get_severity_label(self, row: PlanningException) -> str:
        return str(SEVERITY_LABELS.get(row.severity, row.severity))

    @extend_schema_field(OpenApiTypes.STR)
    def get_cause(self, row: PlanningException) -> str:
        return cause_text(row)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, row: PlanningException) -> str:
        links: dict[int, str] = self.context.get("links", {})
        path = links.get(row.pk, "")
        return path and absolute(self.context.get("request"), path)


CSV_COLUMNS = ("kind", *FACTS, "cause", "url")


def csv_row(data: dict[str, Any]) -> list[Any]:
    """A serialized exception as a CSV line, in :data:`CSV_COLUMNS` order."""
    return [data.get(column) for column in CSV_COLUMNS]
