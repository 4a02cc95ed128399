"""The public FAQ as the pages show it: entries with rendered answers and linked clauses."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from kb.corpus.faq import load_faq, search_faq
from web import kb_index
from web.documents import clause_link
from web.render import markdown_html


def _entries():
    cache = current_app.extensions.setdefault("kb_faq", {})
    folder = Path(current_app.config["KB_CORPUS"]) / "faq"
    stamp = max((p.stat().st_mtime for p in folder.glob("*.md")), default=0.0) if folder.is_dir() else 0.0
    if cache.get("stamp") != stamp:
        cache["entries"] = load_faq(folder) if folder.is_dir() else []
        cache["stamp"] = stamp
    return cache["entries"]


def _public(entry) -> dict:
    index = kb_index()
    citations = []
    for cite in entry.cites:
        doc_id, _, clause_id = cite.partition("#")
        record = index.documents.get(doc_id)
        if record is None:
            continue
        _text, label = index.clause_text(doc_id, clause_id)
        citations.append({"doc_id": doc_id, "clause_id": clause_id, "label": label, "title": record["title"],
                          "region": record["meta"].get("region", ""), "status": record["meta"].get("status", ""),
                          "url": clause_link(index, doc_id, clause_id)})
    return {"id": entry.id, "question": entry.question, "topic": entry.topic, "answer": entry.answer_md.strip(),
            "answer_html": markdown_html(entry.answer_md), "citations": citations}


def faq_entries() -> list[dict]:
    return [_public(entry) for entry in _entries()]


def search_entries(query: str) -> list[dict]:
    return [_public(entry) for entry in search_faq(_entries(), query, kb_index().vocab)]
