"""Writes to jobs: create and enqueue, progress, cancel, retry.

A job row is created first and the Celery message is sent only after the
transaction commits, carrying nothing but the job id: a worker never sees a
job that the database does not have, and the row stays the only truth.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.models import Job
from plans.models import PlanVersion


def job_create(
    *,
    job_type: str,
    params: dict[str, Any] | None = None,
    plan_version: PlanVersion | None = None,
    user: AbstractBaseUser | None = None,
    dedupe_key: str = "",
    retry_of: Job | None = None,
) -> Job:
    """Create a queued job and enqueue it once the surrounding transaction commits.

    ``dedupe_key`` names the request: while a job with the same key is queued
    or running, an identical one is refused (a unique partial index enforces
    it even when two requests race).
    """
    try:
        with transaction.atomic():
            job = Job.objects.create(
                type=job_type,
                params=params or {},
                plan_version=plan_version,
                created_by=user if user is not None and user.is_authenticated else None,
                dedupe_key=dedupe_key,
                retry_of=retry_of,
                celery_task_id=str(uuid.uuid4()),
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
    transaction.on_commit(lambda: job_enqueue(job=job))
    return job


def job_enqueue(*, job: Job) -> None:
    """Send the job's Celery message (id only, JSON)."""
    from jobs.tasks import run_job

    run_job.apply_async(args=[job.pk], task_id=job.celery_task_id)


def job_cancel(*, job: Job) -> Job:
    """Cancel a job: a queued job never starts; a running one stops at its next progress point."""
    now = timezone.now()
    if Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.CANCELED, cancel_requested=True, finished_at=now
    ):
        job.refresh_from_db()
        return job
    if Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(cancel_requested=True):
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    raise ValidationError(
        {
            "status": _("Job #%(id)s is already %(status)s and cannot be canceled.")
            % {"id": job.pk, "status": job.get_status_display().lower()}
        }
    )


def job_retry(*, job: Job, user: AbstractBaseUser | None = None) -> Job:
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
        plan_version=job.plan_version,
        user=user,
        dedupe_key=job.dedupe_key,
        retry_of=job,
    )
