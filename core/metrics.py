"""scpln's own Prometheus metrics, observed by web and worker processes alike.

Label sets are deliberately small and fixed (a job type, a run source, an
outcome) so that the series count never grows with data.

Counters and histograms are written by whichever process observes them
(multiprocess mode, config/multiproc.py) and merged at scrape time. What the
database already knows — jobs waiting, jobs running, the last verified
backup — is read from it at scrape time instead (:class:`StateCollector`):
it is the same answer from every process, survives restarts, and cannot
drift from the Job rows the UI shows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

# Seconds to tens of minutes: plan generation on the reference data takes well
# under a second, a large generated network several minutes.
JOB_DURATION_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600)

runs_total = Counter(
    "runs_total",
    "Simulation runs recorded in the RunRegistry, by how they came (plan or other).",
    ["source"],
)
runs_pruned_total = Counter("runs_pruned_total", "Runs deleted by retention (RUNS_DB_MAX_ROWS).")
runs_archived_total = Counter(
    "runs_archived_total", "Runs exported to the archive folder (SCPLN_ARCHIVE_DIR)."
)
plans_created_total = Counter("plans_created_total", "Plans created (first versions).")
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


# The label values, spelled out so every series exists (at 0) from the start:
# in multiprocess mode a series nobody has touched is not exposed at all, and
# alerts and rate() need the zero. Tests keep these equal to the models'.
JOB_TYPES = ("planning", "simulation", "aggregate", "backup", "export", "retention")
JOB_OUTCOMES = ("succeeded", "failed", "canceled")
REQUEUE_REASONS = ("worker_lost", "transient", "message_lost")
RUN_SOURCES = ("plan", "other")


def _initialise_series() -> None:
    for source in RUN_SOURCES:
        runs_total.labels(source=source)
    for job_type in JOB_TYPES:
        jobs_duration_seconds.labels(type=job_type)
        for outcome in JOB_OUTCOMES:
            jobs_finished_total.labels(type=job_type, status=outcome)
        for reason in REQUEUE_REASONS:
            jobs_requeued_total.labels(type=job_type, reason=reason)


_initialise_series()


def observe_job(job_type: str, status: str, seconds: float) -> None:
    """Record one job reaching a terminal state."""
    jobs_duration_seconds.labels(type=job_type).observe(max(0.0, seconds))
    jobs_finished_total.labels(type=job_type, status=status).inc()


class StateCollector(Collector):
    """Gauges read from the database at scrape time (one query each)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from jobs import state
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
        for job_type in Job.Type.values:
            queued.add_metric([job_type], counts.get((job_type, Job.Status.QUEUED), 0))
            running.add_metric([job_type], counts.get((job_type, Job.Status.RUNNING), 0))
        yield queued
        yield running
        if last_backup is not None:
            yield GaugeMetricFamily(
                "backup_last_success_timestamp_seconds",
                "Unix time of the last verified backup (a succeeded backup job).",
                value=last_backup.timestamp(),
            )


def registry() -> CollectorRegistry:
    """Everything ``/metrics`` shows: all processes' samples plus the database state.

    django-prometheus's request and database metrics are ordinary metrics in
    the same multiprocess files, so they are merged along with scpln's.
    """
    reg = CollectorRegistry(auto_describe=True)
    multiprocess.MultiProcessCollector(reg)
    reg.register(StateCollector())
    return reg


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition of every scpln process (web, workers, beat)."""
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
