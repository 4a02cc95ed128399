"""The public FAQ as the pages show it: entries with rendered answers, linked clauses, the glossary terms
they use, related entries and, for one resting on a draft or a lapsed target, the sentence saying what
applies today (kb.present.today); grouped in categories; example questions for the console."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import quote

from flask import current_app

from kb.corpus.faq import Entry, load_faq, search_faq
from kb.present.faq_groups import FaqGroups
from kb.present.glossary import Glossary
from kb.present.today import TodayReader
from web import kb_index
from web.documents import clause_link
from web.render import markdown_html
from web.urls import clause_view_url, faq_url

EXAMPLES_PER_CATEGORY = 1


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


def _today_reader() -> TodayReader:
    """What applies today, read over the open generation on today's date: one reader while both hold."""
    cache, index = _cache(), kb_index()
    key = (index.generation.target if index.generation else None, dt.date.today())
    if cache.get("today_key") != key:
        cache["today"], cache["today_key"] = TodayReader(index, key[1], index.vocab.data_dir), key
    return cache["today"]


def _today(entry: Entry, back: str) -> dict | None:
    """The first sentence of an entry resting on a draft or a lapsed target, each citation a link to the
    clause view (and back to the entry)."""
    today = _today_reader().of(entry)
    if today is None:
        return None
    parts = [{**part.to_dict(), "url": f"{clause_view_url(part.doc_id, part.clause_id)}?back={quote(back, safe='')}"
              if part.doc_id else ""} for part in today.parts]
    return {**today.to_dict(), "parts": parts}


def _public(entry: Entry, everything: list[Entry] | None = None) -> dict:
    citations = [c for c in (_citation(*cite.partition("#")[::2]) for cite in entry.cites) if c]
    return {"id": entry.id, "question": entry.question, "topic": entry.topic, "answer": entry.answer_md.strip(),
            "answer_html": markdown_html(entry.answer_md), "citations": citations,
            "terms": _cache()["glossary"].terms_in(entry.answer_md), "today": _today(entry, faq_url(entry.id)),
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
