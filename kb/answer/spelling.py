"""Probable typos against the corpus vocabulary: 高压双电原 → 高压双电源.

A question word may be a slip of the IME (a homophone, a neighbouring character). The words the
corpus is known to use — the domain lexicon's customer types and items, the dictionary's words (not
its place names: 上海外环 is no typo of 上海市) and the regions' names of four characters and more — are
compared with the question: a stretch of it, between its word boundaries and itself no dictionary word,
one replaced character away from such a word that the question does not hold, is taken as that word.

A word of two characters is one character from too many others for that; there only a homophone is taken,
the slip an IME makes from the syllable typed (修政 → 修正, 曾量 → 增量): two characters the segmenter left
single, together no dictionary word and in no clause of the index, one of them replaced by a character of
the same reading so that they make a dictionary word the index holds (the one most clauses hold).

The answer then says so ("您是不是要找：高压双电源"): a correction is never silent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kb.vocab import Vocab
from kb.vocab.lexicon import Lexicon

MIN_LENGTH = 3  # a shorter word is one character from too many others (but see ``homophone``)


@dataclass(frozen=True)
class Correction:
    wrote: str
    meant: str


class Speller:
    """The vocabulary, indexed by length, to find the word a stretch of a question is one character from."""

    def __init__(self, vocabulary: Vocab, lex: Lexicon) -> None:
        words: set[str] = set(vocabulary.dictionary_words)
        # a region's long names (巴彦淖尔, 锡林郭勒盟): four characters and more are one slip from no other name
        words.update(name for region in vocabulary.regions.values() for name in region.names if len(name) >= 4)
        for entries in (lex.subjects, lex.items):
            for name, spec in entries.items():
                if spec.get("kind") != "ignore":
                    words.update([name, *spec.get("patterns", [])])
        self.analysis = vocabulary.analysis
        self.vocabulary = vocabulary
        cleaned = {self.analysis.normalize(w).replace("“", "").replace("”", "") for w in words}
        self.by_length: dict[int, set[str]] = {}
        # Chinese words only: 20千伏 is not a typo of 10千伏
        for word in cleaned:
            if len(word) >= MIN_LENGTH and all("\u4e00" <= ch <= "\u9fff" for ch in word):
                self.by_length.setdefault(len(word), set()).add(word)
        self._tables: dict[tuple[int, int], dict[str, list[str]]] = {}

    def correct(self, text: str, known=None, found: list[str] | None = None) -> Correction | None:
        """The first stretch of ``text`` one replaced character from a vocabulary word that ``text`` does not
        hold; ``known`` are words of the segmenter's dictionary, never taken for typos, nor is a stretch that
        one of the clauses ``found`` for the question says."""
        norm = self.analysis.normalize(text)
        # a stretch begins and ends where the question's words do: 户供电 (of 用户供电) is no typo of 转供电
        pieces = list(self.analysis.segment(norm, subwords=False))
        starts, ends = {p.start for p in pieces}, {p.end for p in pieces}
        width = {at: p.end - p.start for p in pieces for at in range(p.start, p.end)}  # each character's word
        best: Correction | None = None
        for size in sorted(self.by_length, reverse=True):
            words = self.by_length[size]
            for start in range(0, len(norm) - size + 1):
                if start not in starts or start + size not in ends:
                    continue
                stretch = norm[start:start + size]
                if stretch in words or (known and stretch in known) or not all("\u4e00" <= ch <= "\u9fff"
                                                                               for ch in stretch):
                    continue
                if found and any(stretch in t for t in found):
                    continue
                for position in range(size):
                    # the character replaced is a word of its own: a slip breaks a word (双电原), while a
                    # character inside a dictionary word was meant (供水企业 is no slip of 供电企业)
                    if width.get(start + position, 1) != 1 or _lone_particle(width, start, size, start + position):
                        continue
                    for word in self._variants(words, stretch, position):
                        if word not in norm and (best is None or len(word) > len(best.meant)):
                            best = Correction(stretch, word)
            if best is not None:
                return best
        return None

    def homophone(self, text: str, known: Mapping[str, int], frequency: Callable[[str], int],
                  found: list[str]) -> Correction | None:
        """The first two characters of ``text`` that the segmenter left single, that are no ``known`` word (the
        segmenter's dictionary: a word and its count, 0 for a prefix of a word) and that no clause holds
        (``frequency``: how many clauses hold a word), and that make a ``known`` word some clause holds with
        one of them replaced by a homophone — of several, the one most clauses hold. The word meant stands in
        the clauses ``found`` for the question, and the two characters typed in none of them (增量配电网 is
        what the clauses about 配电网 say; 最多罚 is what a rule says, no slip of 最多发)."""
        norm = self.analysis.normalize(text)
        pieces = list(self.analysis.segment(norm, subwords=False))
        stop = self.vocabulary.stopwords
        for first, second in zip(pieces, pieces[1:], strict=False):
            stretch = first.text + second.text
            if (len(first.text) != 1 or len(second.text) != 1 or first.end != second.start
                    or not all("\u4e00" <= ch <= "\u9fff" for ch in stretch)
                    or first.text in stop or second.text in stop or known.get(stretch, 0) or frequency(stretch)
                    or any(stretch in t for t in found)):
                continue
            found = [(frequency(word), word) for position in range(2)
                     for word in (stretch[:position] + ch + stretch[position + 1:]
                                  for ch in sorted(self.vocabulary.homophones(stretch[position])))
                     if known.get(word, 0) and word not in norm and any(word in t for t in found)]
            found = [(df, word) for df, word in found if df > 0]
            if found:
                return Correction(stretch, max(found, key=lambda f: (f[0], f[1]))[1])
        return None

    def _variants(self, words: set[str], stretch: str, position: int) -> list[str]:
        """Vocabulary words equal to ``stretch`` but at ``position`` (tables made once per length and place)."""
        key = (len(stretch), position)
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = {}
            for word in sorted(words):  # in order: the same question gets the same correction in every process
                table.setdefault(word[:position] + word[position + 1:], []).append(word)
        masked = stretch[:position] + stretch[position + 1:]
        return [w for w in table.get(masked, []) if w[position] != stretch[position]]


def _lone_particle(width: dict[int, int], start: int, size: int, at: int) -> bool:
    """Whether the character at ``at`` is a word of its own with only whole words beside it in the stretch
    (哪年施行: 年 beside 施行; 的供电: 的 beside 供电): a particle, not a slip. A slip of the IME breaks a
    word into single characters (双电原 for 双电源, 停点 for 停电), so the character replaced stands beside
    another single one."""
    if width.get(at, 1) != 1:
        return False
    neighbours = [i for i in (at - 1, at + 1) if start <= i < start + size]
    return not any(width.get(i, 1) == 1 for i in neighbours)
