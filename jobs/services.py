"""Writes to jobs: create and enqueue, cancel, retry, requeue, periodic jobs, the reaper.

A job row is created first and the Celery message is sent only after the
transaction commits, carrying nothing but the job id: a worker never sees a
job that the database does not have, and the row stays the only truth.

The state changes themselves (conditional UPDATEs that cannot overwrite a
racing decision) are in jobs/transitions.py; these services decide when to
make them and send the messages.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from jobs import metrics, registry, state, transitions
from jobs.models import Job

if TYPE_CHECKING:
    from typing_extensions import Unpack

logger = logging.getLogger(__name__)

# The reaper handles at most this many jobs per pass; the next pass takes the rest.
REAP_BATCH = 200


class JobRequest(TypedDict, total=False):
    """What a new job is asked for with, besides its type (see :func:`job_create`)."""

    params: dict[str, Any] | None
    subject: Model | None
    user: User | None
    dedupe_key: str
    retry_of: Job | None


def _job_insert(
    *,
    job_type: str,
    params: dict[str, Any] | None = None,
    user: User | None = None,
    dedupe_key: str = "",
    subject: Model | None = None,
    retry_of: Job | None = None,
) -> Job:
    registry.get_job_type(job_type)  # an unknown type is a programming error: fail loudly
    subject_fields: dict[str, Any] = {}
    if subject is not None:
        subject_fields = {
            "subject_type": ContentType.objects.get_for_model(subject),
            "subject_id": str(subject.pk),
        }
    try:
        with transaction.atomic():
            return Job.objects.create(
                type=job_type,
                params=params or {},
                **subject_fields,
                created_by=user,
                dedupe_key=dedupe_key,
                retry_of=retry_of,
                celery_task_id=str(uuid.uuid4()),
                max_attempts=settings.SCPLN_JOB_MAX_ATTEMPTS,
            )
    except IntegrityError:
        existing = (
            Job.objects.filter(dedupe_key=dedupe_key, status__in=Job.ACTIVE).first()
            if dedupe_key
            else None
        )
        if existing is None:
            raise
        raise ValidationError(
            _("An identical request is already %(status)s as job #%(id)s.")
            % {"status": existing.get_status_display().lower(), "id": existing.pk},
            code="duplicate",
        ) from None


def job_create(*, job_type: str, **request: Unpack[JobRequest]) -> Job:
    """Create a queued job and enqueue it once the surrounding transaction commits.

    ``job_type`` must be registered (jobs/registry.py); ``subject`` is the
    object the job works on (a plan version...). ``dedupe_key`` names the
    request: while a job with the same key is queued or running, an
    identical one is refused (a unique partial index enforces it even when
    two requests race).
    """
    job = _job_insert(job_type=job_type, **request)
    transaction.on_commit(lambda: job_enqueue(job=job))
    return job


def job_run_now(
    *,
    job_type: str,
    params: dict[str, Any] | None = None,
    user: User | None = None,
    dedupe_key: str = "",
) -> Job:
    """Create a job and run it in this process (management commands), bypassing the broker.

    The job is recorded like any other (visible in ``/ui/jobs`` and the
    admin, counted in the metrics), but no message is sent, so no worker is
    needed. Returns the finished job.
    """
    from jobs import runner

    job = _job_insert(job_type=job_type, params=params, user=user, dedupe_key=dedupe_key)
    finished = runner.run(job.pk)
    job.refresh_from_db()
    return finished or job


def job_enqueue(*, job: Job, countdown: float | None = None) -> None:
    """Send the job's Celery message (id only, JSON) with its type's time limits.

    A broker that is away is logged, not raised: the job row is committed,
    and the reaper sends the message again once ``SCPLN_JOB_REQUEUE_AFTER``
    has passed, so a Redis outage delays jobs instead of failing requests.
    """
    from jobs import runner
    from jobs.tasks import run_job

    soft, hard = runner.time_limits(job.type)
    transitions.mark_sent(job, deliverable_at=timezone.now() + timedelta(seconds=countdown or 0))
    try:
        run_job.apply_async(
            args=[job.pk],
            task_id=job.celery_task_id,
            soft_time_limit=soft,
            time_limit=hard,
            countdown=countdown,
        )
    except BrokerError:
        logger.warning(
            "job %s: broker unavailable; the reaper will send it again", job.pk, exc_info=True
        )


def job_cancel(*, job: Job) -> Job:
    """Cancel a job: a queued job never starts; a running one stops at its next progress point."""
    if transitions.cancel_queued(job) or transitions.request_cancel(job):
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    raise ValidationError(
        {
            "status": _("Job #%(id)s is already %(status)s and cannot be canceled.")
            % {"id": job.pk, "status": job.get_status_display().lower()}
        }
    )


def job_retry(*, job: Job, user: User | None = None) -> Job:
    """Start a clean new attempt of a failed or canceled job, linked to the old one."""
    if job.status not in (Job.Status.FAILED, Job.Status.CANCELED):
        raise ValidationError(
            {
                "status": _(
                    "Only failed or canceled jobs can be retried; job #%(id)s is %(status)s."
                )
                % {"id": job.pk, "status": job.get_status_display().lower()}
            }
        )
    return job_create(
        job_type=job.type,
        params=job.params,
        subject=job.subject,
        user=user,
        dedupe_key=job.dedupe_key,
        retry_of=job,
    )


def job_requeue(
    *,
    job: Job,
    attempt: int,
    reason: str,
    note: str = "",
    countdown: float | None = None,
    heartbeat_before: datetime | None = None,
) -> bool:
    """Give a running attempt back to the queue for another attempt.

    Only if the job is still running as ``attempt`` (and, given
    ``heartbeat_before``, its heartbeat is still older than that); otherwise
    someone already decided its fate and nothing changes (returns False). The
    new message gets a new task id and is sent after commit; ``reason``
    (``worker_lost``, ``transient``) labels ``jobs_requeued_total``. The
    caller checks ``max_attempts``.
    """
    with transaction.atomic():
        if not transitions.requeue(
            job, attempt, reason=reason, note=note, heartbeat_before=heartbeat_before
        ):
            return False
        transaction.on_commit(lambda: job_enqueue(job=job, countdown=countdown))
    logger.warning("job %s requeued after attempt %s (%s): %s", job.pk, attempt, reason, note)
    return True


@dataclass
class ReapReport:
    """What one reaper pass did, by job id."""

    requeued: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    canceled: list[int] = field(default_factory=list)
    resent: list[int] = field(default_factory=list)


def job_reap_stale(*, now: datetime | None = None) -> ReapReport:
    """Settle jobs whose worker is gone, and resend queued jobs whose message is lost.

    A running job whose heartbeat is older than ``SCPLN_JOB_STALE_AFTER`` lost
    its worker (the runner's heartbeat thread beats even while a stage
    reports no progress). It ends ``canceled`` if a cancel was requested,
    ``failed`` if it ran past its hard time limit (the worker killed it: a
    rerun would meet the same limit) or used up ``max_attempts``; otherwise it
    is requeued for another attempt. A queued job whose message was sent more
    than ``SCPLN_JOB_REQUEUE_AFTER`` ago is sent again (a broker restart
    without persistence loses messages); a duplicate message is harmless, the
    claim lets only one run. Safe to run concurrently with workers and with
    itself: each decision is a conditional update.
    """
    now = now or timezone.now()
    report = ReapReport()
    stale_before = now - timedelta(seconds=settings.SCPLN_JOB_STALE_AFTER)
    for job in state.job_stale_running(heartbeat_before=stale_before)[:REAP_BATCH]:
        _reap_one(job, now=now, stale_before=stale_before, report=report)

    resend_before = now - timedelta(seconds=settings.SCPLN_JOB_REQUEUE_AFTER)
    for job in state.job_queued_unsent(enqueued_before=resend_before)[:REAP_BATCH]:
        if transitions.claim_resend(job, now=now):
            job_enqueue(job=job)
            metrics.jobs_requeued_total.labels(type=job.type, reason="message_lost").inc()
            report.resent.append(job.pk)
    if report.requeued or report.failed or report.canceled or report.resent:
        logger.warning("reaper: %s", report)
    return report


def _reap_one(job: Job, *, now: datetime, stale_before: datetime, report: ReapReport) -> None:
    from jobs import runner

    last_seen = timezone.localtime(job.heartbeat_at or job.started_at or now).isoformat(
        timespec="seconds"
    )
    who = job.worker or "its worker"
    elapsed = (now - (job.started_at or now)).total_seconds()
    _soft, hard = runner.time_limits(job.type)

    if job.cancel_requested:
        outcome, error = Job.Status.CANCELED, ""
    elif elapsed >= hard:
        outcome = Job.Status.FAILED
        error = (
            f"Stopped: attempt {job.attempts} ran past the {job.type} time limit of {hard} s "
            f"and {who} stopped reporting at {last_seen} (SCPLN_JOB_TIME_LIMITS)."
        )
    elif job.attempts < job.max_attempts:
        note = f"attempt {job.attempts} lost: no heartbeat from {who} since {last_seen}"
        if job_requeue(
            job=job,
            attempt=job.attempts,
            reason="worker_lost",
            note=note,
            heartbeat_before=stale_before,
        ):
            report.requeued.append(job.pk)
        return
    else:
        outcome = Job.Status.FAILED
        error = (
            f"Worker lost on attempt {job.attempts} of {job.max_attempts}: no heartbeat from "
            f"{who} since {last_seen}. Not retried automatically; retry the job once the "
            "cause (memory, a killed worker) is fixed."
        )
    if transitions.end_lost(
        job, outcome=outcome, error=error, now=now, heartbeat_before=stale_before
    ):
        (report.canceled if outcome == Job.Status.CANCELED else report.failed).append(job.pk)


def job_schedule_periodic(*, job_type: str) -> Job | None:
    """Queue a periodic job (celery beat), unless there is nothing to do or one is active.

    A type registered with ``due`` is queued only when ``due()`` says there
    is work; one still queued or running from an earlier tick is left to
    finish (the dedupe key ``<type>:scheduled``).
    """
    kind = registry.get_job_type(job_type)
    if kind.due is not None and not kind.due():
        return None
    try:
        return job_create(job_type=job_type, dedupe_key=f"{job_type}:scheduled")
    except ValidationError as exc:
        logger.info("scheduled %s job skipped: %s", job_type, " ".join(exc.messages))
        return None
