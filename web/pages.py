"""HTML pages: the agent console and its live answer fragment, clause search, the staff rule sheet,
documents and single clauses, the public FAQ, feedback. Each reads the same data as its JSON twin in
web/api.py (through web/queries.py); request parameters are read by web/params.py."""

from __future__ import annotations

import csv
import datetime as dt
import io

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for

from kb.answer.rule_table import customer_types
from kb.present.related import related_clauses
from kb.present.rule_sheet import references, rule_sheet, side_by_side
from kb.present.suggestions import suggestions
from kb.present.timeline import draft_status
from web import feedback_store, kb_index, kb_vocab
from web.answer_view import answer_view
from web.documents import clause_link, document_pages
from web.faqs import examples, faq_categories, help_entry, search_entries
from web.params import ask_args, date_arg, feedback_from, rules_args, search_args
from web.queries import document_or_404, documents_overview, rule_rows, run_rules, run_search
from web.security import admin_allowed, back_target, same_origin_only, set_admin_cookie
from web.urls import page_url

pages = Blueprint("pages", __name__)
REGION_COOKIE = "kb_region"
# The public's pages: their navigation shows no staff tools.
PUBLIC_ENDPOINTS = {"pages.faq_page", "pages.clause_page"}
CSV_COLUMNS = ["item", "figure", "bound", "qualifiers", "subject", "region", "issuer", "effective_status",
               "binding", "issued", "effective", "supersedes", "title", "doc_number", "label", "doc_id", "clause_id"]


def _regions() -> list[str]:
    return list(kb_vocab().regions)


@pages.get("/")
def console():
    args = ask_args()
    if not request.args.get("region") and request.cookies.get(REGION_COOKIE) in kb_vocab().regions:
        args["region"] = request.cookies.get(REGION_COOKIE)  # the agent's remembered region
    response = make_response(render_template(
        "console.html", args=args, view=answer_view(args), regions=_regions(), examples=examples(),
        suggestions=suggestions(kb_index()), thanks=request.args.get("thanks")))
    if request.args.get("region") in kb_vocab().regions:
        response.set_cookie(REGION_COOKIE, request.args["region"], max_age=365 * 86400, samesite="Lax")
    return response


@pages.get("/answer")
def answer_fragment():
    """The answer card and hits alone, as the console shows them: console.js puts it in the page."""
    args = ask_args()
    return render_template("_answer.html", args=args, view=answer_view(args))


@pages.get("/search")
def search_page():
    args = search_args()
    result = run_search(args) if args["query"].strip() else None
    faq = search_entries(args["query"])[:3] if result is not None and not result["hits"] else []
    return render_template("search.html", args=args, result=result, regions=_regions(),
                           statuses=kb_vocab().documents["search_statuses"], faq=faq)


def _sheet(args: dict):
    table = rule_rows(args["subject"], args["region"], args["on"])
    return table, rule_sheet(table, kb_index().metas, kb_vocab(), args["on"] or dt.date.today())


@pages.get("/rules")
def rules_page():
    args = rules_args()
    table, sheet, compared = None, None, None
    if args["subject"]:
        table, sheet = _sheet(args)
        first, second = request.args.get("a") or "", request.args.get("b") or ""
        if first and second:
            compared = {"a": first, "b": second, "rows": side_by_side(table, first, second)}
    overview = {d["doc_id"]: d for d in documents_overview()}
    index = kb_index()
    return render_template("rules.html", table=table, sheet=sheet, compared=compared, overview=overview,
                           link=lambda row: clause_link(index, row.doc_id, row.clause_id),
                           subjects=customer_types(kb_vocab()), regions=_regions(),
                           args={**args, "region": args["region"] or "", "on": request.args.get("on", ""),
                                 "a": request.args.get("a", ""), "b": request.args.get("b", "")})


@pages.get("/rules.csv")
def rules_csv():
    """The rule table as CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese)."""
    args = rules_args()
    if not args["subject"]:
        abort(400, description="请选择用户类型")
    table = run_rules(args["subject"], args["region"], args["on"])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in table["rows"]:
        writer.writerow(["；".join(row[c]) if isinstance(row[c], list) else row[c] if row[c] is not None else ""
                         for c in CSV_COLUMNS])
    response = make_response("\ufeff" + out.getvalue())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = "attachment; filename=rules.csv"
    return response


@pages.get("/docs")
def documents_page():
    return render_template("documents.html", documents=documents_overview(date_arg("on")))


@pages.get("/doc/<doc_id>")
def document_page(doc_id: str):
    """A document, rendered once per index generation; a long one in pages (web/documents.py):
    ?page=k, and ?clause=<id> redirects to the page holding that clause."""
    document = document_or_404(doc_id)
    index, cache = kb_index(), document_pages()
    clause = request.args.get("clause")
    if clause is not None:
        page = cache.page_of(index, doc_id, clause)
        target = page_url(doc_id, clause, page) if page else url_for("pages.document_page", doc_id=doc_id)
        return redirect(target, code=302)
    layout = cache.layout(index, doc_id)
    number = _page_number(len(layout.pages))
    overview = {d["doc_id"]: d for d in documents_overview()}
    return render_template("document.html", doc=document, meta=document.meta,
                           body=cache.page(index, doc_id, number), standing=overview[doc_id], overview=overview,
                           page=number, contents=layout.contents, missing=_missing_references(doc_id))


def _missing_references(doc_id: str) -> list[str]:
    """What the document says it repeals or replaces that the base does not hold."""
    index = kb_index()
    metas = {d: {**r["meta"], "title": r["title"]} for d, r in index.documents.items()}
    return [r.ref or r.title for r in references(doc_id, metas, kb_vocab()) if r.doc_id is None]


@pages.get("/clause/<doc_id>/<clause_id>")
def clause_page(doc_id: str, clause_id: str):
    """One clause with its document's title, 文号 and status, a way back, and the same item elsewhere."""
    document = document_or_404(doc_id)
    index = kb_index()
    parsed = {c.id: c for c in index.parsed(doc_id).clauses}
    clause = parsed.get(clause_id)
    if clause is None:
        abort(404, description=f"文件中没有编号为“{clause_id[:40]}”的条款")
    overview = {d["doc_id"]: d for d in documents_overview()}
    related = []
    for other_doc, other_clause in related_clauses(index, doc_id, clause_id):
        _text, label = index.clause_text(other_doc, other_clause)
        related.append({"doc_id": other_doc, "title": index.documents[other_doc]["title"], "label": label,
                        "status": overview[other_doc]["effective_status"],
                        "url": clause_link(index, other_doc, other_clause)})
    back = request.args.get("back") or ""
    return render_template("clause.html", doc=document, meta=document.meta, clause=clause,
                           standing=overview[doc_id], related=related,
                           permalink=clause_link(index, doc_id, clause_id), help=help_entry(),
                           back=back if back.startswith("/") and not back.startswith("//") else "")


def _page_number(count: int) -> int:
    raw = request.args.get("page") or "1"
    try:
        number = int(raw)
    except ValueError:
        abort(400, description=f"页码应为整数，收到“{raw[:40]}”")
    if not 1 <= number <= count:
        abort(404, description=f"本文件共 {count} 页，没有第 {raw[:12]} 页")
    return number


@pages.get("/faq")
def faq_page():
    query = request.args.get("q", "")
    if query.strip():
        groups = [{"name": "搜索结果", "slug": "results", "entries": search_entries(query)}]
        groups = [g for g in groups if g["entries"]]
    else:
        groups = faq_categories()
    return render_template("faq.html", groups=groups, query=query, thanks=request.args.get("thanks"),
                           help=help_entry())


@pages.post("/feedback")
@same_origin_only
def feedback_form():
    """Feedback sent without JavaScript: store it and go back to the page it came from (never off the site)."""
    feedback_store().add(feedback_from(request.form))  # 400 on bad fields, 503 when it cannot be stored
    return redirect(back_target(request.form.get("back"), request.referrer), code=303)


@pages.get("/feedback")
def feedback_page():
    if not admin_allowed():
        abort(403, description="需要管理口令：/feedback?token=…")
    response = make_response(render_template("feedback.html", feedback=feedback_store().feedback(),
                                             missed=feedback_store().missed()))
    if request.args.get("token"):
        set_admin_cookie(response, current_app.config["KB_ADMIN_TOKEN"])
    return response


@pages.app_context_processor
def navigation():
    public = request.endpoint in PUBLIC_ENDPOINTS
    staff = [("pages.console", "坐席查询"), ("pages.search_page", "条款检索"), ("pages.rules_page", "规则核对"),
             ("pages.documents_page", "文件"), ("pages.faq_page", "常见问题")]
    return {"nav": [("pages.faq_page", "常见问题")] if public else staff, "public": public,
            "admin_on": bool(current_app.config.get("KB_ADMIN_TOKEN"))}


@pages.app_template_global()
def status_class(status: str) -> str:
    """An ASCII class for a status: status-in-force, status-draft, status-ended (kb/data/documents.yaml)."""
    documents = kb_vocab().documents
    if status == draft_status(kb_vocab()):
        return "status-draft"
    return "status-ended" if status in documents["not_in_force"] else "status-in-force"
