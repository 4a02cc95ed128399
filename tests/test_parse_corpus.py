"""The parser on every document of the real corpus: counts, labels and table rows."""

import pytest

from kb.corpus import load_corpus
from kb.parse import parse_document
from tests.conftest import CORPUS

DOCS = {d.id: d for d in load_corpus(CORPUS)}
PARSED = {doc_id: parse_document(d) for doc_id, d in DOCS.items()}


def clause(doc_id, clause_id):
    found = PARSED[doc_id].clause(clause_id)
    assert found is not None, f"{doc_id}#{clause_id} missing"
    return found


@pytest.mark.parametrize("doc_id", sorted(DOCS))
def test_every_document_parses_into_uniquely_anchored_clauses(doc_id):
    clauses = PARSED[doc_id].clauses
    ids = [c.id for c in clauses]
    assert len(ids) == len(set(ids))
    assert sum(c.indexable for c in clauses) >= 20
    assert all(c.label for c in clauses)


@pytest.mark.parametrize("doc_id, indexable, rows", [
    ("000", 48, 0), ("001", 33, 16), ("002", 48, 4), ("003", 27, 0), ("004", 27, 26),
])
def test_clause_and_row_counts_of_the_seed_documents(doc_id, indexable, rows):
    clauses = PARSED[doc_id].clauses
    assert (sum(c.indexable for c in clauses), sum(c.kind == "row" for c in clauses)) == (indexable, rows)


def test_the_time_limit_table_row_reads_on_its_own():
    row = clause("002", "att2-t1-r3")
    assert row.label == "附件2 高压双电源用户"
    assert row.text == ("附件2 供电企业办理用电报装业务时限要求 — 高压双电源用户：业务受理 1，供电方案答复 20，设计审查 3，"
                        "中间检查 2，竣工检验 3，装表接电 3，合计办理时间 32（单位：工作日）")


def test_nested_numbering_labels_and_heading_paths():
    item = clause("002", "c2.1.1.2")
    assert item.label == "二、（一）1.（2）"
    assert item.heading_path == ["二、重点任务", "（一）持续改革创新，推进办电便捷化", "1.巩固提升“三零”（零上门、零审批、零投资）服务"]
    assert "无电力外线工程的不超过5个工作日" in item.text


def test_a_skipped_number_in_the_original_is_kept():
    assert clause("002", "c2.6").label == "二、（六）"  # the original jumps from （四） to （六）
    assert PARSED["002"].clause("c2.5") is None


def test_the_notice_tables_name_their_table_in_each_row():
    row = clause("001", "att1-t3-r4")
    assert row.label == "附件1 10千伏单电源、双电源工程流程及时限规定调整情况表 竣工接电 电网配套工程实施"
    assert "单电源 13，双电源 18" in row.text


def test_the_task_ledger_rows_carry_their_number_and_section():
    row = clause("004", "c4-t1-r1")
    assert row.label == "四、序号18"
    assert row.text.startswith("四、提升供电能力和供电可靠性 — 序号18：重点任务 呼和浩特市市区")


def test_law_articles_are_clauses_with_chapter_paths():
    article = clause("006", "a28")
    assert article.label == "第二十八条" and article.heading_path == ["第四章 电力供应"]
    assert "(一)因供电设施计划检修需要停电时，供电企业应当提前7天通知用户或者进行公告；" in article.text


def test_the_cover_letter_does_not_swallow_the_plan():
    assert clause("003", "c2.1.5").heading_path[0] == "二、重点工作任务"


def test_notes_after_tables_are_one_clause():
    note = clause("002", "att2-note1")
    assert note.label == "附件2 注" and "2.实行“三零”服务的低压用户全过程办电时间" in note.text
