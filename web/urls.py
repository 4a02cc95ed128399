"""Every URL the site builds, in one place: a clause's permalink ``/doc/<id>#<clause id>`` (with ``?page=k``
when the clause is on a later page of a long document), the page that shows one clause, an FAQ entry. kb
names a clause by its ids (``kb.model.clause_key``); only the site turns them into URLs."""

from __future__ import annotations

from urllib.parse import quote

from kb.model import clause_key


def permalink(doc_id: str, clause_id: str) -> str:
    """The permalink of a clause, as it stands in answers, search hits, rules, the FAQ and /api/doc."""
    return f"/doc/{clause_key(doc_id, clause_id)}"


def page_url(doc_id: str, clause_id: str, page: int) -> str:
    """The permalink of a clause on page ``page`` (from 1) of a long document."""
    return f"/doc/{doc_id}?page={page}#{clause_id}" if page > 1 else permalink(doc_id, clause_id)


def clause_view_url(doc_id: str, clause_id: str) -> str:
    """The page that shows one clause with its document's title and status and a way back."""
    return f"/clause/{quote(doc_id, safe='')}/{quote(clause_id, safe='')}"


def faq_url(entry_id: str) -> str:
    """An FAQ entry on the FAQ page."""
    return f"/faq#{quote(entry_id, safe='')}"
