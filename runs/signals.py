"""The run-retention signal (the one signal the design keeps).

``run_recorded`` is sent by :func:`runs.services.run_record` inside the
transaction that stored the run; the retention receiver
(:func:`runs.services.retention.prune_after_record`) then applies
``RUNS_DB_MAX_ROWS`` in the same transaction, so a run is never recorded
without the cap being enforced. Other apps may listen (e.g. to archive runs
before they are pruned, or to record a run's exceptions) without the registry
knowing about them.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``run`` (the recorded Run), ``registry`` (the backend that stored it) and
# ``result`` (the engine's result it was recorded from: the exceptions app computes a
# run's exceptions from its arrays in the same transaction).
run_recorded = Signal()
