"""Documents and clauses: a long document in pages (a permalink to a clause on a later page lands on it, with
or without JavaScript), 复制引用 / 复制链接 on every clause and hit, the title kept in view, related clauses."""

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


def _clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def test_every_clause_copies_its_citation_and_link_and_the_title_stays_in_view(page, server):
    """Issue 13.7: 复制引用 gives 《title》（文号）label and the permalink in one line, 复制链接 the permalink;
    the document's title, status and a way back stay in view; read against the server's own index."""
    from kb.index import OpenIndex

    index = OpenIndex(server.index_path)
    doc_id, clause_id = "001", "att1-t3-r3"
    record = index.documents[doc_id]
    _text, label = index.clause_text(doc_id, clause_id)
    permalink = f"{server.url}/doc/{doc_id}#{clause_id}"
    page.goto(f"/doc/{doc_id}#{clause_id}")
    clauses = page.locator("article.document .body .clause[id]")
    assert clauses.count() > 10 and clauses.locator(".cite-actions").count() == clauses.count()
    actions = page.locator(f"[id='{clause_id}'] .cite-actions")
    actions.locator("button.copy-cite").click()
    page.wait_for_function("async () => (await navigator.clipboard.readText()).length > 0")
    number = record["meta"].get("doc_number")
    assert _clipboard(page) == f"《{record['title']}》（{number}）{label} {permalink}"
    actions.locator("button.copy-link").click()
    page.wait_for_function("async p => (await navigator.clipboard.readText()) === p", arg=permalink)
    assert _clipboard(page) == permalink
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    bar = page.locator(".doc-bar")
    box = bar.bounding_box()
    assert box and 0 <= box["y"] < 80  # still at the top of the window at the end of the document
    assert record["title"] in bar.inner_text() and bar.locator(".badge.status").count() == 1
    assert bar.locator("a.back").get_attribute("href") == "/docs"


def test_a_clause_page_shows_the_same_item_in_other_documents(page, server):
    from kb.index import OpenIndex
    from kb.present.related import related_clauses

    index = OpenIndex(server.index_path)
    related = related_clauses(index, "001", "att1-t3-r3")
    assert related
    page.goto("/clause/001/att1-t3-r3")
    links = page.locator(".related-clauses li a")
    assert links.count() == len(related)
    for link, (doc_id, _clause_id) in zip(links.all(), related, strict=True):
        assert index.documents[doc_id]["title"] in link.inner_text()
        assert link.get_attribute("href").startswith(f"/doc/{doc_id}")


def test_search_results_copy_their_citation(page, server):
    page.goto("/?q=窃电行为包括哪些")
    hit = page.locator("#hits li.hit").first
    href = hit.locator("a.label").get_attribute("href")
    hit.locator("button.copy-cite").click()
    page.wait_for_function("async () => (await navigator.clipboard.readText()).length > 0")
    line = _clipboard(page)
    assert line.startswith("《") and line.endswith(f" {server.url}{href}")
