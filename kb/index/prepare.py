"""What a document is indexed as: the fields of each indexable clause, the facts its clauses state, and the
record of the document kept beside the index."""

from __future__ import annotations

from kb.analysis.tokenizers import CachedKbTokenizer
from kb.facts.extract import extract
from kb.index.figures import FigureHint
from kb.model import Document, ParsedDocument, clause_key
from kb.parse.clauses import parse_document
from kb.vocab import Vocab


def document_record(document: Document) -> dict:
    """The document as ``documents.json`` keeps it: id, title, plain metadata and the Markdown body."""
    return {"id": document.id, "title": document.title, "meta": document.meta, "body": document.body}


class Preparer:
    """The fields and facts of documents, for one vocabulary and the analyzer of the schema they are written
    with: the bigram net reads a clause's words from the analyzer's cache, where the ``text`` field's
    indexing finds them again."""

    def __init__(self, vocab: Vocab, analyzer: CachedKbTokenizer) -> None:
        self.vocab = vocab
        self.analyzer = analyzer
        self.hint = FigureHint(vocab.lexicon)

    def uncovered_bigrams(self, text: str) -> str:
        """The character bigrams of ``text`` (as ``Segmenter.bigrams`` cuts them) that are not also one of its
        words, space-separated."""
        words = set(self.analyzer.words(text))
        return " ".join(g for g in self.vocab.analysis.bigram_texts(text) if g not in words)

    def prepare(self, document: Document, parsed: ParsedDocument | None = None) -> tuple[list[dict], list[dict]]:
        """The Whoosh fields of each indexable clause of a document, and the facts its clauses state
        (``parsed``: the document already parsed, else it is parsed here)."""
        meta = document.meta
        lexicon = self.vocab.lexicon
        entries: list[dict] = []
        facts: list[dict] = []
        for clause in (parsed or parse_document(document)).clauses:
            if not clause.indexable:
                continue
            entries.append({
                "key": clause_key(document.id, clause.id),
                "doc_id": document.id,
                "clause_id": clause.id,
                "kind": clause.kind,
                "label": clause.label,
                "title": document.title,
                "heading": " › ".join(clause.heading_path),
                "text": clause.text,
                "grams": "" if clause.kind == "article" else self.uncovered_bigrams(clause.text),
                "region": document.region,
                "status": document.status,
                "doc_kind": document.kind,
                "issued": str(meta.get("issued") or ""),
                "effective": str(meta.get("effective") or ""),
                "doc_number": document.doc_number,
                "order": clause.order,
            })
            if self.hint.may_state_figures(clause):
                facts += [fact.to_dict() for fact in extract(clause, document.id, document.region, document.status,
                                                             lexicon)]
        return entries, facts
