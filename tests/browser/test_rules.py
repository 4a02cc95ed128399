"""The staff rule checker in a real browser."""

from __future__ import annotations

from tests.browser.conftest import screenshot


def test_compare_rules_for_a_customer_type_in_a_region(page):
    page.goto("/rules")
    page.select_option("select[name=subject]", "高压单电源用户")
    page.select_option("select[name=region]", "鄂尔多斯市")
    page.locator("form button[type=submit]").click()
    page.locator("table.rules-table").wait_for()
    differing = page.locator("table.rules-table tr.differs")
    assert differing.count() >= 2  # 001 and 002 state different 供电方案答复 limits
    answer_rows = page.locator("table.rules-table tr", has_text="供电方案答复")
    texts = " ".join(answer_rows.all_inner_texts())
    assert "2个工作日" in texts and "10个工作日" in texts and "征求意见稿" in texts
    link = answer_rows.first.locator("a").last.get_attribute("href")
    assert link.startswith("/doc/") and "#" in link
    screenshot(page, "rules", full_page=False)
    page.goto(link)
    assert page.evaluate("document.querySelector(':target') !== null")


def test_documents_list_and_supersedes(page):
    page.goto("/docs")
    rows = page.locator("table.docs-table tbody tr")
    assert rows.count() >= 10
    assert "征求意见稿" in page.locator("table.docs-table tr", has_text="征求意见稿").first.inner_text()
    page.goto("/doc/002")
    assert "内能电力字〔2024〕857号" in page.locator("dl.meta").inner_text()
