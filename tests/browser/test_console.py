"""The agent console in a real browser: live answers, copy, keyboard, region memory, no-JS."""

from __future__ import annotations

from tests.browser.conftest import screenshot

FOCUS_INDEX = ("Array.from(document.querySelectorAll('#answer .source a, #hits .hit a.label'))"
               ".indexOf(document.activeElement)")


def ask_by_typing(page, question: str, goto: bool = True):
    """Type like an agent and wait for the answer to the whole question (not a debounced prefix)."""
    if goto:
        page.goto("/")
    page.locator("#q").press_sequentially(question, delay=5)
    page.wait_for_function("q => new URLSearchParams(location.search).get('q') === q", arg=question)
    card = page.locator("#answer .answer-card")
    card.wait_for()
    return card


def test_typing_a_question_shows_the_answer_card(page):
    card = ask_by_typing(page, "高压双电源用户供电方案答复时限")
    assert "20个工作日" in card.locator(".answer-text").inner_text()
    figures = card.locator(".figure").inner_text().split(" / ")  # 001 and the 002 draft differ: both shown
    assert len(figures) == 2 and "20个工作日" in figures
    assert card.locator(".badge.status").first.inner_text() in {"征求意见稿", "现行有效"}
    assert "双电源" in card.locator(".clause-text").inner_text()
    assert page.locator("#hits li.hit").count() > 0
    assert page.evaluate("document.activeElement.id") == "q"  # focus stays in the box while typing
    screenshot(page, "console")


def test_typing_asks_on_the_live_budget_and_keeps_it_out_of_the_address(page):
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/api/ask" in request.url else None)
    ask_by_typing(page, "窃电行为包括哪些")
    assert asked and all("live=1" in url for url in asked)
    assert "live" not in page.url  # the address the agent can share is the plain question


def test_disagreeing_rules_are_all_on_the_card(page):
    card = ask_by_typing(page, "高压单电源用户供电方案答复几天")
    figures = card.locator(".rules-compare .rule-figure").all_inner_texts()
    assert {"2个工作日", "10个工作日"} <= set(figures)


def test_copy_puts_the_answer_and_its_citation_on_one_line(page):
    card = ask_by_typing(page, "计划检修停电要提前几天通知")
    card.locator("button.copy").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "7天" in copied and "出处：《电力供应与使用条例" in copied and "第二十八条" in copied
    assert "\n" not in copied


def test_keyboard_only_use(page):
    page.goto("/")
    page.locator("body").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("窃电行为包括哪些")
    page.keyboard.press("Enter")
    page.locator("#hits li.hit").first.wait_for()
    page.keyboard.press("ArrowDown")
    assert page.evaluate(FOCUS_INDEX) == 0
    assert page.evaluate("document.activeElement.getAttribute('href')").startswith("/doc/")
    page.keyboard.press("ArrowDown")
    assert page.evaluate(FOCUS_INDEX) == 1
    page.keyboard.press("ArrowUp")
    assert page.evaluate(FOCUS_INDEX) == 0
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.press("Escape")
    assert page.locator("#q").input_value() == ""
    assert page.locator("#answer .answer-card").count() == 0


def test_the_region_is_remembered(page):
    page.goto("/")
    page.select_option("#region", "鄂尔多斯市")
    page.goto("/")
    assert page.locator("#region").input_value() == "鄂尔多斯市"
    card = ask_by_typing(page, "线上办电率要达到多少", goto=False)
    assert "95%" in card.locator(".answer-text").inner_text()


def test_without_javascript_the_form_submits_and_the_server_answers(browser, server):
    context = browser.new_context(java_script_enabled=False, base_url=server.url, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto("/")
        page.fill("#q", "高压双电源用户供电方案答复时限")
        page.locator("#ask-form button[type=submit]").click()
        page.wait_for_url("**/?q=*")
        assert "20个工作日" in page.locator("#answer .answer-text").inner_text()
        assert page.locator("#hits li.hit").count() > 0
    finally:
        context.close()


def test_a_start_date_gives_the_latest_date_under_each_rule(page):
    page.goto("/")
    page.fill("#from", "2026-11-03")
    card = ask_by_typing(page, "高压单电源用户合计办理时间", goto=False)
    deadlines = card.locator(".deadlines")
    assert "2026-12-03" in deadlines.inner_text() and "调休" in deadlines.inner_text()


def test_feedback_from_the_card_reaches_the_staff_page(page, server):
    card = ask_by_typing(page, "窃电行为包括哪些")
    card.locator("form.feedback textarea").fill("浏览器测试留言")
    card.locator("form.feedback button.wrong").click()
    page.locator("#answer .thanks").wait_for()
    page.goto(f"/feedback?token={server.admin_token}")
    row = page.locator("table.feedback-table tr", has_text="浏览器测试留言")
    assert row.count() == 1 and "有误" in row.inner_text() and "窃电行为包括哪些" in row.inner_text()


def test_the_staff_page_is_closed_without_the_token(page):
    response = page.goto("/feedback?token=wrong")
    assert response.status == 403
