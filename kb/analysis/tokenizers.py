"""The project's analyzer as Whoosh tokenizers: ``KbTokenizer`` yields a segmenter's words as Whoosh tokens,
and ``CachedKbTokenizer`` — the one the schema uses — remembers the words of its last few texts.

A tokenizer holds its segmenter (one vocabulary's). Whoosh pickles the schema, analyzers included, into
every table of contents; a tokenizer pickles as an unbound one (no dictionary in the index's files), and
the index is always opened with the schema the code makes (``kb.index.schema.make_schema``), never with
the pickled one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer

from kb.analysis.segment import Piece, Segmenter


class KbTokenizer(Tokenizer):
    """Domain-dictionary jieba words with sub-words, numbers and units kept, as Whoosh tokens."""

    def __init__(self, segmenter: Segmenter | None = None) -> None:
        self.segmenter = segmenter

    def __reduce__(self):
        return (type(self), ())

    def _bound(self) -> Segmenter:
        if self.segmenter is None:
            raise RuntimeError(f"{type(self).__name__} was unpickled without its vocabulary; open the index with "
                               "kb.index.schema.make_schema(vocab)")
        return self.segmenter

    def pieces(self, text: str) -> Iterator[Piece]:
        """Every token of ``text`` with its offsets (``Segmenter.segment``)."""
        return self._bound().segment(text)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for piece in self.pieces(value):
            token.text = piece.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = piece.text
            if positions:
                token.pos = start_pos + piece.pos
            if chars:
                token.startchar = start_char + piece.start
                token.endchar = start_char + piece.end
            yield token


class CachedKbTokenizer(KbTokenizer):
    """The project's analyzer, remembering the words of its last few texts.

    A build analyses the same strings again and again: every clause of a document carries its title and
    heading path, and a clause's text is segmented once to find which of its bigrams the words already
    cover (see ``kb.index.prepare.uncovered_bigrams``) and once more for the ``text`` field. ``words`` is
    what ``WordField`` indexes: the texts of ``KbTokenizer``'s tokens, without the repeated work.
    """

    CACHE_SIZE = 256

    def __init__(self, segmenter: Segmenter | None = None) -> None:
        super().__init__(segmenter)
        self._cache: OrderedDict[str, list[str]] = OrderedDict()
        self._lock = threading.Lock()

    def words(self, text: str) -> list[str]:
        """The indexed words of ``text``, as plain strings, from the cache the field's indexing fills."""
        cache = self._cache
        with self._lock:
            found = cache.get(text)
            if found is not None:
                cache.move_to_end(text)
                return found
        found = self._bound().index_words(text)
        with self._lock:
            cache[text] = found
            if len(cache) > self.CACHE_SIZE:
                cache.popitem(last=False)
        return found
