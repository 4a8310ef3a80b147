"""A real browser on the live site: Playwright driving Debian's Chromium.

Playwright's own browser download is not used (it is not reachable from the
build machines); the ``chromium`` Debian package is, and ``bin/services``
installs it. A machine without it fails these tests loudly instead of
skipping them: a UI that was never clicked through is not a tested UI.

Every test gets a fresh browser on ``live_server``; a page that answers 5xx
or throws a JavaScript error fails the test, because a planner would see it.
Screenshots go to ``artifacts/screenshots/`` (one per step, plus one at the
moment of a failure) so a red run can be understood without re-running it.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, Response, expect, sync_playwright

from core.demo import demo_password_file
from scenarios.models import ConfigVersion, Scenario
from tests.browser.support import SCREENSHOTS, Demo, Screenshots, screenshot_prefix

CHROMIUM = os.environ.get("SCPLN_CHROMIUM", "/usr/bin/chromium")
# Debian's Chromium runs as root in CI containers: no sandbox there, no GPU anywhere.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]
# Generous for a shared two-core machine; a step that hangs still fails in seconds, not hours.
STEP_TIMEOUT_MS = 20_000
ASSETS = {"script", "stylesheet", "image", "font"}

expect.set_options(timeout=STEP_TIMEOUT_MS)


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium executable; its absence is a failure, never a skip."""
    found = shutil.which(CHROMIUM)
    if found is None:
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's package "
            "(apt-get install -y chromium; bin/services does this) or point "
            "SCPLN_CHROMIUM at an executable.",
            pytrace=False,
        )
    return found


@pytest.fixture
def demo(transactional_db, settings, tmp_path) -> Demo:
    """The data ``bin/run`` starts with (``seed_demo``): the demo login, network and scenarios."""
    settings.DATA_DIR = tmp_path  # where seed_demo keeps the generated password
    call_command("seed_demo", stdout=io.StringIO())
    base = Scenario.objects.get(name="Base")
    config = ConfigVersion.objects.get(name="Demo network")
    return Demo(
        username="demo",
        password=demo_password_file(tmp_path, "demo").read_text().strip(),
        config_version_id=config.pk,
        base_scenario_id=base.pk,
        base_scenario_name=base.name,
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the item so fixtures can tell a failed test from a passed one."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(request: pytest.FixtureRequest, chromium: str, live_server, demo: Demo) -> Iterator[Page]:
    """A logged-out English browser tab on the live server (``page.goto("/")`` works)."""
    problems: list[str] = []

    def on_response(response: Response) -> None:
        # A 4xx page can be the point (the retired run path answers 403); a
        # missing script, style sheet or image never is.
        broken_asset = response.status >= 400 and response.request.resource_type in ASSETS
        if response.status >= 500 or broken_asset:
            problems.append(f"HTTP {response.status} from {response.url}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=live_server.url,
            locale="en-GB",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(STEP_TIMEOUT_MS)
        tab = context.new_page()
        tab.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        tab.on("response", on_response)
        try:
            yield tab
            report = getattr(request.node, "report_call", None)
            if report is not None and report.failed:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                failed = SCREENSHOTS / f"{screenshot_prefix(request.node.name)}-FAILED.png"
                tab.screenshot(path=str(failed), full_page=True)
        finally:
            context.close()
            browser.close()
    assert not problems, "the browser met errors:\n" + "\n".join(problems)


@pytest.fixture
def screenshots(request: pytest.FixtureRequest, page: Page) -> Screenshots:
    """Screenshots of this test; its files from an earlier run are removed first."""
    prefix = screenshot_prefix(request.node.name)
    for old in SCREENSHOTS.glob(f"{prefix}-*.png"):
        old.unlink()
    return Screenshots(page, prefix)
