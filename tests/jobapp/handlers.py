"""Job types of the test app, registered exactly as a product app registers its own."""

from __future__ import annotations

import time
from typing import Any

from django.db.models import F

from jobs.models import Job
from jobs.registry import job_type, subject_kind
from jobs.runner import JobContext
from tests.jobapp.models import Widget

subject_kind(Widget, key="widget", label="Widget")


@job_type("test_touch", label="Touch a widget", subject=Widget)
def touch(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """Counts one touch on its widget, in the same transaction as the job's success."""
    ctx.progress(50, "touching", force=True)
    with ctx.finishing() as result:
        Widget.objects.filter(pk=job.subject_id).update(touches=F("touches") + 1)
        result["touched"] = job.subject_id
    return result


@job_type("test_until_canceled", label="Until canceled")
def until_canceled(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """Reports progress forever; only a cancel (or a kill, or a time limit) ends it."""
    step = 0
    while True:
        step += 1
        ctx.progress(min(99, step), f"step {step}", force=True)
        time.sleep(0.2)


@job_type("test_fails_unless_retried", label="Fails unless retried")
def fails_unless_retried(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """Fails with a ValueError; a user's retry of it (``retry_of`` set) succeeds."""
    ctx.progress(10, "about to decide", force=True)
    if job.retry_of_id is None:
        raise ValueError("planned failure")
    return {"ok": True, "retry_of": job.retry_of_id}
