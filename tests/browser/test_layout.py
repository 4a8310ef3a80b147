"""Long identifiers stay inside their column at a laptop's width: a config's 64-character
content hash sits beside the config's contents, and ran over them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import Demo, log_in

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
