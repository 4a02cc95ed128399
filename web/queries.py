"""The site's calls into kb, shared by the pages and their JSON twins: each runs a kb function on the
app's open index and adds the page number to long documents' permalinks (web/documents.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from flask import abort

from kb.answer import ask
from kb.answer.rule_table import RuleTable, rule_table
from kb.answer.standing import ordered, standings
from kb.corpus import Document
from kb.search import search
from web import feedback_store, kb_index
from web.documents import relink


def run_search(args: dict):
    index = kb_index()
    result = search(index, args["query"], region=args["region"], status=args["status"], doc=args["doc"],
                    limit=args["limit"])  # an InputError is a 400 with its message (web/__init__.py)
    result.hits = [replace(hit, url=relink(index, hit.url)) for hit in result.hits]  # long documents are paged
    result.message = result.message or args.get("message", "")
    return result


def run_ask(args: dict):
    index = kb_index()
    answer = ask(index, args["question"], region=args["region"], on=args["on"], start=args["start"])
    answer.citations = [{**c, "url": relink(index, c["url"])} for c in answer.citations]
    answer.hits = [{**h, "url": relink(index, h["url"])} for h in answer.hits]
    if not answer.found and args["question"].strip():
        feedback_store().record_miss(args["question"], args["region"] or "")  # never raises: answers come first
    return answer


def run_rules(subject: str, region: str | None, on: dt.date | None) -> RuleTable:
    index = kb_index()
    table = rule_table(index, subject, region, on)
    table.rows = [replace(row, url=relink(index, row.url)) for row in table.rows]
    return table


def documents_overview(on: dt.date | None = None) -> list[dict]:
    """Every document with its metadata and its standing on the date, in order of authority."""
    index = kb_index()
    metas = {doc_id: {**r["meta"], "title": r["title"]} for doc_id, r in index.documents.items()}
    return [{**metas[s.doc_id], **s.to_dict()} for s in ordered(standings(metas, None, on).values())]


def document_or_404(doc_id: str) -> Document:
    record = kb_index().documents.get(doc_id)
    if record is None:
        abort(404, description=f"没有编号为“{doc_id[:40]}”的文件")
    return Document(record["id"], record["title"], record["meta"], record["body"])
