"""The staff rule table: every rule on a customer type, with differences flagged."""

import datetime as dt

import pytest

from kb.answer.rule_table import customer_types, rule_table
from kb.errors import UnknownCustomerType, UnknownRegion

ON = dt.date(2026, 11, 23)


def test_rules_for_a_type_include_its_broader_type_and_flag_differences(corpus_index):
    table = rule_table(corpus_index, "高压单电源用户", "鄂尔多斯市", ON)
    subjects = {row.subject for row in table.rows}
    assert {"高压单电源用户", "高压用户"} <= subjects
    answers = [row for row in table.rows if row.item == "供电方案答复" and row.subject == "高压单电源用户"]
    assert {(row.doc_id, row.figure) for row in answers} >= {("001", "2个工作日"), ("002", "10个工作日")}
    assert all(row.differs for row in answers) and "供电方案答复" in table.differing_items
    draft = next(row for row in answers if row.doc_id == "002")
    assert draft.effective_status == "征求意见稿" and not draft.binding
    assert (draft.doc_id, draft.clause_id) == ("002", "att2-t1-r2")


def test_documents_of_other_regions_are_left_out(corpus_index):
    table = rule_table(corpus_index, "实行“三零”服务的低压用户", "鄂尔多斯市", ON)
    assert "巴彦淖尔市" not in {row.region for row in table.rows}


def test_unknown_type_or_region_is_refused(corpus_index):
    assert "高压双电源用户" in customer_types() and "供电企业" not in customer_types()
    with pytest.raises(UnknownCustomerType, match="未知用户类型"):
        rule_table(corpus_index, "火星用户")
    with pytest.raises(UnknownRegion, match="未知地区"):
        rule_table(corpus_index, "高压用户", "火星")
