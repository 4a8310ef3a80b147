"""Reads of jobs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.functions import Right

from jobs import registry
from jobs.filters import JobFilter
from jobs.models import Job

# A list row's error summary is the traceback's last line; its last characters hold it.
ERROR_TAIL_CHARS = 300


def job_filterset(params: Mapping[str, Any] | None = None) -> JobFilter:
    """THE job FilterSet bound to request parameters, over the list queryset.

    The list queryset does not load the traceback (``error``); it annotates
    ``error_tail``, the traceback's last characters, for a one-line summary.
    """
    queryset = Job.objects.defer("error").annotate(error_tail=Right("error", ERROR_TAIL_CHARS))
    return JobFilter(params or {}, queryset=queryset)


def job_list(*, params: Mapping[str, Any] | None = None) -> QuerySet[Job]:
    """Jobs newest first, filtered; the traceback text is not loaded for lists."""
    filterset = job_filterset(params)
    if not filterset.is_valid():
        raise ValidationError({f: list(m) for f, m in filterset.errors.items()})
    return filterset.qs


def job_get(*, job_id: int) -> Job:
    return Job.objects.get(pk=job_id)


def job_outputs(*, job: Job) -> list[tuple[registry.OutputKind, list[str]]]:
    """What the job recorded, by declared output kind (e.g. its runs), ids only."""
    return [(kind, kind.ids(job)) for kind in registry.output_kinds()]
