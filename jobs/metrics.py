"""The jobs' Prometheus metrics: durations and outcomes counted by the processes that
see them, queue depth and the last backup read from the Job table at scrape time.

Every registered job type's series exist from the start (at zero): in
multiprocess mode a series nobody has touched is not exposed at all, and
alerts and ``rate()`` need the zero. :func:`initialise_job_type` is called by
the registry as each type registers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

# Seconds to tens of minutes: plan generation on the reference data takes well
# under a second, a large generated network several minutes.
JOB_DURATION_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600)
JOB_OUTCOMES = ("succeeded", "failed", "canceled")
REQUEUE_REASONS = ("worker_lost", "transient", "message_lost")

jobs_duration_seconds = Histogram(
    "jobs_duration_seconds",
    "Wall time of finished jobs (the last attempt), by job type.",
    ["type"],
    buckets=JOB_DURATION_BUCKETS,
)
jobs_finished_total = Counter(
    "jobs_finished_total",
    "Jobs that reached a terminal state, by type and outcome (succeeded, failed, canceled).",
    ["type", "status"],
)
jobs_requeued_total = Counter(
    "jobs_requeued_total",
    "Attempts given another try, by type and reason (worker_lost, transient, message_lost).",
    ["type", "reason"],
)


def initialise_job_type(job_type: str) -> None:
    """Create every series of one job type at zero."""
    jobs_duration_seconds.labels(type=job_type)
    for outcome in JOB_OUTCOMES:
        jobs_finished_total.labels(type=job_type, status=outcome)
    for reason in REQUEUE_REASONS:
        jobs_requeued_total.labels(type=job_type, reason=reason)


def observe_job(job_type: str, status: str, seconds: float | None) -> None:
    """Record one job reaching a terminal state (``seconds`` None: it never ran)."""
    if seconds is not None:
        jobs_duration_seconds.labels(type=job_type).observe(max(0.0, seconds))
    jobs_finished_total.labels(type=job_type, status=status).inc()


class JobStateCollector(Collector):
    """Gauges read from the Job table at scrape time (one query each)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from jobs import registry, state
        from jobs.models import Job

        try:
            counts = state.job_active_counts()
            last_backup = state.backup_last_success_at()
        except Exception:  # a scrape must answer even when the database does not
            logger.warning("metrics: could not read job state", exc_info=True)
            return
        queued = GaugeMetricFamily(
            "jobs_queued",
            "Jobs waiting for a worker (queue depth, from the Job table).",
            labels=["type"],
        )
        running = GaugeMetricFamily(
            "jobs_running", "Jobs a worker is executing now.", labels=["type"]
        )
        for kind in registry.job_types():
            queued.add_metric([kind.name], counts.get((kind.name, Job.Status.QUEUED), 0))
            running.add_metric([kind.name], counts.get((kind.name, Job.Status.RUNNING), 0))
        yield queued
        yield running
        if last_backup is not None:
            yield GaugeMetricFamily(
                "backup_last_success_timestamp_seconds",
                "Unix time of the last verified backup (a succeeded backup job).",
                value=last_backup.timestamp(),
            )
