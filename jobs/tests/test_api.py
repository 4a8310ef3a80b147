"""The /jobs API: list with filters, detail with plan version and runs, retry, cancel."""

from __future__ import annotations

import pytest

from core.api.testing import api_user, token_client
from jobs.models import Job
from jobs.tests.factories import JobFactory
from plans.tests.factories import PlanVersionFactory
from runs.tests.factories import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    return token_client(api_user("reader"))


@pytest.fixture
def operator():
    return token_client(api_user("operator", "jobs.add_job", "jobs.change_job"))


@pytest.fixture
def no_enqueue(monkeypatch):
    """Retries are queued for a worker; these tests only look at the rows."""
    monkeypatch.setattr("jobs.services.job_enqueue", lambda *, job: None)


def test_job_list_filters_by_type_status_and_plan_version(reader):
    pv = PlanVersionFactory.create()
    planning = JobFactory.create(type="planning", subject=pv)
    JobFactory.create(type="backup", status=Job.Status.SUCCEEDED)
    JobFactory.create(type="planning", status=Job.Status.FAILED)
    body = reader.get("/jobs", {"plan_version_id": pv.pk}).json()
    assert [j["id"] for j in body["results"]] == [planning.pk]
    assert body["results"][0]["plan_version_id"] == pv.pk
    assert reader.get("/jobs", {"type": "planning"}).json()["count"] == 2
    assert reader.get("/jobs", {"type": "planning", "status": "failed"}).json()["count"] == 1
    for bad in ({"type": "party"}, {"status": "done"}, {"created_after": "never"}):
        response = reader.get("/jobs", bad)
        assert response.status_code == 400 and set(bad) <= set(response.json())


def test_job_list_query_count_does_not_grow_with_page_size(reader, django_assert_max_num_queries):
    for _ in range(30):
        JobFactory.create()
    with django_assert_max_num_queries(3):
        assert len(reader.get("/jobs?page_size=30").json()["results"]) == 30


def test_job_detail_links_to_its_plan_version_and_runs(reader):
    pv = PlanVersionFactory.create()
    job = JobFactory.create(type="planning", subject=pv)
    run = record(pv, job=job)
    body = reader.get(f"/jobs/{job.pk}").json()
    assert body["plan_version_id"] == pv.pk
    assert body["run_ids"] == [str(run.run_id)]
    assert body["links"]["plan_version"].endswith(f"/plans/{pv.pk}")
    assert body["links"]["runs"].endswith(f"/runs?job_id={job.pk}")
    assert reader.get(f"/runs?job_id={job.pk}").json()["count"] == 1
    assert reader.get("/jobs/99999").status_code == 404
    assert reader.get(f"/jobs/{2**64}").status_code == 404


def test_retry_a_failed_job_makes_a_new_linked_attempt(operator, no_enqueue):
    failed = JobFactory.create(status=Job.Status.FAILED, params={"x": 1})
    response = operator.post(f"/jobs/{failed.pk}/retry")
    assert response.status_code == 201
    body = response.json()
    assert body["retry_of_id"] == failed.pk and body["status"] == "queued"
    refused = operator.post(f"/jobs/{body['id']}/retry")
    assert refused.status_code == 400 and "status" in refused.json()


def test_cancel_a_queued_job_and_refuse_a_finished_one(operator):
    queued = JobFactory.create()
    response = operator.post(f"/jobs/{queued.pk}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "canceled"
    refused = operator.post(f"/jobs/{queued.pk}/cancel")
    assert refused.status_code == 400 and "status" in refused.json()


def test_retry_and_cancel_need_permissions(reader):
    job = JobFactory.create(status=Job.Status.FAILED)
    assert reader.post(f"/jobs/{job.pk}/retry").status_code == 403
    assert reader.post(f"/jobs/{job.pk}/cancel").status_code == 403
    assert token_client(None).get("/jobs").status_code == 401
