"""Operators can open, filter and follow links between every model in the admin."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.auth.models import User
from django.urls import reverse

from jobs.tests.factories import JobFactory
from plans.models import PlanArtifact
from runs.models import Run
from runs.tests.factories import RunFactory
from scenarios.services import scenario_lock
from scenarios.tests.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(db):
    run = RunFactory.create()
    run.job = JobFactory.create(subject=run.plan_version)
    run.save()
    assert run.plan_version is not None
    PlanArtifact.objects.create(
        plan_version=run.plan_version,
        kind="aggregate",
        name="aggregate",
        data=b"PAR1",
        row_count=3,
        columns=["family"],
    )
    return run


def _objects(run: Run):
    pv = run.plan_version
    assert pv is not None
    return [run, pv, pv.plan, pv.base_scenario, pv.config_version, run.job, pv.artifacts.get()]


def test_staff_opens_every_changelist_and_change_page(admin_client, run):
    for obj in _objects(run):
        opts = obj._meta
        changelist = admin_client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        )
        assert changelist.status_code == 200, opts.model_name
        change = admin_client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )
        assert change.status_code == 200, opts.model_name


def test_run_page_links_to_plan_version_plan_scenario_config_and_job(admin_client, run):
    page = admin_client.get(reverse("admin:runs_run_change", args=[run.pk])).content.decode()
    pv = run.plan_version
    assert reverse("admin:plans_planversion_change", args=[pv.pk]) in page
    assert reverse("admin:plans_plan_change", args=[pv.plan.pk]) in page
    assert reverse("admin:scenarios_scenario_change", args=[run.scenario.pk]) in page
    assert reverse("admin:scenarios_configversion_change", args=[run.config_version.pk]) in page
    assert reverse("admin:jobs_job_change", args=[run.job.pk]) in page


def test_plan_version_page_links_back_to_its_runs(admin_client, run):
    pv = run.plan_version
    page = admin_client.get(
        reverse("admin:plans_planversion_change", args=[pv.pk])
    ).content.decode()
    runs_url = (
        reverse("admin:runs_run_changelist") + f"?plan_version__plan_version_id__exact={pv.pk}"
    )
    assert runs_url in page
    listing = admin_client.get(runs_url).content.decode()
    assert str(run.run_id) in listing


def test_run_changelist_filters_by_archived_and_searches_by_plan_version(admin_client, run):
    other = RunFactory.create(archived=True)
    url = reverse("admin:runs_run_changelist")
    archived = admin_client.get(url, {"archived__exact": "1"}).content.decode()
    assert str(other.run_id) in archived and str(run.run_id) not in archived
    found = admin_client.get(url, {"q": run.plan_version_id}).content.decode()
    assert str(run.run_id) in found and str(other.run_id) not in found


def test_audit_fields_are_read_only(admin_client, run):
    page = admin_client.get(reverse("admin:runs_run_change", args=[run.pk])).content.decode()
    assert 'name="input_hash"' not in page
    assert 'name="started_at"' not in page


def test_lock_and_unlock_actions_go_through_the_service(admin_client, admin_user):
    scenario = ScenarioFactory.create()
    url = reverse("admin:scenarios_scenario_changelist")
    admin_client.post(url, {"action": "lock_selected", "_selected_action": [scenario.pk]})
    scenario.refresh_from_db()
    assert scenario.locked and scenario.locked_by == admin_user and scenario.locked_at is not None

    # A locked scenario is frozen in the admin too.
    change = admin_client.get(reverse("admin:scenarios_scenario_change", args=[scenario.pk]))
    assert 'name="demand_scale"' not in change.content.decode()

    admin_client.post(url, {"action": "unlock_selected", "_selected_action": [scenario.pk]})
    scenario.refresh_from_db()
    assert not scenario.locked and scenario.locked_by is None


def test_lock_action_warns_about_a_refused_scenario_and_goes_on_with_the_others(admin_client):
    already = scenario_lock(scenario=ScenarioFactory.create(), user=None)
    other = ScenarioFactory.create()
    response = admin_client.post(
        reverse("admin:scenarios_scenario_changelist"),
        {"action": "lock_selected", "_selected_action": [already.pk, other.pk]},
        follow=True,
    )
    shown = [(message.level, str(message)) for message in response.context["messages"]]
    assert [text for level, text in shown if level == messages.WARNING] == [
        f"locked: Scenario “{already.name}” is already locked."
    ]
    assert (messages.SUCCESS, "1 scenario(s) updated.") in shown
    other.refresh_from_db()
    assert other.locked


def test_pin_and_unpin_actions(admin_client, run):
    url = reverse("admin:runs_run_changelist")
    admin_client.post(url, {"action": "pin_selected", "_selected_action": [run.pk]})
    run.refresh_from_db()
    assert run.pinned
    admin_client.post(url, {"action": "unpin_selected", "_selected_action": [run.pk]})
    run.refresh_from_db()
    assert not run.pinned


def test_non_staff_user_cannot_enter_the_admin(client):
    user = User.objects.create_user("planner", password="pw-123-long")
    client.force_login(user)
    response = client.get(reverse("admin:runs_run_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def _scenario_post(scenario=None, **changes) -> dict:
    data = {
        "name": scenario.name if scenario else "From the admin",
        "description": "",
        "parent": "",
        "tags": "[]",
        "demand_scale": "1.0",
        "demand_scale_by_item": "{}",
        "capacity_scale": "1.0",
        "capacity_scale_by_node": "{}",
        "lead_time_shift_days": "0",
        "initial_inventory_scale": "1.0",
        "horizon_days": "",
    }
    data.update(changes)
    return data


def test_adding_a_scenario_in_the_admin_goes_through_the_service(admin_client, admin_user):
    from scenarios.models import Scenario

    url = reverse("admin:scenarios_scenario_add")
    response = admin_client.post(url, _scenario_post(name="  Padded name  "))
    assert response.status_code == 302, response.content.decode()[:2000]
    scenario = Scenario.objects.get()
    # The service strips the name and records who made it.
    assert scenario.name == "Padded name" and scenario.created_by == admin_user


def test_the_admin_shows_the_services_refusal_at_the_field_and_saves_nothing(admin_client):
    scenario = ScenarioFactory.create(name="Kept")
    url = reverse("admin:scenarios_scenario_change", args=[scenario.pk])
    response = admin_client.post(
        url, _scenario_post(scenario, demand_scale_by_item='{"SKU": -2}', demand_scale="2.0")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "demand_scale_by_item" in errors
    scenario.refresh_from_db()
    assert scenario.demand_scale == 1.0


def test_a_config_rename_in_the_admin_goes_through_the_service(admin_client):
    from scenarios.models import ConfigVersion
    from scenarios.tests.factories import ConfigVersionFactory

    config = ConfigVersionFactory.create()
    url = reverse("admin:scenarios_configversion_change", args=[config.pk])
    refused = admin_client.post(url, {"name": "   ", "description": "", "status": "active"})
    assert refused.status_code == 200 and "name" in refused.context["adminform"].form.errors
    saved = admin_client.post(url, {"name": " Renamed ", "description": "d", "status": "archived"})
    assert saved.status_code == 302
    config = ConfigVersion.objects.get(pk=config.pk)
    assert (config.name, config.status) == ("Renamed", "archived")


def test_the_admin_names_every_model_in_japanese(admin_client):
    # knox's token model has no name of its own (Django made "Auth tokens" from the class),
    # and django-axes ships no Japanese: the sidebar showed both in English
    admin_client.cookies["django_language"] = "ja"
    html = admin_client.get("/admin/").content.decode()
    assert "API トークン" in html and "ログイン試行" in html and "ログイン記録" in html
    for english in ("Auth tokens", "Access attempts", "Access failures", "Access logs"):
        assert english not in html
