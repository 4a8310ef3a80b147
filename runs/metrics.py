"""The RunRegistry's Prometheus metrics (see core/metrics.py for how they are scraped)."""

from __future__ import annotations

from prometheus_client import Counter

# Every series exists (at 0) from the start: alerts and rate() need the zero.
RUN_SOURCES = ("plan", "other")

runs_total = Counter(
    "runs_total",
    "Simulation runs recorded in the RunRegistry, by how they came (plan or other).",
    ["source"],
)
runs_pruned_total = Counter("runs_pruned_total", "Runs deleted by retention (RUNS_DB_MAX_ROWS).")
runs_archived_total = Counter(
    "runs_archived_total", "Runs exported to the archive folder (SCPLN_ARCHIVE_DIR)."
)

for _source in RUN_SOURCES:
    runs_total.labels(source=_source)
