"""Executing a job: claim it, run its handler, record the outcome.

The claim is a conditional UPDATE (queued → running) that only one process
can win, so Celery's at-least-once delivery never runs a job twice at once.
Each claim is an *attempt* (``Job.attempts``); every later write of the
attempt is conditional on ``status=running`` and its own attempt number, so a
worker that the reaper already gave up on cannot overwrite the attempt that
replaced it, nor the reaper's verdict.

While the handler runs, a heartbeat thread refreshes ``heartbeat_at`` every
``SCPLN_JOB_HEARTBEAT_INTERVAL`` seconds, so a stage that reports no progress
for minutes is still seen as alive; a stale heartbeat therefore means the
worker process is gone (killed, out of memory, host lost) and the reaper
(``jobs.services.job_reap_stale``) takes over.

Handlers (registered by the apps, jobs/registry.py) must be idempotent across
attempts: a requeued attempt runs the handler again from the start.
``JobContext.finishing()`` makes the final write exactly-once: the handler's
outputs (a run, a plan version's artifacts) and the job's success commit in
one transaction, so an attempt that dies before that commit leaves nothing
behind, and one that dies after it is never repeated.

State changes themselves are written by jobs/transitions.py; this module
decides which one an attempt's outcome calls for.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from billiard.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, InterfaceError, OperationalError, connections, transaction

from core import wal
from core.errors import error_lines
from jobs import registry, transitions
from jobs.models import Job

logger = logging.getLogger(__name__)

PROGRESS_MIN_INTERVAL_S = 1.0
ERROR_MAX_CHARS = 8000
# Backoff before a transient failure's next attempt: 5 s, 10 s, 20 s ... ≤ 2 min.
RETRY_BACKOFF_S = 5
RETRY_BACKOFF_MAX_S = 120


class JobCanceled(Exception):
    """Raised at a progress point when someone asked the running job to stop."""


class JobLost(BaseException):
    """This attempt no longer owns the job: the reaper failed or requeued it.

    A BaseException so that a handler's ``except Exception`` (cleanup that
    marks its outputs failed) does not catch it: the job is not failing, it
    belongs to another attempt now, and that attempt's outputs must be left
    alone.
    """


class JobHandedOff(Exception):
    """The handler handed the rest of this attempt to Celery tasks it sent.

    The job stays running: those tasks beat its heartbeat and write its outcome
    (through jobs/transitions.py, conditional on the attempt), and the reaper
    takes the attempt up again if they all stop beating. A replication set
    fans its chunks out as a Celery group this way (risk/services/execution.py).
    """


class RetryLater(Exception):
    """A transient failure: run the job again later, within ``max_attempts``.

    Raise it from a handler for errors that another attempt can cure (a
    server briefly away); anything else fails the job at once, so a job that
    always fails the same way cannot loop.
    """


# Errors worth another attempt. A database that is briefly away (restart,
# failover, "database is locked" past the busy timeout) is the common case.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (RetryLater, OperationalError, InterfaceError)


def time_limits(job_type: str) -> tuple[int, int]:
    """(soft, hard) time limits in seconds for a job type (``SCPLN_JOB_TIME_LIMITS``).

    The soft limit raises inside the handler so the job is recorded as failed
    with a clear message; the hard limit, a little later, kills the worker
    process if the handler ignored the soft one (the reaper then records it).
    A type the setting does not name gets the longest limit it names.
    """
    hard = int(
        settings.SCPLN_JOB_TIME_LIMITS.get(job_type, max(settings.SCPLN_JOB_TIME_LIMITS.values()))
    )
    grace = max(5, min(60, hard // 10))
    return max(1, hard - grace), hard


class JobContext:
    """What a handler uses to report progress; each report is also a heartbeat
    and a cancellation point. Writes are throttled to about one a second so a
    tight loop reporting progress does not hammer the database."""

    def __init__(self, job: Job, clock: Callable[[], float] = time.monotonic) -> None:
        self.job = job
        self.attempt = job.attempts
        self.finished = False
        self._clock = clock
        self._last_write = float("-inf")

    def progress(self, percent: float, message: str = "", *, force: bool = False) -> None:
        """Record progress (throttled); raise JobCanceled or JobLost when the job must stop."""
        now = self._clock()
        if not force and now - self._last_write < PROGRESS_MIN_INTERVAL_S:
            return
        self._last_write = now
        value = max(0, min(100, int(percent)))
        transitions.report_progress(self.job, self.attempt, percent=value, message=message)
        self.job.progress, self.job.progress_message = value, message[:200]
        self.check()

    def check(self) -> None:
        """A cancellation point without a progress report."""
        state = transitions.attempt_state(self.job.pk)
        if state is None or state[0] != Job.Status.RUNNING or state[1] != self.attempt:
            raise JobLost
        if state[2]:
            raise JobCanceled

    @contextlib.contextmanager
    def finishing(self) -> Iterator[dict[str, Any]]:
        """Write the job's outputs and its success in one transaction.

        Yields the result dict to fill in. Nothing inside the block is kept
        unless this attempt still owns the job and no cancel was requested when
        it began (the row is locked for the block where the database can).
        """
        with transaction.atomic():
            cancel_requested = transitions.lock_attempt(self.job, self.attempt)
            if cancel_requested is None:
                raise JobLost
            if cancel_requested:
                raise JobCanceled
            result: dict[str, Any] = {}
            yield result
            transitions.succeed(self.job, self.attempt, result=result)
        self.finished = True


class _Heartbeat:
    """A daemon thread that refreshes ``heartbeat_at`` while the handler runs."""

    def __init__(self, job_id: int, attempt: int, interval_s: float) -> None:
        self._job_id, self._attempt, self._interval = job_id, attempt, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"job-{job_id}-heartbeat", daemon=True
        )

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        # A beat stuck on a lock must not hold up the job's outcome; a late
        # beat is harmless (it only touches a row still running this attempt).
        self._thread.join(timeout=2)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self._interval):
                try:
                    transitions.heartbeat(self._job_id, self._attempt)
                except DatabaseError:
                    # The next beat tries again; if the database stays away the
                    # reaper will see a stale heartbeat, which is the truth.
                    logger.warning("heartbeat of job %s failed", self._job_id, exc_info=True)
        finally:
            # Database connections are per thread: close this thread's own.
            connections.close_all()


def run(job_id: int) -> Job | None:
    """Claim and execute one job; returns the job as it ended, or None if not claimed."""
    job = transitions.claim(job_id)
    if job is None:
        logger.info("job %s not claimed (already taken, canceled or missing)", job_id)
        return None
    ctx = JobContext(job)
    try:
        handler = registry.get_job_type(job.type).handler
    except LookupError as exc:
        return _finish(ctx, Job.Status.FAILED, error=f"No handler: {exc}.")
    soft_limit, _hard = time_limits(job.type)
    try:
        # The job's commits leave the SQLite log to the worker's checkpoint after the job
        # (core/wal.py, jobs/tasks.py): the planner does not wait for its copy.
        with (
            _Heartbeat(job.pk, ctx.attempt, settings.SCPLN_JOB_HEARTBEAT_INTERVAL),
            wal.checkpoint_deferred(),
        ):
            result = handler(job=job, ctx=ctx)
    except JobCanceled:
        return _finish(ctx, Job.Status.CANCELED)
    except JobHandedOff:
        job.refresh_from_db()
        return job
    except JobLost:
        logger.warning(
            "job %s attempt %s was given up on; its outcome is discarded", job.pk, ctx.attempt
        )
        job.refresh_from_db()
        return job
    except SoftTimeLimitExceeded:
        return _finish(
            ctx,
            Job.Status.FAILED,
            error=f"Stopped: the {job.type} time limit of {_message_soft_limit(soft_limit)} s "
            "was exceeded (SCPLN_JOB_TIME_LIMITS).",
        )
    except TRANSIENT_ERRORS as exc:
        logger.warning(
            "job %s (%s) attempt %s: transient error", job.pk, job.type, ctx.attempt, exc_info=True
        )
        detail = traceback.format_exc()[-ERROR_MAX_CHARS:]
        if ctx.attempt < job.max_attempts:
            from jobs.services import job_requeue

            countdown = min(RETRY_BACKOFF_MAX_S, RETRY_BACKOFF_S * 2 ** (ctx.attempt - 1))
            if job_requeue(
                job=job,
                attempt=ctx.attempt,
                reason="transient",
                note=f"attempt {ctx.attempt} hit {type(exc).__name__}; retrying in {countdown} s",
                countdown=countdown,
            ):
                job.refresh_from_db()
                return job
        return _finish(ctx, Job.Status.FAILED, error=detail)
    except ValidationError as exc:
        # A refusal by a service (a config with problems): the job fails with
        # every "field: message" line, as the request would have been refused;
        # a traceback would only bury them.
        logger.info("job %s (%s) refused: %s", job.pk, job.type, exc)
        error = "\n".join(error_lines(exc))
        return _finish(ctx, Job.Status.FAILED, error=error[:ERROR_MAX_CHARS])
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.type)
        return _finish(ctx, Job.Status.FAILED, error=traceback.format_exc()[-ERROR_MAX_CHARS:])
    if not ctx.finished:
        _finish(ctx, Job.Status.SUCCEEDED, result=result or {})
    job.refresh_from_db()
    return job


def _message_soft_limit(default: int) -> int:
    """The soft limit the message was sent with (the sender's settings), else ours."""
    from celery import current_task

    limits = getattr(getattr(current_task, "request", None), "timelimit", None)
    return int(limits[1]) if limits and limits[1] else default


def _finish(ctx: JobContext, status: str, *, result: dict | None = None, error: str = "") -> Job:
    transitions.finish(ctx.job, ctx.attempt, status, result=result, error=error)
    ctx.job.refresh_from_db()
    return ctx.job
