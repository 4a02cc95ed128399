"""What both term-at-a-time scorers share (``kb.search.scoring.Scorer`` over a dict of scores,
``kb.search.dense.DenseScorer`` over arrays): a term's leaf — its BM25F score per posting, exactly as
Whoosh's BM25F computes it, and the most it can give a document —, what a scorer returns, and the reading
of a query's terms, postings and length bytes under a deadline."""

from __future__ import annotations

import time
from dataclasses import dataclass

from whoosh.query import Term
from whoosh.reading import TermNotFound
from whoosh.scoring import bm25
from whoosh.util.numeric import byte_to_length

from kb.index.generation import OpenIndex
from kb.index.whoosh_adapter import field_b
from kb.search.lookups import TermLookups

BYTE_LENGTHS = [byte_to_length(b) for b in range(256)]  # Whoosh stores a field's length as one byte
# From this many clauses a search is scored over arrays (kb.search.dense: the same scores, bit for bit); below
# it the dict-based Scorer is as fast and numpy is never imported (a one-shot kb ask over a small corpus).
DENSE_MIN_DOCS = 20_000


@dataclass
class Scored:
    """The top documents (number, score) of a search, how many matched, whether time ran out."""

    top: list[tuple[int, float]]
    matched: int
    timed_out: bool = False


class DeadlinePassed(Exception):
    pass


class _Leaf:
    """One term in one field: its BM25F score per posting and the most it can give a document."""

    def __init__(self, lookups: TermLookups, term: Term, weighting, norms: list[float] | None = None) -> None:
        searcher = lookups.searcher
        self.field, self.text, self.boost = term.fieldname, term.text, term.boost
        self.scorable = searcher.schema[self.field].scorable
        infos = [info for info in lookups.infos(self.field, self.text) if info is not None]
        if not infos:
            raise TermNotFound(f"{self.field}:{self.text}")
        self.df = sum(info.doc_frequency() for info in infos)
        max_weight = max(info.max_weight() for info in infos)
        if self.scorable:
            self.idf = lookups.idf(self.field, self.text)
            self.avg = searcher.avg_field_length(self.field) or 1
            self.B = field_b(weighting, self.field)
            self.K1 = weighting.K1
            self._norms = norms
            # Whoosh's own bound (WeightLengthScorer): the largest weight at the shortest length.
            min_length = min(info.min_length() for info in infos)
            self.max = self.boost * bm25(self.idf, max_weight, min_length, self.avg, self.B, self.K1)
            self._by_weight: dict[float, list[float]] = {}
            self._cells: dict[tuple[float, int], float] = {}
        else:
            self.max = self.boost * max_weight

    def by_length(self, weight: float) -> list[float]:
        """The score of a posting with this weight (term frequency) at each of the 256 length bytes: the
        expression of ``whoosh.scoring.bm25``, inlined (a call per cell made building rows the larger cost)."""
        row = self._by_weight.get(weight)
        if row is None:
            tf, K1 = weight, self.K1
            top = self.boost * self.idf * (tf * (K1 + 1))
            row = self._by_weight[weight] = [top / (tf + norm) for norm in self._norms or self.norms()]
        return row

    def norms(self) -> list[float]:
        """K1 × ((1 − B) + B × length / average length) at each length byte: the part of BM25's
        denominator that depends on the field only, not on the term."""
        self._norms = length_norms(self.avg, self.B, self.K1)
        return self._norms

    def cell(self, weight: float, length_byte: int) -> float:
        """One posting's score, for terms read at a few candidates only (no row built)."""
        key = (weight, length_byte)
        value = self._cells.get(key)
        if value is None:
            value = self._cells[key] = self.boost * bm25(self.idf, weight, BYTE_LENGTHS[length_byte], self.avg,
                                                         self.B, self.K1)
        return value

    def values(self, ids, weights, lengths) -> list[float]:
        """What Whoosh's BM25F scorer, times the term's boost, gives each posting of a block."""
        if not self.scorable:
            if weights is None or isinstance(weights, float):
                return [(1.0 if weights is None else weights) * self.boost] * len(ids)
            return [w * self.boost for w in weights]
        if len(ids) < 16:
            cell = self.cell
            if weights is None or isinstance(weights, float):
                weight = 1.0 if weights is None else weights
                return [cell(weight, lengths[d]) for d in ids]
            return [cell(w, lengths[d]) for d, w in zip(ids, weights, strict=True)]
        if weights is None or isinstance(weights, float):
            row = self.by_length(1.0 if weights is None else weights)
            return list(map(row.__getitem__, map(lengths.__getitem__, ids)))
        unit, by_length = self.by_length(1.0), self.by_length
        return [unit[lengths[d]] if w == 1.0 else by_length(w)[lengths[d]] for d, w in zip(ids, weights, strict=True)]


def length_norms(avg: float, B: float, K1: float) -> list[float]:
    """BM25's length normalisation for each of Whoosh's 256 length bytes, for a field of average length ``avg``."""
    return [K1 * ((1 - B) + B * fl / avg) for fl in BYTE_LENGTHS]


class TermScorer:
    """A query's leaves over one generation's segments, read under a deadline (``run`` is the scorer's own)."""

    BLOCKS_PER_CHECK = 32
    # Reading a posting costs about this many times what ranking one table entry does: the k-th best
    # score is worth recomputing before a term when reading it would cost more than ranking the table.
    READ_VS_RANK = 6

    def __init__(self, index: OpenIndex, searcher, leaves: list[Term], limit: int, seconds: float,
                 lookups: TermLookups | None = None) -> None:
        self.index, self.limit = index, limit
        self.deadline = time.perf_counter() + seconds
        weighting = searcher.weighting
        self.lookups = lookups or TermLookups(searcher)
        # A term no clause holds (a preference for a region without documents of its own, say) adds
        # nothing to any score: it is left out, as Whoosh's own matchers leave it out.
        self.leaves = [_Leaf(self.lookups, leaf, weighting, self._field_norms(searcher, leaf.fieldname))
                       for leaf in leaves
                       if any(info is not None for info in self.lookups.infos(leaf.fieldname, leaf.text))]
        self.segments = self.lookups.segments
        self.blocks_read = 0

    def _field_norms(self, searcher, fieldname: str) -> list[float] | None:
        """A field's length norms, kept per index generation (they depend on the field's statistics only)."""
        if not searcher.schema[fieldname].scorable:
            return None
        weighting = searcher.weighting
        B = field_b(weighting, fieldname)
        cache = self.index.generation.norms
        key = (fieldname, B, weighting.K1)
        norms = cache.get(key)
        if norms is None:
            norms = cache[key] = length_norms(searcher.avg_field_length(fieldname) or 1, B, weighting.K1)
        return norms

    def _tick(self) -> None:
        self.blocks_read += 1
        if self.blocks_read % self.BLOCKS_PER_CHECK == 0 and time.perf_counter() > self.deadline:
            raise DeadlinePassed

    def _postings(self, number: int, leaf: _Leaf):
        return self.lookups.postings(number, leaf.field, leaf.text)

    def _lengths(self, reader, leaf: _Leaf):
        return self.index.field_lengths(reader, leaf.field) if leaf.scorable else None


def suffix_sums(leaves: list[_Leaf]) -> list[float]:
    """The most the leaves from each position on can add to any one document."""
    sums = [0.0] * (len(leaves) + 1)
    for i in range(len(leaves) - 1, -1, -1):
        sums[i] = sums[i + 1] + leaves[i].max
    return sums
