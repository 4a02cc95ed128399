"""Search relevance on the real corpus: realistic questions put the right clause on top."""

import pytest

from kb.errors import InputError
from kb.search import search
from kb.vocab import default_vocab
from web.hits import highlight_html

# (question, document id, clause id, rank it must reach)
QUESTIONS = [
    ("高压双电源 时限", "002", "att2-t1-r3", 1),
    ("双电源多久能通电", "002", "att2-t1-r3", 1),
    ("高压单电源用户合计办理时间", "002", "att2-t1-r2", 1),
    ("计划检修 提前通知", "006", "a28", 1),
    ("临时检修 停电 通知", "006", "a28", 1),
    ("窃电行为包括哪些", "006", "a31", 1),
    ("用户擅自改变用电类别", "006", "a30", 1),
    ("欠电费 违约金", "006", "a39", 1),
    ("电力供应与使用条例什么时候施行", "006", "a45", 1),
    ("电力供应与使用条例 第二十八条", "006", "a28", 1),
    ("频繁停电的标准是什么", "002", "c2.2.7.1", 1),
    ("低压零投资接入容量上限", "002", "c2.1.1.1", 1),
    ("居民充电桩报装有几个环节", "002", "c2.3.8.2", 1),
    ("巴彦淖尔转供电清零目标", "003", "c2.1.5", 1),
    ("鄂尔多斯市区年均停电时间", "000", "c2.4", 1),
    ("鄂尔多斯低压客户办电有几个环节", "000", "c2.1", 1),
    ("用电营商环境先进地区有哪些城市", "002", "c1.2", 1),
    ("低压用户取消了哪些环节", "004", "c2-t1-r5", 1),
    ("10千伏单电源 电网配套工程实施时限", "001", "att1-t3-r4", 1),
    ("三零低压用户无外线工程接电时间", "000", "c2.2-p1", 3),
    ("停电信息怎么主动通知用户", "004", "c4-t1-r4", 3),
    ("12398 投诉", "002", "c2.2.7.2", 3),
]


@pytest.mark.parametrize("question, doc_id, clause_id, rank", QUESTIONS)
def test_realistic_questions_find_their_clause(corpus_index, question, doc_id, clause_id, rank):
    hits = search(corpus_index, question, limit=rank).hits
    assert (doc_id, clause_id) in [(h.doc_id, h.clause_id) for h in hits], [(h.doc_id, h.clause_id) for h in hits]


def test_hits_carry_metadata_highlight_and_permalink(corpus_index):
    hit = search(corpus_index, "高压双电源 时限").hits[0]
    assert (hit.region, hit.status) == ("内蒙古自治区", "征求意见稿")
    assert (hit.doc_id, hit.clause_id) == ("002", "att2-t1-r3") and hit.label
    assert "【高压双电源】" in hit.snippet and "高压双电源" in {hit.text[s:e] for s, e in hit.marks}


def test_region_filter_keeps_the_region_and_those_above(corpus_index):
    regions = {h.region for h in search(corpus_index, "停电时间", region="巴彦淖尔", limit=50).hits}
    assert regions <= {"巴彦淖尔市", "内蒙古自治区", "全国"} and "巴彦淖尔市" in regions


def test_status_and_document_filters(corpus_index):
    assert {h.status for h in search(corpus_index, "办电时间", status="征求意见稿", limit=20).hits} == {"征求意见稿"}
    assert {h.doc_id for h in search(corpus_index, "供电", doc="006", limit=20).hits} == {"006"}


@pytest.mark.parametrize("query", ["电*", "[a TO z]", "窃电 AND NOT 供电", '"计划检修"', "text:窃电", "(((", "电" * 10000,
                                   "<script>alert(1)</script>", "\u202e\x00"])
def test_query_syntax_is_just_text(corpus_index, query):
    result = search(corpus_index, query)
    assert result.elapsed_ms < 5000
    for hit in result.hits:
        assert "<script>" not in highlight_html(hit.to_dict())


def test_empty_and_wordless_queries_get_a_message(corpus_index):
    assert search(corpus_index, "   ").message == "请输入要查找的内容。"
    assert search(corpus_index, "，。！").message


def test_a_pasted_paragraph_is_cut_to_its_most_specific_words(corpus_index):
    paragraph = "、".join(["供电企业应当按照国家规定履行提前告知程序"] * 50) + "高压双电源"
    result = search(corpus_index, paragraph)
    assert len(result.terms) <= 24 and result.hits


def test_every_search_is_bounded_in_time(corpus_index, monkeypatch):
    monkeypatch.setattr("kb.search.plan.TIME_LIMIT_S", 0.0)
    result = search(corpus_index, "供电")
    assert result.timed_out and "超时" in result.message


@pytest.mark.parametrize("kwargs", [{"limit": 0}, {"limit": 101}, {"region": "火星"}])
def test_bad_parameters_raise_a_clear_error(corpus_index, kwargs):
    with pytest.raises(InputError):  # SearchError for the limit, UnknownRegion for the region
        search(corpus_index, "供电", **kwargs)


def _named_the_slow_way(query: str, title_keys: dict[str, str]) -> tuple[list[str], str]:
    """Every title of every document against the query, in corpus order."""
    from kb.index.titles import TITLE_HEAD

    prefixes = default_vocab().documents["title_prefixes"]
    rest, found = default_vocab().analysis.normalize(query), []
    for doc_id, title in title_keys.items():
        forms = {title} | {title[len(p):] for p in prefixes if title.startswith(p)}
        for form in sorted((f for f in forms if len(f) >= TITLE_HEAD), key=len, reverse=True):
            if form in rest:
                found.append(doc_id)
                rest = rest.replace(form, " ")
                break
    return found, rest


def test_documents_named_in_a_query_are_found_as_a_walk_over_every_title_finds_them(corpus_index):
    titles = corpus_index.titles.keys
    some = list(titles.values())
    queries = [f"{some[0]}第五条", f"依照{some[-1]}和{some[1]}的规定，时限是多少", "没有标题的问题", some[2][:6]]
    queries += [f"{title}规定的时限" for title in some]
    for query in queries:
        assert corpus_index.titles.named(query) == _named_the_slow_way(query, titles), query
    assert corpus_index.titles.named(f"{some[0]}第五条")[0]


# -- every region, status and document the product knows works as a filter; unknown ones are refused ----


def _all_region_names():
    from kb.vocab import default_vocab

    return sorted({name for region in default_vocab().regions.values() for name in (region.name, *region.names)})


@pytest.mark.parametrize("name", _all_region_names())
def test_every_region_name_filters_and_boosts_without_error(corpus_index, name):
    from kb.vocab import default_vocab

    chain = set(default_vocab().region_chain(default_vocab().canonical_region(name)))
    filtered = search(corpus_index, "停电时间", region=name, limit=20)
    assert filtered.hits and {h.region for h in filtered.hits} <= chain
    assert search(corpus_index, f"{name}停电时间").hits  # named in the query, a region without documents too


def test_a_city_without_documents_gets_the_rules_of_its_region_and_the_nation(corpus_index):
    hits = search(corpus_index, "呼和浩特 计划检修 提前通知", region="呼和浩特市", limit=10).hits
    assert hits and {h.region for h in hits} <= {"内蒙古自治区", "全国"}
    assert ("006", "a28") in [(h.doc_id, h.clause_id) for h in hits[:3]]


@pytest.mark.parametrize("status", ["现行有效", "征求意见稿", "已废止", "已失效", "已被修改"])
def test_every_known_status_filters(corpus_index, status):
    result = search(corpus_index, "停电", status=status, limit=20)
    assert all(h.status == status for h in result.hits)


def test_every_document_id_filters(corpus_index):
    for doc_id in corpus_index.documents:
        hits = search(corpus_index, "供电", doc=doc_id, limit=5).hits
        assert all(h.doc_id == doc_id for h in hits), doc_id


@pytest.mark.parametrize("filters, message", [
    ({"status": "大概有效"}, "未知状态“大概有效”。可选：现行有效、征求意见稿"),
    ({"doc": "999"}, "没有编号为“999”的文件。共10份文件，编号如：000、001"),
    ({"region": "火星"}, "未知地区“火星”。可选：全国、内蒙古自治区"),
])
def test_an_unknown_filter_is_refused_with_the_choices_even_for_an_empty_query(corpus_index, filters, message):
    for query in ("停电", ""):
        with pytest.raises(InputError) as raised:
            search(corpus_index, query, **filters)
        assert message in str(raised.value)


def test_a_hit_as_json_is_what_asdict_gives(corpus_index):
    """Hit.to_dict is written out for speed: the same keys in the same order and the same values as
    dataclasses.asdict, for every field the dataclass has (a field added later must be added there too)."""
    from dataclasses import asdict

    for hit in search(corpus_index, "高压双电源 供电方案 答复期限", limit=20).hits:
        assert list(hit.to_dict().items()) == list(asdict(hit).items())


def test_a_search_result_as_json_is_what_asdict_gives(corpus_index):
    from dataclasses import asdict

    result = search(corpus_index, "计划检修 停电 通知", limit=5)
    assert list(result.to_dict().items()) == list(asdict(result).items())


def test_a_query_in_traditional_characters_finds_what_the_simplified_one_does(corpus_index):
    typed, meant = search(corpus_index, "窃電罰款"), search(corpus_index, "窃电罚款")
    assert typed.hits and [h.clause_id for h in typed.hits] == [h.clause_id for h in meant.hits]
    assert typed.query == "窃電罰款"  # the query as typed is what the page shows back
