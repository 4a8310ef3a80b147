from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jobs import services
from jobs.models import Job
from jobs.tests.factories import JobFactory

pytestmark = pytest.mark.django_db


def test_job_is_enqueued_only_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr(services, "job_enqueue", lambda *, job: sent.append(job.pk))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = services.job_create(job_type="backup", params={"x": 1})
        assert sent == []
    assert len(callbacks) == 1
    assert sent == [job.pk]
    assert job.status == Job.Status.QUEUED and job.celery_task_id


def test_identical_active_request_is_refused_with_the_existing_job(
    django_capture_on_commit_callbacks,
):
    first = services.job_create(job_type="backup", dedupe_key="backup:nightly")
    with pytest.raises(ValidationError, match=f"already queued as job #{first.pk}"):
        services.job_create(job_type="backup", dedupe_key="backup:nightly")
    Job.objects.filter(pk=first.pk).update(status=Job.Status.SUCCEEDED)
    again = services.job_create(job_type="backup", dedupe_key="backup:nightly")
    assert again.pk != first.pk


def test_cancel_queued_job_never_starts():
    job = services.job_cancel(job=JobFactory.create())
    assert job.status == Job.Status.CANCELED and job.finished_at is not None


def test_cancel_running_job_requests_a_cooperative_stop():
    job = services.job_cancel(job=JobFactory.create(status=Job.Status.RUNNING))
    assert job.status == Job.Status.RUNNING and job.cancel_requested


def test_cancel_finished_job_is_refused_naming_the_status():
    with pytest.raises(ValidationError) as exc:
        services.job_cancel(job=JobFactory.create(status=Job.Status.SUCCEEDED))
    assert "already succeeded" in exc.value.message_dict["status"][0]


def test_retry_makes_a_clean_new_attempt_linked_to_the_old_job():
    old = JobFactory.create(
        status=Job.Status.FAILED, params={"directory": "/tmp/x"}, attempts=2, error="boom"
    )
    new = services.job_retry(job=old)
    assert new.pk != old.pk
    assert new.retry_of == old and new.params == old.params
    assert new.status == Job.Status.QUEUED and new.attempts == 0 and new.error == ""


def test_retry_of_a_running_job_is_refused():
    with pytest.raises(ValidationError, match="Only failed or canceled"):
        services.job_retry(job=JobFactory.create(status=Job.Status.RUNNING))


# --- Enqueue ------------------------------------------------------------------


@pytest.fixture
def sent(monkeypatch):
    """Messages handed to the broker: (job id, task id, options)."""
    from jobs.tasks import run_job

    messages: list[tuple[int, str, dict]] = []

    def apply_async(*, args, task_id, **options):
        messages.append((args[0], task_id, options))

    monkeypatch.setattr(run_job, "apply_async", apply_async)
    return messages


def test_the_message_carries_the_job_types_time_limits(sent, settings):
    settings.SCPLN_JOB_TIME_LIMITS = {**settings.SCPLN_JOB_TIME_LIMITS, "backup": 1200}
    job = JobFactory.create()
    services.job_enqueue(job=job)
    (job_id, task_id, options) = sent[0]
    assert job_id == job.pk and task_id == job.celery_task_id
    assert options["time_limit"] == 1200 and options["soft_time_limit"] == 1140
    job.refresh_from_db()
    assert job.enqueued_at is not None


def test_a_broker_that_is_away_does_not_fail_the_request(monkeypatch, caplog):
    from kombu.exceptions import OperationalError

    from jobs.tasks import run_job

    def refuse(**kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(run_job, "apply_async", refuse)
    job = JobFactory.create()
    services.job_enqueue(job=job)
    assert "the reaper will send it again" in caplog.text


def test_job_run_now_records_and_runs_a_job_without_a_broker(sent, tmp_path):
    job = services.job_run_now(job_type="backup", params={"directory": str(tmp_path)})
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert sent == []
    assert job.result["path"].startswith(str(tmp_path))


# --- Reaper -------------------------------------------------------------------


def _running(*, heartbeat_age_s: float, attempts: int = 1, **fields) -> Job:
    now = timezone.now()
    return JobFactory.create(
        status=Job.Status.RUNNING,
        attempts=attempts,
        started_at=fields.pop("started_at", now - timedelta(seconds=heartbeat_age_s + 1)),
        heartbeat_at=now - timedelta(seconds=heartbeat_age_s),
        worker="host-a:123",
        **fields,
    )


def test_reaper_requeues_a_job_whose_worker_stopped_heartbeating(
    sent, settings, django_capture_on_commit_callbacks
):
    settings.SCPLN_JOB_STALE_AFTER = 60
    stale = _running(heartbeat_age_s=120)
    fresh = _running(heartbeat_age_s=5)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.job_reap_stale()
    assert report.requeued == [stale.pk]
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == Job.Status.QUEUED and stale.attempts == 1
    assert "attempt 1 lost: no heartbeat from host-a:123" in stale.progress_message
    assert [m[0] for m in sent] == [stale.pk] and sent[0][1] == stale.celery_task_id
    assert fresh.status == Job.Status.RUNNING


def test_reaper_fails_a_job_that_used_up_its_attempts(sent, settings):
    settings.SCPLN_JOB_STALE_AFTER = 60
    job = _running(heartbeat_age_s=120, attempts=3, max_attempts=3)
    report = services.job_reap_stale()
    job.refresh_from_db()
    assert report.failed == [job.pk]
    assert job.status == Job.Status.FAILED and job.finished_at is not None
    assert "Worker lost on attempt 3 of 3" in job.error
    assert sent == []


def test_reaper_fails_a_job_that_ran_past_its_hard_time_limit(settings):
    settings.SCPLN_JOB_STALE_AFTER = 60
    settings.SCPLN_JOB_TIME_LIMITS = {**settings.SCPLN_JOB_TIME_LIMITS, "backup": 100}
    job = _running(heartbeat_age_s=120, started_at=timezone.now() - timedelta(seconds=500))
    services.job_reap_stale()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "time limit of 100 s" in job.error


def test_reaper_ends_a_lost_job_that_was_being_canceled_as_canceled(settings):
    settings.SCPLN_JOB_STALE_AFTER = 60
    job = _running(heartbeat_age_s=120, cancel_requested=True)
    report = services.job_reap_stale()
    job.refresh_from_db()
    assert report.canceled == [job.pk] and job.status == Job.Status.CANCELED


def test_reaper_leaves_a_job_whose_heartbeat_arrives_meanwhile(settings):
    settings.SCPLN_JOB_STALE_AFTER = 60
    job = _running(heartbeat_age_s=120)
    # The worker beats between the reaper's SELECT and its UPDATE.
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    assert not services.job_requeue(
        job=job,
        attempt=1,
        reason="worker_lost",
        heartbeat_before=timezone.now() - timedelta(seconds=60),
    )
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING


def test_reaper_resends_a_queued_job_whose_message_was_lost(sent, settings):
    settings.SCPLN_JOB_REQUEUE_AFTER = 600
    lost = JobFactory.create(enqueued_at=timezone.now() - timedelta(seconds=900))
    waiting = JobFactory.create(enqueued_at=timezone.now() - timedelta(seconds=30))
    report = services.job_reap_stale()
    assert report.resent == [lost.pk]
    assert [m[0] for m in sent] == [lost.pk]
    # Sent once per period, not on every pass.
    assert services.job_reap_stale().resent == []
    waiting.refresh_from_db()
    assert waiting.status == Job.Status.QUEUED


def test_cancel_of_a_queued_job_counts_as_a_finished_job():
    before = _sample("jobs_finished_total", {"type": "backup", "status": "canceled"})
    services.job_cancel(job=JobFactory.create())
    assert _sample("jobs_finished_total", {"type": "backup", "status": "canceled"}) == before + 1


def _sample(name: str, labels: dict[str, str]) -> float:
    from core.metrics import registry

    return registry().get_sample_value(name, labels) or 0.0
