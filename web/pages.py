"""HTML pages: search, document."""

from __future__ import annotations

from flask import Blueprint, render_template
from markupsafe import Markup

from kb.vocab import vocab
from web import kb_index
from web.api import document_or_404, run_search, search_args
from web.render import render_blocks

pages = Blueprint("pages", __name__)
STATUSES = ["现行有效", "征求意见稿", "已废止"]


@pages.get("/")
@pages.get("/search")
def search_page():
    args = search_args()
    result = run_search(args) if args["query"].strip() else None
    return render_template("search.html", args=args, result=result, regions=list(vocab().regions),
                           statuses=STATUSES)


@pages.get("/doc/<doc_id>")
def document_page(doc_id: str):
    document = document_or_404(doc_id)
    body = Markup(render_blocks(document.parsed.blocks))
    return render_template("document.html", doc=document, meta=document.public_meta(), body=body,
                           documents=kb_index().documents)
