"""Every change of a job's state, in one place.

The states and their transitions are listed on :class:`jobs.models.Job`. Each
change here is a conditional UPDATE on the state it expects — and, for a
running job, on its attempt number — so the worker, the reaper and a user
pressing "cancel" can race without one overwriting another's decision: a
function returns whether it won (rows changed), never raises for losing.

The runner (jobs/runner.py) and the services (jobs/services.py) decide *when*
to move a job; only this module writes ``status``, ``attempts``, progress
and heartbeats.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from jobs import metrics
from jobs.models import Job


def worker_name() -> str:
    """Host and process id of this attempt, for the Job row and the logs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def attempt_rows(
    job_id: int, attempt: int, *, heartbeat_before: datetime | None = None
) -> QuerySet[Job]:
    """The job's row if it is still running as ``attempt`` (and still stale, if asked).

    Re-checking staleness in the UPDATE itself means a heartbeat that arrived
    since the reaper's SELECT keeps the job with its (alive after all) worker.
    """
    rows = Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, attempts=attempt)
    if heartbeat_before is None:
        return rows
    return rows.filter(
        Q(heartbeat_at__lt=heartbeat_before)
        | Q(heartbeat_at__isnull=True, started_at__lt=heartbeat_before)
    )


def _seconds(job: Job, now: datetime) -> float:
    return (now - (job.started_at or now)).total_seconds()


# --- queued ---------------------------------------------------------------------


def claim(job_id: int) -> Job | None:
    """queued → running as a new attempt; None if the job is not queued any more."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        attempts=F("attempts") + 1,
        progress=0,
        worker=worker_name()[:200],
    )
    if not claimed:
        return None
    return Job.objects.get(pk=job_id)


def mark_sent(job: Job, *, deliverable_at: datetime) -> None:
    """Record when the job's message becomes deliverable (the reaper resends lost ones)."""
    Job.objects.filter(pk=job.pk).update(enqueued_at=deliverable_at)


def claim_resend(job: Job, *, now: datetime) -> bool:
    """Take the right to resend a queued job's lost message, so two reapers do not both."""
    return bool(
        Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED, enqueued_at=job.enqueued_at).update(
            enqueued_at=now
        )
    )


def cancel_queued(job: Job) -> bool:
    """queued → canceled: the job never starts. Counted as finished, with no duration."""
    changed = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.CANCELED, cancel_requested=True, finished_at=timezone.now()
    )
    if changed:
        metrics.observe_job(job.type, Job.Status.CANCELED, None)
    return bool(changed)


def request_cancel(job: Job) -> bool:
    """Ask a running job to stop at its next progress point."""
    return bool(
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(cancel_requested=True)
    )


# --- running --------------------------------------------------------------------


def report_progress(job: Job, attempt: int, *, percent: int, message: str) -> None:
    """Progress of a running attempt (also a heartbeat); a lost attempt writes nothing."""
    attempt_rows(job.pk, attempt).update(
        progress=percent, progress_message=message[:200], heartbeat_at=timezone.now()
    )


def heartbeat(job_id: int, attempt: int) -> None:
    attempt_rows(job_id, attempt).update(heartbeat_at=timezone.now())


def attempt_state(job_id: int) -> tuple[str, int, bool] | None:
    """(status, attempts, cancel_requested) of a job, for a handler's cancellation points."""
    return (
        Job.objects.filter(pk=job_id).values_list("status", "attempts", "cancel_requested").first()
    )


def lock_attempt(job: Job, attempt: int) -> bool | None:
    """Inside a transaction: lock a running attempt's row for its final write.

    Returns its ``cancel_requested`` flag, or None when the attempt lost the
    job. On PostgreSQL the row stays locked until the transaction ends, so
    the reaper cannot requeue the attempt halfway (SQLite's IMMEDIATE
    transactions serialise the writers anyway).
    """
    flags = list(
        attempt_rows(job.pk, attempt).select_for_update().values_list("cancel_requested", flat=True)
    )
    return flags[0] if flags else None


def succeed(job: Job, attempt: int, *, result: dict[str, Any]) -> bool:
    """running → succeeded, inside the caller's transaction (with the handler's outputs)."""
    now = timezone.now()
    changed = attempt_rows(job.pk, attempt).update(
        status=Job.Status.SUCCEEDED, finished_at=now, heartbeat_at=now, progress=100, result=result
    )
    if changed:
        job_type, seconds = job.type, _seconds(job, now)
        transaction.on_commit(
            lambda: metrics.observe_job(job_type, Job.Status.SUCCEEDED, seconds), robust=True
        )
    return bool(changed)


def finish(
    job: Job,
    attempt: int,
    status: str,
    *,
    result: dict[str, Any] | None = None,
    error: str = "",
) -> bool:
    """running → succeeded | failed | canceled for the attempt that still owns the job."""
    now = timezone.now()
    changes: dict[str, Any] = {"status": status, "finished_at": now, "heartbeat_at": now}
    if result is not None:
        changes["result"] = result
    if error:
        changes["error"] = error
    if status == Job.Status.SUCCEEDED:
        changes["progress"] = 100
    changed = attempt_rows(job.pk, attempt).update(**changes)
    if changed:
        metrics.observe_job(job.type, status, _seconds(job, now))
    return bool(changed)


def requeue(
    job: Job,
    attempt: int,
    *,
    reason: str,
    note: str = "",
    heartbeat_before: datetime | None = None,
) -> bool:
    """running → queued for another attempt, with a new task id (sent by the caller).

    Inside the caller's transaction; ``reason`` (``worker_lost``,
    ``transient``) labels ``jobs_requeued_total`` once it commits.
    """
    task_id = str(uuid.uuid4())
    changed = attempt_rows(job.pk, attempt, heartbeat_before=heartbeat_before).update(
        status=Job.Status.QUEUED,
        celery_task_id=task_id,
        progress=0,
        progress_message=note[:200],
        heartbeat_at=None,
        worker="",
    )
    if not changed:
        return False
    job.celery_task_id, job.status = task_id, Job.Status.QUEUED
    job_type = job.type
    transaction.on_commit(
        lambda: metrics.jobs_requeued_total.labels(type=job_type, reason=reason).inc()
    )
    return True


def end_lost(
    job: Job, *, outcome: str, error: str, now: datetime, heartbeat_before: datetime
) -> bool:
    """A lost attempt that gets no retry: running → failed | canceled, by the reaper."""
    changes: dict[str, Any] = {"status": outcome, "finished_at": now}
    if error:
        changes["error"] = error
    changed = attempt_rows(job.pk, job.attempts, heartbeat_before=heartbeat_before).update(
        **changes
    )
    if changed:
        metrics.observe_job(job.type, outcome, _seconds(job, now))
    return bool(changed)
