"""Reads of job state for operations: queue depth, the last backup, stale jobs.

Selectors used by ``/metrics`` (core/metrics.py) and the reaper
(``jobs.services.job_reap_stale``); the UI and API reads are in
jobs/selectors.py.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Max, Q, QuerySet

from jobs.backup import BACKUP
from jobs.models import Job


def job_active_counts() -> dict[tuple[str, str], int]:
    """(type, status) → number of queued or running jobs; one grouped query."""
    rows = (
        Job.objects.filter(status__in=Job.ACTIVE)
        .order_by()
        .values_list("type", "status")
        .annotate(n=Count("id"))
    )
    return {(job_type, status): n for job_type, status, n in rows}


def backup_last_success_at() -> datetime | None:
    """When the newest succeeded backup job finished (None: never)."""
    return Job.objects.filter(type=BACKUP, status=Job.Status.SUCCEEDED).aggregate(
        last=Max("finished_at")
    )["last"]


def job_stale_running(*, heartbeat_before: datetime) -> QuerySet[Job]:
    """Running jobs whose worker has not reported since ``heartbeat_before``."""
    return Job.objects.filter(
        Q(heartbeat_at__lt=heartbeat_before)
        | Q(heartbeat_at__isnull=True, started_at__lt=heartbeat_before),
        status=Job.Status.RUNNING,
    )


def job_queued_unsent(*, enqueued_before: datetime) -> QuerySet[Job]:
    """Queued jobs whose message was last sent before ``enqueued_before`` (maybe lost)."""
    return Job.objects.filter(
        Q(enqueued_at__lt=enqueued_before)
        | Q(enqueued_at__isnull=True, created_at__lt=enqueued_before),
        status=Job.Status.QUEUED,
    )
