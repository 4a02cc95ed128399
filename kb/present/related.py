"""Clauses related to a clause: those of other documents that state a figure for the same item."""

from __future__ import annotations

from kb.index import OpenIndex

RELATED_CLAUSES = 8


def related_clauses(index: OpenIndex, doc_id: str, clause_id: str) -> list[tuple[str, str]]:
    """(doc id, clause id) of up to RELATED_CLAUSES clauses of other documents on the clause's items."""
    facts = index.facts_by_clause
    items = {f.get("item") for f in facts.get(f"{doc_id}#{clause_id}", []) if f.get("item")}
    found = []
    for key, others in facts.items() if items else ():
        other_doc, _, other_clause = key.partition("#")
        if other_doc != doc_id and any(f.get("item") in items for f in others):
            found.append((other_doc, other_clause))
    return found[:RELATED_CLAUSES]
