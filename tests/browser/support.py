"""What the browser tests share besides fixtures: the demo login, screenshots, the login walk,
an executed plan version of the demo."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.models import User
from playwright.sync_api import Page

from jobs import runner
from plans.models import PlanVersion
from plans.services import plan_create
from scenarios.models import ConfigVersion, Scenario

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
# The documentation's screenshots (docs/images), remade by a browser test run with
# SCPLN_DOCS_SCREENSHOTS=1: what the window shows, as a small JPEG.
DOCS_IMAGES = ROOT / "docs" / "images"


@dataclass(frozen=True)
class Demo:
    """What ``seed_demo`` made: the login and the ids the pages should show."""

    username: str
    password: str
    config_version_id: int
    base_scenario_id: int
    base_scenario_name: str


def screenshot_prefix(test_name: str) -> str:
    """``test_planner_does_x`` → ``planner-does-x``: the file name stem of a test's screenshots."""
    return re.sub(r"[^a-z0-9]+", "-", test_name.removeprefix("test_").lower()).strip("-")


@dataclass
class Screenshots:
    """Full-page screenshots named ``<test>-<NN>-<step>.png``, numbered in visiting order."""

    page: Page
    prefix: str
    taken: list[Path] = field(default_factory=list)

    def take(self, step: str, *, docs: str | None = None) -> Path:
        """Save the step's screenshot; with ``docs`` and SCPLN_DOCS_SCREENSHOTS=1 also the
        documentation's ``docs/images/<docs>.jpg``."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.prefix}-{len(self.taken) + 1:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        if docs and os.environ.get("SCPLN_DOCS_SCREENSHOTS") == "1":
            DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(DOCS_IMAGES / f"{docs}.jpg"), type="jpeg", quality=70)
        return path


def log_in(page: Page, demo: Demo) -> None:
    """Open the site and sign in through the login form, as a planner does every morning."""
    page.goto("/")
    page.get_by_label("Username").fill(demo.username)
    page.get_by_label("Password").fill(demo.password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_test_id("signed-in-user").wait_for()


def executed_version(demo: Demo, name: str) -> PlanVersion:
    """A plan version of the demo's base scenario, made and generated as the planning job
    does (in this process: the test plays the worker's part)."""
    version = plan_create(
        name=name,
        base_scenario=Scenario.objects.get(pk=demo.base_scenario_id),
        config_version=ConfigVersion.objects.get(pk=demo.config_version_id),
        user=User.objects.get(username=demo.username),
    )
    job = runner.run(version.jobs.get(type="planning").pk)
    assert job is not None and job.status == "succeeded", job and job.error
    return version
