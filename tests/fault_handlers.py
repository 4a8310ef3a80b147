"""Job handlers for fault tests, installed into workers by tests/worker_main.py.

``slow_planning`` stands in front of the real planning handler: it spends
``SCPLN_TEST_SLOW_S`` seconds (default 4) reporting progress, so a test can
kill the worker while the job is surely running, and then calls the planning
handler the job registry had (the real plan generation).
"""

from __future__ import annotations

import os
import time
from typing import Any

from jobs.models import Job
from jobs.registry import Handler
from jobs.runner import JobContext

# Job type → the handler a test replaced (filled in by tests/worker_main.py).
ORIGINAL_HANDLERS: dict[str, Handler] = {}


def slow_prelude(ctx: JobContext, seconds: float) -> None:
    steps = max(1, int(seconds / 0.25))
    for step in range(steps):
        ctx.progress(50 * step / steps, f"slow step {step + 1}/{steps}", force=True)
        time.sleep(seconds / steps)


def slow_planning(*, job: Job, ctx: JobContext) -> dict[str, Any] | None:
    slow_prelude(ctx, float(os.environ.get("SCPLN_TEST_SLOW_S", "4")))
    return ORIGINAL_HANDLERS[job.type](job=job, ctx=ctx)
