"""The FAQ gate of a build: every clause an entry cites must exist, and every figure it states should."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kb.corpus.faq import check as check_faq
from kb.corpus.faq import load_faq
from kb.errors import CorpusError
from kb.model import Document, ParsedDocument
from kb.parse.clauses import parse_document
from kb.vocab import Vocab


def check_faq_entries(corpus: Path, documents: list[Document], say: Callable[[str], None], vocab: Vocab) -> dict:
    """Check the FAQ against the clauses it cites: a cited clause that does not exist, or a malformed
    entry, fails the build; a figure that stands in none of its cited clauses is reported."""
    folder = corpus / "faq"
    if not folder.is_dir():
        return {"entries": 0, "problems": []}
    try:
        entries = load_faq(folder, vocab)
    except CorpusError as error:
        raise CorpusError(f"FAQ: {error}") from error
    by_id = {d.id: d for d in documents}
    parsed: dict[str, ParsedDocument] = {}

    def clause_text(doc_id: str, clause_id: str) -> str | None:
        document = by_id.get(doc_id)
        if document is None:
            return None
        if doc_id not in parsed:
            parsed[doc_id] = parse_document(document)
        clause = parsed[doc_id].clause(clause_id)
        return clause.text if clause else None

    problems = check_faq(entries, clause_text, lambda doc_id: by_id[doc_id].meta if doc_id in by_id else {}, vocab)
    fatal = [p for p in problems if p.kind != "figure-not-in-clause"]
    if fatal:
        raise CorpusError("FAQ: " + "；".join(p.message for p in fatal))
    for problem in problems:
        say(f"FAQ warning: {problem.message}")
    return {"entries": len(entries), "problems": [p.message for p in problems]}
