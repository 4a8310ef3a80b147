"""The workbench pages: the grid as a planner reads it, downloads, recalculation, changes."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission, User
from openpyxl import load_workbook

from jobs.models import Job
from plans.models import PlanVersion
from plans.tests.test_workbench_api import executed_version
from plans.workbench.services import workbench_edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner_client(client):
    user = User.objects.create_user("planner")
    user.user_permissions.add(Permission.objects.get(codename="change_planversion"))
    client.force_login(user)
    return client


@pytest.fixture
def version():
    return executed_version()


def test_grid_page_shows_readable_periods_measures_and_totals(planner_client, version):
    response = planner_client.get(f"/ui/plans/{version.pk}/psi?level=aggregate")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Jan 2025" in html and "Mar 2025" in html  # months, not 2025-01
    assert "Planned production" in html and "Closing stock" in html
    assert 'data-testid="capacity-grid"' in html
    assert "closing_stock" not in html.replace('data-measure="closing_stock"', "")
    assert 'data-testid="drill-F0001"' in html
    detail = planner_client.get(f"/ui/plans/{version.pk}/psi?level=detail&family=F0002")
    text = detail.content.decode()
    assert "W05" in text and "S00004" in text and "S00001" not in text


def test_grid_page_in_japanese(planner_client, version):
    planner_client.cookies["django_language"] = "ja"
    response = planner_client.get(f"/ui/plans/{version.pk}/psi", HTTP_ACCEPT_LANGUAGE="ja")
    html = response.content.decode()
    assert "計画ワークベンチ" in html
    assert "Planning workbench" not in html


@pytest.mark.parametrize(
    ("language", "week_2", "january"),
    [("en", "01/06", "Jan 2025"), ("ja", "1/6", "2025年1月")],
)
def test_columns_are_headed_by_dates_written_as_the_language_writes_them(
    planner_client, version, language, week_2, january
):
    # each week column under its first day, which tells the weeks of a month apart
    planner_client.cookies["django_language"] = language
    detail = planner_client.get(f"/ui/plans/{version.pk}/psi?level=detail").content.decode()
    assert f'W02<br><span class="muted">{week_2}</span>' in detail
    assert '<span class="muted">2025/01</span>' not in detail
    aggregate = planner_client.get(f"/ui/plans/{version.pk}/psi?level=aggregate")
    assert f">{january}</th>" in aggregate.content.decode()


def test_bad_filter_shows_the_error_and_the_grid(planner_client, version):
    response = planner_client.get(f"/ui/plans/{version.pk}/psi?period_from=2031-W01")
    assert response.status_code == 200
    assert b"is not a period of this plan" in response.content
    assert b'data-testid="psi-grid"' in response.content


def test_exports_hold_exactly_the_filtered_rows(planner_client, version):
    csv_response = planner_client.get(f"/ui/plans/{version.pk}/psi/export.csv?family=F0001")
    lines = csv_response.content.decode().strip().splitlines()
    assert len(lines) == 1 + 3 * 6 + 2  # the SKUs' measures and their node's capacity and load
    assert "Planned production" in csv_response.content.decode()
    xlsx = planner_client.get(f"/ui/plans/{version.pk}/psi/export.xlsx?family=F0001")
    book = load_workbook(io.BytesIO(xlsx.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == len(lines)
    assert rows[0][-1] == "total"
    assert planner_client.get(f"/ui/plans/{version.pk}/psi/export.pdf").status_code == 404


def test_recalculate_button_queues_a_job_for_a_draft(planner_client, version):
    draft = workbench_edit(
        version=version,
        revision=0,
        edits=[{"key": "sku:S00001", "measure": "demand", "period": "2025-W02", "value": 3}],
    ).version
    page = planner_client.get(f"/ui/plans/{draft.pk}/psi").content.decode()
    assert 'data-testid="recalculate"' in page
    response = planner_client.post(f"/ui/plans/{draft.pk}/psi/recalculate", follow=True)
    assert b"Recalculation queued" in response.content
    assert Job.objects.filter(type="recalculate", subject_id=draft.pk).exists()
    # The parent's grid sends planners to the draft instead of editing it again.
    parent_page = planner_client.get(f"/ui/plans/{version.pk}/psi").content.decode()
    assert f'href="/ui/plans/{draft.pk}/psi"' in parent_page


def test_recalculate_needs_the_planner_permission(client, version):
    client.force_login(User.objects.create_user("reader"))
    assert client.post(f"/ui/plans/{version.pk}/psi/recalculate").status_code == 403


def test_changes_page_lists_every_cell_that_differs_from_the_parent(planner_client, version):
    draft = workbench_edit(
        version=version,
        revision=0,
        edits=[
            {"key": "sku:S00001", "measure": "demand", "period": "2025-W02", "value": 3},
            {"key": "sku:S00002", "measure": "production", "period": "2025-W03", "value": 4},
        ],
    ).version
    html = planner_client.get(f"/ui/plans/{draft.pk}/psi/changes").content.decode()
    assert "2 cells differ." in html
    assert "S00001" in html and "S00002" in html
    assert PlanVersion.objects.get(pk=draft.pk).parent_id == version.pk


def _upload(client, version, text, revision=0):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/ui/plans/{version.pk}/psi/upload",
        {"file": SimpleUploadedFile("grid.csv", text.encode()), "revision": str(revision)},
        follow=True,
    )


def test_uploading_the_downloaded_csv_back_edits_the_cells_changed_in_it(planner_client, version):
    text = planner_client.get(f"/ui/plans/{version.pk}/psi/export.csv?sku=S00002").content.decode()
    lines = text.strip().splitlines()
    header = lines[0].split(",")
    column = header.index("2025-W03")
    for number, line in enumerate(lines):
        cells = line.split(",")
        if cells[5] == "Demand":
            cells[column] = "77"
            lines[number] = ",".join(cells)
    response = _upload(planner_client, version, "\n".join(lines))
    assert b"1 cells changed" in response.content
    draft = PlanVersion.objects.get(parent=version)
    assert list(draft.cell_edits.values_list("sku", "measure", "week", "value")) == [
        ("S00002", "demand", "2025-W03", 77.0)
    ]


def test_uploading_a_file_that_is_not_the_grid_changes_nothing(planner_client, version):
    response = _upload(planner_client, version, "a,b\n1,2\n")
    assert b"expected the grid&#x27;s header" in response.content
    assert not PlanVersion.objects.filter(parent=version).exists()


def test_a_version_without_a_detail_plan_says_so(planner_client):
    from plans.tests.factories import PlanVersionFactory

    generating = PlanVersionFactory.create(state=PlanVersion.State.AGGREGATED)
    page = planner_client.get(f"/ui/plans/{generating.pk}/psi")
    assert page.status_code == 200
    assert b"has no detail plan yet" in page.content
    api = planner_client.get(f"/plans/{generating.pk}/psi")
    assert api.status_code == 409
    assert "no detail plan yet" in api.json()["detail"]


def test_operators_see_the_workbench_rows_in_the_admin_read_only(client, version):
    from django.contrib.auth.models import User as Operator

    draft = workbench_edit(
        version=version,
        revision=0,
        edits=[{"key": "sku:S00001", "measure": "demand", "period": "2025-W02", "value": 3}],
        locks=[{"key": "sku:S00002", "period": None, "locked": True}],
    ).version
    client.force_login(Operator.objects.create_superuser("operator"))
    for model in ("workbench", "celledit", "celllock"):
        page = client.get(f"/admin/plans/{model}/?q={draft.pk}")
        assert page.status_code == 200
        assert draft.pk in page.content.decode()
    assert client.get("/admin/plans/celledit/add/").status_code == 403
