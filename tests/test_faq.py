"""The public FAQ: the real entries hold against the corpus; the checker catches what it should."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.corpus import load_corpus
from kb.corpus.faq import Entry, check, clause_figures, extract_figures, figure_in_clause, load_faq, search_faq
from kb.errors import CorpusError
from kb.parse import parse_document
from kb.vocab import default_vocab

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
FAQ = CORPUS / "faq"


@pytest.fixture(scope="module")
def docs():
    return {d.id: d for d in load_corpus(CORPUS)}


@pytest.fixture(scope="module")
def clause_text(docs):
    def lookup(doc_id, clause_id):
        doc = docs.get(doc_id)
        c = parse_document(doc).clause(clause_id) if doc else None
        return c.text if c else None

    return lookup


@pytest.fixture(scope="module")
def entries():
    return load_faq(FAQ)


def write_entry(folder: Path, entry_id: str, answer: str, cites=("006#a28",), topic="停电通知", order=1,
                question="问题？") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{entry_id}.md"
    cites_yaml = "[" + ", ".join(f'"{c}"' for c in cites) + "]"
    path.write_text(f"---\nid: {entry_id}\nquestion: {question}\ntopic: {topic}\ncites: {cites_yaml}\n"
                    f"order: {order}\n---\n\n{answer}\n", encoding="utf-8")
    return path


def fake_lookup(clauses: dict[str, str]):
    return lambda doc_id, clause_id: clauses.get(f"{doc_id}#{clause_id}")


# -- the real FAQ ---------------------------------------------------------------------------------

def test_real_faq_loads_enough_entries_with_ids_equal_to_file_stems(entries):
    assert len(entries) >= 22
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        assert entry.id == entry.path.stem
        assert entry.topic in default_vocab().faq_topics
        assert entry.cites
        assert entry.question.strip() and entry.answer_md.strip()
    assert [(e.order, e.id) for e in entries] == sorted((e.order, e.id) for e in entries)
    assert len(list(FAQ.glob("*.md"))) == len(entries)


def test_real_faq_has_no_problems_against_the_real_corpus(entries, clause_text):
    problems = check(entries, clause_text)
    assert problems == [], "\n".join(p.message for p in problems)


def test_real_faq_says_draft_and_region_where_it_cites_them(entries, clause_text, docs):
    problems = check(entries, clause_text, doc_meta=lambda doc_id: docs[doc_id].meta if doc_id in docs else None)
    assert problems == [], "\n".join(p.message for p in problems)
    drafts = {d for d, doc in docs.items() if doc.status == "征求意见稿"}
    citing_draft = [e for e in entries if any(c.split("#")[0] in drafts for c in e.cites)]
    assert citing_draft and all("征求意见稿" in e.answer_md for e in citing_draft)


def test_real_faq_covers_the_required_topics_and_figures(entries):
    topics = {e.topic for e in entries}
    assert set(default_vocab().faq_topics) - {"其他"} <= topics
    figures = {f for e in entries for f in e.figures()}
    for figure in ("6工作日", "5工作日", "15工作日", "22工作日", "32工作日", "160千瓦", "200千瓦", "200千伏安",
                   "7天", "24小时", "1‰", "3‰", "5次", "60天", "2024年", "95598", "12398", "12345", "95%"):
        assert figure in figures, figure
    cited = {c for e in entries for c in e.cites}
    for cite in ("002#att2-t1-r3", "002#att2-t1-r2", "002#att2-t1-r1", "006#a28", "006#a39", "002#c2.2.7.1",
                 "003#c2.1.5", "000#c3.1.13", "006#a31", "006#a30"):
        assert cite in cited, cite


def test_real_faq_answers_are_short_and_plain(entries):
    for entry in entries:
        sentences = [s for s in entry.answer_md.replace("\n", "").split("。") if s.strip()]
        assert 2 <= len(sentences) <= 5, (entry.id, len(sentences))
        assert "TODO" not in entry.answer_md and "#" not in entry.answer_md


# -- figures --------------------------------------------------------------------------------------

def test_figures_are_normalised_with_ge_removed():
    entry = Entry("x", "问？", "其他", ["006#a28"], 1, "合计32个工作日，提前七天，1‰至3‰，拨打95598，2024年，第二十八条。", None)
    assert entry.figures() == ["32工作日", "7天", "1‰", "3‰", "95598", "2024年"]


def test_enumerations_carry_the_unit_of_their_last_item():
    assert extract_figures("分别压减至1个、8个、11个工作日以内") == ["1工作日", "8工作日", "11工作日"]
    assert {"22工作日", "10工作日"} <= clause_figures("高压单电源用户：供电方案答复 10，合计办理时间 22（单位：工作日）")


def test_a_figure_is_not_found_inside_a_larger_number():
    assert not figure_in_clause("5工作日", "有外线工程的不超过15个工作日")
    assert figure_in_clause("15工作日", "有外线工程的不超过15个工作日")
    assert not figure_in_clause("5千瓦", "5千瓦时")


# -- synthetic entries ----------------------------------------------------------------------------

def test_cite_to_a_missing_clause_is_missing_clause(tmp_path):
    write_entry(tmp_path, "gone", "计划检修要提前通知。供电企业要公告。", cites=("006#a28", "006#a999", "bad-cite"))
    problems = check(load_faq(tmp_path), fake_lookup({"006#a28": "计划检修应当提前通知用户。"}))
    missing = [p for p in problems if p.kind == "missing-clause"]
    assert [p.cite for p in missing] == ["006#a999", "bad-cite"]
    assert all("gone" in p.message for p in missing)
    assert "006#a999" in missing[0].message


def test_figure_not_in_the_cited_clause_is_reported(tmp_path):
    write_entry(tmp_path, "wrong", "计划检修要提前10天通知。临时检修提前24小时。")
    problems = check(load_faq(tmp_path), fake_lookup({"006#a28": "计划检修提前7天通知；临时检修提前24小时通知。"}))
    assert [(p.kind, p.figure) for p in problems] == [("figure-not-in-clause", "10天")]
    assert "wrong" in problems[0].message and "10天" in problems[0].message


def test_chinese_numerals_in_the_clause_match_digits_in_the_answer(tmp_path):
    write_entry(tmp_path, "qitian", "计划检修要提前7天通知。临时检修要提前24小时通知。")
    clauses = {"006#a28": "因供电设施计划检修需要停电时，应当提前七天通知用户；临时检修应当提前二十四小时通知重要用户。"}
    assert check(load_faq(tmp_path), fake_lookup(clauses)) == []


def test_a_figure_in_any_cited_clause_counts(tmp_path):
    write_entry(tmp_path, "two", "违约金每日1‰至3‰。超过30日可以停电。", cites=("006#a39", "006#a27"))
    clauses = {"006#a27": "用户应当按期交付电费。", "006#a39": "每日按照电费总额的1‰至3‰加收违约金；超过30日……"}
    assert check(load_faq(tmp_path), fake_lookup(clauses)) == []


def test_bad_entries_are_reported(tmp_path):
    entry = Entry("dup", "问？", "没有这个主题", [], 1, "TODO 以后再写。", None)
    kinds = [p.kind for p in check([entry, entry], fake_lookup({}))]
    assert kinds.count("bad-entry") >= 4


def test_draft_and_local_documents_must_be_named_when_meta_is_given(tmp_path):
    write_entry(tmp_path, "draft", "高压双电源用户合计32个工作日。这是全区的要求。", cites=("002#att2-t1-r3",))
    meta = {"002": {"status": "征求意见稿", "region": "内蒙古自治区"}}
    lookup = fake_lookup({"002#att2-t1-r3": "高压双电源用户：合计办理时间 32（单位：工作日）"})
    problems = check(load_faq(tmp_path), lookup, doc_meta=meta.get)
    assert {p.kind for p in problems} == {"bad-entry"}
    assert any("征求意见稿" in p.message for p in problems) and any("内蒙古" in p.message for p in problems)
    write_entry(tmp_path, "draft", "内蒙古自治区行动方案征求意见稿提出高压双电源用户合计32个工作日。尚未施行。",
                cites=("002#att2-t1-r3",))
    assert check(load_faq(tmp_path), lookup, doc_meta=meta.get) == []


@pytest.mark.parametrize("text, reason", [
    ("没有front matter。\n", "front matter"),
    ("---\nid: broken\nquestion: [unclosed\n---\n\n答案。\n", "front matter"),
    ("---\nid: broken\nquestion: 问？\ntopic: 停电通知\norder: 1\n---\n\n答案。\n", "cites"),
    ("---\nid: other-name\nquestion: 问？\ntopic: 停电通知\ncites: [\"006#a28\"]\norder: 1\n---\n\n答案。\n", "file name"),
    ("---\nid: broken\nquestion: 问？\ntopic: 天气\ncites: [\"006#a28\"]\norder: 1\n---\n\n答案。\n", "topic"),
    ("---\nid: broken\nquestion: 问？\ntopic: 停电通知\ncites: [\"006#a28\"]\norder: first\n---\n\n答案。\n", "order"),
    ("---\nid: broken\nquestion: 问？\ntopic: 停电通知\ncites: [\"006#a28\"]\norder: 1\n---\n\n", "empty"),
])
def test_malformed_front_matter_raises_value_error_naming_the_file(tmp_path, text, reason):
    (tmp_path / "broken.md").write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError) as error:
        load_faq(tmp_path)
    assert "broken.md" in str(error.value) and reason in str(error.value)


# -- search ---------------------------------------------------------------------------------------

def test_search_ranks_the_notice_entry_first(tmp_path):
    write_entry(tmp_path, "tongzhi", "计划检修停电提前7天通知用户。临时检修提前24小时。", topic="停电通知", order=3,
                question="计划检修停电，供电企业要提前几天通知？")
    write_entry(tmp_path, "pinfan", "一年内停电不超过5次。连续60天不超过3次。", topic="频繁停电", order=1,
                question="一年停电多少次算频繁停电？")
    write_entry(tmp_path, "qianfei", "每日按1‰至3‰加收违约金。超过30日可以停电。", topic="欠费与违约金", order=2,
                question="电费逾期要交违约金吗？")
    entries = load_faq(tmp_path)
    assert search_faq(entries, "停电要提前几天通知")[0].id == "tongzhi"
    assert [e.id for e in search_faq(entries, "")] == ["pinfan", "qianfei", "tongzhi"]
    assert search_faq(entries, "违约金")[0].id == "qianfei"
    assert search_faq(entries, "光伏补贴") == []


def test_search_on_the_real_faq(entries):
    assert search_faq(entries, "停电要提前几天通知")[0].topic == "停电通知"
    assert search_faq(entries, "高压双电源")[0].id == "gaoya-shuangdianyuan-shixian"
    assert search_faq(entries, "电费逾期违约金")[0].topic == "欠费与违约金"
    assert [e.id for e in search_faq(entries, "  ")] == [e.id for e in entries]
