"""A new job type comes from its own app: nothing in ``jobs/`` names it.

``tests.jobapp`` (installed by tests/settings.py only) registers its job types
and a job subject in its own ``handlers.py``, found by autodiscovery; the
runner, the API, the job pages, the filters and the metrics then serve them
like the product's own types.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core import metrics
from core.api.testing import api_user, token_client
from jobs import registry, runner, services
from jobs.models import Job
from jobs.tests.helpers import run_claimed
from tests.jobapp.models import Widget

pytestmark = pytest.mark.django_db

JOBS_DIR = Path(__file__).resolve().parents[1] / "jobs"


def test_jobs_code_does_not_name_the_test_apps_types():
    sources = [path for path in JOBS_DIR.rglob("*.py") if "tests" not in path.parts]
    text = "\n".join(path.read_text() for path in sources)
    assert "test_touch" not in text and "jobapp" not in text and "Widget" not in text


def test_a_test_app_job_type_is_discovered_with_its_label_and_subject():
    kind = registry.get_job_type("test_touch")
    assert kind.label == "Touch a widget" and kind.subject is Widget
    assert ("test_touch", "Touch a widget") in registry.job_type_choices()


def test_its_job_runs_and_its_output_commits_with_the_jobs_success(
    django_capture_on_commit_callbacks,
):
    widget = Widget.objects.create(name="w")
    with django_capture_on_commit_callbacks():
        job = services.job_create(job_type="test_touch", subject=widget)
    done = run_claimed(job.pk)
    widget.refresh_from_db()
    assert done.status == Job.Status.SUCCEEDED and done.result == {"touched": str(widget.pk)}
    assert widget.touches == 1
    assert done.subject == widget and done.get_type_display() == "Touch a widget"
    assert list(Job.objects.about(widget)) == [done]


def test_an_unregistered_type_is_refused_when_the_job_is_created():
    with pytest.raises(LookupError, match="unknown job type 'nope'"):
        services.job_create(job_type="nope")


def test_the_api_names_the_subject_by_its_declared_kind_and_filters_by_it():
    widget = Widget.objects.create(name="w")
    job = services.job_create(job_type="test_touch", subject=widget)
    services.job_create(job_type="test_touch", subject=Widget.objects.create(name="other"))
    client = token_client(api_user("reader"))

    listed = client.get("/jobs", {"widget_id": widget.pk}).json()
    assert [row["id"] for row in listed["results"]] == [job.pk]
    row = listed["results"][0]
    assert row["widget_id"] == str(widget.pk) and row["plan_version_id"] is None
    assert row["subject"] == {"type": "widget", "id": str(widget.pk), "url": None}
    assert client.get("/jobs", {"type": "test_touch"}).json()["count"] == 2

    schema = client.get("/api/schema", HTTP_ACCEPT="application/json").json()
    job_fields = schema["components"]["schemas"]["JobList"]["properties"]
    assert "widget_id" in job_fields and "plan_version_id" in job_fields
    params = {p["name"] for p in schema["paths"]["/jobs"]["get"]["parameters"]}
    assert {"widget_id", "plan_version_id"} <= params


def test_the_job_pages_show_the_type_and_link_the_subject(admin_client):
    widget = Widget.objects.create(name="w")
    job = services.job_create(job_type="test_touch", subject=widget)
    runner.run(job.pk)
    listing = admin_client.get("/ui/jobs", {"type": "test_touch"}).content.decode()
    assert "Touch a widget" in listing and f'href="/widgets/{widget.pk}"' in listing
    detail = admin_client.get(f"/ui/jobs/{job.pk}").content.decode()
    assert "Widget" in detail and f'href="/widgets/{widget.pk}"' in detail


def test_its_metric_series_exist_before_its_first_job():
    sample = metrics.registry().get_sample_value(
        "jobs_finished_total", {"type": "test_touch", "status": "failed"}
    )
    assert sample is not None
