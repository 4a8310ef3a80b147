from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jobs import services
from jobs.models import Job
from jobs.tests.factories import JobFactory

pytestmark = pytest.mark.django_db


def test_job_is_enqueued_only_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr(services, "job_enqueue", lambda *, job: sent.append(job.pk))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = services.job_create(job_type=Job.Type.BACKUP, params={"x": 1})
        assert sent == []
    assert len(callbacks) == 1
    assert sent == [job.pk]
    assert job.status == Job.Status.QUEUED and job.celery_task_id


def test_identical_active_request_is_refused_with_the_existing_job(
    django_capture_on_commit_callbacks,
):
    first = services.job_create(job_type=Job.Type.BACKUP, dedupe_key="backup:nightly")
    with pytest.raises(ValidationError, match=f"already queued as job #{first.pk}"):
        services.job_create(job_type=Job.Type.BACKUP, dedupe_key="backup:nightly")
    Job.objects.filter(pk=first.pk).update(status=Job.Status.SUCCEEDED)
    again = services.job_create(job_type=Job.Type.BACKUP, dedupe_key="backup:nightly")
    assert again.pk != first.pk


def test_cancel_queued_job_never_starts():
    job = services.job_cancel(job=JobFactory())
    assert job.status == Job.Status.CANCELED and job.finished_at is not None


def test_cancel_running_job_requests_a_cooperative_stop():
    job = services.job_cancel(job=JobFactory(status=Job.Status.RUNNING))
    assert job.status == Job.Status.RUNNING and job.cancel_requested


def test_cancel_finished_job_is_refused_naming_the_status():
    with pytest.raises(ValidationError) as exc:
        services.job_cancel(job=JobFactory(status=Job.Status.SUCCEEDED))
    assert "already succeeded" in exc.value.message_dict["status"][0]


def test_retry_makes_a_clean_new_attempt_linked_to_the_old_job():
    old = JobFactory(
        status=Job.Status.FAILED, params={"directory": "/tmp/x"}, attempts=2, error="boom"
    )
    new = services.job_retry(job=old)
    assert new.pk != old.pk
    assert new.retry_of == old and new.params == old.params
    assert new.status == Job.Status.QUEUED and new.attempts == 0 and new.error == ""


def test_retry_of_a_running_job_is_refused():
    with pytest.raises(ValidationError, match="Only failed or canceled"):
        services.job_retry(job=JobFactory(status=Job.Status.RUNNING))
