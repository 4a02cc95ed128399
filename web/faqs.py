"""The public FAQ as the pages show it: entries with rendered answers, linked clauses, the glossary terms
they use and related entries; grouped in categories; example questions for the console."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from kb.corpus.faq import Entry, load_faq, search_faq
from kb.present.faq_groups import FaqGroups
from kb.present.glossary import Glossary
from kb.present.related import related_clauses
from web import kb_index
from web.documents import clause_link
from web.render import markdown_html
from web.urls import clause_view_url

EXAMPLES_PER_CATEGORY = 1
TODAY_INSTEAD = 2  # clauses in force shown beside an entry that rests on drafts alone


def _cache() -> dict:
    """The app's FAQ state: the entries (reloaded when a file changes), the categories and the glossary."""
    cache = current_app.extensions.setdefault("kb_faq", {})
    if "groups" not in cache:
        data_dir = kb_index().vocab.data_dir
        cache["groups"], cache["glossary"] = FaqGroups(data_dir), Glossary(data_dir)
    folder = Path(current_app.config["KB_CORPUS"]) / "faq"
    stamp = max((p.stat().st_mtime for p in folder.glob("*.md")), default=0.0) if folder.is_dir() else 0.0
    if cache.get("stamp") != stamp:
        cache["entries"] = load_faq(folder) if folder.is_dir() else []
        cache["stamp"] = stamp
    return cache


def _entries() -> list[Entry]:
    return _cache()["entries"]


def _groups() -> FaqGroups:
    return _cache()["groups"]


def _citation(doc_id: str, clause_id: str) -> dict | None:
    index = kb_index()
    record = index.documents.get(doc_id)
    if record is None:
        return None
    _text, label = index.clause_text(doc_id, clause_id)
    return {"doc_id": doc_id, "clause_id": clause_id, "label": label, "title": record["title"],
            "region": record["meta"].get("region", ""), "status": record["meta"].get("status", ""),
            "url": clause_link(index, doc_id, clause_id), "view": clause_view_url(doc_id, clause_id)}


def _in_force_instead(citations: list[dict], in_force: str) -> list[dict]:
    """For an entry that rests on drafts alone: clauses of documents in force on the same items."""
    found: list[dict] = []
    for c in citations:
        for doc_id, clause_id in related_clauses(kb_index(), c["doc_id"], c["clause_id"]):
            other = _citation(doc_id, clause_id)
            if other and other["status"] == in_force and other not in found:
                found.append(other)
    return found[:TODAY_INSTEAD]


def _public(entry: Entry, everything: list[Entry] | None = None) -> dict:
    citations = [c for c in (_citation(*cite.partition("#")[::2]) for cite in entry.cites) if c]
    in_force = kb_index().vocab.documents["status_values"][0]
    draft_only = bool(citations) and all(c["status"] != in_force for c in citations)
    return {"id": entry.id, "question": entry.question, "topic": entry.topic, "answer": entry.answer_md.strip(),
            "answer_html": markdown_html(entry.answer_md), "citations": citations,
            "terms": _cache()["glossary"].terms_in(entry.answer_md), "draft_only": draft_only,
            "today": _in_force_instead(citations, in_force) if draft_only else [],
            "related": [{"id": r.id, "question": r.question} for r in _groups().related(entry, everything or [])]}


def faq_entries() -> list[dict]:
    everything = _entries()
    return [_public(entry, everything) for entry in everything]


def faq_categories() -> list[dict]:
    """The entries in their categories: [{"name", "slug", "entries": [...]}]."""
    everything = _entries()
    return [{"name": group.name, "slug": group.slug, "entries": [_public(e, everything) for e in group.entries]}
            for group in _groups().categories(everything)]


def search_entries(query: str) -> list[dict]:
    everything = _entries()
    return [_public(entry, everything) for entry in search_faq(everything, query, kb_index().vocab)]


def examples() -> list[str]:
    """Example questions: the first entry of each FAQ category."""
    return [entry.question for group in _groups().categories(_entries())
            for entry in group.entries[:EXAMPLES_PER_CATEGORY]]


def help_entry() -> dict | None:
    """The FAQ entry that names the ways to reach a person (kb/data/faq_categories.yaml)."""
    wanted = _groups().help_entry_id
    return next(({"id": e.id, "question": e.question} for e in _entries() if e.id == wanted), None)
