"""The public FAQ on a phone-sized screen."""

from __future__ import annotations

from tests.browser.conftest import screenshot


def test_faq_reads_on_a_375_pixel_phone(phone_page):
    phone_page.goto("/faq")
    entries = phone_page.locator("article.faq-entry")
    assert entries.count() >= 20
    assert phone_page.evaluate("document.scrollingElement.scrollWidth") <= 375  # no sideways scrolling
    text = phone_page.locator("main").inner_text()
    assert "notes" not in text and "TODO" not in text and "推断" not in text
    screenshot(phone_page, "faq")


def test_faq_search_and_clause_links(phone_page):
    phone_page.goto("/faq")
    phone_page.fill("input[name=q]", "停电要提前几天通知")
    phone_page.locator("form.faq-search button").click()
    first = phone_page.locator("article.faq-entry").first
    assert "提前" in first.locator("h2").inner_text()
    link = first.locator(".faq-sources a").first
    href = link.get_attribute("href")
    assert href.startswith("/doc/006#a28")
    link.click()
    phone_page.wait_for_url("**/doc/006#a28")
    assert phone_page.evaluate("document.querySelector(':target').id") == "a28"


def test_faq_feedback(phone_page, server):
    phone_page.goto("/faq")
    entry = phone_page.locator("article.faq-entry").first
    entry.locator("form.feedback button.useful").click()
    entry.locator(".thanks").wait_for()
