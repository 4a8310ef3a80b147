"""Operators create and re-execute plans from the admin through the same services."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse

from jobs.models import Job
from plans.models import Plan, PlanVersion
from plans.services import plan_create
from plans.tests.conftest import run_planning_job
from scenarios.services import scenario_lock

pytestmark = pytest.mark.django_db


def _changelist(name: str) -> str:
    return reverse(f"admin:{name}_changelist")


def test_create_plan_action_asks_for_a_config_then_creates_plan_version_and_job(
    admin_client, network, base_scenario
):
    url = _changelist("scenarios_scenario")
    selected = {"action": "create_plan", ACTION_CHECKBOX_NAME: [base_scenario.pk]}

    page = admin_client.post(url, selected)
    assert page.status_code == 200
    assert "Config version" in page.content.decode()
    assert not Plan.objects.exists()

    done = admin_client.post(
        url, {**selected, "apply": "1", "config_version": network.pk}, follow=True
    )
    version = PlanVersion.objects.get()
    assert version.plan.name == "Base plan"
    assert version.base_scenario == base_scenario and version.config_version == network
    assert version.jobs.get().type == "planning"
    assert version.plan_version_id in done.content.decode()


def test_create_plan_action_refuses_a_locked_scenario_and_writes_nothing(
    admin_client, admin_user, network, base_scenario
):
    scenario_lock(scenario=base_scenario, user=admin_user, reason="quarter close")
    response = admin_client.post(
        _changelist("scenarios_scenario"),
        {
            "action": "create_plan",
            ACTION_CHECKBOX_NAME: [base_scenario.pk],
            "apply": "1",
            "config_version": network.pk,
        },
        follow=True,
    )
    assert "is locked" in response.content.decode()
    assert not Plan.objects.exists() and not Job.objects.exists()


def test_create_plan_action_needs_a_config_version(admin_client, base_scenario):
    response = admin_client.post(
        _changelist("scenarios_scenario"),
        {"action": "create_plan", ACTION_CHECKBOX_NAME: [base_scenario.pk], "apply": "1"},
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Plan.objects.exists()


def test_execute_again_action_adds_a_version_with_its_parent(admin_client, network, base_scenario):
    first = plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    run_planning_job(first)
    admin_client.post(
        _changelist("plans_planversion"),
        {"action": "execute_again", ACTION_CHECKBOX_NAME: [first.pk]},
        follow=True,
    )
    second = PlanVersion.objects.exclude(pk=first.pk).get()
    assert second.plan == first.plan and second.parent == first and second.number == 2
    assert second.jobs.get().type == "planning"


def test_execute_again_action_reports_a_request_already_in_progress(
    admin_client, network, base_scenario
):
    first = plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    response = admin_client.post(
        _changelist("plans_planversion"),
        {"action": "execute_again", ACTION_CHECKBOX_NAME: [first.pk]},
        follow=True,
    )
    assert PlanVersion.objects.count() == 1
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith(f"{first.plan_version_id}: An identical request is already queued")


def test_actions_are_offered_only_with_the_plan_permissions(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="pw-viewer-1", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_scenario", "view_planversion"])
    )
    client.force_login(user)
    assert "create_plan" not in client.get(_changelist("scenarios_scenario")).content.decode()
    assert "execute_again" not in client.get(_changelist("plans_planversion")).content.decode()
