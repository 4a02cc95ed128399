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


# WCAG's relative luminance and contrast ratio of two CSS colours, computed in the page.
CONTRAST = """([a, b]) => {
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                     return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}"""


def test_input_borders_have_3_to_1_contrast_and_the_focus_ring_shows(page):
    """Issue 13.8: the borders of the fields stand at 3:1 against the page, the keyboard focus is drawn."""
    for path, fields in (("/", ["#q", "#region", "#from"]), ("/faq", ["input[name=q]"]), ("/search", ["input[name=q]"])):
        page.goto(path)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        for field in fields:
            border = page.locator(field).evaluate("e => getComputedStyle(e).borderTopColor")
            assert page.evaluate(CONTRAST, [border, background]) >= 3, (path, field, border)
    page.goto("/docs")
    page.keyboard.press("Tab")  # the skip link, then the brand: keyboard focus
    page.keyboard.press("Tab")
    ring = page.evaluate("(() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; })()")
    assert ring[0] != "none" and float(ring[1].rstrip("px")) >= 2


def test_every_table_header_has_a_scope(page):
    for path in ("/rules?subject=高压单电源用户&region=鄂尔多斯市&drafts=1&a=001&b=002", "/docs", "/doc/001"):
        page.goto(path)
        headers = page.locator("main table th")
        assert headers.count() > 0
        assert headers.evaluate_all("ths => ths.filter(th => !['col', 'row', 'colgroup', 'rowgroup'].includes(th.getAttribute('scope'))).length") == 0, path
