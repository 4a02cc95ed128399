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

import dataclasses
import datetime as dt
import math
import re
from dataclasses import dataclass, replace

from kb.answer import passages
from kb.answer.candidates import Candidate
from kb.answer.contexts import ClauseContexts
from kb.answer.deadlines import parse_start
from kb.answer.features import (
    ClauseContext,
    Coverage,
    admissible,
    coverage,
    eligible,
    lexicon_scores,
    mark_best_in_clause,
    mark_relative,
    mark_words_elsewhere,
    own_context,
    vector,
)
from kb.answer.model import AnswerModel, calibration_inputs, load_model
from kb.answer.peers import Scored, by_authority, by_customer_type, same_thing
from kb.answer.question import Question, WordGroup, understand
from kb.answer.reader import ITEM_MARK, ClauseReader
from kb.answer.spelling import Correction, Speller
from kb.answer.standing import Standing, standings_of
from kb.answer.statement import (
    MAX_ANSWER,
    MAX_CITATIONS,
    SHOWN_HITS,
    Answer,
    agent_forms,
    applicable,
    by_type_sentence,
    citation,
    clause_text,
    figure_sentence,
    latest_dates,
    listed_items,
    stated_fact,
    understood_line,
)
from kb.index.generation import OpenIndex
from kb.search.plan import search
from kb.search.scoring import TermLookups
from kb.vocab import Vocab, default_vocab
from kb.vocab.wording import Wording

CANDIDATE_HITS = 30
RERANK_COVERAGE = 1.0  # weight of the question's word coverage beside the BM25 share when reordering hits
RERANK_LISTS = 0.5  # a clause listing cases, for a question asking which cases
LONE_LEAD = 5.0  # the lead of a best candidate no other figure rivals (as in kb.answer.tuning)


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
        self.reader = ClauseReader(self.wording, vocab.analysis, vocab.units["idioms_after_one"],
                                   vocab.units["figures"]["counted"])
        self.use_lexicon = use_lexicon
        self.speller = Speller(vocab, vocab.lexicon)
        self.contexts = ClauseContexts(vocab, self.reader, use_lexicon)

    @property
    def model(self) -> AnswerModel:
        """The learned model, read from its data file on first use (``make tune`` needs none to start)."""
        if self._model is None:
            self._model = load_model()
        return self._model

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
        lists = question.asks_cases and not question.asks_value
        scored = [(h.score / best + RERANK_COVERAGE * coverage(question.groups, plain(h.heading + h.text))
                   + (RERANK_LISTS * self._lists_cases(h.text) if lists else 0.0), -n, h)
                  for n, h in enumerate(hits)]
        return [h for _s, _n, h in sorted(scored, key=lambda t: (-t[0], -t[1]))]

    def _lists_cases(self, text: str) -> bool:
        """Whether a clause lists cases: 有下列情形之一的, or two enumerated items ((一)…(二)…)."""
        plain = self.wording.plain(text)
        return any(word in plain for word in self.wording.lists_cases) or len(ITEM_MARK.findall(plain)) >= 2

    def _typo(self, index: OpenIndex, question: Question, hits: list) -> Correction | None:
        """A probable typo (高压双电原): a stretch of the question one character from a corpus word, that is
        itself no word of the segmenter's dictionary; else two characters that a homophone makes a word the
        index holds (修政 → 修正). Never a stretch that the clauses found for the question (``hits``, before
        any correction) say as typed: 居民用气 is what a gas rule says, no slip of 居民用户."""
        self.weigh(index, question)
        texts = [self.vocab.analysis.normalize(h.text) for h in hits[:SHOWN_HITS]]
        known = self.vocab.dictionary.FREQ
        correction = self.speller.correct(question.text, known=known, found=texts)
        if correction is None and texts:
            with index.searcher() as searcher:
                lookups = TermLookups(searcher)
                correction = self.speller.homophone(question.text, known,
                                                    lambda word: lookups.doc_frequency("text", word), texts)
        return correction

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
                weighted.append(dataclasses.replace(group, weight=group.weight * idf, absent=not present))
        question.groups = weighted
        question.weighed = True
        return question

    def vectors(self, question: Question, contexts: list[ClauseContext]) -> list[tuple[Candidate, ClauseContext,
                                                                                         list[float]]]:
        """Every candidate of the clauses with its feature vector (the lexicon's features zero when it is off)."""
        out = []
        cover = Coverage(question.groups)
        for context in contexts:
            owns = [cover(own_context(c, self.wording)) for c in context.candidates]
            best = max(owns, default=0.0)
            vectors = [vector(question, candidate, context, self.wording, best, self.lexicon, cover)
                       for candidate in context.candidates]
            mark_best_in_clause(vectors)
            mark_words_elsewhere(question, context, vectors, self.wording)
            for candidate, features in zip(context.candidates, vectors, strict=True):
                out.append((candidate, context, features if self.use_lexicon else _without_lexicon(features)))
        mark_relative([features for _, _, features in out])
        return out

    def score(self, question: Question, contexts: list[ClauseContext]) -> list[Scored]:
        """Every candidate ranked by the model. The best carries the model's confidence that it answers the
        question (``kb.answer.model.calibration_inputs``); the others carry none (0)."""
        scored = [Scored(c, context, self.model.score(f), 0.0, f) for c, context, f in self.vectors(question, contexts)]
        scored.sort(key=lambda s: (not eligible(s.vector), -s.score))
        if scored:
            # the confidence weighs the best against its rivals of the right type only
            rivals = [s for s in scored if eligible(s.vector)] or scored
            _top, standing = calibration_inputs([s.score for s in rivals],
                                                [self.wording.plain(s.candidate.figure) for s in rivals],
                                                [s.vector for s in rivals], LONE_LEAD,
                                                [self.reading(s.candidate, s.clause) for s in rivals])
            scored[0].probability = self.model.confidence(standing)
        return scored

    def reading(self, candidate: Candidate, clause: ClauseContext) -> tuple[str, str]:
        """What a candidate says without its figures, and where (``kb.answer.model.calibration_inputs``)."""
        words = re.sub(r"[\d.]+|[零一二两三四五六七八九十百千万]+", "#", own_context(candidate, self.wording))
        return words, clause.doc_id

    def prepare(self, index: OpenIndex, text: str, region: str | None = None, on: dt.date | None = None) -> Prepared:
        """Everything an answer is decided from: the question understood and weighed, the hits, the
        standings, the documents it names and, when it asks for a value, the clauses read for candidates."""
        text = self.vocab.simplified(text or "")  # 罰款多少 asks what 罚款多少 asks
        question = understand(text, self.vocab)
        asked_region = self.vocab.region(region) if region else None
        region = asked_region or question.region
        hits = search(index, text or "", region=region, limit=CANDIDATE_HITS, highlighted=SHOWN_HITS).hits
        correction = self._typo(index, question, hits)
        if correction is not None:
            text = self.vocab.analysis.normalize(text).replace(correction.wrote, correction.meant)
            question = understand(text, self.vocab)
            region = asked_region or question.region
            hits = search(index, text, region=region, limit=CANDIDATE_HITS, highlighted=SHOWN_HITS).hits
        on = on or dt.date.today()
        region_standing = standings_of(index, region, on)
        if not self.use_lexicon:
            question.subjects, question.items, question.qualifiers = [], [], []
        elif question.items and (not question.kind or (question.counted and not question.families)):
            # An agent's keywords naming an item the lexicon knows ask for its figure, in its units.
            question.kind = "figure"
            question.families = _families_of_units(self.lexicon.item_units(question.items[0]), self.wording)
        if question.counted and not question.families:
            question.families = list(self.wording.data["counted_people_families" if question.counts_people
                                                        else "counted_families"])
        hits = self._rerank(index, question, hits)
        named = _named(index, question)
        prepared = Prepared(question, hits, region, on, region_standing, named, [], correction)
        if hits and question.asks_value and question.kind not in ("status", "definition"):
            if not _weighed(question):
                self.weigh(index, question)
            prepared.contexts = self.contexts.of(index, question, hits, region, region_standing, named)
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
                             "line": understood_line(question, p.region, p.on, self.vocab),
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
        if question.kind == "status" and passages.status(index, answer, hits, p.named, p.standing, self.vocab):
            return
        if question.kind == "definition" and passages.definition(index, answer, question, hits, self.vocab):
            return
        if question.asks_value:
            if not p.contexts:
                p.contexts = self.contexts.of(index, question, hits, p.region, p.standing, p.named)
            scored = self.score(question, p.contexts)
            if scored and scored[0].probability >= self.model.threshold and admissible(
                    question, scored[0].vector, case_rivals(scored)):
                self._figure(index, answer, question, scored, p.region, p.standing, text, p.on, start)
            else:
                passages.unsure(index, answer, question, hits, scored, self.vocab)
        else:
            passages.passage(index, answer, question, hits, self.vocab)
        if answer.found:
            applicable(answer, p.standing, self.vocab)

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
        core = candidate.value[at:].lstrip("的")  # 每年的采暖期…, 每年 cut: no phrase opens with 的
        if not cut or len(core) < 2:
            return scored
        return replace(scored, candidate=replace(candidate, value=core))

    def _figure(self, index: OpenIndex, answer: Answer, question: Question, scored: list[Scored],
                region: str | None, region_standing: dict[str, Standing], text: str, on: dt.date,
                start: dt.date | None) -> None:
        scored = [self._as_stated(s, question) for s in scored[:1]] + scored[1:]
        best = scored[0]
        lex = self.lexicon
        by_type = by_customer_type(best, scored, question, lex) if self.use_lexicon else []
        group = by_type or by_authority(same_thing(best, scored, lex), region_standing, self.vocab)
        headline = group[0]
        answer.found = True
        answer.kind = "phrase" if best.candidate.kind in ("phrase", "cell") else "figure"
        answer.confidence = round(headline.probability, 3)
        facts = [stated_fact(index, s, question, self.vocab) for s in group]
        others = [s for s in scored[1:6] if all(s is not g for g in group)]
        listed = listed_items(facts[0])
        forms = [] if listed else agent_forms(facts[0], headline, question, self.vocab)
        # the names a listed phrase holds, or a body's other forms, right after the headline — unless other
        # documents' figures stand beside it: those come first
        first = listed or (forms if len(facts) == 1 else [])
        answer.facts = facts[:1] + first + facts[1:] + ([] if first else forms) + [
            stated_fact(index, s, question, self.vocab) for s in others[: max(0, 4 - len(group))]]
        answer.figure = " / ".join(dict.fromkeys(f["figure"] for f in facts))
        answer.answer = by_type_sentence(index, group, region_standing, self.vocab) if by_type else figure_sentence(
            index, group, region_standing, self.vocab)
        answer.deadlines = latest_dates(index, facts,
                                        start or parse_start(text or "", on, self.vocab.analysis.normalize),
                                        self.vocab)
        due = "；".join(dict.fromkeys(f"按{d['region']}规定最迟{d['due']}{'（估算）' if d.get('estimated') else ''}"
                                      for d in answer.deadlines if d.get("due")))
        if due and len(answer.answer) + len(due) + 12 <= MAX_ANSWER:
            answer.answer += f"自{answer.deadlines[0]['start']}起算，{due}。"
        citations = [citation(index, s.clause.doc_id, s.clause.clause_id, *clause_text(index, s.clause))
                     for s in group]
        citations += [citation(index, h["doc_id"], h["clause_id"], h["text"], h["label"]) for h in answer.hits]
        answer.citations = list({(c["doc_id"], c["clause_id"]): c for c in citations}.values())[:MAX_CITATIONS]
        answer.understood["figure_kind"] = best.candidate.kind


# -- composing --------------------------------------------------------------------------------------

def case_rivals(scored: list[Scored]) -> list[list[float]]:
    """The vectors of the candidates that state their figure beside the best's, as another case of one rule:
    of its family, in its clause (a case another document names says nothing of the best's own clause)."""
    best = scored[0]
    return [s.vector for s in scored[1:] if s.candidate.family == best.candidate.family
            and s.clause.doc_id == best.clause.doc_id and s.clause.clause_id == best.clause.clause_id]


def _weighed(question: Question) -> bool:
    return bool(question.groups) and getattr(question, "weighed", False)


def _without_lexicon(features: list[float]) -> list[float]:
    from kb.answer.features import FEATURES

    return [0.0 if name.startswith("lex_") else value for name, value in zip(FEATURES, features, strict=True)]


def _families_of_units(units: list[str], w: Wording) -> list[str]:
    return list(dict.fromkeys(f for u in units if (f := w.family(u) or w.family("个" + u))))


def _named(index: OpenIndex, question: Question) -> list[str]:
    """Documents the question names: by title (电力供应与使用条例), by number (64号文, 〔2024〕857号), or as the
    draft (征求意见稿)."""
    named, _rest = index.titles.named(question.text)
    draft = index.vocab.draft
    if draft in question.norm:  # 征求意见稿附件2…: the question names the draft(s) as a title would
        named += [doc_id for doc_id, record in index.documents.items()
                  if record["meta"].get("status") == draft and doc_id not in named]
    for number in re.findall(r"(\d+)号(?:文|文件)?", question.norm):
        for doc_id, record in index.documents.items():
            doc_number = index.vocab.analysis.normalize(record["meta"].get("doc_number") or "")
            if doc_number.endswith(f"{number}号") and doc_id not in named:
                named.append(doc_id)
    return named


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
