"""The answers that state no figure: a document's standing on the date (生效了吗 / 作废), the clause that
defines a term (X是什么), a passage that covers the question, and — when no figure is certain — the
clauses to read."""

from __future__ import annotations

import re

from kb.answer.peers import Scored
from kb.answer.question import Question
from kb.answer.standing import Standing
from kb.answer.statement import MAX_ANSWER, MAX_CITATIONS, SHOWN_HITS, Answer, citation, doc_title
from kb.index.generation import OpenIndex
from kb.vocab import Vocab

MIN_COVERAGE = 0.6  # share of a question's words a clause must hold to answer it as a passage
UNSURE_COVERAGE = 0.5  # …and to be shown as the clauses to read when no figure is certain
UNSURE_SHOWN = 3  # the clauses then shown (the eval's citations read)
UNSURE = "没有找到确切规定，请看以下条款。"
# How a rule defines a term: 本条例所称X，是指… / X是指… / X，指…
DEFINES = r"(?:所称|所说的|本[法条例规定办法]+中的)?[“\"]?{term}[”\"]?[，,]?(?:是指|指|是)"


def question_coverage(question: Question, text: str, vocab: Vocab) -> float:
    """Share of the question's own words (not its region, not stop words) that the text holds."""
    region_words = {word for r in vocab.regions_named_in(question.norm) for n in vocab.regions[r].names
                    for word in vocab.analysis.words(n)}
    words = {p.text for p in vocab.content(question.text, subwords=False)} - region_words
    words = {w for w in words if any(c.isalnum() for c in w)}
    if not words:
        return 0.0
    haystack = vocab.analysis.normalize(text)
    return sum(1 for w in words if w in haystack) / len(words)


def unsure(index: OpenIndex, answer: Answer, question: Question, hits, scored: list[Scored], vocab: Vocab) -> None:
    """No figure is certain enough: say so, and show the clauses to read (none when nothing is close)."""
    answer.kind = "unsure"
    answer.confidence = round(scored[0].probability, 3) if scored else 0.0
    # close enough to read when one of the clauses shown covers half the question (the answer is often the
    # second clause: 第四十四条 forbids what 第六十六条 fines)
    shown = hits[:UNSURE_SHOWN]
    if max(question_coverage(question, h.text + h.heading + h.title, vocab) for h in shown) >= UNSURE_COVERAGE:
        answer.answer = UNSURE
        answer.citations = [citation(index, h.doc_id, h.clause_id, h.text, h.label) for h in shown]


def passage(index: OpenIndex, answer: Answer, question: Question, hits, vocab: Vocab) -> None:
    """The top hit's clause quoted as the ``answer`` when it covers enough of the ``question``'s words
    (read with ``vocab``), with the ``hits`` as citations; otherwise the answer is ``none``."""
    top = hits[0]
    if question_coverage(question, top.text + top.heading + top.title, vocab) < MIN_COVERAGE:
        answer.kind = "none"
        return
    quote(index, answer, top, "passage")
    answer.citations = [citation(index, h.doc_id, h.clause_id, h.text, h.label) for h in hits[:MAX_CITATIONS]]


def quote(index: OpenIndex, answer: Answer, hit, kind: str) -> None:
    """The ``answer`` found as ``kind``: the document's title, the clause's label and the clause of ``hit``
    (its first 300 characters)."""
    answer.found = True
    answer.kind = kind
    excerpt = hit.text if len(hit.text) <= 300 else hit.text[:300] + "…"
    answer.answer = f"《{doc_title(index, hit.doc_id)}》{hit.label}：{excerpt}"[:MAX_ANSWER]


def definition(index: OpenIndex, answer: Answer, question: Question, hits, vocab: Vocab) -> bool:
    """X是什么 / X是指: the clause that defines X (本条例所称X，是指… / X是指…), cited like a figure."""
    terms = sorted((g.word for g in question.groups if len(g.word) >= 2), key=len, reverse=True)
    for hit in hits[:SHOWN_HITS]:
        text = vocab.analysis.normalize(hit.text)
        for term in terms:
            if re.search(DEFINES.format(term=re.escape(term)), text):
                quote(index, answer, hit, "definition")
                ordered_hits = [hit] + [h for h in hits if h is not hit]
                answer.citations = [citation(index, h.doc_id, h.clause_id, h.text, h.label)
                                    for h in ordered_hits[:MAX_CITATIONS]]
                return True
    return False


def status(index: OpenIndex, answer: Answer, hits, named: list[str], region_standing: dict[str, Standing],
           vocab: Vocab) -> bool:
    """生效了吗 / 作废: the document's standing on the date and what it repeals or is repealed by."""
    doc_id = named[0] if named else hits[0].doc_id
    standing = region_standing.get(doc_id)
    if standing is None:
        return False
    record = index.documents[doc_id]
    meta = record["meta"]
    parts = [f"《{doc_title(index, doc_id)}》：{standing.effective_status}"]
    parts += [n for n in standing.notes if n not in parts[0]]
    draft = standing.effective_status == vocab.draft
    extents = vocab.extents
    for entry in meta.get("supersedes") or []:
        target = (entry.get("ref") or entry.get("title") or entry.get("id") or "") if isinstance(entry, dict) \
            else str(entry)
        extent = (entry.get("extent") if isinstance(entry, dict) else "") or extents.full
        if extents.partial in extent:
            parts.append(f"{'施行后' if draft else ''}与{target}不一致之处以本文件为准")
        else:
            verb = "取代旧版本" if extent == extents.amended else "废止"
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
    citations = [citation(index, doc_id, first.clause_id, first.text, first.label)] if first else []
    citations += [citation(index, h.doc_id, h.clause_id, h.text, h.label) for h in hits[:MAX_CITATIONS]]
    answer.citations = list({(c["doc_id"], c["clause_id"]): c for c in citations}.values())[:MAX_CITATIONS]
    return True
