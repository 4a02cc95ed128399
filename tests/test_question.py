"""Question understanding: region, customer type, item, conditions, what is asked."""

import pytest

from kb.answer.question import understand


@pytest.mark.parametrize("text, region, subject, item", [
    ("高压双电源多久能通电", None, "高压双电源用户", "全过程办电时间"),
    ("巴彦淖尔三零低压接电几天", "巴彦淖尔市", "实行“三零”服务的低压用户", "全过程办电时间"),
    ("鄂尔多斯 １０千伏 单电源 供电方案答复", "鄂尔多斯市", "高压单电源用户", "供电方案答复"),
    ("电动车充电桩报装要几个环节", None, "充电桩", "办电环节数"),
    ("小微企业零投资容量上限", None, "低压小微企业", "零投资容量上限"),
    ("未实行三零服务的低压用户办电合计要几天", None, "未实行“三零”服务的低压用户", "各环节合计时间"),
])
def test_customer_type_item_and_region(text, region, subject, item):
    question = understand(text)
    assert (question.region, question.subjects[0], question.items[0]) == (region, subject, item)
    assert question.asks_figure


def test_conditions_and_wanted_units():
    question = understand("实行三零服务的低压用户，没有电力外线工程的，全过程办电时间不超过多少")
    assert question.qualifiers == ["无外线工程"]
    assert understand("居民个人充电桩报装有几个环节").wants_unit == "环节"
    assert understand("转供电清零目标是哪一年").wants_unit == "年"
    assert understand("用电报装各环节合计时间要压缩多少").wants_unit == "%"


def test_a_question_outside_the_domain_names_nothing():
    question = understand("明天会下雨吗")
    assert not (question.subjects or question.items or question.region or question.asks_figure)


def test_a_named_unit_of_time_is_the_one_asked():
    # 最短 / 时限 alone accept any duration; 几年 beside them asks years (a 7日 is not an answer to 几年)
    assert understand("汽车三包有效期最短几年").families == ["years"]
    assert set(understand("供电方案答复时限几个工作日").families) >= {"working_days", "days"}
    assert "years" not in understand("供电方案答复时限几个工作日").families
    assert {"days", "hours", "years"} <= set(understand("停电要提前多久通知").families)


def test_a_question_about_a_documents_history_is_told_from_one_that_is_not():
    assert understand("这个条例什么时候修正的").asks_document_event
    assert not understand("今年冬天集中供暖几号开始").asks_document_event
