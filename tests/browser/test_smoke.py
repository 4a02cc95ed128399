"""Smoke test in a real browser: search, follow a clause permalink, land on the clause."""

from __future__ import annotations

import json
import re
import urllib.request

from tests.browser.conftest import screenshot


def test_server_is_healthy(server):
    with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.load(response)["status"] == "ok"


def test_search_then_permalink_lands_on_the_clause(page):
    page.goto("/search")
    box = page.locator("input[name=q]")
    box.fill("高压双电源 时限")
    box.press("Enter")

    first = page.locator("li.hit").first
    first.wait_for()
    assert "高压双电源用户" in first.inner_text()

    permalink = first.locator("a.label")
    assert permalink.get_attribute("href").endswith("/doc/002#att2-t1-r3")
    permalink.click()
    page.wait_for_url(re.compile(r"/doc/002#att2-t1-r3$"))

    row = page.locator("#att2-t1-r3")
    assert row.evaluate("el => el.tagName") == "TR"
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == "att2-t1-r3"
    assert row.is_visible()
    screenshot(page, "document-permalink")
