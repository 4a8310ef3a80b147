"""The scenario and config pages of the web UI, and the retired scenario-run path.

Scenarios: list (lock state, filters, quick plan link), detail (overrides,
parent, plans and runs both ways), create/edit/lock/unlock through the
services with their permissions and refusals. Configs: list, import (a
reference file, and a refused one that writes nothing), one version,
download and diff. The legacy ``/ui/scenarios/<sid>/run`` is a 403 banner
whatever the method, id or visitor.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from core.api.testing import api_user
from jobs.models import Job
from plans.tests.factories import PlanVersionFactory
from runs.models import Run
from runs.tests.factories import RunFactory
from scenarios.models import ConfigVersion, Scenario
from scenarios.services import config_import, scenario_lock
from scenarios.tests.factories import ConfigVersionFactory, ScenarioFactory
from scpln.engine.canonical.generator import NetworkShape, generate_config

pytestmark = pytest.mark.django_db

SMALL = NetworkShape(skus=3, stores=2, dcs=1, factories=1, materials=1, days=30, seed=3)
EDITOR_PERMS = (
    "scenarios.add_scenario",
    "scenarios.change_scenario",
    "scenarios.delete_scenario",
    "scenarios.add_configversion",
    "plans.add_plan",
)


@pytest.fixture
def planner(client):
    """Signed in, may look at everything but change nothing."""
    client.force_login(api_user("planner"))
    return client


@pytest.fixture
def alice():
    return api_user("alice", *EDITOR_PERMS)


@pytest.fixture
def editor(client, alice):
    client.force_login(alice)
    return client


def _html(response) -> str:
    return response.content.decode()


def _scenario_form(**overrides) -> dict:
    data = {
        "name": "Peak season",
        "description": "",
        "parent": "",
        "tags": "",
        "demand_scale": "1",
        "demand_scale_by_item": "",
        "capacity_scale": "1",
        "capacity_scale_by_node": "",
        "lead_time_shift_days": "0",
        "initial_inventory_scale": "1",
        "horizon_days": "",
    }
    data.update(overrides)
    return data


def _field_errors(response, field: str) -> str:
    """The HTML of one field's block (label, widget, errors) on a form page."""
    html = _html(response)
    start = html.index(f'data-testid="field-{field}"')
    ends = [html.find(marker, start) for marker in ('<div class="field', "</form>")]
    return html[start : min(end for end in ends if end != -1)]


# --- scenario list ---------------------------------------------------------------


def test_scenario_pages_need_a_signed_in_user(client):
    scenario = ScenarioFactory.create()
    config = ConfigVersionFactory.create()
    for url in (
        "/ui/scenarios",
        "/ui/scenarios/new",
        f"/ui/scenarios/{scenario.pk}",
        f"/ui/scenarios/{scenario.pk}/edit",
        "/ui/configs",
        "/ui/configs/import",
        "/ui/configs/diff",
        f"/ui/configs/{config.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_scenario_list_shows_lock_holder_time_and_reason(planner, alice):
    quiet = ScenarioFactory.create(name="Quiet")
    scenario_lock(scenario=quiet, user=alice, reason="quarter close")
    ScenarioFactory.create(name="Open")
    response = planner.get("/ui/scenarios")
    assert response.status_code == 200
    html = _html(response)
    row = html[html.index(f'data-scenario-id="{quiet.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Locked" in row and "by alice" in row and "quarter close" in row
    quiet.refresh_from_db()
    assert quiet.locked_at is not None
    assert f'datetime="{quiet.locked_at.isoformat()}"' in row
    assert "Open" in html and "Unlocked" in html


def test_scenario_list_sums_up_each_scenarios_overrides(planner):
    ScenarioFactory.create(
        name="Peak",
        demand_scale=1.2,
        capacity_scale_by_node={"F1": 0.8, "F2": 0.9},
        lead_time_shift_days=2,
    )
    ScenarioFactory.create(name="Plain")
    html = _html(planner.get("/ui/scenarios"))
    assert "demand ×1.2; capacity of 2 nodes; lead time +2 d" in html
    assert "none (the config as it is)" in html


def test_scenario_list_links_plan_creation_for_unlocked_scenarios_only(editor, alice):
    open_ = ScenarioFactory.create(name="Open")
    locked = ScenarioFactory.create(name="Frozen")
    scenario_lock(scenario=locked, user=alice)
    html = _html(editor.get("/ui/scenarios"))
    assert f'href="/ui/plans?base_scenario={open_.pk}"' in html
    assert f'href="/ui/plans?base_scenario={locked.pk}"' not in html
    assert f'href="/ui/scenarios/{open_.pk}/edit"' in html
    assert f'href="/ui/scenarios/{locked.pk}/edit"' not in html
    assert f'action="/ui/scenarios/{locked.pk}/unlock"' in html
    assert f'action="/ui/scenarios/{open_.pk}/lock"' in html


def test_scenario_list_offers_no_write_actions_without_permission(planner):
    scenario = ScenarioFactory.create()
    html = _html(planner.get("/ui/scenarios"))
    assert f"/ui/scenarios/{scenario.pk}/edit" not in html
    assert f"/ui/scenarios/{scenario.pk}/lock" not in html
    assert "/ui/scenarios/new" not in html


def test_scenario_list_filters_by_name_and_lock_state(planner):
    for name in ("Peak A", "Peak B", "Base"):
        ScenarioFactory.create(name=name)
    locked = ScenarioFactory.create(name="Peak locked")
    scenario_lock(scenario=locked, user=None)

    def names(**query) -> list[str]:
        html = _html(planner.get("/ui/scenarios", query))
        return [
            Scenario.objects.get(pk=int(part.split('"', 1)[0])).name
            for part in html.split('data-scenario-id="')[1:]
        ]

    assert names(name="peak") == ["Peak A", "Peak B", "Peak locked"]
    assert names(name="peak", locked="false") == ["Peak A", "Peak B"]
    assert names(locked="true") == ["Peak locked"]
    assert names(ordering="-name")[0] == "Peak locked"


def test_scenario_list_malformed_filter_is_a_400_at_the_field(planner):
    response = planner.get("/ui/scenarios", {"locked": "perhaps"})
    assert response.status_code == 400
    html = _html(response)
    assert "Expected true or false." in html
    assert 'data-testid="scenario-table"' not in html


def test_scenario_list_queries_do_not_grow_with_rows(planner, django_assert_max_num_queries):
    parent = ScenarioFactory.create(name="Parent")
    holder = api_user("holder")
    for i in range(40):
        scenario = ScenarioFactory.create(name=f"S{i:02}", parent=parent)
        if i % 2:
            scenario_lock(scenario=scenario, user=holder, reason="r")
    # session, user, its permissions (2), count, one page with lock holders and parents
    with django_assert_max_num_queries(7):  # + the unread-notifications badge
        response = planner.get("/ui/scenarios")
    assert _html(response).count('data-testid="scenario-row"') == 41


# --- scenario detail -------------------------------------------------------------


def test_scenario_detail_shows_overrides_parent_lock_plans_and_runs(editor, alice):
    parent = ScenarioFactory.create(name="Baseline")
    scenario = ScenarioFactory.create(
        name="Peak",
        parent=parent,
        demand_scale=1.25,
        capacity_scale_by_node={"FACT-01": 0.8},
        lead_time_shift_days=3,
    )
    version = PlanVersionFactory.create(base_scenario=scenario)
    run = RunFactory.create(plan_version=version)
    other_run = RunFactory.create()
    response = editor.get(f"/ui/scenarios/{scenario.pk}")
    assert response.status_code == 200
    html = _html(response)
    assert f'href="/ui/scenarios/{parent.pk}"' in html and "Baseline" in html
    assert "×1.25<" in html and "<code>FACT-01</code> ×0.8<" in html and "3 days" in html
    assert f'href="/ui/plans/{version.pk}"' in html
    assert f'href="/ui/runs/{run.run_id}"' in html
    assert str(other_run.run_id) not in html
    assert f'href="/ui/runs?scenario_id={scenario.pk}"' in html
    assert f'href="/ui/plans?base_scenario={scenario.pk}"' in html
    assert "Unlocked" in html


def test_scenario_detail_of_a_locked_scenario_says_who_and_offers_no_plan(editor, alice):
    scenario = ScenarioFactory.create(name="Frozen")
    scenario_lock(scenario=scenario, user=alice, reason="audit")
    html = _html(editor.get(f"/ui/scenarios/{scenario.pk}"))
    assert 'data-testid="locked-banner"' in html
    assert "locked by alice" in html and "audit" in html
    assert f'href="/ui/plans?base_scenario={scenario.pk}"' not in html
    assert 'data-testid="plan-from-locked"' in html
    assert f'action="/ui/scenarios/{scenario.pk}/unlock"' in html


def test_scenario_detail_of_an_unknown_scenario_is_404(planner):
    assert planner.get("/ui/scenarios/999999").status_code == 404
    assert planner.get(f"/ui/scenarios/{2**64}").status_code == 404  # no overflow


def test_scenario_detail_queries_stay_constant(planner, django_assert_max_num_queries):
    scenario = ScenarioFactory.create()
    for _ in range(25):
        RunFactory.create(plan_version=PlanVersionFactory.create(base_scenario=scenario))
    # session, user, permissions (2), scenario, plan versions (count, page),
    # runs (count, page), children; the risk panel: plan versions with a run, the latest
    # optimisations, and the permissions (2) for its form
    with django_assert_max_num_queries(16):  # + the unread-notifications badge, the history
        html = _html(planner.get(f"/ui/scenarios/{scenario.pk}"))
    assert "The newest 20 of 25 plan versions." in html
    assert "The newest 20 of 25 runs." in html


# --- create and edit ---------------------------------------------------------------


def test_create_scenario_through_the_service(editor, alice):
    parent = ScenarioFactory.create(name="Baseline")
    response = editor.post(
        "/ui/scenarios/new",
        _scenario_form(
            name="  Peak  ",
            parent=parent.pk,
            tags="q4, what-if",
            demand_scale="1.2",
            demand_scale_by_item="SKU-01=1.5\n# comment\nFAM-01 = 0.9",
            horizon_days="90",
        ),
    )
    scenario = Scenario.objects.get(name="Peak")
    assert response.status_code == 302 and response["Location"] == f"/ui/scenarios/{scenario.pk}"
    assert scenario.parent == parent and scenario.created_by == alice
    assert scenario.tags == ["q4", "what-if"]
    assert scenario.demand_scale == 1.2 and scenario.horizon_days == 90
    assert scenario.demand_scale_by_item == {"SKU-01": 1.5, "FAM-01": 0.9}


def test_create_scenario_shows_each_refusal_at_its_field(editor):
    ScenarioFactory.create(name="Taken")
    response = editor.post(
        "/ui/scenarios/new",
        _scenario_form(
            name="Taken",
            demand_scale="0",
            capacity_scale_by_node="DC-1=-1\nnot a line",
            horizon_days="0",
        ),
    )
    assert response.status_code == 400
    # The form's parsing refuses the malformed line, and the service's rules refuse the
    # fields that could be read, all in one answer.
    assert "Line 2: expected CODE=FACTOR" in _field_errors(response, "capacity_scale_by_node")
    assert "already exists" in _field_errors(response, "name")
    assert "above 0" in _field_errors(response, "demand_scale")
    assert "from 1 to" in _field_errors(response, "horizon_days")
    response = editor.post(
        "/ui/scenarios/new",
        _scenario_form(
            name="Taken", demand_scale="0", capacity_scale_by_node="DC-1=-1", horizon_days="0"
        ),
    )
    # Once the line reads, the service's rule for it too, at the field it names.
    assert response.status_code == 400
    assert "already exists" in _field_errors(response, "name")
    assert "above 0" in _field_errors(response, "demand_scale")
    assert "DC-1: expected a factor above 0" in _field_errors(response, "capacity_scale_by_node")
    assert "from 1 to" in _field_errors(response, "horizon_days")
    assert Scenario.objects.count() == 1


def test_create_scenario_with_an_unknown_parent_is_refused_at_the_field(editor):
    for parent in ("999999", str(2**64)):
        response = editor.post("/ui/scenarios/new", _scenario_form(parent=parent))
        assert response.status_code == 400
        assert "Select a valid choice" in _field_errors(response, "parent")
    assert not Scenario.objects.exists()


def test_create_scenario_needs_the_add_permission(planner):
    assert planner.get("/ui/scenarios/new").status_code == 403
    assert planner.post("/ui/scenarios/new", _scenario_form()).status_code == 403
    assert not Scenario.objects.exists()


def test_edit_scenario_saves_through_the_service(editor):
    scenario = ScenarioFactory.create(
        name="Peak", demand_scale=1.1, capacity_scale_by_node={"A": 0.5}
    )
    form = _html(editor.get(f"/ui/scenarios/{scenario.pk}/edit"))
    assert 'value="Peak"' in form and "A=0.5" in form
    response = editor.post(
        f"/ui/scenarios/{scenario.pk}/edit",
        _scenario_form(name="Peak 2", demand_scale="1.3", capacity_scale_by_node="A=0.7"),
    )
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.name == "Peak 2" and scenario.demand_scale == 1.3
    assert scenario.capacity_scale_by_node == {"A": 0.7}


def test_edit_refuses_making_a_scenario_its_own_ancestor(editor):
    grandparent = ScenarioFactory.create(name="G")
    child = ScenarioFactory.create(name="C", parent=grandparent)
    response = editor.post(
        f"/ui/scenarios/{grandparent.pk}/edit", _scenario_form(name="G", parent=child.pk)
    )
    assert response.status_code == 400
    assert "cannot descend from itself" in _field_errors(response, "parent")
    grandparent.refresh_from_db()
    assert grandparent.parent is None


def test_locked_scenario_cannot_be_edited_and_the_page_says_so(editor, alice):
    scenario = ScenarioFactory.create(name="Frozen", demand_scale=1.0)
    scenario_lock(scenario=scenario, user=alice, reason="quarter close")
    page = editor.get(f"/ui/scenarios/{scenario.pk}/edit")
    html = _html(page)
    assert page.status_code == 200
    assert "This scenario is locked and cannot be edited." in html
    assert "locked by alice" in html and "quarter close" in html
    assert "<fieldset disabled>" in html and 'data-testid="save-scenario"' not in html
    response = editor.post(
        f"/ui/scenarios/{scenario.pk}/edit", _scenario_form(name="Frozen", demand_scale="2")
    )
    assert response.status_code == 400
    assert "unlock it first" in _html(response)
    scenario.refresh_from_db()
    assert scenario.demand_scale == 1.0 and scenario.locked


def test_edit_needs_the_change_permission(planner):
    scenario = ScenarioFactory.create(name="Peak")
    assert planner.get(f"/ui/scenarios/{scenario.pk}/edit").status_code == 403
    response = planner.post(f"/ui/scenarios/{scenario.pk}/edit", _scenario_form(name="Hacked"))
    assert response.status_code == 403
    scenario.refresh_from_db()
    assert scenario.name == "Peak"


def test_delete_an_unused_scenario_after_confirming(editor):
    scenario = ScenarioFactory.create(name="Scratch")
    page = editor.get(f"/ui/scenarios/{scenario.pk}/delete")
    assert page.status_code == 200 and 'data-testid="confirm-delete"' in _html(page)
    response = editor.post(f"/ui/scenarios/{scenario.pk}/delete")
    assert response.status_code == 302 and response["Location"] == "/ui/scenarios"
    assert not Scenario.objects.filter(pk=scenario.pk).exists()


def test_delete_refuses_a_scenario_plans_use_and_says_why(editor):
    scenario = ScenarioFactory.create(name="Used")
    PlanVersionFactory.create(base_scenario=scenario)
    response = editor.post(f"/ui/scenarios/{scenario.pk}/delete")
    assert response.status_code == 400
    assert "used by 1 plan version(s)" in _html(response)
    assert Scenario.objects.filter(pk=scenario.pk).exists()


def test_delete_needs_the_delete_permission(planner):
    scenario = ScenarioFactory.create()
    assert planner.post(f"/ui/scenarios/{scenario.pk}/delete").status_code == 403
    assert Scenario.objects.filter(pk=scenario.pk).exists()


# --- lock and unlock ---------------------------------------------------------------


def test_lock_with_a_reason_records_who_and_when(editor, alice):
    scenario = ScenarioFactory.create()
    before = timezone.now()
    response = editor.post(
        f"/ui/scenarios/{scenario.pk}/lock", {"reason": "  quarter close ", "next": "/ui/scenarios"}
    )
    assert response.status_code == 302 and response["Location"] == "/ui/scenarios"
    scenario.refresh_from_db()
    assert scenario.locked and scenario.locked_by == alice
    assert scenario.lock_reason == "quarter close"
    assert scenario.locked_at is not None
    assert before <= scenario.locked_at <= timezone.now() + timedelta(seconds=1)


def test_lock_and_unlock_are_post_only(editor):
    scenario = ScenarioFactory.create()
    assert editor.get(f"/ui/scenarios/{scenario.pk}/lock").status_code == 405
    assert editor.get(f"/ui/scenarios/{scenario.pk}/unlock").status_code == 405
    scenario.refresh_from_db()
    assert not scenario.locked


def test_lock_refuses_a_foreign_next_url(editor):
    scenario = ScenarioFactory.create()
    response = editor.post(
        f"/ui/scenarios/{scenario.pk}/lock", {"next": "https://evil.example/phish"}
    )
    assert response["Location"] == f"/ui/scenarios/{scenario.pk}"


def test_lock_reason_too_long_is_shown_at_the_field_and_nothing_is_locked(editor):
    scenario = ScenarioFactory.create()
    response = editor.post(f"/ui/scenarios/{scenario.pk}/lock", {"reason": "x" * 501})
    assert response.status_code == 400
    assert "at most 500 characters" in _field_errors(response, "reason")
    scenario.refresh_from_db()
    assert not scenario.locked


def test_locking_a_locked_scenario_keeps_the_first_lock(editor, alice):
    scenario = ScenarioFactory.create()
    first = api_user("bob")
    scenario_lock(scenario=scenario, user=first, reason="first")
    response = editor.post(f"/ui/scenarios/{scenario.pk}/lock", {"reason": "second"}, follow=True)
    assert "is already locked" in _html(response)
    scenario.refresh_from_db()
    assert scenario.locked_by == first and scenario.lock_reason == "first"


def test_another_user_with_the_change_permission_may_unlock(client, alice):
    scenario = ScenarioFactory.create(name="Frozen")
    scenario_lock(scenario=scenario, user=alice, reason="audit")
    client.force_login(api_user("bob", "scenarios.change_scenario"))
    response = client.post(f"/ui/scenarios/{scenario.pk}/unlock", follow=True)
    assert response.status_code == 200
    assert "Scenario “Frozen” unlocked." in _html(response)
    scenario.refresh_from_db()
    assert not scenario.locked and scenario.locked_by is None and scenario.lock_reason == ""


def test_unlock_and_lock_need_the_change_permission(planner, alice):
    scenario = ScenarioFactory.create()
    scenario_lock(scenario=scenario, user=alice)
    assert planner.post(f"/ui/scenarios/{scenario.pk}/unlock").status_code == 403
    scenario.refresh_from_db()
    assert scenario.locked
    other = ScenarioFactory.create()
    assert planner.post(f"/ui/scenarios/{other.pk}/lock").status_code == 403
    other.refresh_from_db()
    assert not other.locked


def test_unlocking_an_unlocked_scenario_says_so(editor):
    scenario = ScenarioFactory.create(name="Open")
    response = editor.post(f"/ui/scenarios/{scenario.pk}/unlock", follow=True)
    assert "is not locked" in _html(response)


# --- the retired scenario-run path ------------------------------------------------

LEGACY_METHODS = ("get", "post", "put", "patch", "delete", "options")


def _assert_legacy_banner(response, sid) -> None:
    assert response.status_code == 403
    html = _html(response)
    assert "Scenario runs were retired" in html
    assert 'data-testid="legacy-run-banner"' in html
    assert f'href="/ui/plans?base_scenario={sid}"' in html
    assert "Plan &amp; Run" in html or "Plan & Run" in html


@pytest.mark.parametrize("method", LEGACY_METHODS)
def test_legacy_scenario_run_is_403_with_the_banner_for_every_method(planner, method):
    scenario = ScenarioFactory.create()
    runs, jobs = Run.objects.count(), Job.objects.count()
    response = getattr(planner, method)(f"/ui/scenarios/{scenario.pk}/run")
    _assert_legacy_banner(response, scenario.pk)
    assert (Run.objects.count(), Job.objects.count()) == (runs, jobs)


def test_legacy_scenario_run_head_is_403_too(planner):
    scenario = ScenarioFactory.create()
    assert planner.head(f"/ui/scenarios/{scenario.pk}/run").status_code == 403


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_legacy_scenario_run_answers_anonymous_visitors_the_same(client, method):
    response = getattr(client, method)("/ui/scenarios/424242/run")
    _assert_legacy_banner(response, 424242)


def test_legacy_scenario_run_post_without_csrf_token_still_shows_the_banner():
    scenario = ScenarioFactory.create()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(api_user("old-bookmark"))
    response = strict.post(f"/ui/scenarios/{scenario.pk}/run", {"horizon": "90"})
    _assert_legacy_banner(response, scenario.pk)
    assert "CSRF" not in _html(response)
    assert not Run.objects.exists() and not Job.objects.exists()


def test_legacy_scenario_run_answers_unknown_and_odd_ids_and_a_trailing_slash(planner):
    _assert_legacy_banner(planner.get("/ui/scenarios/987654/run/"), 987654)
    response = planner.post("/ui/scenarios/not-a-number/run")
    assert response.status_code == 403
    html = _html(response)
    assert "Scenario runs were retired" in html
    assert 'href="/ui/plans"' in html and "base_scenario=not" not in html
    for odd in ("9" * 5000, str(2**64)):
        response = planner.get(f"/ui/scenarios/{odd}/run")
        assert response.status_code == 403 and 'href="/ui/plans"' in _html(response)


# --- configs: list, import -----------------------------------------------------------


def _import(name: str = "net", **generate) -> ConfigVersion:
    document = generate_config(**{**SMALL, **generate})
    document["meta"]["name"] = name
    config, _created = config_import(document=document, source_filename=f"{name}.json")
    return config


def test_config_list_shows_id_hash_warnings_and_scenarios_using_it(planner):
    config = ConfigVersionFactory.create(
        name="Network A", warnings=["items[0]: odd", "nodes[1]: odd"]
    )
    unused = ConfigVersionFactory.create(name="Network B")
    planned = PlanVersionFactory.create(
        config_version=config, base_scenario=ScenarioFactory.create(name="Peak")
    )
    RunFactory.create(plan_version=planned)
    RunFactory.create(
        plan_version=PlanVersionFactory.create(
            config_version=config, base_scenario=planned.base_scenario
        )
    )
    run_only = RunFactory.create(
        plan_version=None, scenario=ScenarioFactory.create(name="Adhoc"), config_version=config
    )
    html = _html(planner.get("/ui/configs"))
    row = html[html.index(f'data-config-id="{config.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f"<code>{config.pk}</code>" in row
    assert config.content_hash[:12] in row
    assert f'href="/ui/configs/{config.pk}#warnings-heading">2</a>' in row
    assert row.count('href="/ui/scenarios/') == 2  # Peak once, though planned twice
    assert f'href="/ui/scenarios/{run_only.scenario_id}">Adhoc</a>' in row
    assert f'href="/ui/configs/{config.pk}/download"' in row
    other = html[html.index(f'data-config-id="{unused.pk}"') :]
    assert 'href="/ui/scenarios/' not in other[: other.index("</tr>")]


def test_config_list_queries_do_not_grow_with_rows(planner, django_assert_max_num_queries):
    for i in range(30):
        config = ConfigVersionFactory.create(name=f"net-{i}")
        RunFactory.create(plan_version=PlanVersionFactory.create(config_version=config))
    # session, user, its permissions (2), count, page, scenarios using the page's configs
    with django_assert_max_num_queries(8):  # + the unread-notifications badge
        response = planner.get("/ui/configs")
    assert _html(response).count('data-testid="config-row"') == 30


def test_config_list_filters_by_name_and_refuses_a_bad_status(planner):
    ConfigVersionFactory.create(name="Europe")
    ConfigVersionFactory.create(name="Asia")
    html = _html(planner.get("/ui/configs", {"name": "eur"}))
    assert "Europe" in html and "Asia" not in html
    assert planner.get("/ui/configs", {"status": "bogus"}).status_code == 400


@pytest.mark.reference
def test_import_a_reference_config_shows_it_with_its_warnings(editor, alice, reference_dir):
    path = reference_dir / "canonical" / "multi_node_sample_6Mths.json"
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/json")
    response = editor.post("/ui/configs/import", {"file": upload, "name": "", "description": ""})
    config = ConfigVersion.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ui/configs/{config.pk}"
    assert config.source_filename == path.name and config.created_by == alice
    assert config.document == json.loads(path.read_text())
    # Every warning the config has (issue 12: the page once said "1 warning" of a network
    # whose factories need four components nothing supplies): Mexico City's demand no
    # chain reaches, and each location and component nothing replenishes.
    stuck = ["DC-2/SKU-A", "DC-4/SKU-B", "FACTORY-1/COMP-X", "FACTORY-1/COMP-Y"]
    stuck += ["FACTORY-3/COMP-Z", "FACTORY-4/COMP-W"]
    assert len(config.warnings) == 1 + len(stuck)
    assert "STORE-MEX has demand for SKU-B" in config.warnings[0]
    assert [w.split(":")[0] for w in config.warnings[1:]] == stuck
    page = _html(editor.get(response["Location"]))
    assert "Imported config version" in page and "It has 7 warnings; they are listed below." in page
    for warning in config.warnings:
        assert warning in page.replace("&#x27;", "'")
    # The same network again is found, not stored twice.
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/json")
    again = editor.post("/ui/configs/import", {"file": upload}, follow=True)
    assert "already stored" in _html(again) and ConfigVersion.objects.count() == 1


def test_import_refusal_lists_every_problem_with_its_path_and_writes_nothing(editor):
    document = generate_config(**SMALL)
    document["arcs"][0]["to_node"] = "NOWHERE"
    document["items"][0]["unit_cost"] = -5
    upload = SimpleUploadedFile("bad.json", json.dumps(document).encode())
    response = editor.post("/ui/configs/import", {"file": upload})
    assert response.status_code == 400
    field = _field_errors(response, "file")
    assert "items[0].unit_cost: must not be negative" in field
    assert "arcs[0].to_node: unknown node" in field
    assert "2 problems" in _html(response)
    assert not ConfigVersion.objects.exists()


def test_import_refuses_a_file_that_is_not_json_at_the_field(editor):
    upload = SimpleUploadedFile("notes.json", b"{not json")
    response = editor.post("/ui/configs/import", {"file": upload})
    assert response.status_code == 400
    assert "Not valid JSON" in _field_errors(response, "file")
    assert not ConfigVersion.objects.exists()


def test_import_needs_the_add_permission(planner, client):
    assert planner.get("/ui/configs/import").status_code == 403
    upload = SimpleUploadedFile("net.json", json.dumps(generate_config(**SMALL)).encode())
    assert planner.post("/ui/configs/import", {"file": upload}).status_code == 403
    assert not ConfigVersion.objects.exists()


# --- configs: one version, download, diff -----------------------------------------------


def test_config_detail_shows_meta_counts_warnings_and_who_uses_it(planner):
    config = _import("Network A")
    config.warnings = ["nodes[2]: nothing replenishes it"]
    config.save()
    version = PlanVersionFactory.create(
        config_version=config, base_scenario=ScenarioFactory.create(name="Peak")
    )
    response = planner.get(f"/ui/configs/{config.pk}")
    assert response.status_code == 200
    html = _html(response)
    assert config.content_hash in html and "canonical-1.0" in html
    items = len(config.document["items"])
    assert (
        f'data-testid="count-items"><div class="label">Items</div><div class="value">{items}<'
        in html
    )
    assert "nothing replenishes it" in html
    assert f'href="/ui/scenarios/{version.base_scenario_id}">Peak</a>' in html
    assert f'href="/ui/plans/{version.pk}"' in html
    assert f'href="/ui/runs?config_version_id={config.pk}"' in html


def test_config_detail_names_node_and_item_types_not_their_codes(planner):
    config = _import("Network T")
    types = {n["node_type"] for n in config.document["nodes"]}
    assert "warehouse" in types
    html = _html(planner.get(f"/ui/configs/{config.pk}"))
    nodes = html.split('data-testid="table-nodes"', 1)[1].split("</table>", 1)[0]
    assert "<td>Warehouse</td>" in nodes and "<td>warehouse</td>" not in nodes
    planner.cookies["django_language"] = "ja"
    japanese = _html(planner.get(f"/ui/configs/{config.pk}"))
    assert "<td>倉庫</td>" in japanese


def test_config_detail_queries_stay_constant(planner, django_assert_max_num_queries):
    config = ConfigVersionFactory.create()
    for _ in range(25):
        RunFactory.create(plan_version=PlanVersionFactory.create(config_version=config))
    # session, user, config, diff choices, plan versions (count, page), scenarios using it
    with django_assert_max_num_queries(8):  # + the unread-notifications badge
        html = _html(planner.get(f"/ui/configs/{config.pk}"))
    assert "The newest 20 of 25 plan versions." in html


def test_config_detail_of_an_unknown_version_is_404(planner):
    assert planner.get("/ui/configs/999999").status_code == 404
    assert planner.get(f"/ui/configs/{2**64}").status_code == 404


def test_download_returns_the_document_as_imported(planner):
    config = _import("Network A")
    response = planner.get(f"/ui/configs/{config.pk}/download")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="Network A.json"'
    assert json.loads(response.content) == config.document


def test_download_needs_a_signed_in_user_and_a_known_version(client, planner):
    config = ConfigVersionFactory.create()
    assert Client().get(f"/ui/configs/{config.pk}/download").status_code == 302
    assert planner.get("/ui/configs/999999/download").status_code == 404


def test_diff_lists_added_removed_and_changed_rows_per_entity(planner):
    old = _import("old")
    new_document = json.loads(json.dumps(old.document))
    new_document["meta"]["name"] = "new"
    changed = new_document["items"][0]
    changed["unit_cost"] = 99.5
    new_document["items"].append({"code": "SKU-NEW", "item_type": "product"})
    new, _created = config_import(document=new_document)
    response = planner.get("/ui/configs/diff", {"from": old.pk, "to": new.pk})
    assert response.status_code == 200
    html = _html(response)
    assert 'data-testid="added-items">1<' in html
    assert 'data-testid="removed-items">0<' in html
    assert 'data-testid="changed-items">1<' in html
    assert "<code>SKU-NEW</code>" in html
    assert f"<code>{changed['code']}</code>" in html and "unit_cost" in html and "99.5" in html
    swap = f"?from={new.pk}&amp;to={old.pk}"
    assert f'href="{swap}"' in html
    back = _html(planner.get("/ui/configs/diff", {"from": new.pk, "to": old.pk}))
    assert 'data-testid="removed-items">1<' in back and 'data-testid="added-items">0<' in back


def test_diff_of_a_version_with_itself_or_an_unknown_one_is_refused_at_the_field(planner):
    config = ConfigVersionFactory.create()
    same = planner.get("/ui/configs/diff", {"from": config.pk, "to": config.pk})
    assert same.status_code == 400
    assert "Choose a different version" in _field_errors(same, "to")
    for missing in (999999, 2**64):
        unknown = planner.get("/ui/configs/diff", {"from": config.pk, "to": missing})
        assert unknown.status_code == 400
        assert "Select a valid choice" in _field_errors(unknown, "to")


def test_diff_page_with_only_from_preselects_it(planner):
    config = ConfigVersionFactory.create(name="Mine")
    response = planner.get("/ui/configs/diff", {"from": config.pk})
    assert response.status_code == 200
    assert f'<option value="{config.pk}" selected>' in _html(response)


def test_the_scenario_page_shows_who_locked_and_unlocked_it(planner):
    scenario = ScenarioFactory.create(name="Audited")
    actor = api_user("locker")
    scenario_lock(scenario=scenario, user=actor, reason="quarter close")
    scenario = Scenario.objects.get(pk=scenario.pk)
    html = _html(planner.get(f"/ui/scenarios/{scenario.pk}"))
    assert 'data-action="lock"' in html and "quarter close" in html and "locker" in html


def test_demo_network_names_no_source_file_and_says_what_it_holds(settings, tmp_path, client):
    # It was generated, not uploaded: its page must not show a command's name as its file.
    settings.DATA_DIR = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    config = ConfigVersion.objects.get(name="Demo network")
    client.force_login(User.objects.get(username="demo"))
    page = client.get(f"/ui/configs/{config.pk}").content.decode()
    assert "seed_demo" not in page
    assert "Generated for the demo: 6 items, 3 stores" in page
    download = client.get(f"/ui/configs/{config.pk}/download")
    assert f'filename="config-{config.pk}.json"' in download["Content-Disposition"]
