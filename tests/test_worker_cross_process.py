"""A job sent by the web process is executed by a separate worker process."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction

from jobs import services
from jobs.models import Job
from tests.workers import REDIS_PORT, wait_for

pytestmark = pytest.mark.worker


def _run_backup_job(tmp_path: Path) -> Job:
    with transaction.atomic():
        job = services.job_create(job_type="backup", params={"directory": str(tmp_path / "bk")})
    return wait_for(lambda: Job.objects.filter(pk=job.pk, status__in=Job.TERMINAL).first())


def test_job_sent_on_embedded_broker_runs_in_worker_process(celery_worker_process, tmp_path):
    job = _run_backup_job(tmp_path)

    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.attempts == 1
    assert Path(job.result["path"]).is_file()
    _wait_for_the_workers_log(celery_worker_process, job)


@pytest.mark.redis
def test_job_sent_on_redis_runs_in_worker_process(celery_worker_process, tmp_path):
    job = _run_backup_job(tmp_path)

    assert job.status == Job.Status.SUCCEEDED, job.error
    assert f"Connected to redis://:**@127.0.0.1:{REDIS_PORT}/15" in celery_worker_process.output()
    _wait_for_the_workers_log(celery_worker_process, job)


def _wait_for_the_workers_log(worker, job) -> None:
    """The task's success line, which Celery logs only after the task has returned — a
    moment after the job row says succeeded."""
    line = f"Task jobs.run_job[{job.celery_task_id}] succeeded"
    wait_for(lambda: line in worker.output(), timeout=30)
