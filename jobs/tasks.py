"""Celery tasks: shims that hand a job id to the runner, or call one service.

``run_job`` is the only task that does work; its message carries the job id
and nothing else, and its time limits are set per message from the job's
type (``jobs.services.job_enqueue``). The beat tasks (config/beat.py) only
create jobs or settle stale ones, so they are quick and never block a worker.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from core import wal
from jobs import runner


@shared_task(
    name="jobs.run_job",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    # The database being away when the message arrives: try the claim again
    # later. A retry after the claim succeeded finds the job running and does
    # nothing; the heartbeat and the reaper own that attempt from there.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=5,
)
def run_job(job_id: int) -> None:
    runner.run(job_id)
    # The job's outcome is committed: copy the log it left (core/wal.py) before the next job.
    wal.checkpoint()


@shared_task(name="jobs.reap_stale_jobs", ignore_result=True)
def reap_stale_jobs() -> None:
    from jobs.services import job_reap_stale

    job_reap_stale()


@shared_task(name="jobs.schedule_job", ignore_result=True)
def schedule_job(job_type: str) -> None:
    from jobs.services import job_schedule_periodic

    job_schedule_periodic(job_type=job_type)
