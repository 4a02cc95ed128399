"""Documents as /doc/<id> shows them: rendered once per index generation, and long ones in pages.

A 50 MB document is 58 MB of HTML and half a minute of Markdown rendering, too much for one response and
far too much for every response. So:

- a document of less than ``SINGLE_PAGE_BYTES`` is one page, as before (every document of the corpus);
- a longer one is cut into pages of about ``PAGE_BYTES`` of HTML (UTF-8), estimated from the Markdown
  source before anything is rendered (a table too long for a page is cut between rows, its header
  repeated), and only the page asked for is rendered;
- rendered pages are kept in a bounded cache keyed by the index generation (fingerprint and build time),
  the document and the page, so a reindex never serves stale HTML.

Permalinks: ``/doc/<id>?page=k`` is a page, ``/doc/<id>?clause=<clause id>`` redirects to the page that
holds the clause (with ``#<clause id>``). The links the site builds (search hits, answers, rules, FAQ,
/api/doc) name the page already (``clause_link``); a bare ``/doc/<id>#<clause>`` to a later page, from
outside, is sent on by a few lines of site.js, and without JavaScript every page lists the pages with
the first clause of each.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from flask import current_app
from markupsafe import Markup

from kb.index import OpenIndex
from kb.parse import Block
from web.render import render_blocks
from web.urls import page_url, permalink

PAGE_BYTES = 200_000  # about this much HTML per page
SINGLE_PAGE_BYTES = PAGE_BYTES // 2  # a shorter document is never paged, whatever the estimate says
CACHED_PAGES = 64  # rendered pages kept, over all documents: about 13 MB
CACHED_LAYOUTS = 32  # documents whose cut into pages is kept
BLOCK_OVERHEAD = 60  # characters of markup around a block: <div id="…" class="clause"><p>…</p></div>
ROW_OVERHEAD = 12  # and per table cell: <td>…</td>


@dataclass
class Layout:
    """A document cut into pages: the blocks of each page, and the page of every anchor."""

    pages: list[list[Block]]
    page_of: dict[str, int] = field(default_factory=dict)  # anchor → page number, from 1
    contents: list[tuple[str, str]] = field(default_factory=list)  # per page: (first anchor, its label)
    labels: dict[str, str] = field(default_factory=dict)  # anchor → clause label


def _bytes(text: str) -> int:
    return len(text.encode("utf-8", "replace"))


def _estimate(block: Block) -> int:
    if block.kind == "table":
        return _bytes(block.source) + BLOCK_OVERHEAD + ROW_OVERHEAD * block.source.count("|")
    return _bytes(block.source) + BLOCK_OVERHEAD


def is_short(body: str) -> bool:
    """A body that is one page however it is measured (UTF-8 takes at most 4 bytes a character)."""
    return len(body) * 4 < SINGLE_PAGE_BYTES


def _split_table(block: Block, budget: int) -> list[Block]:
    """A table too long for one page as several tables of whole rows, each with the header repeated."""
    lines = block.source.splitlines()
    header, rows = lines[:2], lines[2:]
    if len(rows) != len(block.row_anchors) or len(rows) < 2:
        return [block]  # not the shape the parser makes: leave it whole rather than guess
    parts: list[Block] = []
    start, size = 0, 0
    for number, row in enumerate(rows):
        size += _bytes(row) + ROW_OVERHEAD * row.count("|")
        if size > budget and number > start:
            parts.append(Block("table", "\n".join(header + rows[start:number]), None, block.level,
                               block.row_anchors[start:number]))
            start, size = number, _bytes(row) + ROW_OVERHEAD * row.count("|")
    parts.append(Block("table", "\n".join(header + rows[start:]), None, block.level, block.row_anchors[start:]))
    parts[0].anchor = block.anchor
    return parts


def layout(blocks: list[Block], labels: dict[str, str], body_bytes: int) -> Layout:
    """Cut ``blocks`` into pages of about PAGE_BYTES of HTML (one page when the body is short)."""
    if body_bytes < SINGLE_PAGE_BYTES:
        pages = [blocks]
    else:
        pages, current, size = [], [], 0
        for whole in blocks:
            pieces = _split_table(whole, PAGE_BYTES) if whole.kind == "table" and _estimate(whole) > PAGE_BYTES \
                else [whole]
            for block in pieces:
                cost = _estimate(block)
                if current and size + cost > PAGE_BYTES:
                    pages.append(current)
                    current, size = [], 0
                current.append(block)
                size += cost
        pages.append(current)
    result = Layout(pages, labels=labels)
    for number, page in enumerate(pages, start=1):
        first = ""
        for block in page:
            for anchor in ([block.anchor] if block.anchor else []) + block.row_anchors:
                result.page_of.setdefault(anchor, number)
                first = first or anchor
        result.contents.append((first, labels.get(first, "")))
    return result


class _LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class DocumentPages:
    """The app's cache of document layouts and rendered pages, keyed by index generation."""

    def __init__(self) -> None:
        self.layouts = _LRU(CACHED_LAYOUTS)
        self.rendered = _LRU(CACHED_PAGES)

    @staticmethod
    def _generation(index: OpenIndex) -> tuple:
        return index.manifest.get("fingerprint"), index.manifest.get("built_at")

    def layout(self, index: OpenIndex, doc_id: str) -> Layout:
        key = (*self._generation(index), doc_id)
        found = self.layouts.get(key)
        if found is None:
            parsed = index.parsed(doc_id)
            labels = {clause.id: clause.label for clause in parsed.clauses}
            found = layout(parsed.blocks, labels, _bytes(index.documents[doc_id]["body"]))
            self.layouts.put(key, found)
        return found

    def page(self, index: OpenIndex, doc_id: str, number: int) -> Markup:
        """Page ``number`` (from 1, within range) of the document as HTML."""
        key = (*self._generation(index), doc_id, number)
        found = self.rendered.get(key)
        if found is None:
            layout = self.layout(index, doc_id)
            found = Markup(render_blocks(layout.pages[number - 1], layout.labels))
            self.rendered.put(key, found)
        return found

    def page_of(self, index: OpenIndex, doc_id: str, clause_id: str) -> int | None:
        """The page that holds the clause, or None when the document has no such clause."""
        if is_short(index.documents[doc_id]["body"]):
            return 1 if any(c.id == clause_id for c in index.parsed(doc_id).clauses) else None
        return self.layout(index, doc_id).page_of.get(clause_id)


def document_pages() -> DocumentPages:
    return current_app.extensions.setdefault("kb_document_pages", DocumentPages())


def clause_link(index: OpenIndex, doc_id: str, clause_id: str) -> str:
    """The permalink of a clause (``web.urls.permalink``) with the page added when the clause is not on the
    first page of a long document. Costs nothing for a document short enough to be one page."""
    record = index.documents.get(doc_id)
    if record is None or is_short(record["body"]):
        return permalink(doc_id, clause_id)
    page = document_pages().page_of(index, doc_id, clause_id) or 1
    return page_url(doc_id, clause_id, page)
