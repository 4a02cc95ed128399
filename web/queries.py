"""The site's calls into kb, shared by the pages and their JSON twins: each runs a kb function on the
app's open index and returns what the page and its JSON twin show (``web.hits``: spans rendered, every
clause linked, long documents' pages named)."""

from __future__ import annotations

import datetime as dt

from flask import abort

from kb.answer import ask
from kb.answer.rule_table import RuleTable, rule_table
from kb.answer.standing import ordered, standings
from kb.corpus import Document
from kb.search import search
from web import feedback_store, kb_index
from web.hits import shown_answer, shown_rules, shown_search


def run_search(args: dict) -> dict:
    """A search as the page and /api/search show it (``web.hits.shown_search``)."""
    index = kb_index()
    result = search(index, args["query"], region=args["region"], status=args["status"], doc=args["doc"],
                    limit=args["limit"])  # an InputError is a 400 with its message (web/__init__.py)
    result.message = result.message or args.get("message", "")
    return shown_search(index, result)


def run_ask(args: dict) -> dict:
    """An answer as the console and /api/ask show it (``web.hits.shown_answer``)."""
    index = kb_index()
    answer = ask(index, args["question"], region=args["region"], on=args["on"], start=args["start"])
    if not answer.found and args["question"].strip():
        feedback_store().record_miss(args["question"], args["region"] or "")  # never raises: answers come first
    return shown_answer(index, answer)


def rule_rows(subject: str, region: str | None, on: dt.date | None) -> RuleTable:
    """The rule table itself (kb's), for what the rule sheet works out from it."""
    return rule_table(kb_index(), subject, region, on)


def run_rules(subject: str, region: str | None, on: dt.date | None) -> dict:
    """The rule table as /rules and /api/rules show it (``web.hits.shown_rules``)."""
    return shown_rules(kb_index(), rule_rows(subject, region, on))


def documents_overview(on: dt.date | None = None) -> list[dict]:
    """Every document with its metadata and its standing on the date, in order of authority."""
    index = kb_index()
    metas = index.metas
    in_order = ordered(standings(metas, None, on, index.vocab).values(), index.vocab)
    return [{**metas[s.doc_id], **s.to_dict()} for s in in_order]


def document_or_404(doc_id: str) -> Document:
    record = kb_index().documents.get(doc_id)
    if record is None:
        abort(404, description=f"没有编号为“{doc_id[:40]}”的文件")
    return Document(record["id"], record["title"], record["meta"], record["body"])
