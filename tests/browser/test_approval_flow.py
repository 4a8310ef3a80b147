"""Approving a plan in a real browser, with two people: the planner and the approver.

The planner submits, the approver rejects it with a reason, the planner reads
the reason in their notifications and submits again, the approver approves:
the plan's latest run becomes its baseline. A new version of the plan is then
compared with the baseline by default. After each login no URL is typed:
every page is reached through a link or a button, notifications included.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from core.demo import demo_password_file
from jobs import runner
from plans.models import Plan, PlanVersion
from tests.browser.support import Demo, Screenshots, executed_version, log_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _orm_beside_the_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test prepares data and plays the worker's part with the ORM while Playwright's
    sync API keeps an event loop in the thread; Django refuses that unless told it is
    safe (it is: one thread, no concurrent use)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _approver(demo: Demo) -> Demo:
    """The demo approver ``seed_demo`` made beside the planner, and its generated password."""
    password = demo_password_file(settings.DATA_DIR, "approver").read_text().strip()
    return replace(demo, username="approver", password=password)


def _log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Username")).to_be_visible()


def _open_plan_from_list(page: Page, version: PlanVersion) -> None:
    page.get_by_test_id("nav-plans").click()
    page.locator(f"a[href='/ui/plans/{version.pk}']").first.click()
    expect(page.get_by_test_id("plan-version-id")).to_have_text(version.pk)


def _open_plan_from_notification(page: Page, subject: re.Pattern[str]) -> None:
    page.get_by_test_id("nav-notifications").click()
    page.get_by_test_id("notification-link").filter(has_text=subject).first.click()


def test_planner_submits_approver_rejects_then_approves_and_the_baseline_is_compared(
    page: Page, demo: Demo, screenshots: Screenshots
) -> None:
    approver = _approver(demo)
    version = executed_version(demo, "Approval plan")

    # The planner submits the version with a note.
    log_in(page, demo)
    _open_plan_from_list(page, version)
    expect(page.get_by_test_id("transition-approve")).to_have_count(0)  # not theirs to approve
    page.get_by_test_id("transition-note").fill("Ready for the S&OP meeting")
    page.get_by_test_id("transition-submit").click()
    expect(page.get_by_test_id("plan-state")).to_have_text("Submitted")
    screenshots.take("submitted")
    _log_out(page)

    # The approver is told, opens the plan from the notification, rejects without and
    # then with a reason.
    log_in(page, approver)
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    _open_plan_from_notification(page, re.compile("waits for your approval"))
    expect(page.get_by_test_id("plan-state")).to_have_text("Submitted")
    page.get_by_test_id("transition-reject").click()
    expect(page.locator(".messages")).to_contain_text("Say why")
    expect(page.get_by_test_id("plan-state")).to_have_text("Submitted")
    page.get_by_test_id("transition-note").fill("Factory capacity looks too optimistic")
    page.get_by_test_id("transition-reject").click()
    expect(page.get_by_test_id("plan-state")).to_have_text("Rejected")
    screenshots.take("rejected")
    _log_out(page)

    # The planner reads the reason and submits again.
    log_in(page, demo)
    _open_plan_from_notification(page, re.compile("was rejected"))
    history = page.get_by_test_id("events")
    expect(history).to_contain_text("Factory capacity looks too optimistic")
    page.get_by_test_id("transition-note").fill("Capacity checked with the plant")
    page.get_by_test_id("transition-submit").click()
    expect(page.get_by_test_id("plan-state")).to_have_text("Submitted")
    _log_out(page)

    # The approver approves: the latest run becomes the plan's baseline.
    log_in(page, approver)
    page.get_by_test_id("nav-notifications").click()
    page.get_by_test_id("mark-read").click()
    page.get_by_test_id("nav-plans").click()
    page.locator(f"a[href='/ui/plans/{version.pk}']").first.click()
    page.get_by_test_id("transition-approve").click()
    expect(page.get_by_test_id("plan-state")).to_have_text("Approved")
    expect(page.get_by_test_id("read-only")).to_be_visible()
    page.get_by_test_id("baseline-run-link").click()
    expect(page.get_by_test_id("run-baseline")).to_be_visible()
    screenshots.take("baseline-run")
    _log_out(page)

    # A new version of the plan: its run is compared with the baseline by default.
    log_in(page, demo)
    _open_plan_from_notification(page, re.compile("was approved"))
    page.get_by_test_id("execute-again").click()
    expect(page).to_have_url(re.compile(r"/ui/plans/pv-[0-9a-f]+$"))
    new_pk = page.get_by_test_id("plan-version-id").inner_text()
    new = PlanVersion.objects.get(pk=new_pk)
    job = runner.run(new.jobs.get(type="planning").pk)  # the worker's part, in this process
    assert job is not None and job.status == "succeeded"
    page.reload()
    page.get_by_test_id("compare-with-baseline").click()
    expect(page).to_have_url(re.compile(r"/ui/runs/compare\?"))
    baseline = Plan.objects.get(pk=version.plan_id).baseline_run_id
    expect(page.locator("tr.base")).to_have_attribute("data-run-id", str(baseline))
    expect(page.get_by_test_id("base-run")).to_be_visible()
    screenshots.take("compare-with-baseline")
