"""The plan-centric flow in a real browser, walked by clicking as a planner does.

After the login no URL is typed: every page is reached through a link or a
button the previous page offers, so a missing or broken link fails here even
when each page renders fine on its own. The planning job runs on a real
Celery worker process (the page polls it until it finishes, as in
production), so the run it records is a real PSI simulation of the demo
network. The one typed URL after the login is the legacy
``/ui/scenarios/<sid>/run``: it is an old bookmark, not a link of the UI.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import Demo, Screenshots, log_in
from tests.translations import compile_catalogues

pytestmark = pytest.mark.browser

# Generating the demo plan and simulating it takes seconds; a shared CI machine may be slow.
JOB_TIMEOUT_MS = 180_000
TERMINAL = re.compile(r"^(succeeded|failed|canceled)$")


def _wait_for_job_page(page: Page) -> None:
    """On a job page: wait until the job ends (the page reloads itself then); it must succeed."""
    box = page.get_by_test_id("job-progress")
    expect(box).to_have_attribute("data-job-status", TERMINAL, timeout=JOB_TIMEOUT_MS)
    status = box.get_attribute("data-job-status")
    if status != "succeeded":
        error = page.get_by_test_id("job-error-summary")
        pytest.fail(f"the job ended {status}: {error.all_inner_texts()}", pytrace=False)


def _open_planning_job(page: Page) -> None:
    """From a plan version page, follow its planning job's link to the job page."""
    page.get_by_test_id("job-progress").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/ui/jobs/\d+$"))


def _only_run_id(page: Page) -> str:
    """On a plan version page: the run id its runs table links to (there must be exactly one)."""
    links = page.get_by_test_id("plan-runs").locator("a[href*='/ui/runs/']")
    hrefs = [link.get_attribute("href") or "" for link in links.all()]
    run_ids = {m.group(1) for h in hrefs if (m := re.search(r"/ui/runs/([0-9a-f-]{36})$", h))}
    assert len(run_ids) == 1, f"expected links to one run on the plan page, found {hrefs}"
    return run_ids.pop()


@pytest.mark.worker
def test_planner_goes_from_scenario_to_plan_to_runs_and_compares(
    page: Page, demo: Demo, screenshots: Screenshots, celery_worker_process
) -> None:
    log_in(page, demo)

    # Scenarios → "Create plan from this scenario" → the plan form with the scenario filled in.
    page.get_by_test_id("nav-scenarios").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scenarios")
    screenshots.take("scenario-list")
    row = page.locator(f"tr[data-scenario-id='{demo.base_scenario_id}']")
    row.get_by_role("link", name="Create plan from this scenario").click()
    expect(page).to_have_url(re.compile(rf"/ui/plans\?base_scenario={demo.base_scenario_id}$"))
    expect(page.get_by_test_id("prefilled-scenario")).to_contain_text(demo.base_scenario_name)
    form = page.get_by_test_id("create-plan")
    expect(form.get_by_label("Base scenario")).to_have_value(str(demo.base_scenario_id))
    expect(form.get_by_label("Config version")).to_have_value(str(demo.config_version_id))
    form.get_by_label("Plan name").fill("Browser plan")
    screenshots.take("plan-form")
    form.get_by_role("button", name="Create the plan and start planning").click()

    # The new version's page names its planning job; the job page follows it to the end.
    expect(page).to_have_url(re.compile(r"/ui/plans/[^/?#]+$"))
    expect(page.get_by_test_id("messages")).to_contain_text("Browser plan")
    first_version = page.get_by_test_id("plan-version-id").inner_text()
    screenshots.take("plan-created")
    _open_planning_job(page)
    _wait_for_job_page(page)
    screenshots.take("planning-job")
    expect(page.get_by_test_id("job-runs").get_by_role("link")).to_have_count(1)
    page.get_by_test_id("job-subject-link").click()

    # The plan summary shows config_version_id and base_scenario_id, both links.
    expect(page.get_by_test_id("plan-version-id")).to_have_text(first_version)
    expect(page.get_by_test_id("plan-state")).to_have_text("Executed")
    expect(page.get_by_test_id("config-version-id")).to_have_text(str(demo.config_version_id))
    expect(page.get_by_test_id("base-scenario-id")).to_have_text(str(demo.base_scenario_id))
    expect(page.get_by_test_id("config-version-link")).to_have_attribute(
        "href", re.compile(rf"/ui/configs/{demo.config_version_id}$")
    )
    screenshots.take("plan-detail")
    # The MRP tab's tables are labelled for a planner, not with the stored column names.
    page.locator("#tab-mrp-link").click()
    mrp_header = page.get_by_test_id("table-mrp").locator("thead")
    expect(mrp_header).to_contain_text("Gross requirement")
    expect(mrp_header).not_to_contain_text("gross_requirement")
    first_run = _only_run_id(page)

    # Its run → run detail, which links back to the plan version and to the scenario.
    page.get_by_test_id("plan-runs").locator(f"a[href$='/ui/runs/{first_run}']").first.click()
    expect(page.get_by_test_id("run-id")).to_have_text(first_run)
    summary = page.get_by_test_id("run-summary")
    expect(summary.get_by_test_id("plan-version-link")).to_have_text(first_version)
    expect(summary.get_by_test_id("scenario-link")).to_have_text(demo.base_scenario_name)
    expect(summary.get_by_test_id("scenario-link")).to_have_attribute(
        "href", re.compile(rf"/ui/scenarios/{demo.base_scenario_id}$")
    )
    expect(page.get_by_test_id("run-kpis")).to_be_visible()
    screenshots.take("run-detail")
    summary.get_by_test_id("plan-version-link").click()
    expect(page.get_by_test_id("plan-version-id")).to_have_text(first_version)
    page.get_by_test_id("base-scenario-link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(demo.base_scenario_name)
    # The scenario page lists the plan version made from it and its run, linking back.
    expect(
        page.get_by_test_id("scenario-runs").locator(f"a[href$='/ui/runs/{first_run}']")
    ).to_have_count(1)
    plan_link = page.get_by_test_id("scenario-plans").get_by_role("link", name=first_version)
    expect(plan_link).to_have_count(1)
    screenshots.take("scenario-detail")
    plan_link.click()
    expect(page.get_by_test_id("plan-version-id")).to_have_text(first_version)

    # Run history filtered by this plan version: only its run.
    page.get_by_test_id("runs-history-link").click()
    expect(page).to_have_url(re.compile(r"/ui/runs\?.*plan_version_id="))
    rows = page.get_by_test_id("runs-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-run-id", first_run)
    expect(rows.first.get_by_test_id("plan-version-link")).to_have_text(first_version)
    screenshots.take("run-history-of-plan-version")

    # Execute the plan again: a second version, its own job and its own run.
    rows.first.get_by_test_id("plan-version-link").click()
    page.get_by_test_id("execute-again").click()
    expect(page.get_by_test_id("plan-version-id")).not_to_have_text(first_version)
    second_version = page.get_by_test_id("plan-version-id").inner_text()
    expect(page.get_by_test_id("parent-version-link")).to_have_text(first_version)
    _open_planning_job(page)
    _wait_for_job_page(page)
    # The job list names each planning job's plan_version_id, a link once the job finished.
    page.get_by_test_id("nav-jobs").click()
    jobs = page.get_by_test_id("job-table")
    expect(jobs.get_by_test_id("job-row")).to_have_count(2)
    for version in (first_version, second_version):
        expect(jobs.get_by_role("link", name=version)).to_have_count(1)
    screenshots.take("jobs")
    jobs.get_by_role("link", name=second_version).click()
    expect(page.get_by_test_id("plan-version-id")).to_have_text(second_version)
    expect(page.get_by_test_id("plan-state")).to_have_text("Executed")
    screenshots.take("second-version")
    second_run = _only_run_id(page)
    assert second_run != first_run

    # Run history: select both runs and compare them.
    page.get_by_test_id("nav-runs").click()
    compare = page.get_by_test_id("compare-selected")
    expect(compare).to_be_disabled()
    for run_id in (first_run, second_run):
        page.locator(f"tr[data-run-id='{run_id}']").get_by_role("checkbox").check()
    expect(compare).to_be_enabled()
    screenshots.take("run-history-selected")
    compare.click()
    expect(page).to_have_url(re.compile(r"/ui/runs/compare\?"))
    compared = page.get_by_test_id("compared-runs")
    for run_id in (first_run, second_run):
        expect(compared.locator(f"a[href$='/ui/runs/{run_id}']")).to_have_count(1)
    for version in (first_version, second_version):
        expect(compared).to_contain_text(version)
    expect(page.get_by_test_id("compare-kpis")).to_be_visible()
    screenshots.take("compare")


def test_legacy_scenario_run_path_is_refused_and_leads_to_the_plan_form(
    page: Page, demo: Demo, screenshots: Screenshots
) -> None:
    log_in(page, demo)
    # An old bookmark: the one URL a planner still types.
    response = page.goto(f"/ui/scenarios/{demo.base_scenario_id}/run")
    assert response is not None and response.status == 403
    banner = page.get_by_role("alert")
    expect(banner).to_be_visible()
    screenshots.take("legacy-403")
    banner.get_by_role("link").first.click()

    expect(page).to_have_url(re.compile(rf"/ui/plans\?base_scenario={demo.base_scenario_id}$"))
    expect(page.get_by_test_id("create-plan")).to_have_attribute("open", "")
    expect(page.get_by_test_id("prefilled-scenario")).to_contain_text(demo.base_scenario_name)
    form = page.get_by_test_id("create-plan")
    expect(form.get_by_label("Base scenario")).to_have_value(str(demo.base_scenario_id))
    screenshots.take("plan-form-prefilled")
    # The refused request started nothing.
    page.get_by_test_id("nav-runs").click()
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    page.get_by_test_id("nav-jobs").click()
    expect(page.get_by_test_id("empty-jobs")).to_be_visible()


@pytest.fixture
def japanese(settings, tmp_path: Path) -> None:
    """Serve the Japanese catalogue compiled from today's ``.po`` (tests/translations.py)."""
    settings.LOCALE_PATHS = [compile_catalogues(tmp_path / "locale")]


@pytest.mark.usefixtures("japanese")
def test_planner_switches_the_interface_to_japanese(
    page: Page, demo: Demo, screenshots: Screenshots
) -> None:
    log_in(page, demo)
    page.get_by_test_id("nav-plans").click()
    expect(page.get_by_test_id("nav-plans")).to_have_text("Plans")

    page.get_by_label("Language").select_option("ja")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    nav = {
        "nav-plans": "計画",
        "nav-runs": "実行一覧",
        "nav-jobs": "ジョブ",
        "nav-scenarios": "シナリオ",
        "nav-configs": "構成",
    }
    for testid, text in nav.items():
        expect(page.get_by_test_id(testid)).to_have_text(text)
    expect(page.get_by_role("heading", level=1)).to_have_text("計画")
    screenshots.take("plans-in-japanese")

    # The choice sticks while the planner moves on.
    page.get_by_test_id("nav-runs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("実行履歴")
    screenshots.take("runs-in-japanese")
