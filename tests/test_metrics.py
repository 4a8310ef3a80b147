"""/metrics: samples of every process (multiprocess mode) plus job state from the database."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from prometheus_client import values

from config import multiproc
from core import metrics
from jobs import metrics as jobs_metrics
from jobs import registry
from jobs.models import Job
from jobs.tests.factories import JobFactory
from runs import metrics as runs_metrics
from runs.models import Run

ROOT = Path(__file__).resolve().parents[2]


def _sample(name: str, labels: dict[str, str] | None = None) -> float | None:
    return metrics.registry().get_sample_value(name, labels or {})


def test_this_process_writes_its_metrics_to_the_shared_folder():
    assert getattr(values.ValueClass, "_scpln_multiproc", False)
    directory = Path(os.environ[multiproc.ENV_NAME])
    assert any(directory.glob(f"counter_{multiproc.process_identifier()}.db"))


def test_a_sample_observed_by_another_process_is_scraped_here():
    before = _sample("plans_created_total") or 0.0
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import config; from plans import metrics; metrics.plans_created_total.inc(3)",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
        timeout=60,
    )
    assert _sample("plans_created_total") == before + 3


def test_label_values_match_the_models():
    assert set(jobs_metrics.JOB_OUTCOMES) == set(Job.TERMINAL)
    assert set(runs_metrics.RUN_SOURCES) == set(Run.Source.values)


def test_every_registered_job_type_has_its_series_from_the_start():
    for kind in registry.job_types():
        assert _sample("jobs_duration_seconds_count", {"type": kind.name}) is not None, kind.name


def test_known_series_are_exposed_at_zero_before_anything_happened():
    assert _sample("runs_total", {"source": "other"}) is not None
    assert _sample("jobs_duration_seconds_count", {"type": "planning"}) is not None


@pytest.mark.django_db
def test_queue_depth_and_running_jobs_come_from_the_job_table():
    JobFactory.create_batch(3, type="planning")
    JobFactory.create(type="planning", status=Job.Status.RUNNING)
    JobFactory.create(type="backup", status=Job.Status.SUCCEEDED)
    assert _sample("jobs_queued", {"type": "planning"}) == 3
    assert _sample("jobs_running", {"type": "planning"}) == 1
    assert _sample("jobs_queued", {"type": "backup"}) == 0


@pytest.mark.django_db
def test_last_backup_time_is_the_newest_succeeded_backup_job():
    assert _sample("backup_last_success_timestamp_seconds") is None
    finished = timezone.now() - timedelta(hours=3)
    JobFactory.create(type="backup", status=Job.Status.SUCCEEDED, finished_at=finished)
    JobFactory.create(type="backup", status=Job.Status.FAILED, finished_at=timezone.now())
    assert _sample("backup_last_success_timestamp_seconds") == pytest.approx(finished.timestamp())


@pytest.mark.django_db
def test_metrics_view_keeps_django_prometheus_request_metrics(client):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "django_http_requests_total_by_method_total" in text
    assert 'jobs_queued{type="planning"}' in text


def test_clearing_one_hosts_files_leaves_other_hosts_alone(tmp_path):
    for name in ("counter_web-1.db", "counter_web-2-7.db", "counter_web-7.db", "gauge_all_db-9.db"):
        (tmp_path / name).write_bytes(b"")
    # Files are <type>_<host>-<pid>.db: "web-2-7" is host web-2, not host web.
    assert multiproc.clear(tmp_path, host="web") == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counter_web-2-7.db", "gauge_all_db-9.db"]
    assert multiproc.clear(tmp_path) == 2
