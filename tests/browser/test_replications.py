"""Risk in a real browser: a planner asks for replications from the plan page and reads them.

The plan version is made and simulated by a real Celery worker process (filesystem
broker), and so is the replication set: the set's page polls its job until it finishes
and reloads, as in production. After the login every page is reached by a click.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from playwright.sync_api import Page, expect

from plans.models import PlanVersion
from plans.services import plan_create
from scenarios.models import ConfigVersion, Scenario
from tests.browser.support import Demo, Screenshots, log_in
from tests.translations import compile_catalogues
from tests.workers import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.worker]

JOB_TIMEOUT_MS = 180_000


@pytest.fixture(autouse=True)
def _orm_beside_the_browser(monkeypatch: pytest.MonkeyPatch, settings, tmp_path: Path) -> None:
    """The test prepares its plan with the ORM while Playwright's sync API keeps an event
    loop in the thread (safe: one thread); the Japanese catalogue is today's ``.po``."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.LOCALE_PATHS = [compile_catalogues(tmp_path / "locale")]


def _simulated_version(demo: Demo) -> PlanVersion:
    with transaction.atomic():
        version = plan_create(
            name="Risk plan",
            base_scenario=Scenario.objects.get(pk=demo.base_scenario_id),
            config_version=ConfigVersion.objects.get(pk=demo.config_version_id),
            user=User.objects.get(username=demo.username),
        )
    wait_for(lambda: version.runs.exists(), timeout=JOB_TIMEOUT_MS / 1000)
    return version


def test_planner_runs_replications_and_reads_intervals_and_misses(
    page: Page, demo: Demo, screenshots: Screenshots, celery_worker_process
) -> None:
    version = _simulated_version(demo)
    log_in(page, demo)
    page.get_by_test_id("nav-plans").click()
    page.locator(f"tr[data-plan-version-id='{version.pk}']").get_by_role(
        "link", name="Risk plan"
    ).click()
    panel = page.get_by_test_id("replications-panel")
    expect(panel).to_contain_text("No replications yet.")
    screenshots.take("plan-without-replications")

    # A set of no replications is refused at the field.
    form = panel.get_by_test_id("replication-form")
    form.get_by_label("Replications").fill("0")
    form.get_by_role("button", name="Run replications").click()
    expect(page.get_by_test_id("error-n")).to_contain_text("at least 1")
    screenshots.take("refused")

    form = page.get_by_test_id("replication-form")
    form.get_by_label("Replications").fill("20")
    form.get_by_label("Seed").fill("7")
    form.get_by_role("button", name="Run replications").click()
    expect(page).to_have_url(re.compile(rf"/ui/plans/{version.pk}/replications/\d+$"))
    expect(page.get_by_test_id("messages")).to_contain_text("20 replications are queued (seed 7)")
    # While the set's job runs the page follows it and reloads when it ends.
    expect(page.get_by_test_id("replication-progress")).to_contain_text(
        "20 of 20 replications done · seed 7", timeout=JOB_TIMEOUT_MS
    )
    expect(page.get_by_test_id("replication-status")).to_have_text("Succeeded")
    kpis = page.get_by_test_id("replication-kpis")
    for label in ("Fill rate", "Cycle service level", "Average on-hand", "Profit"):
        expect(kpis.locator("tbody th", has_text=label).first).to_be_visible()
    expect(kpis.locator("tr[data-kpi='fill_rate'] td").nth(1)).to_contain_text("%")
    expect(page.get_by_test_id("miss-table")).to_be_visible()
    expect(page.get_by_test_id("miss-cell").first).to_contain_text("%")
    screenshots.take("replication-set")

    # Back to the plan page: the panel shows the set's intervals and histogram.
    page.locator("nav ol").get_by_role("link", name=version.pk).click()
    panel = page.get_by_test_id("replications-panel")
    expect(panel.get_by_test_id("replication-progress")).to_contain_text("20 of 20")
    expect(panel.get_by_test_id("fill-rate-histogram")).to_be_visible()
    screenshots.take("plan-with-replications")

    # The same in Japanese.
    page.get_by_label("Language").select_option("ja")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    panel = page.get_by_test_id("replications-panel")
    expect(panel.get_by_role("heading", level=2)).to_have_text("リスク：レプリケーション")
    expect(panel.get_by_test_id("replication-kpis")).to_contain_text("平均")
    panel.get_by_test_id("replication-set-link").click()
    expect(page.get_by_role("heading", name="目標を下回る確率")).to_be_visible()
    screenshots.take("replication-set-in-japanese")
