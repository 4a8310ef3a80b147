"""Retention: ``RUNS_DB_MAX_ROWS`` keeps the newest N unpinned runs.

Enforced by :func:`prune_after_record`, the receiver of the run-retention
signal (:data:`runs.signals.run_recorded`), in the transaction that recorded
the run: recording run N+1 deletes the oldest unpinned run(s) and their
results in a constant number of statements (see the backend's ``prune``).
Pinned runs are never pruned and do not count against N. Unset or 0 keeps
everything (the memory backend still keeps at most its own bound).

When archiving is on (``SCPLN_ARCHIVE_DIR``, see :mod:`runs.archive`), only
runs already archived are deleted: :func:`runs.archive.run_ids_prunable`
narrows the picked runs, and the retention job archives the rest and prunes
again, so nothing is deleted that was not exported first.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver

from runs import metrics
from runs.archive import run_ids_prunable
from runs.registry import RunRegistry, get_registry
from runs.signals import run_recorded

# Per recording, at most this many runs go: one recording normally removes
# one run; after N is lowered, the backlog drains over the next recordings
# (or at once with run_prune(), which loops).
PRUNE_BATCH = 500


def run_prune(*, keep: int | None = None, registry: RunRegistry | None = None) -> int:
    """Delete every unpinned run beyond the newest ``keep`` (default ``RUNS_DB_MAX_ROWS``).

    Returns how many were deleted; counted in ``runs_pruned_total``.
    """
    registry = registry or get_registry()
    keep = settings.RUNS_DB_MAX_ROWS if keep is None else keep
    total = 0
    while True:
        pruned = _prune_batch(registry, keep)
        total += pruned
        if pruned == 0 or pruned < PRUNE_BATCH:
            return total


def _prune_batch(registry: RunRegistry, keep: int) -> int:
    pruned = registry.prune(keep=keep, batch=PRUNE_BATCH, allow=run_ids_prunable)
    if pruned:
        # Counted once the deletion is durable, not if it rolls back.
        transaction.on_commit(lambda: metrics.runs_pruned_total.inc(pruned))
    return pruned


@receiver(run_recorded, dispatch_uid="runs.retention.prune_after_record")
def prune_after_record(sender: Any, *, registry: RunRegistry, **kwargs: Any) -> None:
    _prune_batch(registry, settings.RUNS_DB_MAX_ROWS)
