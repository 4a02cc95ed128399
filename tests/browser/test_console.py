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
    page.on("request", lambda request: asked.append(request.url) if "/answer?" in request.url else None)
    ask_by_typing(page, "窃电行为包括哪些")
    assert asked and all("live=1" in url for url in asked)
    assert "live" not in page.url  # the address the agent can share is the plain question


def test_disagreeing_rules_are_all_on_the_card(page):
    card = ask_by_typing(page, "高压单电源用户供电方案答复几天")
    figures = card.locator(".rules-compare .rule-figure").all_inner_texts()
    assert {"2个工作日", "10个工作日"} <= set(figures)


def test_the_copied_note_holds_the_permalink_region_and_due_date(page, server):
    page.goto("/")
    page.select_option("#region", "鄂尔多斯市")
    page.fill("#from", "2026-11-03")
    card = ask_by_typing(page, "高压单电源用户合计办理时间", goto=False)
    due = card.locator(".deadlines .due").first.inner_text()
    card.locator("button.copy-note").click()
    note = page.evaluate("navigator.clipboard.readText()")
    link = card.locator(".source a").get_attribute("href")
    assert f"{server.url}{link}" in note  # the permalink, absolute
    assert "地区：鄂尔多斯市" in note and "受理日期：2026-11-03" in note and f"最迟：{due}" in note
    assert "知识库索引日期：" in note and note.count("《") == 1  # the document named once
    month_day = f"{int(due[5:7])}月{int(due[8:])}日"
    say = card.locator(".say").inner_text()
    assert say.startswith("按鄂尔多斯市现行规定") and month_day in say
    page.evaluate("navigator.clipboard.writeText('')")
    page.locator("#q").focus()
    page.keyboard.press("Alt+c")  # the key copies it too
    page.wait_for_function("async () => (await navigator.clipboard.readText()).startsWith('【工单备注】')")


def test_the_copy_key_is_above_the_fold_at_1366_by_768(browser, server):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", base_url=server.url)
    try:
        page = context.new_page()
        page.goto("/?q=" + "高压双电源用户供电方案答复时限" + "&region=鄂尔多斯市&from=2026-11-03")
        box = page.locator("#answer button.copy-note").bounding_box()
        assert box and box["y"] + box["height"] <= 768
    finally:
        context.close()


def test_composition_does_not_ask(page):
    """Pinyin being composed in an IME is not a question: nothing is asked until the composition ends."""
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/answer?" in request.url else None)
    page.goto("/")
    page.locator("#q").focus()
    ime = page.context.new_cdp_session(page)
    for text in ("gao", "gaoya", "高压shuang", "高压shuang dian"):
        ime.send("Input.imeSetComposition", {"text": text, "selectionStart": len(text), "selectionEnd": len(text)})
        page.wait_for_timeout(120)
    page.wait_for_timeout(800)  # longer than the typing pause
    assert asked == []
    ime.send("Input.insertText", {"text": "高压双电源用户供电方案答复时限"})  # the composition ends
    page.wait_for_function("() => new URLSearchParams(location.search).get('q') === '高压双电源用户供电方案答复时限'")
    assert len(asked) == 1 and "live=1" in asked[0]


def _suggested(server, typed: str) -> list[str]:
    """What the combobox should offer for ``typed`` (a word of its own), read from the corpus's index:
    kb.present.suggestions beginning with it, then (from three characters) those holding it, up to eight."""
    from kb.index import OpenIndex
    from kb.present.suggestions import suggestions

    every = [s for s in suggestions(OpenIndex(server.index_path)) if s != typed]
    inside = [s for s in every if len(typed) >= 3 and typed in s and not s.startswith(typed)]
    return ([s for s in every if s.startswith(typed)] + inside)[:8]


def _shown(page) -> list[str]:
    return page.locator("#q-suggestions [role=option]:visible").all_inner_texts()


def test_the_question_box_is_a_combobox_of_the_corpus_suggestions(page, server):
    """WAI-ARIA 1.2 combobox with list autocomplete: ↑/↓ move aria-activedescendant while the focus stays in
    the box, Enter picks, Escape closes; the options are the corpus's customer types, items and titles."""
    page.goto("/")
    box = page.locator("#q")
    assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-autocomplete") == "list"
    assert box.get_attribute("aria-expanded") == "false" and box.get_attribute("list") is None
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    assert listbox.get_attribute("role") == "listbox" and page.locator("datalist").count() == 0
    assert page.locator("[role=status], [aria-live]").count() == 1  # the one short announcement line

    box.press_sequentially("供电方案答复时限", delay=5)  # 时限 begins no suggestion; two characters inside one are not offered
    assert _suggested(server, "时限") == [] and _shown(page) == [] and box.get_attribute("aria-expanded") == "false"
    box.fill("")
    box.press_sequentially("高压", delay=5)
    expected = _suggested(server, "高压")
    assert len(expected) >= 3 and _shown(page) == expected
    assert box.get_attribute("aria-expanded") == "true"
    options = listbox.locator("[role=option]:visible")
    ids = options.evaluate_all("os => os.map(o => o.id)")
    for key, at in (("ArrowDown", 0), ("ArrowDown", 1), ("ArrowUp", 0)):
        page.keyboard.press(key)
        assert box.get_attribute("aria-activedescendant") == ids[at]
        assert options.nth(at).get_attribute("aria-selected") == "true"
        assert page.evaluate("document.activeElement.id") == "q"  # the focus never leaves the box
    assert listbox.locator("[aria-selected=true]").count() == 1
    screenshot(page, "console-suggestions")
    page.keyboard.press("ArrowUp")  # above the first: back to the text
    assert box.get_attribute("aria-activedescendant") is None
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # picks the option; the question is then asked
    assert box.input_value() == expected[0]
    assert box.get_attribute("aria-expanded") == "false" and box.get_attribute("aria-activedescendant") is None
    page.wait_for_function("q => new URLSearchParams(location.search).get('q') === q", arg=expected[0])

    box.press_sequentially("供电", delay=5)  # the word being typed at the end of the text
    assert _shown(page) == _suggested(server, "供电") and box.get_attribute("aria-expanded") == "true"
    box.press_sequentially("公司", delay=5)  # 供电公司, held inside the titles of 000 and 001
    assert _shown(page) == _suggested(server, "供电公司") and len(_shown(page)) >= 2
    page.keyboard.press("Escape")  # closes the list, keeps the text
    assert box.get_attribute("aria-expanded") == "false" and not listbox.is_visible()
    assert box.input_value() == expected[0] + "供电公司"
    page.keyboard.press("ArrowDown")  # the list closed: ↓ goes to the results, as before
    assert page.evaluate("document.activeElement.id") != "q"


def test_a_suggestion_is_picked_with_the_mouse(page, server):
    page.goto("/")
    box = page.locator("#q")
    box.press_sequentially("高压双电源用户供电方", delay=5)
    expected = _suggested(server, "供电方")
    assert expected and _shown(page) == expected
    page.locator("#q-suggestions [role=option]:visible").first.click()
    assert box.input_value() == "高压双电源用户" + expected[0]
    assert page.evaluate("document.activeElement.id") == "q" and box.get_attribute("aria-expanded") == "false"
    page.wait_for_function("q => new URLSearchParams(location.search).get('q') === q", arg=box.input_value())


def test_composition_does_not_open_the_suggestions(page, server):
    """While an IME composes, the list is not opened (its own keys choose its candidates); it opens once the
    composed text is in the box."""
    page.goto("/")
    page.locator("#q").focus()
    ime = page.context.new_cdp_session(page)
    ime.send("Input.imeSetComposition", {"text": "高压双", "selectionStart": 3, "selectionEnd": 3})
    page.wait_for_timeout(400)
    assert page.locator("#q").get_attribute("aria-expanded") == "false" and _shown(page) == []
    ime.send("Input.insertText", {"text": "高压双"})  # the composition ends
    page.wait_for_function("() => document.getElementById('q').getAttribute('aria-expanded') === 'true'")
    assert _shown(page) == _suggested(server, "高压双") and "高压双电源用户" in _shown(page)


def test_a_lone_character_is_not_asked_and_the_last_card_stays(page):
    asked = []
    card = ask_by_typing(page, "窃电行为包括哪些")
    page.on("request", lambda request: asked.append(request.url) if "/answer?" in request.url else None)
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("高", delay=5)
    page.wait_for_timeout(800)
    assert asked == [] and card.count() == 1  # one character is not yet a question; the card is kept


def test_the_timeline_shows_every_stage_date(page, server):
    import datetime as dt

    from kb.answer.rule_table import rule_table
    from kb.index import OpenIndex
    from kb.present.timeline import timeline
    from kb.vocab import default_vocab

    vocab = default_vocab()
    expected = timeline(rule_table(OpenIndex(server.index_path, vocab), "高压双电源用户", "鄂尔多斯市"),
                        dt.date(2026, 11, 3), dt.date.today(), vocab)
    page.goto("/?q=高压双电源用户供电方案答复时限&region=鄂尔多斯市&from=2026-11-03")
    stages = page.locator("#answer .timeline ol.stages.binding > li")
    assert stages.count() == len(expected.binding) >= 4
    for item, step in zip(stages.all_inner_texts(), expected.binding, strict=True):
        assert step.item in item and step.figure in item and step.due.isoformat() in item
    remaining = page.locator("#answer .timeline .remaining").inner_text()
    assert expected.last_due.isoformat() in remaining and "个工作日" in remaining
    assert "若征求意见稿施行" in page.locator("#answer .timeline").inner_text()
    screenshot(page, "console-timeline", full_page=True)


def test_a_date_in_the_question_counts_as_the_start(page):
    card = ask_by_typing(page, "11月20日申请的高压单电源用户供电方案最晚什么时候答复")
    assert "受理" in card.locator(".timeline h2").inner_text()
    assert card.locator(".deadlines .due").count() >= 1


def test_a_half_typed_date_is_not_sent(page):
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/answer?" in request.url else None)
    page.goto("/")
    page.locator("#from").press_sequentially("2026")  # year only: the field's value stays empty
    ask_by_typing(page, "窃电行为包括哪些", goto=False)
    assert asked and not any("from=" in url for url in asked)
    assert "from" not in page.locator("#answer").inner_text()


def test_a_search_without_result_offers_examples_and_faq_entries(page):
    page.goto("/")
    assert page.locator(".examples.start li a").count() >= 3  # the start page has examples
    page.locator("#q").press_sequentially("停电通知", delay=5)
    page.wait_for_function("() => new URLSearchParams(location.search).get('q') === '停电通知'")
    card = page.locator("#answer .answer-card.empty")
    card.wait_for()
    assert card.locator(".no-result-faq li a").count() >= 1
    assert all(href.startswith("/faq#") for href in
               card.locator(".no-result-faq li a").evaluate_all("links => links.map(a => a.getAttribute('href'))"))
    assert card.locator(".examples li a").count() >= 3
    assert card.locator("a", has_text="条款检索").get_attribute("href").startswith("/search?q=")
    assert page.locator("#announce").inner_text() != ""  # the status line says something happened


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
