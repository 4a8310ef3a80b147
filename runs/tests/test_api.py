"""The /runs API: history with plan_version_id, detail and links, pin, delete,
PSI/P&L/trace tables, comparison, auth, errors and query counts."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.api.testing import api_user, token_client
from plans.tests.factories import PlanVersionFactory
from runs import services
from runs.models import Run
from runs.tests.factories import fake_result, record
from scenarios.tests.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


def _history(n: int, pv=None, **kwargs):
    pv = pv or PlanVersionFactory.create()
    start = timezone.now() - timedelta(hours=1)
    return [record(pv, started_at=start + timedelta(minutes=i), **kwargs) for i in range(n)]


# --- auth -------------------------------------------------------------------------


def test_anonymous_request_is_401_with_a_token_challenge(client):
    response = client.get("/runs")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert set(response.json()) == {"detail"}


def test_bad_token_is_401(client):
    response = client.get("/runs", HTTP_AUTHORIZATION="Token nope")
    assert response.status_code == 401


def test_session_login_reads_the_api(client, reader):
    client.force_login(reader)
    assert client.get("/runs").status_code == 200


def test_token_endpoint_exchanges_credentials_for_the_token(client):
    api_user("owner", password="pw-not-used-1")
    response = client.post(
        "/api/token",
        {"username": "owner", "password": "pw-not-used-1"},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert client.get("/runs", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    wrong = client.post(
        "/api/token", {"username": "owner", "password": "x"}, content_type="application/json"
    )
    assert wrong.status_code == 400 and "non_field_errors" in wrong.json()


# --- list -------------------------------------------------------------------------


def test_run_list_filters_by_plan_version_with_plan_version_id_top_level(reader_client):
    mine = _history(3)
    _history(2)  # another plan version
    pv = mine[0].plan_version_id
    body = reader_client.get("/runs", {"plan_version_id": pv}).json()
    assert body["count"] == 3
    assert [row["run_id"] for row in body["results"]] == [str(r.run_id) for r in reversed(mine)]
    row = body["results"][0]
    assert row["plan_version_id"] == pv
    assert row["scenario_id"] == mine[0].scenario_id
    assert row["scenario_name"] == mine[0].scenario.name
    assert row["config_version_id"] == mine[0].config_version_id
    assert row["fill_rate"] == 0.9 and row["profit_total"] == 120.0
    assert row["url"].endswith(f"/runs/{mine[0].run_id}") or row["url"].endswith(
        f"/runs/{mine[-1].run_id}"
    )


def test_run_list_filters_by_scenario_name_case_insensitively_and_by_ids(reader_client):
    pv = PlanVersionFactory.create(base_scenario=ScenarioFactory.create(name="Peak Season 2026"))
    hits = _history(2, pv)
    _history(2)
    body = reader_client.get("/runs", {"scenario_name": "peak SEASON"}).json()
    assert {r["run_id"] for r in body["results"]} == {str(r.run_id) for r in hits}
    for param, value in (
        ("scenario_id", pv.base_scenario_id),
        ("config_version_id", pv.config_version_id),
        ("plan_id", pv.plan_id),
    ):
        assert reader_client.get("/runs", {param: value}).json()["count"] == 2, param


def test_run_list_filters_by_pinned_status_and_start_time(reader_client):
    runs = _history(4)
    services.run_pin(run=runs[1])
    assert [r["run_id"] for r in reader_client.get("/runs?pinned=true").json()["results"]] == [
        str(runs[1].run_id)
    ]
    assert reader_client.get("/runs?pinned=false").json()["count"] == 3
    assert reader_client.get("/runs?status=succeeded").json()["count"] == 4
    # Only finished runs are recorded: another status is a refused filter, not an empty list.
    refused = reader_client.get("/runs?status=failed")
    assert refused.status_code == 400 and "status" in refused.json()
    after = (runs[2].started_at).isoformat()
    body = reader_client.get("/runs", {"started_after": after}).json()
    assert {r["run_id"] for r in body["results"]} == {str(runs[2].run_id), str(runs[3].run_id)}
    body = reader_client.get("/runs", {"started_before": after}).json()
    assert body["count"] == 2


def test_run_list_orders_by_kpis_and_duration(reader_client):
    pv = PlanVersionFactory.create()
    for rate in (0.5, 0.9, 0.7):
        record(pv, result=fake_result(fill_rate=rate))

    def rates(ordering):
        rows = reader_client.get("/runs", {"ordering": ordering}).json()["results"]
        return [row["fill_rate"] for row in rows]

    assert rates("fill_rate") == [0.5, 0.7, 0.9]
    assert rates("-fill_rate") == [0.9, 0.7, 0.5]
    assert reader_client.get("/runs?ordering=duration_ms,-profit_total").status_code == 200


def test_run_list_pages_are_stable_with_a_total_even_when_start_times_tie(reader_client):
    pv = PlanVersionFactory.create()
    same = timezone.now()
    runs = [record(pv, started_at=same) for _ in range(7)]
    seen = []
    for page in (1, 2, 3):
        body = reader_client.get("/runs", {"page_size": 3, "page": page}).json()
        assert body["count"] == 7
        seen += [row["run_id"] for row in body["results"]]
    assert sorted(seen) == sorted(str(r.run_id) for r in runs)
    again = reader_client.get("/runs", {"page_size": 3, "page": 2}).json()["results"]
    assert [r["run_id"] for r in again] == seen[3:6]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("pinned=banana", "pinned"),
        ("status=exploded", "status"),
        ("scenario_id=abc", "scenario_id"),
        ("scenario_id=99999999999999999999999", "scenario_id"),
        ("config_version_id=-1", "config_version_id"),
        ("started_after=yesterday", "started_after"),
        ("ordering=password", "ordering"),
        ("plan_version_id=" + "x" * 41, "plan_version_id"),
        ("plan_version_id=a%00b", "plan_version_id"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page_size=0", "page_size"),
        ("page_size=100000", "page_size"),
    ],
)
def test_bad_list_parameters_are_400_naming_the_parameter(reader_client, query, field):
    response = reader_client.get(f"/runs?{query}")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_page_past_the_end_is_404(reader_client):
    _history(1)
    assert reader_client.get("/runs?page=5").status_code == 404


def test_run_list_query_count_does_not_grow_with_page_size_and_skips_results(
    reader_client, django_assert_max_num_queries
):
    _history(3)
    with CaptureQueriesContext(connection) as small:
        reader_client.get("/runs?page_size=2")
    _history(40)
    with django_assert_max_num_queries(len(small)), CaptureQueriesContext(connection) as big:
        body = reader_client.get("/runs?page_size=40").json()
    assert len(body["results"]) == 40
    sql = " ".join(q["sql"] for q in big.captured_queries)
    assert "runs_runresult" not in sql  # no PSI bytes
    assert '"summary"' not in sql  # nor the KPI JSON


# --- detail, pin, delete ------------------------------------------------------------


def test_run_detail_carries_plan_version_id_kpis_result_info_and_links(reader_client):
    run = record()
    pv = run.plan_version
    assert pv is not None
    body = reader_client.get(f"/runs/{run.run_id}").json()
    assert body["run_id"] == str(run.run_id)
    assert body["plan_version_id"] == pv.plan_version_id
    assert body["plan_id"] == pv.plan_id and body["plan_name"] == pv.plan.name
    assert body["summary"]["costs"]["storage"] == 4.5
    assert body["result"] == {
        "schema_version": "psi-1",
        "psi_rows": 6,
        "pl_rows": 3,
        "trace_rows": 6,
    }
    links = body["links"]
    assert links["plan_version"].endswith(f"/plans/{pv.plan_version_id}")
    assert links["scenario"].endswith(f"/scenarios/{run.scenario_id}")
    assert links["config_version"].endswith(f"/configs/{run.config_version_id}")
    assert links["psi"].endswith(f"/runs/{run.run_id}/psi")
    assert links["ui_plan_version"].endswith(f"/ui/plans/{pv.plan_version_id}")
    assert links["job"] is None


def test_unknown_or_malformed_run_id_is_a_json_404(reader_client):
    for run_id in (uuid.uuid4(), "not-a-uuid"):
        response = reader_client.get(f"/runs/{run_id}")
        assert response.status_code == 404
        assert "detail" in response.json()


def test_pin_needs_change_permission_and_unpin_releases(db):
    run = record()
    assert token_client(api_user("r")).post(f"/runs/{run.run_id}/pin").status_code == 403
    writer = token_client(api_user("w", "runs.change_run"))
    response = writer.post(f"/runs/{run.run_id}/pin")
    assert response.status_code == 200 and response.json()["pinned"] is True
    assert Run.objects.get(pk=run.pk).pinned
    assert writer.post(f"/runs/{run.run_id}/unpin").json()["pinned"] is False
    assert writer.get(f"/runs/{run.run_id}/pin").status_code == 405


def test_delete_needs_delete_permission_and_refuses_pinned_runs(db):
    run = record()
    assert token_client(api_user("r")).delete(f"/runs/{run.run_id}").status_code == 403
    deleter = token_client(api_user("d", "runs.delete_run"))
    services.run_pin(run=run)
    refused = deleter.delete(f"/runs/{run.run_id}")
    assert refused.status_code == 400 and "pinned" in refused.json()
    services.run_unpin(run=run)
    assert deleter.delete(f"/runs/{run.run_id}").status_code == 204
    gone = deleter.get(f"/runs/{run.run_id}")
    assert gone.status_code == 410 and gone.json()["reason"] == "deleted"


# --- tables -------------------------------------------------------------------------


def test_psi_rows_filtered_by_node_item_and_day_range_in_json_pages(reader_client):
    run = record(result=fake_result(days=10))
    body = reader_client.get(
        f"/runs/{run.run_id}/psi",
        {"node": "STORE-1", "item": "SKU-1", "day_from": 2, "day_to": 5, "page_size": 3},
    ).json()
    assert body["count"] == 4
    assert body["columns"][:3] == ["day", "node", "item"]
    assert [row["day"] for row in body["results"]] == [2, 3, 4]
    assert {row["node"] for row in body["results"]} == {"STORE-1"}
    assert body["next"] is not None


def test_psi_by_week_sums_flows_and_takes_stocks_at_the_period_end(reader_client):
    # Day 0 = 2025-01-01 (a Wednesday): ISO week 2025-W01 holds days 0..4.
    run = record(result=fake_result(days=10))
    rows = reader_client.get(f"/runs/{run.run_id}/psi", {"bucket": "week", "node": "DC-1"}).json()[
        "results"
    ]
    assert [(r["period"], r["day_first"], r["day_last"]) for r in rows] == [
        ("2025-W01", 0, 4),
        ("2025-W02", 5, 9),
    ]
    first = rows[0]
    assert first["demand"] == 50.0  # 5 days × 10, summed
    assert first["receipts"] == 0 + 1 + 2 + 3 + 4
    assert first["on_hand"] == 104.0  # closing balance of day 4
    assert first["in_transit"] == 20.0 and first["backlog"] == 0.0


def test_psi_by_month_and_the_pl_table(reader_client):
    run = record(result=fake_result(days=40))
    months = reader_client.get(f"/runs/{run.run_id}/pl", {"bucket": "month"}).json()["results"]
    assert [(m["period"], m["day_first"], m["day_last"], m["revenue"]) for m in months] == [
        ("2025-01", 0, 30, 3100.0),
        ("2025-02", 31, 39, 900.0),
    ]
    trace = reader_client.get(f"/runs/{run.run_id}/trace", {"bucket": "month"}).json()
    assert {(r["account"], r["amount"]) for r in trace["results"] if r["period"] == "2025-02"} == {
        ("storage", 13.5),
        ("transport", 13.5),
    }


def test_psi_csv_download_has_every_filtered_row(reader_client):
    run = record(result=fake_result(days=700))  # 1400 rows: more than a JSON page
    response = reader_client.get(f"/runs/{run.run_id}/psi", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1400 and rows[0]["node"] == "DC-1"
    weekly = reader_client.get(
        f"/runs/{run.run_id}/psi", {"format": "csv", "bucket": "week", "node": "DC-1"}
    )
    assert weekly.content.decode().splitlines()[0].startswith("period,day_first,day_last,node")


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("psi", {"bucket": "year"}, "bucket"),
        ("psi", {"day_from": 5, "day_to": 2}, "day_to"),
        ("psi", {"day_from": -1}, "day_from"),
        ("pl", {"item": "SKU-1"}, "item"),
        ("pl", {"node": "DC-1"}, "node"),
        ("psi", {"day_to": "soon"}, "day_to"),
    ],
)
def test_bad_table_parameters_are_400_naming_the_parameter(reader_client, path, query, field):
    run = record()
    response = reader_client.get(f"/runs/{run.run_id}/{path}", query)
    assert response.status_code == 400
    assert field in response.json()


def test_table_errors_are_json_even_when_csv_was_asked(reader_client):
    run = record()
    response = reader_client.get(f"/runs/{run.run_id}/psi", {"format": "csv", "bucket": "x"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "bucket" in response.json()


# --- compare ------------------------------------------------------------------------


def test_compare_two_runs_side_by_side_with_deltas_and_threshold(reader_client):
    a = record(result=fake_result(fill_rate=0.8, profit_total=100.0, shortage_total=0.0))
    b = record(result=fake_result(fill_rate=0.84, profit_total=150.0, shortage_total=2.0))
    body = reader_client.get(
        "/runs/compare", {"ids": f"{a.run_id},{b.run_id}", "threshold": 10}
    ).json()
    assert body["base"] == str(a.run_id)
    assert [r["run_id"] for r in body["runs"]] == [str(a.run_id), str(b.run_id)]
    kpis = {row["kpi"]: row for row in body["kpis"]}
    assert list(kpis)[:2] == ["fill_rate", "cycle_service_level"]
    bid = str(b.run_id)
    assert kpis["profit_total"]["delta"][bid] == 50.0
    assert kpis["profit_total"]["delta_pct"][bid] == 50.0
    assert kpis["profit_total"]["significant"][bid] is True
    assert kpis["fill_rate"]["delta_pct"][bid] == pytest.approx(5.0)
    assert kpis["fill_rate"]["significant"][bid] is False
    # Base 0: percent change undefined (null), any change significant.
    assert kpis["shortage_total"]["delta_pct"][bid] is None
    assert kpis["shortage_total"]["significant"][bid] is True
    assert "costs.storage" in kpis
    diff = body["differences"][0]
    assert diff["run_id"] == bid
    assert diff["config"] is not None  # different config versions
    assert any(change["field"] == "name" for change in diff["scenario"])


def test_compare_with_a_chosen_base_and_as_csv(reader_client):
    a, b, c = _history(3)
    response = reader_client.get(
        "/runs/compare",
        {"ids": f"{a.run_id},{b.run_id},{c.run_id}", "base": str(c.run_id), "format": "csv"},
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    header, *rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert header[:4] == ["kpi", str(a.run_id), str(b.run_id), str(c.run_id)]
    assert f"delta {a.run_id}" in header and f"delta {c.run_id}" not in header
    assert rows[0][0] == "fill_rate"


@pytest.mark.parametrize(
    ("make_query", "field"),
    [
        (lambda a, b: {"ids": str(a)}, "ids"),
        (lambda a, b: {"ids": f"{a},{a}"}, "ids"),
        (lambda a, b: {"ids": f"{a},{uuid.uuid4()}"}, "ids"),
        (lambda a, b: {"ids": f"{a},banana"}, "ids"),
        (lambda a, b: {"ids": f"{a},{b}", "base": str(uuid.uuid4())}, "base"),
        (lambda a, b: {"ids": f"{a},{b}", "threshold": "-1"}, "threshold"),
        (lambda a, b: {}, "ids"),
    ],
)
def test_bad_compare_requests_are_400_naming_the_parameter(reader_client, make_query, field):
    a, b = _history(2)
    response = reader_client.get("/runs/compare", make_query(a.run_id, b.run_id))
    assert response.status_code == 400
    assert field in response.json()


# --- memory backend through the API -------------------------------------------------


def test_memory_backend_serves_the_same_api(reader_client, memory_registry):
    runs = _history(3)
    assert not Run.objects.exists()
    body = reader_client.get("/runs", {"plan_version_id": runs[0].plan_version_id}).json()
    assert body["count"] == 3 and body["results"][0]["run_id"] == str(runs[-1].run_id)
    detail = reader_client.get(f"/runs/{runs[0].run_id}").json()
    assert detail["plan_version_id"] == runs[0].plan_version_id
    psi = reader_client.get(f"/runs/{runs[0].run_id}/psi", {"bucket": "week"})
    assert psi.status_code == 200 and psi.json()["count"] == 2
