"""Plan & Run from the web UI, as a planner walks it: create, follow the job, read the plan."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from config.celery import app as celery_app
from jobs.models import Job
from plans.models import PlanVersion
from plans.tests.conftest import base_scenario, network, planner  # noqa: F401 (fixtures)
from runs.models import Run
from scenarios.services import scenario_lock

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery():
    """Jobs run in the request's process when plan creation commits, as with a local worker."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def planner_client(client, planner):  # noqa: F811
    client.force_login(planner)
    return client


def _form(network, scenario, **overrides):  # noqa: F811
    return {
        "name": "Q1 plan",
        "description": "",
        "base_scenario": scenario.pk,
        "config_version": network.pk,
        "input_set": "",
        "horizon_days": "",
        "cutover_date": "",
        "recon_window_days": "21",
        "anchor_policy": "blend",
        "carryover": "",
        "carryover_split": "",
        "rounding": "int",
        "lead_time_unit": "",
        **overrides,
    }


def _field_errors(html: str, field: str) -> str:
    """The text of one field's block of the form (its label, widget and errors)."""
    match = re.search(
        rf'<div class="field has-error" data-testid="field-{field}">(.*?)</div>', html, re.S
    )
    assert match, f"no error shown at the field {field}"
    return match.group(1)


def test_planner_creates_a_plan_follows_its_job_and_reads_the_summary_with_links(
    planner_client,
    network,  # noqa: F811
    base_scenario,  # noqa: F811
    eager_celery,
    django_capture_on_commit_callbacks,
):
    page = planner_client.get(reverse("plans:list"), {"base_scenario": base_scenario.pk})
    assert page.status_code == 200
    assert page.context["form"]["base_scenario"].value() == str(base_scenario.pk)
    assert f'<option value="{base_scenario.pk}" selected>' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        created = planner_client.post(reverse("plans:list"), _form(network, base_scenario))

    version = PlanVersion.objects.get()
    assert created.status_code == 302
    assert created["Location"] == reverse("plans:detail", args=[version.pk])
    assert version.parameters["anchor_policy"] == "blend"
    assert version.parameters["recon_window_days"] == 21

    # The job the page pointed at finished, and links to its plan.
    job = version.jobs.get(type="planning")
    assert job.status == Job.Status.SUCCEEDED, job.error
    plan_url = reverse("plans:detail", args=[version.pk])
    job_list = planner_client.get(reverse("jobs:list")).content.decode()
    assert f'<a href="{plan_url}" data-testid="job-subject-link">' in job_list
    job_page = planner_client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert f'href="{plan_url}"' in job_page

    detail = planner_client.get(created["Location"])
    html = detail.content.decode()
    assert detail.status_code == 200
    summary = html[html.index('data-testid="plan-summary"') : html.index("</dl>")]
    scenario_url = reverse("scenarios:detail", args=[base_scenario.pk])
    config_url = reverse("scenarios:config-detail", args=[network.pk])
    assert f'href="{scenario_url}"' in summary
    assert f'<span data-testid="base-scenario-id">{base_scenario.pk}</span>' in summary
    assert f'href="{config_url}"' in summary
    assert f'<span data-testid="config-version-id">{network.pk}</span>' in summary
    assert "base_scenario_id" in summary and "config_version_id" in summary

    run = Run.objects.get(plan_version=version)
    assert f'href="{reverse("runs:detail", args=[run.run_id])}"' in html
    history = f"{reverse('runs:list')}?plan_version_id={version.pk}"
    assert f'href="{history}"' in html


def test_prefill_names_a_locked_scenario_and_an_unknown_one(
    planner_client,
    network,  # noqa: F811
    base_scenario,  # noqa: F811
):
    scenario_lock(scenario=base_scenario, user=None, reason="month-end close")
    locked = planner_client.get(reverse("plans:list"), {"base_scenario": base_scenario.pk})
    warning = locked.context["prefill_warning"]
    assert "locked" in warning and "month-end close" in warning
    assert 'data-testid="prefill-warning"' in locked.content.decode()

    unknown = planner_client.get(reverse("plans:list"), {"base_scenario": "9999"})
    assert unknown.status_code == 200
    assert "9999" in unknown.context["prefill_warning"]
    assert unknown.context["form"]["base_scenario"].value() is None


def test_form_errors_show_at_their_fields_and_nothing_is_created(
    planner_client,
    network,  # noqa: F811
    base_scenario,  # noqa: F811
):
    response = planner_client.post(
        reverse("plans:list"),
        _form(network, base_scenario, name="", recon_window_days="-3", rounding="sometimes"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "required" in _field_errors(html, "name")
    assert "greater than or equal to 0" in _field_errors(html, "recon_window_days")
    assert "sometimes" in _field_errors(html, "rounding")
    assert not PlanVersion.objects.exists()


def test_a_rule_of_the_create_service_shows_at_the_parameter_it_concerns(
    planner_client,
    network,  # noqa: F811
    base_scenario,  # noqa: F811
):
    too_long = network.horizon_days + 400
    response = planner_client.post(
        reverse("plans:list"), _form(network, base_scenario, horizon_days=str(too_long))
    )
    assert response.status_code == 200
    assert response.context["form"].errors["horizon_days"]
    assert str(too_long) in _field_errors(response.content.decode(), "horizon_days")
    assert not PlanVersion.objects.exists()


def test_a_locked_scenario_is_refused_at_the_base_scenario_field(
    planner_client,
    network,  # noqa: F811
    base_scenario,  # noqa: F811
):
    scenario_lock(scenario=base_scenario, user=None, reason="month-end close")
    response = planner_client.post(reverse("plans:list"), _form(network, base_scenario))
    assert response.status_code == 200
    errors = _field_errors(response.content.decode(), "base_scenario")
    assert "locked" in errors and "month-end close" in errors
    assert not PlanVersion.objects.exists()
    assert not Job.objects.exists()


def test_odd_ids_in_the_address_are_answered_not_crashed_on(planner_client):
    huge = "9" * 30
    prefill = planner_client.get(reverse("plans:list"), {"base_scenario": huge})
    assert prefill.status_code == 200 and huge in prefill.context["prefill_warning"]
    for params in ({"base_scenario_id": huge}, {"plan": huge}, {"config_version_id": "x"}):
        assert planner_client.get(reverse("plans:list"), params).status_code == 200, params
