"""The documents a search's filters let through (region and the regions above it, status, document), as
document numbers kept per index generation: a filter, never a result cache."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh.reading import TermNotFound

from kb.index.generation import OpenIndex
from kb.search.lookups import blocks, decode
from kb.search.terms import DENSE_MIN_DOCS

MAX_FILTERS = 256  # filters and terms kept per generation (regions × statuses × documents asked about)


def _parts(index: OpenIndex, region: str | None, status: str | None, doc: str | None) -> tuple:
    """A filter as the terms of its parts: any of each part's terms, every part."""
    parts: list[tuple[tuple[str, str], ...]] = []
    if region:
        canonical = index.vocab.canonical_region(region)
        parts.append(tuple(("region", r) for r in index.vocab.region_chain(canonical or region)))
    if status:
        parts.append((("status", status.strip()),))
    if doc:
        parts.append((("doc_id", doc.strip()),))
    return tuple(parts)


def allowed(index: OpenIndex, searcher, region: str | None, status: str | None, doc: str | None) -> set[int] | None:
    """Document numbers a filter lets through, kept per index generation (a filter, not a result cache)."""
    parts = _parts(index, region, status, doc)

    def documents() -> set[int]:
        found: set[int] | None = None
        for terms in parts:
            docs = set().union(*(_documents_with(index, searcher, fieldname, text) for fieldname, text in terms))
            found = docs if found is None else found & docs
        return found or set()

    return _kept(index, ("allow", parts), documents) if parts else None


def allowed_mask(index: OpenIndex, searcher, region: str | None, status: str | None, doc: str | None):
    """``allowed`` as a boolean array over the document numbers, for ``kb.search.dense``; kept beside it."""
    parts = _parts(index, region, status, doc)

    def mask():
        import numpy as np  # only large generations are scored densely (kb.search.dense)

        docs = allowed(index, searcher, region, status, doc) or set()
        array = np.zeros(searcher.doc_count_all(), dtype=bool)
        array[np.fromiter(docs, dtype=np.intp, count=len(docs))] = True
        return array

    return _kept(index, ("mask", parts), mask) if parts else None


def _kept(index: OpenIndex, key: tuple, make: Callable[[], Any]) -> Any:
    """What is kept under ``key`` for the open generation, made (and kept) the first time."""
    found = index.generation.filters.get(key)
    if found is None:
        found = make()
        _keep(index, key, found)
    return found


def _documents_with(index: OpenIndex, searcher, fieldname: str, text: str) -> set[int]:
    """The document numbers with one term, kept per generation: 全国 alone is most of a law library, and
    every region's filter holds it."""
    key = ("term", fieldname, text)
    docs = index.generation.filters.get(key)
    if docs is None:
        docs = set()
        for sub, offset in searcher.leaf_searchers():
            try:
                matcher = sub.reader().postings(fieldname, text)
            except TermNotFound:
                continue
            for _, block in blocks(matcher):
                docs.update([offset + d for d in decode(block)[0]] if offset else decode(block)[0])
        _keep(index, key, docs)
    return docs


def _keep(index: OpenIndex, key: tuple, value) -> None:
    """Keep a filter's documents, up to a few hundred filters and terms (regions × statuses × documents
    asked about); then they are made again as they are asked for."""
    filters = index.generation.filters
    if len(filters) > MAX_FILTERS:
        filters.clear()
    filters[key] = value


def warm(index: OpenIndex) -> None:
    """The filter of the top region (全国), which every region's filter includes, made when a generation
    opens — and for a generation scored over arrays, its array too (numpy is imported now, not by the
    first question)."""
    with index.searcher() as searcher:
        dense = searcher.doc_count_all() >= DENSE_MIN_DOCS
        for region in index.vocab.regions.values():
            if not region.parent:
                allowed(index, searcher, region.name, None, None)
                if dense:
                    allowed_mask(index, searcher, region.name, None, None)
