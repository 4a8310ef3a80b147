from __future__ import annotations

import pytest

from jobs import runner
from jobs.models import Job
from jobs.tests.factories import JobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def handlers(monkeypatch):
    """Route the backup job type to a handler defined by the test."""
    calls: list[int] = []
    behaviour: dict = {"fn": lambda job, ctx: {"ok": True}}

    def handler(*, job, ctx):
        calls.append(job.pk)
        return behaviour["fn"](job, ctx)

    monkeypatch.setitem(runner.HANDLERS, Job.Type.BACKUP, f"{__name__}._handler")
    monkeypatch.setattr(f"{__name__}._handler", handler, raising=False)
    return calls, behaviour


def _handler(*, job, ctx):  # replaced by the fixture
    raise AssertionError("not patched")


def test_a_redelivered_message_does_not_run_the_job_twice(handlers):
    calls, _ = handlers
    job = JobFactory()
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
    job = runner.run(JobFactory().pk)
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
    job = runner.run(JobFactory().pk)
    assert job.status == Job.Status.CANCELED
    assert reached == [1]


def test_progress_writes_are_throttled_to_about_one_a_second(handlers):
    job = JobFactory(status=Job.Status.RUNNING)
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
    job = runner.run(JobFactory().pk)
    assert job.status == Job.Status.FAILED
    assert job.error == "worker lost"
    assert job.result == {}
