"""Script payloads in queries, in a document and in feedback render as text; none runs."""

from __future__ import annotations

from urllib.parse import quote

from tests.browser.conftest import XSS


def no_script_ran(page) -> bool:
    return page.evaluate("window.__xss === undefined")


def test_a_payload_typed_into_the_console(page):
    page.goto("/")
    page.locator("#q").fill("注入测试条款" + XSS)
    page.locator("#q").press("Enter")
    page.locator("#hits li.hit").first.wait_for()
    assert no_script_ran(page)
    assert "<script>window.__xss=2</script>" in page.locator("#hits").inner_text()


def test_a_payload_in_the_url_of_server_rendered_pages(page):
    for path in ("/?q=", "/search?q=", "/faq?q="):
        page.goto(path + quote("注入测试" + XSS))
        assert no_script_ran(page), path
        assert page.locator("input[name=q]").input_value() == "注入测试" + XSS  # kept as text, not markup
    response = page.goto("/rules?subject=" + quote(XSS))
    assert response.status == 400 and no_script_ran(page) and XSS in page.locator("main").inner_text()


def test_a_document_carrying_payloads(page):
    page.goto("/doc/xss")
    assert no_script_ran(page)
    body = page.locator("article.document").inner_text()
    assert body.count("<script>window.__xss=2</script>") >= 3  # title, clause and table row shown as text
    page.goto("/search?q=" + quote("注入测试条款"))
    assert no_script_ran(page) and "onerror" in page.locator("#hits, ol.hits").first.inner_text()


def test_a_payload_in_a_feedback_comment(page, server):
    page.goto("/?q=" + quote("窃电行为包括哪些"))
    page.locator("#answer form.feedback textarea").fill(XSS)
    page.locator("#answer form.feedback button.useful").click()
    page.locator("#answer .thanks").wait_for()
    page.goto(f"/feedback?token={server.admin_token}")
    assert no_script_ran(page)
    assert XSS in page.locator("table.feedback-table").inner_text()
