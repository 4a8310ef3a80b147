"""Long identifiers stay inside their column at a laptop's width: a config's 64-character
content hash sits beside the config's contents, and ran over them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import Demo, executed_version, log_in

pytestmark = pytest.mark.browser


def test_a_config_s_content_hash_wraps_inside_its_column(page: Page, demo: Demo) -> None:
    log_in(page, demo)
    page.get_by_test_id("nav-configs").click()
    page.locator(f"a[href$='/ui/configs/{demo.config_version_id}']").first.click()
    content_hash = page.get_by_test_id("content-hash")
    expect(content_hash).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    text = content_hash.bounding_box()
    column = page.get_by_test_id("config-meta").bounding_box()
    assert text is not None and column is not None
    assert text["x"] + text["width"] <= column["x"] + column["width"] + 0.5, (text, column)


@pytest.mark.parametrize("width", [1280, 1440])
def test_the_plans_list_fits_a_laptop_screen(
    page: Page, demo: Demo, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # eleven columns, one of them a job's name and state: it used to scroll sideways
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM beside Playwright's loop
    executed_version(demo, "A plan with a long enough name to wrap")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo)
    page.get_by_test_id("nav-plans").click()
    expect(page.get_by_test_id("plan-row")).to_have_count(1)
    region = page.locator(".table-wrap:has([data-testid=plan-row])")
    scroll, visible = region.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert scroll <= visible, (scroll, visible)
