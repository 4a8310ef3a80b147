"""Waiting for a queued job at the terminal (jobs/commands.py)."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError

from jobs.commands import job_wait
from jobs.models import Job
from jobs.tests.factories import JobFactory

pytestmark = pytest.mark.django_db


def test_a_succeeded_job_is_returned_with_its_result():
    job = JobFactory.create(status=Job.Status.SUCCEEDED, result={"run_id": "r1"})
    assert job_wait(Job.objects.get(pk=job.pk), timeout=1).result == {"run_id": "r1"}


def test_a_failed_job_exits_with_the_last_line_of_its_error():
    job = JobFactory.create(status=Job.Status.FAILED, error="Traceback …\nValueError: no demand")
    with pytest.raises(CommandError, match=rf"job {job.pk} failed: ValueError: no demand"):
        job_wait(job, timeout=1)


def test_a_job_no_worker_takes_exits_after_the_timeout():
    job = JobFactory.create(status=Job.Status.QUEUED)
    with pytest.raises(CommandError, match=r"still queued after 0s \(is a worker running\?\)"):
        job_wait(job, timeout=0)
