"""Run history (``/ui/runs``): every run shows its ``plan_version_id`` and
scenario, each a link (to ``/ui/plans/<plan_version_id>`` and
``/ui/scenarios/<id>``), and the two filters the guideline asks for — plan
version and scenario name — narrow the list, through the same FilterSet as
the ``/runs`` API."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from core.api.testing import api_user
from plans.tests.factories import PlanVersionFactory
from runs.tests.factories import RunFactory
from scenarios.tests.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner(client):
    client.force_login(api_user("planner"))
    return client


@pytest.fixture
def history():
    """Two plan versions on two scenarios; three runs of the first, two of the second."""
    peak = PlanVersionFactory.create(base_scenario=ScenarioFactory.create(name="Peak season 2026"))
    base = PlanVersionFactory.create(base_scenario=ScenarioFactory.create(name="Base"))
    start = timezone.now() - timedelta(hours=1)
    runs = {
        "peak": [
            RunFactory.create(plan_version=peak, started_at=start + timedelta(minutes=i))
            for i in range(3)
        ],
        "base": [
            RunFactory.create(plan_version=base, started_at=start + timedelta(minutes=10 + i))
            for i in range(2)
        ],
    }
    return peak, base, runs


def _rows(response) -> dict[str, str]:
    """run_id → that row's HTML."""
    html = response.content.decode()
    rows = re.findall(r'<tr data-run-id="([0-9a-f-]{36})">(.*?)</tr>', html, re.S)
    return dict(rows)


def _headings(response) -> list[str]:
    html = response.content.decode()
    thead = html[html.index('<table class="data runs"') :]
    thead = thead[: thead.index("</thead>")]
    return [
        re.sub(r"<[^>]+>|\s+", " ", th).strip() for th in re.findall(r"<th.*?</th>", thead, re.S)
    ]


def test_run_history_has_plan_version_and_scenario_columns(planner, history):
    headings = _headings(planner.get("/ui/runs"))
    assert "Plan version" in headings
    assert "Scenario" in headings


def test_each_run_links_to_its_plan_version_and_scenario(planner, history):
    peak, base, runs = history
    rows = _rows(planner.get("/ui/runs"))
    assert len(rows) == 5
    for pv, group in ((peak, runs["peak"]), (base, runs["base"])):
        for run in group:
            row = rows[str(run.run_id)]
            assert f'href="/ui/plans/{pv.plan_version_id}"' in row
            assert f"<code>{pv.plan_version_id}</code>" in row
            assert f'href="/ui/scenarios/{pv.base_scenario_id}"' in row
            assert pv.base_scenario.name in row
            assert f'href="/ui/runs/{run.run_id}"' in row
            config = run.config_version
            assert f'href="/ui/configs/{config.pk}">#{config.pk} {config.name}</a>' in row


def test_filter_by_plan_version(planner, history):
    peak, _base, runs = history
    response = planner.get("/ui/runs", {"plan_version_id": peak.plan_version_id})
    assert response.status_code == 200
    assert set(_rows(response)) == {str(r.run_id) for r in runs["peak"]}
    # The filter shows what it applied.
    assert f'value="{peak.plan_version_id}"' in response.content.decode()


def test_filter_by_scenario_name_contains_any_case(planner, history):
    _peak, _base, runs = history
    response = planner.get("/ui/runs", {"scenario_name": "PEAK season"})
    assert set(_rows(response)) == {str(r.run_id) for r in runs["peak"]}
    assert planner.get("/ui/runs", {"scenario_name": "base"}).status_code == 200
    assert set(_rows(planner.get("/ui/runs", {"scenario_name": "base"}))) == {
        str(r.run_id) for r in runs["base"]
    }


def test_both_filters_together_and_agreeing_with_the_api(planner, history):
    peak, base, runs = history
    params = {"plan_version_id": base.plan_version_id, "scenario_name": "Base"}
    ui = set(_rows(planner.get("/ui/runs", params)))
    api = {row["run_id"] for row in planner.get("/runs", params).json()["results"]}
    assert ui == api == {str(r.run_id) for r in runs["base"]}
    nothing = planner.get(
        "/ui/runs", {"plan_version_id": peak.plan_version_id, "scenario_name": "Base"}
    )
    assert _rows(nothing) == {}
    assert "No runs match these filters." in nothing.content.decode()


def test_a_plan_version_that_does_not_exist_lists_nothing(planner, history):
    response = planner.get("/ui/runs", {"plan_version_id": "pv-000000000000"})
    assert response.status_code == 200
    assert _rows(response) == {}
