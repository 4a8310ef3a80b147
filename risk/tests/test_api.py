"""The replication-set API: 202 with the set and its job, refusals naming the field."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from rest_framework.test import APIClient

from jobs import runner
from jobs.models import Job
from risk.models import ReplicationSet
from risk.tests.conftest import make_plan_version


@pytest.fixture
def api(risk_planner) -> APIClient:
    client = APIClient()
    client.force_authenticate(risk_planner)
    return client


def test_post_answers_202_with_the_set_and_its_job(api, planned_version) -> None:
    url = f"/plans/{planned_version.pk}/replications"
    response = api.post(url, {"n": 4, "seed": 1}, format="json")
    assert response.status_code == 202, response.json()
    body = response.json()
    replication_set = ReplicationSet.objects.get(pk=body["id"])
    assert body["job_id"] == replication_set.job_id
    assert body["seed"] == 1
    assert response["Location"].endswith(f"{url}/{body['id']}")
    job = Job.objects.get(pk=body["job_id"])
    assert job.type == "replications" and job.status == Job.Status.QUEUED

    detail = api.get(f"{url}/{body['id']}").json()
    assert (detail["n"], detail["n_done"], detail["seed"], detail["status"]) == (4, 0, 1, "queued")
    assert detail["kpis"] == {}


@override_settings(SCPLN_REPLICATION_CHUNK=2)
def test_get_reports_every_kpi_with_its_interval_and_quantiles(api, planned_version) -> None:
    body = api.post(f"/plans/{planned_version.pk}/replications", {"n": 5, "seed": 9}).json()
    runner.run(body["job_id"])
    detail = api.get(f"/plans/{planned_version.pk}/replications/{body['id']}").json()
    assert (detail["n_done"], detail["status"]) == (5, "succeeded")
    names = {"fill_rate", "cycle_service_level", "avg_on_hand", "profit_total"}
    assert set(detail["kpis"]) == names
    for name, kpi in detail["kpis"].items():
        assert set(kpi) >= {"mean", "sd", "ci_low", "ci_high", "quantiles"}, name
        assert kpi["ci_low"] <= kpi["mean"] <= kpi["ci_high"], name
        q = kpi["quantiles"]
        assert q["p05"] <= q["p50"] <= q["p95"], name
    listed = api.get(f"/plans/{planned_version.pk}/replications").json()
    assert [(row["id"], row["n_done"]) for row in listed] == [(body["id"], 5)]


@override_settings(SCPLN_REPLICATIONS_MAX=100)
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"n": 0}, "n"),
        ({"n": -1}, "n"),
        ({"n": 101}, "n"),
        ({"n": "many"}, "n"),
        ({}, "n"),
        ({"n": 5, "seed": -2}, "seed"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, planned_version, payload, field) -> None:
    response = api.post(f"/plans/{planned_version.pk}/replications", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ReplicationSet.objects.exists()


def test_a_version_without_a_run_is_a_400_naming_the_plan_version(api, db) -> None:
    version = make_plan_version(simulate=False)
    response = api.post(f"/plans/{version.pk}/replications", {"n": 5}, format="json")
    assert response.status_code == 400
    assert "has no run yet" in response.json()["plan_version"][0]


def test_unknown_versions_and_sets_are_404(api, planned_version) -> None:
    assert api.post("/plans/nope/replications", {"n": 5}).status_code == 404
    assert api.get(f"/plans/{planned_version.pk}/replications/999").status_code == 404
    other = make_plan_version()
    body = api.post(f"/plans/{other.pk}/replications", {"n": 2}).json()
    # A set is found under its own plan version only.
    assert api.get(f"/plans/{planned_version.pk}/replications/{body['id']}").status_code == 404


def test_writes_need_the_permission(planned_version) -> None:
    client = APIClient()
    client.force_authenticate(User.objects.create_user("reader"))
    url = f"/plans/{planned_version.pk}/replications"
    assert client.get(url).status_code == 200
    assert client.post(url, {"n": 2}).status_code == 403
    assert APIClient().get(url).status_code == 401


def test_cancel_stops_the_set(api, planned_version) -> None:
    body = api.post(f"/plans/{planned_version.pk}/replications", {"n": 3}).json()
    url = f"/plans/{planned_version.pk}/replications/{body['id']}/cancel"
    response = api.post(url)
    assert response.status_code == 200 and response.json()["status"] == "canceled"
    again = api.post(url)
    assert again.status_code == 400 and "status" in again.json()
