"""API shapes of the workbench: the grid, a PATCH and its outcome, a recalculation."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from scpln.engine import workbench as wb

MAX_EDITS = 20_000


class PeriodSerializer(serializers.Serializer):
    period = serializers.CharField(source="code", help_text="ISO week (detail) or period code.")
    start = serializers.DateField()
    # Declared fields are popped off the class by DRF's metaclass; the stubs cannot see that.
    partial = serializers.BooleanField(help_text="The horizon cuts this period short.")  # type: ignore[assignment]


class GridRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Stable row key: `family:<family>` or `sku:<sku>`.")
    level = serializers.ChoiceField(choices=wb.LEVELS)
    family = serializers.CharField()
    sku = serializers.CharField(help_text="Empty at the aggregate level.")
    node = serializers.CharField(help_text="The work centre or factory; empty if not by node.")
    measure = serializers.ChoiceField(choices=[*(m.name for m in wb.MEASURES), "capacity", "load"])
    editable = serializers.BooleanField()
    values = serializers.DictField(child=serializers.FloatField(), help_text="Period → number.")
    opening = serializers.FloatField(allow_null=True, help_text="Stock before the first period.")
    total = serializers.FloatField(help_text="Flows: the sum; stocks: the last period's value.")
    locked = serializers.BooleanField(help_text="The whole row is locked.")
    locked_periods = serializers.ListField(child=serializers.CharField())
    edited_periods = serializers.ListField(child=serializers.CharField())
    exceptions = serializers.IntegerField(help_text="The item's exceptions (plan and runs).")
    recalculated_periods = serializers.ListField(
        child=serializers.CharField(),
        help_text="Read-only cells recalculation changed against the parent version.",
    )


class GridSerializer(serializers.Serializer):
    plan_version_id = serializers.CharField()
    level = serializers.ChoiceField(choices=wb.LEVELS)
    revision = serializers.IntegerField(help_text="Send it back with a PATCH.")
    read_only = serializers.BooleanField()  # type: ignore[assignment]  # (see PeriodSerializer)
    draft_plan_version_id = serializers.CharField(
        allow_null=True, help_text="The draft that edits of this version go to, if one is open."
    )
    parent_plan_version_id = serializers.CharField(allow_null=True)
    count = serializers.IntegerField(help_text="Families or SKUs matching the filters.")
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    periods = PeriodSerializer(many=True)
    rows = GridRowSerializer(many=True)
    capacity_rows = GridRowSerializer(
        many=True, help_text="Capacity and load of the nodes making the page's items."
    )


class EditSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=210)
    measure = serializers.ChoiceField(choices=wb.EDITABLE)
    period = serializers.CharField(max_length=32)
    value = serializers.FloatField(min_value=0)


class LockSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=210)
    period = serializers.CharField(max_length=32, allow_null=True, required=False, default=None)
    locked = serializers.BooleanField(default=True)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "number", "minimum": 0},
            {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
        ]
    }
)
class WeightField(serializers.Field):
    """A SKU's weight: one number for all its cells, or ISO week → number (per SKU-week)."""

    default_error_messages = {
        "invalid": _("Expected a number ≥ 0, or an object of ISO week → number ≥ 0."),
    }

    def to_internal_value(self, data: Any) -> float | dict[str, float]:
        if isinstance(data, dict):
            out: dict[str, float] = {}
            for week, value in data.items():
                if not _is_weight(value):
                    raise serializers.ValidationError({str(week): [self.error_messages["invalid"]]})
                out[str(week)] = float(value)
            return out
        if not _is_weight(data):
            self.fail("invalid")
        return float(data)

    def to_representation(self, value: Any) -> Any:
        return value


def _is_weight(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )


class DistributeSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=wb.MODES, default="proportional")
    weights = serializers.DictField(
        child=WeightField(),
        required=False,
        default=dict,
        help_text=(
            "Mode `weights`: SKU row key → its weight for all its cells, or → {ISO week → "
            "weight} for a per-SKU-week distribution; SKUs and weeks not named weigh 0."
        ),
    )
    round_step = serializers.FloatField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1e-9,
        help_text="Round distributed values to whole multiples of this step.",
    )


class PsiPatchSerializer(serializers.Serializer):
    revision = serializers.IntegerField(min_value=0)
    edits = serializers.ListField(
        child=EditSerializer(), required=False, default=list, max_length=MAX_EDITS
    )
    locks = serializers.ListField(
        child=LockSerializer(), required=False, default=list, max_length=MAX_EDITS
    )
    distribute = DistributeSerializer(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class CellSerializer(serializers.Serializer):
    """Which cell: its row key, measure and period."""

    key = serializers.CharField()
    measure = serializers.CharField()
    period = serializers.CharField()


class CellChangeSerializer(CellSerializer):
    old = serializers.FloatField()
    new = serializers.FloatField()


class RefusedSerializer(CellSerializer):
    value = serializers.FloatField()
    reason = serializers.CharField()


class PsiPatchResultSerializer(serializers.Serializer):
    plan_version_id = serializers.CharField(help_text="The draft the edits went to.")
    revision = serializers.IntegerField()
    changed = CellChangeSerializer(many=True)
    refused = RefusedSerializer(many=True)
    locks = LockSerializer(many=True)


class StaleSerializer(serializers.Serializer):
    detail = serializers.CharField()
    plan_version_id = serializers.CharField(allow_null=True)
    revision = serializers.IntegerField(allow_null=True)
    current = serializers.ListField(child=serializers.DictField())


class RecalculateSerializer(serializers.Serializer):
    job_id = serializers.IntegerField()
    plan_version_id = serializers.CharField()
    url = serializers.URLField()
