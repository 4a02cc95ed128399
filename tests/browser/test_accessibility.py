"""An axe-core scan of every page (tests/browser/vendor/axe.min.js): no serious or critical violation."""

from __future__ import annotations

import pytest

from tests.browser.conftest import HERE

AXE = HERE / "vendor" / "axe.min.js"
PAGES = ["/", "/?q=高压双电源用户供电方案答复时限&region=鄂尔多斯市&from=2026-11-03", "/?q=停电通知",
         "/search", "/search?q=停电", "/rules", "/rules?subject=高压单电源用户&region=鄂尔多斯市&drafts=1&a=001&b=002",
         "/docs", "/doc/002", "/clause/006/a28", "/faq", "/faq?q=停电", "/no-such-page",
         "/feedback?token={token}"]


def _scan(page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluate, not a <script>: the site's CSP allows none inline
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_violation_and_an_h1_and_a_skip_link(page, server, path):
    page.goto(path.format(token=server.admin_token))
    assert page.locator("h1").count() >= 1
    assert page.locator("a.skip-link[href='#main']").count() == 1
    assert _scan(page) == []


def test_no_serious_violation_on_a_phone(phone_page):
    phone_page.goto("/faq")
    phone_page.locator("details.faq-entry summary").first.click()
    assert _scan(phone_page) == []


def test_no_serious_violation_with_the_suggestions_open(page):
    page.goto("/")
    page.locator("#q").press_sequentially("高压", delay=5)
    page.keyboard.press("ArrowDown")  # an option active: aria-activedescendant points into the listbox
    assert page.locator("#q").get_attribute("aria-activedescendant")
    assert _scan(page) == []
