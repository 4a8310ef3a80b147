"""Output shapes of the jobs API.

A job's subject and outputs belong to other apps; their fields are derived
from what the apps declared (jobs/registry.py): each subject kind adds its id
field (``plan_version_id``), each output kind the list of its ids
(``run_ids``) and a link, so integrations see the same names everywhere.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.links import LinkField, absolute, link
from jobs import registry
from jobs.models import Job


@extend_schema_field({"type": "string", "nullable": True})
class SubjectIdField(serializers.Field):
    """The job's subject id when the subject is of ``kind``, else null."""

    def __init__(self, kind: registry.SubjectKind, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, job: Job) -> str | None:
        kind = job.subject_kind
        return job.subject_id if kind is not None and kind.key == self.kind.key else None


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class OutputIdsField(serializers.Field):
    """The ids of the rows of ``kind`` that the job recorded."""

    def __init__(self, kind: registry.OutputKind, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, job: Job) -> list[str]:
        return self.kind.ids(job)


class JobListSerializer(serializers.ModelSerializer):
    retry_of_id = serializers.IntegerField(allow_null=True)
    subject = serializers.SerializerMethodField()
    duration_s = serializers.SerializerMethodField()
    url = LinkField("jobs-api:detail")

    class Meta:
        model = Job
        fields = [
            "id",
            "type",
            "status",
            "progress",
            "progress_message",
            "subject",
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

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for kind in registry.subject_kinds():
            fields[kind.id_field] = SubjectIdField(
                kind, help_text=f"The job's {kind.key} (null when it is about something else)."
            )
        return fields

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "type": {"type": "string"},
                "id": {"type": "string"},
                "url": {"type": "string", "format": "uri", "nullable": True},
            },
        }
    )
    def get_subject(self, job: Job) -> dict[str, Any] | None:
        kind = job.subject_kind
        if kind is None or not job.subject_id:
            return None
        url = kind.api_url(job.subject_id)
        return {
            "type": kind.key,
            "id": job.subject_id,
            "url": url and absolute(self.context.get("request"), url),
        }

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_duration_s(self, job: Job) -> float | None:
        duration = job.duration
        return None if duration is None else round(duration.total_seconds(), 3)


class JobDetailSerializer(JobListSerializer):
    links = serializers.SerializerMethodField()

    class Meta(JobListSerializer.Meta):
        fields = [*JobListSerializer.Meta.fields, "error", "links"]
        read_only_fields = fields

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for kind in registry.output_kinds():
            fields[kind.ids_field] = OutputIdsField(kind)
        return fields

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {"type": "string", "format": "uri", "nullable": True},
            "description": "retry, cancel, retry_of, ui; the subject by its kind "
            "(plan_version); the job's outputs by kind (runs).",
        }
    )
    def get_links(self, job: Job) -> dict[str, Any]:
        request = self.context.get("request")
        links: dict[str, Any] = {}
        for subject in registry.subject_kinds():
            url = subject.api_url(job.subject_id) if job.subject_kind == subject else None
            links[subject.key] = url and absolute(request, url)
        for output in registry.output_kinds():
            url = output.api_list_url(job)
            links[f"{output.key}s"] = url and absolute(request, url)
        links.update(
            {
                "retry": link(request, "jobs-api:retry", job.pk),
                "cancel": link(request, "jobs-api:cancel", job.pk),
                "retry_of": job.retry_of_id and link(request, "jobs-api:detail", job.retry_of_id),
                "ui": job.get_absolute_url(),
            }
        )
        return links
