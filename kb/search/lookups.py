"""Reading a term's postings and statistics over the segments of an open generation: block by block
(``blocks``, ``decode``) and one term-info read per term and segment (``TermLookups``), for the scorer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from math import log

from whoosh.reading import TermNotFound
from whoosh.scoring import WeightingModel

from kb.index.whoosh_adapter import (
    block_data,
    block_max_id,
    next_block,
    packed_blocks,
    readable_blocks,
    term_postings,
)

# -- reading postings -----------------------------------------------------------------------------

def blocks(matcher) -> Iterator[tuple[int, object]]:
    """(last document number, block) per posting block, the block still unread (see ``decode``).

    Whoosh 3's block matcher is stepped a block at a time; any other matcher is read a posting at a
    time through its public interface, as one block.
    """
    if readable_blocks(matcher):
        while matcher.is_active():
            yield block_max_id(matcher), matcher
            next_block(matcher)
        return
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    if ids:
        yield ids[-1], _Decoded(ids, weights)


class _Decoded:
    def __init__(self, ids: list[int], weights: list[float]) -> None:
        self.ids, self.weights = ids, weights


def decode(block) -> tuple[Sequence[int], Sequence[float] | float | None]:
    """A block's document numbers and weights: weights are None when every weight is 1.0, a float
    when all are that value, else a sequence (``kb.index.whoosh_adapter.block_data``)."""
    if isinstance(block, _Decoded):
        return block.ids, block.weights
    return block_data(block)


# -- term lookups --------------------------------------------------------------------------------

class TermLookups:
    """Each term's statistics in each segment, looked up once per query.

    A query's words are looked up to prune them (how many clauses have each, per field), again for
    each leaf's BM25 statistics, and again to open its postings: through Whoosh's multi-segment reader
    that was five hash-table reads per term, field and segment, a quarter of a search at scale. Here a
    term's per-segment ``TermInfo`` is read once and the rest derived from it.
    """

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self.segments = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()]
        self._infos: dict[tuple[str, str], list] = {}

    def infos(self, fieldname: str, text: str) -> list:
        """The term's ``TermInfo`` in each segment, None where the segment lacks it."""
        key = (fieldname, text)
        found = self._infos.get(key)
        if found is None:
            found = []
            for reader, _offset in self.segments:
                try:
                    found.append(reader.term_info(fieldname, text))
                except TermNotFound:
                    found.append(None)
            self._infos[key] = found
        return found

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """``searcher.doc_frequency``, from the per-segment infos."""
        return sum(info.doc_frequency() for info in self.infos(fieldname, text) if info is not None)

    def idf(self, fieldname: str, text: str) -> float:
        """``searcher.idf``: Whoosh's ``log(N / (df + 1)) + 1`` unless the weighting has its own."""
        if type(self.searcher.weighting).idf is not WeightingModel.idf:
            return self.searcher.idf(fieldname, text)
        return log(self.searcher.doc_count_all() / (self.doc_frequency(fieldname, text) + 1)) + 1

    def postings(self, number: int, fieldname: str, text: str):
        """The term's matcher in segment ``number``, opened from the info already read; None if absent."""
        info = self.infos(fieldname, text)[number]
        if info is None:
            return None
        try:
            return term_postings(self.segments[number][0], fieldname, text, info)
        except TermNotFound:
            return None

    def packed(self, number: int, fieldname: str, text: str):
        """What the term's postings in segment ``number`` are read from: its packed blocks
        (``whoosh_adapter.PackedBlocks``), else its matcher; None if the segment lacks it."""
        info = self.infos(fieldname, text)[number]
        if info is None:
            return None
        found = packed_blocks(self.segments[number][0], info)
        return found if found is not None else self.postings(number, fieldname, text)
