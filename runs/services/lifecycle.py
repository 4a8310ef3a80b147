"""Pinning and deleting runs."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from runs.models import Run
from runs.registry import get_registry


def run_set_pinned(*, run: Run, pinned: bool) -> Run:
    """Pin a run (retention never deletes it) or release it to retention again.

    Idempotent: pinning a pinned run changes nothing. Raises
    ``Run.DoesNotExist`` if the run is gone (e.g. pruned meanwhile).
    """
    return get_registry().set_pinned(run, pinned)


def run_pin(*, run: Run) -> Run:
    return run_set_pinned(run=run, pinned=True)


def run_unpin(*, run: Run) -> Run:
    return run_set_pinned(run=run, pinned=False)


def run_delete(*, run: Run) -> None:
    """Delete a run and its stored result.

    A pinned run is refused: pinning says "keep this", so it must be unpinned
    on purpose first.
    """
    if run.pinned:
        raise ValidationError(
            {
                "pinned": _("Run %(run_id)s is pinned; unpin it before deleting it.")
                % {"run_id": run.run_id}
            },
            code="pinned",
        )
    get_registry().delete(run)
