"""The /plans API as an integration uses it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from jobs.models import Job
from plans.models import PlanVersion
from plans.services import plan_create
from plans.tests.conftest import run_planning_job
from scenarios.services import scenario_lock

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(planner) -> APIClient:
    client = APIClient()
    client.force_authenticate(planner)
    return client


def test_post_plans_creates_a_version_and_answers_its_id_and_job(api, network, base_scenario):
    response = api.post(
        "/plans",
        {
            "name": "Q1",
            "base_scenario_id": base_scenario.pk,
            "config_version_id": network.pk,
            "parameters": {"anchor_policy": "blend", "recon_window_days": 21},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    version = PlanVersion.objects.get(pk=body["plan_version_id"])
    assert body["job_id"] == version.jobs.get().pk
    assert response["Location"].endswith(f"/plans/{version.pk}")
    assert body["job_url"].endswith(f"/jobs/{body['job_id']}")
    assert version.parameters["anchor_policy"] == "blend"
    assert version.parameters["recon_window_days"] == 21


def test_post_plans_on_a_locked_scenario_is_a_400_naming_the_field(api, network, base_scenario):
    scenario_lock(scenario=base_scenario, user=None, reason="month-end close")
    response = api.post(
        "/plans",
        {"name": "Q1", "base_scenario_id": base_scenario.pk, "config_version_id": network.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "locked" in response.json()["base_scenario"][0]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"base_scenario_id": 99999}, "base_scenario_id"),
        ({"config_version_id": "abc"}, "config_version_id"),
        ({"parameters": {"rounding": "sometimes"}}, "parameters"),
        ({"parameters": {"cutover_date": "not-a-date"}}, "parameters"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, network, base_scenario, payload, field):
    body = {
        "name": "Q1",
        "base_scenario_id": base_scenario.pk,
        "config_version_id": network.pk,
        **payload,
    }
    response = api.post("/plans", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_out_of_range_numbers_are_refused_at_import_and_at_plan_time(api, network, base_scenario):
    """A lead time of 1e30 days overflowed planning (a 500); now it never gets that far."""
    from scenarios.models import ConfigVersion
    from scenarios.services import config_import

    document = dict(network.document)
    document["items"] = [dict(item, lead_time_days=1e30) for item in document["items"]]
    with pytest.raises(ValidationError) as refused:
        config_import(document=document)
    assert any("items[0].lead_time_days" in m for m in refused.value.message_dict["document"])

    # One stored before the bound existed is refused when a plan is made from it.
    stored = ConfigVersion.objects.create(
        name="old",
        schema_version="canonical-1.0",
        document=document,
        content_hash="x" * 64,
        horizon_days=network.horizon_days,
    )
    response = api.post(
        "/plans",
        {"name": "Q1", "base_scenario_id": base_scenario.pk, "config_version_id": stored.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "lead_time_days: must be at most 3660" in " ".join(response.json()["config_version"])


def test_creating_a_plan_needs_the_add_plan_permission(network, base_scenario):
    client = APIClient()
    client.force_authenticate(User.objects.create_user("viewer"))
    body = {"name": "Q1", "base_scenario_id": base_scenario.pk, "config_version_id": network.pk}
    assert client.post("/plans", body, format="json").status_code == 403
    assert client.get("/plans").status_code == 200
    assert APIClient().get("/plans").status_code == 401


def test_plan_detail_lists_its_runs_and_artifacts(api, network, base_scenario):
    version = plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    job = run_planning_job(version)
    body = api.get(f"/plans/{version.pk}").json()

    assert body["plan_version_id"] == version.pk
    assert body["state"] == "executed"
    assert body["base_scenario_id"] == base_scenario.pk
    assert body["config_version_id"] == network.pk
    assert [run["run_id"] for run in body["runs"]] == [job.result["run_id"]]
    assert body["runs_url"].endswith(f"/runs?plan_version_id={version.pk}")
    names = {a["name"] for a in body["artifacts"]}
    assert {"aggregate", "sku_week", "mrp", "reconcile", "plan_final"} <= names
    assert body["latest_run_id"] == job.result["run_id"]


def test_artifact_downloads_as_json_and_csv(api, network, base_scenario):
    version = plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    run_planning_job(version)
    table = api.get(f"/plans/{version.pk}/artifacts/sku_week").json()
    assert table["columns"][:3] == ["sku", "family", "week"]
    assert len(table["rows"]) > 0
    csv = api.get(f"/plans/{version.pk}/artifacts/sku_week?format=csv")
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().splitlines()[0].startswith("sku,family,week")
    missing = api.get(f"/plans/{version.pk}/artifacts/nope?format=csv")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("application/json")


def test_plan_list_filters_and_costs_constant_queries(
    api, network, base_scenario, django_assert_max_num_queries
):
    for n in range(6):
        plan_create(
            name=f"plan {n}",
            base_scenario=base_scenario,
            config_version=network,
            parameters={"recon_window_days": 7 + n},
        )
    with django_assert_max_num_queries(6):
        body = api.get("/plans", {"base_scenario_id": base_scenario.pk}).json()
    assert body["count"] == 6
    assert api.get("/plans", {"state": "executed"}).json()["count"] == 0


def test_execute_again_through_the_api(api, network, base_scenario):
    version = plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    run_planning_job(version)
    response = api.post(
        f"/plans/{version.pk}/execute", {"parameters": {"anchor_policy": "AGG_far"}}, format="json"
    )
    assert response.status_code == 201, response.content
    new = PlanVersion.objects.get(pk=response.json()["plan_version_id"])
    assert new.parent == version and new.number == 2
    assert new.parameters["anchor_policy"] == "AGG_far"


def test_post_jobs_aggregate_takes_a_plan_version(api, network, base_scenario):
    version = plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    run_planning_job(version)
    response = api.post(
        "/jobs/aggregate",
        {
            "plan_version_id": version.pk,
            "bucket": "week",
            "group_by": ["item"],
            "fields": ["demand"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    job = Job.objects.get(pk=response.json()["job_id"])
    assert job.type == "aggregate" and job.subject == version
    bad = api.post(
        "/jobs/aggregate", {"plan_version_id": version.pk, "fields": ["nope"]}, format="json"
    )
    assert bad.status_code == 400 and "fields" in bad.json()
