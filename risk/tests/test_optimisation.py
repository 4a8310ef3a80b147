"""``POST /scenarios/{id}/optimise``: a job that writes a NEW scenario with the levels and a
report; the source scenario never changes."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from core.api.testing import api_user, token_client
from jobs import runner
from jobs.models import Job
from risk.models import LevelOptimisation
from scenarios.models import Scenario
from scenarios.services import scenario_create
from scpln.engine import canonical

pytestmark = pytest.mark.django_db


@pytest.fixture
def creator():
    return token_client(api_user("scenario-maker", "scenarios.add_scenario"))


def _snapshot(scenario: Scenario) -> dict:
    scenario.refresh_from_db()
    return {
        "name": scenario.name,
        "description": scenario.description,
        "updated_at": scenario.updated_at,
        **scenario.overrides(),
    }


def test_optimise_creates_a_new_scenario_and_a_report(planned_version, creator) -> None:
    source = planned_version.base_scenario
    before = _snapshot(source)
    response = creator.post(
        f"/scenarios/{source.pk}/optimise", {"n": 4, "seed": 3, "rounds": 2}, format="json"
    )
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["plan_version_id"] == planned_version.pk and body["seed"] == 3
    finished = runner.run(body["job_id"])
    assert finished is not None
    assert finished.status == Job.Status.SUCCEEDED, finished.error
    report = creator.get(f"/scenarios/{source.pk}/optimisations/{body['id']}")
    assert report.status_code == 200
    data = report.json()
    assert data["status"] == "succeeded" and data["result_scenario_id"]
    assert {"fill_rate", "avg_on_hand"} <= set(data["kpis_before"]) == set(data["kpis_after"])
    assert data["kpis_after"]["fill_rate"]["ci_low"] is not None
    assert {"holding_cost", "shortage_cost", "holding_shortage_cost"} <= set(data["kpis_after"])
    stores = [row for row in data["levels"] if row["kind"] == "store"]
    assert stores and all(row["level"] >= 0 for row in stores)
    created = Scenario.objects.get(pk=data["result_scenario_id"])
    assert created.parent_id == source.pk and "optimised levels" in created.name
    assert source.name in created.description
    for row in stores:
        level = created.inventory_levels[row["node"]][row["item"]]
        assert level["reorder_point"] == pytest.approx(row["level"])
        assert level["order_up_to"] == pytest.approx(row["order_up_to"])
        assert level["initial_inventory"] == pytest.approx(row["order_up_to"])
    # The generated stores order under (s, S): the order gap is kept above the reorder point.
    assert any(row["order_up_to"] > row["level"] for row in stores)
    # the levels apply to the plan's config
    config = planned_version.config_version.document
    assert (
        canonical.validate_overrides(
            canonical.ScenarioOverrides.from_dict(created.overrides()), config
        )
        == []
    )
    # never an in-place change
    assert _snapshot(source) == before


def test_optimise_refuses_bad_input_by_field_and_unknown_ids(planned_version, creator) -> None:
    source = planned_version.base_scenario
    for payload, field in (
        ({"n": 1}, "n"),
        ({"seed": -1}, "seed"),
        ({"service_level": 1.5}, "service_level"),
        ({"plan_version_id": "nope"}, "plan_version_id"),
    ):
        response = creator.post(f"/scenarios/{source.pk}/optimise", payload, format="json")
        assert response.status_code == 400, payload
        assert field in response.json(), response.json()
    other = scenario_create(name="elsewhere")
    response = creator.post(
        f"/scenarios/{other.pk}/optimise",
        {"plan_version_id": planned_version.pk},
        format="json",
    )
    assert response.status_code == 400 and "plan_version_id" in response.json()
    assert creator.post("/scenarios/999999/optimise", {}, format="json").status_code == 404
    assert creator.get(f"/scenarios/{source.pk}/optimisations/999999").status_code == 404
    reader = token_client(api_user("just-reader"))
    assert reader.post(f"/scenarios/{source.pk}/optimise", {}, format="json").status_code == 403
    assert not LevelOptimisation.objects.exists()


def test_optimise_levels_command_creates_the_scenario_the_same_way(planned_version) -> None:
    source = planned_version.base_scenario
    call_command("optimise_levels", planned_version.pk, "--n", "3", "--rounds", "1")
    optimisation = LevelOptimisation.objects.get()
    assert optimisation.result_scenario is not None
    assert optimisation.result_scenario.parent_id == source.pk
    assert optimisation.job is not None and optimisation.job.status == Job.Status.SUCCEEDED


def test_the_scenario_page_starts_an_optimisation_and_its_report_page_shows_it(
    planned_version,
) -> None:
    from django.contrib.auth.models import Permission, User
    from django.test import Client

    user = User.objects.create_user("opt-planner", password="pw-opt-1")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="scenarios", codename="add_scenario")
    )
    web = Client()
    web.force_login(user)
    source = planned_version.base_scenario
    page = web.get(source.get_absolute_url()).content.decode()
    assert 'data-testid="optimise-form"' in page and "No optimisations yet." in page
    refused = web.post(f"/ui/scenarios/{source.pk}/optimise", {"n": 1})
    assert refused.status_code == 400 and 'data-testid="error-n"' in refused.content.decode()
    response = web.post(f"/ui/scenarios/{source.pk}/optimise", {"n": 3, "seed": 5})
    optimisation = LevelOptimisation.objects.get()
    assert response.status_code == 302 and response["Location"] == optimisation.get_absolute_url()
    assert optimisation.job is not None
    runner.run(optimisation.job.pk)
    optimisation.refresh_from_db()
    report = web.get(optimisation.get_absolute_url()).content.decode()
    assert 'data-testid="optimisation-kpis"' in report and "Fill rate" in report
    assert "Holding + shortage cost" in report
    assert report.count("<tr>") > 3 and 'data-testid="result-scenario-link"' in report
    assert optimisation.result_scenario is not None
    created = web.get(optimisation.result_scenario.get_absolute_url()).content.decode()
    assert 'data-testid="inventory-levels"' in created
    assert web.get(f"/ui/scenarios/{source.pk}/optimisations/99999").status_code == 404
