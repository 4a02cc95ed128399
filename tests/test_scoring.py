"""kb.search.scoring computes exactly what Whoosh's own collector returns, only faster.

Each query is planned as ``kb.search`` plans it, then scored twice: by ``Scorer`` (term at a time,
MaxScore) and by Whoosh's exhaustive collector. The clauses, their order and their scores must agree —
on the real corpus, with filters, and on an index of several segments as a parallel build writes it.
"""

from __future__ import annotations

import json
import shutil

import pytest

from kb.index import OpenIndex, build
from kb.search.plan import _filter, plan
from kb.search.scoring import Scorer, allowed, top, whoosh_top
from tests.conftest import CORPUS, SHARED

QUERIES = [
    "高压双电源 时限", "低压小微企业接电需要几个环节？", "多大容量以下的低压用户可以零投资接电",
    "一年内停电多少次算频繁停电", "计划检修停电应当提前几天通知用户？", "供电企业应当", "应当",
    "巴彦淖尔 高压单电源 各环节", "电力法 第二十八条", "用户", "供电方案答复期限", "窃电 处罚",
    "鄂尔多斯 低压非居民 施工接电", "电能质量 电压偏差", "三零 服务", "能源法 施行",
    "供电企业应当按照国家规定履行提前告知程序" * 20,
]
FILTERS = [(None, None, None), ("巴彦淖尔市", None, None), (None, "现行有效", None), (None, None, "002"),
           ("内蒙古自治区", "现行有效", None)]


def dev_questions() -> list[str]:
    path = SHARED / "eval" / "dev.jsonl"
    if not path.exists():
        return []
    return [json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def assert_same_top(index: OpenIndex, query: str, limit: int, filters=(None, None, None)) -> None:
    with index.searcher() as searcher:
        _, leaves = plan(index, searcher, query)
        if not leaves:
            return
        ours = Scorer(index, searcher, leaves, limit, allowed(index, searcher, *filters), 10.0).run()
        whoosh = whoosh_top(searcher, leaves, limit, _filter(*filters, index.vocab), 10.0)
    assert [d for d, _ in ours.top] == [d for d, _ in whoosh.top], query
    assert [s for _, s in ours.top] == pytest.approx([s for _, s in whoosh.top], rel=1e-9), query


@pytest.mark.parametrize("limit", [1, 10, 30])
def test_the_top_clauses_and_scores_are_whooshs_own(corpus_index, limit):
    for query in QUERIES + dev_questions():
        assert_same_top(corpus_index, query, limit)


@pytest.mark.parametrize("filters", FILTERS)
def test_filters_let_through_the_same_clauses_as_whooshs_filter_query(corpus_index, filters):
    for query in QUERIES:
        assert_same_top(corpus_index, query, 10, filters)


def test_an_index_of_several_segments_scores_the_same(tmp_path):
    """A parallel build writes one segment per worker; document numbers then carry segment offsets."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    build(corpus, tmp_path / "one", procs=1)
    build(corpus, tmp_path / "two", procs=2)
    one, two = OpenIndex(tmp_path / "one"), OpenIndex(tmp_path / "two")
    try:
        with two.searcher() as searcher:
            assert len(searcher.leaf_searchers()) == 2
        assert one.manifest["clauses"] == two.manifest["clauses"]
        assert sorted(json.dumps(f.to_dict()) for f in one.facts) == sorted(json.dumps(f.to_dict()) for f in two.facts)
        for query in QUERIES:
            assert_same_top(two, query, 10)
            assert_same_top(two, query, 10, ("巴彦淖尔市", None, None))
            with one.searcher() as s1, two.searcher() as s2:
                first = top(one, s1, plan(one, s1, query)[1], 10, (None, None, None), None, 10.0)
                second = top(two, s2, plan(two, s2, query)[1], 10, (None, None, None), None, 10.0)
                keys = [[s.stored_fields(d)["key"] for d, _ in r.top] for s, r in ((s1, first), (s2, second))]
            assert keys[0] == keys[1], query
    finally:
        one.close()
        two.close()


def test_a_passed_deadline_returns_what_was_found_marked_timed_out(corpus_index):
    with corpus_index.searcher() as searcher:
        _, leaves = plan(corpus_index, searcher, "供电企业 用户 应当")
        scored = Scorer(corpus_index, searcher, leaves, 10, None, 0.0).run()
    assert scored.timed_out
