"""The answer: the figure with its scope and clause, and every binding rule when they differ."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kb.answer import Answerer, ask
from kb.index import OpenIndex, build
from kb.model import clause_key
from tests.conftest import write_doc

TODAY = dt.date(2026, 11, 23)


def test_a_figure_from_the_time_limit_table(corpus_index):
    answer = ask(corpus_index, "高压双电源用户供电方案答复时限", on=TODAY)
    assert answer.found and "20个工作日" in answer.answer
    assert (answer.facts[0]["value"], answer.facts[0]["unit"]) in {(20, "工作日")} or any(
        (f["value"], f["unit"]) == (20, "工作日") for f in answer.facts[:2])
    assert any((c["doc_id"], c["clause_id"]) == ("002", "att2-t1-r3") for c in answer.citations[:3])


def test_a_draft_is_marked_not_in_force(corpus_index):
    answer = ask(corpus_index, "高压单电源用户设计审查几天", on=TODAY)
    assert "3个工作日" in answer.answer and "征求意见稿，尚未施行" in answer.answer
    draft = next(a for a in answer.applicable if a["doc_id"] == "002")
    assert draft["binding"] is False and draft["effective_status"] == "征求意见稿"


def test_the_binding_rule_leads_and_the_draft_is_listed_as_not_in_force(corpus_index):
    answer = ask(corpus_index, "高压单电源用户供电方案答复几天", on=TODAY)
    assert answer.answer.startswith("鄂尔多斯市：2个工作日")
    assert "尚未施行的文件另有规定" in answer.answer and "10个工作日" in answer.answer
    assert {f["doc_id"] for f in answer.facts[:2]} == {"001", "002"}


@pytest.fixture()
def two_levels(tmp_path):
    corpus = tmp_path / "corpus"
    write_doc(corpus, "city", "甲市接电时限通知", "一、高压单电源用户装表接电不超过四个工作日。\n", region="鄂尔多斯市",
              effective="2024-01-01")
    write_doc(corpus, "region", "自治区接电时限方案", "一、高压单电源用户装表接电不超过六个工作日。\n", region="内蒙古自治区",
              effective="2024-01-01")
    write_doc(corpus, "draft", "自治区接电时限方案（征求意见稿）", "一、高压单电源用户装表接电不超过四个工作日。\n",
              region="内蒙古自治区", status="征求意见稿")
    build(corpus, tmp_path / "index")
    return OpenIndex(tmp_path / "index")


def test_binding_rules_that_differ_are_all_stated_the_city_first(two_levels):
    answer = ask(two_levels, "鄂尔多斯高压单电源装表接电几天", on=TODAY)
    assert answer.answer.startswith("各现行文件规定不同，均列出：鄂尔多斯市：4个工作日")
    assert "内蒙古自治区：6个工作日" in answer.answer
    regions = [a["region"] for a in answer.applicable if a.get("figure")]
    assert regions.index("鄂尔多斯市") < regions.index("内蒙古自治区")


def test_a_draft_never_counts_toward_agreement(two_levels):
    answer = ask(two_levels, "鄂尔多斯高压单电源装表接电几天", on=TODAY)
    assert "规定一致" not in answer.answer
    assert "征求意见稿" in answer.answer


def test_region_option_limits_to_rules_binding_there(corpus_index):
    answer = ask(corpus_index, "线上办电率要达到多少", region="鄂尔多斯", on=TODAY)
    assert "95%" in answer.answer and "96%" not in answer.answer
    assert all(a["applies_here"] for a in answer.applicable)


def test_a_named_document_is_answered_from_that_document(corpus_index):
    answer = ask(corpus_index, "电力供应与使用条例什么时候开始施行", on=TODAY)
    assert "1996年9月1日" in answer.answer and answer.facts[0]["doc_id"] == "006"


def test_a_passage_question_is_answered_from_its_clause(corpus_index):
    answer = ask(corpus_index, "窃电行为包括哪些", on=TODAY)
    assert answer.found and "窃电行为包括" in answer.citations[0]["text"]


@pytest.mark.parametrize("question", ["明天会下雨吗", "社保卡丢了怎么补办", "信用卡怎么还款", "护照过期怎么办", ""])
def test_questions_outside_the_corpus_are_declined(corpus_index, question):
    answer = ask(corpus_index, question, on=TODAY)
    assert answer.found is False and answer.answer == "" and not answer.facts


def test_the_json_object_has_every_field(corpus_index):
    data = ask(corpus_index, "高压双电源用户供电方案答复时限", on=TODAY).to_dict()
    assert {"question", "found", "answer", "citations", "facts", "applicable", "hits"} <= set(data)
    assert len(data["answer"]) <= 400 and len(data["hits"]) <= 10
    assert {"doc_id", "title", "region", "status", "clause_id", "label", "text"} <= set(data["citations"][0])
    assert {"subject", "item", "value", "unit", "bound", "qualifiers", "doc_id", "clause_id", "label"} <= set(data["facts"][0])
    assert {"doc_id", "clause_id", "label", "score", "text", "snippet", "windows", "marks"} <= set(data["hits"][0])
    assert not {"url", "highlight", "clause"} & (set(data["hits"][0]) | set(data["citations"][0]))  # the site adds links
    json.dumps(data, ensure_ascii=False)


def test_the_date_decides_what_is_in_force(tmp_path):
    corpus = tmp_path / "corpus"
    write_doc(corpus, "old", "甲市旧通知", "一、高压单电源用户装表接电不超过九个工作日。\n", region="鄂尔多斯市",
              effective="2020-01-01")
    write_doc(corpus, "new", "甲市新通知", "一、高压单电源用户装表接电不超过四个工作日。\n", region="鄂尔多斯市",
              effective="2030-01-01", supersedes=[{"ref": "甲市旧通知", "extent": "全部废止"}])
    build(corpus, tmp_path / "index")
    index = OpenIndex(tmp_path / "index")
    before = ask(index, "鄂尔多斯高压单电源装表接电几天", on=dt.date(2025, 1, 1))
    after = ask(index, "鄂尔多斯高压单电源装表接电几天", on=dt.date(2031, 1, 1))
    assert before.facts[0]["value"] == 9 and after.facts[0]["value"] == 4
    repealed = next(a for a in after.applicable if a["doc_id"] == "old")
    assert repealed["effective_status"] == "已废止" and after.applicable[-1]["doc_id"] == "old"


def test_invented_figures_come_back_exactly_with_their_citations(tmp_path):
    """Proof that figures come from the text: a corpus with invented limits, in a table and in prose
    (with Chinese numerals), answers with exactly those figures and clauses."""
    corpus = tmp_path / "corpus"
    write_doc(corpus, "x1", "某市办电时限规定", (
        "一、总体要求\n\n实行“三零”服务的低压用户全过程办电时间不超过十一个工作日。\n\n"
        "二、计划停电\n\n计划检修停电应当提前九天通知用户。\n\n"
        "## 附件1\n\n供电企业办理用电报装业务时限要求\n\n单位：工作日\n\n"
        "| 用户类型 | 各环节办理时间 / 供电方案答复 | 合计办理时间 |\n| --- | --- | --- |\n"
        "| 高压双电源用户 | 27 | 41 |\n"), region="鄂尔多斯市")
    build(corpus, tmp_path / "index")
    index = OpenIndex(tmp_path / "index")
    expectations = [
        ("高压双电源用户供电方案答复时限", "27个工作日", (27, "工作日"), "x1#att1-t1-r1"),
        ("高压双电源多久能通电", "41个工作日", (41, "工作日"), "x1#att1-t1-r1"),
        ("三零低压用户办电时间不超过几天", "11个工作日", (11, "工作日"), "x1#c1"),
        ("计划检修停电提前几天通知", "9天", (9, "天"), "x1#c2"),
    ]
    for question, figure, fact, key in expectations:
        answer = ask(index, question, on=TODAY)
        assert answer.found and figure in answer.answer, (question, answer.answer)
        assert (answer.facts[0]["value"], answer.facts[0]["unit"]) == fact
        assert clause_key(answer.citations[0]["doc_id"], answer.citations[0]["clause_id"]) == key
        assert answer.citations[0]["text"] in (index.clause_text("x1", key.split("#")[1])[0],)


def test_kb_ask_reads_questions_from_stdin_as_json_lines(corpus_index_path):
    kb = Path(sys.executable).with_name("kb")
    env_args = ["--index", str(corpus_index_path), "--corpus", str(Path(__file__).resolve().parents[1] / "corpus")]
    questions = "高压双电源用户供电方案答复时限\n明天会下雨吗\n窃电行为包括哪些\n"
    run = subprocess.run([str(kb), *env_args, "ask", "--json", "-"], input=questions, capture_output=True,
                         text=True, timeout=120)
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [line["question"] for line in lines] == questions.split()
    assert [line["found"] for line in lines] == [True, False, True]


def test_figures_of_items_no_vocabulary_names_come_back_from_the_text(tmp_path):
    """A made-up regulation the lexicon knows nothing of: a deadline, a fine range in Chinese numerals, a
    count of people, a retention period and a date are each answered with exactly the text's figure, its
    clause cited and quoted as printed."""
    corpus = tmp_path / "corpus"
    write_doc(corpus, "r1", "某市电梯安全管理办法", (
        "第一条 为了加强电梯安全管理，制定本办法。\n\n"
        "第五条 使用单位应当自收到维保单位书面报告之日起十二个工作日内完成整改。\n\n"
        "第九条 违反本办法第五条规定，逾期未完成整改的，由市场监督管理部门责令改正，处三千元以上八千元以下罚款。\n\n"
        "第十一条 每个检查组由五名检查人员组成。\n\n"
        "第十四条 电梯维护保养记录应当保存四年。\n\n"
        "第二十条 本办法自2031年3月1日起施行。\n"))
    write_doc(corpus, "r2", "某市供热条例", "第三条 供热单位应当在每年十一月十五日前开始供热。\n\n第八条 违反本条例的，处一万元罚款。\n")
    build(corpus, tmp_path / "index")
    index = OpenIndex(tmp_path / "index")
    expectations = [
        ("电梯维保单位报告后使用单位几个工作日内要整改完", (12, "工作日"), "a5", "十二个工作日内完成整改"),
        ("电梯逾期没整改罚多少", ("3000元以上8000元以下", ""), "a9", "处三千元以上八千元以下罚款"),
        ("电梯检查组几个人", (5, "名"), "a11", "五名检查人员"),
        ("电梯维保记录保存几年", (4, "年"), "a14", "保存四年"),
        ("电梯安全管理办法什么时候施行", ("2031年3月1日", ""), "a20", "2031年3月1日起施行"),
    ]
    for question, fact, clause, quoted in expectations:
        answer = ask(index, question, on=TODAY)
        assert answer.found, (question, answer.confidence)
        assert (answer.facts[0]["value"], answer.facts[0]["unit"]) == fact, question
        assert (answer.citations[0]["doc_id"], answer.citations[0]["clause_id"]) == ("r1", clause)
        assert quoted in answer.answer, answer.answer


def test_a_question_the_text_does_not_answer_states_no_figure(tmp_path):
    corpus = tmp_path / "corpus"
    write_doc(corpus, "r1", "某市电梯安全管理办法", "第五条 使用单位应当自收到书面报告之日起十二个工作日内完成整改。\n")
    build(corpus, tmp_path / "index")
    answer = ask(OpenIndex(tmp_path / "index"), "电梯年检费用多少钱", on=TODAY)
    assert not answer.found and not any(ch.isdigit() for ch in answer.answer) and not answer.facts


def test_the_clauses_to_read_are_shown_when_the_second_found_holds_the_question(tmp_path):
    """The clause ranked first (two rare words of the question) holds a third of it, the second holds two
    thirds: with no certain figure, the three found are shown to read, not nothing."""
    corpus = tmp_path / "corpus"
    write_doc(corpus, "r1", "某市特种设备规定", (
        "第一条 为了加强电梯安全管理，规范电梯安全管理人员，制定本办法。\n\n"
        "第四条 电梯使用单位应当落实电梯安全管理责任，配备电梯安全管理人员。\n\n"
        "第七条 培训考核。\n\n"
        "第八条 电梯安全管理人员应当持证上岗。\n"))
    build(corpus, tmp_path / "index")
    answer = ask(OpenIndex(tmp_path / "index"), "电梯安全管理人员培训考核几天", on=TODAY)
    assert not answer.found and answer.answer.startswith("没有找到确切规定")
    assert [c["clause_id"] for c in answer.citations] == ["a7", "a4", "a1"]


def test_a_probable_typo_is_answered_as_the_corrected_word_and_said(corpus_index):
    answer = ask(corpus_index, "高压双电原用户供电方案答复时限", on=TODAY)
    assert answer.understood["did_you_mean"] == "高压双电源用户"
    assert answer.answer.startswith("您是不是要找：高压双电源用户。")
    assert answer.understood["subjects"][0] == "高压双电源用户"


@pytest.mark.parametrize("question", ["高压双电源用户供电方案答复时限", "居民用户装表接电几天", "鄂尔多斯低压客户办电有几个环节",
                                      # a particle beside whole words is no slip: 年 of 哪年, 的 of 的供电
                                      "电力供应与使用条例哪年施行", "简易低风险的供电外线工程多少天"])
def test_a_question_without_typos_is_not_corrected(corpus_index, question):
    assert ask(corpus_index, question, on=TODAY).understood["did_you_mean"] == ""


def test_what_the_engine_understood_is_one_line(corpus_index):
    answer = ask(corpus_index, "巴彦淖尔高压双电源用户供电方案答复几天", on=TODAY)
    assert answer.understood["line"] == "理解为：高压双电源用户 · 供电方案答复 · 巴彦淖尔市 · 2026-11-23"


def _reader():
    from kb.answer.reader import ClauseReader
    from kb.vocab import default_vocab

    vocab = default_vocab()
    return ClauseReader(vocab.wording, vocab.analysis, vocab.units["idioms_after_one"], vocab.units["figures"]["counted"])


def test_the_bound_of_a_year_or_month_phrase_stands_apart_from_its_value():
    """2021年底前 is the fact 2021年底 bounded by 前 (as 不超过 bounds a number); the answer still says 前."""
    found = {c.text: c for c in _reader().prose("各地于2021年底前完成改造，电网企业应每年2月底前报送计划，2023年起施行。")}
    assert (found["2021年底前"].value, found["2021年底前"].bound, found["2021年底前"].figure) == ("2021年底", "前", "2021年底前")
    assert (found["2月底前"].value, found["2月底前"].bound) == ("2月底", "前")
    assert (found["2023年起"].value, found["2023年起"].bound) == ("2023年", "起")


def test_a_period_and_a_position_in_a_series_are_read_as_written_beside_the_figures_they_hold():
    """每半年 / 每隔3个月 / 按年度 are periods, 第80次 / 第14届 positions; the 3个月 of 每隔3个月 is still read as a span
    for a question asking one."""
    found = [(c.figure, c.family) for c in _reader().prose(
        "设施每半年至少清洗消毒一次，每隔三个月检测一次，按年度公布结果。经第十四届人大第八十次会议通过。")]
    assert [f for f in found if f[1] == "period"] == [("每半年", "period"), ("每隔3个月", "period"), ("按年度", "period")]
    assert ("3个月", "months") in found
    assert ("第14届", "ordinal:届") in found and ("第80次", "ordinal:次") in found


def test_how_often_and_which_meeting_are_answered_from_a_made_up_regulation(tmp_path):
    """Neither the lexicon nor any word list names these items: 多久…一次 is answered by the text's period, 第几次
    会议 by its position in the series, each from its clause."""
    corpus = tmp_path / "corpus"
    write_doc(corpus, "w1", "某市二次供水管理办法", (
        "（2030年5月6日市人民政府第十五次常务会议通过）\n\n"
        "第一条 为了加强二次供水管理，制定本办法。\n\n"
        "第九条 管理单位应当每季度对储水设施进行一次清洗消毒，清洗后二十四小时内送检。\n\n"
        "第十二条 水质检测报告应当保存三年。\n"))
    build(corpus, tmp_path / "index")
    index = OpenIndex(tmp_path / "index")
    answer = ask(index, "二次供水储水设施多久清洗消毒一次", on=TODAY)
    assert answer.found and "每季度" in answer.answer, (answer.confidence, answer.answer)
    assert answer.citations[0]["clause_id"] == "a9"
    answer = ask(index, "二次供水管理办法是第几次常务会议通过的", on=TODAY)
    assert answer.found and "第15次" in answer.answer, (answer.confidence, answer.answer)
    answer = ask(index, "二次供水水质检测报告保存几年", on=TODAY)
    assert answer.found and "3年" in answer.answer and "每" not in str(answer.facts[0]["value"])


def test_a_figure_the_question_gives_picks_the_band_whose_every_bound_it_meets(tmp_path):
    """高于或者等于14℃、低于16℃的 is a band with two bounds: 室温15度 (a question's 度 may be a temperature)
    meets both of the 50% band's and fails the 18℃ … 16℃ one's lower bound."""
    corpus = tmp_path / "corpus"
    write_doc(corpus, "h1", "某市供热条例", "第三十条 经测定室温不达标的，供热企业按照下列标准退还热费：\n\n"
              "（一）供热温度高于或者等于16℃、低于18℃的，退还热费的20%；\n\n"
              "（二）供热温度高于或者等于14℃、低于16℃的，退还热费的50%；\n\n"
              "（三）供热温度低于14℃的，退还热费的80%。\n")
    build(corpus, tmp_path / "index")
    index, engine = OpenIndex(tmp_path / "index"), Answerer()

    def best(question: str) -> tuple:
        p = engine.prepare(index, question, None, TODAY)
        top = engine.score(p.question, engine.contexts.of(index, p.question, p.hits, p.region, p.standing, p.named))[0]
        return top.candidate.value, top.candidate.unit

    assert best("测出来室温15度 暖气费退多少") == (50, "%")
    assert best("测出来室温12度 暖气费退多少") == (80, "%")


def test_a_questions_degree_measures_a_temperature_as_well_as_a_kilowatt_hour():
    from kb.vocab import default_vocab

    w = default_vocab().wording
    assert w.measures("度", "temperature", "°c") and w.measures("度", "power", "千瓦时")
    assert not w.measures("米", "temperature", "°c")


def test_a_parallel_item_shares_the_head_of_the_first_one():
    """In 旅行社每设立一个经营A的分社，…增存5万元；每设立一个经营B的分社，…增存30万元 the second sum is the
    旅行社's too: its own words carry the head the first item opens with, not the first item's condition."""
    found = {c.text: c for c in _reader().prose(
        "旅行社每设立一个经营国内旅游业务的分社，应当增存5万元；每设立一个经营出境旅游业务的分社，应当增存30万元。")}
    own = found["30万元"].extra["own_span"]
    assert "旅行社" in own and "出境" in own and "国内" not in own
    assert "旅行社" in found["5万元"].extra["own_span"]


def test_an_item_repeating_nothing_of_the_first_gets_no_head():
    """对单位处…罚款，对个人处500元: the words after the first figure (的罚款，) are its tail, and 对个人 repeats
    nothing longer than a character of 对单位, so the 500元 keeps its own words alone."""
    found = {c.text: c for c in _reader().prose("违反本条规定的，对单位处5000元以上5万元以下的罚款，对个人处500元的罚款。")}
    assert found["500元"].extra["own_span"].startswith("的罚款")  # no head put before it


def test_a_phrase_is_stated_without_the_questions_own_words_it_opens_with(tmp_path):
    corpus = tmp_path / "corpus"
    write_doc(corpus, "p1", "某市停电管理规定", "第六条 对整栋居民楼实施停电的，应当提前报告县级能源（电力）主管部门。\n")
    build(corpus, tmp_path / "index")
    answer = ask(OpenIndex(tmp_path / "index"), "整栋居民楼停电要提前报告哪个部门", on=TODAY)
    assert answer.found and answer.facts[0]["value"] == "县级能源(电力)主管部门"  # as normalised (NFKC)


def _admissible_figures(index, question: str) -> dict[str, bool]:
    """Each candidate figure of the question's clauses, and whether the engine may state it."""
    from kb.answer.compose import Answerer
    from kb.answer.features import admissible

    engine = Answerer(model=None)
    prepared = engine.prepare(index, question, on=TODAY)
    read = list(engine.vectors(prepared.question, prepared.contexts))
    return {candidate.figure: admissible(prepared.question, vector, [v for c, _x, v in read if c is not candidate
                                                                      and c.family == candidate.family])
            for candidate, _context, vector in read}


def _admissible_in(tmp_path, title: str, text: str, question: str) -> dict[str, bool]:
    """``_admissible_figures`` over a corpus of one document."""
    corpus = tmp_path / "corpus"
    write_doc(corpus, "a1", title, text + "\n")
    build(corpus, tmp_path / "index")
    return _admissible_figures(OpenIndex(tmp_path / "index"), question)


def test_the_general_case_is_not_stated_when_the_clause_states_the_year_asked(tmp_path):
    """“压减至30个工作日以内，力争2023年底前压减至17个工作日”: asked about 2023年底前, the 30 (the general
    target) may never be the answer; the 17 may."""
    corpus = tmp_path / "corpus"
    write_doc(corpus, "y1", "某市优化用电营商环境方案",
              "一、高压客户平均接电时间压减至30个工作日以内，力争2023年底前压减至17个工作日。\n")
    build(corpus, tmp_path / "index")
    index = OpenIndex(tmp_path / "index")
    allowed = _admissible_figures(index, "高压客户平均接电时间力争2023年底前压到几天")
    assert allowed["17个工作日"] and not allowed["30个工作日"]
    answer = ask(index, "高压客户平均接电时间力争2023年底前压到几天", on=TODAY)
    assert not answer.found or answer.facts[0]["value"] == 17


def test_a_date_of_the_documents_own_history_answers_only_a_question_about_it(tmp_path):
    corpus = tmp_path / "corpus"
    write_doc(corpus, "h1", "某市供热条例", (
        "2002年7月27日某省人民代表大会常务委员会批准 2010年9月1日第一次修正\n\n"
        "第一条 为了规范供热，制定本条例。\n\n第九条 供热单位应当在每年十一月十五日前开始供热。\n"))
    build(corpus, tmp_path / "index")
    index = OpenIndex(tmp_path / "index")
    assert not _admissible_figures(index, "供热条例规定今年冬天几号开始")["2002年7月27日"]
    assert _admissible_figures(index, "供热条例哪天批准的")["2002年7月27日"]
    answer = ask(index, "今年冬天集中供暖几号开始", on=TODAY)
    assert "2002年7月27日" not in answer.answer and "2010年9月1日" not in answer.answer


def test_confiscating_is_no_negation(tmp_path):
    """没收违法所得 confiscates what was gained; it does not negate 违法所得 (没 is a negator only on its own)."""
    corpus = tmp_path / "corpus"
    write_doc(corpus, "t1", "某市技术市场条例",
              "第二十五条 技术交易服务机构有欺骗行为的，没收其违法所得，并处以违法所得一至三倍的罚款。\n")
    build(corpus, tmp_path / "index")
    allowed = _admissible_figures(OpenIndex(tmp_path / "index"), "技术交易服务机构欺骗罚违法所得几倍")
    assert allowed["1至3倍"]


def test_a_negator_negates_the_word_it_stands_before_and_no_further():
    """As in a question (没实行 negates 实行): 不参加补考 negates 参加, not 补考; 未能及时填写 negates 填写
    (能, 及时 are passed over); 不超过 bounds a figure and negates nothing."""
    from kb.answer.conditions import negated_at
    from kb.vocab import default_vocab

    w = default_vocab().wording
    assert not negated_at("不参加补考", 3, w)
    assert negated_at("未能及时填写病历", 4, w)
    assert not negated_at("连续60天停电次数不超过3次", 10, w)
    assert negated_at("对没有外线工程的用户", 3, w)


def test_a_prohibition_in_the_text_agrees_with_the_one_in_the_question(tmp_path):
    """不得再次申请 and the question's 不能再申请 forbid the same act: neither case is a negation reversed, so the
    figure of the case asked (欺骗 → 3年) may be stated."""
    corpus = tmp_path / "corpus"
    write_doc(corpus, "n1", "某市行政许可办法", (
        "第七十八条 申请人隐瞒有关情况或者提供虚假材料申请许可的，申请人在一年内不得再次申请该许可。\n\n"
        "第七十九条 被许可人以欺骗、贿赂等不正当手段取得许可的，申请人在三年内不得再次申请该许可。\n"))
    build(corpus, tmp_path / "index")
    allowed = _admissible_figures(OpenIndex(tmp_path / "index"), "以欺骗手段取得许可被撤销的，几年内不能再申请")
    assert allowed["3年"]


def test_a_date_names_no_one(tmp_path):
    """哪个部门牵头 is never answered with the task's deadline."""
    corpus = tmp_path / "corpus"
    write_doc(corpus, "d1", "某市优化用电营商环境方案",
              "22. 推动与政府共建电缆管廊、共享管网资源。（责任部门：计划发展部；完成时限：2022年底）\n")
    build(corpus, tmp_path / "index")
    index = OpenIndex(tmp_path / "index")
    assert not _admissible_figures(index, "推动共建电缆管廊，供电公司哪个部门牵头").get("2022年底", False)
    assert "2022年底" not in ask(index, "推动共建电缆管廊，供电公司哪个部门牵头", on=TODAY).answer


def test_the_questions_own_figure_is_not_given_back_in_another_unit_of_time(tmp_path):
    corpus = tmp_path / "corpus"
    write_doc(corpus, "q1", "某市优化用电营商环境方案",
              "一、高压客户平均接电时间压减至30个工作日以内，力争2023年底前压减至17个工作日。\n")
    build(corpus, tmp_path / "index")
    allowed = _admissible_figures(OpenIndex(tmp_path / "index"),
                                  "高压客户平均接电时间先压到多少个工作日以内？力争压到17天的那个不算")
    assert not allowed["17个工作日"]


def test_a_character_inside_a_dictionary_word_is_no_slip_but_a_long_region_name_is(corpus_index):
    assert ask(corpus_index, "供水企业水压不达标罚多少", on=TODAY).understood["did_you_mean"] == ""
    assert ask(corpus_index, "巴颜淖尔高压双电源供电方案答复几天", on=TODAY).understood["did_you_mean"] == "巴彦淖尔"


def test_who_is_read_in_the_questions_own_frame(tmp_path):
    """向哪个部门申请 finds 向…部门提交书面申请: the body named, without the light verbs after it."""
    from kb.answer.phrases import mirrored_phrases
    from kb.vocab import default_vocab

    w = default_vocab().wording
    text = "学校申请使用校车的，应当向县级人民政府教育行政部门提交书面申请和证明材料。"
    found = [c.value for c in mirrored_phrases(text, ("向", "申请"), w.mirror_light_verbs, "agent", w.agent_head_re)]
    assert found == ["县级人民政府教育行政部门"]
    corpus = tmp_path / "corpus"
    write_doc(corpus, "m1", "某市校车管理办法", f"第十五条 {text}\n")
    build(corpus, tmp_path / "index")
    assert "县级人民政府教育行政部门" in _admissible_figures(OpenIndex(tmp_path / "index"), "学校办校车使用许可，向哪个部门申请")


def test_a_temperature_is_a_figure():
    found = {c.figure: c for c in _reader().prose("供热期间，用户卧室的温度不低于十八摄氏度。")}
    assert "18摄氏度" in found


def test_a_negation_the_text_states_nearest_the_figure_is_the_case(tmp_path):
    """责令改正，拒不改正的，处…: the text says 改正 twice, and the mention before the fine is negated — the
    fine is the case of 拒不改正 asked, not a case reversed."""
    from kb.answer.conditions import negation
    from kb.answer.features import own_context

    engine, prepared, read = _read_one(
        tmp_path, "某省物业条例",
        "第五十四条 物业服务人无故中止供电的，由电力行政管理部门责令改正，拒不改正的，处以一万元以上三万元以下罚款。",
        "物业无故停电拒不改正罚多少")
    fine = next(c for c, _v in read if c.kind == "range")
    assert negation(prepared.question, own_context(fine, engine.wording), engine.wording) == (1.0, 0.0)


def test_the_parts_a_plan_names_are_counted_and_a_year_asked_gets_no_span(tmp_path):
    """聚焦聚力五大任务 holds a count (5大) for 几大任务; 完成时限是哪年底 is answered by 2022年底前, never by the
    11个小时 of the same row."""
    allowed = _admissible_in(tmp_path, "某市优化用电营商环境方案", (
        "一、供电企业要聚焦聚力“五大任务”，提升服务水平。\n\n"
        "二、城镇地区用户年均停电时间压减至11个小时以内。完成时限：2022年底前。"), "供电企业要聚焦聚力几大任务")
    assert allowed["5大"]
    index = OpenIndex(tmp_path / "index")
    allowed = _admissible_figures(index, "城镇用户年均停电时间压减的要求，完成时限是哪年底")
    assert not allowed["11个小时"] and allowed["2022年底前"]


def test_the_same_figure_twice_in_a_sentence_is_no_other_case(tmp_path):
    """调查期限为60日…延长的期限不得超过60日: the second 60日 saying 延长 does not make the first the general case
    of a question about the 调查期限 (``words_elsewhere``) — both state the same figure."""
    from kb.answer.features import FEATURES

    _engine, _prepared, read = _read_one(tmp_path, "某事故调查条例", (
        "第二十四条 重大事故的调查期限为60日；特殊情况下，经批准，调查期限可以适当延长，但延长的期限不得超过60日。"),
        "重大事故调查组多少天内交调查报告，能延长吗")
    sixty = [dict(zip(FEATURES, v, strict=True)) for c, v in read if c.figure == "60日"]
    assert len(sixty) == 2 and all(f["words_elsewhere"] == 0.0 for f in sixty)


def test_a_word_the_question_negates_is_found_negated_further_off_or_after_it(tmp_path):
    """Rules put the act between the negator and the word (未按照本规定第二章规定履行) or say the word failed
    after it (整改没有达到要求): both are the case of 不履行 / 拒不整改 the question names, not its reverse."""
    from kb.answer.features import FEATURES

    for rule, asked in (
            ("第三十七条 经营者未按照本规定第二章规定履行经营者义务的，处一万元以上三万元以下罚款。",
             "经营者不履行经营者的义务罚多少"),
            ("第八十三条 重点用能单位无正当理由拒不落实整改要求或者整改没有达到要求的，处十万元以上三十万元以下罚款。",
             "重点用能单位拒不整改罚多少")):
        engine, prepared, read = _read_one(tmp_path, "某办法", rule, asked)
        fine = next(dict(zip(FEATURES, v, strict=True)) for c, v in read if c.kind == "range")
        assert (fine["neg_agree"], fine["neg_contra"]) == (1.0, 0.0), rule


def test_a_word_in_a_negated_phrase_of_the_question_is_no_case_reversed(tmp_path):
    """不按有序用电的序位拉闸限电: the question's 不 may reach 序位, so the text's 未按照规定序位限电 reverses
    nothing; 不得 holds no mention of the question's 得, and 不满十六周岁 bounds a figure."""
    from kb.answer.features import FEATURES

    for rule, asked in (
            ("第二十条 供电企业未按照规定序位限电的，处以十万元以上一百万元以下的罚款。",
             "供电企业不按有序用电的序位限电罚多少"),
            ("第三十一条 运营单位不得擅自停运设施，需要停运的，应当在九十个工作日前报告。", "运营单位停运得提前几个工作日报告"),
            ("第九条 用人单位招用已满十四周岁不满十六周岁的未成年人，处五千元罚款。", "招用的人得满几周岁")):
        engine, prepared, read = _read_one(tmp_path, "某条例", rule, asked)
        figures = [dict(zip(FEATURES, v, strict=True)) for c, v in read if c.kind in ("range", "number")]
        assert figures and all(f["neg_contra"] == 0.0 for f in figures), rule


def test_a_stem_the_question_says_both_ways_names_no_case(tmp_path):
    """被责令改正还不改: 改正 and 改 are one act said both ways; 拒不改正的 contradicts neither."""
    from kb.answer.features import FEATURES

    engine, prepared, read = _read_one(tmp_path, "某办法", "第十条 企业乱停车辆，拒不改正的，按照每辆一百元的标准罚款。",
                                       "企业乱停车辆被责令改正还不改怎么罚")
    fine = next(dict(zip(FEATURES, v, strict=True)) for c, v in read if c.kind == "number")
    assert fine["neg_contra"] == 0.0


def test_a_case_the_question_names_is_told_by_what_only_its_part_of_the_sentence_says(tmp_path):
    """处…罚款；造成严重后果的，处…: both fines share the sentence's opening (擅自拆除…), and only the second says
    造成严重后果, which the question names — the first is marked as leaving it to the other
    (``words_elsewhere``). An elliptical part (最优实现…) goes on with the figure before it."""
    from kb.answer.features import FEATURES

    at = FEATURES.index("words_elsewhere")
    _engine, _prepared, read = _read_one(
        tmp_path, "某市排水条例",
        "第五十七条 擅自拆除、改动排水设施的，由主管部门责令改正，处五万元以上十万元以下罚款；造成严重后果的，"
        "处十万元以上三十万元以下罚款。",
        "擅自拆除排水设施，造成严重后果的，罚款多少")
    ranges = {c.figure: v[at] for c, v in read if c.kind == "range"}
    assert ranges["10万元以上30万元以下"] == 0.0 < ranges["5万元以上10万元以下"]
    _engine, _prepared, read = _read_one(
        tmp_path / "second", "某市供电方案",
        "一、压缩时限，低压用户平均接电时限4个工作日，高压用户平均接电时限25个工作日，最优实现17个工作日。",
        "高压用户平均接电，最优能做到几个工作日")
    limits = {c.figure: v[at] for c, v in read}
    assert limits["17个工作日"] == 0.0 < limits["25个工作日"] < limits["4个工作日"]


def test_the_general_case_is_not_stated_when_its_sentence_gives_the_case_asked_another_figure(tmp_path):
    """Asked about 造成严重后果, the fine of the general case (五万元以上十万元以下) is never the answer; the one its
    sentence gives 造成严重后果 may be."""
    allowed = _admissible_in(
        tmp_path, "某市排水条例",
        "第五十七条 擅自拆除、改动排水设施的，由主管部门责令改正，处五万元以上十万元以下罚款；造成严重后果的，"
        "处十万元以上三十万元以下罚款。",
        "擅自拆除排水设施，造成严重后果的，罚款多少")
    assert allowed["10万元以上30万元以下"] and not allowed["5万元以上10万元以下"]


def test_the_condition_a_sentence_opens_with_holds_for_each_of_its_cases(tmp_path):
    """逾期不改正的，对单位处…，对个人处…: 逾期不改正 is the case of both fines, so the one for 个人 (whose own words
    only say 对个人) is not set aside as the general case, and its top end has the range's own words."""
    allowed = _admissible_in(tmp_path, "某市燃气管理条例",
                             "第四十六条 擅自移动燃气计量表的，由燃气管理部门责令限期改正；逾期不改正的，对单位可以处五万元"
                             "以上十万元以下罚款，对个人可以处二百元以上一千元以下罚款。",
                             "个人私自挪动燃气表，逾期不改最多罚多少")
    assert allowed["1000元"] and allowed["200元以上1000元以下"]


def test_a_candidate_of_the_wrong_type_is_ranked_after_every_one_of_the_right_type(corpus_index):
    """罚多少 asks money: a count of people, however well its clause matches, never stands before a fine."""
    from kb.answer.compose import Answerer
    from kb.answer.features import eligible

    engine = Answerer()
    prepared = engine.prepare(corpus_index, "扰乱供用电秩序罚多少", on=TODAY)
    scored = engine.score(prepared.question, prepared.contexts)
    kinds = [eligible(s.vector) for s in scored]
    assert kinds[0] and kinds == sorted(kinds, reverse=True)
    assert scored[0].candidate.family == "money"


def test_a_question_asking_which_cases_is_shown_the_clause_that_lists_them(tmp_path):
    """哪些房屋不得出租 is answered by 有下列情形之一的房屋，不得出租：(一)…(二)…, ahead of clauses that repeat the
    question's words without listing anything."""
    corpus = tmp_path / "corpus"
    write_doc(corpus, "r1", "某市房屋租赁管理条例",
              "第八条 出租人不得将房屋出租给不能提供身份证明的人，不得出租房屋用于违法活动，房屋出租不得损害公共利益，"
              "承租人不得擅自转租房屋。\n\n"
              "第九条 房屋出租人不得擅自进入已出租的房屋，出租房屋的租金不得随意上涨。\n\n"
              "第十条 有下列情形之一的房屋，不得出租：（一）属于违法建筑的；（二）不符合安全、防灾等工程建设强制性标准的；"
              "（三）违反规定改变房屋使用性质的。\n")
    build(corpus, tmp_path / "index")
    answer = ask(OpenIndex(tmp_path / "index"), "哪些房屋不得出租", on=TODAY)
    assert "有下列情形之一的房屋" in (answer.citations[0]["text"] if answer.citations else answer.hits[0]["text"])


def _read_one(tmp_path, title: str, text: str, question: str):
    """The engine (without a model), the question as it reads it, and each candidate with its features, over a
    corpus of one document."""
    from kb.answer.compose import Answerer

    corpus = tmp_path / "corpus"
    write_doc(corpus, "e1", title, text + "\n")
    build(corpus, tmp_path / "index")
    engine = Answerer(model=None)
    prepared = engine.prepare(OpenIndex(tmp_path / "index"), question, on=TODAY)
    return engine, prepared, [(c, v) for c, _x, v in engine.vectors(prepared.question, prepared.contexts)]


def _eligible_figures(tmp_path, title: str, text: str, question: str) -> dict[str, bool]:
    """Each candidate figure of a one-clause corpus, and whether it is of a type that may answer ``question``."""
    from kb.answer.features import eligible

    return {c.figure: eligible(v) for c, v in _read_one(tmp_path, title, text, question)[2]}


def test_a_year_in_the_question_is_not_the_figure_of_an_hour(tmp_path):
    """一年平均停电时间不超过几个小时: the question's 一年 is no 1个小时 given back (only days and working days
    count one span two ways), so the 中心区 figure of the list may be stated."""
    read = _eligible_figures(tmp_path, "某市供电可靠性方案",
                             "一、2022年中心区、市区、农村地区用户年均停电时间分别压减至1个、4个、15个小时以内。",
                             "中心区用户一年平均停电时间不超过几个小时")
    assert read["1个小时"]


def test_a_day_asked_is_answered_by_a_day_or_not_at_all(tmp_path):
    """失业保险金从哪天开始算 asks a day: the 18个月 of the same article is no answer to it."""
    read = _eligible_figures(tmp_path, "某省失业保险办法",
                             "第十七条 领取失业保险金的期限最长为18个月。失业保险金自办理失业登记之日起计算。",
                             "失业保险金从哪天开始算")
    assert read and not read.get("18个月", False)


def test_a_where_question_is_not_answered_by_a_phrase_that_names_no_place(tmp_path):
    """要把哪里打造成不停电示范区: a quoted slogan of the same clause (“能带不停”) answers which, not where."""
    allowed = _admissible_in(tmp_path, "某市持续优化用电营商环境行动方案",
                             "一、提升供电可靠性。保障示范区内线路故障检修“能带不停”，把经济技术开发区打造成不停电示范区。",
                             "要把哪里打造成不停电示范区")
    assert "能带不停" in allowed and not allowed["能带不停"]


def test_a_year_asked_rules_out_a_table_row_whose_year_cell_names_another(tmp_path):
    """2020年底前 asked: a 台账 row whose 完成时限 cell says 2021年、2022年底前 states another case, never stated."""
    allowed = _admissible_in(tmp_path, "某区优化用电营商环境重点任务台账",
                             "一、压减办电时间\n\n"
                             "| 序号 | 重点任务 | 完成时限 |\n| --- | --- | --- |\n"
                             "| 1 | 低压非居民用户全过程办电时间压减至25个工作日以内。 | 2020年底前 |\n"
                             "| 2 | 低压非居民用户全过程办电时间分别压减至20个、15个工作日以内。 | 2021年、2022年底前 |",
                             "低压非居民用户2020年底前全过程办电时间压到多少")
    assert allowed["25个工作日"] and not allowed["20个工作日"] and not allowed["15个工作日"]


def test_a_bound_before_the_figure_is_its_case_and_the_questions_figure_picks_it(tmp_path):
    """怀孕五个月: 未满4个月流产的…15天 is another case, 满4个月流产的…42天 is the one asked."""
    allowed = _admissible_in(tmp_path, "某省女职工劳动保护办法",
                             "第七条 女职工怀孕未满4个月流产的，享受15天产假；怀孕满4个月流产的，享受42天产假。",
                             "怀孕五个月流产了，有多少天产假")
    assert allowed["42天"] and not allowed["15天"]


def test_a_value_under_its_label_answers_a_question_naming_the_label(tmp_path):
    """牵头部门：营销部；支撑单位：物资供应处 — asked 支撑单位是哪个, the value under that label is a candidate in the
    frame asked."""
    from kb.answer.features import FEATURES

    _engine, _prepared, candidates = _read_one(
        tmp_path, "某供电公司行动方案",
        "5.保障工程物资供应。推行标准物料招标。（完成时限：2022年6月；牵头部门：营销部；支撑单位：物资供应处）",
        "工程物资供应的支撑单位是哪个")
    read = {c.value: v for c, v in candidates if c.frame == "labelled"}
    assert read["物资供应处"][FEATURES.index("frame_match")] == 1.0
    assert read["物资供应处"][FEATURES.index("cov_other")] > read["营销部"][FEATURES.index("cov_other")]


def test_a_range_the_questions_own_figure_lies_in_is_its_case_not_its_answer(tmp_path):
    """签了两年的合同: 一年以上不满三年的 is the question's case; the answer is the 二个月 that follows it."""
    read = _eligible_figures(tmp_path, "某市劳动合同条例",
                             "第十九条 劳动合同期限一年以上不满三年的，试用期不得超过二个月。",
                             "签了两年的劳动合同，试用期最长能约定多久")
    assert read["2个月"] and not read["3年"] and not read["1年以上不满3年"]


def test_a_question_naming_the_draft_is_answered_from_the_draft(corpus_index):
    """征求意见稿里… names the draft as a title would: its table answers, not the city notice that states the
    same step for the same customer type."""
    answer = ask(corpus_index, "征求意见稿里高压单电源用户竣工检验几个工作日", on=TODAY)
    cited = answer.citations[0]
    assert answer.found and corpus_index.documents[cited["doc_id"]]["meta"]["status"] == "征求意见稿"
    assert str(answer.facts[0]["value"]) in cited["text"]  # the figure is the cited clause's


def test_a_figure_inside_a_documents_name_is_no_answer(tmp_path):
    """《…行动方案（500条）》 names a document; the 30条 the text itself states answers 多少条."""
    read = _eligible_figures(tmp_path, "某供电公司行动方案",
                             "为落实《某市建设营商环境优秀城市行动方案（500条）》等要求，提出如下30条服务举措。",
                             "这个行动方案一共提了多少条服务举措")
    assert read["30条"] and not read["500条"]




def test_a_modifier_stops_at_the_end_of_a_sentence():
    """哪个月 reads the words before 月 back to the sentence's end: 每年12月, not 提供便利。\\n每年12月 — the 。
    and the line break stand between two words of the analyzer, in no word."""
    from kb.answer.compose import Answerer
    from kb.answer.phrases import head_phrases

    engine = Answerer(model=None)
    text = "市、区人民政府应当为献血宣传活动提供便利。\n每年12月为本市无偿献血宣传月。"
    read = [c.value for c in head_phrases(text, ["月"], engine.wording.boundaries, engine.contexts.reader.segmenter)]
    assert "每年12月" in read and not any("便利" in value for value in read)


def test_a_head_noun_ending_a_word_the_analyzer_keeps_whole_takes_the_whole_word():
    """什么数字 where the text says 使用阿拉伯数字标明: jieba keeps 阿拉伯数字 one word, so the modifier begins
    inside it (阿拉伯), not at the word before (使用, which opens no name)."""
    from kb.answer.compose import Answerer
    from kb.answer.phrases import head_phrases

    engine = Answerer(model=None)
    text = "经营者标示价格，一般应当使用阿拉伯数字标明人民币金额。"
    read = [c.value for c in head_phrases(engine.vocab.analysis.normalize(text), ["数字"], engine.wording.boundaries,
                                          engine.contexts.reader.segmenter)]
    assert read == ["阿拉伯数字"]


def test_a_cause_opens_no_name():
    """哪个企业 where the text says 由于供水企业的原因…，因供水企业原因…: 因 and 由于 open a cause, so the name is
    供水企业 each time, not 因供水企业."""
    from kb.answer.compose import Answerer
    from kb.answer.phrases import head_phrases

    engine = Answerer(model=None)
    text = "由于用户原因不能分表计量的，按照最高类别水价；因供水企业原因不能分表计量的，按照最低类别水价。"
    read = [c.value for c in head_phrases(engine.vocab.analysis.normalize(text), ["企业"], engine.wording.boundaries,
                                          engine.contexts.reader.segmenter)]
    assert read == ["供水企业"]


def test_a_head_noun_inside_a_documents_name_gives_the_whole_name():
    """哪个行动方案 inside 《…行动方案(500条)》: the document's whole name, not the words back to 对."""
    from kb.answer.compose import Answerer
    from kb.answer.phrases import head_phrases

    engine = Answerer(model=None)
    text = "为贯彻《某市对标先进建设最优营商环境行动方案(500条)》，提出如下举措。"
    read = [c.value for c in head_phrases(text, ["行动方案"], engine.wording.boundaries,
                                          engine.contexts.reader.segmenter)]
    assert read == ["某市对标先进建设最优营商环境行动方案(500条)"]


def test_an_articles_number_is_no_part_of_the_phrase_it_states():
    """第四条 某市水务局…是本市供水行政主管部门: who is 主管部门 is 某市水务局, without 第4条."""
    from kb.answer.compose import Answerer

    engine = Answerer(model=None)
    read = [c.value for c in engine.contexts.reader.prose("第四条 某市水务局（以下简称市水务局）是本市供水行政主管部门。")
            if c.kind == "phrase"]
    assert "某市水务局" in read and not any(value.startswith("第") for value in read)


def test_the_lexicons_item_alone_does_not_make_a_clause_answer_another_subject(tmp_path):
    """提前…通知 names the lexicon's 提前通知时间 whoever gives the notice: a 停电 notice read as that item counts
    only as far as its clause holds the rest of the question, which asks about a landlord selling."""
    from kb.answer.features import FEATURES

    text = "第十五条 供电企业因计划检修需要停电的，应当提前7日公告停电区域和停电时间。"
    _e, _p, own_subject = _read_one(tmp_path / "a", "某市供用电条例", text, "计划检修停电要提前几天通知")
    _e, _p, other_subject = _read_one(tmp_path / "b", "某市供用电条例", text, "房东卖房要提前几天通知租客")
    item = FEATURES.index("lex_fact_item")
    asked = next(v for c, v in own_subject if c.figure == "7日")
    unasked = next(v for c, v in other_subject if c.figure == "7日")
    assert asked[item] > 0 and unasked[item] < asked[item] / 2


@pytest.mark.parametrize("title, text, question, stated, also_read, not_stated", [
    # 科目三道路 counts no 道 (道路 is a word); 三条道路 counts 条; 三年内 counts years, also right after a
    # full-width comma (normalised to ',', which glues a number only in 1,000)
    ("某驾驶考试办法", "科目三道路驾驶技能考试满分为100分。每年划定三条道路作为考试路线，考试不合格的，三年内不得再申请。",
     "考试路线有几条", ["3条"], ["3年"], ["3道"]),
    # 一点五米 is 1.5米, not an hour 1点 and 5米; 八点三十分 stays an hour
    ("某市非机动车管理条例", "在没有划分非机动车道的道路上，应当在距离道路右侧边缘线一点五米范围内行驶。非机动车停放点每日八点三十分开放。",
     "没有非机动车道的路上，电动车要在右边多宽的范围内骑", ["1.5米"], [], ["5米", "1点"]),
    # 开工前24小时 is 24 hours before the start of work, not 前24个小时 (the first 24 hours)
    ("某市燃气管理条例", "建设单位应当在开工前24小时书面通知燃气企业。燃气表故障的，按前四个月的平均用量计收燃气费。",
     "施工前要提前多少小时通知燃气公司", ["24个小时"], ["前4个月"], ["前24个小时"]),
    # 四分之三以上的业主 states a share; it is no 4分
    ("某市物业管理条例", "筹集和使用专项维修资金，应当经专有部分面积四分之三以上的业主同意。记分满分为12分。",
     "动用维修资金要多大比例的业主同意", ["四分之三"], ["12分"], ["4分"]),
    # 第一、二、三项 is the third item, not three of them
    ("某市治安管理规定", "违反本规定第22条第一、二、三项规定的，处5日以下拘留。", "违反规定要拘留几天", ["5日"], [], ["3项"]),
    # 每年11月15日 is a day of the year, not a count of 15 days
    ("某市供热条例", "供热期为每年十一月十五日至次年三月十五日，供热期内室温不得低于18摄氏度。", "每年几号开始供暖",
     ["11月15日"], ["18摄氏度"], ["15日"]),
    # 毫升 is a unit: 四百毫升 is 400毫升, not the bare number 400
    ("某市献血条例", "每次采集血液量一般为二百毫升，最多不得超过四百毫升。", "献血一次最多能抽多少毫升", ["400毫升"], ["200毫升"],
     ["400"]),
], ids=["unit-opens-a-word", "chinese-decimal", "prefix-closing-a-word", "fraction", "ordinals", "day-of-year",
        "millilitres"])
def test_the_figures_a_clause_states_and_what_only_looks_like_one(tmp_path, title, text, question, stated, also_read,
                                                                  not_stated):
    """Each figure the clause states is read as a candidate of the right type (``also_read``: of another type,
    still read); what only looks like a figure (a unit that opens a word, half a decimal, a prefix closing
    another word, a fraction's denominator, an ordinal) is no candidate at all."""
    read = _eligible_figures(tmp_path, title, text, question)
    assert all(read.get(figure) for figure in stated)
    assert all(figure in read for figure in also_read)
    assert not any(figure in read for figure in not_stated)


def test_a_date_is_no_answer_where_a_length_is_asked(tmp_path):
    """两侧各延伸多少米 asks metres: the clause's 2020年底前 is of the wrong type, and the 10米 answers."""
    read = _eligible_figures(tmp_path, "某市电力设施保护办法",
                             "2020年底前完成架空线路保护区划定，保护区为导线边线向外侧水平延伸10米的区域。",
                             "架空线路保护区向外延伸多少米")
    assert read["10米"] and not read["2020年底前"]


def test_a_window_before_a_bound_is_the_figures_window(tmp_path):
    """累计超过6个月: 累计 counts the 6个月 as a running total, though 超过 stands between them."""
    _engine, _prepared, read = _read_one(tmp_path, "某市房屋租赁条例", "承租人逾期不支付租金累计超过6个月的，出租人可以解除合同。",
                                         "拖欠房租累计超过多久房东可以解约")
    assert any(c.figure == "6个月" and c.prefix == "累计" and c.bound == "超过" for c, _v in read)


def test_a_phrase_cut_of_the_questions_words_does_not_open_with_de(tmp_path):
    """在每年的采暖期开始三十日前: 每年 is the question's own word and is cut; what is left opens with no 的."""
    corpus = tmp_path / "corpus"
    write_doc(corpus, "h1", "某市供热条例", "第三十六条 用户需要停止用热的，应当在每年的采暖期开始三十日前向供热企业提出申请。\n")
    build(corpus, tmp_path / "index")
    answer = ask(OpenIndex(tmp_path / "index"), "每年什么时候之前要申请停止用热", on=TODAY)
    assert answer.found and answer.facts[0]["value"] == "采暖期开始30日前"


def test_a_bare_number_is_no_answer_where_a_unit_is_asked(tmp_path):
    """…/1000（公里）×n is a number of a formula with no unit of its own: it never answers 多少钱, while the
    clause's 500元 may."""
    read = _eligible_figures(tmp_path, "某汽车三包规定",
                             "补偿费=车价款（元）×行驶里程（公里）/1000（公里）×n。每次检测费用不超过500元。",
                             "做一次检测要多少钱")
    assert read["500元"] and not read["1000"]


def test_a_body_asked_for_is_also_given_as_its_clause_puts_it_to_work_and_by_its_own_name(tmp_path):
    """谁出 is answered by who bears it (所需费用由出租人承担 → 出租人承担) and 哪个部门 by the body itself, the
    level its name opens with left to the whole (县级以上地方人民政府人事部门 → 人事部门): both after the phrase as
    stated, before any other document's figure. The forms do not depend on the confidence: the model here
    states its best candidate whatever it is."""
    from dataclasses import replace

    from kb.answer.compose import Answerer
    from kb.answer.model import load_model

    corpus = tmp_path / "corpus"
    write_doc(corpus, "r1", "某市房屋租赁办法", (
        "第九条 房屋出现险情，出租人不及时维修的，承租人可以代为维修，所需费用由出租人承担。\n\n"
        "第十二条 出租人违反本办法的，由县级以上地方人民政府房屋管理部门责令改正。\n"))
    build(corpus, tmp_path / "index")
    index = OpenIndex(tmp_path / "index")
    stating = Answerer(model=replace(load_model(), threshold=-1.0))
    cost = stating.ask(index, "房屋险情承租人代为维修，维修费用谁出", on=TODAY)
    assert cost.found and [f["value"] for f in cost.facts[:2]] == ["出租人", "出租人承担"]
    assert cost.facts[1]["form_of"] == "出租人" and cost.facts[1]["clause_id"] == "a9"
    body = stating.ask(index, "出租人违反租赁办法，由哪个部门责令改正", on=TODAY)
    assert body.found and [f["value"] for f in body.facts[:2]] == ["县级以上地方人民政府房屋管理部门", "房屋管理部门"]


def test_a_bodys_own_name_keeps_what_is_not_a_level():
    """市场监督管理局 opens with 市场, not with the level 市; a name without a level is itself."""
    from kb.answer.statement import body_name
    from kb.vocab import default_vocab

    vocab = default_vocab()
    assert body_name("县级或者设区的市级人民政府教育行政部门", vocab) == "教育行政部门"
    assert body_name("市公安部门", vocab) == "公安部门"
    assert body_name("市场监督管理局", vocab) == "市场监督管理局"
    assert body_name("出租人", vocab) == "出租人"


def test_a_phrase_listing_several_bodies_gives_one_fact_per_body_after_the_whole():
    """责任单位：市能源局、巴彦淖尔供电公司 — the answer's facts hold the whole list, then each body named in it;
    a phrase that lists nothing, or a figure, gives no more facts."""
    from kb.answer.statement import listed_items

    whole = {"kind": "phrase", "value": "市能源局、巴彦淖尔供电公司", "figure": "市能源局、巴彦淖尔供电公司", "doc_id": "d"}
    assert [f["value"] for f in listed_items(whole)] == ["市能源局", "巴彦淖尔供电公司"]
    assert all(f["listed_in"] == whole["value"] and f["doc_id"] == "d" for f in listed_items(whole))
    assert listed_items({**whole, "value": "县级能源(电力)主管部门"}) == []
    assert listed_items({"kind": "figure", "value": 5, "unit": "工作日"}) == []


def test_a_word_said_in_other_words_of_its_characters_still_counts_half_way(tmp_path):
    """停气 is written 暂停供气 in the law: the 3日 whose own words hold both its characters covers the question
    better than the 7日 of a 停电, which holds one (``cov_char_own``), though neither holds the word itself."""
    from kb.answer.features import FEATURES

    _engine, _prepared, candidates = _read_one(
        tmp_path, "某市公用事业条例",
        "第九条 燃气企业暂停供气的，应当提前3日公告；供电企业计划停电的，应当提前7日公告。",
        "停气要提前几天公告")
    read = {c.figure: v for c, v in candidates}
    assert read["3日"][FEATURES.index("cov_char_own")] > read["7日"][FEATURES.index("cov_char_own")]


def test_a_clause_of_a_document_about_something_else_falls_short_of_the_documents_about_it(tmp_path):
    """Asked about a gas company's notice, a clause of the electricity law that matches 提前…公告 as well as the
    gas law's clause does stands in a document that addresses less of the question (``document_gap``)."""
    from kb.answer.compose import Answerer
    from kb.answer.features import FEATURES

    corpus = tmp_path / "corpus"
    write_doc(corpus, "g1", "某市燃气管理条例", "第二十条 燃气企业因检修需要暂停供气的，应当提前三日予以公告。\n")
    write_doc(corpus, "e1", "某市供用电条例", "第十五条 供电企业因计划检修停电的，应当提前七日公告。\n")
    build(corpus, tmp_path / "index")
    engine = Answerer(model=None)
    prepared = engine.prepare(OpenIndex(tmp_path / "index"), "燃气检修，要提前几天公告", on=TODAY)
    gap = {c.figure: v[FEATURES.index("document_gap")] for c, _x, v in
           engine.vectors(prepared.question, prepared.contexts)}
    assert gap["3日"] == 0.0 and gap["7日"] > 0.0


def test_a_sentence_that_names_another_figure_of_the_questions_kind_is_about_another_case(tmp_path):
    """审查满二十日办不完，还能延长几天: the 十五日 after 满四十五日仍不能办结的 is another case's extension
    (``qfig_other_before``); the 十日 after 满二十日不能作出决定的 is the one asked."""
    from kb.answer.features import FEATURES

    _engine, _prepared, candidates = _read_one(
        tmp_path, "某省行政审批条例",
        "第十条 审查满二十日不能作出决定的，经负责人批准，可以延长十日。联合审查满四十五日仍不能办结的，经批准，可以延长十五日。",
        "审查满二十日办不完，最多还能延长几天")
    read = {c.figure: v for c, v in candidates}
    other = FEATURES.index("qfig_other_before")
    assert read["15日"][other] == 1.0 and read["10日"][other] == 0.0


@pytest.mark.parametrize("traditional, simplified", [
    ("高壓雙電源用戶供電方案答复時限", "高压双电源用户供电方案答复时限"),
    ("電力監管條例規定供電企業違規，罰款多少", "电力监管条例规定供电企业违规，罚款多少"),
])
def test_a_question_typed_in_traditional_characters_is_answered_as_typed_in_simplified(
        corpus_index, traditional, simplified):
    typed, meant = ask(corpus_index, traditional, on=TODAY), ask(corpus_index, simplified, on=TODAY)
    assert (typed.found, typed.answer, typed.facts) == (meant.found, meant.answer, meant.facts)


def test_no_character_of_the_corpus_is_read_as_another():
    """The traditional characters simplified are only those no text of the corpus uses (乾, 著, 於 stay)."""
    from kb.vocab import default_vocab

    vocab = default_vocab()
    corpus = "".join(p.read_text(encoding="utf-8") for p in (Path(__file__).parents[1] / "corpus").rglob("*.md"))
    assert vocab.simplified(corpus) == corpus
    assert vocab.simplified("罰款") == "罚款"


def test_a_phrase_that_only_points_back_to_the_questions_own_words_is_never_stated(tmp_path):
    """本市无偿献血宣传月 for 无偿献血宣传月是哪个月: 本市 points back to the document's city and the rest is
    the question's own words — no answer, even from a model that states its best candidate whatever it is."""
    from dataclasses import replace

    from kb.answer.compose import Answerer
    from kb.answer.model import load_model

    corpus = tmp_path / "corpus"
    write_doc(corpus, "r1", "某市献血条例", (
        "第二十条 市、区所属媒体应当在本市无偿献血宣传月开展公益宣传。\n\n"
        "第二十八条 每年十二月为本市无偿献血宣传月。\n"))
    build(corpus, tmp_path / "index")
    stating = Answerer(model=replace(load_model(), threshold=-1.0))
    answer = stating.ask(OpenIndex(tmp_path / "index"), "某市无偿献血宣传月是哪个月", on=TODAY)
    assert all("无偿献血宣传月" not in str(f["value"]) for f in answer.facts[:1])


def test_an_alternative_question_offers_the_choice_its_clause_states_and_marks_a_negated_one(tmp_path):
    write_doc(tmp_path / "corpus", "t1", "某市停车管理办法",
              "第三十条 本办法所称“三日”“五日”，是指工作日，不是自然日。\n\n第三十一条 停车收费按小时计算。\n")
    build(tmp_path / "corpus", tmp_path / "index")
    answerer = Answerer()
    prepared = answerer.prepare(OpenIndex(tmp_path / "index"), "停车办法里的三日是工作日还是自然日")
    choices = [c for c, _context, _f in answerer.vectors(prepared.question, prepared.contexts)
               if c.frame == "alternative"]
    assert {(c.value, bool(c.extra.get("negated"))) for c in choices} == {("工作日", False), ("自然日", True)}
