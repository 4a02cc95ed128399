"""Normalised text: NFKC width folding, lower case, and Chinese numerals turned into digits only where they
count something (七日 → 7日, 第二十八条 → 第28条, never 三零 or 十四五), with a map from every output character
back to the input so tokens can point at the verbatim text for highlighting.

Which words count (the counters and ordinals of ``kb/data/units.yaml``) is the vocabulary's: a
``Normaliser`` is made from them, once per vocabulary (``kb.vocab.Vocab.analysis``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from kb.analysis.numerals import NUMERAL_CHARS, cn_to_int


class _FoldTable(dict):
    """Each character's NFKC, lower-cased form, computed once per character: folding a text is then a
    C-speed ``map`` instead of a Python loop. Folding one character at a time (never the whole string,
    where NFKC composes and ``lower`` looks at neighbours) is what keeps the offsets map simple."""

    def __missing__(self, char: str) -> str:
        folded = unicodedata.normalize("NFKC", char).lower()
        self[char] = folded
        return folded


class _OrdinalFoldTable(dict):
    """``_FoldTable`` keyed by code point, as ``str.translate`` looks characters up: folding a text without
    its offsets is then one C call (a third faster than joining the mapped characters)."""

    def __missing__(self, ordinal: int) -> str:
        folded = unicodedata.normalize("NFKC", chr(ordinal)).lower()
        self[ordinal] = folded
        return folded


def _alternation(words: Iterable[str]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


class Normaliser:
    """``normalize`` and ``normalize_with_offsets`` for one vocabulary's counters, ordinals and the idioms
    in which 一 is no number (一网通办)."""

    def __init__(self, counters: Iterable[str], ordinals: Iterable[str], idioms_after_one: Iterable[str]) -> None:
        self._numerals = re.compile(
            rf"(?<![{NUMERAL_CHARS}])(?:(?<=第)([{NUMERAL_CHARS}]+)(?={_alternation(ordinals)})"
            rf"|([{NUMERAL_CHARS}]+)(?={_alternation(counters)}))")
        self._idioms = list(idioms_after_one)
        self._fold_table = _FoldTable()
        self._fold_ordinals = _OrdinalFoldTable()

    def _fold(self, text: str) -> tuple[str, list[int] | None]:
        """The folded text and, when a character folded to more or fewer than one, each output character's
        index in ``text`` (None: the identity)."""
        pieces = list(map(self._fold_table.__getitem__, text))
        folded = "".join(pieces)
        if len(folded) == len(text) and "" not in pieces:
            return folded, None
        origins: list[int] = []
        for index, piece in enumerate(pieces):
            origins.extend([index] * len(piece))
        return folded, origins

    def _counted_numerals(self, folded: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, digits) for each Chinese numeral of ``folded`` that counts something."""
        idioms = self._idioms
        for match in self._numerals.finditer(folded):
            numeral = match.group(1) or match.group(2)
            start, end = match.span()
            if numeral == "一" and any(folded.startswith(idiom, end) for idiom in idioms):
                continue
            value = cn_to_int(numeral)
            if value is not None:
                yield start, end, str(value)

    def normalize_with_offsets(self, text: str) -> tuple[str, list[int]]:
        """Normalised text and, for each of its characters, the index it came from in ``text``."""
        folded, origins = self._fold(text)
        if origins is None:
            origins = list(range(len(folded)))
        out: list[str] = []
        out_origins: list[int] = []
        cursor = 0
        for start, end, digits in self._counted_numerals(folded):
            out.append(folded[cursor:start])
            out_origins.extend(origins[cursor:start])
            out.append(digits)
            # Every digit points at the numeral it replaced, so highlights cover it whole.
            out_origins.extend([origins[start]] * (len(digits) - 1) + [origins[end - 1]])
            cursor = end
        out.append(folded[cursor:])
        out_origins.extend(origins[cursor:])
        return "".join(out), out_origins

    def normalize(self, text: str) -> str:
        """NFKC, lower case, counting numerals as digits: ``十五个工作日`` → ``15个工作日``."""
        folded = text.translate(self._fold_ordinals)
        out: list[str] = []
        cursor = 0
        for start, end, digits in self._counted_numerals(folded):
            out += (folded[cursor:start], digits)
            cursor = end
        out.append(folded[cursor:])
        return "".join(out)
