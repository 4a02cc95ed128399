"""JSON twins of the pages: /api/search, /api/doc/<id>, /healthz."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, jsonify, request

from kb.answer import ask
from kb.corpus import Document
from kb.index import IndexMissing
from kb.search import SearchError, search
from web import kb_index

api = Blueprint("api", __name__)


def search_args() -> dict:
    """Search parameters from the query string; a bad value is a 400 with a clear message."""
    raw_limit = request.args.get("limit", "10")
    try:
        limit = int(raw_limit)
    except ValueError:
        abort(400, description=f"limit 应为整数，收到“{raw_limit[:40]}”")
    return {
        "query": request.args.get("q", ""),
        "region": request.args.get("region") or None,
        "status": request.args.get("status") or None,
        "doc": request.args.get("doc") or None,
        "limit": limit,
    }


def run_search(args: dict):
    try:
        return search(kb_index(), args["query"], region=args["region"], status=args["status"],
                      doc=args["doc"], limit=args["limit"])
    except SearchError as error:
        abort(400, description=str(error))


def document_or_404(doc_id: str) -> Document:
    record = kb_index().documents.get(doc_id)
    if record is None:
        abort(404, description=f"没有编号为“{doc_id[:40]}”的文件")
    return Document(record["id"], record["title"], record["meta"], record["body"])


@api.get("/api/search")
def api_search():
    return jsonify(run_search(search_args()).to_dict())


def ask_args() -> dict:
    """Question parameters from the query string; a bad value is a 400 with a clear message."""
    raw_on = request.args.get("on") or ""
    try:
        on = dt.date.fromisoformat(raw_on) if raw_on else None
    except ValueError:
        abort(400, description=f"on 应为日期，如 2026-11-23，收到“{raw_on[:40]}”")
    return {"question": request.args.get("q", ""), "region": request.args.get("region") or None, "on": on}


def run_ask(args: dict):
    try:
        return ask(kb_index(), args["question"], region=args["region"], on=args["on"])
    except (ValueError, SearchError) as error:
        abort(400, description=str(error))


@api.get("/api/ask")
def api_ask():
    return jsonify(run_ask(ask_args()).to_dict())


@api.get("/api/doc/<doc_id>")
def api_doc(doc_id: str):
    document = document_or_404(doc_id)
    clauses = [{
        "id": c.id, "label": c.label, "kind": c.kind, "heading_path": c.heading_path, "text": c.text,
        "url": f"/doc/{document.id}#{c.id}",
    } for c in document.parsed.clauses]
    return jsonify({"id": document.id, "title": document.title, "meta": document.public_meta(),
                    "clauses": clauses})


@api.get("/healthz")
def healthz():
    try:
        index = kb_index()
        index.refresh()
    except IndexMissing as error:
        return jsonify({"status": "no index", "detail": str(error)}), 503
    manifest = index.manifest
    return jsonify({"status": "ok", "documents": manifest.get("documents"), "clauses": manifest.get("clauses"),
                    "built_at": manifest.get("built_at"), "fingerprint": manifest.get("fingerprint")})
