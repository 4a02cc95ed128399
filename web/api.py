"""JSON twins of the pages under /api: ask, search, rules, docs, doc/<id>, faq, feedback; and /healthz."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from kb.errors import IndexMissing
from web import feedback_store, kb_index
from web.documents import clause_link
from web.params import ask_args, date_arg, feedback_from, rules_args, search_args
from web.queries import document_or_404, documents_overview, run_ask, run_rules, run_search
from web.security import admin_allowed, same_origin_only

api = Blueprint("api", __name__, url_prefix="/api")
health = Blueprint("health", __name__)


@api.get("/ask")
def api_ask():
    args = ask_args()
    answer = run_ask(args)
    if args["message"]:
        answer["message"] = args["message"]  # only then: otherwise the same object as kb ask --json
    return jsonify(answer)


@api.get("/search")
def api_search():
    return jsonify(run_search(search_args()))


@api.get("/rules")
def api_rules():
    args = rules_args()
    if not args["subject"]:
        abort(400, description="请选择用户类型")
    return jsonify(run_rules(args["subject"], args["region"], args["on"]))


@api.get("/docs")
def api_docs():
    return jsonify(documents_overview(date_arg("on")))


@api.get("/doc/<doc_id>")
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


@api.get("/faq")
def api_faq():
    from web.faqs import faq_entries, search_entries

    entries = search_entries(request.args.get("q", "")) if request.args.get("q") else faq_entries()
    return jsonify([entry for entry in entries])


@api.post("/feedback")
@same_origin_only
def api_feedback():
    data = request.get_json(silent=True) if request.is_json else request.form
    if not isinstance(data, dict) and not hasattr(data, "get"):
        abort(400, description="反馈应为 JSON 对象或表单")
    number = feedback_store().add(feedback_from(data))  # FeedbackUnavailable is a 503 (web/__init__.py)
    return jsonify({"ok": True, "id": number}), 201


@api.get("/feedback")
def api_feedback_list():
    if not admin_allowed():
        abort(403, description="需要管理口令")
    return jsonify({"feedback": feedback_store().feedback(), "missed": feedback_store().missed()})


@health.get("/healthz")
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
