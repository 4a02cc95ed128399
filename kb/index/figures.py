"""Which clauses the fact extractor need read: a test that is never false where it could find a figure."""

from __future__ import annotations

import re
import unicodedata

from kb.analysis.numerals import NUMERAL_CHARS
from kb.parse.clauses import Clause
from kb.vocab.lexicon import lexicon


def _figure_hint() -> re.Pattern[str]:
    global _FIGURE_HINT
    if _FIGURE_HINT is None:
        number = rf"[\d{NUMERAL_CHARS}]"
        _FIGURE_HINT = re.compile(rf"{number}个?\s*(?:{lexicon().unit_pattern})|{number}年")
    return _FIGURE_HINT


_FIGURE_HINT: re.Pattern[str] | None = None


def may_state_figures(clause: Clause) -> bool:
    """False only for prose that cannot hold a fact. ``kb.facts`` reads a figure only where, in the
    normalised text, a number stands before a unit or 年 (every one of its patterns ends so). Normalising
    turns Chinese numerals into digits only where a counter follows, so it is enough to look for a digit
    or a Chinese numeral before a unit or 年 in the NFKC-folded text — a test that is never false when the
    extractor could find something, and costs a C-speed fold instead of ``normalize``. Table rows always
    go to the extractor. On law texts this skips about three quarters of the extraction time, with exactly
    the same facts."""
    if clause.kind == "row":
        return True
    return _figure_hint().search(unicodedata.normalize("NFKC", clause.text).lower()) is not None
