"""The workbench API: the grid (levels, filters, paging, CSV), edits and locks (drafts,
revisions, distribution, refusals, one transaction) and the audit trail."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import numpy as np
import pytest

from core.api.testing import api_user, token_client
from plans.models import CellEdit, CellLock, PlanArtifact, PlanVersion, Workbench
from plans.services.artifacts import artifact_write
from plans.tests.factories import PlanVersionFactory
from scpln.engine.planning import default_parameters, generate_planning_inputs, run_pipeline

pytestmark = pytest.mark.django_db

# 2 families × 3 SKUs over Jan–Mar 2025: 14 ISO weeks, W05 and W09 straddle two months.
FAMILIES, SKUS_PER_FAMILY = 2, 3


def executed_version(**fields) -> PlanVersion:
    """An executed plan version whose tables the engine made (no job, no simulation)."""
    inputs = generate_planning_inputs(
        families=FAMILIES, skus_per_family=SKUS_PER_FAMILY, periods=3, seed=3
    )
    result = run_pipeline(inputs, default_parameters(inputs))
    version = PlanVersionFactory.create(**{"state": PlanVersion.State.EXECUTED, **fields})
    for kind, frames in result.artifacts().items():
        for name, frame in frames.items():
            artifact_write(plan_version=version, kind=kind, name=name, frame=frame)
    return version


@pytest.fixture
def version():
    return executed_version()


@pytest.fixture
def planner():
    return token_client(api_user("planner", "plans.change_planversion"))


@pytest.fixture
def reader():
    return token_client(api_user("reader"))


def url(version, tail="psi"):
    return f"/plans/{version.pk}/{tail}"


def grid(client, version, **params):
    response = client.get(url(version), params)
    assert response.status_code == 200, response.content
    return response.json()


def cell(body, key, measure, period):
    row = next(r for r in body["rows"] if r["key"] == key and r["measure"] == measure)
    return row["values"][period]


def test_detail_grid_has_a_row_per_sku_and_measure_with_weeks_in_calendar_order(reader, version):
    body = grid(reader, version)
    assert body["level"] == "detail"
    assert body["revision"] == 0
    assert body["count"] == FAMILIES * SKUS_PER_FAMILY
    assert [p["period"] for p in body["periods"]][:3] == ["2025-W01", "2025-W02", "2025-W03"]
    assert body["periods"][0]["partial"] is True  # 1–5 January: a short first week
    assert {r["measure"] for r in body["rows"]} == {
        "demand",
        "production",
        "receipts",
        "closing_stock",
        "backlog",
        "target_stock",
    }
    openings = {r["measure"]: r["opening"] for r in body["rows"] if r["key"] == "sku:S00001"}
    assert openings["target_stock"] is None  # the opening column is the stock on hand
    assert openings["closing_stock"] is not None
    sku_week = _table(version, "sku_week")
    expected = sku_week.query("sku == 'S00001' and week == '2025-W02'")["demand"].item()
    assert cell(body, "sku:S00001", "demand", "2025-W02") == pytest.approx(expected)


def test_aggregate_rows_are_the_sum_of_their_detail_rows(reader, version):
    body = grid(reader, version, level="aggregate")
    assert [p["period"] for p in body["periods"]] == ["2025-01", "2025-02", "2025-03"]
    sku_week = _table(version, "sku_week")
    # January holds W01–W05 (W05's Thursday, 30 January, is in January).
    january = sku_week[(sku_week["family"] == "F0001") & (sku_week["week_index"] <= 4)]
    assert cell(body, "family:F0001", "production", "2025-01") == pytest.approx(
        january["production"].sum()
    )
    row = next(r for r in body["rows"] if r["key"] == "family:F0001" and r["measure"] == "demand")
    assert row["total"] == pytest.approx(sku_week.query("family == 'F0001'")["demand"].sum())


def test_backlog_is_read_only_by_sku_week_and_the_family_month_is_its_skus_month_end(
    reader, planner
):
    # Short capacity: the plan leaves demand unserved for weeks.
    inputs = generate_planning_inputs(
        families=FAMILIES, skus_per_family=SKUS_PER_FAMILY, periods=3, seed=3
    )
    inputs = replace(inputs, capacity=inputs.capacity.assign(capacity=lambda c: c.capacity / 3))
    result = run_pipeline(inputs, default_parameters(inputs))
    version = PlanVersionFactory.create(state=PlanVersion.State.EXECUTED)
    for kind, frames in result.artifacts().items():
        for name, frame in frames.items():
            artifact_write(plan_version=version, kind=kind, name=name, frame=frame)
    plan = result.final.plan_final
    sold = plan[plan["level"] == 0]
    assert sold["backlog"].max() > 0
    detail = grid(reader, version, page_size=100)
    for row in (r for r in detail["rows"] if r["measure"] == "backlog"):
        assert row["editable"] is False
        mine = sold[sold["item"] == row["sku"]].sort_values("week_index")
        assert list(row["values"].values()) == pytest.approx(mine["backlog"].tolist(), abs=1e-9)
    # January's last ISO week is W05 (its Thursday is 30 January).
    january_end = sold[(sold["family"] == "F0001") & (sold["week"] == "2025-W05")]
    aggregate = grid(reader, version, level="aggregate")
    assert cell(aggregate, "family:F0001", "backlog", "2025-01") == pytest.approx(
        january_end["backlog"].sum()
    )
    refused = planner.patch(
        url(version),
        {
            "revision": 0,
            "edits": [
                {"key": "sku:S00001", "measure": "backlog", "period": "2025-W02", "value": 0}
            ],
        },
        format="json",
    )
    assert refused.status_code == 400 and "edits" in refused.json()


def test_filters_and_paging(reader, version):
    assert grid(reader, version, family="F0002")["count"] == SKUS_PER_FAMILY
    assert grid(reader, version, sku="S00002")["count"] == 1
    assert grid(reader, version, q="s0000")["count"] == 6
    page = grid(reader, version, page=2, page_size=4)
    assert page["count"] == 6
    assert len({r["key"] for r in page["rows"]}) == 2
    narrow = grid(reader, version, period_from="2025-W03", period_to="2025-W04")
    assert [p["period"] for p in narrow["periods"]] == ["2025-W03", "2025-W04"]
    february = grid(reader, version, period_from="2025-02", period_to="2025-02")
    assert [p["period"] for p in february["periods"]] == [
        "2025-W06",
        "2025-W07",
        "2025-W08",
        "2025-W09",
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": "monthly"}, "level"),
        ({"page_size": "0"}, "page_size"),
        ({"page": "x"}, "page"),
        ({"period_from": "2031-W01"}, "period_from"),
    ],
)
def test_bad_grid_parameters_are_400_naming_the_parameter(reader, version, params, field):
    response = reader.get(url(version), params)
    assert response.status_code == 400
    assert field in response.json()


def test_grid_as_csv_holds_every_row_of_the_filter(reader, version):
    response = reader.get(url(version), {"format": "csv", "family": "F0001", "page_size": "1"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:7] == ["key", "level", "family", "sku", "node", "measure", "opening"]
    assert rows[0][-1] == "total"
    assert len(rows) == 1 + SKUS_PER_FAMILY * 6 + 2  # and the node's capacity and load


def test_first_edit_makes_a_draft_child_and_leaves_the_parent_alone(planner, version):
    before = cell(grid(planner, version), "sku:S00001", "demand", "2025-W03")
    response = planner.patch(
        url(version),
        {
            "revision": 0,
            "edits": [
                {"key": "sku:S00001", "measure": "demand", "period": "2025-W03", "value": 40}
            ],
            "note": "promotion",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    draft = PlanVersion.objects.get(pk=body["plan_version_id"])
    assert draft.pk != version.pk
    assert (draft.parent_id, draft.state, body["revision"]) == (
        version.pk,
        PlanVersion.State.DRAFT,
        1,
    )
    assert body["changed"] == [
        {
            "key": "sku:S00001",
            "measure": "demand",
            "period": "2025-W03",
            "old": pytest.approx(before),
            "new": 40.0,
        }
    ]
    assert cell(grid(planner, draft), "sku:S00001", "demand", "2025-W03") == 40.0
    assert cell(grid(planner, version), "sku:S00001", "demand", "2025-W03") == before
    # The parent's grid points at the draft its edits now go to.
    assert grid(planner, version)["draft_plan_version_id"] == draft.pk
    events = planner.get(url(draft, "psi/events")).json()
    edit = next(e for e in events if e["action"] == "psi_edit")
    assert edit["actor"] == "planner"
    assert edit["reason"] == "promotion"
    assert edit["data"]["cells"][0]["new"] == 40.0


def _draft(planner, version):
    response = planner.patch(
        url(version),
        {"revision": 0, "locks": [{"key": "sku:S00006", "period": None, "locked": True}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    return PlanVersion.objects.get(pk=response.json()["plan_version_id"])


def test_family_edit_is_distributed_over_unlocked_cells_and_keeps_locked_ones(planner, version):
    draft = _draft(planner, version)
    locked_before = 100.0
    # Edits first, then locks: one PATCH sets a cell and locks it.
    response = planner.patch(
        url(draft),
        {
            "revision": 1,
            "edits": [
                {"key": "sku:S00001", "measure": "production", "period": "2025-W06", "value": 100}
            ],
            "locks": [{"key": "sku:S00001", "period": "2025-W06", "locked": True}],
        },
        format="json",
    )
    assert response.status_code == 200
    response = planner.patch(
        url(draft),
        {
            "revision": 2,
            "edits": [
                {"key": "family:F0001", "measure": "production", "period": "2025-02", "value": 1000}
            ],
            "distribute": {"mode": "equal", "round_step": 1},
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    detail = grid(planner, draft, family="F0001", period_from="2025-02", period_to="2025-02")
    cells = [
        v for r in detail["rows"] if r["measure"] == "production" for v in r["values"].values()
    ]
    assert sum(cells) == pytest.approx(1000)  # aggregate = Σ detail, to the unit
    assert cell(detail, "sku:S00001", "production", "2025-W06") == locked_before
    unlocked = [v for v in cells if v != locked_before]
    assert all(float(v).is_integer() for v in unlocked)
    assert max(unlocked) - min(unlocked) <= 1  # equal, the leftover units one each
    aggregate = grid(planner, draft, level="aggregate", family="F0001")
    assert cell(aggregate, "family:F0001", "production", "2025-02") == pytest.approx(1000)


def test_impossible_target_is_refused_naming_locked_cells_and_nothing_changes(planner, version):
    draft = _draft(planner, version)
    planner.patch(
        url(draft),
        {"revision": 1, "locks": [{"key": "sku:S00002", "period": None, "locked": True}]},
        format="json",
    )
    locked_total = sum(
        cell(grid(planner, draft, sku="S00002"), "sku:S00002", "demand", w)
        for w in ("2025-W06", "2025-W07", "2025-W08", "2025-W09")
    )
    edits_before = CellEdit.objects.count()
    response = planner.patch(
        url(draft),
        {
            "revision": 2,
            "edits": [
                {"key": "sku:S00001", "measure": "demand", "period": "2025-W02", "value": 5},
                {"key": "family:F0001", "measure": "demand", "period": "2025-02", "value": 1},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    message = response.json()["edits"][0]
    assert "sku:S00002 2025-W06" in message
    assert f"{locked_total - 1:g}" in message
    assert CellEdit.objects.count() == edits_before  # the first edit was not applied either
    assert Workbench.objects.get(pk=draft.pk).revision == 2


def test_edit_of_a_locked_cell_comes_back_refused(planner, version):
    draft = _draft(planner, version)
    response = planner.patch(
        url(draft),
        {
            "revision": 1,
            "edits": [{"key": "sku:S00006", "measure": "demand", "period": "2025-W02", "value": 1}],
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["refused"][0]["reason"] == "locked"
    assert response.json()["changed"] == []


def test_stale_revision_is_409_with_the_current_values(planner, version):
    draft = _draft(planner, version)
    edit = {"key": "sku:S00001", "measure": "demand", "period": "2025-W02", "value": 7}
    assert (
        planner.patch(url(draft), {"revision": 1, "edits": [edit]}, format="json").status_code
        == 200
    )
    stale = planner.patch(
        url(draft), {"revision": 1, "edits": [{**edit, "value": 9}]}, format="json"
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["revision"] == 2
    assert body["current"] == [{**edit, "value": 7.0}]
    # A second planner editing the parent meanwhile is sent to the open draft, not lost.
    other = planner.patch(url(version), {"revision": 0, "edits": [edit]}, format="json")
    assert other.status_code == 409
    assert other.json()["plan_version_id"] == draft.pk


@pytest.mark.parametrize("state", [PlanVersion.State.APPROVED, PlanVersion.State.RELEASED])
def test_approved_and_released_versions_are_read_only(planner, state):
    version = executed_version(state=state)
    edit = {"key": "sku:S00001", "measure": "demand", "period": "2025-W02", "value": 7}
    response = planner.patch(url(version), {"revision": 0, "edits": [edit]}, format="json")
    assert response.status_code == 409
    assert not PlanVersion.objects.filter(parent=version).exists()


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        ({"key": "sku:NOPE", "measure": "demand", "period": "2025-W02", "value": 1}, "edits"),
        ({"key": "sku:S00001", "measure": "receipts", "period": "2025-W02", "value": 1}, "edits"),
        ({"key": "sku:S00001", "measure": "demand", "period": "2031-W02", "value": 1}, "edits"),
        ({"key": "sku:S00001", "measure": "demand", "period": "2025-W02", "value": -1}, "edits"),
        ({"key": "sku:S00001", "measure": "demand", "period": "2025-W02", "value": "x"}, "edits"),
        ({"key": "family:F0001", "measure": "demand", "period": "2025-W02", "value": 1}, "edits"),
    ],
)
def test_bad_edits_are_400_naming_the_field_and_make_no_draft(planner, version, edit, field):
    response = planner.patch(url(version), {"revision": 0, "edits": [edit]}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not PlanVersion.objects.filter(parent=version).exists()


@pytest.mark.parametrize(
    ("key", "period", "english", "japanese"),
    [
        ("sku:S00001", "2031-W02", "not a week of this plan", "この計画の週ではありません"),
        ("family:F0001", "2025-W02", "not a period of this plan", "この計画の期間ではありません"),
    ],
)
def test_a_period_outside_the_plan_is_named_in_the_reader_s_language(
    planner, version, key, period, english, japanese
):
    edit = {"key": key, "measure": "demand", "period": period, "value": 1}
    for language, words in (("en", english), ("ja", japanese)):
        response = planner.patch(
            url(version),
            {"revision": 0, "edits": [edit]},
            format="json",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 400
        (message,) = response.json()["edits"]
        assert words in message and period in message, message


def _january_by_weights(planner, version, weights):
    edit = {"key": "family:F0001", "measure": "production", "period": "2025-01", "value": 900}
    return planner.patch(
        url(version),
        {"revision": 0, "edits": [edit], "distribute": {"mode": "weights", "weights": weights}},
        format="json",
    )


def test_custom_weights_by_sku_week_place_the_family_total_on_the_named_cells(planner, version):
    response = _january_by_weights(
        planner, version, {"sku:S00001": {"2025-W02": 1, "2025-W03": 2}, "sku:S00002": 0.5}
    )
    assert response.status_code == 200, response.content
    draft = PlanVersion.objects.get(pk=response.json()["plan_version_id"])
    body = grid(planner, draft, family="F0001", period_from="2025-01", period_to="2025-01")
    production = {r["sku"]: r["values"] for r in body["rows"] if r["measure"] == "production"}
    january = list(production["S00001"])  # W01–W05: W05's Thursday is 30 January
    assert january == ["2025-W01", "2025-W02", "2025-W03", "2025-W04", "2025-W05"]
    unit = 900 / (1 + 2 + 0.5 * 5)
    assert production["S00001"] == pytest.approx(
        {"2025-W01": 0, "2025-W02": unit, "2025-W03": 2 * unit, "2025-W04": 0, "2025-W05": 0}
    )
    assert production["S00002"] == pytest.approx({w: 0.5 * unit for w in january})
    assert sum(production["S00003"].values()) == 0


@pytest.mark.parametrize(
    ("weights", "named"),
    [
        ({"sku:NOPE": 1}, "sku:NOPE"),
        ({"sku:S00001": {"2031-W02": 1}}, "2031-W02"),
        ({"sku:S00001": {"2025-W02": -1}}, "2025-W02"),
        ({"sku:S00001": {"2025-W02": "x"}}, "2025-W02"),
        ({"sku:S00001": -2}, "sku:S00001"),
        ({"sku:S00001": [1, 2]}, "sku:S00001"),
    ],
)
def test_bad_custom_weights_are_400_naming_the_key_and_change_nothing(
    planner, version, weights, named
):
    response = _january_by_weights(planner, version, weights)
    assert response.status_code == 400
    assert "distribute" in response.json() and named in json.dumps(response.json())
    assert not PlanVersion.objects.filter(parent=version).exists()


def test_editing_needs_the_planner_permission(reader, version):
    edit = {"key": "sku:S00001", "measure": "demand", "period": "2025-W02", "value": 7}
    assert (
        reader.patch(url(version), {"revision": 0, "edits": [edit]}, format="json").status_code
        == 403
    )
    assert reader.post(url(version, "recalculate")).status_code == 403


def test_recalculate_refuses_a_version_that_is_not_an_edited_draft(planner, version):
    assert planner.post(url(version, "recalculate")).status_code == 409


def test_locks_are_carried_to_the_draft_and_unlocking_works(planner, version):
    draft = _draft(planner, version)
    assert CellLock.objects.filter(plan_version=draft, key="sku:S00006").exists()
    body = grid(planner, draft, sku="S00006")
    assert all(r["locked"] for r in body["rows"])
    response = planner.patch(
        url(draft),
        {"revision": 1, "locks": [{"key": "sku:S00006", "period": None, "locked": False}]},
        format="json",
    )
    assert response.json()["locks"] == [{"key": "sku:S00006", "period": None, "locked": False}]
    assert not any(r["locked"] for r in grid(planner, draft, sku="S00006")["rows"])


def _table(version, name):
    from plans.services.artifacts import artifact_frame

    return artifact_frame(PlanArtifact.objects.get(plan_version=version, name=name))


def test_grid_values_match_an_independent_pivot(reader, version):
    body = grid(reader, version, page_size=500)
    final = _table(version, "plan_final").query("level == 0")
    pivot = final.pivot(index="item", columns="week", values="projected_on_hand")
    got = np.array(
        [
            [r["values"][w] for w in pivot.columns]
            for sku in pivot.index
            for r in body["rows"]
            if r["key"] == f"sku:{sku}" and r["measure"] == "closing_stock"
        ]
    )
    assert np.allclose(got, pivot.to_numpy())


def test_capacity_and_load_of_the_pages_nodes_against_the_reconciled_table(reader, version):
    capacity = _table(version, "capacity")
    detail = grid(reader, version, family="F0001")
    rows = {r["measure"]: r for r in detail["capacity_rows"]}
    assert set(rows) == {"capacity", "load"}
    assert rows["load"]["key"] == "node:WC001"
    week = capacity.query("workcenter == 'WC001' and week == '2025-W07'")
    assert rows["load"]["values"]["2025-W07"] == pytest.approx(week["load"].item())
    aggregate = grid(reader, version, level="aggregate")
    monthly = {r["measure"]: r for r in aggregate["capacity_rows"]}
    # February holds W06–W09 (Thursday rule), so its capacity is theirs summed.
    february = capacity.query("workcenter == 'WC001' and week_index >= 5 and week_index <= 8")
    assert monthly["capacity"]["values"]["2025-02"] == pytest.approx(february["capacity"].sum())


def test_only_rows_with_exceptions_and_their_counts(reader, version):
    from exceptions.models import PlanningException

    for item in ("S00002", "S00002", "S00005"):
        PlanningException.objects.create(
            plan_version=version,
            kind="late_demand",
            item=item,
            quantity=1,
            value=1,
            severity="high",
            severity_rank=3,
        )
    body = grid(reader, version, exceptions="1")
    assert body["count"] == 2
    counts = {r["key"]: r["exceptions"] for r in body["rows"]}
    assert counts == {"sku:S00002": 2, "sku:S00005": 1}
    families = grid(reader, version, level="aggregate", exceptions="true")
    assert {r["key"]: r["exceptions"] for r in families["rows"]} == {
        "family:F0001": 2,
        "family:F0002": 1,
    }
    assert grid(reader, version)["count"] == FAMILIES * SKUS_PER_FAMILY


def test_grid_costs_the_same_few_queries_whatever_the_page_size(
    reader, version, django_assert_max_num_queries
):
    grid(reader, version)  # the sheet is cached from here on
    with django_assert_max_num_queries(10):
        grid(reader, version, page_size=1)
    with django_assert_max_num_queries(10):
        grid(reader, version, page_size=500, level="aggregate")


def test_a_sheet_cached_by_another_process_reads_back_as_built(
    version, settings, tmp_path, monkeypatch
):
    # The web processes share the sheet through Django's file cache (packed with zstd): a
    # process that did not build it reads it from there, not from the tables, and gets the
    # same sheet.
    from plans.workbench import sheets

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    sheets._local.clear()
    built = sheets.base_sheet(version)
    sheets._local.clear()  # another process: its own memory is empty

    def no_tables(pk: int, columns: list[str] | None) -> None:
        raise AssertionError("the sheet was rebuilt from the tables")

    monkeypatch.setattr(sheets, "_table", no_tables)
    read = sheets.base_sheet(version)
    sheets._local.clear()
    assert list((tmp_path / "cache").iterdir())
    assert read is not built and read.skus == built.skus and read.weeks == built.weeks
    assert read.values.keys() == built.values.keys()
    for measure, values in built.values.items():
        np.testing.assert_array_equal(read.values[measure], values)
    np.testing.assert_array_equal(read.opening, built.opening)
