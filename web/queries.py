"""The site's calls into kb, shared by the pages and their JSON twins: each runs a kb function on the
app's open index and returns what the page and its JSON twin show (``web.hits``: spans rendered, every
clause linked, long documents' pages named)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import abort, current_app

from kb.answer import ask
from kb.answer.rule_table import RuleTable, rule_table
from kb.answer.standing import ordered, standings
from kb.corpus import Document
from kb.errors import IndexMissing
from kb.index import OpenIndex
from kb.index.generation import Generation
from kb.index.memo import Memo
from kb.search import search
from web import feedback_store, kb_index
from web.hits import shown_answer, shown_rules, shown_search

# The answers and searches of the generation served, kept for the same question asked again (an agent's
# live typing sends each pause's prefix; a hotline's agents ask the same questions): per generation and
# process, at most KB_ANSWER_CACHE of each (0: none). An answer depends only on the generation and on
# what is keyed, the date included, so one kept is the one that would be worked out again.
ANSWERS, SEARCHES = "web.answers", "web.searches"


def _memo(index: OpenIndex, name: str) -> tuple[Generation | None, Memo | None]:
    """The generation to answer from (after a refresh, as ``kb`` would make one) and its memo ``name``."""
    try:
        index.refresh()
    except IndexMissing:
        pass  # the generation open stays served, as kb's own refresh leaves it
    generation = index.generation
    size = current_app.config.get("KB_ANSWER_CACHE", 0)
    return generation, (generation.memo(name, size) if generation is not None and size else None)


def _worked_out(index: OpenIndex, name: str, key: tuple, work: Callable[[], dict]) -> dict:
    """``work()``'s result, or the one kept under ``key`` for the generation served; a copy of the dict
    (the views add to it), the values inside shared and never changed."""
    generation, memo = _memo(index, name)
    found = memo.get(key, None) if memo is not None else None
    if found is None:
        found = work()
        if memo is not None and index.generation is generation:  # not when a swap came in between
            memo.put(key, found)
    return dict(found)


def run_search(args: dict) -> dict:
    """A search as the page and /api/search show it (``web.hits.shown_search``)."""
    index = kb_index()

    def work() -> dict:
        result = search(index, args["query"], region=args["region"], status=args["status"], doc=args["doc"],
                        limit=args["limit"])  # an InputError is a 400 with its message (web/__init__.py)
        result.message = result.message or args.get("message", "")
        return shown_search(index, result)

    key = (args["query"], args["region"], args["status"], args["doc"], args["limit"], args.get("message", ""))
    return _worked_out(index, SEARCHES, key, work)


def run_ask(args: dict) -> dict:
    """An answer as the console and /api/ask show it (``web.hits.shown_answer``)."""
    index = kb_index()
    on = args["on"] or dt.date.today()  # the date kb ask reads rules on when given none, and part of the key

    def work() -> dict:
        return shown_answer(index, ask(index, args["question"], region=args["region"], on=on, start=args["start"]))

    answer = _worked_out(index, ANSWERS, (args["question"], args["region"], on, args["start"]), work)
    if not answer["found"] and args["question"].strip():
        feedback_store().record_miss(args["question"], args["region"] or "")  # never raises: answers come first
    return answer


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
