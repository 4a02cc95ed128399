"""What a question asks: region, customer type, item, conditions, and whether a figure is wanted.

Questions arrive as people type them (colloquial, any spacing or width, 双电源 for 高压双电源,
三零 without quotes). Understanding uses the same lexicon as fact extraction, so a word the
corpus vocabulary knows is understood in questions too.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from kb.lexicon import lexicon
from kb.text import normalize
from kb.vocab import vocab

DATE_IN_QUESTION = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")


@dataclass
class Question:
    text: str
    norm: str
    region: str | None = None
    subjects: list[str] = field(default_factory=list)  # most specific first
    items: list[str] = field(default_factory=list)
    qualifiers: list[str] = field(default_factory=list)
    wants_unit: str | None = None
    asks_figure: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def understand(text: str) -> Question:
    lex = lexicon()
    norm = normalize(text).replace(" ", "").replace("\u3000", "")
    regions = vocab().regions_named_in(norm)
    question = Question(text=text, norm=norm, region=regions[0] if regions else None)
    customers = [m for m in lex.subjects_in(norm) if m.kind != "actor"]
    actors = [m for m in lex.subjects_in(norm) if m.kind == "actor"]
    # The narrowest type first (高压单电源用户 over 高压用户), then the longer mention.
    ordered = sorted(customers, key=lambda m: (-len(lex.broader(m.name)), -(m.end - m.start))) or actors
    question.subjects = list(dict.fromkeys(m.name for m in ordered))
    question.items = list(dict.fromkeys(m.name for m in sorted(lex.items_in(norm), key=lambda m: -(m.end - m.start))))
    question.qualifiers = list(dict.fromkeys(m.name for m in lex.qualifiers_in(norm)))
    for unit, phrases in lex.asks["units"].items():
        if any(normalize(p) in norm for p in phrases):
            question.wants_unit = unit
            break
    # Every item in the lexicon is measured, so naming one (an agent's keywords) asks for its figure.
    question.asks_figure = (question.wants_unit is not None or bool(question.items)
                            or any(normalize(w) in norm for w in lex.asks["figure"]))
    return question
