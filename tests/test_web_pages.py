"""The pages of issue 13 through Flask's test client, over the real corpus: the call-record note, the
timeline, no-result help, the rule sheet and its CSV, the FAQ in categories, the clause view, errors."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re

from kb.answer.rule_table import rule_table
from kb.corpus.faq import load_faq
from kb.present.faq_groups import FaqGroups
from kb.present.glossary import Glossary
from kb.present.suggestions import suggestions
from kb.present.timeline import timeline, working_days_between
from kb.present.today import TodayReader
from tests.conftest import CORPUS

QUESTION = "高压双电源用户供电方案答复时限"


def test_the_note_names_region_due_date_permalink_and_index_date(client, app):
    from web.note import call_note

    answer = client.get("/api/ask", query_string={"q": QUESTION, "region": "鄂尔多斯市", "from": "2026-11-03"}).get_json()
    note = call_note(answer, "http://kb.example/", "2026-12-01T10:00:00")
    fact = answer["facts"][0]
    due = next(d["due"] for d in answer["deadlines"] if d["doc_id"] == fact["doc_id"])
    assert "地区：鄂尔多斯市" in note["note"] and f"最迟：{due}" in note["note"]
    assert f"http://kb.example/doc/{fact['doc_id']}#{fact['clause_id']}" in note["note"]
    assert "知识库索引日期：2026-12-01" in note["note"] and fact["figure"] in note["note"]
    month_day = f"{int(due[5:7])}月{int(due[8:])}日"
    assert note["say"] == f"按鄂尔多斯市现行规定，供电方案最晚于{month_day}前答复。"
    assert call_note({"found": False}, "http://x/", "") == {}


def test_the_console_renders_the_note_and_the_timeline(client):
    page = client.get("/", query_string={"q": QUESTION, "region": "鄂尔多斯市", "from": "2026-11-03"}).get_data(
        as_text=True)
    assert 'class="copy copy-note"' in page and "【工单备注】" in page
    assert 'class="stages binding"' in page and "若征求意见稿施行" in page


def test_the_timeline_chains_each_stage_from_the_one_before(corpus_index):
    vocab = corpus_index.vocab
    table = rule_table(corpus_index, "高压双电源用户", "鄂尔多斯市")
    line = timeline(table, dt.date(2026, 11, 3), dt.date(2026, 11, 3), vocab)
    assert len(line.binding) >= 4 and all(step.due for step in line.binding)
    dues = [step.due for step in line.binding]
    assert dues == sorted(dues) and dues[0] > dt.date(2026, 11, 3)
    assert line.remaining == working_days_between(dt.date(2026, 11, 3), line.last_due) > 0
    assert {row.doc_id for row in table.rows if row.binding} >= {step.doc_id for step in line.binding}
    assert all(step.doc_id == "002" for step in line.draft)  # the draft's figures, apart


def test_working_days_between_counts_both_ways():
    assert working_days_between(dt.date(2026, 11, 6), dt.date(2026, 11, 9)) == 1  # Friday → Monday
    assert working_days_between(dt.date(2026, 11, 9), dt.date(2026, 11, 6)) == -1
    assert working_days_between(dt.date(2026, 11, 9), dt.date(2026, 11, 9)) == 0


def test_a_bad_start_date_is_named_as_the_page_names_it(client):
    for url in ("/api/ask?q=x&from=2026-13-40", "/answer?q=x&from=2026-13-40"):
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 400 and "受理日期" in body and "from" not in body.replace("form", "")


def test_a_question_without_answer_offers_faq_entries_clauses_and_examples(client):
    page = client.get("/answer?q=停电通知").get_data(as_text=True)
    assert 'class="no-result-faq"' in page and 'href="/faq#' in page
    assert '<a href="/search?q=' in page  # 条款检索 is a link
    faq = load_faq(CORPUS / "faq")
    firsts = [group.entries[0].question for group in FaqGroups().categories(faq)]
    assert all(question in page for question in firsts)  # the examples are the FAQ's own questions
    start = client.get("/").get_data(as_text=True)
    assert all(question in start for question in firsts)


def test_suggestions_come_from_the_lexicon_and_the_titles(client, corpus_index):
    page = client.get("/").get_data(as_text=True)
    listbox = page.split('<ul id="q-suggestions"')[1].split("</ul>")[0]
    options = [html.unescape(o) for o in re.findall(r'<li id="q-option-\d+" role="option"[^>]*>([^<]+)</li>', listbox)]
    assert options == suggestions(corpus_index)  # every suggestion an option of the combobox's listbox
    titles = [record["title"] for record in corpus_index.documents.values()]
    assert "高压双电源用户" in options and set(titles) <= set(options)


def test_the_rule_sheet_puts_binding_rows_first_and_drafts_behind_the_switch(client):
    query = {"subject": "高压单电源用户", "region": "鄂尔多斯市"}
    page = client.get("/rules", query_string=query).get_data(as_text=True)
    assert 'id="binding-rows"' in page
    assert 'id="draft-rows"' not in page and "勾选“显示征求意见稿”" in page
    with_drafts = client.get("/rules", query_string={**query, "drafts": "1"}).get_data(as_text=True)
    assert with_drafts.index('id="binding-rows"') < with_drafts.index('id="draft-rows"')
    drafts = with_drafts[with_drafts.index('id="draft-rows"'):]
    assert "（拟全部废止）" in drafts and "未收录" in drafts  # 内能电力字〔2024〕857号 is not in the base


def test_the_csv_holds_every_row_of_the_json(client):
    query = {"subject": "高压单电源用户", "region": "鄂尔多斯市"}
    response = client.get("/rules.csv", query_string=query)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    api = client.get("/api/rules", query_string=query).get_json()["rows"]
    assert [(r["doc_id"], r["clause_id"], r["figure"]) for r in rows] == [(r["doc_id"], r["clause_id"], r["figure"])
                                                                        for r in api]
    assert client.get("/rules.csv").status_code == 400


def test_the_faq_is_in_categories_with_glossary_and_help(client):
    page = client.get("/faq").get_data(as_text=True)
    faq = load_faq(CORPUS / "faq")
    groups = FaqGroups().categories(faq)
    assert sum(len(g.entries) for g in groups) == len(faq)  # every entry in exactly one category
    assert all(f'id="{g.slug}"' in page for g in groups)
    assert page.count('class="faq-entry"') == len(faq)
    assert 'class="still-need-help"' in page
    nav = page.split('<nav class="site-nav"')[1].split("</nav>")[0]
    assert re.findall(r'href="([^"]+)"', nav) == ["/faq"] and "/rules" not in page  # no staff tools
    with_terms = [e for e in faq if Glossary().terms_in(e.answer_md)]
    assert with_terms and page.count('<dl class="glossary"') == len(with_terms)


def test_an_entry_resting_on_a_draft_or_a_lapsed_target_opens_with_what_applies_today(client, corpus_index):
    page = client.get("/faq").get_data(as_text=True)
    reader = TodayReader(corpus_index, dt.date.today())
    entries = load_faq(CORPUS / "faq")
    drafts_only = [e for e in entries if e.cites and all(
        corpus_index.documents[c.partition("#")[0]]["meta"]["status"] == corpus_index.vocab.draft for c in e.cites)]
    with_sentence = [e for e in entries if reader.of(e)]
    assert drafts_only and {e.id for e in drafts_only} <= {e.id for e in with_sentence}
    assert page.count('class="today-first"') == len(with_sentence)
    for entry in with_sentence:
        block = page.split(f'id="{entry.id}"')[1].split("</details>")[0]
        body = block.split("</summary>")[1].lstrip()
        assert body.startswith('<p class="today-first">')  # the first thing the entry says
        first = body.split("</p>")[0]
        assert html.unescape(re.sub(r"<[^>]+>", "", first)) == reader.of(entry).text
        cited = [(p.doc_id, p.clause_id) for p in reader.of(entry).parts if p.doc_id]
        assert re.findall(r'href="/clause/([^/"]+)/([^?"]+)\?back=%2Ffaq%23' + re.escape(entry.id) + '"', first) == cited
    assert any(p.doc_id for e in with_sentence for p in reader.of(e).parts)  # some name a binding clause


def test_the_clause_view_shows_the_document_and_goes_back(client):
    page = client.get("/clause/006/a28?back=/faq%23tingdian-tiqian-tongzhi").get_data(as_text=True)
    assert "电力供应与使用条例" in page and "第二十八条" in page and 'href="/faq#tingdian-tiqian-tongzhi"' in page
    assert 'data-link="/doc/006#a28"' in page
    assert client.get("/clause/006/a28?back=//evil.example").get_data(as_text=True).count("evil.example") == 0
    assert client.get("/clause/006/nope").status_code == 404


def test_error_pages_are_chinese_in_the_site_layout(client):
    for url, code in (("/nope", 404), ("/doc/nope", 404)):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == code and '<a class="skip-link"' in page and "<h1>" in page
    response = client.post("/")
    assert response.status_code == 405 and "不支持这种请求方式" in response.get_data(as_text=True)


def test_status_classes_are_ascii(client):
    for url in ("/docs", "/rules?subject=高压单电源用户&drafts=1", "/faq"):
        classes = " ".join(re.findall(r'class="([^"]*)"', client.get(url).get_data(as_text=True)))
        assert classes.isascii(), url


def test_the_api_blueprint_lives_under_api(app):
    rules = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert rules and all(rule.startswith("/api/") for rule in rules)
