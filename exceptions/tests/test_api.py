"""GET /runs/{run_id}/exceptions and /plans/{plan_version_id}/exceptions: filters,
ordering, pages, CSV, errors naming the parameter, counts in the detail responses."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from core.api.testing import api_user, token_client
from runs.models import Run
from runs.tests.factories import record
from scpln.engine.canonical import load_config
from scpln.engine.psi import simulate

pytestmark = [pytest.mark.django_db, pytest.mark.reference]


@pytest.fixture
def client_(db):
    return token_client(api_user("reader"))


@pytest.fixture
def six_month_run(db, reference_dir) -> Run:
    config = load_config(reference_dir / "canonical" / "multi_node_sample_6Mths.json")
    return record(result=simulate(config))


def test_a_run_lists_its_exceptions_most_severe_first_with_a_link_to_the_psi(
    client_, six_month_run
) -> None:
    response = client_.get(f"/runs/{six_month_run.run_id}/exceptions")
    assert response.status_code == 200
    body = response.json()
    rows = body["results"]
    ranks = [{"high": 3, "medium": 2, "low": 1}[r["severity"]] for r in rows]
    assert ranks == sorted(ranks, reverse=True)
    tyo = next(
        r for r in rows if (r["kind"], r["node"], r["item"]) == ("stockout", "STORE-TYO", "SKU-A")
    )
    assert tyo["first_date"] == "2025-03-10" and tyo["first_day"] == 68
    assert tyo["cause"] == "component nothing supplies: FACTORY-1/COMP-X"
    assert tyo["kind_label"] == "Stock-out"
    assert f"/ui/runs/{six_month_run.run_id}?" in tyo["url"]
    assert "node=STORE-TYO" in tyo["url"] and "item=SKU-A" in tyo["url"]
    assert "day_from=61" in tyo["url"] and tyo["url"].endswith("#psi")


def test_filters_narrow_the_list_by_kind_node_item_severity_and_period(
    client_, six_month_run
) -> None:
    url = f"/runs/{six_month_run.run_id}/exceptions"
    unsourced = client_.get(url, {"kind": "unsourced_component", "severity": "high"}).json()
    assert {(r["node"], r["item"]) for r in unsourced["results"]} == {
        ("FACTORY-1", "COMP-X"),
        ("FACTORY-3", "COMP-Z"),
        ("FACTORY-4", "COMP-W"),
    }
    at_tyo = client_.get(url, {"node": "STORE-TYO", "kind": "stockout"}).json()["results"]
    assert {r["item"] for r in at_tyo} == {"SKU-A", "SKU-B"}
    # Stock-outs that started by the end of February 2025: only Mexico City's SKU-B (Feb 9).
    early = client_.get(url, {"kind": "stockout", "period_to": "2025-02-28"}).json()["results"]
    assert [(r["node"], r["item"]) for r in early] == [("STORE-MEX", "SKU-B")]
    # Still open on the last days: Los Angeles' SKU-C (June 28–29) among them.
    late = client_.get(url, {"kind": "stockout", "period_from": "2025-06-28"}).json()["results"]
    assert ("STORE-LA", "SKU-C") in {(r["node"], r["item"]) for r in late}


def test_ordering_by_quantity_and_pages(client_, six_month_run) -> None:
    url = f"/runs/{six_month_run.run_id}/exceptions"
    body = client_.get(url, {"ordering": "-quantity", "page_size": 5}).json()
    quantities = [r["quantity"] for r in body["results"]]
    assert quantities == sorted(quantities, reverse=True) and len(quantities) == 5
    every = client_.get(url, {"page_size": 500}).json()
    assert body["count"] == every["count"] == len(every["results"])
    assert max(r["quantity"] for r in every["results"]) == quantities[0]


def test_csv_has_every_filtered_exception(client_, six_month_run) -> None:
    url = f"/runs/{six_month_run.run_id}/exceptions"
    response = client_.get(url, {"format": "csv", "kind": "stockout"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == client_.get(url, {"kind": "stockout"}).json()["count"] == 7
    assert {"kind", "node", "item", "first_date", "quantity", "value", "cause", "url"} <= set(
        rows[0]
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "meltdown"}, "kind"),
        ({"severity": "urgent"}, "severity"),
        ({"period_from": "yesterday"}, "period_from"),
        ({"ordering": "colour"}, "ordering"),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(client_, six_month_run, params, field) -> None:
    response = client_.get(f"/runs/{six_month_run.run_id}/exceptions", params)
    assert response.status_code == 400
    assert field in response.json()


def test_unknown_run_or_plan_version_is_404(client_) -> None:
    assert client_.get(f"/runs/{uuid.uuid4()}/exceptions").status_code == 404
    assert client_.get("/runs/not-a-run/exceptions").status_code == 404
    assert client_.get("/plans/PV-NOPE/exceptions").status_code == 404


def test_anonymous_is_refused(client, six_month_run) -> None:
    assert client.get(f"/runs/{six_month_run.run_id}/exceptions").status_code == 401


def test_the_run_detail_counts_exceptions_by_kind(client_, six_month_run) -> None:
    counts = client_.get(f"/runs/{six_month_run.run_id}").json()["exception_counts"]
    listed = client_.get(f"/runs/{six_month_run.run_id}/exceptions", {"page_size": 500}).json()
    expected: dict[str, int] = {}
    for row in listed["results"]:
        expected[row["kind"]] = expected.get(row["kind"], 0) + 1
    assert counts == expected and counts["stockout"] == 7


def test_the_plan_version_lists_its_plans_and_its_runs_exceptions(client_, six_month_plan) -> None:
    version, run = six_month_plan
    body = client_.get(f"/plans/{version.pk}/exceptions", {"page_size": 500}).json()
    kinds = {r["kind"] for r in body["results"]}
    assert {"unreachable_demand", "stockout", "unsourced_component"} <= kinds
    owners = {r["run_id"] for r in body["results"]}
    assert owners == {None, str(run.run_id)}
    counts = client_.get(f"/plans/{version.pk}").json()["exception_counts"]
    assert sum(counts.values()) == body["count"]


def test_listing_exceptions_takes_a_fixed_number_of_queries(
    client_, six_month_run, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(8):
        client_.get(f"/runs/{six_month_run.run_id}/exceptions", {"page_size": 500})
