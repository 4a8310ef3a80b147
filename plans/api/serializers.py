"""Input and output shapes of the /plans API."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import CountsField
from core.api.links import link
from plans.models import PlanArtifact, PlanningInputSet, PlanVersion
from plans.parameters import serializer_field
from runs.api.serializers import EXCEPTION_COUNTS
from runs.models import Run
from runs.selectors import run_tombstones
from scenarios.models import ConfigVersion, Scenario
from scpln.engine.planning.parameters import parameter_specs


class PlanParametersSerializer(serializers.Serializer):
    """Plan parameters; anything left out (or null) takes the input set's or scpln's default.

    The fields are derived from the engine's declaration (plans/parameters.py),
    like the web form's and ``create_plan``'s.
    """

    def get_fields(self) -> dict[str, serializers.Field]:
        return {name: serializer_field(spec) for name, spec in parameter_specs().items()}


class PlanCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    base_scenario_id = serializers.PrimaryKeyRelatedField(
        queryset=Scenario.objects.all(), source="base_scenario"
    )
    config_version_id = serializers.PrimaryKeyRelatedField(
        queryset=ConfigVersion.objects.defer("document"), source="config_version"
    )
    input_set_id = serializers.PrimaryKeyRelatedField(
        queryset=PlanningInputSet.objects.defer("files"),
        source="input_set",
        required=False,
        allow_null=True,
    )
    parameters = PlanParametersSerializer(required=False, default=dict)


class PlanExecuteInputSerializer(serializers.Serializer):
    parameters = PlanParametersSerializer(required=False, default=dict)


class PlanVersionSerializer(serializers.ModelSerializer):
    """A plan version as a list row: ids users see, its job and latest run."""

    plan_id = serializers.IntegerField(read_only=True)
    plan_name = serializers.CharField(source="plan.name", read_only=True)
    base_scenario_id = serializers.IntegerField(read_only=True)
    base_scenario_name = serializers.CharField(source="base_scenario.name", read_only=True)
    config_version_id = serializers.IntegerField(read_only=True)
    config_version_name = serializers.CharField(source="config_version.name", read_only=True)
    job_id = serializers.IntegerField(read_only=True, allow_null=True)
    job_status = serializers.CharField(read_only=True, allow_null=True)
    latest_run_id = serializers.UUIDField(read_only=True, allow_null=True)
    latest_run_fill_rate = serializers.FloatField(read_only=True, allow_null=True)
    latest_run_profit = serializers.FloatField(read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = PlanVersion
        fields = [
            "plan_version_id",
            "url",
            "plan_id",
            "plan_name",
            "number",
            "state",
            "base_scenario_id",
            "base_scenario_name",
            "config_version_id",
            "config_version_name",
            "input_set_id",
            "parameters",
            "kpis",
            "error",
            "parent_id",
            "job_id",
            "job_status",
            "latest_run_id",
            "latest_run_fill_rate",
            "latest_run_profit",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_url(self, obj: PlanVersion) -> str:
        return link(self.context.get("request"), "plans-api:detail", obj.pk)


class PlanRunSerializer(serializers.Serializer):
    run_id = serializers.UUIDField()
    status = serializers.CharField()
    started_at = serializers.DateTimeField()
    duration_ms = serializers.IntegerField(allow_null=True)
    fill_rate = serializers.FloatField(allow_null=True)
    profit_total = serializers.FloatField(allow_null=True)


class PlanJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class PlanArtifactSerializer(serializers.ModelSerializer):
    download_csv = serializers.SerializerMethodField()
    download_json = serializers.SerializerMethodField()

    class Meta:
        model = PlanArtifact
        fields = [
            "name",
            "kind",
            "row_count",
            "columns",
            "params",
            "created_at",
            "download_csv",
            "download_json",
        ]

    def _url(self, obj: PlanArtifact, fmt: str) -> str:
        request = self.context.get("request")
        return link(
            request, "plans-api:artifact", obj.plan_version_id, obj.name, query={"format": fmt}
        )

    def get_download_csv(self, obj: PlanArtifact) -> str:
        return self._url(obj, "csv")

    def get_download_json(self, obj: PlanArtifact) -> str:
        return self._url(obj, "json")


class RemovedRunSerializer(serializers.Serializer):
    """A run of this version that retention (or a user) removed, and where it went."""

    run_id = serializers.UUIDField()
    started_at = serializers.DateTimeField(allow_null=True)
    removed_at = serializers.DateTimeField()
    reason = serializers.CharField()
    export_path = serializers.CharField()
    kpis = serializers.JSONField()


class PlanVersionDetailSerializer(PlanVersionSerializer):
    runs = PlanRunSerializer(many=True, read_only=True)
    removed_runs = serializers.SerializerMethodField()
    jobs = PlanJobSerializer(many=True, read_only=True)
    artifacts = PlanArtifactSerializer(many=True, read_only=True)
    runs_url = serializers.SerializerMethodField()
    baseline_run_id = serializers.SerializerMethodField()
    exception_counts = CountsField(
        EXCEPTION_COUNTS,
        help_text=_(
            "How many exceptions of each kind the plan and the run that executes it have "
            "(kinds with none left out)."
        ),
    )
    # DRF's serializer metaclass pops declared fields off the class, so this does not
    # replace Field.read_only; the stubs cannot see that.
    read_only = serializers.BooleanField(  # type: ignore[assignment]
        source="is_read_only", read_only=True
    )

    class Meta(PlanVersionSerializer.Meta):
        fields = [
            *PlanVersionSerializer.Meta.fields,
            "read_only",
            "baseline_run_id",
            "runs",
            "removed_runs",
            "runs_url",
            "jobs",
            "artifacts",
            "exception_counts",
        ]
        read_only_fields = fields

    @extend_schema_field(RemovedRunSerializer(many=True))
    def get_removed_runs(self, obj: PlanVersion) -> list[dict[str, Any]]:
        rows = RemovedRunSerializer(run_tombstones(plan_version_id=obj.pk), many=True).data
        # many=True builds a ListSerializer, whose data is a list of dicts; the stubs
        # type the call as the RemovedRunSerializer itself (data: a dict).
        return cast(list[dict[str, Any]], rows)

    @extend_schema_field({"type": "string", "format": "uuid", "nullable": True})
    def get_baseline_run_id(self, obj: PlanVersion) -> str | None:
        baseline = obj.plan.baseline_run_id
        return str(baseline) if baseline else None

    def get_runs_url(self, obj: PlanVersion) -> str:
        return link(self.context.get("request"), "runs-api:list", query={"plan_version_id": obj.pk})


class PlanCreatedSerializer(serializers.Serializer):
    plan_version_id = serializers.CharField()
    plan_id = serializers.IntegerField()
    job_id = serializers.IntegerField()
    url = serializers.CharField()
    job_url = serializers.CharField()


class PlanArtifactTableSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.DictField())


class AggregateJobInputSerializer(serializers.Serializer):
    plan_version_id = serializers.PrimaryKeyRelatedField(
        queryset=PlanVersion.objects.select_related("config_version"), source="plan_version"
    )
    run_id = serializers.PrimaryKeyRelatedField(
        queryset=Run.objects.all(),
        source="run",
        required=False,
        allow_null=True,
        help_text="A run of this plan version; default: its latest run.",
    )
    bucket = serializers.ChoiceField(choices=["day", "week", "month"], default="month")
    group_by = serializers.ListField(
        child=serializers.CharField(max_length=100),
        default=list,
        max_length=10,
        help_text="node, item, node_type, product.<level>, location.<level>",
    )
    # DRF's serializer metaclass pops declared fields off the class, so this does not
    # replace Serializer.fields; the stubs cannot see that.
    fields = serializers.ListField(  # type: ignore[assignment]
        child=serializers.CharField(max_length=100), min_length=1, max_length=40
    )


class AggregateJobCreatedSerializer(serializers.Serializer):
    job_id = serializers.IntegerField()
    plan_version_id = serializers.CharField()
    url = serializers.CharField()
