"""Every link to a clause the site builds: ``/doc/<id>#<clause id>``, with ``?page=k`` when the clause is on
a later page of a long document. kb names a clause by its ids (``kb.model.clause_key``); only the site
turns them into URLs."""

from __future__ import annotations

from kb.model import clause_key


def permalink(doc_id: str, clause_id: str) -> str:
    """The permalink of a clause, as it stands in answers, search hits, rules, the FAQ and /api/doc."""
    return f"/doc/{clause_key(doc_id, clause_id)}"


def page_url(doc_id: str, clause_id: str, page: int) -> str:
    """The permalink of a clause on page ``page`` (from 1) of a long document."""
    return f"/doc/{doc_id}?page={page}#{clause_id}" if page > 1 else permalink(doc_id, clause_id)
