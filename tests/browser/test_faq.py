"""The public FAQ on a phone-sized screen."""

from __future__ import annotations

from tests.browser.conftest import screenshot

TAP = 44  # px: the smallest target a finger hits reliably (WCAG 2.5.5)


def test_faq_reads_on_a_375_pixel_phone_in_categories(phone_page):
    phone_page.goto("/faq")
    entries = phone_page.locator("details.faq-entry")
    assert entries.count() >= 20
    categories = phone_page.locator("nav.faq-categories a")
    assert categories.count() >= 4 and "办电时间" in categories.first.inner_text()
    assert phone_page.evaluate("document.scrollingElement.scrollWidth") <= 375  # no sideways scrolling
    text = phone_page.locator("main").inner_text()
    assert "notes" not in text and "TODO" not in text and "推断" not in text
    nav = phone_page.locator("header .site-nav a").all_inner_texts()
    assert nav == ["常见问题"]  # no staff tools on the public page
    assert phone_page.locator(".still-need-help a").count() == 1
    screenshot(phone_page, "faq")


def test_faq_tap_targets_are_44_pixels(phone_page):
    phone_page.goto("/faq")
    phone_page.locator("details.faq-entry summary").first.click()
    entry = phone_page.locator("details.faq-entry").first
    targets = [phone_page.locator("nav.faq-categories a"), phone_page.locator("details.faq-entry summary"),
               entry.locator("form.feedback button"), entry.locator(".faq-sources a"), entry.locator(".faq-related a")]
    small = []
    for locator in targets:
        for box in locator.evaluate_all("els => els.map(e => e.getBoundingClientRect().height)"):
            if 0 < box < TAP:
                small.append(box)
    assert small == []
    names = entry.locator("form.feedback button").evaluate_all("bs => bs.map(b => b.getAttribute('aria-label'))")
    question = entry.locator("summary").inner_text()
    assert names == [f"有用：{question}", f"有误：{question}"]  # each named by its entry


def test_faq_search_and_the_citation_view(phone_page):
    phone_page.goto("/faq")
    phone_page.fill("input[name=q]", "停电要提前几天通知")
    phone_page.locator("form.faq-search button").click()
    first = phone_page.locator("details.faq-entry").first
    assert "提前" in first.locator("summary").inner_text()
    link = first.locator(".faq-sources a").first
    assert link.get_attribute("href").startswith("/clause/006/a28")
    link.click()
    phone_page.wait_for_url("**/clause/006/a28**")
    view = phone_page.locator(".clause-view")
    assert "电力供应与使用条例" in view.inner_text() and view.locator(".clause-doc .badge.status").count() == 1
    phone_page.locator(".clause-view a.back").click()
    phone_page.wait_for_url("**/faq#*")
    assert phone_page.evaluate("document.getElementById(location.hash.slice(1)).open") is True


def test_faq_glossary_and_related_entries(phone_page):
    phone_page.goto("/faq")
    terms = phone_page.locator("dl.glossary dt").all_text_contents()
    assert terms  # some entry explains its terms
    assert phone_page.locator(".faq-related li a").count() >= 20


def test_faq_feedback(phone_page, server):
    phone_page.goto("/faq")
    entry = phone_page.locator("details.faq-entry").first
    entry.locator("summary").click()
    entry.locator("form.feedback button.useful").click()
    entry.locator(".thanks").wait_for()


def _rows(server, subject: str, item: str):
    """The rule table's rows on ``item`` for ``subject`` over the server's index: what binds today (targets
    whose year has passed left out) and what the draft 002 states."""
    import datetime as dt

    from kb.answer.rule_table import rule_table
    from kb.index import OpenIndex
    from kb.present.rule_sheet import target_year_passed

    today = dt.date.today()
    rows = [r for r in rule_table(OpenIndex(server.index_path), subject, None, today).rows if r.item == item]
    return ([r for r in rows if r.binding and not target_year_passed(r, today)],
            [r for r in rows if r.doc_id == "002" and r.subject == subject])


def _first_said(page, entry_id: str):
    entry = page.locator(f"details#{entry_id}")
    entry.locator("summary").click()
    first = entry.locator("summary + *")  # the first thing under the question
    assert first.get_attribute("class") == "today-first"
    return first


def test_an_entry_on_the_draft_opens_with_the_binding_rule_and_its_clause(phone_page, server):
    """高压双电源用户办电要多长时间？ rests on 002 (征求意见稿): it first says what binds today on the same item,
    from the corpus, with a link to the clause; then what the draft would change."""
    binding, draft = _rows(server, "高压双电源用户", "各环节合计时间")
    assert binding and draft and {r.figure for r in binding} != {draft[0].figure}
    phone_page.goto("/faq")
    first = _first_said(phone_page, "gaoya-shuangdianyuan-shixian")
    text = first.inner_text()
    for row in binding:
        assert row.figure in text and row.region in text and row.title in text
    assert max(text.index(r.figure) for r in binding) < text.rindex(draft[0].figure)  # today first, then the draft
    links = first.locator("a")
    assert links.count() == len({(r.doc_id, r.clause_id) for r in binding})
    first.evaluate("e => e.closest('details').scrollIntoView()")
    screenshot(phone_page, "faq-today")
    links.first.click()
    phone_page.wait_for_url(f"**/clause/{binding[0].doc_id}/{binding[0].clause_id}?back=*")
    view = phone_page.locator(".clause-view")
    assert binding[0].title in view.inner_text() and view.locator(".clause-doc .badge.status").inner_text() == binding[0].status
    phone_page.locator(".clause-view a.back").click()
    phone_page.wait_for_url("**/faq#gaoya-shuangdianyuan-shixian")


def test_an_entry_on_the_draft_with_no_binding_figure_says_so(phone_page, server):
    from kb.present import data_file

    words = data_file("faq_today.yaml")
    subject, item = "未实行“三零”服务的低压用户", "各环节合计时间"
    binding, draft = _rows(server, subject, item)
    assert binding == [] and draft
    phone_page.goto("/faq")
    first = _first_said(phone_page, "diya-weishixing-sanling-shixian")
    assert first.inner_text() == (words["none"].format(subject=subject, item=item)
                                  + words["draft_only"].format(figures=f"不超过{draft[0].figure}"))
    assert first.locator("a").count() == 0
