"""Celery tasks: shims that hand a job id to the runner."""

from __future__ import annotations

from celery import shared_task

from jobs import runner


@shared_task(name="jobs.run_job", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id: int) -> None:
    runner.run(job_id)
