"""What management commands that queue a job share: waiting for it at the terminal."""

from __future__ import annotations

import time

from django.core.management.base import CommandError

from jobs.models import Job


def job_wait(job: Job, *, timeout: float) -> Job:
    """Poll ``job`` until a worker has finished it and return it refreshed.

    Raises ``CommandError`` (a non-zero exit with the message) when it is still
    queued or running after ``timeout`` seconds, or ended in anything but
    success (with the last line of its error).
    """
    deadline = time.monotonic() + timeout
    while True:
        job.refresh_from_db()
        if job.status in Job.TERMINAL:
            break
        if time.monotonic() > deadline:
            raise CommandError(
                f"job {job.pk} still {job.status} after {timeout:g}s (is a worker running?)"
            )
        time.sleep(0.5)
    if job.status != Job.Status.SUCCEEDED:
        last = job.error.strip().splitlines()[-1] if job.error.strip() else ""
        raise CommandError(f"job {job.pk} {job.status}: {last}")
    return job
