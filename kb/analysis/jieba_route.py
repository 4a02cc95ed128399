"""jieba's accurate mode without HMM, with its dictionary route found in one pass.

``jieba.Tokenizer.cut(text, HMM=False)`` builds a DAG of the dictionary words starting at each
character (``get_DAG``), then walks it backwards taking, at each character, the word that maximises
log P(word) + the best score of the rest (``calc``), computing ``log(FREQ[word]) - log(total)`` again
for every candidate of every sentence. That was the largest single cost of indexing a law library.
``Route`` does the same walk with the log probabilities looked up from a table filled once per
word, and the DAG never materialised. The arithmetic, the order of the candidates and the
tie-breaking (the longer word wins) are jieba's, and ``tests/test_jieba_route.py`` checks the words are
the same as jieba's own on the corpus and the law library.

The dictionary is a loaded jieba ``Tokenizer`` or a ``kb.analysis.dictionary.CompactDictionary``, which
loads the words of a sentence's characters before the sentence is cut (and never changes). jieba itself
is not imported here: a one-shot ``kb ask`` that reads the compact dictionary never imports it.
"""

from __future__ import annotations

import re
from math import log

# jieba's own patterns (jieba/__init__.py, 0.42), copied so that cutting needs no import of jieba (whose
# import alone takes a third of a second, pkg_resources included); tests/test_jieba_route.py checks
# they are still jieba's.
re_han_default = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
re_skip_default = re.compile("(\r\n|\\s)", re.U)
re_eng = re.compile("[a-zA-Z0-9]", re.U)
ENG_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")  # what re_eng matches
_one_block = re_han_default.fullmatch  # a sentence that ``re_han_default.split`` leaves whole

NO_WORD = float("-inf")  # a prefix's score in the full table: it never wins over a word, and marks there was none


class _LogProbabilities(dict):
    """log(FREQ[word]) - log(total) for each dictionary word as it is first met (None for the prefixes
    jieba stores with frequency 0): made as needed, so a process that segments a question pays for the
    few words it meets, not for the dictionary's 350,000."""

    def __init__(self, freq: dict[str, int], logtotal: float) -> None:
        super().__init__()
        self.freq, self.logtotal = freq, logtotal

    def __missing__(self, word: str) -> float | None:
        count = self.freq.get(word)
        value = log(count) - self.logtotal if count else None
        self[word] = value
        return value


class Route:
    """``cut(sentence)`` == ``list(tokenizer.cut(sentence, HMM=False))`` for a loaded jieba tokenizer (or
    the compact form of its dictionary)."""

    def __init__(self, tokenizer) -> None:
        tokenizer.check_initialized()
        self.tokenizer = tokenizer
        # A compact dictionary loads per character: ``freq`` is its plain dict of what is loaded, filled
        # for a sentence's characters before the sentence is cut.
        self._ensure = getattr(tokenizer, "ensure", None)
        self.freq = tokenizer.loaded if self._ensure else tokenizer.FREQ
        self._key = self._version()
        logtotal = log(tokenizer.total)
        self.logp = _LogProbabilities(self.freq, logtotal)
        # jieba's term is log(FREQ.get(word) or 1) - logtotal: a character of frequency 0 gives -logtotal.
        self.unknown = log(1) - logtotal
        self._table: dict[str, float] | None = None  # every word and prefix at once (``load_all``)

    def load_all(self) -> None:
        """Load the whole dictionary and every word's log probability now, in one table that also holds the
        prefixes (as -inf): each fragment of a sentence is then one lookup instead of two (is it a word or
        prefix, and its probability), a tenth to a third off cutting a law library's runs. Half a million
        entries, a seventh to a quarter of a second: worth it for a build, not for one question."""
        ensure_all = getattr(self.tokenizer, "ensure_all", None)
        if ensure_all is not None:
            ensure_all()
        logtotal = log(self.tokenizer.total)
        self._table = {word: log(count) - logtotal if count else NO_WORD for word, count in self.freq.items()}

    def _version(self) -> tuple:
        # A jieba tokenizer changes when words are added; a compact dictionary never does.
        return (self.tokenizer.total, "compact" if self._ensure else len(self.tokenizer.FREQ))

    def current(self) -> bool:
        """False once words were added to the tokenizer since the table was made."""
        return self._key == self._version()

    def cut(self, sentence: str) -> list[str]:
        """``sentence`` cut into words as jieba's ``cut(HMM=False)`` cuts it, in one pass per run of Chinese."""
        if self._ensure is not None:
            self._ensure(sentence)
        if self._table is not None and _one_block(sentence):
            # One block (a run of Chinese, as the segmenter's runs nearly all are): the split below would
            # give this block alone, between two empty strings.
            return self._cut_block_loaded(sentence)
        words: list[str] = []
        for block in re_han_default.split(sentence):
            if not block:
                continue
            if re_han_default.match(block):
                words += self._cut_block(block) if self._table is None else self._cut_block_loaded(block)
            else:
                for piece in re_skip_default.split(block):
                    if re_skip_default.match(piece):
                        words.append(piece)
                    else:
                        words += piece
        return words

    def _cut_block(self, sentence: str) -> list[str]:
        freq, logp, unknown = self.freq, self.logp, self.unknown
        size = len(sentence)
        best_score = [0.0] * (size + 1)
        best_end = [0] * (size + 1)
        for start in range(size - 1, -1, -1):
            score, end = None, start
            i = start
            fragment = sentence[start]
            while i < size and fragment in freq:
                p = logp[fragment]
                if p is not None:
                    candidate = p + best_score[i + 1]
                    # max() over (score, end) pairs in jieba: a tie goes to the later end.
                    if score is None or candidate >= score:
                        score, end = candidate, i
                i += 1
                fragment = sentence[start : i + 1]
            if score is None:  # no dictionary word starts here: the character alone
                score = unknown + best_score[start + 1]
            best_score[start], best_end[start] = score, end
        return _words(sentence, best_end)

    def _cut_block_loaded(self, sentence: str) -> list[str]:
        """``_cut_block`` with the full table: a fragment missing from it ends the walk, a prefix scores -inf
        (any word's score beats it; a start where only prefixes were found takes the character alone)."""
        get = self._table.get  # type: ignore[union-attr]  # set by load_all, which cut checks
        unknown = self.unknown
        size = len(sentence)
        # A character no word holds ends every walk at the end of the sentence, with no test of the end.
        padded = sentence + "\0"
        best_score = [0.0] * (size + 1)
        best_end = [0] * (size + 1)
        for start in range(size - 1, -1, -1):
            score = NO_WORD
            end = i = start
            p = get(sentence[start])
            while p is not None:
                candidate = p + best_score[i + 1]
                if candidate >= score:  # a tie goes to the later end, as in jieba
                    score = candidate
                    end = i
                i += 1
                p = get(padded[start : i + 1])
            if score == NO_WORD:
                score = unknown + best_score[start + 1]
                end = start
            best_score[start] = score
            best_end[start] = end
        return _words(sentence, best_end)


def _words(sentence: str, best_end: list[int]) -> list[str]:
    """The words along the best route (``best_end``: each start's last character), runs of single Latin
    letters and digits joined as jieba joins them."""
    size = len(sentence)
    words: list[str] = []
    x = 0
    if re_eng.search(sentence) is None:  # no Latin letter or digit to join: each word is its stretch
        while x < size:
            y = best_end[x] + 1
            words.append(sentence[x:y])
            x = y
        return words
    buffer = ""
    while x < size:
        y = best_end[x] + 1
        word = sentence[x:y]
        if len(word) == 1 and word in ENG_CHARACTERS:
            buffer += word
        else:
            if buffer:
                words.append(buffer)
                buffer = ""
            words.append(word)
        x = y
    if buffer:
        words.append(buffer)
    return words
