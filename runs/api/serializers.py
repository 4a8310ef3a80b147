"""Input and output shapes of the runs API."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import CountsField
from core.api.links import LinkField, link
from runs.models import Run
from runs.selectors import BUCKETS
from runs.selectors.compare import MAX_RUNS, parse_run_ids, parse_set_ids

MAX_DAY = 100_000
# The counts the exceptions app registers for runs and plan versions (core/badges.py).
EXCEPTION_COUNTS = "exception_counts"


class RunListSerializer(serializers.Serializer):
    """A run-history row: identifiers, status, timings and headline KPIs."""

    run_id = serializers.UUIDField()
    plan_version_id = serializers.CharField(allow_null=True)
    scenario_id = serializers.IntegerField(allow_null=True)
    scenario_name = serializers.SerializerMethodField()
    config_version_id = serializers.IntegerField()
    job_id = serializers.IntegerField(allow_null=True)
    # DRF's serializer metaclass pops declared fields off the class, so this does not
    # replace Field.source; the stubs cannot see that.
    source = serializers.CharField()  # type: ignore[assignment]
    status = serializers.CharField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    duration_ms = serializers.IntegerField(allow_null=True)
    fill_rate = serializers.FloatField(allow_null=True)
    cycle_service_level = serializers.FloatField(allow_null=True)
    avg_on_hand = serializers.FloatField(allow_null=True)
    avg_backlog = serializers.FloatField(allow_null=True)
    shortage_total = serializers.FloatField(allow_null=True)
    profit_total = serializers.FloatField(allow_null=True)
    pinned = serializers.BooleanField()
    is_baseline = serializers.BooleanField(help_text=_("The baseline of its plan."))
    held = serializers.BooleanField(
        help_text=_("Kept by retention: the plan's baseline or a run of an approved version.")
    )
    archived = serializers.BooleanField(help_text=_("Hidden from the default history."))
    tags = serializers.ListField(child=serializers.CharField())
    url = LinkField("runs-api:detail", lookup="run_id")

    @extend_schema_field(OpenApiTypes.STR)
    def get_scenario_name(self, run: Run) -> str | None:
        return run.scenario.name if run.scenario else None


# A run's links: each name with its route and the run's attribute that is the route's
# argument. A link is null where that attribute is (a run without a plan version, scenario
# or job), so the schema marks it nullable where the model's field is.
RUN_LINKS = {
    "self": ("runs-api:detail", "run_id"),
    "plan_version": ("plans-api:detail", "plan_version_id"),
    "scenario": ("scenarios-api:scenario-detail", "scenario_id"),
    "config_version": ("scenarios-api:config-detail", "config_version_id"),
    "job": ("jobs-api:detail", "job_id"),
    "psi": ("runs-api:psi", "run_id"),
    "pl": ("runs-api:pl", "run_id"),
    "trace": ("runs-api:trace", "run_id"),
    "ui": ("runs:detail", "run_id"),
    "ui_plan_version": ("plans:detail", "plan_version_id"),
}


class RunLinksSerializer(serializers.Serializer):
    # The shape of a run's links, for the schema (no docstring: it would be the schema's).
    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            name: serializers.URLField(allow_null=Run._meta.get_field(attribute).null)
            for name, (_route, attribute) in RUN_LINKS.items()
        }


class RunResultInfoSerializer(serializers.Serializer):
    schema_version = serializers.CharField()
    psi_rows = serializers.IntegerField()
    pl_rows = serializers.IntegerField()
    trace_rows = serializers.IntegerField(
        allow_null=True,
        help_text=_("Null while the cost trace is not stored (built on its first request)."),
    )


class RunDetailSerializer(RunListSerializer):
    """One run with everything it is tied to, its KPIs and links to follow."""

    plan_id = serializers.SerializerMethodField()
    plan_name = serializers.SerializerMethodField()
    config_version_name = serializers.SerializerMethodField()
    summary = serializers.JSONField(help_text=_("Every KPI the engine reported."))
    engine_version = serializers.CharField()
    seed = serializers.IntegerField(allow_null=True)
    stochastic = serializers.BooleanField()
    horizon_days = serializers.IntegerField(allow_null=True)
    input_hash = serializers.CharField()
    inputs = serializers.JSONField(
        help_text=_(
            "What the engine consumed besides the config: the scenario's overrides as "
            "they were, and whether the factories followed a plan."
        )
    )
    result = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()
    exception_counts = CountsField(
        EXCEPTION_COUNTS,
        help_text=_("How many exceptions of each kind the run has (kinds with none left out)."),
    )

    @extend_schema_field(OpenApiTypes.INT)
    def get_plan_id(self, run: Run) -> int | None:
        return run.plan_version.plan_id if run.plan_version else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_plan_name(self, run: Run) -> str | None:
        return run.plan_version.plan.name if run.plan_version else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_config_version_name(self, run: Run) -> str:
        return run.config_version.name

    @extend_schema_field(RunResultInfoSerializer(allow_null=True))
    def get_result(self, run: Run) -> dict[str, Any] | None:
        return self.context.get("result_meta")

    @extend_schema_field(RunLinksSerializer)
    def get_links(self, run: Run) -> dict[str, Any]:
        request = self.context.get("request")
        links: dict[str, str | None] = {}
        for name, (route, attribute) in RUN_LINKS.items():
            key = getattr(run, attribute)
            links[name] = None if key is None else link(request, route, key)
        return links


class TableQuerySerializer(serializers.Serializer):
    """Query parameters of ``/runs/{run_id}/psi``, ``/pl`` and ``/trace``."""

    node = serializers.CharField(
        required=False, max_length=200, help_text=_("Only rows of this node code.")
    )
    item = serializers.CharField(
        required=False, max_length=200, help_text=_("Only rows of this item code.")
    )
    day_from = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_DAY, help_text=_("First day (0-based).")
    )
    day_to = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_DAY, help_text=_("Last day, inclusive.")
    )
    bucket = serializers.ChoiceField(
        choices=BUCKETS,
        default="day",
        help_text=_(
            "Time grain: day (as stored), week (ISO week) or month. Flows are summed per "
            "period, stocks (on_hand, backlog, in_transit, ...) taken at the period end."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (
            attrs.get("day_from") is not None
            and attrs.get("day_to") is not None
            and attrs["day_from"] > attrs["day_to"]
        ):
            raise serializers.ValidationError({"day_to": _("day_to must not be before day_from.")})
        return attrs


class TablePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    columns = serializers.ListField(child=serializers.CharField())
    results = serializers.ListField(child=serializers.DictField())


class CompareQuerySerializer(serializers.Serializer):
    ids = serializers.CharField(
        required=False,
        max_length=(36 + 1) * MAX_RUNS + 50,
        help_text=_(
            "Up to 10 run ids, comma-separated; one run is compared with its plan's baseline."
        ),
    )
    sets = serializers.CharField(
        required=False,
        max_length=50,
        help_text=_(
            "Instead of ids: two replication set ids A,B. The answer is per KPI B − A with its "
            "confidence interval at 95 % — paired by replication when both sets have the same "
            "seed, else Welch's — and which set is better."
        ),
    )
    base = serializers.UUIDField(
        required=False,
        help_text=_(
            "The run the others are compared with (default: the plan's baseline, else the first)."
        ),
    )
    threshold = serializers.FloatField(
        required=False,
        min_value=0,
        max_value=1e9,
        help_text=_("Mark a KPI significant when |delta_pct| ≥ this many percent."),
    )

    def validate_ids(self, value: str) -> list[uuid.UUID]:
        return parse_run_ids([value])

    def validate_sets(self, value: str) -> list[int]:
        return parse_set_ids(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("ids" in attrs) == ("sets" in attrs):
            raise serializers.ValidationError(
                {"ids": _("Give run ids (ids) or two replication set ids (sets), not both.")}
            )
        return attrs


class KpiRowSerializer(serializers.Serializer):
    kpi = serializers.CharField()
    values = serializers.DictField(child=serializers.FloatField(allow_null=True))
    delta = serializers.DictField(child=serializers.FloatField(allow_null=True))
    delta_pct = serializers.DictField(child=serializers.FloatField(allow_null=True))
    significant = serializers.DictField(child=serializers.BooleanField(allow_null=True))


class ComparisonSerializer(serializers.Serializer):
    base = serializers.UUIDField(source="base.run_id")
    threshold = serializers.FloatField(allow_null=True)
    runs = RunListSerializer(many=True)
    kpis = KpiRowSerializer(many=True)
    differences = serializers.ListField(
        child=serializers.DictField(),
        help_text=_(
            "Per non-base run: changed plan-version parameters, scenario overrides, and "
            "the config diff (null when the config version is the same)."
        ),
    )


class SetDifferenceSerializer(serializers.Serializer):
    base_mean = serializers.FloatField(help_text=_("Mean over set A's replications."))
    other_mean = serializers.FloatField(help_text=_("Mean over set B's replications."))
    n = serializers.IntegerField(help_text=_("Replications compared (pairs, when paired)."))
    paired = serializers.BooleanField()
    mean = serializers.FloatField(help_text=_("Mean difference B − A."))
    ci_low = serializers.FloatField(allow_null=True, help_text=_("Interval of B − A (95 %)."))
    ci_high = serializers.FloatField(allow_null=True)
    verdict = serializers.ChoiceField(
        choices=["higher", "lower", "undecided"],
        help_text=_("higher/lower: B is higher/lower than A at a confidence of 95 %."),
    )
    better = serializers.ChoiceField(
        choices=["base", "other"],
        allow_null=True,
        help_text=_(
            "The better set at a confidence of 95 %: higher fill rate, service and profit, lower "
            "average on-hand; null: no significant difference."
        ),
    )
    statement = serializers.CharField(help_text=_("The same in words."))


class SetComparisonSerializer(serializers.Serializer):
    """Two replication sets compared (GET /runs/compare?sets=A,B, /replications/compare)."""

    base_id = serializers.IntegerField(help_text=_("Set A."))
    other_id = serializers.IntegerField(help_text=_("Set B."))
    paired = serializers.BooleanField(
        help_text=_(
            "Both sets have the same seed: replication i of each drew the same demand "
            "(common random numbers), so differences are paired by replication."
        )
    )
    method = serializers.ChoiceField(
        choices=["paired", "welch"],
        help_text=_("The interval used: paired differences, or Welch's unpaired interval."),
    )
    kpis = serializers.DictField(child=SetDifferenceSerializer())


class TombstoneSerializer(serializers.Serializer):
    """A removed run (HTTP 410): what it was tied to, its KPIs, when and why it went."""

    detail = serializers.SerializerMethodField()
    run_id = serializers.UUIDField()
    plan_version_id = serializers.CharField()
    scenario_id = serializers.IntegerField(allow_null=True)
    config_version_id = serializers.IntegerField(allow_null=True)
    job_id = serializers.IntegerField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    kpis = serializers.JSONField()
    removed_at = serializers.DateTimeField()
    reason = serializers.CharField()
    export_path = serializers.CharField(help_text=_("Where it was exported (empty: nowhere)."))

    @extend_schema_field(OpenApiTypes.STR)
    def get_detail(self, tombstone: Any) -> str:
        return str(tombstone.get_reason_display())


class TagsInputSerializer(serializers.Serializer):
    tags = serializers.ListField(child=serializers.CharField(max_length=50), max_length=20)
