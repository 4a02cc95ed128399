"""Question → the figure, its scope and the clause it comes from, and the rules that apply.

The answer is built only from the corpus: every figure in it is a candidate read from a retrieved
clause at run time, every candidate points at its clause, and the clause is cited verbatim. The
learned model (``kb.answer.model``) scores every candidate of the top clauses against the question;
only above its threshold does the answer state a figure. Below it the answer says that no certain
figure was found and shows the clauses to read (``found`` false). Where binding documents state
different figures for the same thing, the answer says so and lists each with its region, status and
citation — it never silently picks one; a draft (征求意见稿) never leads while a binding rule exists.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import OrderedDict
from dataclasses import asdict, dataclass, field, replace

from kb.answer.candidates import Candidate, ClauseReader, head_phrases, yesno_phrases
from kb.answer.deadlines import TIME_UNITS, due_date, parse_start
from kb.answer.features import (
    FIGURE_KINDS,
    ClauseContext,
    admissible,
    coverage,
    lexicon_scores,
    mark_best_in_clause,
    mark_relative,
    own_context,
    vector,
)
from kb.answer.lexicon_signal import matching_fact
from kb.answer.model import AnswerModel, calibration_inputs, load_model
from kb.answer.question import Question, WordGroup, understand
from kb.answer.spelling import Correction, Speller
from kb.answer.standing import Standing, ordered, standings_of
from kb.errors import DeadlineError
from kb.index.generation import OpenIndex
from kb.model import clause_key
from kb.search.plan import search
from kb.search.scoring import TermLookups
from kb.vocab import Vocab, default_vocab
from kb.vocab.lexicon import Lexicon
from kb.vocab.wording import Wording

MAX_ANSWER = 400
CANDIDATE_HITS = 30
SHOWN_HITS = 10
READ_CLAUSES = 8  # the top clauses whose candidates are scored
RERANK_COVERAGE = 1.0  # weight of the question's word coverage beside the BM25 share when reordering hits
LEXICON_CLAUSES = 8  # clauses the lexicon adds for an asked item, ranked after the search's
MAX_CITATIONS = 5
MIN_COVERAGE = 0.6  # share of a question's words a clause must hold to answer it as a passage
UNSURE_COVERAGE = 0.5  # …and to be shown as the clauses to read when no figure is certain
PEER_SCORE_GAP = 1.0  # another document's figure about the same thing, ranked this close, is listed beside it
BINDING_GAP = 3.0  # a binding rule ranked this close to a draft ranked first is stated as the rule
TYPE_GAP = 3.0  # figures for other customer types ranked this close are listed when the question names none
MAX_TYPES = 5
LEXICON_PEER_GAP = 10.0  # …or this close, when the lexicon reads both as the same customer type and item
PEER_COVERAGE_GAP = 0.15
LONE_LEAD = 5.0  # the lead of a best candidate no other figure rivals (as in kb.answer.tuning)
CACHE_CLAUSES = 4096
UNSURE = "没有找到确切规定，请看以下条款。"
# How a rule defines a term: 本条例所称X，是指… / X是指… / X，指…
DEFINES = r"(?:所称|所说的|本[法条例规定办法]+中的)?[“\"]?{term}[”\"]?[，,]?(?:是指|指|是)"
IN_FORCE_NOTE = {"征求意见稿": "征求意见稿，尚未施行"}


@dataclass
class Answer:
    question: str
    found: bool
    answer: str
    figure: str = ""  # the headline figure; "4个工作日 / 20个工作日" when the documents differ
    citations: list[dict] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)
    applicable: list[dict] = field(default_factory=list)
    hits: list[dict] = field(default_factory=list)
    deadlines: list[dict] = field(default_factory=list)
    understood: dict = field(default_factory=dict)
    confidence: float = 0.0  # the model's probability for the figure stated (0 when none is)
    kind: str = ""  # figure | phrase | passage | definition | status | unsure | none

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Prepared:
    question: Question
    hits: list
    region: str | None
    on: dt.date
    standing: dict[str, Standing]
    named: list[str]
    contexts: list[ClauseContext]
    correction: Correction | None = None


@dataclass
class Scored:
    candidate: Candidate
    clause: ClauseContext
    score: float
    probability: float
    vector: list[float]


# -- text helpers ------------------------------------------------------------------------------------

def _doc_title(index: OpenIndex, doc_id: str) -> str:
    record = index.documents[doc_id]
    number = record["meta"].get("doc_number") or ""
    return f"{record['title']}（{number}）" if number and number not in record["title"] else record["title"]


def _citation(index: OpenIndex, doc_id: str, clause_id: str, text: str, label: str) -> dict:
    record = index.documents[doc_id]
    return {"doc_id": doc_id, "title": _doc_title(index, doc_id), "region": record["meta"].get("region", ""),
            "status": record["meta"].get("status", ""), "clause_id": clause_id, "label": label, "text": text}


def _status_note(standing: Standing | None) -> str:
    if standing is None:
        return ""
    if standing.effective_status in IN_FORCE_NOTE:
        return IN_FORCE_NOTE[standing.effective_status]
    if not standing.in_force:
        return standing.effective_status
    if not standing.applies_here:
        return f"适用于{standing.region}"
    return ""


def _coverage(question: Question, text: str, vocab: Vocab) -> float:
    """Share of the question's own words (not its region, not stop words) that the text holds."""
    region_words = {word for r in vocab.regions_named_in(question.norm) for n in vocab.regions[r].names
                    for word in vocab.analysis.words(n)}
    words = {p.text for p in vocab.content(question.text, subwords=False)} - region_words
    words = {w for w in words if any(c.isalnum() for c in w)}
    if not words:
        return 0.0
    haystack = vocab.analysis.normalize(text)
    return sum(1 for w in words if w in haystack) / len(words)


def _verbatim_segment(candidate: Candidate, clause_text: str) -> str:
    """The candidate's own words as the answer quotes them: a table cell with its row and column, else its
    segment (its sentence when the segment is short)."""
    if candidate.extra.get("quote"):
        return candidate.extra["quote"]
    segment_text = candidate.extra.get("segment_text") or candidate.segment
    if len(segment_text) < 8:
        segment_text = candidate.extra.get("sentence_text") or candidate.sentence
    return segment_text.strip() or clause_text[:120]


class Answerer:
    """The answer engine: the model, the wording, and the candidates of clauses already read."""

    def __init__(self, vocab: Vocab | None = None, model: AnswerModel | None = None,
                 use_lexicon: bool = True) -> None:
        """An engine reading questions and clauses with ``vocab`` (default: the package's vocabulary); the
        ``model`` is read from ``kb/data/answer_model.json`` on first use unless given."""
        self.vocab = vocab = vocab or default_vocab()
        self._model = model
        self.wording = vocab.wording
        self.lexicon = vocab.lexicon
        self.reader = ClauseReader(self.wording, vocab.analysis, vocab.units["idioms_after_one"])
        self.use_lexicon = use_lexicon
        self.speller = Speller(vocab, vocab.lexicon)
        self._clauses: OrderedDict[tuple, tuple] = OrderedDict()

    @property
    def model(self) -> AnswerModel:
        """The learned model, read from its data file on first use (``make tune`` needs none to start)."""
        if self._model is None:
            self._model = load_model()
        return self._model

    # -- reading -------------------------------------------------------------------------------------
    def _clause(self, index: OpenIndex, doc_id: str, clause_id: str):
        """(parsed clause, its candidates, its normalised text), read once per generation."""
        key = (index.manifest.get("fingerprint"), index.manifest.get("built_at"), doc_id, clause_id)
        found = self._clauses.get(key)
        if found is None:
            clause = index.parsed(doc_id).clause(clause_id)
            if clause is None:
                return None
            candidates = self.reader.clause(clause)
            found = (clause, candidates, self.wording.plain(clause.text))
            self._clauses[key] = found
            if len(self._clauses) > CACHE_CLAUSES:
                self._clauses.popitem(last=False)
        else:
            self._clauses.move_to_end(key)
        return found

    def _rerank(self, index: OpenIndex, question: Question, hits: list) -> list:
        """The search's hits reordered by their BM25 score and how much of the question's weighted words
        (with their aliases and lexicon forms) each clause holds: a clause holding the question's rarest
        words rises above one that repeats its common ones."""
        if len(hits) < 2:
            return hits
        if not question.weighed:
            self.weigh(index, question)
        best = hits[0].score or 1.0
        plain = self.wording.plain
        scored = [(h.score / best + RERANK_COVERAGE * coverage(question.groups, plain(h.heading + h.text)), -n, h)
                  for n, h in enumerate(hits)]
        return [h for _s, _n, h in sorted(scored, key=lambda t: (-t[0], -t[1]))]

    def _typo(self, index: OpenIndex, question: Question) -> Correction | None:
        """A probable typo (高压双电原): a stretch of the question one character from a corpus word, that is
        itself no word of the segmenter's dictionary."""
        self.weigh(index, question)
        return self.speller.correct(question.text, known=self.vocab.dictionary.FREQ)

    def weigh(self, index: OpenIndex, question: Question) -> Question:
        """The question's words weighted by rarity in the index (a word no clause holds is marked absent)."""
        if question.weighed:
            return question  # weighing twice would square the weights
        with index.searcher() as searcher:
            lookups = TermLookups(searcher)
            total = max(1, searcher.doc_count_all())
            weighted: list[WordGroup] = []
            for group in question.groups:
                frequencies = []
                for form in group.forms:
                    tokens = self.vocab.analysis.words(form) or [form]
                    frequencies.append(max(sum(lookups.doc_frequency(f, t) for f in ("text", "title", "heading"))
                                           for t in tokens) if tokens else 0)
                present = [df for df in frequencies if df > 0]
                df = min(present) if present else 0
                idf = math.log((total + 1) / (df + 1)) + 0.5
                weighted.append(WordGroup(group.word, group.forms, group.weight * idf, group.negated, not present,
                                          group.alias))
        question.groups = weighted
        question.weighed = True
        return question

    def _contexts(self, index: OpenIndex, question: Question, hits, region: str | None,
                  region_standing: dict[str, Standing], named: list[str]) -> list[ClauseContext]:
        keys: list[tuple[str, str, float]] = []
        best_score = hits[0].score if hits else 1.0
        for hit in hits:
            if named and hit.doc_id not in named:
                continue
            keys.append((hit.doc_id, hit.clause_id, hit.score / best_score if best_score else 0.0))
            if len(keys) >= READ_CLAUSES:
                break
        if self.use_lexicon and question.items:
            wanted = set(question.items[:1])
            subjects = set(self.lexicon.broader(question.subjects[0])) if question.subjects else None
            seen = {(d, c) for d, c, _ in keys}
            extra = 0
            for fact in index.facts_by_item.get(question.items[0], []):
                key = (fact.doc_id, fact.clause_id)
                if key in seen or fact.item not in wanted or (subjects and fact.subject not in subjects):
                    continue
                if named and fact.doc_id not in named:
                    continue
                seen.add(key)
                keys.append((*key, 0.0))
                extra += 1
                if extra >= LEXICON_CLAUSES:
                    break
        contexts: list[ClauseContext] = []
        for rank, (doc_id, clause_id, share) in enumerate(keys):
            read = self._clause(index, doc_id, clause_id)
            standing = region_standing.get(doc_id)
            if read is None or (standing is not None and not standing.applies_here):
                continue
            clause, candidates, text = read
            record = index.documents[doc_id]
            candidates = list(candidates)
            if question.heads:
                candidates += head_phrases(self.vocab.analysis.normalize(clause.text), question.heads,
                                           self.wording.boundaries, self.vocab.analysis)
            if question.yesno:
                candidates += yesno_phrases(self.vocab.analysis.normalize(clause.text),
                                            self.wording.yesno_verbs[question.yesno])
            for candidate in candidates:
                if not candidate.sentence:
                    self.reader.fill_context(clause.text, candidate)
            doc_region = self.vocab.canonical_region(record["meta"].get("region", "全国")) or "全国"
            contexts.append(ClauseContext(
                doc_id=doc_id, clause_id=clause_id, label=clause.label, text=text,
                heading=self.wording.plain(" ".join(clause.heading_path)), title=self.wording.plain(record["title"]),
                rank=rank, score_share=share,
                binding=standing.binding if standing else True,
                draft=bool(standing and standing.effective_status == "征求意见稿"),
                lapsed=bool(standing and not standing.in_force and standing.effective_status != "征求意见稿"),
                region_own=bool(region and doc_region == region and region != "全国"),
                doc_named=doc_id in named, in_table=clause.kind == "row", candidates=candidates,
                unnumbered=clause.kind == "paragraph" and clause.label.endswith("段"),
                facts=index.facts_by_clause.get(clause_key(doc_id, clause_id), []) if self.use_lexicon else []))
        return contexts

    def vectors(self, question: Question, contexts: list[ClauseContext]) -> list[tuple[Candidate, ClauseContext,
                                                                                         list[float]]]:
        """Every candidate of the clauses with its feature vector (the lexicon's features zero when it is off)."""
        out = []
        for context in contexts:
            owns = [coverage(question.groups, own_context(c, self.wording)) for c in context.candidates]
            best = max(owns, default=0.0)
            vectors = [vector(question, candidate, context, self.wording, best, self.lexicon)
                       for candidate in context.candidates]
            mark_best_in_clause(vectors)
            for candidate, features in zip(context.candidates, vectors, strict=True):
                out.append((candidate, context, features if self.use_lexicon else _without_lexicon(features)))
        mark_relative([features for _, _, features in out])
        return out

    def score(self, question: Question, contexts: list[ClauseContext]) -> list[Scored]:
        """Every candidate ranked by the model. The best carries the model's confidence that it answers the
        question (``kb.answer.model.calibration_inputs``); the others carry none (0)."""
        scored = [Scored(c, context, self.model.score(f), 0.0, f) for c, context, f in self.vectors(question, contexts)]
        scored.sort(key=lambda s: -s.score)
        if scored:
            _top, standing = calibration_inputs([s.score for s in scored],
                                                [self.wording.plain(s.candidate.figure) for s in scored],
                                                [s.vector for s in scored], LONE_LEAD)
            scored[0].probability = self.model.confidence(standing)
        return scored

    def prepare(self, index: OpenIndex, text: str, region: str | None = None, on: dt.date | None = None) -> Prepared:
        """Everything an answer is decided from: the question understood and weighed, the hits, the
        standings, the documents it names and, when it asks for a value, the clauses read for candidates."""
        question = understand(text or "", self.vocab)
        correction = self._typo(index, question)
        if correction is not None:
            text = self.vocab.analysis.normalize(text).replace(correction.wrote, correction.meant)
            question = understand(text, self.vocab)
        if region:
            region = self.vocab.region(region)
        region = region or question.region
        on = on or dt.date.today()
        region_standing = standings_of(index, region, on)
        hits = search(index, text or "", region=region, limit=CANDIDATE_HITS, highlighted=SHOWN_HITS).hits
        if not self.use_lexicon:
            question.subjects, question.items, question.qualifiers = [], [], []
        elif question.items and (not question.kind or (question.counted and not question.families)):
            # An agent's keywords naming an item the lexicon knows ask for its figure, in its units.
            question.kind = "figure"
            question.families = _families_of_units(self.lexicon.item_units(question.items[0]), self.wording)
        if question.counted and not question.families:
            question.families = list(self.wording.data["counted_families"])
        hits = self._rerank(index, question, hits)
        named = _named(index, question)
        prepared = Prepared(question, hits, region, on, region_standing, named, [], correction)
        if hits and question.asks_value and question.kind not in ("status", "definition"):
            if not _weighed(question):
                self.weigh(index, question)
            prepared.contexts = self._contexts(index, question, hits, region, region_standing, named)
        return prepared

    # -- answering ----------------------------------------------------------------------------------
    def ask(self, index: OpenIndex, text: str, region: str | None = None, on: dt.date | None = None,
            start: dt.date | None = None) -> Answer:
        """Answer a question from the corpus; ``region`` and ``on`` decide which rules bind.

        ``start`` (or a date in the question, such as 11月3日申请) is when the customer applied: a
        figure counted in 工作日, 日 or 小时 then also gives the latest date under each rule.
        """
        p = self.prepare(index, text, region, on)
        question, hits = p.question, p.hits
        answer = Answer(question=text, found=False, answer="")
        answer.hits = [h.to_dict() for h in hits[:SHOWN_HITS]]
        answer.understood = {**question.to_dict(), "region": p.region, "on": p.on.isoformat(),
                             "line": _understood_line(question, p.region, p.on),
                             "did_you_mean": p.correction.meant if p.correction else ""}
        try:
            self._answer(index, answer, p, text, start)
        finally:
            if p.correction is not None and answer.answer:
                answer.answer = (f"您是不是要找：{p.correction.meant}。" + answer.answer)[:MAX_ANSWER]
        return answer

    def _answer(self, index: OpenIndex, answer: Answer, p: Prepared, text: str, start: dt.date | None) -> None:
        question, hits = p.question, p.hits
        if not hits:
            answer.kind = "none"
            return
        if question.kind == "status" and self._status(index, answer, question, hits, p.named, p.standing):
            return
        if question.kind == "definition" and self._definition(index, answer, question, hits):
            return
        if question.asks_value:
            if not p.contexts:
                p.contexts = self._contexts(index, question, hits, p.region, p.standing, p.named)
            scored = self.score(question, p.contexts)
            if scored and scored[0].probability >= self.model.threshold and admissible(
                    question, scored[0].vector, [s.vector for s in scored[1:] if s.candidate.family ==
                                                 scored[0].candidate.family]):
                self._figure(index, answer, question, scored, p.region, p.standing, text, p.on, start)
            else:
                self._unsure(index, answer, question, hits, scored)
        else:
            self._passage(index, answer, question, hits)
        if answer.found:
            self._applicable(answer, p.standing)

    def _as_stated(self, scored: Scored, question: Question) -> Scored:
        """A phrase as the answer states it: without the question's own words it opens with (the question
        already says 报告; the answer is whom) and without a leading word pointing back (该项目…: the
        project is the question's). A copy: the clause's candidates are shared by every question."""
        candidate = scored.candidate
        if candidate.kind != "phrase" or not isinstance(candidate.value, str):
            return scored
        words = self.vocab.analysis.words(candidate.value)
        asked = {form for group in question.groups if not group.alias for form in group.forms}
        cut = at = 0
        while cut < len(words) - 1 and (words[cut] in asked or words[cut] in self.wording.pointing_back):
            at = candidate.value.find(words[cut], at) + len(words[cut])  # the text as printed, brackets and all
            cut += 1
        core = candidate.value[at:]
        if not cut or len(core) < 2:
            return scored
        return replace(scored, candidate=replace(candidate, value=core))

    def _figure(self, index: OpenIndex, answer: Answer, question: Question, scored: list[Scored],
                region: str | None, region_standing: dict[str, Standing], text: str, on: dt.date,
                start: dt.date | None) -> None:
        scored = [self._as_stated(s, question) for s in scored[:1]] + scored[1:]
        best = scored[0]
        lex = self.lexicon
        by_type = _by_customer_type(best, scored, question, lex) if self.use_lexicon else []
        group = by_type or _by_authority(_same_thing(best, scored, lex), region_standing)
        headline = group[0]
        answer.found = True
        answer.kind = "phrase" if best.candidate.kind in ("phrase", "cell") else "figure"
        answer.confidence = round(headline.probability, 3)
        facts = [_fact(index, s, question, self.vocab) for s in group]
        others = [s for s in scored[1:6] if all(s is not g for g in group)]
        answer.facts = facts + [_fact(index, s, question, self.vocab) for s in others[: max(0, 4 - len(group))]]
        answer.figure = " / ".join(dict.fromkeys(f["figure"] for f in facts))
        answer.answer = _by_type_sentence(index, group, region_standing, lex) if by_type else _sentence(
            index, group, region_standing)
        answer.deadlines = _deadlines(index, facts, start or parse_start(text or "", on, self.vocab.analysis.normalize))
        due = "；".join(dict.fromkeys(f"按{d['region']}规定最迟{d['due']}{'（估算）' if d.get('estimated') else ''}"
                                      for d in answer.deadlines if d.get("due")))
        if due and len(answer.answer) + len(due) + 12 <= MAX_ANSWER:
            answer.answer += f"自{answer.deadlines[0]['start']}起算，{due}。"
        citations = [_citation(index, s.clause.doc_id, s.clause.clause_id, *_clause_text(index, s.clause))
                     for s in group]
        citations += [_citation(index, h["doc_id"], h["clause_id"], h["text"], h["label"]) for h in answer.hits]
        answer.citations = list({(c["doc_id"], c["clause_id"]): c for c in citations}.values())[:MAX_CITATIONS]
        answer.understood["figure_kind"] = best.candidate.kind

    def _unsure(self, index: OpenIndex, answer: Answer, question: Question, hits, scored: list[Scored]) -> None:
        """No figure is certain enough: say so, and show the clauses to read (none when nothing is close)."""
        answer.kind = "unsure"
        answer.confidence = round(scored[0].probability, 3) if scored else 0.0
        top = hits[0]
        if _coverage(question, top.text + top.heading + top.title, self.vocab) >= UNSURE_COVERAGE:
            answer.answer = UNSURE
            answer.citations = [_citation(index, h.doc_id, h.clause_id, h.text, h.label) for h in hits[:3]]

    def _passage(self, index: OpenIndex, answer: Answer, question: Question, hits) -> None:
        top = hits[0]
        if _coverage(question, top.text + top.heading + top.title, self.vocab) < MIN_COVERAGE:
            answer.kind = "none"
            return
        self._quote(index, answer, top, "passage")
        answer.citations = [_citation(index, h.doc_id, h.clause_id, h.text, h.label) for h in hits[:MAX_CITATIONS]]

    def _quote(self, index: OpenIndex, answer: Answer, hit, kind: str) -> None:
        answer.found = True
        answer.kind = kind
        excerpt = hit.text if len(hit.text) <= 300 else hit.text[:300] + "…"
        answer.answer = f"《{_doc_title(index, hit.doc_id)}》{hit.label}：{excerpt}"[:MAX_ANSWER]

    def _definition(self, index: OpenIndex, answer: Answer, question: Question, hits) -> bool:
        """X是什么 / X是指: the clause that defines X (本条例所称X，是指… / X是指…), cited like a figure."""
        terms = sorted((g.word for g in question.groups if len(g.word) >= 2), key=len, reverse=True)
        for hit in hits[:SHOWN_HITS]:
            text = self.vocab.analysis.normalize(hit.text)
            for term in terms:
                if re.search(DEFINES.format(term=re.escape(term)), text):
                    self._quote(index, answer, hit, "definition")
                    ordered_hits = [hit] + [h for h in hits if h is not hit]
                    answer.citations = [_citation(index, h.doc_id, h.clause_id, h.text, h.label)
                                        for h in ordered_hits[:MAX_CITATIONS]]
                    return True
        return False

    def _status(self, index: OpenIndex, answer: Answer, question: Question, hits, named: list[str],
                region_standing: dict[str, Standing]) -> bool:
        """生效了吗 / 作废: the document's standing on the date and what it repeals or is repealed by."""
        doc_id = named[0] if named else hits[0].doc_id
        standing = region_standing.get(doc_id)
        if standing is None:
            return False
        record = index.documents[doc_id]
        meta = record["meta"]
        parts = [f"《{_doc_title(index, doc_id)}》：{standing.effective_status}"]
        parts += [n for n in standing.notes if n not in parts[0]]
        draft = standing.effective_status == "征求意见稿"
        for entry in meta.get("supersedes") or []:
            target = (entry.get("ref") or entry.get("title") or entry.get("id") or "") if isinstance(entry, dict) \
                else str(entry)
            extent = (entry.get("extent") if isinstance(entry, dict) else "") or "全部废止"
            if "不一致" in extent:
                parts.append(f"{'施行后' if draft else ''}与{target}不一致之处以本文件为准")
            else:
                verb = "取代旧版本" if extent == "修订" else "废止"
                parts.append(f"{'正式发布施行后拟' if draft else ''}{verb}：{target}")
        answer.found = True
        answer.kind = "status"
        answer.answer = ("；".join(parts) + "。")[:MAX_ANSWER]
        answer.figure = standing.effective_status
        answer.facts = [{"subject": "", "item": "文件效力", "value": standing.effective_status, "unit": "",
                         "bound": "", "qualifiers": [], "doc_id": doc_id, "clause_id": "", "label": "",
                         "region": standing.region, "status": meta.get("status", ""), "context": "；".join(parts),
                         "figure": standing.effective_status}]
        first = next((h for h in hits if h.doc_id == doc_id), None)
        citations = [_citation(index, doc_id, first.clause_id, first.text, first.label)] if first else []
        citations += [_citation(index, h.doc_id, h.clause_id, h.text, h.label) for h in hits[:MAX_CITATIONS]]
        answer.citations = list({(c["doc_id"], c["clause_id"]): c for c in citations}.values())[:MAX_CITATIONS]
        return True

    @staticmethod
    def _applicable(answer: Answer, region_standing: dict[str, Standing]) -> None:
        """Every document involved, in order of authority, with its standing; a figure only beside the
        documents whose figure is about the same thing as the headline (same family, same conditions)."""
        same = [f for f in answer.facts if f.get("peer")]
        figures: dict[str, dict] = {}
        for fact in same:
            figures.setdefault(fact["doc_id"], fact)
        involved = list(dict.fromkeys([f["doc_id"] for f in same] + [c["doc_id"] for c in answer.citations]))
        answer.applicable = [{**s.to_dict(), **({"figure": figures[s.doc_id]["figure"],
                                                 "label": figures[s.doc_id]["label"]} if s.doc_id in figures else {})}
                             for s in ordered(region_standing[d] for d in involved if d in region_standing)]


# -- composing --------------------------------------------------------------------------------------

def _weighed(question: Question) -> bool:
    return bool(question.groups) and getattr(question, "weighed", False)


def _without_lexicon(features: list[float]) -> list[float]:
    from kb.answer.features import FEATURES

    return [0.0 if name.startswith("lex_") else value for name, value in zip(FEATURES, features, strict=True)]


def _families_of_units(units: list[str], w: Wording) -> list[str]:
    return list(dict.fromkeys(f for u in units if (f := w.family(u) or w.family("个" + u))))


def _named(index: OpenIndex, question: Question) -> list[str]:
    """Documents the question names: by title (电力供应与使用条例), or by number (64号文, 〔2024〕857号)."""
    named, _rest = index.titles.named(question.text)
    for number in re.findall(r"(\d+)号(?:文|文件)?", question.norm):
        for doc_id, record in index.documents.items():
            doc_number = index.vocab.analysis.normalize(record["meta"].get("doc_number") or "")
            if doc_number.endswith(f"{number}号") and doc_id not in named:
                named.append(doc_id)
    return named


def _understood_line(question: Question, region: str | None, on: dt.date) -> str:
    """理解为：高压双电源用户 · 供电方案答复 · 巴彦淖尔市 · 2026-12-01 (and the conditions)."""
    named = "".join(question.subjects[:1] + question.items[:1])
    conditions = [c for c in question.conditions if c not in named]
    parts = [*question.subjects[:1], *question.items[:1], *conditions, region or "全国", on.isoformat()]
    if not question.subjects and not question.items:
        parts = [g.word for g in question.groups if g.weight >= 1 and not g.absent][:4] + parts
    return "理解为：" + " · ".join(dict.fromkeys(p for p in parts if p))


def _clause_text(index: OpenIndex, clause: ClauseContext) -> tuple[str, str]:
    text, label = index.clause_text(clause.doc_id, clause.clause_id)
    return text, label or clause.label


def _same_family(a: Candidate, b: Candidate) -> bool:
    if a.kind in FIGURE_KINDS and b.kind in FIGURE_KINDS:
        return a.family == b.family and (a.kind == "range") == (b.kind == "range")
    return a.kind == b.kind and a.frame == b.frame


def _lexicon_reading(scored: Scored, lex: Lexicon) -> tuple | None:
    """(customer type, item, unit, conditions) as the lexicon read the candidate's figure, if it did."""
    fact = matching_fact(scored.candidate, scored.clause.facts) if scored.clause.facts else None
    if fact is None or not (fact.subject or fact.item):
        return None
    conditions = frozenset(set(fact.qualifiers) & set(lex.qualifier_entries))
    return fact.subject, fact.item, fact.unit, conditions


def _same_thing(best: Scored, scored: list[Scored], lex: Lexicon) -> list[Scored]:
    """The best candidate, and one per other document stating the same thing. Where the lexicon read both
    (the same customer type, item, unit and conditions), that decides, within a wide score gap; otherwise a
    candidate of the same family, nearly as well ranked, whose own words cover the question as well. A
    candidate contradicting a condition the question names is never the same thing."""
    from kb.answer.features import FEATURES

    own = FEATURES.index("cov_own")
    contra = FEATURES.index("cond_contra")
    reading = _lexicon_reading(best, lex)
    group = [best]
    docs = {best.clause.doc_id}
    for other in scored[1:]:
        if other.clause.doc_id in docs or other.vector[contra] > 0:
            continue
        if not _same_family(best.candidate, other.candidate):
            continue
        other_reading = _lexicon_reading(other, lex)
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


def _by_customer_type(best: Scored, scored: list[Scored], question: Question, lex: Lexicon) -> list[Scored]:
    """A question naming no customer type, whose answer depends on one (供电方案答复几天: 低压, 高压单电源,
    高压双电源 differ): the figure of each type the best candidate's document states for the same item,
    so the answer says which types it covers instead of silently choosing one. [] when the question
    names a type, or the answer does not depend on it."""
    reading = _lexicon_reading(best, lex)
    if question.subjects or reading is None or not reading[0]:
        return []
    _subject, item, unit, conditions = reading
    by_doc: dict[str, dict[str, Scored]] = {}
    for other in scored:
        other_reading = _lexicon_reading(other, lex)
        if (other_reading is None or other.score < best.score - TYPE_GAP or not other_reading[0]
                or other_reading[1:] != (item, unit, conditions)):
            continue
        by_doc.setdefault(other.clause.doc_id, {}).setdefault(other_reading[0], other)
    # the most authoritative document stating the item for several types: a binding one before a draft
    docs = sorted((d for d, types in by_doc.items() if len(types) > 1),
                  key=lambda d: (not next(iter(by_doc[d].values())).clause.binding,
                                 -max(s.score for s in by_doc[d].values())))
    return list(by_doc[docs[0]].values())[:MAX_TYPES] if docs else []


def _by_type_sentence(index: OpenIndex, group: list[Scored], region_standing: dict[str, Standing],
                      lex: Lexicon) -> str:
    first = group[0]
    note = _status_note(region_standing.get(first.clause.doc_id))
    region = index.documents[first.clause.doc_id]["meta"].get("region", "")
    parts = "；".join(f"{(_lexicon_reading(s, lex) or ('',))[0]}{s.candidate.figure}" for s in group)
    text = (f"{region}：按用户类型不同——{parts}{'（' + note + '）' if note else ''}。"
            f"依据《{_doc_title(index, first.clause.doc_id)}》。问题未说明用户类型，请按客户情况选用。")
    return text if len(text) <= MAX_ANSWER else text[: MAX_ANSWER - 1] + "…"


def _by_authority(group: list[Scored], region_standing: dict[str, Standing]) -> list[Scored]:
    """Binding rules first, the most specific region first (city before region before nation); drafts and
    rules not in force after them; the model's order within each."""
    ranks = {s.doc_id: n for n, s in enumerate(ordered(region_standing[d] for d in
                                                       {g.clause.doc_id for g in group} if d in region_standing))}
    return sorted(group, key=lambda s: (ranks.get(s.clause.doc_id, len(ranks)), -s.score))


def _fact(index: OpenIndex, scored: Scored, question: Question, vocab: Vocab) -> dict:
    candidate, clause = scored.candidate, scored.clause
    record = index.documents[clause.doc_id]
    own = own_context(candidate, vocab.wording)
    lex = vocab.lexicon
    subjects = [m.name for m in lex.subjects_in(own) if m.kind != "actor"]
    items = [m.name for m in lex.items_in(own)]
    conditions = list(dict.fromkeys(vocab.wording.condition_re.findall(own)))
    return {"subject": subjects[-1] if subjects else "", "item": items[-1] if items else "",
            "value": candidate.fact_value, "unit": candidate.unit if isinstance(candidate.value, int | float) else "",
            "bound": candidate.bound, "qualifiers": conditions, "doc_id": clause.doc_id, "clause_id": clause.clause_id,
            "label": clause.label, "region": record["meta"].get("region", ""),
            "status": record["meta"].get("status", ""), "context": candidate.segment or candidate.sentence,
            "figure": candidate.figure, "kind": candidate.kind, "probability": round(scored.probability, 3),
            "peer": True}


def _sentence(index: OpenIndex, group: list[Scored], region_standing: dict[str, Standing]) -> str:
    """What an agent can read out: the figure that binds and where, with the clause's own words; every
    binding figure when they differ; drafts and rules not in force after them, as what they would set."""
    def binds(s: Scored) -> bool:
        standing = region_standing.get(s.clause.doc_id)
        return standing is None or standing.binding

    def source(s: Scored) -> str:
        return f"《{_doc_title(index, s.clause.doc_id)}》{s.clause.label}"

    def part(s: Scored) -> str:
        note = _status_note(region_standing.get(s.clause.doc_id))
        region = index.documents[s.clause.doc_id]["meta"].get("region", "")
        words = _verbatim_segment(s.candidate, s.clause.text)
        words = words if len(words) <= 120 else words[:119] + "…"
        return f"{region}：{s.candidate.figure}{'（' + note + '）' if note else ''}。依据{source(s)}：“{words}”"

    binding = [s for s in group if binds(s)]
    others = [s for s in group if not binds(s)]
    lead = binding or others[:1]
    others = [s for s in others if s not in lead]
    values = {s.candidate.figure for s in lead}
    if len(lead) == 1:
        text = part(lead[0]) + "。"
    elif len(values) == 1:
        text = part(lead[0]) + f"，{len(lead)}份现行文件规定一致：依据{'、'.join(source(s) for s in lead[:3])}。"
    else:
        text = "各现行文件规定不同，均列出：" + "；".join(part(s) for s in lead) + "。"
    if others:
        text += "尚未施行的文件另有规定：" + "；".join(
            f"{index.documents[s.clause.doc_id]['meta'].get('region', '')}{source(s)}"
            f"（{_status_note(region_standing.get(s.clause.doc_id)) or '不适用'}）：{s.candidate.figure}"
            for s in others) + "。"
    return text if len(text) <= MAX_ANSWER else text[: MAX_ANSWER - 1] + "…"


def _deadlines(index: OpenIndex, facts: list[dict], start: dt.date | None) -> list[dict]:
    """The latest date under each rule whose figure is a time limit, counted from ``start``."""
    if start is None:
        return []
    out = []
    for fact in facts:
        if fact["unit"] not in TIME_UNITS or not isinstance(fact["value"], int | float):
            continue
        entry = {"doc_id": fact["doc_id"], "region": fact["region"], "title": _doc_title(index, fact["doc_id"]),
                 "label": fact["label"], "figure": fact["figure"], "start": start.isoformat()}
        try:
            deadline = due_date(start, fact["value"], fact["unit"])
            # estimated: counted through a year without a published holiday arrangement (the rule says 估算)
            entry.update({"due": deadline.due.isoformat(), "rule": deadline.rule, "estimated": deadline.estimated})
        except DeadlineError as error:  # a year no calendar covers, or not a countable limit
            entry["error"] = str(error)
        out.append(entry)
    return out


ENGINE = "kb.answer"  # the key of an open index's engine in OpenIndex.extensions


def ask(index: OpenIndex, text: str, region: str | None = None, on: dt.date | None = None,
        start: dt.date | None = None) -> Answer:
    """Answer a question with the index's answer engine (see ``Answerer.ask``): made on first use with the
    index's vocabulary and kept on the index (``OpenIndex.extensions``), so the model file is read once."""
    engine = index.extensions.get(ENGINE)
    if engine is None:
        engine = index.extensions.setdefault(ENGINE, Answerer(index.vocab))
    return engine.ask(index, text, region=region, on=on, start=start)


__all__ = ["Answer", "Answerer", "ask", "lexicon_scores"]
