"""``Scorer``'s term-at-a-time BM25F and MaxScore over a dense table of scores (numpy), for large generations.

The same algorithm as ``kb.search.scoring.Scorer`` (both built on ``kb.search.terms``), giving the same
documents and bit for bit the same scores; only the bookkeeping moves from Python dicts and lists into
arrays. At lawref scale (160,000
clauses) a question of common words keeps tens of thousands of clauses in play: ranking them for the
k-th best score after each term, filtering the candidates and adding each term's postings were most of a
search, one Python step per clause. Here each is a few array operations per term and segment, and a
search of that kind takes about 40% less time; the postings are still read block by block from Whoosh.

Why the floats are identical: every score is the same IEEE additions in the same order (one term's
posting adds to a clause once, terms in the same order as ``Scorer``); a posting's value is the same
expression (``boost × idf × (tf × (K1 + 1)) / (tf + norm)``, each operation one correctly rounded double
operation in numpy as in Python), and the postings of a block of fewer than 16 are scored cell by cell
with Whoosh's own ``bm25`` as ``Scorer`` scores them. ``tests/test_dense.py`` compares the two scorers'
results for equality, not approximately.

Imported only for generations of ``DENSE_MIN_DOCS`` clauses or more (``kb.search.scoring.top``): the
10-document corpus never loads numpy, and a one-shot ``kb ask`` over it starts as fast as before.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from kb.index.generation import OpenIndex
from kb.index.schema import WORD_FIELDS
from kb.index.whoosh_adapter import PackedBlocks
from kb.search.lookups import TermLookups, blocks, decode
from kb.search.terms import DENSE_MIN_DOCS, DeadlinePassed, Scored, TermScorer, _Leaf, suffix_sums

SMALL_BLOCK = 16  # blocks of fewer postings are scored cell by cell (as _Leaf.values scores them)
# A server keeping postings decoded reads a term's whole list for the candidates when there is a candidate
# for every this many postings (about two per block of 128): most blocks would be read anyway.
WHOLE_LIST_READ = 64
WARM_MIN_DF = 1000  # the shortest posting list warm() decodes when a generation opens


class _Postings:
    """A term's postings in one segment, decoded block by block into flat lists (weights spelled out)."""

    __slots__ = ("ids", "weights", "sizes", "lasts")

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.weights: list[float] = []
        self.sizes: list[int] = []
        self.lasts: list[int] = []

    def add(self, last: int, ids, weights) -> None:
        n = len(ids)
        self.ids.extend(ids)
        if weights is None:
            self.weights.extend(repeat(1.0, n))
        elif isinstance(weights, float):
            self.weights.extend(repeat(weights, n))
        else:
            self.weights.extend(weights)
        self.sizes.append(n)
        self.lasts.append(last)

    def arrays(self) -> Decoded:
        n = len(self.ids)  # fromiter with the count given: a fifth faster than np.array of a list
        return Decoded(np.fromiter(self.ids, dtype=np.intp, count=n),
                       np.fromiter(self.weights, dtype=np.float64, count=n),
                       np.array(self.sizes, dtype=np.intp), np.array(self.lasts, dtype=np.intp))


@dataclass(frozen=True)
class Decoded:
    """A term's postings in one segment as arrays: document numbers, weights, and each block's size and last
    document number (blocks are what ``Scorer`` scores and skips by). What a server keeps decoded per
    generation (``OpenIndex.kept_postings``), compactly: Whoosh's weights are single-precision floats, so
    keeping them so loses nothing."""

    ids: np.ndarray
    weights: np.ndarray
    sizes: np.ndarray
    lasts: np.ndarray

    def compact(self) -> Decoded:
        return Decoded(self.ids.astype(np.int32), self.weights.astype(np.float32), self.sizes.astype(np.int32),
                       self.lasts.astype(np.int32))

    def full(self) -> Decoded:
        return Decoded(self.ids.astype(np.intp), self.weights.astype(np.float64), self.sizes.astype(np.intp),
                       self.lasts.astype(np.intp))

    def blocks(self, take: np.ndarray) -> Decoded:
        """Only the blocks ``take`` marks."""
        postings = np.repeat(take, self.sizes)
        return Decoded(self.ids[postings], self.weights[postings], self.sizes[take], self.lasts[take])


def read_postings(source, wanted: list[int] | None = None, tick: Callable[[], None] | None = None) -> Decoded | None:
    """A term's postings in one segment, from its packed blocks (``TermLookups.packed``) or its matcher: every
    block, or with ``wanted`` (sorted local document numbers) only the blocks holding one of them, as
    ``Scorer`` reads them; ``tick`` is called before each block read (the deadline)."""
    if isinstance(source, PackedBlocks):
        return _read_packed(source, wanted, tick)
    postings = _Postings()
    previous = -1
    for last, block in blocks(source):
        if wanted is not None:
            if previous >= wanted[-1]:
                break
            if bisect_right(wanted, last) <= bisect_right(wanted, previous):
                previous = last
                continue
        if tick is not None:
            tick()
        postings.add(last, *decode(block))
        previous = last
    return postings.arrays() if postings.ids else None


def _read_packed(source: PackedBlocks, wanted: list[int] | None, tick: Callable[[], None] | None) -> Decoded | None:
    """``read_postings`` over packed blocks: the same blocks read. With ``wanted``, a block holds one of them
    when it ends at or after the first one past the blocks read so far; the others are stepped over."""
    postings = _Postings()
    done = 0  # wanted[:done] lie in the blocks read so far
    while True:
        if wanted is None:
            found = source.advance()
        else:
            found = done < len(wanted) and source.advance(wanted[done])
        if not found:
            break
        if tick is not None:
            tick()
        postings.add(source.last, *source.unpack())
        if wanted is not None:
            done = bisect_right(wanted, source.last, done)
    return postings.arrays() if postings.ids else None


def warm(index: OpenIndex) -> None:
    """For a server keeping postings decoded (``OpenIndex.kept_postings``), a large generation's longest
    posting lists decoded as it opens, up to half the allowance: the words nearly every question reads
    (应当, 供电, 用户, 规定 …), chosen by their document frequency in the index, not by any question. The
    first questions after a start or a swap then cost what later ones do."""
    if not index.kept_postings:
        return
    with index.searcher() as searcher:
        if searcher.doc_count_all() < DENSE_MIN_DOCS:
            return
        kept = index.generation.memo("postings", index.kept_postings)
        lookups = TermLookups(searcher)
        longest = sorted(((info.doc_frequency(), number, fieldname, reader.schema[fieldname].from_bytes(term))
                          for number, (reader, _offset) in enumerate(lookups.segments)
                          for fieldname in WORD_FIELDS if fieldname in reader.schema
                          for term, info in reader.iter_field(fieldname) if info.doc_frequency() >= WARM_MIN_DF),
                         reverse=True)
        budget = index.kept_postings // 2
        for df, number, fieldname, text in longest:
            if df > budget:
                continue
            source = lookups.packed(number, fieldname, text)
            postings = read_postings(source) if source is not None else None
            if postings is not None:
                kept.put((number, fieldname, text), postings.compact(), len(postings.ids))
                budget -= len(postings.ids)


def _byte_array(lengths) -> np.ndarray:
    """A segment's length bytes as an array, without copying when they are bytes or an array of bytes."""
    try:
        view = memoryview(lengths)
    except TypeError:
        return np.array(lengths, dtype=np.uint8)
    return np.frombuffer(view, dtype=np.uint8) if view.itemsize == 1 else np.array(lengths, dtype=np.uint8)


def _small(counts: np.ndarray, sizes: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray | bool:
    """Which postings are scored cell by cell (``DenseScorer._values``): those of the blocks with fewer than
    ``SMALL_BLOCK`` of them scored (``counts``, per block of ``sizes`` postings; ``keep`` marks the postings
    scored when not all are) — True when every block is such, False when none is (most blocks of a long list,
    every block of a short one: no mask made)."""
    short = counts < SMALL_BLOCK
    if short.all():
        return True
    if not short.any():
        return False
    small = np.repeat(short, sizes)
    return small if keep is None else small[keep]


class DenseScorer(TermScorer):
    """``Scorer`` with the score table, the documents scored and the candidates as arrays over every
    document number; ``allow`` is a boolean array (``kb.search.filters.allowed_mask``), or None."""

    def __init__(self, index, searcher, leaves, limit: int, allow: np.ndarray | None, seconds: float,
                 lookups=None) -> None:
        super().__init__(index, searcher, leaves, limit, seconds, lookups)
        size = searcher.doc_count_all()
        self.mask = allow
        self.scores = np.zeros(size)
        self.scored = np.zeros(size, dtype=bool)  # the documents ``Scorer`` would have in its table…
        self._firsts: list[np.ndarray] = []  # …and their numbers, as they were first scored
        self.matched = 0
        self._norms: dict[str, np.ndarray] = {}  # each field's length norms as an array
        kept = index.kept_postings
        self._kept = index.generation.memo("postings", kept) if kept else None

    def _norm_array(self, leaf: _Leaf) -> np.ndarray:
        """The leaf's length norms as an array, made once per field: they depend on the field's statistics
        only (``TermScorer._field_norms``), and a question has a few fields and tens of leaves."""
        norms = self._norms.get(leaf.field)
        if norms is None:
            norms = self._norms[leaf.field] = np.array(leaf._norms if leaf._norms is not None else leaf.norms())
        return norms

    def _values(self, leaf: _Leaf, ids: np.ndarray, weights: np.ndarray, small: np.ndarray | bool,
                lengths) -> np.ndarray:
        """Each posting's score, as ``_Leaf.values`` gives it block by block; ``small`` marks the postings of
        blocks of fewer than ``SMALL_BLOCK`` (True: all of them, False: none; ``_small``), which
        ``_Leaf.cell`` scores with Whoosh's ``bm25``:
        ``boost × (idf × ((tf × (K1 + 1)) / (tf + norm)))``, its norm being the length norm's expression, so
        the same operations in the same order over the arrays give the same doubles, without a Python call
        per posting (most candidates of a question's last, longest terms are scored so)."""
        if not leaf.scorable:
            return weights * leaf.boost
        scaled = weights * (leaf.K1 + 1)
        denominator = weights + self._norm_array(leaf)[_byte_array(lengths)[ids]]
        if small is True:
            return leaf.boost * (leaf.idf * (scaled / denominator))
        values = ((leaf.boost * leaf.idf) * scaled) / denominator
        if small is not False:
            at = np.flatnonzero(small)
            values[at] = leaf.boost * (leaf.idf * (scaled[at] / denominator[at]))
        return values

    def _read(self, number: int, leaf: _Leaf, wanted: list[int] | None = None) -> Decoded | None:
        """The term's postings in segment ``number``: every block, or with ``wanted`` (sorted local document
        numbers) only the blocks holding one of them, as ``Scorer`` reads them; None if the segment lacks it."""
        source = self.lookups.packed(number, leaf.field, leaf.text)
        return read_postings(source, wanted, self._tick) if source is not None else None

    def _whole(self, number: int, leaf: _Leaf) -> Decoded | None:
        """Every posting of the term in segment ``number``, from what the server keeps decoded, or read
        (and then kept)."""
        key = (number, leaf.field, leaf.text)
        found = self._kept.get(key, None) if self._kept is not None else None
        if found is not None:
            self.blocks_read += len(found.sizes)
            return found.full()
        found = self._read(number, leaf)
        if found is not None and self._kept is not None:
            self._kept.put(key, found.compact(), len(found.ids))
        return found

    def _add_all(self, leaf: _Leaf) -> None:
        scores, scored, mask = self.scores, self.scored, self.mask
        for number, (reader, offset) in enumerate(self.segments):
            postings = self._whole(number, leaf)
            if postings is None:
                continue
            ids, sizes = postings.ids, postings.sizes
            values = self._values(leaf, ids, postings.weights, _small(sizes, sizes), self._lengths(reader, leaf))
            if offset:
                ids += offset
            if mask is not None:
                keep = mask[ids]
                ids, values = ids[keep], values[keep]
            scores[ids] += values  # a term's ids are distinct in a segment: one addition per document
            first = ids[~scored[ids]]
            scored[first] = True
            self._firsts.append(first)
            self.matched += len(first)

    def _scored_ids(self) -> np.ndarray:
        """The numbers of the documents scored so far (in no particular order)."""
        if len(self._firsts) != 1:
            self._firsts = [np.concatenate(self._firsts) if self._firsts else np.zeros(0, dtype=np.intp)]
        return self._firsts[0]

    def _add_for(self, leaf: _Leaf, candidates: np.ndarray, wanted: np.ndarray) -> None:
        """The term's score for the candidates only (sorted document numbers; ``wanted`` marks them); blocks
        holding none of them are skipped without being read."""
        scores = self.scores
        for number, (reader, offset) in enumerate(self.segments):
            count = reader.doc_count_all()
            start, end = np.searchsorted(candidates, [offset, offset + count]).tolist()
            if start == end:
                continue
            postings = self._candidate_blocks(number, leaf, candidates[start:end] - offset)
            if postings is None:
                continue
            ids, sizes = postings.ids, postings.sizes
            keep = wanted[offset: offset + count][ids]
            # As Scorer scores a block's candidates: cell by cell when fewer than SMALL_BLOCK of them.
            kept = np.add.reduceat(keep, np.cumsum(sizes) - sizes, dtype=np.intp)
            small = _small(kept, sizes, keep)
            ids = ids[keep]
            values = self._values(leaf, ids, postings.weights[keep], small, self._lengths(reader, leaf))
            scores[ids + offset] += values

    def _candidate_blocks(self, number: int, leaf: _Leaf, local: np.ndarray) -> Decoded | None:
        """The blocks of the term's postings in segment ``number`` that hold one of the candidates ``local``
        (sorted, local numbers): picked from the whole list when the server keeps it decoded, or when so
        many candidates would read most blocks anyway (then it is kept); else read block by block."""
        if self._kept is not None:
            key = (number, leaf.field, leaf.text)
            info = self.lookups.infos(leaf.field, leaf.text)[number]
            whole = self._kept.get(key, None)
            if whole is not None:
                whole = whole.full()
            elif info is not None and len(local) * WHOLE_LIST_READ >= info.doc_frequency():
                whole = self._whole(number, leaf)
            if whole is not None:
                # Scorer's block skipping, for every block at once: a block is read when a candidate lies
                # between the last document of the block before it and its own last document.
                previous = np.concatenate(([-1], whole.lasts[:-1]))
                take = np.searchsorted(local, whole.lasts, "right") > np.searchsorted(local, previous, "right")
                return whole.blocks(take) if take.any() else None
        return self._read(number, leaf, local.tolist())

    def _kth_of(self, values: np.ndarray) -> float:
        n = len(values)
        return float(np.partition(values, n - self.limit)[n - self.limit]) if n >= self.limit else float("-inf")

    def _kth_scored(self, floor: float) -> float:
        """The k-th best score of the documents scored; ``floor`` is an earlier k-th best (scores only grow,
        so at least k documents reach it), and only those are ranked."""
        values = self.scores[self._scored_ids()]
        if floor > float("-inf"):
            above = values[values >= floor]
            if len(above) >= self.limit:
                return self._kth_of(above)
        return self._kth_of(values)

    def run(self) -> Scored:
        """``Scorer.run``, step for step, over the arrays."""
        limit, scores = self.limit, self.scores
        leaves = sorted(self.leaves, key=lambda leaf: (leaf.df, -leaf.max))
        remaining = suffix_sums(leaves)
        theta = float("-inf")
        try:
            i = 0
            while i < len(leaves):
                if time.perf_counter() > self.deadline:
                    raise DeadlinePassed
                if self.matched >= limit and leaves[i].df * self.READ_VS_RANK >= self.matched:
                    theta = self._kth_scored(theta)
                    if remaining[i] < theta:
                        break
                self._add_all(leaves[i])
                i += 1
            matched = self.matched
            if i < len(leaves):
                rest = sorted(leaves[i:], key=lambda leaf: -leaf.max)
                remaining = suffix_sums(rest)
                ids = self._scored_ids()
                candidates = np.sort(ids[scores[ids] + remaining[0] >= theta])
                wanted = np.zeros(len(scores), dtype=bool)
                wanted[candidates] = True
                for j, leaf in enumerate(rest):
                    if time.perf_counter() > self.deadline:
                        raise DeadlinePassed
                    self._add_for(leaf, candidates, wanted)
                    values = scores[candidates]
                    theta = max(theta, self._kth_of(values))
                    keep = values + remaining[j + 1] >= theta
                    wanted[candidates[~keep]] = False
                    candidates = candidates[keep]
            timed_out = False
        except DeadlinePassed:
            matched, timed_out = self.matched, True
        cut = self._kth_scored(theta)
        docs = self._scored_ids()
        docs = docs[scores[docs] >= cut]
        docs = docs[np.lexsort((docs, -scores[docs]))][:limit]  # best first, ties in document order
        return Scored(list(zip(docs.tolist(), scores[docs].tolist(), strict=True)), matched, timed_out)
