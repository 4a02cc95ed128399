"""The FAQ's plain-language first sentence (kb/present/today.py): an entry resting on a draft or on a lapsed
target opens with what binds today on the same item, read from the index, with its clause, then what the
draft would change; with no binding figure it says so. Small corpora built here, and the real one."""

from __future__ import annotations

import datetime as dt

import pytest

from kb.answer.rule_table import rule_table
from kb.corpus.faq import Entry, load_faq
from kb.index import OpenIndex, build
from kb.present import data_file
from kb.present.rule_sheet import row_key, rule_sheet, target_year_passed
from kb.present.today import DRAFT, LAPSED, TodayReader
from tests.conftest import CORPUS, write_doc

TODAY = dt.date(2026, 6, 1)
WORDS = data_file("faq_today.yaml")


def _corpus(tmp_path, binding: int | None = 25):
    corpus = tmp_path / "corpus"
    write_doc(corpus, "draft", "自治区办电方案（征求意见稿）", "一、高压双电源用户各环节合计时间压减至30个工作日以内。\n",
              region="内蒙古自治区", status="征求意见稿", issued="2025")
    write_doc(corpus, "old", "自治区台账", "一、到2020年底前，高压双电源用户各环节合计时间压减至40个工作日以内。\n",
              region="内蒙古自治区", issued="2019-01-01")
    if binding is not None:
        write_doc(corpus, "city", "甲市办电通知", f"一、高压双电源用户各环节合计时间压减至{binding}个工作日以内。\n",
                  region="鄂尔多斯市", issued="2024-01-01")
    build(corpus, tmp_path / "index")
    return OpenIndex(tmp_path / "index")


def _entry(cite: str, answer: str) -> Entry:
    return Entry(id="test-entry", question="高压双电源用户办电要多长时间？", topic="报装时限", cites=[cite], order=1,
                 answer_md=answer)


DRAFT_ENTRY = ("draft#c1", "按征求意见稿，高压双电源用户各环节合计时间为30个工作日以内。")
LAPSED_ENTRY = ("old#c1", "台账要求到2020年底前，高压双电源用户各环节合计时间压减至40个工作日以内。")


@pytest.mark.parametrize("binding", [25, 18])
def test_a_draft_entry_opens_with_the_binding_figure_and_its_clause_then_the_draft(tmp_path, binding):
    index = _corpus(tmp_path, binding)
    today = TodayReader(index, TODAY).of(_entry(*DRAFT_ENTRY))
    assert today is not None and today.rests_on == DRAFT
    text = today.text
    assert text.startswith(WORDS["binding"] + "鄂尔多斯市")  # what applies today comes first
    assert f"{binding}个工作日以内" in text and "40个工作日" not in text  # the lapsed target is not today's rule
    cites = [p for p in today.parts if p.doc_id]
    assert [(p.doc_id, p.clause_id) for p in cites] == [("city", "c1")] and "甲市办电通知" in cites[0].text
    assert text.index(f"{binding}个工作日") < text.index("30个工作日以内")  # then what the draft would change
    assert WORDS["draft_change"].format(figures="30个工作日以内") in text


def test_without_a_binding_figure_it_says_so_plainly(tmp_path):
    index = _corpus(tmp_path, binding=None)
    today = TodayReader(index, TODAY).of(_entry(*DRAFT_ENTRY))
    assert today.binding == [] and not any(p.doc_id for p in today.parts)
    assert today.text == (WORDS["none"].format(subject="高压双电源用户", item="各环节合计时间")
                          + WORDS["draft_only"].format(figures="30个工作日以内"))


def test_a_lapsed_target_opens_with_what_binds_now_and_says_the_year_has_passed(tmp_path):
    index = _corpus(tmp_path)
    today = TodayReader(index, TODAY).of(_entry(*LAPSED_ENTRY))
    assert today.rests_on == LAPSED
    assert today.text.startswith(WORDS["binding"] + "鄂尔多斯市") and "25个工作日以内" in today.text
    assert WORDS["lapsed"].format(title="自治区台账", years="2020年") in today.text
    assert WORDS["draft_change"].format(figures="30个工作日以内") in today.text  # and the draft on the same item
    # before its year was over the target bound: no sentence
    assert TodayReader(index, dt.date(2020, 6, 1)).of(_entry(*LAPSED_ENTRY)) is None


def test_an_entry_resting_on_a_binding_rule_gets_no_sentence(tmp_path):
    index = _corpus(tmp_path)
    entry = _entry("city#c1", "甲市规定高压双电源用户各环节合计时间压减至25个工作日以内。")
    assert TodayReader(index, TODAY).of(entry) is None


def test_the_real_draft_entry_names_the_binding_rule_table_figures(corpus_index):
    """高压双电源用户办电要多长时间？ rests on 002 (征求意见稿): its sentence names every binding row of the rule
    table on the same item (targets whose year has passed left out), each with its clause, then 002's figure."""
    entry = next(e for e in load_faq(CORPUS / "faq") if e.id == "gaoya-shuangdianyuan-shixian")
    today = dt.date.today()
    sentence = TodayReader(corpus_index, today).of(entry)
    assert sentence is not None and sentence.rests_on == DRAFT and sentence.item == "各环节合计时间"
    table = rule_table(corpus_index, "高压双电源用户", None, today)
    binding = [r for r in table.rows if r.binding and r.item == sentence.item and not target_year_passed(r, today)]
    draft = [r for r in table.rows if r.doc_id == "002" and r.item == sentence.item and r.subject == "高压双电源用户"]
    assert binding and draft
    text = sentence.text
    assert text.startswith(WORDS["binding"])
    assert {(p.doc_id, p.clause_id) for p in sentence.parts if p.doc_id} == {(r.doc_id, r.clause_id) for r in binding}
    for row in binding:
        assert row.figure in text and row.region in text
    assert all(text.index(r.figure) < text.rindex(draft[0].figure) for r in binding)
    assert text.endswith(WORDS["draft_change"].format(figures=f"不超过{draft[0].figure}"))


def test_a_target_is_passed_by_the_year_of_its_deadline_column(corpus_index):
    """004's rows name their year only in the table's 完成时限 column (the qualifier 2020年底前)."""
    today = dt.date(2026, 6, 1)
    table = rule_table(corpus_index, "高压双电源用户", None, today)
    rows = [r for r in table.rows if r.doc_id == "004" and r.item == "各环节合计时间"]
    assert rows and all("2020" not in r.context for r in rows)
    sheet = rule_sheet(table, corpus_index.metas, corpus_index.vocab, today)
    assert all(row_key(r) in sheet.passed_targets for r in rows)
    assert not any(row_key(r) in sheet.passed_targets for r in table.rows if r.doc_id == "001")
