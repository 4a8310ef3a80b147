"""scpln's own Prometheus metrics, observed by web and worker processes alike.

Label sets are deliberately small and fixed (a job type, a run source, an
outcome) so that the series count never grows with data.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# Seconds to tens of minutes: plan generation on the reference data takes well
# under a second, a large generated network several minutes.
JOB_DURATION_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600)

runs_total = Counter(
    "runs_total",
    "Simulation runs recorded in the RunRegistry, by how they came (plan or other).",
    ["source"],
)
runs_pruned_total = Counter("runs_pruned_total", "Runs deleted by retention (RUNS_DB_MAX_ROWS).")
plans_created_total = Counter("plans_created_total", "Plans created (first versions).")
jobs_duration_seconds = Histogram(
    "jobs_duration_seconds",
    "Wall time of finished jobs, by job type.",
    ["type"],
    buckets=JOB_DURATION_BUCKETS,
)
jobs_finished_total = Counter(
    "jobs_finished_total",
    "Jobs that reached a terminal state, by type and outcome.",
    ["type", "status"],
)
backup_last_success_timestamp_seconds = Gauge(
    "backup_last_success_timestamp_seconds",
    "Unix time of the last verified backup.",
    multiprocess_mode="max",
)
