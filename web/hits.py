"""Search hits, answers and rule rows as the site shows them: kb's spans rendered as HTML (matches in
<mark>), and every clause given its link (``web.documents.clause_link``)."""

from __future__ import annotations

import html
from dataclasses import asdict

from markupsafe import Markup

from kb.answer import Answer
from kb.answer.rule_table import RuleTable
from kb.index import OpenIndex
from kb.model import SearchResult
from kb.search.highlight import render
from web.documents import clause_link


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def highlight_html(hit: dict) -> Markup:
    """The shown stretches of a hit's text, escaped, its matched words in <mark> (what ``snippet`` is in
    plain text)."""
    return Markup(render(hit["text"], hit["windows"], hit["marks"], _escape, lambda word: f"<mark>{word}</mark>"))


def shown_hit(index: OpenIndex, hit: dict) -> dict:
    """A hit (``Hit.to_dict()``) with its highlight and link."""
    return {**hit, "highlight": highlight_html(hit), "url": clause_link(index, hit["doc_id"], hit["clause_id"])}


def shown_search(index: OpenIndex, result: SearchResult) -> dict:
    """A search result as /search and /api/search show it."""
    data = result.to_dict()
    data["hits"] = [shown_hit(index, hit) for hit in data["hits"]]
    return data


def shown_answer(index: OpenIndex, answer: Answer) -> dict:
    """An answer as / and /api/ask show it: its citations and hits linked, its hits highlighted."""
    data = answer.to_dict()
    data["citations"] = [{**c, "url": clause_link(index, c["doc_id"], c["clause_id"])} for c in data["citations"]]
    data["hits"] = [shown_hit(index, hit) for hit in data["hits"]]
    return data


def shown_rules(index: OpenIndex, table: RuleTable) -> dict:
    """A rule table as /rules and /api/rules show it: each row linked to its clause."""
    data = table.to_dict()
    data["rows"] = [{**asdict(row), "url": clause_link(index, row.doc_id, row.clause_id)} for row in table.rows]
    return data
