"""A long document in pages: a permalink to a clause on a later page lands on it, with or without JavaScript."""

from __future__ import annotations

from tests.browser.conftest import LONG_ARTICLES


def test_a_bare_permalink_to_a_clause_on_a_later_page_lands_on_it(page):
    clause = f"a{LONG_ARTICLES}"
    page.goto(f"/doc/long#{clause}")
    page.wait_for_url(f"**/doc/long?page=*#{clause}")
    target = page.locator(f"#{clause}")
    assert target.is_visible() and f"第{LONG_ARTICLES}条" in target.inner_text()
    assert page.locator("nav.pager").first.is_visible()


def test_without_javascript_the_first_page_lists_the_pages(browser, server):
    context = browser.new_context(java_script_enabled=False, base_url=server.url)
    try:
        page = context.new_page()
        page.goto("/doc/long")
        pages = page.locator("nav.pager ol.pages li")
        assert pages.count() >= 2 and "第1条" in pages.first.inner_text()
        pages.last.locator("a").click()
        assert f"第{LONG_ARTICLES}条" in page.locator("article.document .body").inner_text()
    finally:
        context.close()
