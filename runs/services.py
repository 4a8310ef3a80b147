"""Writes to the RunRegistry."""

from __future__ import annotations

from runs.models import Run


def run_set_pinned(*, run: Run, pinned: bool) -> Run:
    """Pin a run (exempt from retention) or release it to retention again."""
    Run.objects.filter(pk=run.pk).update(pinned=pinned)
    run.pinned = pinned
    return run
