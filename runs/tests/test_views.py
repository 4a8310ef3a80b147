"""The run pages of the web UI: history (filters, sorting, paging, CSV, compare
selection), one run (links, KPIs, PSI and P&L tables, pin/unpin/delete) and the
comparison; permissions, malformed queries and query counts."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from django.utils import timezone

from core.api.testing import api_user
from core.audit import notes_for
from jobs.tests.factories import JobFactory
from plans.tests.factories import PlanVersionFactory
from runs.filters import ORDERING_FIELDS
from runs.forms import VISIBLE_FILTERS
from runs.models import Run
from runs.tests.factories import RunFactory, fake_result, psi_frame, record
from scenarios.tests.factories import ConfigVersionFactory, ScenarioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner(client):
    """A signed-in planner who may read runs but not change or delete them."""
    client.force_login(api_user("planner"))
    return client


@pytest.fixture
def operator(client):
    client.force_login(api_user("operator", "runs.change_run", "runs.delete_run"))
    return client


def _runs(n: int, **kwargs) -> list[Run]:
    """``n`` runs one minute apart, oldest first."""
    start = timezone.now() - timedelta(hours=2)
    return [RunFactory.create(started_at=start + timedelta(minutes=i), **kwargs) for i in range(n)]


def _row_ids(response) -> list[str]:
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('<tr data-run-id="')[1:]]


def _rows_html(response) -> dict[str, str]:
    """run_id → that row's HTML."""
    html = response.content.decode()
    return dict(re.findall(r'<tr data-run-id="([0-9a-f-]{36})">(.*?)</tr>', html, re.S))


# --- run history -------------------------------------------------------------------


def test_run_list_needs_a_signed_in_user(client):
    response = client.get("/ui/runs")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_run_list_shows_runs_newest_first_with_links_and_kpis(planner):
    old, new = _runs(2)
    new.fill_rate = 0.98765
    new.save()
    response = planner.get("/ui/runs")
    assert response.status_code == 200
    assert _row_ids(response) == [str(new.run_id), str(old.run_id)]
    html = response.content.decode()
    assert f'href="/ui/runs/{new.run_id}"' in html
    assert f'href="/ui/plans/{new.plan_version_id}"' in html
    assert f'href="/ui/scenarios/{new.scenario_id}"' in html
    assert new.scenario is not None and new.scenario.name in html
    assert "98.8 %" in html  # rounded, not cut off
    assert 'aria-sort="descending"' in html  # started, the default order


def test_run_list_filters_by_plan_version_and_scenario_name(planner):
    pv = PlanVersionFactory.create(base_scenario=ScenarioFactory.create(name="Peak season"))
    mine = _runs(2, plan_version=pv)
    other = _runs(1)[0]
    by_pv = planner.get("/ui/runs", {"plan_version_id": pv.pk})
    assert set(_row_ids(by_pv)) == {str(r.run_id) for r in mine}
    by_name = planner.get("/ui/runs", {"scenario_name": "peak"})
    assert set(_row_ids(by_name)) == {str(r.run_id) for r in mine}
    assert str(other.run_id) not in _row_ids(by_name)


def test_run_list_filters_by_config_status_pinned_and_date_range(planner):
    config = ConfigVersionFactory.create()
    on_config = RunFactory.create(plan_version=PlanVersionFactory.create(config_version=config))
    pinned = RunFactory.create(pinned=True)
    early = RunFactory.create(started_at=timezone.now() - timedelta(days=10))
    ids = lambda **q: set(_row_ids(planner.get("/ui/runs", q)))  # noqa: E731
    assert ids(config_version_id=config.pk) == {str(on_config.run_id)}
    # Runs are recorded when they finish: "succeeded" is the only status there is.
    assert len(ids(status="succeeded")) == 3
    assert ids(pinned="true") == {str(pinned.run_id)}
    row = _rows_html(planner.get("/ui/runs"))[str(pinned.run_id)]
    assert 'data-testid="pinned"' in row  # the list says which runs retention keeps
    assert str(pinned.run_id) not in ids(pinned="false")
    cut = (timezone.now() - timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    assert ids(started_before=cut) == {str(early.run_id)}
    assert str(early.run_id) not in ids(started_after=cut)


def test_run_list_keeps_link_filters_it_has_no_input_for(planner):
    job = JobFactory.create()
    mine = RunFactory.create(job=job)
    RunFactory.create()
    response = planner.get("/ui/runs", {"job_id": job.pk})
    assert _row_ids(response) == [str(mine.run_id)]
    html = response.content.decode()
    assert f'<input type="hidden" name="job_id" value="{job.pk}">' in html
    assert 'data-testid="active-filter-job_id"' in html


def test_run_list_sorts_by_a_kpi_column_both_ways(planner):
    low = RunFactory.create(fill_rate=0.5)
    high = RunFactory.create(fill_rate=0.9)
    mid = RunFactory.create(fill_rate=0.7)
    asc = planner.get("/ui/runs", {"ordering": "fill_rate"})
    assert _row_ids(asc) == [str(r.run_id) for r in (low, mid, high)]
    html = asc.content.decode()
    # The heading says how the list is sorted, and a click reverses it.
    assert 'aria-sort="ascending"' in html
    assert "ordering=-fill_rate" in html
    desc = planner.get("/ui/runs", {"ordering": "-fill_rate"})
    assert _row_ids(desc) == [str(r.run_id) for r in (high, mid, low)]


def test_every_sort_link_of_run_history_answers(planner):
    _runs(3)
    html = planner.get("/ui/runs").content.decode()
    links = re.findall(r'<a href="\?(ordering=[^"]+)" data-testid="sort-', html)
    assert len(links) == 8
    for link in links:
        followed = planner.get(f"/ui/runs?{link}")
        assert followed.status_code == 200, link
        # ... and the next click on that heading reverses the order.
        assert "aria-sort=" in followed.content.decode()


def test_run_list_pages_keep_the_filters(planner):
    pv = PlanVersionFactory.create()
    runs = _runs(7, plan_version=pv)
    _runs(2)
    first = planner.get("/ui/runs", {"plan_version_id": pv.pk, "page_size": 3})
    assert _row_ids(first) == [str(r.run_id) for r in reversed(runs[-3:])]
    html = first.content.decode()
    assert "Page 1 of 3" in html
    assert f"plan_version_id={pv.pk}&amp;page_size=3&amp;page=2" in html
    last = planner.get("/ui/runs", {"plan_version_id": pv.pk, "page_size": 3, "page": "last"})
    assert _row_ids(last) == [str(runs[0].run_id)]
    past = planner.get("/ui/runs", {"plan_version_id": pv.pk, "page_size": 3, "page": 99})
    assert past.status_code == 200 and _row_ids(past) == [str(runs[0].run_id)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"pinned": "maybe"}, "pinned"),
        ({"config_version_id": "abc"}, "config_version_id"),
        ({"config_version_id": str(2**70)}, "config_version_id"),
        ({"status": "exploded"}, "status"),
        ({"started_after": "not-a-date"}, "started_after"),
        ({"ordering": "password"}, "ordering"),
        ({"plan_version_id": "x" * 41}, "plan_version_id"),
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page_size": "100000"}, "page_size"),
    ],
)
def test_run_list_answers_a_malformed_query_with_400_and_the_error(planner, params, field):
    RunFactory.create()
    response = planner.get("/ui/runs", params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="errorlist' in html
    assert _row_ids(response) == []


def test_run_list_empty_state_links_to_plan_creation(planner):
    response = planner.get("/ui/runs")
    html = response.content.decode()
    assert 'data-testid="empty-state"' in html
    assert "No runs yet" in html
    assert 'href="/ui/plans"' in html


def test_run_list_with_filters_matching_nothing_says_so(planner):
    RunFactory.create()
    html = planner.get("/ui/runs", {"scenario_name": "nothing like it"}).content.decode()
    assert "No runs match these filters." in html
    assert "No runs yet" not in html


def test_run_list_rows_are_selectable_for_comparison(planner):
    runs = _runs(2)
    html = planner.get("/ui/runs").content.decode()
    assert 'action="/ui/runs/compare"' in html
    for run in runs:
        assert f'name="ids" value="{run.run_id}"' in html


def test_run_list_query_count_does_not_grow_with_rows(planner, django_assert_max_num_queries):
    _runs(3)
    with django_assert_max_num_queries(6):
        assert planner.get("/ui/runs", {"scenario_name": "scenario"}).status_code == 200
    _runs(40)
    with django_assert_max_num_queries(6):
        assert planner.get("/ui/runs", {"scenario_name": "scenario"}).status_code == 200


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_run_export_streams_every_matching_run_in_order(planner):
    pv = PlanVersionFactory.create()
    runs = _runs(60, plan_version=pv)  # more than a page
    _runs(2)
    response = planner.get("/ui/runs/export", {"plan_version_id": pv.pk, "page": 2})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:4] == ["run_id", "plan_version_id", "scenario_id", "scenario_name"]
    assert [row[0] for row in rows[1:]] == [str(r.run_id) for r in reversed(runs)]
    assert {row[1] for row in rows[1:]} == {pv.pk}
    assert rows[1][3] == pv.base_scenario.name


def test_run_export_link_carries_the_filters(planner):
    pv = PlanVersionFactory.create()
    RunFactory.create(plan_version=pv)
    html = planner.get("/ui/runs", {"plan_version_id": pv.pk}).content.decode()
    assert f'href="/ui/runs/export?plan_version_id={pv.pk}"' in html


def test_run_export_shows_times_in_the_planners_zone_and_defuses_formulas(planner):
    started = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    run = RunFactory.create(
        started_at=started,
        plan_version=PlanVersionFactory.create(
            base_scenario=ScenarioFactory.create(name="=HYPERLINK(1)")
        ),
    )
    planner.cookies["scpln_tz"] = "Asia/Tokyo"
    rows = _csv(planner.get("/ui/runs/export"))
    header, row = rows[0], rows[1]
    assert row[0] == str(run.run_id)
    assert row[header.index("started_at")] == "2026-07-01T21:00:00+09:00"
    # A spreadsheet must show the name, not run it.
    assert row[header.index("scenario_name")] == "'=HYPERLINK(1)"


def test_run_list_shows_times_in_the_planners_zone(planner):
    RunFactory.create(started_at=datetime(2026, 7, 1, 23, 30, tzinfo=UTC))
    planner.cookies["scpln_tz"] = "Asia/Tokyo"
    html = planner.get("/ui/runs").content.decode()
    assert "2026-07-02 08:30" in html
    assert 'datetime="2026-07-01T23:30:00+00:00"' in html


def test_run_list_filter_inputs_are_labelled_and_say_any(planner):
    html = planner.get("/ui/runs").content.decode()
    for name in VISIBLE_FILTERS:
        assert f'<label for="id_{name}">' in html
    assert "---------" not in html
    assert '<option value="" selected>Any</option>' in html


def test_run_list_sort_choice_offers_every_filterset_ordering(planner):
    response = planner.get("/ui/runs", {"ordering": "-profit_total"})
    offered = {value for value, _label in response.context["form"].fields["ordering"].choices}
    assert offered == {f"{sign}{key}" for key in ORDERING_FIELDS for sign in ("", "-")}
    assert '<option value="-profit_total" selected>' in response.content.decode()


def test_run_export_with_a_bad_filter_is_400_not_a_file(planner):
    response = planner.get("/ui/runs/export", {"pinned": "maybe"})
    assert response.status_code == 400
    assert not getattr(response, "streaming", False)


def test_run_list_and_export_work_on_the_memory_registry(planner, memory_registry):
    pv = PlanVersionFactory.create()
    run = record(pv)
    assert _row_ids(planner.get("/ui/runs", {"plan_version_id": pv.pk})) == [str(run.run_id)]
    rows = _csv(planner.get("/ui/runs/export"))
    assert rows[1][0] == str(run.run_id) and rows[1][3] == pv.base_scenario.name
    assert planner.get(f"/ui/runs/{run.run_id}").status_code == 200


# --- one run -----------------------------------------------------------------------


def test_run_detail_of_an_unknown_or_malformed_id_is_404(planner):
    assert planner.get(f"/ui/runs/{uuid.uuid4()}").status_code == 404
    assert planner.get("/ui/runs/not-a-run").status_code == 404


def test_run_detail_links_plan_version_scenario_config_job_and_json(planner):
    job = JobFactory.create()
    run = record(job=job)
    response = planner.get(f"/ui/runs/{run.run_id}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/ui/plans/{run.plan_version_id}"' in html
    assert f'href="/ui/scenarios/{run.scenario_id}"' in html
    assert f'href="/ui/configs/{run.config_version_id}"' in html
    assert f'href="/ui/jobs/{job.pk}"' in html
    assert f'href="/ui/runs?plan_version_id={run.plan_version_id}"' in html
    assert f'href="/runs/{run.run_id}"' in html
    body = planner.get(f"/runs/{run.run_id}").json()
    assert body["plan_version_id"] == run.plan_version_id


def test_run_detail_offers_the_note_form_only_to_who_may_change_the_run(planner):
    run = record()
    html = planner.get(f"/ui/runs/{run.run_id}").content.decode()
    assert 'data-testid="note-form"' not in html and 'data-testid="no-notes"' in html


def test_a_note_added_on_the_run_page_is_listed_and_an_empty_one_refused(operator):
    run = record()
    page = f"/ui/runs/{run.run_id}"
    assert f'action="/ui/runs/{run.run_id}/notes"' in operator.get(page).content.decode()
    added = operator.post(f"{page}/notes", {"text": "checked with the DC"})
    assert added.status_code == 302 and added["Location"] == f"{page}#notes-heading"
    assert "checked with the DC" in operator.get(page).content.decode()
    refused = operator.post(f"{page}/notes", {"text": "  "}, follow=True).content.decode()
    assert "Note: " in refused
    assert [note.text for note in notes_for(Run, run.pk)] == ["checked with the DC"]


def test_run_detail_shows_every_kpi_grouped_and_top_shortages(planner):
    run = record(
        result=fake_result(
            demand_total=30.0,
            top_shortage_items=[{"item": "SKU-9", "shortage": 12.5}],
            brand_new_kpi=4.0,
        )
    )
    html = planner.get(f"/ui/runs/{run.run_id}").content.decode()
    assert 'data-testid="kpi-group-service"' in html
    assert 'data-kpi="fill_rate"' in html and "90.0 %" in html
    assert 'data-kpi="costs.storage"' in html  # nested KPIs, flattened
    assert 'data-kpi="brand_new_kpi"' in html  # unknown KPIs still show, under "Other"
    assert "SKU-9" in html and "12.5" in html


def test_run_detail_breadcrumbs_lead_to_history_and_the_plan_versions_runs(planner):
    run = record()
    html = planner.get(f"/ui/runs/{run.run_id}").content.decode()
    crumbs = html[html.index('class="breadcrumbs"') :]
    crumbs = crumbs[: crumbs.index("</nav>")]
    assert 'href="/ui/runs"' in crumbs
    assert f'href="/ui/runs?plan_version_id={run.plan_version_id}"' in crumbs
    assert 'aria-current="page"' in crumbs


def test_run_detail_costs_section_names_accounts_without_repeating_its_title(planner):
    run = record(result=fake_result(costs_by_account={"cogs": 60.0, "sga": 5.0}))
    html = planner.get(f"/ui/runs/{run.run_id}").content.decode()
    section = html[html.index('data-testid="kpi-group-costs"') :]
    section = section[: section.index("</section>")]
    assert '<th scope="row">Cost of goods sold</th>' in section
    assert "Costs by account: Cost of goods sold" not in section


def test_run_detail_names_node_types_in_the_planners_language(planner):
    run = record(result=fake_result(avg_on_hand_by_type={"store": 12.0, "warehouse": 30.0}))
    html = planner.get(f"/ui/runs/{run.run_id}").content.decode()
    assert "Average on-hand by node type: Warehouse" in html
    assert "node type: warehouse" not in html
    planner.cookies["django_language"] = "ja"
    japanese = planner.get(f"/ui/runs/{run.run_id}").content.decode()
    assert ": 倉庫" in japanese and ": 店舗" in japanese


def test_run_detail_psi_and_pl_for_a_node_item_and_bucket(planner):
    run = record(result=fake_result(days=14))
    response = planner.get(
        f"/ui/runs/{run.run_id}", {"node": "STORE-1", "item": "SKU-1", "bucket": "week"}
    )
    assert response.status_code == 200
    ctx = response.context
    chart = ctx["psi"]["chart"]
    assert chart["labels"][0].startswith("2025-W")
    assert [d["label"] for d in chart["datasets"]] == ["Demand", "Sales", "On-hand", "Backlog"]
    # week totals of 10/day demand, on-hand at the week's end (100 + last day)
    demand = chart["datasets"][0]["data"]
    assert sum(demand) == pytest.approx(140.0)
    assert ctx["pl"]["chart"]["labels"] == chart["labels"]
    html = response.content.decode()
    assert 'data-testid="psi-chart"' in html and 'id="psi-chart-data"' in html
    assert 'data-testid="pl-table"' in html
    assert (
        f"/runs/{run.run_id}/psi?node=STORE-1&amp;item=SKU-1&amp;bucket=week&amp;format=csv" in html
    )


def test_run_detail_defaults_to_the_first_node_item_by_day(planner):
    run = record(result=fake_result(days=3))
    response = planner.get(f"/ui/runs/{run.run_id}")
    ctx = response.context
    assert ctx["form"].cleaned_data["node"] == "DC-1"
    # Day 0 is the default start date when the config names none.
    assert ctx["psi"]["chart"]["labels"] == ["2025-01-01", "2025-01-02", "2025-01-03"]
    html = response.content.decode()
    assert '<option value="DC-1" selected>' in html  # the select shows what the page shows
    assert '<option value="SKU-1" selected>' in html


def test_run_detail_dates_days_from_the_config_start_date(planner):
    config = ConfigVersionFactory.create()
    config.document["meta"]["attributes"]["start_date"] = "2026-03-30"
    config.save()
    run = record(PlanVersionFactory.create(config_version=config), result=fake_result(days=9))
    response = planner.get(f"/ui/runs/{run.run_id}", {"day_from": 1, "day_to": 2})
    assert response.context["psi"]["chart"]["labels"] == ["2026-03-31", "2026-04-01"]
    assert response.context["pl"]["chart"]["labels"] == ["2026-03-31", "2026-04-01"]
    html = response.content.decode()
    assert "Day 0 is" in html
    # Weeks are ISO weeks of that calendar: 2026-03-30 is a Monday.
    weekly = planner.get(f"/ui/runs/{run.run_id}", {"bucket": "week"}).context
    assert weekly["psi"]["chart"]["labels"] == ["2026-W14", "2026-W15"]


def test_run_detail_choosing_a_node_picks_an_item_stocked_there(planner):
    psi = pd.concat(
        [
            psi_frame(3, nodes=("DC-1",), items=("SKU-1",)),
            psi_frame(3, nodes=("STORE-9",), items=("SKU-2",)),
        ]
    )
    result = fake_result(days=3)
    result.psi = psi
    run = record(result=result)
    response = planner.get(f"/ui/runs/{run.run_id}", {"node": "STORE-9"})
    assert response.status_code == 200
    assert response.context["form"].cleaned_data["item"] == "SKU-2"
    assert not response.context["psi"]["empty"]
    assert '<option value="SKU-2" selected>' in response.content.decode()


def test_run_detail_query_count_is_bounded(planner, django_assert_max_num_queries):
    run = record(job=JobFactory.create(), result=fake_result(days=30))
    # session, user, the run, its PSI (read once for the choices and the table),
    # the start date, the result's row counts, the P&L, the permissions (two),
    # the plan's baseline (two), the notes, the history, the exceptions panel (counts by
    # kind, the stock-outs its root cause is built from).
    with django_assert_max_num_queries(15):
        response = planner.get(f"/ui/runs/{run.run_id}", {"bucket": "month"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"node": "NOWHERE"},
        {"bucket": "fortnight"},
        {"day_from": "-1"},
        {"day_from": "5", "day_to": "2"},
        {"day_to": "soon"},
    ],
)
def test_run_detail_bad_table_query_is_400_with_the_error(planner, params):
    run = record()
    response = planner.get(f"/ui/runs/{run.run_id}", params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="errorlist' in html
    assert 'data-testid="run-summary"' in html  # the rest of the page still shows


def test_run_detail_of_a_run_without_a_stored_result(planner):
    run = RunFactory.create()
    response = planner.get(f"/ui/runs/{run.run_id}")
    assert response.status_code == 200
    assert 'data-testid="psi-empty"' in response.content.decode()


def test_run_detail_offers_actions_only_with_permissions(planner, client):
    run = RunFactory.create()
    html = planner.get(f"/ui/runs/{run.run_id}").content.decode()
    assert 'data-testid="pin-run"' not in html and 'data-testid="delete-run"' not in html
    client.force_login(api_user("operator", "runs.change_run", "runs.delete_run"))
    html = client.get(f"/ui/runs/{run.run_id}").content.decode()
    assert 'data-testid="pin-run"' in html and 'data-testid="delete-run"' in html


# --- pin, unpin, delete ------------------------------------------------------------------


def test_pin_and_unpin_need_change_permission(planner):
    run = RunFactory.create()
    assert planner.post(f"/ui/runs/{run.run_id}/pin").status_code == 403
    run.refresh_from_db()
    assert run.pinned is False


def test_pin_and_unpin_are_posts_that_call_the_service(operator):
    run = RunFactory.create()
    assert operator.get(f"/ui/runs/{run.run_id}/pin").status_code == 405
    response = operator.post(f"/ui/runs/{run.run_id}/pin", follow=True)
    assert response.redirect_chain[-1][0] == f"/ui/runs/{run.run_id}"
    run.refresh_from_db()
    assert run.pinned is True
    assert "Run pinned" in response.content.decode()
    operator.post(f"/ui/runs/{run.run_id}/unpin")
    run.refresh_from_db()
    assert run.pinned is False


def test_pin_of_an_unknown_run_is_404(operator):
    assert operator.post(f"/ui/runs/{uuid.uuid4()}/pin").status_code == 404


@pytest.mark.parametrize(
    ("action", "data"),
    [("pin", {}), ("unpin", {}), ("archive", {}), ("unarchive", {}), ("tags", {"tags": "a"})],
)
def test_a_change_to_a_run_deleted_since_it_was_read_is_404_not_a_server_error(
    operator, monkeypatch, action, data
):
    # The view reads the run, then another request deletes it before the change is
    # written: the registry finds no row to update.
    run = RunFactory.create()
    stale = Run.objects.get(pk=run.pk)
    monkeypatch.setattr("runs.views.detail.selectors.run_get", lambda run_id: stale)
    Run.objects.filter(pk=run.pk).delete()
    response = operator.post(f"/ui/runs/{run.run_id}/{action}", data)
    assert response.status_code == 404
    assert f"No run {run.run_id}" in response.content.decode()
    assert not Run.objects.filter(pk=run.pk).exists()


def test_delete_asks_for_confirmation_then_deletes(operator):
    run = record()
    confirm = operator.get(f"/ui/runs/{run.run_id}/delete")
    assert confirm.status_code == 200
    assert 'data-testid="confirm-delete"' in confirm.content.decode()
    assert Run.objects.filter(pk=run.pk).exists()
    response = operator.post(f"/ui/runs/{run.run_id}/delete", follow=True)
    assert response.redirect_chain[-1][0] == "/ui/runs"
    assert not Run.objects.filter(pk=run.pk).exists()
    assert "deleted" in response.content.decode()


def test_delete_of_a_pinned_run_is_refused_with_the_service_message(operator):
    run = RunFactory.create(pinned=True)
    response = operator.post(f"/ui/runs/{run.run_id}/delete", follow=True)
    assert Run.objects.filter(pk=run.pk).exists()
    assert response.redirect_chain[-1][0] == f"/ui/runs/{run.run_id}"
    assert "is pinned; unpin it before deleting it." in response.content.decode()


def test_delete_confirmation_of_a_pinned_run_offers_unpin_not_delete(operator):
    run = RunFactory.create(pinned=True)
    html = operator.get(f"/ui/runs/{run.run_id}/delete").content.decode()
    assert 'data-testid="confirm-delete"' not in html
    assert 'data-testid="delete-pinned-note"' in html
    assert f'action="/ui/runs/{run.run_id}/unpin"' in html


def test_delete_needs_delete_permission(client):
    run = RunFactory.create()
    client.force_login(api_user("pinner", "runs.change_run"))
    assert client.get(f"/ui/runs/{run.run_id}/delete").status_code == 403
    assert client.post(f"/ui/runs/{run.run_id}/delete").status_code == 403
    assert Run.objects.filter(pk=run.pk).exists()


def test_actions_redirect_anonymous_users_to_login(client):
    run = RunFactory.create()
    response = client.post(f"/ui/runs/{run.run_id}/pin")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- comparison ---------------------------------------------------------------------


def _pair():
    pv = PlanVersionFactory.create()
    base = record(pv, result=fake_result(fill_rate=0.8, profit_total=100.0))
    other = record(pv, result=fake_result(fill_rate=0.9, profit_total=101.0))
    return base, other


def test_compare_shows_kpis_side_by_side_with_deltas_and_highlights(planner):
    base, other = _pair()
    response = planner.get("/ui/runs/compare", {"ids": f"{base.run_id},{other.run_id}"})
    assert response.status_code == 200
    rows = {row["kpi"]: row for row in response.context["kpi_rows"]}
    fill = rows["fill_rate"]["cells"][1]
    assert fill["value"] == "90.0 %"
    assert fill["delta"] == "+10.0 pp"
    assert fill["delta_pct"] == "+12.5 %"
    assert fill["significant"] is True  # default threshold 5 %
    assert rows["profit_total"]["cells"][1]["significant"] is False  # +1 %
    html = response.content.decode()
    assert "data-significant" in html
    assert 'data-testid="base-run"' in html
    # Each KPI says what it measures (issue 12).
    assert "Share of customer demand served on the day it arose." in html


def test_compare_differences_only_hides_equal_kpis(planner):
    base, other = _pair()
    ids = f"{base.run_id},{other.run_id}"
    everything = planner.get("/ui/runs/compare", {"ids": ids}).context["kpi_rows"]
    assert "avg_on_hand" in {row["kpi"] for row in everything}
    differing = planner.get("/ui/runs/compare", {"ids": ids, "differences_only": "on"})
    kpis = {row["kpi"] for row in differing.context["kpi_rows"]}
    assert kpis == {"fill_rate", "profit_total"}


def test_compare_against_another_base_and_threshold(planner):
    base, other = _pair()
    response = planner.get(
        "/ui/runs/compare",
        {"ids": f"{base.run_id},{other.run_id}", "base": str(other.run_id), "threshold": "50"},
    )
    assert response.status_code == 200
    assert response.context["base_id"] == str(other.run_id)
    fill = next(r for r in response.context["kpi_rows"] if r["kpi"] == "fill_rate")
    assert fill["cells"][0]["delta"] == "−10.0 pp" or fill["cells"][0]["delta"] == "-10.0 pp"
    assert fill["cells"][0]["significant"] is False


def test_compare_offers_the_kpis_as_csv_with_the_same_base_and_threshold(planner):
    base, other = _pair()
    ids = f"{base.run_id},{other.run_id}"
    response = planner.get(
        "/ui/runs/compare", {"ids": ids, "base": str(other.run_id), "threshold": "2"}
    )
    url = response.context["csv_url"]
    assert url.startswith("/runs/compare?")
    csv_response = planner.get(url)
    assert csv_response.status_code == 200
    rows = list(csv.reader(io.StringIO(csv_response.content.decode())))
    assert rows[0][:3] == ["kpi", str(base.run_id), str(other.run_id)]
    assert f"delta {base.run_id}" in rows[0]  # deltas against the chosen base


def test_compare_with_checkbox_ids_redirects_to_one_shareable_url(planner):
    base, other = _pair()
    response = planner.get(f"/ui/runs/compare?ids={base.run_id}&ids={other.run_id}")
    assert response.status_code == 302
    assert response["Location"] == f"/ui/runs/compare?ids={base.run_id}%2C{other.run_id}"


def test_compare_overlays_the_psi_of_each_run(planner):
    base, other = _pair()
    response = planner.get(
        "/ui/runs/compare",
        {"ids": f"{base.run_id},{other.run_id}", "node": "STORE-1", "metric": "sales"},
    )
    overlay = response.context["overlay"]
    assert len(overlay["chart"]["datasets"]) == 2
    assert overlay["chart"]["labels"] == ["0", "1", "2"]
    assert overlay["chart"]["datasets"][1]["data"] == [9.0, 9.0, 9.0]
    assert 'data-testid="overlay-chart"' in response.content.decode()


def test_compare_shows_what_differs_in_scenario_and_config(planner):
    base = record()
    pv = PlanVersionFactory.create(
        base_scenario=ScenarioFactory.create(name="Other", demand_scale=1.3)
    )
    other = record(pv)
    response = planner.get("/ui/runs/compare", {"ids": f"{base.run_id},{other.run_id}"})
    (diff,) = response.context["differences"]
    assert {c["field"] for c in diff["scenario"]} >= {"name", "demand_scale"}
    assert diff["config"]["to_config_version_id"] == other.config_version_id
    assert 'data-testid="differences-' in response.content.decode()


@pytest.mark.parametrize(
    "ids",
    [
        "",
        "not-a-uuid",
        "{a}",
        "{a},{a}",
        "{a},{missing}",
        ",".join(str(uuid.uuid4()) for _ in range(11)),
    ],
)
def test_compare_bad_ids_are_a_clear_message_not_an_error_page(planner, ids):
    a = RunFactory.create()
    ids = ids.format(a=a.run_id, missing=uuid.uuid4())
    response = planner.get("/ui/runs/compare", {"ids": ids})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="compare-error"' in html
    assert 'href="/ui/runs"' in html


def test_compare_of_far_too_many_runs_says_how_many_may_be_compared(planner):
    ids = ",".join(str(uuid.uuid4()) for _ in range(40))
    response = planner.get("/ui/runs/compare", {"ids": ids})
    assert response.status_code == 400
    assert "Compare at most 10 runs at a time." in response.content.decode()


def test_compare_with_a_base_outside_the_runs_is_400(planner):
    base, other = _pair()
    response = planner.get(
        "/ui/runs/compare", {"ids": f"{base.run_id},{other.run_id}", "base": str(uuid.uuid4())}
    )
    assert response.status_code == 400
    assert "The base run must be one of the compared runs." in response.content.decode()


@pytest.mark.parametrize(
    "params", [{"threshold": "-1"}, {"threshold": "lots"}, {"node": "NOWHERE"}, {"bucket": "x"}]
)
def test_compare_bad_settings_are_400_with_the_error(planner, params):
    base, other = _pair()
    response = planner.get("/ui/runs/compare", {"ids": f"{base.run_id},{other.run_id}", **params})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()


def test_compare_query_count_is_bounded(planner, django_assert_max_num_queries):
    runs = [record() for _ in range(3)]
    ids = ",".join(str(r.run_id) for r in runs)
    # session, user, the runs, config documents, the base's PSI keys, then per
    # run its PSI (the overlay): a fixed cost plus one query per compared run.
    # + the unread-notifications badge, the plan's baseline (its plan, the run).
    with django_assert_max_num_queries(9 + len(runs)):
        assert planner.get("/ui/runs/compare", {"ids": ids}).status_code == 200


def test_compare_chart_data_is_embedded_as_json(planner):
    base, other = _pair()
    html = planner.get("/ui/runs/compare", {"ids": f"{base.run_id},{other.run_id}"})
    text = html.content.decode()
    start = text.index('<script id="overlay-chart-data" type="application/json">') + len(
        '<script id="overlay-chart-data" type="application/json">'
    )
    data = json.loads(text[start : text.index("</script>", start)])
    assert data["type"] == "line" and len(data["datasets"]) == 2


@pytest.mark.reference
def test_every_run_kpi_has_a_label_and_a_one_line_definition(reference_dir):
    # Issue 12: no KPI reaches a planner as its raw key, and each says what it measures.
    from runs.kpis import DEFINITIONS, LABELS
    from scpln.engine.canonical import load_config
    from scpln.engine.psi import simulate

    config = load_config(reference_dir / "canonical" / "multi_node_sample_3Mths.json")
    kpis = simulate(config).kpis
    assert set(kpis) <= set(LABELS)
    assert set(LABELS) == set(DEFINITIONS)
    assert all("\n" not in str(text) for text in DEFINITIONS.values())
