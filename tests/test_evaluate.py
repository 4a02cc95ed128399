"""How an answer is scored against a question set (the rules of shared/eval/README.md).

Every answer here is a hand-made dict shaped like the JSON ``kb ask --json`` prints, so each rule is shown
on its own: what counts, what is precise, and what the report says about a miss.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kb.errors import QuestionSetError
from kb.evaluation.score import Outcome, Report, evaluate, figure_key, format_miss, load_questions, score

SHARED = Path(os.environ.get("KB_SHARED", Path(__file__).resolve().parents[2] / "shared"))

SINGLE_SOURCE = {"id": "d01", "q": "高压单电源用户合计办理时间是多少个工作日", "kind": "value",
                 "expect": ["22个工作日"], "cite": ["高压单电源用户", "6个、22个、32个工作日"]}
CLAUSE = "低压、高压单电源、高压双电源用户合计办理时间分别压减至6个、22个、32个工作日以内。"


def citation(text: str = CLAUSE, title: str = "关于优化用电营商环境的通知", **extra) -> dict:
    return {"doc_id": "doc", "title": title, "region": "全国", "status": "现行有效", "clause": "二",
            "text": text, "url": "/doc/doc#c2", **extra}


def hit(text: str = "无关条款", title: str = "某文件") -> dict:
    return citation(text, title) | {"label": "第二条", "score": 1.0}


def fact(value, unit: str = "工作日") -> dict:
    return {"subject": "高压单电源用户", "item": "合计办理时间", "value": value, "unit": unit, "bound": "≤",
            "qualifiers": [], "doc_id": "doc", "clause": "二"}


def answer(text: str = "高压单电源用户合计办理时间压减至22个工作日以内。", *, found: bool = True,
           citations: list | None = None, facts: list | None = None, hits: list | None = None) -> dict:
    return {"question": "q", "found": found, "answer": text,
            "citations": [citation()] if citations is None else citations,
            "facts": [fact(22)] if facts is None else facts,
            "applicable": [], "hits": [] if hits is None else hits}


# --- value ----------------------------------------------------------------------------------------------


def test_value_with_the_figure_cited_and_extracted_is_precise():
    outcome = score(SINGLE_SOURCE, answer())
    assert outcome == Outcome(id="d01", kind="value", question=SINGLE_SOURCE["q"], correct=True, precise=True,
                              reasons=[], answer="高压单电源用户合计办理时间压减至22个工作日以内。")


def test_matching_ignores_width_and_white_space():
    """``4 个工作日`` in a source matches ``4个工作日``; full-width ２２ is NFKC-folded to 22."""
    record = {**SINGLE_SOURCE, "expect": ["4个工作日"], "cite": ["压减至4个工作日"]}
    spaced = answer("压减至 ４ 个工作日", citations=[citation("各环节\n压减至 4 个\u3000工作日以内")], facts=[fact(4)])
    assert score(record, spaced).precise


def test_value_correct_but_figure_not_among_facts_is_not_precise():
    outcome = score(SINGLE_SOURCE, answer(facts=[fact(32), fact(6)]))
    assert outcome.correct and not outcome.precise
    assert outcome.reasons == ["facts[:2] do not hold 22个工作日 (got: 32工作日, 6工作日)"]


def test_the_figure_may_be_the_second_fact_but_not_the_third():
    assert score(SINGLE_SOURCE, answer(facts=[fact(32), fact(22)])).precise
    assert not score(SINGLE_SOURCE, answer(facts=[fact(32), fact(6), fact(22)])).precise


def test_chinese_numerals_and_ge_are_ignored_in_the_figure():
    """二十二 + 个工作日 and 22.0 + 工作日 both hold 22个工作日."""
    assert score(SINGLE_SOURCE, answer(facts=[fact("二十二", "个工作日")])).precise
    assert score(SINGLE_SOURCE, answer(facts=[fact(22.0)])).precise
    assert not score(SINGLE_SOURCE, answer(facts=[fact(22, "日")])).precise


@pytest.mark.parametrize("value, unit, expected", [
    (4, "小时", "4个小时"),
    (4, "小时", "4小时"),
    ("四", "个小时", "4小时"),
    (0.5, "千伏", "0.5千伏"),
    (32.0, "工作日", "32个工作日"),
    ("1996年9月1日", "", "1996年9月1日"),
    ("一九九六年九月一日", "", "1996年9月1日"),
    (100, "%", "100%"),
    (200, "千瓦", "２００ 千瓦"),
])
def test_figures_that_match(value, unit, expected):
    record = {**SINGLE_SOURCE, "expect": [expected], "cite": ["条款"]}
    outcome = score(record, answer(f"答：{expected}", citations=[citation("条款")], facts=[fact(value, unit)]))
    assert outcome.precise, outcome.reasons


def test_figure_comparison_is_equality_not_containment():
    assert figure_key("22个工作日") == "22工作日"
    assert figure_key("二十二 个工作日") == "22工作日"
    assert figure_key("0.5") != figure_key("0.50")
    record = {**SINGLE_SOURCE, "expect": ["2个环节"], "cite": ["条款"]}
    assert not score(record, answer("2个环节", citations=[citation("条款")], facts=[fact(12, "个环节")])).precise


def test_value_needs_found():
    outcome = score(SINGLE_SOURCE, answer(found=False))
    assert not outcome.correct and not outcome.precise
    assert "found is false" in outcome.reasons


def test_value_answer_must_hold_an_expected_string():
    outcome = score(SINGLE_SOURCE, answer("合计办理时间压减至32个工作日以内。"))
    assert not outcome.correct and not outcome.precise
    assert "answer lacks any of ['22个工作日']" in outcome.reasons


def test_value_answer_is_at_most_400_characters():
    head = "高压单电源用户22个工作日。"
    at_limit = head + "。" * (400 - len(head))
    assert score(SINGLE_SOURCE, answer(at_limit)).precise
    outcome = score(SINGLE_SOURCE, answer(at_limit + "。"))
    assert not outcome.correct and not outcome.precise
    assert "answer is 401 characters (limit 400)" in outcome.reasons


def test_the_snippet_must_be_in_one_of_the_first_three_citations():
    others = [citation("其他条款一"), citation("其他条款二"), citation("其他条款三")]
    assert score(SINGLE_SOURCE, answer(citations=[*others[:2], citation()])).precise
    outcome = score(SINGLE_SOURCE, answer(citations=[*others, citation()]))
    assert not outcome.correct and not outcome.precise
    assert outcome.reasons == ["no citation among the first 3 holds any of ['高压单电源用户', '6个、22个、32个工作日']"]


def test_any_one_cite_snippet_is_enough():
    assert score(SINGLE_SOURCE, answer(citations=[citation("分别压减至6个、22个、32个工作日以内")])).correct


def test_doc_constrains_the_title_of_the_citation_that_holds_the_snippet():
    record = {"id": "d18", "q": "鄂尔多斯10千伏单电源工程电网配套工程实施时限", "kind": "value",
              "expect": ["13个工作日"], "cite": ["电网配套工程实施"], "doc": "64号"}
    reply = "电网配套工程实施不超过13个工作日。"
    right = citation("电网配套工程实施13个工作日", title="鄂尔多斯市……（鄂府办发〔2021〕64号）")
    wrong = citation("电网配套工程实施15个工作日", title="另一份文件（12号）")
    titled = citation("与此无关", title="鄂尔多斯市……（64号）")
    assert score(record, answer(reply, citations=[wrong, right], facts=[fact(13)])).precise
    outcome = score(record, answer(reply, citations=[wrong, titled], facts=[fact(13)]))
    assert not outcome.correct
    assert outcome.reasons == ["no citation among the first 3 that holds a snippet has '64号' in its title "
                               "(titles: ['另一份文件（12号）', '鄂尔多斯市……（64号）'])"]


def test_several_expected_strings_are_alternatives():
    record = {**SINGLE_SOURCE, "expect": ["4个小时", "4小时"], "cite": ["1个、4个、8个、15个小时以内"]}
    reply = answer("市区用户年均停电时间压减至4小时以内。", citations=[citation("分别压减至1个、4个、8个、15个小时以内")],
                   facts=[fact(4, "个小时")])
    assert score(record, reply).precise
    outcome = score(record, {**reply, "facts": [fact(8, "小时")]})
    assert outcome.reasons == ["facts[:2] do not hold any of ['4个小时', '4小时'] (got: 8小时)"]


def test_missing_lists_in_an_answer_count_as_empty():
    outcome = score(SINGLE_SOURCE, {"found": True, "answer": "22个工作日"})
    assert not outcome.correct
    assert outcome.reasons[-1] == "facts[:2] do not hold 22个工作日 (got: no facts)"


# --- passage --------------------------------------------------------------------------------------------

PASSAGE = {"id": "d21", "q": "窃电行为包括哪些", "kind": "passage", "cite": ["窃电行为包括"]}
THEFT = "第三十一条 禁止窃电行为。窃电行为包括：……"


def test_passage_recalled_by_a_citation():
    outcome = score(PASSAGE, answer("窃电行为包括……", citations=[citation("其他"), citation("其他"), citation(THEFT)]))
    assert outcome.correct and not outcome.precise and outcome.reasons == []


def test_passage_recalled_by_the_fifth_hit_but_not_the_sixth():
    fillers = [hit() for _ in range(4)]
    assert score(PASSAGE, answer("", found=False, citations=[], hits=[*fillers, hit(THEFT)])).correct
    outcome = score(PASSAGE, answer("", found=False, citations=[], hits=[*fillers, hit(), hit(THEFT)]))
    assert not outcome.correct
    assert outcome.reasons == ["no citation among the first 3 and no hit among the first 5 holds any of ['窃电行为包括']"]


def test_passage_citation_beyond_the_third_does_not_count():
    citations = [citation("其他")] * 3 + [citation(THEFT)]
    assert not score(PASSAGE, answer("……", citations=citations)).correct


# --- none -----------------------------------------------------------------------------------------------

NONE = {"id": "d25", "q": "社保卡丢了怎么补办", "kind": "none"}


def test_none_declined():
    outcome = score(NONE, answer("暂无相关规定。", found=False, citations=[], facts=[]))
    assert outcome.correct and not outcome.precise and outcome.reasons == []


def test_none_fails_when_the_answer_holds_a_digit():
    outcome = score(NONE, answer("暂无相关规定，请拨打12345。", found=False))
    assert not outcome.correct
    assert outcome.reasons == ["answer holds a digit ('1')"]
    assert not score(NONE, answer("暂无规定，见第３条", found=False)).correct  # full-width digit


def test_chinese_numerals_are_not_digits_in_a_none_answer():
    assert score(NONE, answer("暂无相关规定，知识库只收录三类文件。", found=False)).correct


def test_none_fails_when_found_is_true():
    outcome = score(NONE, answer("暂无相关规定。", found=True))
    assert not outcome.correct
    assert outcome.reasons == ["found is true for a none question"]


# --- loading question sets ------------------------------------------------------------------------------


def write_lines(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_load_questions_skips_blank_lines(tmp_path):
    path = write_lines(tmp_path, [json.dumps(SINGLE_SOURCE, ensure_ascii=False), "", "   ",
                                  json.dumps(NONE, ensure_ascii=False)])
    assert [record["id"] for record in load_questions(path)] == ["d01", "d25"]


@pytest.mark.parametrize("bad, message", [
    ('{"id": "x", "q": "问", "kind": "none"', "set.jsonl:3:"),
    ('{"id": "x", "q": "问", "kind": "guess"}', "kind 'guess'"),
    ('{"id": "x", "q": "问", "kind": "value", "cite": ["条款"]}', "needs 'expect'"),
    ('{"id": "x", "q": "问", "kind": "passage"}', "needs 'cite'"),
    ('["not", "an", "object"]', "JSON object"),
    ('{"id": "d01", "q": "问", "kind": "none"}', "already used on line 1"),
])
def test_load_questions_names_the_bad_line(tmp_path, bad, message):
    path = write_lines(tmp_path, [json.dumps(SINGLE_SOURCE, ensure_ascii=False), "", bad])
    with pytest.raises(QuestionSetError, match="set.jsonl:3:") as error:
        load_questions(path)
    assert message in str(error.value)


def test_the_dev_set_parses():
    path = SHARED / "eval" / "dev.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared sits beside the clone in CI)")
    records = load_questions(path)
    assert len(records) == 26
    assert {record["kind"] for record in records} == {"value", "passage", "none"}
    assert len({record["id"] for record in records}) == 26


# --- reports --------------------------------------------------------------------------------------------


def outcome(kind: str, correct: bool, precise: bool = False, name: str = "x") -> Outcome:
    return Outcome(id=name, kind=kind, question="问", correct=correct, precise=precise, reasons=["why"], answer="")


def sample_report() -> Report:
    values = [outcome("value", True, True)] * 18 + [outcome("value", True, False, "v19")]
    return Report([*values, *[outcome("passage", True)] * 5, outcome("none", True), outcome("none", True)])


def test_summary_counts_and_rates():
    summary = sample_report().summary()
    assert summary["value"] == {"total": 19, "correct": 19, "precise_and_cited": 18, "wrong": 0, "correct_rate": 1.0,
                                "rate": 18 / 19, "wrong_rate": 0.0}
    assert summary["passage"] == {"total": 5, "recalled": 5, "rate": 1.0}
    assert summary["none"] == {"total": 2, "declined": 2, "rate": 1.0}


def test_summary_line():
    assert sample_report().summary_line() == ("value 19/19 cited, 18/19 precise and cited (94.7%), 0/19 wrong figures "
                                              "(0.0%) · passage 5/5 (100.0%) · none 2/2 declined (100.0%)")
    assert Report([]).summary_line() == ("value 0/0 cited, 0/0 precise and cited (n/a), 0/0 wrong figures (n/a) · "
                                         "passage 0/0 (n/a) · none 0/0 declined (n/a)")


def test_a_found_answer_without_the_expected_figure_is_a_wrong_figure():
    record = {"id": "w", "q": "计划检修提前几天通知", "kind": "value", "expect": ["7天"], "cite": ["提前7天"]}
    stated = {"found": True, "answer": "全国：3天。", "citations": [{"text": "提前7天通知", "title": "x"}], "facts": []}
    declined = {"found": False, "answer": "没有找到确切规定，请看以下条款。", "citations": [], "facts": []}
    assert score(record, stated).wrong and not score(record, declined).wrong
    report = Report([score(record, stated), score(record, declined)])
    assert report.summary()["value"]["wrong"] == 1 and not report.passes(value_precise=0.0)


def test_misses_are_imprecise_values_unrecalled_passages_and_undeclined_nones():
    report = Report([outcome("value", True, True, "a"), outcome("value", True, False, "b"),
                     outcome("passage", False, name="c"), outcome("passage", True, name="d"),
                     outcome("none", False, name="e"), outcome("none", True, name="f")])
    assert [miss.id for miss in report.misses()] == ["b", "c", "e"]


def test_passes_thresholds():
    report = sample_report()  # 18/19 = 94.7% precise, all passages, all nones
    assert report.passes()
    assert not report.passes(value_precise=0.95)
    failing_passage = Report([*report.outcomes, outcome("passage", False)])
    assert not failing_passage.passes()
    assert failing_passage.passes(passage=5 / 6)
    assert not Report([*report.outcomes, outcome("none", False)]).passes()
    assert Report([]).passes()


def test_evaluate_asks_every_question_in_order():
    records = [SINGLE_SOURCE, PASSAGE, NONE]
    asked: list[str] = []
    replies = {SINGLE_SOURCE["q"]: answer(), PASSAGE["q"]: answer("……", citations=[citation(THEFT)]),
               NONE["q"]: answer("暂无相关规定。", found=False, citations=[], facts=[])}

    def ask(question: str) -> dict:
        asked.append(question)
        return replies[question]

    report = evaluate(records, ask)
    assert asked == [record["q"] for record in records]
    assert [o.id for o in report.outcomes] == ["d01", "d21", "d25"]
    assert report.misses() == [] and report.passes()


def test_format_miss_names_the_question_the_reasons_and_a_short_answer():
    miss = score(SINGLE_SOURCE, answer("合计办理时间" + "很长" * 100, facts=[fact(32)]))
    lines = format_miss(miss).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("d01 [value] 高压单电源用户合计办理时间是多少个工作日 — ")
    assert "answer lacks any of ['22个工作日']" in lines[0] and "(got: 32工作日)" in lines[0]
    shown = lines[1].removeprefix("    answer: ")
    assert len(shown) == 120 and shown.endswith("…")
