"""The domain lexicon's reading of a candidate, as features: one signal among the others, never a gate.

At build time ``kb.facts`` reads every clause with the lexicon (``kb/data/facts.yaml``): which customer
type and item each figure is about, under which conditions (a table cell under its column in its row,
a list distributed over its subjects). A candidate stating the same figure in the same clause inherits
that reading, and these functions say how well it fits the question's customer type, item, unit and
conditions. Outside the domain (a gas regulation, car warranties) no fact matches and every feature is
zero: the rest of the model answers alone.
"""

from __future__ import annotations

from kb.analysis.comparison import fact_figure, figure_key
from kb.answer.candidates import Candidate
from kb.answer.question import Question
from kb.model import Fact
from kb.vocab.lexicon import Lexicon

SIGNALS = ("lex_fact", "lex_fact_subject", "lex_fact_item", "lex_fact_unit", "lex_fact_conditions")
# How well a fact's reading fits the question, on a scale where 1 is the thing asked and −1 another thing
# (the learned model, kb/data/answer_model.json, weighs each signal; these only place the cases on it).
FIT = 1.0
MISFIT = -1.0
BROADER_SUBJECT = 0.5  # the fact is about a broader customer type, whose rule covers the one asked
NARROWER_SUBJECT = 0.25  # the fact is about a narrower type than the one asked
NO_SUBJECT = 0.1  # the fact names no customer type
RELATED_ITEM = 0.5  # the fact measures an item related to the one asked
CONTRADICTED_CONDITION = -2.0  # per condition asked that the fact contradicts (有/无外线工程)
UNASKED_CONDITION = -0.5  # per condition the fact states that the question does not name


def matching_fact(candidate: Candidate, facts: list[Fact]) -> Fact | None:
    """The build-time fact of the clause stating the candidate's figure, if any."""
    unit = candidate.unit if isinstance(candidate.value, int | float) else ""
    wanted = figure_key(fact_figure({"value": candidate.fact_value, "unit": unit}))
    for fact in facts:
        if figure_key(fact_figure(fact)) == wanted:
            return fact
    return None


def _subject_fit(question: Question, subject: str, lex: Lexicon) -> float:
    """1 the asked customer type, ½ a broader type whose rule covers it, ¼ none named, −1 another."""
    if not question.subjects:
        return 0.0
    wanted = question.subjects[0]
    if subject == wanted:
        return FIT
    if subject and subject in lex.broader(wanted):
        return BROADER_SUBJECT
    if subject and wanted in lex.broader(subject):
        return NARROWER_SUBJECT
    return NO_SUBJECT if not subject else MISFIT


def _item_fit(question: Question, item: str, lex: Lexicon) -> float:
    if not question.items:
        return 0.0
    if item in question.items[:2]:
        return FIT
    if any(item in lex.related_items(wanted) for wanted in question.items[:2]):
        return RELATED_ITEM
    return 0.0 if not item else MISFIT


def _unit_fit(question: Question, fact: Fact, lex: Lexicon) -> float:
    units = lex.item_units(question.items[0]) if question.items else []
    if question.wants_unit:
        return FIT if fact.unit == question.wants_unit else MISFIT
    return (FIT if fact.unit in units else MISFIT) if units else 0.0


def _condition_fit(question: Question, fact: Fact, lex: Lexicon) -> float:
    """Conditions of the lexicon (有/无外线工程, 计划/临时检修) the question names and the fact states,
    less those that contradict, less the fact's conditions the question does not name (平均, 最优)."""
    stated = set(fact.qualifiers) & set(lex.qualifier_entries)
    score = 0.0
    for wanted in question.qualifiers:
        if wanted in stated:
            score += FIT
        elif any(lex.contradicts(wanted, q) for q in stated):
            score += CONTRADICTED_CONDITION
    return score + UNASKED_CONDITION * sum(1 for q in stated if q not in question.qualifiers)


def signals(question: Question, candidate: Candidate, facts: list[Fact], lex: Lexicon) -> list[float]:
    """``SIGNALS`` for a candidate, from the build-time facts of its clause."""
    fact = matching_fact(candidate, facts) if facts else None
    if fact is None:
        return [0.0] * len(SIGNALS)
    return [FIT, _subject_fit(question, fact.subject, lex), _item_fit(question, fact.item, lex),
            _unit_fit(question, fact, lex), _condition_fit(question, fact, lex)]
