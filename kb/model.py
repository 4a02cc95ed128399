"""The types that survive the build: a document, its clauses and layout blocks, the facts its clauses state,
and a search hit. Plain data — no HTML, no URLs (the site renders them, ``web/urls.py`` builds its links)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path


def clause_key(doc_id: str, clause_id: str) -> str:
    """The one name of a clause across the product: ``doc_id#clause_id`` (the index's unique key, the key of
    a clause's facts, and what the site's permalink ``/doc/doc_id#clause_id`` ends with)."""
    return f"{doc_id}#{clause_id}"


@dataclass
class Document:
    """A corpus document: its id, title, checked front matter and Markdown body (``kb.corpus`` reads it,
    ``kb.parse.parse_document`` cuts it into clauses)."""

    id: str
    title: str
    meta: dict
    body: str
    path: Path | None = None

    @property
    def region(self) -> str:
        """The region of the front matter ("" when none)."""
        return self.meta.get("region") or ""

    @property
    def status(self) -> str:
        """The status of the front matter ("" when none)."""
        return self.meta.get("status") or ""

    @property
    def kind(self) -> str:
        """The kind of the front matter ("" when none)."""
        return self.meta.get("kind") or ""

    @property
    def doc_number(self) -> str:
        """The 文号 of the front matter ("" when none)."""
        return self.meta.get("doc_number") or ""


@dataclass
class Clause:
    """One citable unit of a document."""

    id: str  # anchor, stable for the same text: c2.1.1.2, a28, att2-t1-r3
    label: str  # the document's own numbering: 二、（一）1.（2）, 第二十八条, 附件2 高压双电源用户
    kind: str  # heading | paragraph | item | article | row
    text: str  # verbatim; a row reads "caption — key：header value，…"
    heading_path: list[str] = field(default_factory=list)
    parent: str | None = None
    order: int = 0
    container: bool = False  # a heading whose content lives in its children
    # Table rows only: the row's name, its (column header, cell) pairs and the table's unit.
    row_key: str = ""
    cells: list[tuple[str, str]] = field(default_factory=list)
    unit: str = ""

    @property
    def indexable(self) -> bool:
        """Whether the clause is indexed: not a container of others, and not blank."""
        return not self.container and bool(self.text.strip())


@dataclass
class Block:
    """A piece of the document's layout, for rendering with anchors."""

    kind: str  # heading | paragraph | table | title
    source: str
    anchor: str | None = None
    level: int = 0
    row_anchors: list[str] = field(default_factory=list)


@dataclass
class ParsedDocument:
    """A document cut into clauses, and the layout blocks a page renders."""

    clauses: list[Clause]
    blocks: list[Block]

    def clause(self, clause_id: str) -> Clause | None:
        """The clause with this id, or None."""
        return next((c for c in self.clauses if c.id == clause_id), None)


@dataclass(slots=True)
class Fact:
    """A figure a clause states: who it is about, what it measures, the value and unit, how it binds, the
    conditions that narrow it, and the clause it was read from (``kb.facts`` reads them at build time; the
    open index holds them as Facts).

    Besides its attributes a Fact reads as a read-only mapping (``fact["unit"]``, ``fact.get("value")``), for
    the code that takes facts and answer entries (dicts) alike.
    """

    subject: str
    item: str
    value: int | float | str
    unit: str
    bound: str
    qualifiers: list[str]
    doc_id: str
    clause_id: str
    label: str = ""
    context: str = ""  # the verbatim words the figure stands in
    region: str = ""
    status: str = ""

    def to_dict(self) -> dict:
        """Plain JSON values, as ``facts.json`` stores a fact: what ``dataclasses.asdict`` gives (the fields in
        order, the qualifiers a list of their own), written out. asdict's recursive deep copy was a fifth
        of fact extraction at lawref scale."""
        return {"subject": self.subject, "item": self.item, "value": self.value, "unit": self.unit,
                "bound": self.bound, "qualifiers": list(self.qualifiers), "doc_id": self.doc_id,
                "clause_id": self.clause_id, "label": self.label, "context": self.context, "region": self.region,
                "status": self.status}

    @classmethod
    def from_dict(cls, data: dict) -> Fact:
        """A Fact from its ``facts.json`` record."""
        return cls(**data)

    def __getitem__(self, key: str):
        if key not in FACT_FIELDS:
            raise KeyError(key)
        return getattr(self, key)

    def get(self, key: str, default=None):
        """The field ``key``, or ``default`` when a fact has no such field (the mapping interface)."""
        return getattr(self, key) if key in FACT_FIELDS else default

    def keys(self) -> Iterator[str]:
        """The fields of a fact (the mapping interface)."""
        return iter(FACT_FIELDS)


FACT_FIELDS = frozenset(f.name for f in fields(Fact))


@dataclass
class Hit:
    """A clause a search found, with where the query's words stand in it: ``marks`` are (start, end)
    offsets of matched words in ``text``, ``windows`` the (start, end) stretches of ``text`` worth showing
    (the whole clause when short). ``snippet`` is those stretches as plain text with the matches in 【】."""

    doc_id: str
    title: str
    region: str
    status: str
    doc_number: str
    clause_id: str
    label: str
    heading: str
    text: str
    snippet: str
    score: float
    windows: list[tuple[int, int]] = field(default_factory=list)
    marks: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Plain JSON values, for the CLI and the API: what ``dataclasses.asdict`` gives, written out (asdict's
        recursive copy was 4% of an answer at lawref scale)."""
        return {"doc_id": self.doc_id, "title": self.title, "region": self.region, "status": self.status,
                "doc_number": self.doc_number, "clause_id": self.clause_id, "label": self.label,
                "heading": self.heading, "text": self.text, "snippet": self.snippet, "score": self.score,
                "windows": [tuple(w) for w in self.windows], "marks": [tuple(m) for m in self.marks]}


@dataclass
class SearchResult:
    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    terms: list[str] = field(default_factory=list)
    message: str = ""
    timed_out: bool = False
    elapsed_ms: float = 0.0

    def to_dict(self) -> dict:
        """Plain JSON values, its hits included (as ``dataclasses.asdict`` gives them, without its deep copy)."""
        return {"query": self.query, "hits": [hit.to_dict() for hit in self.hits], "total": self.total,
                "terms": list(self.terms), "message": self.message, "timed_out": self.timed_out,
                "elapsed_ms": self.elapsed_ms}
