"""Everything the answer card shows, as one dict for templates/_answer.html: the answer, the call-record
note, the timeline of stages from the 受理日期 (the field's, or a date written in the question), and when
nothing is found the FAQ entries and clauses that match and example questions. The console page and
its live fragment (/answer) both render it: one source for the card."""

from __future__ import annotations

import datetime as dt

from flask import request

from kb.answer.deadlines import parse_start
from kb.errors import KbError
from kb.present.timeline import timeline
from web import kb_index
from web.faqs import examples, search_entries
from web.note import call_note
from web.queries import rule_rows, run_ask, run_search

NO_RESULT_FAQ = 3
NO_RESULT_CLAUSES = 3


def _timeline(answer: dict, args: dict, today: dt.date) -> dict | None:
    """The stages of the customer type the answer is about, from the start date, or None."""
    index = kb_index()
    start = args["start"] or parse_start(args["question"], today, index.vocab.analysis.normalize)
    fact = (answer.get("facts") or [None])[0]
    subject = (fact or {}).get("subject") or next(iter((answer.get("understood") or {}).get("subjects") or []), "")
    if not (start and subject):
        return None
    region = args["region"] or (answer.get("understood") or {}).get("region")
    try:
        table = rule_rows(subject, region, args["on"])
    except KbError:
        return None  # a subject the rule table does not know: the card still answers
    line = timeline(table, start, today, index.vocab)
    return line.to_dict() if line.binding or line.draft else None


def _no_result(question: str, region: str | None) -> dict:
    faq = search_entries(question)[:NO_RESULT_FAQ]
    try:
        hits = run_search({"query": question, "region": region, "status": None, "doc": None,
                           "limit": NO_RESULT_CLAUSES})["hits"]
    except KbError:
        hits = []
    return {"faq": faq, "clauses": hits, "examples": examples()}


def answer_view(args: dict, today: dt.date | None = None) -> dict:
    """The card's data for the question in ``args`` (web.params.ask_args); {} for an empty question."""
    if not args["question"].strip():
        return {}
    today = today or dt.date.today()
    answer = run_ask(args)
    index = kb_index()
    view = {"answer": answer, "region": args["region"] or "",
            "note": call_note(answer, request.host_url, index.manifest.get("built_at") or ""),
            "timeline": _timeline(answer, args, today) if answer["found"] else None}
    if not answer["found"]:
        view["help"] = _no_result(args["question"], args["region"])
    return view
