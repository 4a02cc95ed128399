"""Figures about the same thing, and which of them leads: the scored candidates of one question grouped
with their peers in other documents (the same family, the same customer type and item as the lexicon
reads them, nearly as well ranked), the figures of each customer type when the question names none, and
the group in order of authority (binding rules first, the most specific region first)."""

from __future__ import annotations

from dataclasses import dataclass

from kb.answer.candidates import Candidate
from kb.answer.features import FIGURE_KINDS, ClauseContext
from kb.answer.lexicon_signal import matching_fact
from kb.answer.question import Question
from kb.answer.standing import Standing, ordered
from kb.vocab import Vocab
from kb.vocab.lexicon import Lexicon

PEER_SCORE_GAP = 1.0  # another document's figure about the same thing, ranked this close, is listed beside it
BINDING_GAP = 3.0  # a binding rule ranked this close to a draft ranked first is stated as the rule
TYPE_GAP = 3.0  # figures for other customer types ranked this close are listed when the question names none
MAX_TYPES = 5
LEXICON_PEER_GAP = 10.0  # …or this close, when the lexicon reads both as the same customer type and item
PEER_COVERAGE_GAP = 0.15


@dataclass
class Scored:
    candidate: Candidate
    clause: ClauseContext
    score: float
    probability: float
    vector: list[float]


def _same_family(a: Candidate, b: Candidate) -> bool:
    if a.kind in FIGURE_KINDS and b.kind in FIGURE_KINDS:
        return a.family == b.family and (a.kind == "range") == (b.kind == "range")
    return a.kind == b.kind and a.frame == b.frame


def lexicon_reading(scored: Scored, lex: Lexicon) -> tuple | None:
    """(customer type, item, unit, conditions) as the lexicon read the candidate's figure, if it did."""
    fact = matching_fact(scored.candidate, scored.clause.facts) if scored.clause.facts else None
    if fact is None or not (fact.subject or fact.item):
        return None
    conditions = frozenset(set(fact.qualifiers) & set(lex.qualifier_entries))
    return fact.subject, fact.item, fact.unit, conditions


def same_thing(best: Scored, scored: list[Scored], lex: Lexicon) -> list[Scored]:
    """The best candidate, and one per other document stating the same thing. Where the lexicon read both
    (the same customer type, item, unit and conditions), that decides, within a wide score gap; otherwise a
    candidate of the same family, nearly as well ranked, whose own words cover the question as well. A
    candidate contradicting a condition the question names is never the same thing."""
    from kb.answer.features import FEATURES

    own = FEATURES.index("cov_own")
    contra = FEATURES.index("cond_contra")
    reading = lexicon_reading(best, lex)
    group = [best]
    docs = {best.clause.doc_id}
    for other in scored[1:]:
        if other.clause.doc_id in docs or other.vector[contra] > 0:
            continue
        if not _same_family(best.candidate, other.candidate):
            continue
        other_reading = lexicon_reading(other, lex)
        if reading is not None and other_reading is not None:
            same = other_reading == reading and other.score >= best.score - LEXICON_PEER_GAP
        elif not best.clause.binding and other.clause.binding:
            # a draft ranked first: a binding rule on the same thing, nearly as well ranked, leads instead
            same = (other.score >= best.score - BINDING_GAP
                    and other.vector[own] >= best.vector[own] - PEER_COVERAGE_GAP)
        else:
            same = (other.score >= best.score - PEER_SCORE_GAP
                    and other.vector[own] >= best.vector[own] - PEER_COVERAGE_GAP)
        if same:
            group.append(other)
            docs.add(other.clause.doc_id)
        if len(group) >= 4:
            break
    return group


def by_customer_type(best: Scored, scored: list[Scored], question: Question, lex: Lexicon) -> list[Scored]:
    """A question naming no customer type, whose answer depends on one (供电方案答复几天: 低压, 高压单电源,
    高压双电源 differ): the figure of each type the best candidate's document states for the same item,
    so the answer says which types it covers instead of silently choosing one. [] when the question
    names a type, or the answer does not depend on it."""
    reading = lexicon_reading(best, lex)
    if question.subjects or reading is None or not reading[0]:
        return []
    _subject, item, unit, conditions = reading
    by_doc: dict[str, dict[str, Scored]] = {}
    for other in scored:
        other_reading = lexicon_reading(other, lex)
        if (other_reading is None or other.score < best.score - TYPE_GAP or not other_reading[0]
                or other_reading[1:] != (item, unit, conditions)):
            continue
        by_doc.setdefault(other.clause.doc_id, {}).setdefault(other_reading[0], other)
    # the most authoritative document stating the item for several types: a binding one before a draft
    docs = sorted((d for d, types in by_doc.items() if len(types) > 1),
                  key=lambda d: (not next(iter(by_doc[d].values())).clause.binding,
                                 -max(s.score for s in by_doc[d].values())))
    return list(by_doc[docs[0]].values())[:MAX_TYPES] if docs else []


def by_authority(group: list[Scored], region_standing: dict[str, Standing], vocab: Vocab) -> list[Scored]:
    """Binding rules first, the most specific region first (city before region before nation); drafts and
    rules not in force after them; the model's order within each."""
    ranks = {s.doc_id: n for n, s in enumerate(ordered((region_standing[d] for d in
                                                        {g.clause.doc_id for g in group} if d in region_standing),
                                                       vocab))}
    return sorted(group, key=lambda s: (ranks.get(s.clause.doc_id, len(ranks)), -s.score))
