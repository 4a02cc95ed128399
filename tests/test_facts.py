"""Fact extraction: figures read from prose and tables of texts the code has never seen."""

import random
import re
import time
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kb.facts.extract import _Reader, extract
from kb.parse import Clause, parse, parse_document
from kb.vocab import default_vocab


def facts_of(body: str, title: str = "测试文件"):
    doc = parse(body, title)
    return [f for c in doc.clauses if c.indexable for f in extract(c, "t")]


def figures(facts):
    return [(f.subject, f.item, f.value, f.unit, f.bound) for f in facts]


def test_a_limit_in_prose():
    facts = facts_of("一、低压用户全过程办电时间不超过4个工作日。\n")
    assert figures(facts) == [("低压用户", "全过程办电时间", 4, "工作日", "不超过")]
    assert facts[0].clause_id == "c1" and facts[0].label == "一、"


def test_chinese_numerals_are_read_as_figures():
    facts = facts_of("一、高压双电源用户装表接电不超过三个工作日，计划检修停电应提前七日通知。\n")
    assert ("高压双电源用户", "装表接电", 3, "工作日", "不超过") in figures(facts)
    assert any(f.value == 7 and f.unit == "日" and f.item == "提前通知时间" for f in facts)


def test_values_distributed_over_a_list_of_subjects():
    facts = facts_of("一、未实行“三零”服务的低压非居民用户、高压单电源和双电源用户的合计办理时间分别压减至6个、22个、32个工作日以内。\n")
    assert figures(facts) == [
        ("未实行“三零”服务的低压非居民用户", "各环节合计时间", 6, "工作日", "以内"),
        ("高压单电源用户", "各环节合计时间", 22, "工作日", "以内"),
        ("高压双电源用户", "各环节合计时间", 32, "工作日", "以内"),
    ]


def test_a_list_with_more_values_than_subjects_keeps_each_value_in_its_place():
    facts = facts_of("一、市区、城镇用户年均停电时间分别压减至1个、2个、5个小时以内。\n")
    assert [(f.value, f.qualifiers) for f in facts] == [(1, ["第1项"]), (2, ["第2项"]), (5, ["第3项"])]
    assert {f.subject for f in facts} == {"市区、城镇"}


def test_conditions_stay_with_their_own_figure():
    facts = facts_of("一、低压用户全过程办电时间，无电力外线工程的不超过5个工作日，有电力外线工程的不超过15个工作日。\n")
    assert [(f.value, f.qualifiers) for f in facts] == [(5, ["无外线工程"]), (15, ["有外线工程"])]


def test_a_condition_before_the_figure_in_the_same_sentence_applies():
    facts = facts_of("第二十条 因供电设施临时检修需要停止供电时，供电企业应当提前二十四小时通知重要用户。\n")
    assert figures(facts) == [("供电企业", "提前通知时间", 24, "小时", "")]
    assert facts[0].qualifiers == ["临时检修"]


def test_ranges_dates_percentages_and_target_years():
    body = ("第一条 逾期未交付电费的，每日按照电费总额的1‰至3‰加收违约金。\n\n"
            "第二条 新建居住区100%建设充电桩。\n\n"
            "第三条 实现2031年“转供电”清零目标。\n\n"
            "第四条 本办法自二〇三〇年三月一日起施行。\n")
    facts = facts_of(body)
    assert ("", "违约金比例", "1‰至3", "‰", "至") in figures(facts)
    assert ("新建居住区", "充电桩建设比例", 100, "%", "") in figures(facts)
    assert any(f.value == 2031 and f.item == "清零目标年份" for f in facts)
    assert any(f.value == "2030年3月1日" and f.item == "施行日期" for f in facts)


def test_one_figure_for_every_type_joined_before_it():
    facts = facts_of("一、居民用户和实行“三零”服务的低压非居民用户用电报装环节压缩至2个。\n")
    assert {(f.subject, f.value, f.unit) for f in facts} == {
        ("居民用户", 2, "环节"), ("实行“三零”服务的低压非居民用户", 2, "环节")}


def test_voltages_and_windows_are_conditions_not_figures():
    facts = facts_of("一、严格按照“一年内停电次数不超过5次”“连续60天停电次数不超过3次”标准。\n\n二、10千伏高压用户办电环节压缩至4个。\n")
    assert [(f.value, f.unit, f.qualifiers) for f in facts] == [
        (5, "次", ["1年内"]), (3, "次", ["连续60天"]), (4, "环节", ["10千伏"])]


def test_table_rows_give_one_fact_per_cell():
    body = ("## 附件1\n\n时限表\n\n单位：工作日\n\n| 用户类型 | 各环节办理时间 / 供电方案答复 | 合计办理时间 |\n| --- | --- | --- |\n"
            "| 高压单电源用户 | 9 | 19 |\n")
    assert figures(facts_of(body)) == [("高压单电源用户", "供电方案答复", 9, "工作日", "不超过"),
                                       ("高压单电源用户", "各环节合计时间", 19, "工作日", "不超过")]


def test_columns_can_be_the_customer_types_and_rows_the_stages():
    body = ("## 附件1\n\n10千伏工程时限规定表\n\n| 环节名称 | 节点名称 | 规定时限 / 单电源 | 规定时限 / 双电源 |\n| --- | --- | --- | --- |\n"
            "| 竣工接电 | 电网配套工程实施 | 12 | 17 |\n\n注：1.时限单位：工作日\n")
    assert figures(facts_of(body)) == [("高压单电源用户", "电网配套工程实施", 12, "工作日", "不超过"),
                                       ("高压双电源用户", "电网配套工程实施", 17, "工作日", "不超过")]


def test_row_numbers_are_not_figures_and_years_in_a_row_qualify_its_figures():
    body = ("| 序号 | 重点任务 | 完成时限 |\n| --- | --- | --- |\n"
            "| 3 | 实行“三零”服务的低压非居民用户全过程办电时间分别压减至20个、15个工作日以内。 | 2031年、2032年底前 |\n")
    facts = facts_of(body)
    assert [(f.value, f.qualifiers[-1]) for f in facts] == [(20, "2031年"), (15, "2032年")]


def test_real_corpus_time_limit_row(corpus_index):
    facts = corpus_index.facts_by_clause["002#att2-t1-r3"]
    assert {(f["item"], f["value"]) for f in facts} >= {("供电方案答复", 20), ("各环节合计时间", 32)}
    assert all(f["region"] == "内蒙古自治区" and f["status"] == "征求意见稿" for f in facts)


# -- long texts ---------------------------------------------------------------------------------------

def _corpus_sentences() -> list[str]:
    """The sentences of the corpus's prose clauses, newlines removed, each closed by a full stop."""
    from kb.corpus import corpus_files, read_document

    out = []
    for path in corpus_files(Path(__file__).resolve().parents[1] / "corpus"):
        for clause in parse_document(read_document(path)).clauses:
            if clause.indexable and clause.kind != "row":
                for sentence in re.findall(r"[^。；！？]+(?:[。；！？]|$)", re.sub(r"\s*\n\s*", "", clause.text)):
                    out.append(sentence if sentence[-1] in "。；！？" else sentence + "。")
    return out


def test_a_five_megabyte_paragraph_is_read_in_linear_time():
    # PDF-to-text output: one unbroken paragraph of the corpus's sentences, shuffled, the sentences that
    # state a figure twelve times as often as the others (about 13 figures per 1,000 characters). The
    # reader once rescanned every figure and every match per figure: minutes for this; now seconds.
    sentences = _corpus_sentences()
    with_figures = [s for s in sentences if re.search(r"[\d一二三四五六七八九十]个?(?:工作日|日|天|小时|个|%|年)", s)]
    pool = sentences + with_figures * 11
    rng = random.Random(5)
    pieces, size = [], 0
    while size < 5_000_000:
        rng.shuffle(pool)
        pieces += pool
        size += sum(len(s.encode()) for s in pool)
    clause = Clause("c1", "一、", "item", "".join(pieces))
    started = time.perf_counter()
    facts = extract(clause, "t")
    seconds = time.perf_counter() - started
    assert seconds < 60, f"{seconds:.1f} s for {len(clause.text):,} characters"
    assert len(facts) > 50  # the figures were read (most repeat, and extract keeps one of each)


# Pieces of policy prose: subjects, items, conditions, figures (digits, Chinese numerals, ranges, lists,
# windows, voltages, dates, target years) and the punctuation that cuts sentences and segments. Lists are
# never drawn with years: a list with one subject takes its years from the whole text, which repeating
# the text changes. A year that may be a target ends its segment, so what follows it stays in the copy.
_PROSE = ["低压用户", "高压单电源用户", "高压双电源用户", "居民用户", "实行“三零”服务的低压非居民用户", "供电企业",
          "用户", "全过程办电时间", "供电方案答复", "装表接电", "用电报装环节", "停电次数", "办理时间",
          "无电力外线工程的", "有电力外线工程的", "因临时检修", "10千伏", "连续60天", "每年", "一年内",
          "不超过", "压缩至", "压减至", "以内", "提前", "和", "、", "及", "应当", "通知", "的"]
_FIGURES = ["5个工作日", "三个工作日", "二十四小时", "七日", "15个工作日", "2个", "3次", "1‰至3‰", "100%",
            "5-10个工作日", "4个环节", "30日", "2.5小时"]
_YEARS = ["到2025年底前，", "实现2031年“转供电”清零目标，", "自2030年3月1日起施行，", "2024年，"]
_LISTS = ["分别压减至6个、22个、32个工作日以内", "分别压减至1个、2个、5个小时以内", "5个、10个、20个工作日"]
_PUNCTUATION = ["，", "，", "：", "。", "；", "\n", " "]


def _prose(extra: list[str]) -> st.SearchStrategy[str]:
    pieces = st.lists(st.sampled_from(_PROSE + _FIGURES + _PUNCTUATION + extra), min_size=1, max_size=40)
    return pieces.map(lambda chosen: "".join(chosen).rstrip() + "。")


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(_prose(_YEARS), _prose(_LISTS)), copies=st.integers(2, 4))
@example(text="到2025年底前，2个和5个工作日。", copies=2)  # found by Hypothesis: the year counted once per copy
def test_a_text_repeated_gives_its_facts_repeated(text, copies):
    # Each figure is read from its own sentence and segment: k copies of a text state its facts k times
    # over. A reader that looked past its sentence, or kept state from one figure to the next, would not.
    lex = default_vocab().lexicon
    once = _Reader(text, lex).facts()
    assert _Reader(text * copies, lex).facts() == once * copies
    # ``extract`` keeps the first of equal facts: the copies add none.
    clause = Clause("c1", "一、", "item", text)
    assert [f.to_dict() for f in extract(Clause("c1", "一、", "item", text * copies), "t")] == [
        f.to_dict() for f in extract(clause, "t")]


def test_the_corpus_repeated_gives_its_facts_repeated():
    # The same property on the real sentences (those without a list of values, see above), all at once.
    lex = default_vocab().lexicon
    text = "".join(s for s in _corpus_sentences() if not re.search(r"\d个?[、,，和及与]\s*\d", lex.normalize(s)))
    once = _Reader(text, lex).facts()
    assert len(once) > 50
    assert _Reader(text * 3, lex).facts() == once * 3


def test_a_facts_record_is_what_asdict_gives():
    """``Fact.to_dict`` is written out for speed; it stays ``dataclasses.asdict``'s, field for field and in
    order, for every fact of the corpus (a field added to Fact and not to to_dict fails here)."""
    from dataclasses import asdict

    from kb.corpus import load_corpus
    from tests.conftest import CORPUS

    facts = [fact for document in load_corpus(CORPUS) for clause in parse_document(document).clauses
             if clause.indexable for fact in extract(clause, document.id, document.region, document.status)]
    assert len(facts) > 50
    for fact in facts:
        record = fact.to_dict()
        assert list(record.items()) == list(asdict(fact).items())
        assert record["qualifiers"] is not fact.qualifiers
