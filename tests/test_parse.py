"""The parser turns any policy text into clauses that follow the document's own numbering."""

from kb.parse import detect_numbering, parse

POLICY = """# 某市优化用电营商环境行动方案

为进一步优化营商环境，制定本方案。

## 一、工作目标

（一）压减办电时间。低压用户办电时间不超过3个工作日。

（二）提升可靠性
城市用户年均停电时间不超过5小时。

## 二、重点任务

### （一）办电便捷化

1.推行线上办电。

（1）全面推广线上办理。

（2）推行电子合同。
合同线上签订。

2.压减环节。

## 附件1

办电时限要求表

单位：工作日

| 用户类型 | 各环节办理时间 / 业务受理 | 各环节办理时间 / 装表接电 | 合计办理时间 |
| --- | --- | --- | --- |
| 低压用户 | 1 | 2 | 3 |
| 高压用户 | 1 | -- | 15 |

注：

1.低压用户指380V及以下用户。
"""

LAW = """# 某某条例

2020年1月1日 国务院令第1号公布

<!-- INFO END -->

## 第一章 总则

第一条 为了规范供电，制定本条例。

第二条 供电企业应当遵守下列规定：

(一)计划检修停电提前7天通知；

(二)临时检修停电提前24小时通知。

## 第二章 附则

第三条 本条例自2020年3月1日起施行。
"""


def by_label(doc):
    return {c.label: c for c in doc.clauses}


def test_numbering_styles_are_recognised():
    assert detect_numbering("一、总体目标")[:2] == ("一、", 1)
    assert detect_numbering("（三）主要目标")[:2] == ("（一）", 3)
    assert detect_numbering("(三) 主要目标")[:2] == ("（一）", 3)
    assert detect_numbering("12.推行线上办电")[:2] == ("1.", 12)
    assert detect_numbering("1. 低压用电全程网办")[:2] == ("1.", 1)
    assert detect_numbering("（2）推行电子合同")[:2] == ("（1）", 2)
    assert detect_numbering("第二十八条 供电企业")[:2] == ("条", 28)
    assert detect_numbering("第三章 供电设施")[:2] == ("章", 3)
    assert detect_numbering("1.5万千瓦以上项目") is None
    assert detect_numbering("2022年底前完成") is None


def test_policy_clauses_follow_the_document_numbering():
    doc = parse(POLICY, "某市优化用电营商环境行动方案")
    labels = by_label(doc)
    assert labels["一、（一）"].text.startswith("（一）压减办电时间")
    assert labels["二、（一）1.（2）"].text == "（2）推行电子合同。\n合同线上签订。"
    assert labels["二、（一）1.（2）"].heading_path == ["二、重点任务", "（一）办电便捷化", "1.推行线上办电"]
    assert labels["二、（一）2."].id == "c2.1.2"
    assert labels["第1段"].text == "为进一步优化营商环境，制定本方案。"
    assert all(c.text != "某市优化用电营商环境行动方案" for c in doc.clauses)


def test_a_heading_with_one_paragraph_reads_as_one_clause():
    clause = by_label(parse(POLICY, "某市优化用电营商环境行动方案"))["一、（二）"]
    assert clause.text == "（二）提升可靠性\n城市用户年均停电时间不超过5小时。"
    assert clause.indexable


def test_headings_with_children_are_containers_not_results():
    clause = by_label(parse(POLICY, "x"))["二、"]
    assert clause.container and not clause.indexable


def test_table_rows_read_on_their_own():
    doc = parse(POLICY, "x")
    rows = [c for c in doc.clauses if c.kind == "row"]
    assert [r.label for r in rows] == ["附件1 低压用户", "附件1 高压用户"]
    assert rows[1].text == "附件1 办电时限要求表 — 高压用户：业务受理 1，装表接电 --，合计办理时间 15（单位：工作日）"
    assert rows[1].id == "att1-t1-r2"
    assert rows[1].heading_path == ["附件1", "办电时限要求表"]


def test_notes_after_a_table_are_clauses_of_the_attachment():
    doc = parse(POLICY, "x")
    note = next(c for c in doc.clauses if "380V" in c.text)
    assert note.label.startswith("附件1") and note.id.startswith("att1")


def test_every_row_and_clause_has_an_anchor_in_the_layout():
    doc = parse(POLICY, "x")
    anchors = {b.anchor for b in doc.blocks if b.anchor} | {a for b in doc.blocks for a in b.row_anchors}
    assert {c.id for c in doc.clauses} <= anchors


def test_law_articles_keep_their_items():
    doc = parse(LAW, "某某条例")
    labels = by_label(doc)
    article = labels["第二条"]
    assert article.id == "a2" and article.kind == "article"
    assert "(二)临时检修停电提前24小时通知。" in article.text
    assert article.heading_path == ["第一章 总则"]
    assert labels["第三条"].heading_path == ["第二章 附则"]
    assert "(一)计划检修停电提前7天通知；" not in labels  # items are not separate clauses


def test_plain_text_without_markdown():
    text = "关于某事的通知\n\n各单位：\n\n一、总体要求\n\n认真落实。\n\n二、具体措施\n\n（一）压减时间。每户不超过五个工作日。\n"
    doc = parse(text, "关于某事的通知")
    labels = by_label(doc)
    assert labels["二、（一）"].text == "（一）压减时间。每户不超过五个工作日。"
    assert labels["一、"].text == "一、总体要求\n认真落实。"


def test_ids_are_stable_for_the_same_text():
    assert [c.id for c in parse(POLICY, "x").clauses] == [c.id for c in parse(POLICY, "x").clauses]


def test_an_unnumbered_attachment_marker_at_the_top_is_not_an_attachment():
    doc = parse("附件\n\n# 方案\n\n一、目标\n\n做好工作。\n", "方案")
    assert by_label(doc)["一、"].id == "c1"


def test_a_table_cell_that_ends_its_sentence_is_not_followed_by_a_comma():
    text = ("| 序号 | 重点任务 | 完成时限 |\n| --- | --- | --- |\n"
            "| 1 | 推广移动作业终端，精准对接用户需求。 | 持续推进 |\n| 2 | 压减办电时间 | 2020年底前 |\n")
    rows = [c.text for c in parse(text).clauses if c.kind == "row"]
    assert "需求。完成时限 持续推进" in rows[0] and "。，" not in rows[0]
    assert "压减办电时间，完成时限 2020年底前" in rows[1]


def test_a_paragraph_folded_to_the_title_or_an_attachment_line_is_read_as_one():
    """The title and attachment tests share one NFKC fold of the paragraph: spaces and full-width forms
    still make the title and an attachment."""
    doc = parse("致各单位的函\n\n供电 营业规则\n\n第一条\u3000总则内容。\n\n附件１：\n\n表格说明。\n", "供电营业规则")
    assert [(b.kind, b.source) for b in doc.blocks[:2]] == [("paragraph", "致各单位的函"), ("title", "供电 营业规则")]
    assert [(c.id, c.label) for c in doc.clauses] == [("p1", "第1段"), ("a1", "第一条"), ("att1", "附件１")]
