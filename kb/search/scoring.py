"""The top N clauses for an OR of weighted terms, scored with Whoosh's BM25F over Whoosh's postings.

``top`` is what ``kb.search`` calls. It returns exactly what Whoosh's own collector returns for
``Or(terms)`` — the same scores, ties in document order (``tests/test_scoring.py`` checks both ways
on the real corpus) — at a fraction of the cost:

- Term at a time. Each term's posting list is read a block at a time into one table of scores:
  a block's ids and weights are decoded in one go and scored from a per-term table indexed by
  Whoosh's length byte. Whoosh's matchers are Python objects nested per term and field, several
  microseconds per posting, and an OR of 24 words in 5 fields is a tree of 120 of them.
- MaxScore. Terms are read rarest first (rare terms also give the highest scores, so the k-th best
  score rises early), each with Whoosh's own bound on what it can add (the largest weight at the
  shortest length). Once the terms left cannot lift a clause that has none of the terms read so far
  into the top N, they are read only where the remaining candidates stand, and blocks holding no
  candidate are skipped unread. In law texts this is what keeps words such as 应当 (in half of all
  articles) cheap.
- Each term's per-segment statistics are looked up once per query (``TermLookups``).
- Filters (region, status, document) are sets of document numbers, kept per index generation.
- A deadline: when it passes, the best found so far comes back marked ``timed_out``.

Whoosh's collector stays the fallback for any weighting or reader this module cannot read.
"""

from __future__ import annotations

import heapq
import time
from bisect import bisect_left, bisect_right

from whoosh.collectors import FilterCollector, TimeLimit
from whoosh.query import Or, Term

from kb.index.generation import OpenIndex
from kb.search.filters import allowed, allowed_mask
from kb.search.lookups import TermLookups, blocks, decode
from kb.search.terms import DENSE_MIN_DOCS, DeadlinePassed, Scored, TermScorer, _Leaf, length_norms, suffix_sums

__all__ = ["DENSE_MIN_DOCS", "BoundedCollector", "DeadlinePassed", "Scored", "Scorer", "_Leaf", "allowed",
           "length_norms", "top", "warm_postings", "whoosh_top"]

# -- Whoosh's own collector: the reference and the fallback -----------------------------------------

class BoundedCollector(FilterCollector):
    """Filters matches and stops at a deadline.

    whoosh-reloaded's TimeLimitCollector iterates its child's matches directly, so a
    FilterCollector wrapped inside it never filtered (region and status filters
    were silently ignored; whoosh3 fixed this); this collector does both in one
    loop on any fork.
    """

    CHECK_EVERY = 256

    def __init__(self, child, allow, seconds: float) -> None:
        super().__init__(child, allow=allow)
        self.seconds = seconds
        self.deadline = float("inf")

    def prepare(self, top_searcher, q, context):
        """Whoosh's preparation of the collector, with ``top_searcher``, the query ``q`` and ``context``; the
        time limit starts here."""
        super().prepare(top_searcher, q, context)
        self.deadline = time.perf_counter() + self.seconds

    def collect_matches(self):
        """Whoosh's collection of the matches, stopped with ``TimeLimit`` once the time limit has passed."""
        child, allow, offset = self.child, self._allow, self.offset
        for count, sub_docnum in enumerate(child.matches()):
            if count % self.CHECK_EVERY == 0 and time.perf_counter() > self.deadline:
                raise TimeLimit
            if allow is not None and offset + sub_docnum not in allow:
                self.filtered_count += 1
                continue
            child.collect(sub_docnum)


def whoosh_top(searcher, leaves: list[Term], limit: int, filter_query, seconds: float) -> Scored:
    """The top N by Whoosh's own collector.

    Exhaustive (``optimize=False``, no matcher replacement): with pruning on, Whoosh drops matches. For an
    OR of more than two terms on an index under 5,000 documents Whoosh uses ``ArrayUnionMatcher``, whose
    ``max_quality()`` is the largest of its parts rather than their sum, so the collector took whole
    branches for hopeless and the document and region preferences were lost.
    """
    top = searcher.collector(limit=limit, optimize=False)
    top.replace = 0
    collector = BoundedCollector(top, filter_query, seconds)
    timed_out = False
    try:
        searcher.search_with_collector(Or(leaves), collector)
    except TimeLimit:
        timed_out = True
    results = collector.results()
    scored = [(results.docnum(i), results.score(i) or 0.0) for i in range(results.scored_length())]
    return Scored(scored, len(results) if results.has_exact_length() else results.estimated_length(), timed_out)


# -- term at a time -------------------------------------------------------------------------------

class Scorer(TermScorer):
    """Term-at-a-time BM25F with MaxScore pruning over a dict of scores; see the module docstring."""

    def __init__(self, index: OpenIndex, searcher, leaves: list[Term], limit: int, allow: set[int] | None,
                 seconds: float, lookups: TermLookups | None = None) -> None:
        super().__init__(index, searcher, leaves, limit, seconds, lookups)
        self.allow = allow
        self.acc: dict[int, float] = {}

    def _kth(self, scores) -> float:
        best = heapq.nlargest(self.limit, scores)
        return best[-1] if len(best) == self.limit else float("-inf")

    def _add_all(self, leaf: _Leaf) -> None:
        """Every posting of the term into the score table."""
        acc, allow = self.acc, self.allow
        get = acc.get
        for number, (reader, offset) in enumerate(self.segments):
            matcher = self._postings(number, leaf)
            if matcher is None:
                continue
            lengths = self._lengths(reader, leaf)
            for _, block in blocks(matcher):
                self._tick()
                ids, weights = decode(block)
                values = leaf.values(ids, weights, lengths)
                if offset:
                    ids = [d + offset for d in ids]
                if allow is None:
                    if not acc:
                        acc.update(zip(ids, values, strict=True))
                        continue
                    for d, value in zip(ids, values, strict=True):
                        acc[d] = get(d, 0.0) + value
                else:
                    for d, value in zip(ids, values, strict=True):
                        if d in allow:
                            acc[d] = get(d, 0.0) + value

    def _add_to(self, leaf: _Leaf, candidates: list[int]) -> None:
        """The term's score for the candidates only (sorted document numbers); blocks holding none of them
        are skipped without being read."""
        acc = self.acc
        for number, (reader, offset) in enumerate(self.segments):
            start = bisect_left(candidates, offset)
            end = bisect_left(candidates, offset + reader.doc_count_all())
            if start == end:
                continue
            local = [c - offset for c in candidates[start:end]]
            wanted = set(local)
            matcher = self._postings(number, leaf)
            if matcher is None:
                continue
            lengths = self._lengths(reader, leaf)
            previous = -1
            for last, block in blocks(matcher):
                if previous >= local[-1]:
                    break
                if bisect_right(local, last) > bisect_right(local, previous):
                    self._tick()
                    ids, weights = decode(block)
                    if weights is not None and not isinstance(weights, float):
                        pairs = [(d, w) for d, w in zip(ids, weights, strict=True) if d in wanted]
                        ids, weights = [d for d, _ in pairs], [w for _, w in pairs]
                    else:
                        ids = [d for d in ids if d in wanted]
                    for d, value in zip(ids, leaf.values(ids, weights, lengths), strict=True):
                        acc[offset + d] += value
                previous = last

    def run(self) -> Scored:
        """The best documents of the query and their scores, reading the terms' postings rarest first."""
        acc, limit = self.acc, self.limit
        # Cheapest first: rare terms, which also give the highest scores, set the k-th best score early,
        # and the long lists of common words come last, where the scores they can still add are small
        # beside it and they need only be read for the few candidates left.
        leaves = sorted(self.leaves, key=lambda leaf: (leaf.df, -leaf.max))
        remaining = suffix_sums(leaves)
        theta = float("-inf")  # the k-th best score so far; it only grows
        try:
            i = 0
            while i < len(leaves):
                if time.perf_counter() > self.deadline:
                    raise DeadlinePassed
                if len(acc) >= limit and leaves[i].df * self.READ_VS_RANK >= len(acc):
                    theta = self._kth(acc.values())
                    if remaining[i] < theta:
                        break
                self._add_all(leaves[i])
                i += 1
            matched = len(acc)
            if i < len(leaves):
                # No document without any of the terms read so far can reach the top N any more. The rest
                # are read for the candidates, the largest bound first, so that candidates drop out soonest.
                rest = sorted(leaves[i:], key=lambda leaf: -leaf.max)
                remaining = suffix_sums(rest)
                candidates = sorted(d for d, value in acc.items() if value + remaining[0] >= theta)
                for j, leaf in enumerate(rest):
                    if time.perf_counter() > self.deadline:
                        raise DeadlinePassed
                    self._add_to(leaf, candidates)
                    theta = max(theta, self._kth(acc[d] for d in candidates))
                    candidates = [d for d in candidates if acc[d] + remaining[j + 1] >= theta]
            timed_out = False
        except DeadlinePassed:
            matched, timed_out = len(acc), True
        cut = self._kth(acc.values())
        top = sorted(((d, value) for d, value in acc.items() if value >= cut), key=lambda p: (-p[1], p[0]))
        return Scored(top[:limit], matched, timed_out)


def top(index: OpenIndex, searcher, leaves: list[Term], limit: int, filters: tuple, filter_query,
        seconds: float, lookups: TermLookups | None = None) -> Scored:
    """The top N for an OR of these terms: ``Scorer`` where it can read the postings (BM25F weighting) —
    ``DenseScorer`` from ``DENSE_MIN_DOCS`` clauses —, Whoosh's collector otherwise."""
    if not leaves:
        return Scored([], 0)
    weighting = searcher.weighting
    if not (hasattr(weighting, "B") and hasattr(weighting, "K1")) or not hasattr(searcher, "leaf_searchers"):
        return whoosh_top(searcher, leaves, limit, filter_query, seconds)
    if searcher.doc_count_all() >= DENSE_MIN_DOCS:
        from kb.search.dense import DenseScorer  # numpy: imported by large generations only

        return DenseScorer(index, searcher, leaves, limit, allowed_mask(index, searcher, *filters), seconds,
                           lookups).run()
    return Scorer(index, searcher, leaves, limit, allowed(index, searcher, *filters), seconds, lookups).run()


def warm_postings(index: OpenIndex) -> None:
    """A warmer for a server keeping postings decoded (``OpenIndex.kept_postings``): the longest posting lists
    of a large generation decoded as it opens (``kb.search.dense.warm``); nothing for a small one."""
    if not index.kept_postings:
        return
    with index.searcher() as searcher:
        if searcher.doc_count_all() < DENSE_MIN_DOCS:
            return
    from kb.search.dense import warm  # numpy: imported by large generations only

    warm(index)
