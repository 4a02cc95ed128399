"""Words: jieba with the domain dictionary over the Chinese runs, numbers and Latin words kept whole (jieba's
own ChineseAnalyzer drops the 3 of 3个工作日), search-mode sub-words placed at the position of the word they
come from, and every token's offsets into the verbatim text; character bigrams for the recall net.

A ``Segmenter`` is made once per vocabulary (``kb.vocab.Vocab.analysis``) from its normaliser and its
jieba dictionary (the compact form, ``kb.analysis.dictionary``), and remembers the words of the runs it
has cut.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kb.analysis.jieba_route import Route
from kb.analysis.normalise import Normaliser

if TYPE_CHECKING:  # a jieba Tokenizer or the compact form of its dictionary (kb.analysis.dictionary)
    from jieba import Tokenizer

CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
# Numbers, Latin words, Chinese runs and the kept symbols; anything else is punctuation.
TOKEN_RUNS = re.compile(rf"(\d+(?:\.\d+)?)|([a-z]+)|([{CJK}]+)|([%‰‱])")
CHINESE_RUN = 3  # TOKEN_RUNS's group of a run of Chinese


@dataclass(frozen=True)
class Piece:
    text: str
    pos: int
    start: int  # offsets into the original, un-normalised text
    end: int
    alias: bool = False  # an expansion of kb/data/aliases.yaml, not a word of the text (kb.analysis.filters)


class _RunCache:
    """jieba's words for each run of Chinese, with their sub-words, remembered per dictionary.

    Policy and law texts repeat their runs (县级以上地方人民政府, 依照本法规定 …): across a law library
    about half the runs a build segments were segmented before. The cache is cleared when it fills, which
    keeps memory bounded without the bookkeeping of an LRU, and whenever the dictionary changes.
    """

    LIMIT = 200_000
    # A build of a law library (``load_all``) meets more distinct runs than that: a worker's half of it
    # 431,000, so at 200,000 the cache was cleared twice and the runs after each clear cut again (4% more
    # text cut). A build's cache holds them all; a server's keeps the smaller bound.
    BUILD_LIMIT = 1_000_000

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        self.limit = self.LIMIT
        self.route: Route | None = None
        self.tokens: dict[str, tuple[tuple[str, int, int, bool], ...]] = {}
        self.words: dict[str, tuple[str, ...]] = {}
        self.sub_words: dict[str, tuple[str, ...]] = {}  # a dictionary word → its sub-words (bounded by it)

    def _current_route(self) -> Route:
        route = self.route
        if route is None or not route.current():
            route = self.route = Route(self.tokenizer)
            self.tokens, self.words, self.sub_words = {}, {}, {}
        return route

    def run_tokens(self, run: str) -> tuple[tuple[str, int, int, bool], ...]:
        """(word, start, end, is_sub_word) for the run, in the order ``segment`` yields them."""
        route = self._current_route()
        found = self.tokens.get(run)
        if found is None:
            if len(self.tokens) >= self.limit:
                self.tokens.clear()
            found = self.tokens[run] = tuple(_segment_run(route, run))
        return found

    def load_all(self) -> None:
        """The current dictionary's route with every word loaded at once (``Route.load_all``), and room for
        a build's runs."""
        self._current_route().load_all()
        self.limit = self.BUILD_LIMIT

    def word_table(self) -> dict[str, tuple[str, ...]]:
        """The run → words table for the current dictionary; look a run up here, and call ``run_words``
        for one that is not there yet."""
        self._current_route()
        return self.words

    def run_words(self, run: str) -> tuple[str, ...]:
        """The words of one run of Chinese (``run``), kept for the next time the same run is read: the texts
        of ``run_tokens``, made without their offsets (and each word's sub-words looked up once)."""
        route = self._current_route()
        freq, sub_words = route.freq, self.sub_words
        out: list[str] = []
        for word in route.cut(run):
            out.append(word)
            if len(word) > 2:
                subs = sub_words.get(word)
                if subs is None:
                    subs = sub_words[word] = _sub_words(freq, word)
                out += subs
        found = tuple(out)
        if len(self.words) >= self.limit:
            self.words.clear()
        self.words[run] = found
        return found


def _sub_words(freq, word: str) -> tuple[str, ...]:
    """The dictionary words of two and three characters inside ``word``, in ``_segment_run``'s order."""
    return tuple(sub for size in (2, 3) for i in range(len(word) - size + 1)
                 if (sub := word[i : i + size]) != word and freq.get(sub))


def _segment_run(route: Route, run: str) -> Iterator[tuple[str, int, int, bool]]:
    freq = route.freq
    start = 0
    for word in route.cut(run):
        end = start + len(word)
        yield word, start, end, False
        if len(word) > 2:
            for size in (2, 3):
                for i in range(len(word) - size + 1):
                    sub = word[i : i + size]
                    if sub != word and freq.get(sub):
                        yield sub, start + i, start + i + size, True
        start = end


SENTENCE_END = re.compile(r"[。；;!?！？\n]")
SEGMENT_END = re.compile(r"[，,：:]")


def spans(pattern: re.Pattern[str], norm: str, start: int, end: int) -> list[tuple[int, int]]:
    """The non-empty stretches of ``norm[start:end]`` between the matches of ``pattern`` (its sentences with
    ``SENTENCE_END``, a sentence's segments with ``SEGMENT_END``), as offsets."""
    found, cursor = [], start
    for m in pattern.finditer(norm, start, end):
        found.append((cursor, m.start()))
        cursor = m.end()
    found.append((cursor, end))
    return [(a, b) for a, b in found if b > a]


def char_bigrams(text: str) -> list[str]:
    """The overlapping character bigrams of ``text``, in order (供用电 → 供用, 用电); none for one character."""
    return [text[i : i + 2] for i in range(len(text) - 1)]


class Segmenter:
    """The analyzer's words of a text, for one normaliser and one jieba dictionary.

    ``segment`` yields every token with its position and its offsets into the verbatim text;
    ``index_words`` is the same sequence of texts without them, at a fraction of the cost (what the index
    stores for a field: it normalises without an offsets map and reads each run's words from the same
    table); ``tests/test_text.py`` checks the two agree on any text.
    """

    def __init__(self, normaliser: Normaliser, tokenizer: Tokenizer) -> None:
        self.normaliser = normaliser
        self.normalize = normaliser.normalize
        self.normalize_with_offsets = normaliser.normalize_with_offsets
        self.tokenizer = tokenizer
        self._runs = _RunCache(tokenizer)

    def load_all(self) -> None:
        """Load the whole dictionary, ready to cut a great many texts: what a build of a large corpus does
        once, before its first text (and before forking its workers, which share it)."""
        self._runs.load_all()

    def segment(self, text: str, subwords: bool = True, within: Callable[[str], bool] | None = None) -> Iterator[Piece]:
        """The analyzer's tokens for ``text``: words with positions and original offsets.

        ``within``, when given, picks the runs of Chinese (text between punctuation, numbers and Latin,
        which jieba segments one at a time) worth segmenting; the others are skipped, their tokens
        uncounted in positions. The highlighter segments only the runs holding a query term.
        """
        norm, origins = self.normalize_with_offsets(text)
        if not norm:
            return
        pos = 0
        run_tokens = self._runs.run_tokens
        for match in TOKEN_RUNS.finditer(norm):
            if match.lastindex != CHINESE_RUN:
                a, b = match.span()
                yield Piece(match.group(), pos, origins[a], origins[b - 1] + 1)
                pos += 1
                continue
            run = match.group()
            if within is not None and not within(run):
                continue
            run_start = match.start()
            for word, start, end, is_sub in run_tokens(run):
                if is_sub:
                    if subwords:
                        yield Piece(word, pos - 1, origins[run_start + start], origins[run_start + end - 1] + 1)
                    continue
                yield Piece(word, pos, origins[run_start + start], origins[run_start + end - 1] + 1)
                pos += 1

    def term_offsets(self, text: str, wanted: set[str] | frozenset[str],
                     within: Callable[[str], bool] | None = None) -> list[tuple[int, int]]:
        """(start, end) in ``text`` of each of ``segment(text, within=within)``'s tokens (sub-words included)
        whose text is in ``wanted``, in ``segment``'s order: what the highlighter marks, without a ``Piece``
        made for every token of the runs read (that was a third of highlighting a hit)."""
        norm, origins = self.normalize_with_offsets(text)
        found: list[tuple[int, int]] = []
        if not norm:
            return found
        run_tokens = self._runs.run_tokens
        for match in TOKEN_RUNS.finditer(norm):
            token = match.group()
            if match.lastindex != CHINESE_RUN:
                if token in wanted:
                    a, b = match.span()
                    found.append((origins[a], origins[b - 1] + 1))
                continue
            if within is not None and not within(token):
                continue
            run_start = match.start()
            for word, start, end, _is_sub in run_tokens(token):
                if word in wanted:
                    found.append((origins[run_start + start], origins[run_start + end - 1] + 1))
        return found

    def index_words(self, text: str) -> list[str]:
        """The texts of ``segment(text)``'s tokens, in order, without offsets or positions."""
        out: list[str] = []
        table = self._runs.word_table()
        run_words = self._runs.run_words
        for match in TOKEN_RUNS.finditer(self.normalize(text)):
            run = match.group()
            if match.lastindex != CHINESE_RUN:
                out.append(run)
            else:
                out += table.get(run) or run_words(run)
        return out

    def words(self, text: str) -> list[str]:
        """The plain word sequence of ``text`` (no sub-words), e.g. for tests and display."""
        return [piece.text for piece in self.segment(text, subwords=False)]

    def bigrams(self, text: str) -> Iterator[Piece]:
        """Overlapping character bigrams of the Chinese runs, numbers and words whole: a recall net."""
        norm, origins = self.normalize_with_offsets(text)
        pos = 0
        for match in TOKEN_RUNS.finditer(norm):
            run = match.group()
            a = match.start()
            if match.lastindex != CHINESE_RUN or len(run) == 1:
                yield Piece(run, pos, origins[a], origins[match.end() - 1] + 1)
                pos += 1
                continue
            for i in range(len(run) - 1):
                yield Piece(run[i : i + 2], pos, origins[a + i], origins[a + i + 1] + 1)
                pos += 1

    def bigram_texts(self, text: str) -> list[str]:
        """The texts of ``bigrams(text)``, from the normalised text alone (no offsets map)."""
        grams: list[str] = []
        for match in TOKEN_RUNS.finditer(self.normalize(text)):
            run = match.group()
            if match.lastindex != CHINESE_RUN or len(run) == 1:
                grams.append(run)
            else:
                grams += char_bigrams(run)
        return grams
