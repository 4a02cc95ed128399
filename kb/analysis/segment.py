"""Chinese text normalisation and the project's Whoosh analyzers.

Two jobs:

* ``normalize`` — NFKC width folding, lower case, and Chinese numerals turned
  into digits only where they count something (七日 → 7日, never 三零 or 十四五).
  It keeps a map from every output character back to the input, so tokens can
  point at the verbatim text for highlighting.
* ``KbTokenizer`` — jieba with the domain dictionary over the Chinese runs,
  numbers and Latin words kept whole (jieba's own ChineseAnalyzer drops the 3 of
  3个工作日), and search-mode sub-words placed at the position of the word they
  come from, so positions stay correct for phrase matching.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from whoosh.analysis import Token, Tokenizer

from kb.analysis.jieba_route import Route
from kb.vocab import vocab

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000}
NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(CN_MULTIPLIERS)
CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
# Numbers, Latin words, Chinese runs and the kept symbols; anything else is punctuation.
TOKEN_RUNS = re.compile(rf"(\d+(?:\.\d+)?)|([a-z]+)|([{CJK}]+)|([%‰‱])")


def cn_to_int(numeral: str) -> int | None:
    """二十四 → 24, 十五 → 15, 一百零五 → 105, 二〇二四 → 2024; None when it is not a number (一一, 三五)."""
    if not numeral or not any(c in CN_DIGITS or c == "十" for c in numeral):
        return None
    if not any(c in CN_MULTIPLIERS for c in numeral):
        if len(numeral) == 2:
            return None  # 一一 / 三五 (三五天: three to five days) are no number; 二〇二四 and 七 are
        return int("".join(str(CN_DIGITS[c]) for c in numeral))
    total, digit = 0, None
    for char in numeral:
        if char in CN_DIGITS:
            digit = CN_DIGITS[char]
        else:
            total += (1 if digit is None else digit) * CN_MULTIPLIERS[char]
            digit = None
    return total + (digit or 0)


@lru_cache(maxsize=1)
def _numeral_pattern() -> re.Pattern[str]:
    units = vocab().units
    counters = "|".join(sorted(map(re.escape, units["counters"]), key=len, reverse=True))
    ordinals = "|".join(sorted(map(re.escape, units["ordinals"]), key=len, reverse=True))
    return re.compile(
        rf"(?<![{NUMERAL_CHARS}])(?:(?<=第)([{NUMERAL_CHARS}]+)(?={ordinals})|([{NUMERAL_CHARS}]+)(?={counters}))"
    )


class _FoldTable(dict):
    """Each character's NFKC, lower-cased form, computed once per character: folding a text is then a
    C-speed ``map`` instead of a Python loop. Folding one character at a time (never the whole string,
    where NFKC composes and ``lower`` looks at neighbours) is what keeps the offsets map simple."""

    def __missing__(self, char: str) -> str:
        folded = unicodedata.normalize("NFKC", char).lower()
        self[char] = folded
        return folded


_FOLD = _FoldTable()


def _fold(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, when a character folded to more or fewer than one, each output character's
    index in ``text`` (None: the identity)."""
    pieces = list(map(_FOLD.__getitem__, text))
    folded = "".join(pieces)
    if len(folded) == len(text) and "" not in pieces:
        return folded, None
    origins: list[int] = []
    for index, piece in enumerate(pieces):
        origins.extend([index] * len(piece))
    return folded, origins


def _counted_numerals(folded: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, digits) for each Chinese numeral of ``folded`` that counts something."""
    idioms = vocab().units["idioms_after_one"]
    for match in _numeral_pattern().finditer(folded):
        numeral = match.group(1) or match.group(2)
        start, end = match.span()
        if numeral == "一" and any(folded.startswith(idiom, end) for idiom in idioms):
            continue
        value = cn_to_int(numeral)
        if value is not None:
            yield start, end, str(value)


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalised text and, for each of its characters, the index it came from in ``text``."""
    folded, origins = _fold(text)
    if origins is None:
        origins = list(range(len(folded)))
    out: list[str] = []
    out_origins: list[int] = []
    cursor = 0
    for start, end, digits in _counted_numerals(folded):
        out.append(folded[cursor:start])
        out_origins.extend(origins[cursor:start])
        out.append(digits)
        # Every digit points at the numeral it replaced, so highlights cover it whole.
        out_origins.extend([origins[start]] * (len(digits) - 1) + [origins[end - 1]])
        cursor = end
    out.append(folded[cursor:])
    out_origins.extend(origins[cursor:])
    return "".join(out), out_origins


def normalize(text: str) -> str:
    """NFKC, lower case, counting numerals as digits: ``十五个工作日`` → ``15个工作日``."""
    folded = _fold(text)[0]
    out: list[str] = []
    cursor = 0
    for start, end, digits in _counted_numerals(folded):
        out += (folded[cursor:start], digits)
        cursor = end
    out.append(folded[cursor:])
    return "".join(out)


@dataclass(frozen=True)
class Piece:
    text: str
    pos: int
    start: int  # offsets into the original, un-normalised text
    end: int


class _RunCache:
    """jieba's words for each run of Chinese, with their sub-words, remembered per dictionary.

    Policy and law texts repeat their runs (县级以上地方人民政府, 依照本法规定 …): across a law library
    about half the runs a build segments were segmented before. The cache is cleared when it fills, which
    keeps memory bounded without the bookkeeping of an LRU, and whenever the dictionary changes.
    """

    LIMIT = 200_000

    def __init__(self) -> None:
        self.route: Route | None = None
        self.tokens: dict[str, tuple[tuple[str, int, int, bool], ...]] = {}
        self.words: dict[str, tuple[str, ...]] = {}

    def _current_route(self) -> Route:
        segmenter = vocab().segmenter
        route = self.route
        if route is None or route.tokenizer is not segmenter or not route.current():
            route = self.route = Route(segmenter)
            self.tokens, self.words = {}, {}
        return route

    def run_tokens(self, run: str) -> tuple[tuple[str, int, int, bool], ...]:
        """(word, start, end, is_sub_word) for the run, in the order ``segment`` yields them."""
        route = self._current_route()
        found = self.tokens.get(run)
        if found is None:
            if len(self.tokens) >= self.LIMIT:
                self.tokens.clear()
            found = self.tokens[run] = tuple(_segment_run(route, run))
        return found

    def word_table(self) -> dict[str, tuple[str, ...]]:
        """The run → words table for the current dictionary; look a run up here, and call ``run_words``
        for one that is not there yet."""
        self._current_route()
        return self.words

    def run_words(self, run: str) -> tuple[str, ...]:
        found = tuple(token[0] for token in self.run_tokens(run))
        if len(self.words) >= self.LIMIT:
            self.words.clear()
        self.words[run] = found
        return found


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


_RUNS = _RunCache()


def segment(text: str, subwords: bool = True, within: Callable[[str], bool] | None = None) -> Iterator[Piece]:
    """The analyzer's tokens for ``text``: words with positions and original offsets.

    ``within``, when given, picks the runs of Chinese (text between punctuation, numbers and Latin,
    which jieba segments one at a time) worth segmenting; the others are skipped, their tokens
    uncounted in positions. The highlighter segments only the runs holding a query term.
    """
    norm, origins = normalize_with_offsets(text)
    if not norm:
        return
    pos = 0
    for match in TOKEN_RUNS.finditer(norm):
        if match.lastindex != 3:
            a, b = match.span()
            yield Piece(match.group(), pos, origins[a], origins[b - 1] + 1)
            pos += 1
            continue
        run = match.group()
        if within is not None and not within(run):
            continue
        run_start = match.start()
        for word, start, end, is_sub in _RUNS.run_tokens(run):
            if is_sub:
                if subwords:
                    yield Piece(word, pos - 1, origins[run_start + start], origins[run_start + end - 1] + 1)
                continue
            yield Piece(word, pos, origins[run_start + start], origins[run_start + end - 1] + 1)
            pos += 1


def index_words(text: str) -> list[str]:
    """The texts of ``segment(text)``'s tokens, in order, without offsets or positions: what the index
    stores for a field, at a fraction of the cost."""
    out: list[str] = []
    table = _RUNS.word_table()
    for match in TOKEN_RUNS.finditer(normalize(text)):
        run = match.group()
        if match.lastindex != 3:
            out.append(run)
        else:
            out += table.get(run) or _RUNS.run_words(run)
    return out


def words(text: str) -> list[str]:
    """The plain word sequence of ``text`` (no sub-words), e.g. for tests and display."""
    return [piece.text for piece in segment(text, subwords=False)]


def bigrams(text: str) -> Iterator[Piece]:
    """Overlapping character bigrams of the Chinese runs, numbers and words whole: a recall net."""
    norm, origins = normalize_with_offsets(text)
    pos = 0
    for match in TOKEN_RUNS.finditer(norm):
        run = match.group()
        a = match.start()
        if match.lastindex != 3 or len(run) == 1:
            yield Piece(run, pos, origins[a], origins[match.end() - 1] + 1)
            pos += 1
            continue
        for i in range(len(run) - 1):
            yield Piece(run[i : i + 2], pos, origins[a + i], origins[a + i + 1] + 1)
            pos += 1


class KbTokenizer(Tokenizer):
    """Domain-dictionary jieba words with sub-words, numbers and units kept, as Whoosh tokens."""

    def pieces(self, text: str) -> Iterator[Piece]:
        return segment(text)

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
