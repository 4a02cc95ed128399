"""JSON twins of the pages: /api/ask, /api/search, /api/rules, /api/docs, /api/doc/<id>, /api/faq,
/api/feedback, /healthz."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, jsonify, request

from kb.answer import ask
from kb.answer.rule_table import rule_table
from kb.answer.standing import ordered, standings
from kb.corpus import Document
from kb.errors import IndexMissing
from kb.feedback import Feedback
from kb.search import MAX_QUERY_CHARS, search
from web import feedback_store, kb_index, kb_vocab
from web.documents import clause_link
from web.hits import shown_answer, shown_rules, shown_search
from web.security import admin_token_matches, same_origin_only

api = Blueprint("api", __name__)


def _date_arg(name: str) -> dt.date | None:
    raw = request.args.get(name) or ""
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        abort(400, description=f"{name} 应为日期，如 2026-11-23，收到“{raw[:40]}”")


def capped_query(text: str) -> tuple[str, str]:
    """The query cut where search stops reading (kb.search.MAX_QUERY_CHARS), and a message when it was cut:
    nothing past that point is used, so nothing past it is echoed back (three times, in an answer)."""
    if len(text) <= MAX_QUERY_CHARS:
        return text, ""
    return text[:MAX_QUERY_CHARS], f"问题过长，只用了前 {MAX_QUERY_CHARS} 个字。"


def search_args() -> dict:
    """Search parameters from the query string; a bad value is a 400 with a clear message."""
    raw_limit = request.args.get("limit", "10")
    try:
        limit = int(raw_limit)
    except ValueError:
        abort(400, description=f"limit 应为整数，收到“{raw_limit[:40]}”")
    query, message = capped_query(request.args.get("q", ""))
    return {
        "query": query, "message": message,
        "region": request.args.get("region") or None,
        "status": request.args.get("status") or None,
        "doc": request.args.get("doc") or None,
        "limit": limit,
    }


def run_search(args: dict) -> dict:
    """A search as the page and /api/search show it (``web.hits.shown_search``)."""
    index = kb_index()
    result = search(index, args["query"], region=args["region"], status=args["status"], doc=args["doc"],
                    limit=args["limit"])  # an InputError is a 400 with its message (web/__init__.py)
    result.message = result.message or args.get("message", "")
    return shown_search(index, result)


def ask_args() -> dict:
    """Question parameters: q, region, on (rules in force on), from (the application date)."""
    question, message = capped_query(request.args.get("q", ""))
    return {"question": question, "message": message, "region": request.args.get("region") or None,
            "on": _date_arg("on"), "start": _date_arg("from")}


def run_ask(args: dict) -> dict:
    """An answer as the console and /api/ask show it (``web.hits.shown_answer``)."""
    index = kb_index()
    answer = ask(index, args["question"], region=args["region"], on=args["on"], start=args["start"])
    if not answer.found and args["question"].strip():
        feedback_store().record_miss(args["question"], args["region"] or "")  # never raises: answers come first
    return shown_answer(index, answer)


def run_rules(subject: str, region: str | None, on: dt.date | None) -> dict:
    """The rule table as /rules and /api/rules show it (``web.hits.shown_rules``)."""
    index = kb_index()
    return shown_rules(index, rule_table(index, subject, region, on))


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


def feedback_from(form) -> Feedback:
    """Validated feedback from a form or JSON object: kb.feedback checks every field, and its FeedbackError
    is a 400 that says why (web/__init__.py)."""
    return Feedback.from_mapping(form, kb_vocab())


def admin_allowed() -> bool:
    """Admin pages are off (404) unless KB_ADMIN_TOKEN is set; the token is compared in constant time."""
    token = current_app.config.get("KB_ADMIN_TOKEN") or ""
    if not token:
        abort(404)
    return admin_token_matches(token)


@api.get("/api/ask")
def api_ask():
    args = ask_args()
    answer = run_ask(args)
    if args["message"]:
        answer["message"] = args["message"]  # only then: otherwise the same object as kb ask --json
    return jsonify(answer)


@api.get("/api/search")
def api_search():
    return jsonify(run_search(search_args()))


@api.get("/api/rules")
def api_rules():
    subject = request.args.get("subject") or ""
    if not subject:
        abort(400, description="请选择用户类型（subject）")
    return jsonify(run_rules(subject, request.args.get("region") or None, _date_arg("on")))


@api.get("/api/docs")
def api_docs():
    return jsonify(documents_overview(_date_arg("on")))


@api.get("/api/doc/<doc_id>")
def api_doc(doc_id: str):
    document = document_or_404(doc_id)
    index = kb_index()
    clauses = [{
        "id": c.id, "label": c.label, "kind": c.kind, "heading_path": c.heading_path, "text": c.text,
        "url": clause_link(index, document.id, c.id),
    } for c in index.parsed(doc_id).clauses]
    standing = next(d for d in documents_overview() if d["doc_id"] == doc_id)
    return jsonify({"id": document.id, "title": document.title, "meta": document.meta,
                    "standing": standing, "clauses": clauses})


@api.get("/api/faq")
def api_faq():
    from web.faqs import faq_entries, search_entries

    entries = search_entries(request.args.get("q", "")) if request.args.get("q") else faq_entries()
    return jsonify([entry for entry in entries])


@api.post("/api/feedback")
@same_origin_only
def api_feedback():
    data = request.get_json(silent=True) if request.is_json else request.form
    if not isinstance(data, dict) and not hasattr(data, "get"):
        abort(400, description="反馈应为 JSON 对象或表单")
    number = feedback_store().add(feedback_from(data))  # FeedbackUnavailable is a 503 (web/__init__.py)
    return jsonify({"ok": True, "id": number}), 201


@api.get("/api/feedback")
def api_feedback_list():
    if not admin_allowed():
        abort(403, description="需要管理口令")
    return jsonify({"feedback": feedback_store().feedback(), "missed": feedback_store().missed()})


@api.get("/healthz")
def healthz():
    try:
        index = kb_index()
        index.refresh()
    except IndexMissing as error:
        return jsonify({"status": "no index", "detail": str(error), "feedback": feedback_store().status()}), 503
    manifest = index.manifest
    body = {"status": "ok", "documents": manifest.get("documents"), "clauses": manifest.get("clauses"),
            "facts": manifest.get("facts"), "built_at": manifest.get("built_at"),
            "fingerprint": manifest.get("fingerprint"), "feedback": feedback_store().status()}
    if not manifest.get("documents"):
        # An index built from an empty or missing corpus answers nothing: not healthy for a load balancer.
        detail = "索引中没有文件：检查 KB_CORPUS 后运行 kb build"
        return jsonify({**body, "status": "empty index", "detail": detail}), 503
    if index.problem:
        # The newest generation is damaged: an older intact one is served until `kb build` repairs it.
        return jsonify({**body, "status": "degraded", "detail": index.problem})
    return jsonify(body)
