"""What a document is indexed as: the fields of each indexable clause, the facts its clauses state, and the
record of the document kept beside the index."""

from __future__ import annotations

from kb.analysis.normalise import normalize
from kb.analysis.segment import TOKEN_RUNS
from kb.analysis.tokenizers import CachedKbTokenizer
from kb.corpus.documents import Document
from kb.facts.extract import extract
from kb.index.figures import may_state_figures


def _document_record(document: Document) -> dict:
    return {"id": document.id, "title": document.title, "meta": document.public_meta(), "body": document.body}


def uncovered_bigrams(text: str) -> str:
    """The character bigrams of ``text`` (as ``kb.analysis.segment.bigrams`` cuts them) that are not also one of its
    words, space-separated."""
    words = set(CachedKbTokenizer.cached_words(text))
    grams = []
    for match in TOKEN_RUNS.finditer(normalize(text)):
        run = match.group()
        if match.lastindex != 3 or len(run) == 1:
            grams.append(run)
        else:
            grams += [run[i : i + 2] for i in range(len(run) - 1)]
    return " ".join(g for g in grams if g not in words)


def prepare(document: Document) -> tuple[list[dict], list[dict]]:
    """The Whoosh fields of each indexable clause of a document, and the facts its clauses state."""
    meta = document.meta
    entries: list[dict] = []
    facts: list[dict] = []
    for clause in document.parsed.clauses:
        if not clause.indexable:
            continue
        entries.append({
            "key": f"{document.id}#{clause.id}",
            "doc_id": document.id,
            "clause_id": clause.id,
            "kind": clause.kind,
            "label": clause.label,
            "title": document.title,
            "heading": " › ".join(clause.heading_path),
            "text": clause.text,
            "grams": "" if clause.kind == "article" else uncovered_bigrams(clause.text),
            "region": document.region,
            "status": document.status,
            "doc_kind": document.kind,
            "issued": str(meta.get("issued") or ""),
            "effective": str(meta.get("effective") or ""),
            "doc_number": document.doc_number,
            "order": clause.order,
        })
        if may_state_figures(clause):
            facts += [fact.to_dict() for fact in extract(clause, document.id, document.region, document.status)]
    return entries, facts
