"""Planning with the workbench in a real browser: edit a SKU-week, lock it, change the family's
month, check the spread, recalculate, and compare the new run with the parent's.

After the login no URL is typed: the grid is reached from the plan page, the draft from the
first edit, the comparison from the changes page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from jobs import runner
from plans.models import Plan, PlanVersion
from plans.services.artifacts import artifact_write
from plans.workbench.sheets import sheet_load
from scenarios.models import ConfigVersion, Scenario
from scpln.engine.planning import default_parameters, generate_planning_inputs, run_pipeline
from tests.browser.support import Demo, Screenshots, executed_version, log_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _orm_beside_the_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test plays the worker's part with the ORM while Playwright's sync API keeps an
    event loop in the thread (one thread, no concurrent use)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _show(page: Page, **choices: str) -> None:
    for field, value in choices.items():
        page.locator(f"#id_{field}").select_option(value)
    page.get_by_test_id("grid-apply").click()


def _production(page: Page, key: str, period: str):
    return page.locator(
        f'tbody[data-key="{key}"] tr[data-measure="production"] td[data-period="{period}"]'
    )


def test_planner_edits_locks_distributes_recalculates_and_compares(
    page: Page, demo: Demo, screenshots: Screenshots
) -> None:
    version = executed_version(demo, "Workbench plan")
    sheet = sheet_load(version)
    family = sheet.families[0]
    sku = sheet.skus[int(sheet.family_rows(0)[0])]
    week = sheet.weeks[2]
    month = sheet.periods[int(sheet.week_period[2])]

    log_in(page, demo)
    page.get_by_test_id("nav-plans").click()
    page.locator(f"a[href='/ui/plans/{version.pk}']").first.click()
    page.get_by_test_id("workbench-link").click()
    expect(page.get_by_test_id("psi-grid")).to_be_visible()
    _show(page, level="detail", family=family)
    # Backlog is shown per SKU-week, read-only.
    backlog = page.locator(f'tbody[data-key="sku:{sku}"] tr[data-measure="backlog"]')
    expect(backlog).to_contain_text("Backlog")
    expect(backlog.locator("td.editable")).to_have_count(0)
    screenshots.take("detail-grid", docs="workbench-detail-grid")

    # Edit one SKU-week: the first edit makes a draft, and the page follows it.
    _production(page, f"sku:{sku}", week).click()
    field = page.get_by_label(f"Planned production {week}", exact=True)  # as a reader hears it
    field.fill("120")
    field.press("Enter")
    expect(page.get_by_test_id("grid-parent-link")).to_have_text(version.pk)
    draft_id = page.get_by_test_id("grid-version-id").inner_text()
    assert draft_id != version.pk
    cell = _production(page, f"sku:{sku}", week)
    expect(cell).to_have_text("120")
    expect(cell).to_have_class(re.compile(r"\bedited\b"))

    # Lock it.
    page.get_by_test_id("lock-mode").check()
    _production(page, f"sku:{sku}", week).click()
    expect(_production(page, f"sku:{sku}", week)).to_have_class(re.compile(r"\blocked\b"))

    # Change the family's month: spread equally in whole units, the locked cell kept.
    _show(page, level="aggregate", family=family)
    page.locator("[data-grid-mode]").select_option("equal")
    page.locator("[data-grid-step]").fill("1")
    _production(page, f"family:{family}", month).click()
    page.locator("td.editable input").fill("2000")
    page.locator("td.editable input").press("Enter")
    expect(_production(page, f"family:{family}", month)).to_have_text("2,000")
    screenshots.take("aggregate-after-edit", docs="workbench-family-total")
    _show(page, level="detail", family=family, period_from=month, period_to=month)
    expect(_production(page, f"sku:{sku}", week)).to_have_text("120")
    values = page.locator('tr[data-measure="production"] td.editable').evaluate_all(
        "cells => cells.map(c => parseFloat(c.dataset.value))"
    )
    assert sum(values) == pytest.approx(2000)
    assert all(float(v).is_integer() for v in values)

    # Another month by custom weights for one SKU-week: only that cell gets the units.
    other_month = next(p for p in sheet.periods if p != month)
    target_week = sheet.weeks[sheet.week_period.tolist().index(sheet.periods.index(other_month))]
    _show(page, level="aggregate", family=family)
    page.locator("[data-grid-mode]").select_option("weights")
    page.locator("[data-grid-weights]").fill(f"{sku}@{target_week}=1")
    _production(page, f"family:{family}", other_month).click()
    page.locator("td.editable input").fill("777")
    page.locator("td.editable input").press("Enter")
    expect(_production(page, f"family:{family}", other_month)).to_have_text("777")
    _show(page, level="detail", family=family, period_from=other_month, period_to=other_month)
    spread = page.locator('tr[data-measure="production"] td.editable').evaluate_all(
        "cells => cells.map(c => "
        "[c.closest('tbody').dataset.key, c.dataset.period, parseFloat(c.dataset.value)])"
    )
    assert [v for key, week, v in spread if (key, week) == (f"sku:{sku}", target_week)] == [777]
    assert all(v == 0 for key, week, v in spread if (key, week) != (f"sku:{sku}", target_week))

    # Recalculate (the worker's part runs here), then compare with the parent.
    page.get_by_test_id("recalculate").click()
    expect(page.get_by_test_id("messages")).to_contain_text("Recalculation queued")
    job = PlanVersion.objects.get(pk=draft_id).jobs.get(type="recalculate")
    finished = runner.run(job.pk)
    assert finished is not None and finished.status == "succeeded", finished and finished.error
    # The page follows its job (app.js polls it every 2 s) and reloads itself when the job
    # ends; a reload of our own could race with that one.
    expect(page.get_by_test_id("plan-state")).to_have_text("Executed", timeout=30_000)
    page.get_by_test_id("changes-link").click()
    expect(page.get_by_test_id("change-count")).to_contain_text("differ")
    expect(page.get_by_test_id("changes")).to_contain_text(sku)
    screenshots.take("changes-against-parent", docs="workbench-changes")
    page.get_by_test_id("compare-runs").click()
    expect(page).to_have_url(re.compile(r"/ui/runs/compare\?"))
    screenshots.take("compare-runs", docs="workbench-compare-runs")


def test_thirteen_months_fit_a_1440_px_screen_and_53_weeks_scroll_with_fixed_labels(
    page: Page, demo: Demo, screenshots: Screenshots
) -> None:
    inputs = generate_planning_inputs(families=3, skus_per_family=4, periods=13, seed=5)
    result = run_pipeline(inputs, default_parameters(inputs))
    version = PlanVersion.objects.create(
        plan=Plan.objects.create(name="Thirteen months"),
        number=1,
        base_scenario=Scenario.objects.get(pk=demo.base_scenario_id),
        config_version=ConfigVersion.objects.get(pk=demo.config_version_id),
        state=PlanVersion.State.EXECUTED,
    )
    for kind, frames in result.artifacts().items():
        for name, frame in frames.items():
            artifact_write(plan_version=version, kind=kind, name=name, frame=frame)

    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, demo)
    page.get_by_test_id("nav-plans").click()
    page.locator(f"a[href='/ui/plans/{version.pk}']").first.click()
    page.get_by_test_id("workbench-link").click()
    _show(page, level="aggregate")
    grid = page.get_by_test_id("psi-grid")
    expect(grid.locator("thead th.period")).to_have_count(13)
    widths = grid.evaluate("wrap => [wrap.scrollWidth, wrap.clientWidth]")
    assert widths[0] <= widths[1], f"13 months need horizontal scrolling: {widths}"
    screenshots.take("thirteen-months")

    _show(page, level="detail")
    expect(grid.locator("thead th.period")).to_have_count(57)  # 13 months of ISO weeks
    grid.evaluate("wrap => { wrap.scrollLeft = wrap.scrollWidth; }")
    label = grid.locator("tbody .rowhead").first
    box, wrap = label.bounding_box(), grid.bounding_box()
    assert box is not None and wrap is not None
    assert abs(box["x"] - wrap["x"]) < 3, "the row labels stay put while the weeks scroll"
