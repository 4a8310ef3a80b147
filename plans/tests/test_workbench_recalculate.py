"""Recalculating an edited draft: the downstream stages honour the planner's cells, the draft
becomes an executed plan, and its run is recorded against it (not against the parent)."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import Conflict
from jobs import runner
from jobs.models import Job
from plans.models import PlanArtifact, PlanVersion
from plans.services import plan_create
from plans.services.artifacts import artifact_frame
from plans.tests.conftest import run_planning_job
from plans.workbench.selectors import GridQuery, grid_page, workbench_events
from plans.workbench.services import workbench_edit, workbench_recalculate
from runs.models import Run

pytestmark = pytest.mark.django_db


def _table(version, name):
    return artifact_frame(PlanArtifact.objects.get(plan_version=version, name=name))


@pytest.fixture
def executed(network, base_scenario):
    version = plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    assert run_planning_job(version).status == Job.Status.SUCCEEDED
    version.refresh_from_db()
    return version


def _edited(version, sku: str, measure: str, week: str, value: float):
    """The draft one cell's edit makes of ``version``."""
    edit = {"key": f"sku:{sku}", "measure": measure, "period": week, "value": value}
    return workbench_edit(version=version, revision=0, edits=[edit]).version


def _recalculated(draft) -> Job:
    """The draft's recalculation job, run as a worker runs it, asserted successful."""
    finished = runner.run(workbench_recalculate(version=draft).pk)
    assert finished is not None
    assert finished.status == Job.Status.SUCCEEDED, finished.error
    return finished


def test_recalculation_honours_edits_and_locks_and_records_a_run_on_the_draft(executed):
    sku_week = _table(executed, "sku_week")
    sku = str(sku_week["sku"].iloc[0])
    weeks = sku_week[sku_week["sku"] == sku]["week"].tolist()
    produce_week, demand_week = weeks[3], weeks[5]
    old_demand = float(sku_week.query("sku == @sku and week == @demand_week")["demand"].item())
    outcome = workbench_edit(
        version=executed,
        revision=0,
        edits=[
            {"key": f"sku:{sku}", "measure": "production", "period": produce_week, "value": 321},
            {
                "key": f"sku:{sku}",
                "measure": "demand",
                "period": demand_week,
                "value": old_demand + 50,
            },
        ],
        locks=[{"key": f"sku:{sku}", "period": produce_week, "locked": True}],
        note="new customer",
    )
    draft = outcome.version
    finished = _recalculated(draft)

    draft.refresh_from_db()
    assert draft.state == PlanVersion.State.EXECUTED
    final = _table(draft, "plan_final").query("item == @sku and level == 0").set_index("week")
    assert final.loc[produce_week, "planned_receipt"] == pytest.approx(321)
    parent_final = _table(executed, "plan_final").query("item == @sku and level == 0")
    parent_final = parent_final.set_index("week")
    # The edited demand is 50 more units of requirement in its week, nothing else moved.
    gross = final["gross_requirement"] - parent_final["gross_requirement"]
    assert gross.loc[demand_week] == pytest.approx(50)
    assert np.allclose(gross.drop(demand_week), 0)
    run = Run.objects.get(job=finished)
    assert run.plan_version_id == draft.pk
    assert Run.objects.filter(plan_version=executed).count() == 1  # the parent's own run
    assert finished.result["run_id"] == str(run.run_id)
    assert {e.action for e in workbench_events(draft)} == {
        "psi_draft",
        "psi_edit",
        "psi_recalculate",
    }
    # The grid marks the receipts recalculation changed against the parent.
    page = grid_page(version=draft, query=GridQuery(level="detail", sku=sku))
    receipts = next(r for r in page.rows if r.measure == "receipts")
    assert produce_week in receipts.recalculated_periods
    # A recalculated draft is a plan again: the next edit starts a new draft.
    with pytest.raises(Conflict):
        workbench_recalculate(version=draft)
    again = workbench_edit(
        version=draft,
        revision=1,
        edits=[{"key": f"sku:{sku}", "measure": "demand", "period": weeks[1], "value": 1}],
    )
    assert again.version.parent_id == draft.pk


def test_a_raised_target_stock_makes_mrp_plan_more_of_that_sku(executed):
    sku_week = _table(executed, "sku_week")
    skus = list(dict.fromkeys(sku_week["sku"]))
    sku = str(skus[-1])
    weeks = sku_week[sku_week["sku"] == sku]["week"].tolist()
    late = weeks[len(weeks) // 2]
    draft = _edited(executed, sku, "target_stock", late, 5000)
    _recalculated(draft)
    mrp = _table(draft, "mrp").query("item == @sku").set_index("week")
    parent = _table(executed, "mrp").query("item == @sku").set_index("week")
    # MRP keeps the new target on hand: that week's net requirement grows by the rise.
    rise = mrp.loc[late, "net_requirement"] - parent.loc[late, "net_requirement"]
    assert rise == pytest.approx(5000 - _target(executed, sku, late), abs=1e-6)


def _target(version, sku, week):
    from plans.workbench.sheets import sheet_load

    sheet = sheet_load(version)
    return sheet.values["target_stock"][sheet.skus.index(sku), sheet.weeks.index(week)]


def test_a_draft_reads_its_parents_sheet_until_it_is_recalculated(executed):
    from plans.workbench.sheets import base_sheet, sheet_load

    sku_week = _table(executed, "sku_week")
    sku = str(sku_week["sku"].iloc[0])
    week = sku_week[sku_week["sku"] == sku]["week"].tolist()[2]
    parent_sheet = base_sheet(executed)
    draft = _edited(executed, sku, "production", week, 777)

    # Its tables are copies of the parent's: the parent's sheet, not a second build of it.
    assert base_sheet(draft) is parent_sheet
    row, col = parent_sheet.skus.index(sku), parent_sheet.weeks.index(week)
    assert sheet_load(draft).values["production"][row, col] == 777
    assert parent_sheet.values["production"][row, col] != 777

    _recalculated(draft)
    # Recalculated: its own tables, its own sheet; the parent's is unchanged.
    own = base_sheet(draft)
    assert own is not parent_sheet
    assert own.values["production"][row, col] == 777
    assert base_sheet(executed).values["production"][row, col] != 777


def test_the_sheet_a_recalculation_caches_is_the_sheet_of_its_stored_tables(executed):
    # The job builds the new sheet from the tables it has just stored, in memory: it must be
    # exactly the sheet those tables give once read back from their bytes.
    from dataclasses import fields

    from django.core.cache import cache

    from plans.workbench import sheets

    sku_week = _table(executed, "sku_week")
    sku = str(sku_week["sku"].iloc[0])
    week = sku_week[sku_week["sku"] == sku]["week"].tolist()[4]
    draft = _edited(executed, sku, "demand", week, 123)
    _recalculated(draft)
    cached = sheets.base_sheet(draft)

    sheets._local.clear()
    cache.clear()
    from_bytes = sheets.base_sheet(draft)
    assert from_bytes is not cached
    assert from_bytes.values["demand"][from_bytes.skus.index(sku)][
        from_bytes.weeks.index(week)
    ] == pytest.approx(123)
    for field in fields(cached):
        _assert_same(getattr(cached, field.name), getattr(from_bytes, field.name), field.name)


def _assert_same(got, expected, path: str) -> None:
    """Equal all the way down, arrays with their dtypes."""
    if isinstance(expected, np.ndarray):
        assert np.array_equal(got, expected) and got.dtype == expected.dtype, path
    elif isinstance(expected, dict):
        assert got.keys() == expected.keys(), path
        for key, value in expected.items():
            _assert_same(got[key], value, f"{path}[{key!r}]")
    elif isinstance(expected, list) and any(isinstance(v, np.ndarray) for v in expected):
        assert len(got) == len(expected), path
        for i, value in enumerate(expected):
            _assert_same(got[i], value, f"{path}[{i}]")
    else:
        assert got == expected and type(got) is type(expected), path
