"""Reads of jobs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from jobs.filters import JobFilter
from jobs.models import Job


def job_list(*, params: Mapping[str, Any] | None = None) -> QuerySet[Job]:
    """Jobs newest first, filtered; the traceback text is not loaded for lists."""
    filterset = JobFilter(params or {}, queryset=Job.objects.defer("error"))
    if not filterset.is_valid():
        raise ValidationError({f: list(m) for f, m in filterset.errors.items()})
    return filterset.qs


def job_get(*, job_id: int) -> Job:
    return Job.objects.select_related("plan_version").get(pk=job_id)


def job_run_ids(*, job: Job) -> list[str]:
    """The runs a job recorded (ids only), newest first."""
    return [str(rid) for rid in job.runs.order_by("-started_at").values_list("run_id", flat=True)]
