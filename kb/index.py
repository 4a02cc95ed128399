"""The Whoosh index on disk: schema, atomic build and swap, one shared searcher.

``KB_INDEX`` (default ``var/index``) is a symbolic link to a generation
directory. A build writes a new generation beside it and then replaces the
link with ``os.replace``, which is atomic, so a reader sees either the old
index or the new one, never a half-written one. ``OpenIndex`` keeps one
searcher and reopens it when the link points somewhere new.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.scoring import BM25F

from kb import __version__
from kb.corpus import CorpusError, Document, corpus_fingerprint, load_corpus
from kb.facts import extract
from kb.faq import check as check_faq
from kb.faq import load_faq
from kb.parse import ParsedDocument, parse
from kb.text import BigramTokenizer, KbTokenizer, normalize
from kb.vocab import vocab

# Bump when parsing or analysis changes in a way the fingerprint cannot see.
SCHEMA_VERSION = "2"
MANIFEST = "manifest.json"
DOCUMENTS = "documents.json"
FACTS = "facts.json"
KEEP_GENERATIONS = 2


def default_corpus() -> Path:
    return Path(os.environ.get("KB_CORPUS", "corpus"))


def default_index() -> Path:
    return Path(os.environ.get("KB_INDEX", "var/index"))


def make_schema() -> Schema:
    words = KbTokenizer()
    return Schema(
        key=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        clause_id=ID(stored=True),
        kind=ID(stored=True),
        label=TEXT(analyzer=words, stored=True),
        title=TEXT(analyzer=words, stored=True),
        heading=TEXT(analyzer=words, stored=True),
        text=TEXT(analyzer=words, stored=True, phrase=True),
        grams=TEXT(analyzer=BigramTokenizer(), phrase=False),
        region=ID(stored=True),
        status=ID(stored=True),
        doc_kind=ID(stored=True),
        issued=ID(stored=True),
        effective=ID(stored=True),
        doc_number=STORED,
        order=NUMERIC(stored=True, sortable=True),
    )


def scoring() -> BM25F:
    return BM25F(B=0.75, K1=1.2)


@dataclass
class BuildReport:
    built: bool
    documents: int
    clauses: int
    seconds: float
    path: Path
    fingerprint: str

    def summary(self) -> str:
        if not self.built:
            return f"index is up to date ({self.documents} documents, {self.clauses} clauses) at {self.path}"
        return (f"built {self.clauses} clauses from {self.documents} documents in {self.seconds:.2f} s "
                f"at {self.path}")


def _code_fingerprint() -> str:
    """Parsing and extraction code is part of what an index was built from."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def fingerprint(corpus: Path) -> str:
    return (f"{SCHEMA_VERSION}-{__version__}-{_code_fingerprint()}-{vocab().fingerprint}-"
            f"{corpus_fingerprint(corpus)}")


def read_manifest(index_path: Path) -> dict:
    try:
        return json.loads((index_path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _document_record(document: Document) -> dict:
    return {"id": document.id, "title": document.title, "meta": document.public_meta(), "body": document.body}


def _clause_fields(document: Document) -> Iterator[dict]:
    meta = document.meta
    for clause in document.parsed.clauses:
        if not clause.indexable:
            continue
        yield {
            "key": f"{document.id}#{clause.id}",
            "doc_id": document.id,
            "clause_id": clause.id,
            "kind": clause.kind,
            "label": clause.label,
            "title": document.title,
            "heading": " › ".join(clause.heading_path),
            "text": clause.text,
            "grams": clause.text,
            "region": document.region,
            "status": document.status,
            "doc_kind": document.kind,
            "issued": str(meta.get("issued") or ""),
            "effective": str(meta.get("effective") or ""),
            "doc_number": document.doc_number,
            "order": clause.order,
        }


def check_faq_entries(corpus: Path, documents: list[Document], say: Callable[[str], None]) -> dict:
    """Check the FAQ against the clauses it cites: a cited clause that does not exist, or a malformed
    entry, fails the build; a figure that stands in none of its cited clauses is reported."""
    folder = corpus / "faq"
    if not folder.is_dir():
        return {"entries": 0, "problems": []}
    try:
        entries = load_faq(folder)
    except ValueError as error:
        raise CorpusError(f"FAQ: {error}") from error
    by_id = {d.id: d for d in documents}

    def clause_text(doc_id: str, clause_id: str) -> str | None:
        document = by_id.get(doc_id)
        clause = document.parsed.clause(clause_id) if document else None
        return clause.text if clause else None

    problems = check_faq(entries, clause_text, lambda doc_id: by_id[doc_id].meta if doc_id in by_id else {})
    fatal = [p for p in problems if p.kind != "figure-not-in-clause"]
    if fatal:
        raise CorpusError("FAQ: " + "；".join(p.message for p in fatal))
    for problem in problems:
        say(f"FAQ warning: {problem.message}")
    return {"entries": len(entries), "problems": [p.message for p in problems]}


@contextmanager
def _build_lock(index_path: Path) -> Iterator[None]:
    index_path.parent.mkdir(parents=True, exist_ok=True)
    with open(index_path.parent / f".{index_path.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _swap(index_path: Path, generation: Path) -> None:
    if index_path.exists() and not index_path.is_symlink():
        # An index directory from elsewhere: keep it as a generation, then link.
        index_path.rename(index_path.with_name(f"{index_path.name}.gen-legacy-{int(time.time())}"))
    link = index_path.with_name(f".{index_path.name}.swap-{os.getpid()}")
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(generation.name, link)
    os.replace(link, index_path)


def _prune(index_path: Path) -> None:
    current = index_path.resolve()
    generations = sorted(index_path.parent.glob(f"{index_path.name}.gen-*"), key=lambda p: p.stat().st_mtime)
    old = [g for g in generations if g.resolve() != current]
    # The newest old generation may still be open in a running server; keep it.
    for generation in old[: max(0, len(old) - (KEEP_GENERATIONS - 1))]:
        shutil.rmtree(generation, ignore_errors=True)


def build(corpus: Path | None = None, index_path: Path | None = None, force: bool = False,
          progress: Callable[[str], None] | None = None) -> BuildReport:
    """Build the index from the corpus unless it is already built from exactly this corpus."""
    corpus = corpus or default_corpus()
    index_path = index_path or default_index()
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    with _build_lock(index_path):
        wanted = fingerprint(corpus)
        manifest = read_manifest(index_path)
        if not force and manifest.get("fingerprint") == wanted:
            return BuildReport(False, manifest.get("documents", 0), manifest.get("clauses", 0), 0.0,
                               index_path, wanted)
        documents = load_corpus(corpus)
        faq_report = check_faq_entries(corpus, documents, say)
        vocab().segmenter  # noqa: B018 — load the dictionary before timing per-document progress
        stamp = f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        generation = index_path.with_name(f"{index_path.name}.gen-{stamp}")
        generation.mkdir(parents=True)
        ix = whoosh_index.create_in(str(generation), make_schema())
        writer = ix.writer(limitmb=256)
        clauses = 0
        facts: list[dict] = []
        try:
            for number, document in enumerate(documents, start=1):
                count = 0
                for fields in _clause_fields(document):
                    writer.add_document(**fields)
                    count += 1
                facts += [fact.to_dict() for clause in document.parsed.clauses if clause.indexable
                          for fact in extract(clause, document.id, document.region, document.status)]
                clauses += count
                say(f"[{number}/{len(documents)}] {document.id} {document.title[:40]} — {count} clauses")
            writer.commit()
        except BaseException:
            writer.cancel()
            shutil.rmtree(generation, ignore_errors=True)
            raise
        records = {d.id: _document_record(d) for d in documents}
        (generation / DOCUMENTS).write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        (generation / FACTS).write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
        seconds = time.perf_counter() - started
        (generation / MANIFEST).write_text(json.dumps({
            "fingerprint": wanted, "documents": len(documents), "clauses": clauses, "facts": len(facts),
            "faq": faq_report,
            "seconds": round(seconds, 3), "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "corpus": str(corpus.resolve()),
        }, ensure_ascii=False), encoding="utf-8")
        _swap(index_path, generation)
        _prune(index_path)
    return BuildReport(True, len(documents), clauses, seconds, index_path, wanted)


class IndexMissing(RuntimeError):
    """There is no built index at the configured path."""


class OpenIndex:
    """One open index and searcher shared by every request, refreshed after a swap."""

    def __init__(self, index_path: Path | None = None) -> None:
        self.path = index_path or default_index()
        self._lock = threading.RLock()
        self._target: Path | None = None
        self._ix = None
        self._searcher = None
        self.documents: dict[str, dict] = {}
        self.title_keys: dict[str, str] = {}  # normalised titles, for spotting a document named in a query
        self.facts: list[dict] = []
        self.facts_by_clause: dict[str, list[dict]] = {}
        self.facts_by_item: dict[str, list[dict]] = {}
        self._parsed: dict[str, ParsedDocument] = {}
        self.manifest: dict = {}
        vocab().segmenter  # noqa: B018 — jieba's dictionary loads now, not on the first query
        self.refresh()

    def _current_target(self) -> Path:
        if not (self.path / MANIFEST).exists():
            raise IndexMissing(f"no index at {self.path}: run `kb build` first")
        return self.path.resolve()

    def refresh(self) -> bool:
        """Reopen if the index was swapped since we opened it; True when it was."""
        target = self._current_target()
        if target == self._target:
            return False
        with self._lock:
            if target == self._target:
                return False
            ix = whoosh_index.open_dir(str(target))
            searcher = ix.searcher(weighting=scoring())
            documents = json.loads((target / DOCUMENTS).read_text(encoding="utf-8"))
            manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
            old = self._searcher
            self._ix, self._searcher, self._target = ix, searcher, target
            self.documents, self.manifest = documents, manifest
            self.title_keys = {doc_id: normalize(record["title"]) for doc_id, record in documents.items()}
            self.facts = json.loads((target / FACTS).read_text(encoding="utf-8"))
            by_clause: dict[str, list[dict]] = {}
            by_item: dict[str, list[dict]] = {}
            for fact in self.facts:
                by_clause.setdefault(f"{fact['doc_id']}#{fact['clause']}", []).append(fact)
                by_item.setdefault(fact["item"], []).append(fact)
            self.facts_by_clause, self.facts_by_item = by_clause, by_item
            self._parsed = {}
            if old is not None:
                old.close()
            return True

    def parsed(self, doc_id: str) -> ParsedDocument:
        """A document of this index generation, parsed once."""
        if doc_id not in self._parsed:
            record = self.documents[doc_id]
            self._parsed[doc_id] = parse(record["body"], record["title"])
        return self._parsed[doc_id]

    def clause_text(self, doc_id: str, clause_id: str) -> tuple[str, str]:
        """(verbatim text, label) of a clause."""
        clause = self.parsed(doc_id).clause(clause_id)
        return (clause.text, clause.label) if clause else ("", clause_id)

    @contextmanager
    def searcher(self) -> Iterator:
        try:
            self.refresh()
        except IndexMissing:
            if self._searcher is None:
                raise
        with self._lock:
            yield self._searcher

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
