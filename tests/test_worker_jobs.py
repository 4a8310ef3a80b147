"""Jobs end to end with a real worker: cancel, retry, time limits, metrics at /metrics."""

from __future__ import annotations

import pytest
from django.db import transaction

from jobs import services
from jobs.models import Job
from tests.workers import wait_for

pytestmark = pytest.mark.worker

# Job types of the test app (tests/jobapp/handlers.py), known to the test workers too.
UNTIL_CANCELED = "test_until_canceled"
FAILS_UNLESS_RETRIED = "test_fails_unless_retried"


def _create(job_type: str, **fields) -> Job:
    with transaction.atomic():
        return services.job_create(job_type=job_type, **fields)


def _terminal(job: Job, timeout: float = 60) -> Job:
    return wait_for(
        lambda: Job.objects.filter(pk=job.pk, status__in=Job.TERMINAL).first(), timeout=timeout
    )


def _scrape(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    return response.content.decode()


def _value(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_worker_observations_reach_the_web_metrics_endpoint(
    celery_worker_process, client, tmp_path
):
    finished = 'jobs_finished_total{status="succeeded",type="backup"}'
    durations = 'jobs_duration_seconds_count{type="backup"}'
    before = _scrape(client)
    job = _terminal(_create("backup", params={"directory": str(tmp_path / "bk")}))
    assert job.status == Job.Status.SUCCEEDED, job.error

    after = _scrape(client)
    # Observed in the worker's pool process, scraped from this (web) process.
    assert _value(after, finished) == _value(before, finished) + 1
    assert _value(after, durations) == _value(before, durations) + 1
    assert job.finished_at is not None
    assert _value(after, "backup_last_success_timestamp_seconds") == pytest.approx(
        job.finished_at.timestamp()
    )
    assert 'jobs_queued{type="backup"} 0.0' in after


@pytest.mark.redis(db=12)
def test_cancel_stops_a_running_job_at_its_next_progress_point(celery_workers):
    celery_workers()
    job = _create(UNTIL_CANCELED)
    wait_for(lambda: Job.objects.filter(pk=job.pk, progress__gte=3).exists())
    services.job_cancel(job=job)
    done = _terminal(job, timeout=120)
    assert done.status == Job.Status.CANCELED
    assert done.attempts == 1 and done.finished_at is not None


@pytest.mark.redis(db=12)
def test_a_canceled_queued_job_never_starts(celery_workers):
    worker = celery_workers(concurrency=1)
    busy = _create(UNTIL_CANCELED)
    wait_for(lambda: Job.objects.filter(pk=busy.pk, status=Job.Status.RUNNING).exists())
    waiting = _create(UNTIL_CANCELED)  # queued behind it: one slot, prefetch 1
    services.job_cancel(job=waiting)
    services.job_cancel(job=busy)
    assert _terminal(busy).status == Job.Status.CANCELED
    wait_for(lambda: f"Task jobs.run_job[{waiting.celery_task_id}] succeeded" in worker.output())
    waiting.refresh_from_db()
    assert waiting.status == Job.Status.CANCELED
    assert waiting.attempts == 0 and waiting.started_at is None


@pytest.mark.redis(db=12)
def test_retry_of_a_failed_job_is_a_clean_new_attempt(celery_workers):
    celery_workers()
    failed = _terminal(_create(FAILS_UNLESS_RETRIED, params={"x": 1}, dedupe_key="fails:x"))
    assert failed.status == Job.Status.FAILED and "planned failure" in failed.error

    with transaction.atomic():
        retry = services.job_retry(job=failed)
    done = _terminal(retry)
    assert done.status == Job.Status.SUCCEEDED, done.error
    assert done.retry_of_id == failed.pk and done.params == {"x": 1}
    assert done.attempts == 1 and done.error == "" and done.result["retry_of"] == failed.pk
    failed.refresh_from_db()
    assert failed.status == Job.Status.FAILED  # the old attempt stays as it was


@pytest.mark.redis(db=12)
def test_the_soft_time_limit_of_a_job_type_stops_it(celery_workers, settings):
    # The limits travel with the message, so they are set where it is sent.
    settings.SCPLN_JOB_TIME_LIMITS = {**settings.SCPLN_JOB_TIME_LIMITS, UNTIL_CANCELED: 10}
    celery_workers()
    # Generous: a loaded machine may take long to start the worker; the limit is what counts.
    done = _terminal(_create(UNTIL_CANCELED), timeout=120)
    assert done.status == Job.Status.FAILED
    assert "time limit of 5 s was exceeded" in done.error


@pytest.mark.parametrize(
    "env",
    [{"SCPLN_WORKER_MAX_TASKS_PER_CHILD": "1"}, {"SCPLN_WORKER_MAX_MEMORY_MB": "1"}],
    ids=["max-tasks", "max-memory"],
)
def test_a_worker_replaces_its_pool_process_after_a_job_per_its_settings(celery_workers, env):
    """Each limit recycles the pool process: the next job runs in a new one."""
    celery_workers(concurrency=1, env=env)
    first = _terminal(_create(FAILS_UNLESS_RETRIED))
    second = _terminal(_create(FAILS_UNLESS_RETRIED))
    assert first.worker and second.worker
    assert first.worker != second.worker, "the same pool process ran both jobs"
