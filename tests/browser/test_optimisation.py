"""Stock-level optimisation in a real browser: a planner starts it from the scenario page,
reads the report and opens the new scenario with the levels; the source is unchanged.

The plan version's planning job and the optimisation job run in this process (the
worker's part, through ``jobs.runner.run``). After the login every page is reached by a
click.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from jobs import runner
from risk.models import LevelOptimisation
from scenarios.models import Scenario
from tests.browser.support import Demo, Screenshots, executed_version, log_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _orm_beside_the_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test plays the worker's part with the ORM while Playwright's sync API keeps an
    event loop in the thread (one thread, no concurrent use)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_planner_optimises_levels_and_opens_the_report_and_the_new_scenario(
    page: Page, demo: Demo, screenshots: Screenshots
) -> None:
    version = executed_version(demo, "Levels plan")
    source = Scenario.objects.get(pk=demo.base_scenario_id)
    overrides_before = source.overrides()
    log_in(page, demo)
    page.get_by_test_id("nav-scenarios").click()
    page.get_by_role("link", name=demo.base_scenario_name, exact=True).first.click()
    panel = page.get_by_test_id("optimisations-panel")
    expect(panel).to_contain_text("No optimisations yet.")

    # One replication a round is refused at the field.
    form = panel.get_by_test_id("optimise-form")
    form.get_by_label("Replications a round").fill("1")
    form.get_by_role("button", name="Optimise stock levels").click()
    expect(page.get_by_test_id("error-n")).to_contain_text("from 2")

    form = page.get_by_test_id("optimise-form")
    form.get_by_label("Plan version").select_option(version.pk)
    form.get_by_label("Replications a round").fill("3")
    form.get_by_label("Seed").fill("11")
    form.get_by_role("button", name="Optimise stock levels").click()
    expect(page).to_have_url(re.compile(rf"/ui/scenarios/{source.pk}/optimisations/\d+$"))
    expect(page.get_by_test_id("messages")).to_contain_text("queued (seed 11)")
    screenshots.take("optimisation-queued")

    optimisation = LevelOptimisation.objects.get()
    assert optimisation.job is not None
    job = runner.run(optimisation.job.pk)  # the worker's part, in this process
    assert job is not None and job.status == "succeeded", job and job.error
    page.reload()
    expect(page.get_by_test_id("optimisation-kpis")).to_contain_text("Fill rate")
    expect(page.get_by_test_id("optimisation-levels").locator("tbody tr").first).to_be_visible()
    screenshots.take("optimisation-report")

    page.get_by_test_id("result-scenario-link").click()
    expect(page.get_by_test_id("inventory-levels")).to_be_visible()
    expect(page.get_by_test_id("parent-link")).to_have_text(source.name)
    screenshots.take("optimised-scenario")

    source.refresh_from_db()
    assert source.overrides() == overrides_before
