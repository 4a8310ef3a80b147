"""The run-retention signal (the one signal the design keeps).

``run_recorded`` is sent by :func:`runs.services.run_record` inside the
transaction that stored the run; the retention receiver
(:func:`runs.services.retention.prune_after_record`) then applies
``RUNS_DB_MAX_ROWS`` in the same transaction, so a run is never recorded
without the cap being enforced. Other apps may listen (e.g. to archive runs
before they are pruned) without the registry knowing about them.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``run`` (the recorded Run) and ``registry`` (the backend that stored it).
run_recorded = Signal()
