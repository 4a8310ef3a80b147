"""Job handlers for fault tests, installed into workers by tests/worker_main.py.

``slow_planning`` stands in front of the real planning handler: it spends
``SCPLN_TEST_SLOW_S`` seconds (default 4) reporting progress, so a test can
kill the worker while the job is surely running, and then calls the planning
handler that jobs.runner.HANDLERS had (the real plan generation).
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.utils.module_loading import import_string

from jobs.models import Job
from jobs.runner import JobContext

# Job type → the handler path a test replaced (filled in by tests/worker_main.py).
ORIGINAL_HANDLERS: dict[str, str] = {}


def slow_prelude(ctx: JobContext, seconds: float) -> None:
    steps = max(1, int(seconds / 0.25))
    for step in range(steps):
        ctx.progress(50 * step / steps, f"slow step {step + 1}/{steps}", force=True)
        time.sleep(seconds / steps)


def slow_planning(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    slow_prelude(ctx, float(os.environ.get("SCPLN_TEST_SLOW_S", "4")))
    return import_string(ORIGINAL_HANDLERS[job.type])(job=job, ctx=ctx)


def fails_unless_retried(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """Fails with a ValueError; a user's retry of it (``retry_of`` set) succeeds."""
    ctx.progress(10, "about to decide", force=True)
    if job.retry_of_id is None:
        raise ValueError("planned failure")
    return {"ok": True, "retry_of": job.retry_of_id}


def until_canceled(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """Reports progress forever; only a cancel (or a kill) ends it."""
    step = 0
    while True:
        step += 1
        ctx.progress(min(99, step), f"step {step}", force=True)
        time.sleep(0.2)


def planning_then_linger(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """The real planning handler, then a few slow seconds before the job can finish.

    A kill in those seconds leaves a job that is still ``running`` although its
    run is already recorded: the next attempt must not record a second one.
    """
    result = import_string(ORIGINAL_HANDLERS[job.type])(job=job, ctx=ctx)
    slow_prelude(ctx, float(os.environ.get("SCPLN_TEST_SLOW_S", "4")))
    return result
