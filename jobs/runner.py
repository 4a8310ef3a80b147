"""Executing a job: claim it, run its handler, record the outcome.

The claim is a conditional UPDATE (queued → running) that only one process
can win, so Celery's at-least-once delivery never runs a job twice. Every
outcome is written conditionally on the job still being ``running``: if the
reaper already gave up on this attempt, a late finish does not overwrite it.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from typing import Any, Protocol

from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from jobs.models import Job
from scpln import metrics

logger = logging.getLogger(__name__)

# Job type → dotted path of its handler. A handler is called as
# ``handler(job=job, ctx=ctx)`` and returns the job's result dict.
HANDLERS: dict[str, str] = {
    Job.Type.BACKUP: "jobs.backup.backup_job",
}

PROGRESS_MIN_INTERVAL_S = 1.0
ERROR_MAX_CHARS = 8000


class JobCanceled(Exception):
    """Raised at a progress point when someone asked the running job to stop."""


class Handler(Protocol):
    def __call__(self, *, job: Job, ctx: JobContext) -> dict[str, Any]: ...


class JobContext:
    """What a handler uses to report progress; each report is also a heartbeat
    and a cancellation point. Writes are throttled to about one a second so a
    tight loop reporting progress does not hammer the database."""

    def __init__(self, job: Job, clock: Callable[[], float] = time.monotonic) -> None:
        self.job = job
        self._clock = clock
        self._last_write = float("-inf")

    def progress(self, percent: float, message: str = "", *, force: bool = False) -> None:
        now = self._clock()
        if not force and now - self._last_write < PROGRESS_MIN_INTERVAL_S:
            return
        self._last_write = now
        value = max(0, min(100, int(percent)))
        Job.objects.filter(pk=self.job.pk, status=Job.Status.RUNNING).update(
            progress=value, progress_message=message[:200], heartbeat_at=timezone.now()
        )
        self.job.progress, self.job.progress_message = value, message[:200]
        if Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
            raise JobCanceled


def claim(job_id: int) -> Job | None:
    """Move a queued job to running; None if another delivery already took it."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        progress=0,
    )
    if not claimed:
        return None
    return Job.objects.get(pk=job_id)


def run(job_id: int) -> Job | None:
    """Claim and execute one job; returns the finished job, or None if not claimed."""
    job = claim(job_id)
    if job is None:
        logger.info("job %s not claimed (already taken, canceled or missing)", job_id)
        return None
    handler: Handler = import_string(HANDLERS[job.type])
    ctx = JobContext(job)
    try:
        result = handler(job=job, ctx=ctx)
    except JobCanceled:
        return _finish(job, Job.Status.CANCELED)
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.type)
        return _finish(job, Job.Status.FAILED, error=traceback.format_exc()[-ERROR_MAX_CHARS:])
    return _finish(job, Job.Status.SUCCEEDED, result=result or {})


def _finish(job: Job, status: str, *, result: dict | None = None, error: str = "") -> Job:
    now = timezone.now()
    changes: dict[str, Any] = {"status": status, "finished_at": now, "heartbeat_at": now}
    if result is not None:
        changes["result"] = result
    if error:
        changes["error"] = error
    if status == Job.Status.SUCCEEDED:
        changes["progress"] = 100
    if Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(**changes):
        started = job.started_at or now
        metrics.jobs_duration_seconds.labels(type=job.type).observe((now - started).total_seconds())
        metrics.jobs_finished_total.labels(type=job.type, status=status).inc()
    job.refresh_from_db()
    return job
