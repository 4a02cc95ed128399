"""jieba's accurate mode without HMM, with its dictionary route found in one pass.

``jieba.Tokenizer.cut(text, HMM=False)`` builds a DAG of the dictionary words starting at each
character (``get_DAG``), then walks it backwards taking, at each character, the word that maximises
log P(word) + the best score of the rest (``calc``), computing ``log(FREQ[word]) - log(total)`` again
for every candidate of every sentence. That was the largest single cost of indexing a law library.
``Route`` does the same walk with the log probabilities looked up from a table filled once per
word, and the DAG never materialised. The arithmetic, the order of the candidates and the
tie-breaking (the longer word wins) are jieba's, and ``tests/test_route.py`` checks the words are
the same as jieba's own on the corpus and the law library.
"""

from __future__ import annotations

from math import log

from jieba import Tokenizer, re_eng, re_han_default, re_skip_default


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
    """``cut(sentence)`` == ``list(tokenizer.cut(sentence, HMM=False))`` for a loaded jieba tokenizer."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        tokenizer.check_initialized()
        self.tokenizer = tokenizer
        self._key = (tokenizer.total, len(tokenizer.FREQ))
        logtotal = log(tokenizer.total)
        self.freq = tokenizer.FREQ
        self.logp = _LogProbabilities(tokenizer.FREQ, logtotal)
        # jieba's term is log(FREQ.get(word) or 1) - logtotal: a character of frequency 0 gives -logtotal.
        self.unknown = log(1) - logtotal

    def current(self) -> bool:
        """False once words were added to the tokenizer since the table was made."""
        return self._key == (self.tokenizer.total, len(self.tokenizer.FREQ))

    def cut(self, sentence: str) -> list[str]:
        """``sentence`` cut into words as jieba's ``cut(HMM=False)`` cuts it, in one pass per run of Chinese."""
        words: list[str] = []
        for block in re_han_default.split(sentence):
            if not block:
                continue
            if re_han_default.match(block):
                words += self._cut_block(block)
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
        words: list[str] = []
        buffer = ""
        x = 0
        while x < size:
            y = best_end[x] + 1
            word = sentence[x:y]
            if len(word) == 1 and re_eng.match(word):
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
