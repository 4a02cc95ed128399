"""What applies today, for a public FAQ entry whose answer rests on a draft or on a target whose year has
passed: the figures binding now on the same item for the same customer type (or a broader type it belongs
to, or a kind of it, each named), each with its clause, then what the draft would change — one plain-language
sentence built from the index at run time, with the words of ``kb/data/faq_today.yaml``.

The figures an entry rests on are those of its cited clauses on the item of the first figure its answer
states (a figure read by the FAQ check's reader, ``kb.corpus.faq.FigureReader``); the entry rests on a
draft when every one comes from a document that is a draft on the date, on a lapsed target when every
one binds but names only years that have passed (``kb.present.rule_sheet.target_year_passed``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from kb.answer.standing import Standing, ordered, standings_of
from kb.corpus.faq import Entry, FigureReader
from kb.index import OpenIndex
from kb.model import Fact
from kb.present import data_file
from kb.present.rule_sheet import target_year_passed, target_years
from kb.present.timeline import draft_status
from kb.vocab import DATA_DIR, Vocab
from kb.vocab.lexicon import Lexicon

DRAFT, LAPSED = "draft", "lapsed"


@dataclass
class Part:
    """A piece of the sentence: plain text, or (with ``doc_id``) a citation of that clause."""

    text: str
    doc_id: str = ""
    clause_id: str = ""

    def to_dict(self) -> dict:
        return {"text": self.text, "doc_id": self.doc_id, "clause_id": self.clause_id}


@dataclass
class Today:
    """The sentence for one entry, and the figures it was made of."""

    rests_on: str  # DRAFT or LAPSED
    subject: str
    item: str  # "" when the entry's figures name no item
    stated: list[Fact] = field(default_factory=list)  # what the entry rests on
    binding: list[Fact] = field(default_factory=list)  # what binds today on the same item, by authority
    drafts: list[Fact] = field(default_factory=list)  # what a draft proposes on it
    parts: list[Part] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(part.text for part in self.parts)

    def to_dict(self) -> dict:
        return {"rests_on": self.rests_on, "subject": self.subject, "item": self.item, "text": self.text,
                "parts": [p.to_dict() for p in self.parts],
                "binding": [f"{f.doc_id}#{f.clause_id}" for f in self.binding]}


class TodayReader:
    """Reads what applies today for FAQ entries over one open index and date; make one per page."""

    def __init__(self, index: OpenIndex, today: dt.date, data_dir: Path = DATA_DIR) -> None:
        self.index = index
        self.vocab: Vocab = index.vocab
        self.today = today
        self.words = data_file("faq_today.yaml", data_dir)
        self.reader = FigureReader(self.vocab)
        self.standings: dict[str, Standing] = standings_of(index, None, today)
        self.authority = {s.doc_id: n for n, s in enumerate(ordered(self.standings.values(), self.vocab))}
        self.draft = draft_status(self.vocab)

    def of(self, entry: Entry) -> Today | None:
        """The sentence for ``entry``, or None when its answer rests on neither a draft nor a lapsed target."""
        cited = [fact for cite in entry.cites for fact in self.index.facts_by_clause.get(cite, [])]
        head = self._head(entry, cited)
        stated = _once([f for f in cited if (f.subject, f.item) == (head.subject, head.item)]) if head else []
        if stated and all(self._is_draft(f.doc_id) for f in stated):
            rests_on = DRAFT
        elif stated and all(self._binds(f.doc_id) and target_year_passed(f, self.today) for f in stated):
            rests_on = LAPSED
        elif entry.cites and all(self._is_draft(cite.partition("#")[0]) for cite in entry.cites):
            rests_on, head, stated = DRAFT, None, []  # drafts alone, but no figure of theirs to name
        else:
            return None
        today = Today(rests_on, head.subject if head else "", head.item if head else "", stated=stated)
        if today.item:
            today.binding = self._same_item(today, binding=True)
            today.drafts = stated if rests_on == DRAFT else self._same_item(today, binding=False)
        today.parts = self._sentence(today)
        return today

    # -- which figures ---------------------------------------------------------------------------------

    def _head(self, entry: Entry, cited: list[Fact]) -> Fact | None:
        """The cited fact the answer leads with: the first figure it states that a cited fact holds, else the
        first bare number that is a cited fact's value (压缩至2个); of several, one with an item, on the
        customer type the question names. None when the answer states none of its clauses' figures."""
        named = {m.name for m in self.vocab.lexicon.subjects_in(entry.question)}
        numbers = [m.group(1) for m in self.reader.bare.finditer(self.reader.comparable(entry.answer_md))]
        for wanted, same in ((self.reader.extract(entry.answer_md), self._comparable),
                             (numbers, lambda f: str(f.value))):
            for figure in wanted:
                holding = [f for f in cited if same(f) == figure]
                if holding:
                    return min(holding, key=lambda f: (not f.item, f.subject not in named))
        return None

    def _comparable(self, fact: Fact) -> str:
        return self.reader.comparable(self.vocab.lexicon.render(fact.value, fact.unit))

    def _is_draft(self, doc_id: str) -> bool:
        standing = self.standings.get(doc_id)
        return standing is not None and standing.effective_status == self.draft

    def _binds(self, doc_id: str) -> bool:
        standing = self.standings.get(doc_id)
        return standing is not None and standing.binding

    def _in_scope(self, doc_id: str, regions: set[str]) -> bool:
        """A document of a region the entry's documents are in, above it (全国) or below it (a city)."""
        region = self.standings[doc_id].region
        return any(region in self.vocab.region_chain(r) or r in self.vocab.region_chain(region) for r in regions)

    def _same_item(self, today: Today, binding: bool) -> list[Fact]:
        """Facts of other clauses on the item (not the items the lexicon relates to it: 全过程办电时间 counts
        the customer's own time, 各环节合计时间 does not) for the customer type in the entry's regions:
        binding now and no lapsed target (``binding``), or from drafts."""
        lexicon = self.vocab.lexicon
        regions = {self.standings[f.doc_id].region for f in today.stated if f.doc_id in self.standings}
        found = []
        for fact in self.index.facts_by_item.get(today.item, []):
            if fact in today.stated or fact.doc_id not in self.standings:
                continue
            if not _same_customers(fact.subject, today.subject, lexicon) or not self._in_scope(fact.doc_id, regions):
                continue
            wanted = (self._binds(fact.doc_id) and not target_year_passed(fact, self.today)) if binding \
                else self._is_draft(fact.doc_id)
            if wanted:
                found.append(fact)
        return sorted(_once(found), key=lambda f: (self.authority.get(f.doc_id, 0), f.doc_id, f.clause_id))

    # -- the words -------------------------------------------------------------------------------------

    def _figure(self, fact: Fact) -> str:
        words = self.words
        text = self.vocab.lexicon.render(fact.value, fact.unit)
        text = words["bounds"].get(fact.bound, "{}").format(text)
        if fact.qualifiers:
            text += words["conditions"].format(words["conditions_joiner"].join(fact.qualifiers))
        return text

    def _figures(self, facts: list[Fact]) -> str:
        return self.words["figures_joiner"].join(dict.fromkeys(self._figure(f) for f in facts))

    def _sentence(self, today: Today) -> list[Part]:
        words = self.words
        parts: list[Part] = []
        if today.binding:
            parts.append(Part(words["binding"]))
            clauses = list(dict.fromkeys((f.doc_id, f.clause_id) for f in today.binding))
            for n, (doc_id, clause_id) in enumerate(clauses):
                facts = [f for f in today.binding if (f.doc_id, f.clause_id) == (doc_id, clause_id)]
                parts.append(Part(words["rule"].format(region=self.standings[doc_id].region, subject=facts[0].subject,
                                                       item=today.item, figures=self._figures(facts))))
                parts.extend(self._citation(doc_id, clause_id))
                parts.append(Part(words["rules_joiner"] if n < len(clauses) - 1 else words["rules_end"]))
        elif today.item:
            parts.append(Part(words["none"].format(subject=today.subject, item=today.item)))
        else:
            parts.append(Part(words["none_found"]))
        if today.rests_on == LAPSED:
            first = today.stated[0]
            years = sorted({year for f in today.stated for year in target_years(f)})
            parts.append(Part(words["lapsed"].format(title=self.index.documents[first.doc_id]["title"],
                                                     years=words["years_joiner"].join(f"{y}年" for y in years))))
        if today.drafts:
            proposed = list(dict.fromkeys(self._figure(f) for f in today.drafts))
            now = {self._figure(f) for f in today.binding}
            frame = "draft_only" if not now else "draft_same" if now == set(proposed) else "draft_change"
            parts.append(Part(words[frame].format(figures=words["figures_joiner"].join(proposed))))
        elif today.rests_on == DRAFT:
            parts.append(Part(words["draft_unknown"]))
        return parts

    def _citation(self, doc_id: str, clause_id: str) -> list[Part]:
        _text, label = self.index.clause_text(doc_id, clause_id)
        cite = self.words["cite"].format(title=self.index.documents[doc_id]["title"], label=label)
        return [Part(self.words["cite_before"]), Part(cite, doc_id, clause_id), Part(self.words["cite_after"])]


def _same_customers(subject: str, wanted: str, lexicon: Lexicon) -> bool:
    """The same customer type, one it belongs to (高压用户 for 高压双电源用户) or one of its own kinds; each
    rule names its own in the sentence. A fact naming none goes with those naming none."""
    if not subject or not wanted:
        return subject == wanted
    return subject in lexicon.broader(wanted) or wanted in lexicon.broader(subject)


def _once(facts: list[Fact]) -> list[Fact]:
    """Each figure of a clause once (a table row's figure can be read twice)."""
    seen, out = set(), []
    for fact in facts:
        key = (fact.doc_id, fact.clause_id, fact.item, fact.value, fact.unit, fact.bound, tuple(fact.qualifiers))
        if key not in seen:
            seen.add(key)
            out.append(fact)
    return out
