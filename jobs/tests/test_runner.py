from __future__ import annotations

import time

import pytest
from django.db import OperationalError

from jobs import registry, runner, services, transitions
from jobs.models import Job
from jobs.tests.factories import JobFactory
from jobs.tests.helpers import run_claimed
from tests.jobapp.models import Widget

pytestmark = pytest.mark.django_db


@pytest.fixture
def handlers(monkeypatch):
    """Route the backup job type to a handler defined by the test."""
    calls: list[int] = []
    behaviour: dict = {"fn": lambda job, ctx: {"ok": True}}

    def handler(*, job, ctx):
        calls.append(job.pk)
        return behaviour["fn"](job, ctx)

    original = registry.replace_handler("backup", handler)
    yield calls, behaviour
    registry.replace_handler("backup", original)


def test_a_redelivered_message_does_not_run_the_job_twice(handlers):
    calls, _ = handlers
    job = JobFactory.create()
    first = runner.run(job.pk)
    second = runner.run(job.pk)

    assert first is not None and first.status == Job.Status.SUCCEEDED
    assert second is None
    assert calls == [job.pk]
    job.refresh_from_db()
    assert job.attempts == 1 and job.progress == 100 and job.result == {"ok": True}


def test_failure_records_the_traceback_and_ends_failed(handlers):
    _, behaviour = handlers

    def boom(job, ctx):
        raise ValueError("capacity table is empty")

    behaviour["fn"] = boom
    job = run_claimed(JobFactory.create().pk)
    assert job.status == Job.Status.FAILED
    assert "ValueError: capacity table is empty" in job.error
    assert "Traceback" in job.error
    assert job.finished_at is not None


def test_cancel_request_stops_a_running_job_at_its_next_progress_point(handlers):
    _, behaviour = handlers
    reached: list[int] = []

    def long_job(job, ctx):
        ctx.progress(10, "step 1", force=True)
        reached.append(1)
        Job.objects.filter(pk=job.pk).update(cancel_requested=True)
        ctx.progress(50, "step 2", force=True)
        reached.append(2)
        return {}

    behaviour["fn"] = long_job
    job = run_claimed(JobFactory.create().pk)
    assert job.status == Job.Status.CANCELED
    assert reached == [1]


def test_progress_writes_are_throttled_to_about_one_a_second(handlers):
    job = JobFactory.create(status=Job.Status.RUNNING)
    clock = iter([0.0, 0.2, 0.4, 1.5]).__next__
    ctx = runner.JobContext(job, clock=clock)
    for pct in (10, 20, 30, 40):
        ctx.progress(pct)
    job.refresh_from_db()
    # 0.0 writes, 0.2 and 0.4 are within a second of it, 1.5 writes again.
    assert job.progress == 40
    ctx2 = runner.JobContext(job, clock=iter([0.0, 0.5]).__next__)
    ctx2.progress(60)
    ctx2.progress(70)
    job.refresh_from_db()
    assert job.progress == 60


def test_a_finished_job_is_not_overwritten_by_a_late_worker(handlers):
    _, behaviour = handlers

    def reaped_meanwhile(job, ctx):
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error="worker lost")
        return {"late": True}

    behaviour["fn"] = reaped_meanwhile
    job = run_claimed(JobFactory.create().pk)
    assert job.status == Job.Status.FAILED
    assert job.error == "worker lost"
    assert job.result == {}


def test_claim_records_the_attempt_and_the_worker(handlers):
    job = run_claimed(JobFactory.create().pk)
    assert job.attempts == 1
    assert job.worker.startswith(transitions.worker_name().split(":")[0])


def test_a_job_of_a_type_no_app_registers_fails_naming_the_type():
    job = run_claimed(JobFactory.create(type="retired_type").pk)
    assert job.status == Job.Status.FAILED
    assert "unknown job type 'retired_type'" in job.error


def test_an_attempt_that_was_requeued_meanwhile_stops_and_writes_nothing(handlers):
    _, behaviour = handlers
    reached: list[int] = []

    def requeued_meanwhile(job, ctx):
        # The reaper gave this attempt up and another worker claimed the job.
        Job.objects.filter(pk=job.pk).update(attempts=2)
        ctx.progress(50, "still here?", force=True)
        reached.append(1)
        return {"late": True}

    behaviour["fn"] = requeued_meanwhile
    job = run_claimed(JobFactory.create().pk)
    assert reached == []
    assert job.status == Job.Status.RUNNING and job.attempts == 2
    assert job.result == {} and job.progress_message == ""


def test_finishing_commits_outputs_and_success_together(handlers):
    _, behaviour = handlers

    def with_outputs(job, ctx):
        with ctx.finishing() as result:
            result["made"] = "output"
            assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING
        assert Job.objects.get(pk=job.pk).status == Job.Status.SUCCEEDED
        return {"ignored": True}

    behaviour["fn"] = with_outputs
    job = run_claimed(JobFactory.create().pk)
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {"made": "output"} and job.progress == 100


def test_finishing_writes_nothing_when_the_attempt_was_given_up(handlers):
    _, behaviour = handlers

    def lost(job, ctx):
        Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
        with ctx.finishing():
            Widget.objects.create(name="output")
        return {}

    behaviour["fn"] = lost
    job = run_claimed(JobFactory.create().pk)
    assert job.status == Job.Status.QUEUED
    assert not Widget.objects.exists()


def test_finishing_rolls_back_outputs_when_the_block_fails(handlers):
    _, behaviour = handlers

    def broken(job, ctx):
        with ctx.finishing():
            Widget.objects.create(name="output")
            raise RuntimeError("disk full")

    behaviour["fn"] = broken
    job = run_claimed(JobFactory.create().pk)
    assert job.status == Job.Status.FAILED and "disk full" in job.error
    assert not Widget.objects.exists()


def test_a_transient_error_requeues_within_max_attempts_then_fails(
    handlers, monkeypatch, django_capture_on_commit_callbacks
):
    _, behaviour = handlers
    sent: list[tuple[int, float | None]] = []
    monkeypatch.setattr(
        services, "job_enqueue", lambda *, job, countdown=None: sent.append((job.pk, countdown))
    )

    def flaky(job, ctx):
        raise OperationalError("server closed the connection unexpectedly")

    behaviour["fn"] = flaky
    job = JobFactory.create(max_attempts=2)
    with django_capture_on_commit_callbacks(execute=True):
        first = run_claimed(job.pk)
    assert first.status == Job.Status.QUEUED and first.attempts == 1
    assert "OperationalError" in first.progress_message
    assert sent == [(job.pk, runner.RETRY_BACKOFF_S)]
    with django_capture_on_commit_callbacks(execute=True):
        second = run_claimed(job.pk)
    assert second.status == Job.Status.FAILED and second.attempts == 2
    assert "server closed the connection" in second.error
    assert len(sent) == 1


def test_a_handler_can_ask_for_another_attempt(handlers, monkeypatch):
    _, behaviour = handlers
    monkeypatch.setattr(services, "job_enqueue", lambda *, job, countdown=None: None)

    def later(job, ctx):
        raise runner.RetryLater("upstream busy")

    behaviour["fn"] = later
    job = run_claimed(JobFactory.create().pk)
    assert job.status == Job.Status.QUEUED
    assert job.celery_task_id  # a fresh id for the new message


def test_the_soft_time_limit_fails_the_job_with_a_clear_message(handlers):
    _, behaviour = handlers
    from billiard.exceptions import SoftTimeLimitExceeded

    def too_slow(job, ctx):
        raise SoftTimeLimitExceeded

    behaviour["fn"] = too_slow
    job = run_claimed(JobFactory.create().pk)
    assert job.status == Job.Status.FAILED
    assert "time limit" in job.error and "SCPLN_JOB_TIME_LIMITS" in job.error


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_refreshes_a_silent_job(handlers, settings):
    _, behaviour = handlers
    settings.SCPLN_JOB_HEARTBEAT_INTERVAL = 0.2
    seen: list = []

    def silent(job, ctx):
        first = Job.objects.get(pk=job.pk).heartbeat_at
        time.sleep(0.8)
        seen.append((first, Job.objects.get(pk=job.pk).heartbeat_at))
        return {}

    behaviour["fn"] = silent
    runner.run(JobFactory.create().pk)
    first, later = seen[0]
    assert later > first


def test_time_limits_come_from_settings_per_type(settings):
    settings.SCPLN_JOB_TIME_LIMITS = {**settings.SCPLN_JOB_TIME_LIMITS, "planning": 600}
    assert runner.time_limits("planning") == (540, 600)
    settings.SCPLN_JOB_TIME_LIMITS = {**settings.SCPLN_JOB_TIME_LIMITS, "backup": 20}
    assert runner.time_limits("backup") == (15, 20)


def test_every_product_job_type_has_a_time_limit(settings):
    product_types = {
        kind.name for kind in registry.job_types() if not kind.name.startswith("test_")
    }
    assert product_types == set(settings.SCPLN_JOB_TIME_LIMITS)


def test_a_type_without_its_own_limit_gets_the_longest(settings):
    settings.SCPLN_JOB_TIME_LIMITS = {"planning": 100, "backup": 900}
    assert runner.time_limits("test_touch") == runner.time_limits("backup")
