"""The query analyser as Whoosh composes one: a tokenizer, then filters, joined with ``|``.

``Words(segmenter) | StopFilter(stopwords) | AliasFilter(aliases)`` is the one definition of what a
question's words are: search plans its terms from it, the FAQ search and the answer engine read a
question's words through it, and the index's words come from the same segmenter. Each stage takes and
gives ``Piece`` streams (``kb.analysis.segment``); an alias filter adds, after the text's own words, the
words of every alias the text names, marked ``alias``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from kb.analysis.segment import Piece, Segmenter


class Stage:
    """One step of an analyser; ``a | b`` is ``b`` applied to what ``a`` gives."""

    def __or__(self, other: Filter) -> Analyzer:
        return Analyzer([*(self.stages if isinstance(self, Analyzer) else [self]), other])


class Filter(Stage):
    def __call__(self, pieces: Iterable[Piece], text: str, normalized: str) -> Iterator[Piece]:
        raise NotImplementedError


class Words(Stage):
    """The tokenizer: the segmenter's words of a text, with or without sub-words."""

    def __init__(self, segmenter: Segmenter) -> None:
        self.segmenter = segmenter

    def __call__(self, text: str, subwords: bool = True) -> Iterator[Piece]:
        return self.segmenter.segment(text, subwords=subwords)


class Bigrams(Stage):
    """The recall net's tokenizer: the segmenter's character bigrams of a text."""

    def __init__(self, segmenter: Segmenter) -> None:
        self.segmenter = segmenter

    def __call__(self, text: str, subwords: bool = True) -> Iterator[Piece]:
        return self.segmenter.bigrams(text)


class StopFilter(Filter):
    """Drops the stop words (``kb/data/stopwords.txt``)."""

    def __init__(self, stopwords: frozenset[str]) -> None:
        self.stopwords = stopwords

    def __call__(self, pieces: Iterable[Piece], text: str, normalized: str) -> Iterator[Piece]:
        stop = self.stopwords
        return (piece for piece in pieces if piece.text not in stop)


class AliasFilter(Filter):
    """After the text's own words, the words of each alias (``kb/data/aliases.yaml``) the text names —
    双电源 → 高压双电源, 三零 → 零上门 零审批 零投资 — without sub-words, marked ``alias``.

    ``table`` is the aliases with their keys normalised; ``named_in`` the expansions a normalised text
    names, in the data file's order.
    """

    def __init__(self, aliases: Mapping[str, Iterable[str]], normalize: Callable[[str], str],
                 segmenter: Segmenter) -> None:
        self.table = {normalize(key): [str(value) for value in values] for key, values in aliases.items()}
        self.segmenter = segmenter

    def named_in(self, normalized: str) -> Iterator[str]:
        """The expansions of every alias key that occurs in ``normalized`` (a normalised text)."""
        for key, expansions in self.table.items():
            if key and key in normalized:
                yield from expansions

    def __call__(self, pieces: Iterable[Piece], text: str, normalized: str) -> Iterator[Piece]:
        yield from pieces
        for expansion in self.named_in(normalized.replace(" ", "")):
            for piece in self.segmenter.segment(expansion, subwords=False):
                yield Piece(piece.text, piece.pos, piece.start, piece.end, alias=True)


class Analyzer(Stage):
    """A tokenizer and its filters: ``analyzer(text)`` gives the filtered pieces; ``subwords`` is passed to
    the tokenizer. The filters that follow an alias filter see the alias words too."""

    def __init__(self, stages: list) -> None:
        self.stages = stages

    def __call__(self, text: str, subwords: bool = True) -> Iterator[Piece]:
        tokenizer, *filters = self.stages
        pieces: Iterable[Piece] = tokenizer(text, subwords=subwords)
        normalized = tokenizer.segmenter.normalize(text) if any(isinstance(f, AliasFilter) for f in filters) else ""
        for stage in filters:
            pieces = stage(pieces, text, normalized)
        return iter(pieces)
