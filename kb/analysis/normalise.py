"""Normalised text: NFKC width folding, lower case, and Chinese numerals turned into digits only where they
count something (七日 → 7日, 第二十八条 → 第28条, never 三零 or 十四五), with a map from every output character
back to the input so tokens can point at the verbatim text for highlighting."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from kb.analysis.numerals import NUMERAL_CHARS, cn_to_int
from kb.vocab import vocab


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
