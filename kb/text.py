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
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from whoosh.analysis import Token, Tokenizer

from kb.vocab import vocab

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000}
NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(CN_MULTIPLIERS)
KEEP_SYMBOLS = frozenset("%‰‱")
CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
# Numbers, Latin words, Chinese runs and the kept symbols; anything else is punctuation.
TOKEN_RUNS = re.compile(rf"(\d+(?:\.\d+)?)|([a-z]+)|([{CJK}]+)|([%‰‱])")


def cn_to_int(numeral: str) -> int | None:
    """二十四 → 24, 十五 → 15, 一百零五 → 105, 二〇二四 → 2024; None when it is not a number."""
    if not numeral or not any(c in CN_DIGITS or c == "十" for c in numeral):
        return None
    if not any(c in CN_MULTIPLIERS for c in numeral):
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


def _fold(text: str) -> tuple[list[str], list[int]]:
    chars: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char).lower()
        chars.extend(folded)
        origins.extend([index] * len(folded))
    return chars, origins


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalised text and, for each of its characters, the index it came from in ``text``."""
    chars, origins = _fold(text)
    folded = "".join(chars)
    idioms = vocab().units["idioms_after_one"]
    out: list[str] = []
    out_origins: list[int] = []
    cursor = 0
    for match in _numeral_pattern().finditer(folded):
        numeral = match.group(1) or match.group(2)
        start, end = match.span()
        if numeral == "一" and any(folded.startswith(idiom, end) for idiom in idioms):
            continue
        value = cn_to_int(numeral)
        if value is None:
            continue
        out.extend(folded[cursor:start])
        out_origins.extend(origins[cursor:start])
        digits = str(value)
        out.extend(digits)
        # Every digit points at the numeral it replaced, so highlights cover it whole.
        out_origins.extend([origins[start]] * (len(digits) - 1) + [origins[end - 1]])
        cursor = end
    out.extend(folded[cursor:])
    out_origins.extend(origins[cursor:])
    return "".join(out), out_origins


def normalize(text: str) -> str:
    """NFKC, lower case, counting numerals as digits: ``十五个工作日`` → ``15个工作日``."""
    return normalize_with_offsets(text)[0]


def compact(text: str) -> str:
    """Normalised text with every space removed, for comparing snippets."""
    return re.sub(r"\s+", "", normalize(text))


@dataclass(frozen=True)
class Piece:
    text: str
    pos: int
    start: int  # offsets into the original, un-normalised text
    end: int


def segment(text: str, subwords: bool = True) -> Iterator[Piece]:
    """The analyzer's tokens for ``text``: words with positions and original offsets."""
    norm, origins = normalize_with_offsets(text)
    if not norm:
        return
    segmenter = vocab().segmenter
    freq = segmenter.FREQ
    pos = 0

    def span(a: int, b: int) -> tuple[int, int]:
        return origins[a], origins[b - 1] + 1

    for match in TOKEN_RUNS.finditer(norm):
        if match.lastindex != 3:
            yield Piece(match.group(), pos, *span(*match.span()))
            pos += 1
            continue
        run_start = match.start()
        for word, start, end in segmenter.tokenize(match.group(), HMM=False):
            a, b = run_start + start, run_start + end
            yield Piece(word, pos, *span(a, b))
            if subwords and len(word) > 2:
                for size in (2, 3):
                    for i in range(len(word) - size + 1):
                        sub = word[i : i + size]
                        if sub != word and freq.get(sub):
                            yield Piece(sub, pos, *span(a + i, a + i + size))
            pos += 1


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


class _PieceTokenizer(Tokenizer):
    """Adapts a ``Piece`` generator to Whoosh's token protocol."""

    def pieces(self, text: str) -> Iterator[Piece]:
        raise NotImplementedError

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


class KbTokenizer(_PieceTokenizer):
    """Domain-dictionary jieba words with sub-words, numbers and units kept."""

    def pieces(self, text: str) -> Iterator[Piece]:
        return segment(text)


class BigramTokenizer(_PieceTokenizer):
    """Character bigrams for the recall field."""

    def pieces(self, text: str) -> Iterator[Piece]:
        return bigrams(text)
