"""The open index: one generation read whole — documents, facts, the searcher — shared by every request,
and reopened when a build swaps the link to a newer generation."""

from __future__ import annotations

import gc
import json
import logging
import pickle
import struct
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import FileIndex
from whoosh.searching import Searcher

from kb.errors import IndexDamaged, IndexMissing
from kb.index.clauses import ClauseStore
from kb.index.memo import Memo
from kb.index.schema import WORD_FIELDS, make_schema, scoring
from kb.index.store import DOCUMENTS, FACTS, MANIFEST, default_index, generations, problems, read_manifest
from kb.index.titles import Titles
from kb.index.whoosh_adapter import length_column, segment_perdoc
from kb.model import Clause, Fact, ParsedDocument, clause_key
from kb.parse.clauses import parse
from kb.vocab import Vocab, default_vocab

# What reading a damaged Whoosh segment or generation file raises (truncated, bit-flipped, not JSON).
DAMAGE = (EOFError, struct.error, zlib.error, OSError, UnicodeDecodeError, pickle.UnpicklingError, ValueError,
          KeyError, IndexError, TypeError)
# …and what a query reading a segment that passed the size check but does not decode may raise.
READ_DAMAGE = (EOFError, struct.error, zlib.error, OSError, UnicodeDecodeError, pickle.UnpicklingError)
log = logging.getLogger(__name__)


def load_field_lengths(reader, fieldname: str):
    """Every document's length byte for a field of one segment (Whoosh's quantised length, the value its
    BM25F scorer reads per posting), read in one go from the segment's length column."""
    column = length_column(segment_perdoc(reader), fieldname)
    if column is not None:
        return column
    from whoosh.util.numeric import length_to_byte

    return bytes(length_to_byte(reader.doc_field_length(d, fieldname, 0) or 0) for d in range(reader.doc_count_all()))


@dataclass
class Generation:
    """Everything read from one index generation and everything derived from it, replaced together when
    the index is swapped: nothing derived from a generation outlives it, and no module keeps any of it."""

    target: Path
    ix: FileIndex
    searcher: Searcher
    documents: dict[str, dict]
    manifest: dict
    facts: list[Fact]
    facts_by_clause: dict[str, list[Fact]]  # clause_key → the clause's facts
    facts_by_item: dict[str, list[Fact]]
    metas: dict[str, dict]  # each document's metadata with its title, as standings and pages read them
    titles: Titles  # for spotting a document named in a query
    clause_store: ClauseStore  # every document's clauses by id, as the build parsed them
    # Made as they are first asked for (or by the index's warmers):
    lengths: dict[tuple[int, str], bytes] = field(default_factory=dict)  # (segment reader, field) → length bytes
    norms: dict[tuple, list[float]] = field(default_factory=dict)  # kb.search.scoring's BM25 length norms
    filters: dict[tuple, set[int]] = field(default_factory=dict)  # document numbers per filter and per term
    parsed: dict[str, ParsedDocument] = field(default_factory=dict)  # documents parsed for display
    # What the layers above derive from this generation (kb.answer's standings), each under its own key.
    extensions: dict[str, object] = field(default_factory=dict)
    memos: dict[str, Memo] = field(default_factory=dict)  # see memo(); made on first use
    _memo_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def memo(self, name: str, size: int) -> Memo:
        """The bounded memo ``name`` of this generation (``kb.index.memo``), made with ``size`` on first use."""
        found = self.memos.get(name)
        if found is None:
            with self._memo_lock:
                found = self.memos.setdefault(name, Memo(size))
        return found

    def field_lengths(self, reader, fieldname: str) -> bytes:
        """The length bytes of one field in one segment, loaded once."""
        key = (id(reader), fieldname)
        lengths = self.lengths.get(key)
        if lengths is None:
            lengths = self.lengths[key] = load_field_lengths(reader, fieldname)
        return lengths

    def clause(self, doc_id: str, clause_id: str) -> Clause | None:
        """One clause of a document of this generation: from the clause store, without parsing the document
        (a generation built before the store parses it, once)."""
        if self.clause_store.holds(doc_id):
            return self.clause_store.clause(doc_id, clause_id)
        return self.parsed_document(doc_id).clause(clause_id)

    def parsed_document(self, doc_id: str) -> ParsedDocument:
        """A document of this generation, parsed once."""
        parsed = self.parsed.get(doc_id)
        if parsed is None:
            record = self.documents[doc_id]
            parsed = self.parsed[doc_id] = parse(record["body"], record["title"])
        return parsed


def _read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def open_generation(target: Path, vocab: Vocab) -> Generation:
    """Open a generation after checking its files against the manifest (sizes: a few ``stat`` calls);
    ``IndexDamaged`` when they do not match or cannot be read."""
    manifest = read_manifest(target)
    if not manifest:
        raise IndexDamaged(f"index generation {target.name} has no readable manifest")
    found = problems(target, manifest)
    if found:
        raise IndexDamaged(f"index generation {target.name} is damaged: {'; '.join(found[:3])}")
    try:
        # The schema the code makes, never the one pickled in the index (kb.analysis.tokenizers).
        ix = whoosh_index.open_dir(str(target), schema=make_schema(vocab))
        searcher = ix.searcher(weighting=scoring())
        documents = _read_json(target / DOCUMENTS)
        facts = [Fact.from_dict(record) for record in _read_json(target / FACTS)]
        metas = {doc_id: {**record["meta"], "title": record["title"]} for doc_id, record in documents.items()}
        titles = Titles({doc_id: record["title"] for doc_id, record in documents.items()}, vocab.analysis.normalize,
                        vocab.documents["title_prefixes"], vocab.documents["title_place_suffixes"])
        store = ClauseStore(target)
        by_clause: dict[str, list[Fact]] = {}
        by_item: dict[str, list[Fact]] = {}
        for fact in facts:
            by_clause.setdefault(clause_key(fact.doc_id, fact.clause_id), []).append(fact)
            by_item.setdefault(fact.item, []).append(fact)
    except DAMAGE as error:
        raise IndexDamaged(f"index generation {target.name} cannot be read ({type(error).__name__}: "
                           f"{' '.join(str(error).split())[:160]})") from error
    return Generation(target, ix, searcher, documents, manifest, facts, by_clause, by_item, metas, titles, store)


class OpenIndex:
    """One open index and searcher shared by every request, refreshed after a swap.

    Each generation is warmed when it is opened — its length columns, its stored-fields file, and what
    the ``warmers`` it was given make (``kb.answer.WARMERS``: the top region's filter, today's standings) —
    so the first question after a start or a reindex costs what any other does. With ``freeze_garbage``
    (the site and the CLI set it) the generation's long-lived objects are left out of garbage collections
    (``gc.freeze``), and put back when the next generation replaces them.

    A generation that turns out damaged is never served: a running index keeps serving the one it has
    (``problem`` says why), and one that opens on a damaged generation falls back to the newest intact
    older one, or raises ``IndexDamaged``.
    """

    def __init__(self, index_path: Path | None = None, vocab: Vocab | None = None,
                 warmers: Iterable[Callable[[OpenIndex], None]] = (), freeze_garbage: bool = False,
                 kept_postings: int = 0) -> None:
        self.path = index_path or default_index()
        self.warmers = tuple(warmers)
        self.freeze_garbage = freeze_garbage
        # How many postings a search over a large generation may keep decoded for the next searches
        # (kb.search.dense; a server's choice: the CLI and the benchmark keep none, so each question is
        # timed as if it were the first to read its words).
        self.kept_postings = kept_postings
        self.vocab = vocab or default_vocab()  # what the index was built with, and what reads questions
        # What the layers above keep for as long as this index is open (kb.answer's engine), each under its own
        # key, the way Flask's app.extensions holds an extension's state.
        self.extensions: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._generation: Generation | None = None
        self._refused: dict[Path, str] = {}  # damaged generations, not tried again until the link moves
        self.problem: str | None = None  # why the generation served is not the one the link names
        self.vocab.analysis  # noqa: B018 — the analysis (its dictionary's index) is made now, not on the first query
        self.refresh()

    # The open generation's parts, read by search, answers and the pages.
    documents = property(lambda self: self._generation.documents if self._generation else {})
    manifest = property(lambda self: self._generation.manifest if self._generation else {})
    facts = property(lambda self: self._generation.facts if self._generation else [])
    titles = property(lambda self: self._generation.titles if self._generation else Titles({}, str, ()))
    facts_by_clause = property(lambda self: self._generation.facts_by_clause if self._generation else {})
    facts_by_item = property(lambda self: self._generation.facts_by_item if self._generation else {})
    metas = property(lambda self: self._generation.metas if self._generation else {})
    generation = property(lambda self: self._generation)  # all of the open generation; None before one opens
    _searcher = property(lambda self: self._generation.searcher if self._generation else None)

    def _current_target(self) -> Path:
        if not (self.path / MANIFEST).exists():
            raise IndexMissing(f"no index at {self.path}: run `kb build` first")
        return self.path.resolve()

    def refresh(self) -> bool:
        """Reopen if the index was swapped since we opened it; True when it was."""
        target = self._current_target()
        current = self._generation
        if (current is not None and target == current.target) or target in self._refused:
            return False
        with self._lock:
            current = self._generation
            if (current is not None and target == current.target) or target in self._refused:
                return False
            try:
                self._install(open_generation(target, self.vocab))
            except IndexDamaged as error:
                self._refused[target] = str(error)
                log.warning("%s", error)
                if self._generation is not None:
                    self.problem = f"{error}; still serving {self._generation.target.name}"
                    return False
                return self._fall_back(target, error)
            self.problem = None
            return True

    def _fall_back(self, damaged: Path, error: IndexDamaged) -> bool:
        """Nothing is open and the current generation is damaged: serve the newest intact older one."""
        for older in generations(self.path):
            if older.resolve() == damaged or older in self._refused:
                continue
            try:
                self._install(open_generation(older, self.vocab))
            except IndexDamaged as also:
                self._refused[older] = str(also)
                continue
            self.problem = f"{error}; serving the older generation {older.name} until `kb build` repairs it"
            log.warning("%s", self.problem)
            return True
        raise IndexDamaged(f"{error}. Run `kb build` to rebuild it")

    def _install(self, generation: Generation) -> None:
        """Make ``generation`` the one served and warm it; if warming finds damage, put the old one back."""
        old = self._generation
        self._generation = generation
        try:
            for sub, _offset in generation.searcher.leaf_searchers():
                reader = sub.reader()
                for fieldname in WORD_FIELDS:
                    generation.field_lengths(reader, fieldname)
                if reader.doc_count_all():
                    reader.stored_fields(0)  # opens the stored-fields file (a tenth of a second at scale)
            for warm in self.warmers:
                warm(self)
        except DAMAGE as error:
            self._generation = old
            generation.searcher.close()
            raise IndexDamaged(f"index generation {generation.target.name} cannot be read "
                               f"({type(error).__name__})") from error
        if old is not None:
            old.searcher.close()
        if self.freeze_garbage:
            # A law library's index holds millions of Python objects (facts, document records, caches)
            # that live as long as the generation; a full garbage collection walking them all paused a
            # request for ~0.1 s. Frozen, they are left out of collections; unfrozen first, what the old
            # generation leaves is collected.
            gc.unfreeze()
            gc.collect()
            gc.freeze()

    def _open(self) -> Generation:
        if self._generation is None:
            raise IndexMissing(f"no index generation is open at {self.path}")
        return self._generation

    def field_lengths(self, reader, fieldname: str) -> bytes:
        """The length bytes of one field in one segment of the open generation, loaded once."""
        return self._open().field_lengths(reader, fieldname)

    def parsed(self, doc_id: str) -> ParsedDocument:
        """A document of the open generation, parsed once."""
        return self._open().parsed_document(doc_id)

    def clause_text(self, doc_id: str, clause_id: str) -> tuple[str, str]:
        """(verbatim text, label) of a clause."""
        clause = self.clause(doc_id, clause_id)
        return (clause.text, clause.label) if clause else ("", clause_id)

    def clause(self, doc_id: str, clause_id: str) -> Clause | None:
        """One clause of a document of the open generation, or None (``Generation.clause``)."""
        return self._open().clause(doc_id, clause_id)

    @contextmanager
    def searcher(self) -> Iterator:
        """The open generation's searcher for the block, after a refresh (a missing index keeps the one open)."""
        try:
            self.refresh()
        except IndexMissing:
            if self._searcher is None:
                raise
        with self._lock:
            yield self._searcher

    def close(self) -> None:
        """Close the open generation's searcher (and unfreeze what was frozen for it)."""
        with self._lock:
            if self._generation is not None:
                self._generation.searcher.close()
                self._generation = None
            if self.freeze_garbage:
                gc.unfreeze()
