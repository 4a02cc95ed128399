"""HTML pages: the agent console, clause search, the staff rule checker, documents, the FAQ,
feedback. Each reads the same data as its JSON twin in web/api.py."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for

from kb.answer.rule_table import customer_types
from web import feedback_store, kb_index, kb_vocab
from web.api import (
    _date_arg,
    admin_allowed,
    ask_args,
    document_or_404,
    documents_overview,
    feedback_from,
    run_ask,
    run_rules,
    run_search,
    search_args,
)
from web.documents import document_pages
from web.security import back_target, same_origin_only, set_admin_cookie
from web.urls import page_url

pages = Blueprint("pages", __name__)
REGION_COOKIE = "kb_region"


def _regions() -> list[str]:
    return list(kb_vocab().regions)


@pages.get("/")
def console():
    args = ask_args()
    if not request.args.get("region") and request.cookies.get(REGION_COOKIE) in kb_vocab().regions:
        args["region"] = request.cookies.get(REGION_COOKIE)  # the agent's remembered region
    answer = run_ask(args) if args["question"].strip() else None
    response = make_response(render_template(
        "console.html", args=args, answer=answer, regions=_regions(), thanks=request.args.get("thanks")))
    if request.args.get("region") in kb_vocab().regions:
        response.set_cookie(REGION_COOKIE, request.args["region"], max_age=365 * 86400, samesite="Lax")
    return response


@pages.get("/search")
def search_page():
    args = search_args()
    result = run_search(args) if args["query"].strip() else None
    statuses = kb_vocab().documents["search_statuses"]
    return render_template("search.html", args=args, result=result, regions=_regions(), statuses=statuses)


@pages.get("/rules")
def rules_page():
    subject = request.args.get("subject") or ""
    region = request.args.get("region") or None
    on = _date_arg("on")
    table = run_rules(subject, region, on) if subject else None
    return render_template("rules.html", table=table, subjects=customer_types(kb_vocab()), regions=_regions(),
                           args={"subject": subject, "region": region or "", "on": request.args.get("on", "")})


@pages.get("/docs")
def documents_page():
    return render_template("documents.html", documents=documents_overview(_date_arg("on")))


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
                           page=number, contents=layout.contents)


def _page_number(count: int) -> int:
    raw = request.args.get("page") or "1"
    try:
        number = int(raw)
    except ValueError:
        abort(400, description=f"page 应为页码（整数），收到“{raw[:40]}”")
    if not 1 <= number <= count:
        abort(404, description=f"本文件共 {count} 页，没有第 {raw[:12]} 页")
    return number


@pages.get("/faq")
def faq_page():
    from web.faqs import faq_entries, search_entries

    query = request.args.get("q", "")
    entries = search_entries(query) if query.strip() else faq_entries()
    return render_template("faq.html", entries=entries, query=query, thanks=request.args.get("thanks"))


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
    return {"nav": [("pages.console", "坐席查询"), ("pages.search_page", "条款检索"), ("pages.rules_page", "规则核对"),
                    ("pages.documents_page", "文件"), ("pages.faq_page", "常见问题")],
            "admin_on": bool(current_app.config.get("KB_ADMIN_TOKEN"))}
