"""Output shapes of the jobs API."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jobs.models import Job


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class JobListSerializer(serializers.ModelSerializer):
    plan_version_id = serializers.CharField(allow_null=True)
    retry_of_id = serializers.IntegerField(allow_null=True)
    duration_s = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "type",
            "status",
            "progress",
            "progress_message",
            "plan_version_id",
            "params",
            "result",
            "attempts",
            "max_attempts",
            "cancel_requested",
            "retry_of_id",
            "created_at",
            "started_at",
            "finished_at",
            "duration_s",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_duration_s(self, job: Job) -> float | None:
        duration = job.duration
        return None if duration is None else round(duration.total_seconds(), 3)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job: Job) -> str:
        return _absolute(self.context.get("request"), reverse("jobs-api:detail", args=[job.pk]))


class JobDetailSerializer(JobListSerializer):
    run_ids = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta(JobListSerializer.Meta):
        fields = [*JobListSerializer.Meta.fields, "error", "run_ids", "links"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_run_ids(self, job: Job) -> list[str]:
        return self.context.get("run_ids", [])

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                name: {"type": "string", "format": "uri", "nullable": True}
                for name in ("plan_version", "runs", "retry", "cancel", "retry_of", "ui")
            },
        }
    )
    def get_links(self, job: Job) -> dict[str, Any]:
        request = self.context.get("request")
        pv = job.plan_version_id
        try:
            plan_version = pv and reverse("plans-api:detail", args=[pv])
        except NoReverseMatch:
            plan_version = f"/plans/{pv}"
        return {
            "plan_version": plan_version and _absolute(request, plan_version),
            "runs": _absolute(
                request, reverse("runs-api:list") + "?" + urlencode({"job_id": job.pk})
            ),
            "retry": _absolute(request, reverse("jobs-api:retry", args=[job.pk])),
            "cancel": _absolute(request, reverse("jobs-api:cancel", args=[job.pk])),
            "retry_of": job.retry_of_id
            and _absolute(request, reverse("jobs-api:detail", args=[job.retry_of_id])),
            "ui": f"/ui/jobs/{job.pk}",
        }
