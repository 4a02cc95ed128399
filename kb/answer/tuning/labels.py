"""The labelled candidates: every question of the sets asked as the engine asks it, each candidate of its
top clauses with its feature vector and whether stating it would answer the question."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.analysis.comparison import fact_figure, figure_key, holds
from kb.answer.compose import Answerer
from kb.index.generation import OpenIndex

ROOT = Path(__file__).resolve().parents[3]


ON = dt.date(2026, 12, 1)


@dataclass
class Asked:
    """One question as the tuning sees it: its record, its document group and its labelled candidates."""

    record: dict
    group: str
    vectors: list[list[float]] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    question: Any = None  # the question as the engine read it (a Question), for ``admissible``
    figures: list[str] = field(default_factory=list)
    figures_right: list[bool] = field(default_factory=list)  # the figure is right, wherever it was read
    families: list[str] = field(default_factory=list)  # each candidate's unit family
    readings: list[tuple[str, str]] = field(default_factory=list)  # own words without figures, document
    clauses: list[tuple[str, str]] = field(default_factory=list)  # each candidate's (document, clause)
    routed: str = ""  # value | other (passage, definition, status, nothing found)


def default_sets() -> list[Path]:
    """The public question sets: ``../shared/eval/dev.jsonl`` and ``dev2.jsonl`` where they exist, and
    ``tests/questions/*.jsonl``."""
    shared = ROOT.parent / "shared" / "eval"
    return [p for p in (shared / "dev.jsonl", shared / "dev2.jsonl") if p.exists()] + sorted(
        (ROOT / "tests" / "questions").glob("*.jsonl"))


def figure_right(record: dict, candidate) -> bool:
    """Whether the candidate's figure is an expected one, wherever it was read (see ``label``)."""
    expect = record.get("expect") or []
    unit = candidate.unit if isinstance(candidate.value, int | float) else ""
    keys = {figure_key(e) for e in expect}
    figure = figure_key(candidate.figure)
    return figure_key(fact_figure({"value": candidate.fact_value, "unit": unit})) in keys or any(
        holds(candidate.figure, e) or (figure and figure_key(e).startswith(figure) and holds(candidate.segment, e))
        for e in expect)


def label(record: dict, candidate, clause_text: str, title: str) -> int:
    """1 when stating this candidate answers the question: its figure is an expected one (the value and
    unit, as the eval reads facts, or the figure as written holding an expected string, or an expected
    string its own segment states around it: 5万元 of 可以处五万元以下的罚款 for 五万元以下), and its
    clause holds a cited snippet (in a document whose title holds ``doc`` when the record names one)."""
    right = figure_right(record, candidate)
    cited = any(holds(clause_text, c) for c in record.get("cite") or [])
    doc = record.get("doc")
    return int(right and cited and (doc is None or holds(title, doc)))


def _group(record: dict, index: OpenIndex, imported: dict[str, str]) -> str:
    """The document a question is about: its source, or the corpus document holding a cited snippet."""
    source = record.get("source")
    if source and source != "corpus":
        return imported.get(source, source)
    for snippet in record.get("cite") or []:
        for doc_id, documented in index.documents.items():
            if holds(documented["body"], snippet):
                return doc_id
    return "corpus:unknown"


def _prefer_whole_ranges(item: Asked, question, candidates) -> None:
    """An end of a range (50万元 of 5万元以上50万元以下) often is an expected figure too, but a question that
    asks neither 最高 nor 最低 is answered by the whole range: where the whole is right, its ends are not
    labelled right as well, so the ranker learns to state ranges whole."""
    if question.range_end:
        return
    whole = {(id(context), c.start) for (c, context), y in zip(candidates, item.labels, strict=True)
             if y and c.kind == "range"}
    for n, (c, context) in enumerate(candidates):
        if c.kind in ("range_top", "range_bottom") and any(key[0] == id(context) for key in whole):
            item.labels[n] = 0


def collect(records: list[dict], index: OpenIndex, imported: dict[str, str], answerer: Answerer) -> list[Asked]:
    """Every question of ``records`` asked over ``index`` with ``answerer`` as it answers: its document
    group (``imported`` maps a record's source to the document it became), its candidates' vectors and
    labels, and whether it was routed to a value at all."""
    asked: list[Asked] = []
    for record in records:
        item = Asked(record, _group(record, index, imported))
        prepared = answerer.prepare(index, record["q"], on=ON)
        if prepared.contexts:
            item.routed = "value"
            item.question = prepared.question
            candidates = []
            for candidate, context, features in answerer.vectors(prepared.question, prepared.contexts):
                candidates.append((candidate, context))
                text, _label = index.clause_text(context.doc_id, context.clause_id)
                item.vectors.append(features)
                item.figures.append(answerer.wording.plain(candidate.figure))
                item.families.append(candidate.family)
                item.readings.append(answerer.reading(candidate, context))
                item.clauses.append((context.doc_id, context.clause_id))
                documented = index.documents[context.doc_id]
                # the title as a citation shows it: with its 文号 (the eval's `doc` may name either)
                title = documented["title"] + (documented["meta"].get("doc_number") or "")
                item.labels.append(label(record, candidate, text, title) if record["kind"] == "value" else 0)
                item.figures_right.append(record["kind"] == "value" and figure_right(record, candidate))
            _prefer_whole_ranges(item, prepared.question, candidates)
        else:
            item.routed = "other"
        asked.append(item)
    return asked
