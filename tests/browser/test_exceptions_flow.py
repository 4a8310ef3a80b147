"""A planner asks "what needs my attention?" of a plan, in a real browser.

The six-month reference config is planned on its base scenario by the real planning
job (in this process, before the browser starts); the planner then only clicks: plans
list → the plan → its exceptions → a stock-out → the run's PSI on that store and item,
its first day in the table.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from exceptions.models import PlanningException
from plans.services import plan_create
from plans.tests.conftest import run_planning_job
from runs.models import Run
from scenarios.models import Scenario
from scenarios.services import config_import
from tests.browser.support import Demo, Screenshots, log_in

pytestmark = [pytest.mark.browser, pytest.mark.reference]


@pytest.fixture
def planned(transactional_db, reference_dir) -> tuple[str, str, date]:
    """The six-month plan version, its run (ids) and the first day of Tokyo's SKU-A
    stock-out in that run, made before the browser starts: the browser's event loop
    forbids database calls from the test body."""
    document = json.loads(
        (reference_dir / "canonical" / "multi_node_sample_6Mths.json").read_text()
    )
    config, _ = config_import(document=document, name="Six months")
    scenario = Scenario.objects.create(name="Six months base")
    version = plan_create(name="Exceptions plan", base_scenario=scenario, config_version=config)
    assert run_planning_job(version).status == "succeeded"
    run = Run.objects.get(plan_version=version)
    stockout = PlanningException.objects.get(
        run=run, kind="stockout", node="STORE-TYO", item="SKU-A"
    )
    assert stockout.first_date is not None
    return version.pk, str(run.run_id), stockout.first_date


def test_planner_goes_from_the_plan_to_its_exceptions_to_the_psi_of_a_stockout(
    planned: tuple[str, str, date], page: Page, demo: Demo, screenshots: Screenshots
) -> None:
    version_id, run_id, first = planned
    log_in(page, demo)
    page.get_by_test_id("nav-plans").click()
    row = page.locator(f"tr[data-plan-version-id='{version_id}']")
    row.get_by_role("link", name="Exceptions plan").click()
    expect(page.get_by_test_id("plan-version-id")).to_have_text(version_id)

    # The plan page says why its fill rate is what it is, and counts exceptions by kind.
    panel = page.get_by_test_id("exceptions-panel")
    expect(panel.get_by_test_id("root-cause")).to_contain_text("components with no supplier")
    expect(panel.get_by_test_id("root-cause")).to_contain_text("FACTORY-1/COMP-X")
    expect(panel.get_by_test_id("exception-badge-stockout")).to_contain_text("7")
    screenshots.take("plan-exceptions-panel")
    panel.get_by_test_id("exceptions-tab-link").click()
    expect(page).to_have_url(re.compile(rf"/ui/plans/{version_id}/exceptions$"))

    # Narrow the list to stock-outs at Tokyo with the filter form.
    filters = page.get_by_test_id("exception-filters")
    filters.get_by_label("Kind").select_option("stockout")
    filters.get_by_label("Node", exact=True).fill("STORE-TYO")
    filters.get_by_test_id("apply-filters").click()
    table = page.get_by_test_id("exceptions-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    stockout = table.locator("tr[data-node='STORE-TYO'][data-item='SKU-A']")
    expect(stockout).to_contain_text(first.isoformat())
    expect(stockout).to_contain_text("FACTORY-1/COMP-X")
    screenshots.take("exceptions-list")

    # The link lands on the run's PSI of that store and item, the stock-out's days in view.
    stockout.get_by_test_id("exception-psi-link").click()
    expect(page).to_have_url(re.compile(rf"/ui/runs/{run_id}\?.*#psi$"))
    form = page.get_by_test_id("psi-form")
    expect(form.get_by_label("Node", exact=True)).to_have_value("STORE-TYO")
    expect(form.get_by_label("Item", exact=True)).to_have_value("SKU-A")
    expect(page.locator("#psi-table")).to_contain_text(first.isoformat())
    expect(page.locator("#psi-table")).to_contain_text((first - timedelta(days=7)).isoformat())
    screenshots.take("psi-of-the-stockout")
