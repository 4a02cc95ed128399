"""The site's own URLs built in one place (kb builds the permalinks /doc/<id>#<clause>)."""

from __future__ import annotations

from urllib.parse import quote


def clause_view_url(doc_id: str, clause_id: str) -> str:
    """The page that shows one clause with its document's title and status and a way back."""
    return f"/clause/{quote(doc_id, safe='')}/{quote(clause_id, safe='')}"


def faq_url(entry_id: str) -> str:
    return f"/faq#{quote(entry_id, safe='')}"
