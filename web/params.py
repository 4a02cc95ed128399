"""Reading a request's parameters: one place for the query string and form fields every page and its
JSON twin accept. A bad value is a 400 whose message names the field as the page shows it (受理日期,
not ``from``)."""

from __future__ import annotations

import datetime as dt

from flask import abort, request

from kb.feedback import Feedback
from kb.search import MAX_QUERY_CHARS
from web import kb_vocab

# The name each date parameter has on the pages: a message says this, never the parameter's own name.
DATE_LABELS = {"from": "受理日期", "on": "日期"}


def date_arg(name: str) -> dt.date | None:
    """An ISO date parameter (2026-11-23), or None when it is absent or empty."""
    raw = request.args.get(name) or ""
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        label = DATE_LABELS.get(name, "日期")
        abort(400, description=f"{label}应为日期，如 2026-11-23，收到“{raw[:40]}”")


def capped_query(text: str) -> tuple[str, str]:
    """The query cut where search stops reading (kb.search.MAX_QUERY_CHARS), and a message when it was cut:
    nothing past that point is used, so nothing past it is echoed back (three times, in an answer)."""
    if len(text) <= MAX_QUERY_CHARS:
        return text, ""
    return text[:MAX_QUERY_CHARS], f"问题过长，只用了前 {MAX_QUERY_CHARS} 个字。"


def search_args() -> dict:
    """Search parameters: q, region, status, doc, limit."""
    raw_limit = request.args.get("limit", "10")
    try:
        limit = int(raw_limit)
    except ValueError:
        abort(400, description=f"显示条数应为整数，收到“{raw_limit[:40]}”")
    query, message = capped_query(request.args.get("q", ""))
    return {
        "query": query, "message": message,
        "region": request.args.get("region") or None,
        "status": request.args.get("status") or None,
        "doc": request.args.get("doc") or None,
        "limit": limit,
    }


def ask_args() -> dict:
    """Question parameters: q, region, on (rules in force on), from (the application date)."""
    question, message = capped_query(request.args.get("q", ""))
    return {"question": question, "message": message, "region": request.args.get("region") or None,
            "on": date_arg("on"), "start": date_arg("from")}


def rules_args() -> dict:
    """Rule sheet parameters: subject (customer type), region, on, drafts (show drafts: 1)."""
    return {"subject": request.args.get("subject") or "", "region": request.args.get("region") or None,
            "on": date_arg("on"), "drafts": request.args.get("drafts") == "1"}


def feedback_from(form) -> Feedback:
    """Validated feedback from a form or JSON object: kb.feedback checks every field, and its FeedbackError
    is a 400 that says why (web/__init__.py)."""
    return Feedback.from_mapping(form, kb_vocab())
