"""kb.search.dense scores exactly as kb.search.scoring's Scorer: the same documents in the same order, the
same scores compared with ==, the same count of clauses matched — on the corpus (one segment) and on a law
sample built in two parts, with and without filters. (Both are checked against Whoosh's own collector in
tests/test_scoring.py.)"""

from __future__ import annotations

from whoosh.query import Term

from kb.index import OpenIndex
from kb.search import scoring
from kb.search.dense import DenseScorer
from kb.search.filters import allowed, allowed_mask
from kb.search.plan import plan
from tests.test_scoring import QUERIES, dev_questions

FILTERS = [(None, None, None), ("巴彦淖尔市", None, None), (None, "现行有效", None), ("上海市", None, None),
           ("内蒙古自治区", "现行有效", None)]
LAW_QUERIES = ["劳动合同 试用期 最长", "行政机关作出较大数额罚款前要不要告知听证权利？", "申请 应当 日内 提出",
               "消费者 退货", "违法所得 一倍以上 五倍以下 罚款", "第二十八条", "国务院 规定", "的"]


def assert_same(index: OpenIndex, queries: list[str]) -> int:
    compared = 0
    with index.searcher() as searcher:
        for query in queries:
            _, leaves = plan(index, searcher, query)
            if not leaves:
                continue
            for limit in (1, 10, 30):
                for filters in FILTERS:
                    dicts = scoring.Scorer(index, searcher, leaves, limit, allowed(index, searcher, *filters), 60).run()
                    arrays = DenseScorer(index, searcher, leaves, limit, allowed_mask(index, searcher, *filters),
                                         60).run()
                    assert arrays.top == dicts.top, (query, limit, filters)
                    assert (arrays.matched, arrays.timed_out) == (dicts.matched, dicts.timed_out), (query, filters)
                    compared += 1
    return compared


def test_the_corpus_scores_the_same_to_the_bit(corpus_index):
    # every query of the list compared under every limit and filter (the dev questions join where ../shared is)
    assert assert_same(corpus_index, QUERIES + dev_questions()) >= 3 * len(FILTERS) * len(QUERIES)


def test_a_law_sample_in_two_segments_scores_the_same_to_the_bit(law_sample_index_path):
    index = OpenIndex(law_sample_index_path)
    try:
        with index.searcher() as searcher:
            assert len(searcher.leaf_searchers()) == 2
        assert assert_same(index, LAW_QUERIES + QUERIES + dev_questions()) > 500
    finally:
        index.close()


def test_large_generations_are_scored_densely(corpus_index, monkeypatch):
    used = []
    monkeypatch.setattr(DenseScorer, "run", lambda self: used.append(self) or scoring.Scored([], 0))
    with corpus_index.searcher() as searcher:
        _, leaves = plan(corpus_index, searcher, "高压双电源 时限")
        scoring.top(corpus_index, searcher, leaves, 10, (None, None, None), None, 10.0)
        assert not used
        monkeypatch.setattr(scoring, "DENSE_MIN_DOCS", searcher.doc_count_all())
        scoring.top(corpus_index, searcher, leaves, 10, ("巴彦淖尔市", None, None), None, 10.0)
    assert len(used) == 1 and used[0].mask is not None


def test_a_passed_deadline_returns_what_was_found_marked_timed_out(corpus_index):
    with corpus_index.searcher() as searcher:
        _, leaves = plan(corpus_index, searcher, "供电企业 用户 应当")
        assert DenseScorer(corpus_index, searcher, leaves, 10, None, 0.0).run().timed_out


def test_postings_kept_decoded_score_the_same_to_the_bit(law_sample_index_path):
    """A server keeps the postings it read decoded (OpenIndex.kept_postings): a second pass over the same
    questions reads them from there, whole lists and the candidates' blocks picked from them alike; a small
    allowance keeps few and drops the oldest."""
    for allowance in (10_000_000, 3_000):
        index = OpenIndex(law_sample_index_path, kept_postings=allowance)
        try:
            queries = LAW_QUERIES + QUERIES
            assert assert_same(index, queries) == assert_same(index, queries)
            kept = index.generation.memos["postings"]
            assert kept.hits > 0 and kept.held <= allowance
        finally:
            index.close()


def test_a_keeping_server_decodes_the_longest_lists_as_a_generation_opens(law_sample_index_path, monkeypatch):
    from kb.search import dense

    monkeypatch.setattr(scoring, "DENSE_MIN_DOCS", 1)  # the law sample stands for a large generation
    monkeypatch.setattr(dense, "DENSE_MIN_DOCS", 1)
    monkeypatch.setattr(dense, "WARM_MIN_DF", 50)
    index = OpenIndex(law_sample_index_path, warmers=(scoring.warm_postings,), kept_postings=40_000)
    try:
        kept = index.generation.memos["postings"]
        assert len(kept) > 5 and 0 < kept.held <= 20_000 and kept.hits == 0
        with index.searcher() as searcher:  # the commonest word of the law texts: read from what was decoded
            reader = searcher.leaf_searchers()[0][0].reader()
            common = max(reader.iter_field("text"), key=lambda pair: pair[1].doc_frequency())[0].decode()
            DenseScorer(index, searcher, [Term("text", common)], 10, None, 60).run()
        assert (kept.hits, kept.misses) == (2, 0)  # one list per segment, both found
        assert assert_same(index, LAW_QUERIES)
    finally:
        index.close()
    plain = OpenIndex(law_sample_index_path, warmers=(scoring.warm_postings,))
    assert "postings" not in plain.generation.memos  # keeping nothing, nothing is decoded ahead
    plain.close()


def test_packed_blocks_read_as_the_matcher_reads_them(law_sample_index_path):
    """A term's postings read from its packed blocks (TermLookups.packed) are the arrays its matcher gives,
    whole and for a few wanted documents (the same blocks skipped)."""
    import numpy as np

    from kb.search.dense import read_postings
    from kb.search.lookups import TermLookups

    index = OpenIndex(law_sample_index_path)
    try:
        with index.searcher() as searcher:
            lookups = TermLookups(searcher)
            for number, (reader, _offset) in enumerate(lookups.segments):
                terms = sorted(reader.iter_field("text"), key=lambda pair: -pair[1].doc_frequency())
                for btext, _info in terms[:5] + terms[1000:1005]:
                    text = btext.decode()
                    count = reader.doc_count_all()
                    for wanted in (None, [3, count // 2, count - 1], list(range(0, count, 97))):
                        packed = read_postings(lookups.packed(number, "text", text), wanted)
                        stepped = read_postings(lookups.postings(number, "text", text), wanted)
                        assert (packed is None) == (stepped is None), (text, wanted)
                        if packed is not None:
                            for got, expected in zip(vars(packed).values(), vars(stepped).values(), strict=True):
                                assert got.dtype == expected.dtype and np.array_equal(got, expected), text
    finally:
        index.close()
