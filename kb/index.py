"""The Whoosh index on disk: schema, atomic build and swap, one shared searcher.

``KB_INDEX`` (default ``var/index``) is a symbolic link to a generation
directory. A build writes a new generation beside it and then replaces the
link with ``os.replace``, which is atomic, so a reader sees either the old
index or the new one, never a half-written one. ``OpenIndex`` keeps one
searcher and reopens it when the link points somewhere new.
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import threading
import time
import unicodedata
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.scoring import BM25F

from kb import __version__
from kb.corpus import CorpusError, Document, corpus_fingerprint, load_corpus
from kb.facts import extract
from kb.faq import check as check_faq
from kb.faq import load_faq
from kb.lexicon import lexicon
from kb.parse import Clause, ParsedDocument, parse
from kb.postings import KbSegmentWriter, WordField, length_bytes
from kb.text import NUMERAL_CHARS, TOKEN_RUNS, KbTokenizer, index_words, normalize
from kb.vocab import vocab

# Bump when parsing or analysis changes in a way the fingerprint cannot see.
SCHEMA_VERSION = "4"
MANIFEST = "manifest.json"
DOCUMENTS = "documents.json"
FACTS = "facts.json"
KEEP_GENERATIONS = 2


def default_corpus() -> Path:
    return Path(os.environ.get("KB_CORPUS", "corpus"))


def default_index() -> Path:
    return Path(os.environ.get("KB_INDEX", "var/index"))


class CachedKbTokenizer(KbTokenizer):
    """The project's analyzer, remembering the words of its last few texts.

    A build analyses the same strings again and again: every clause of a document carries its title and
    heading path, and a clause's text is segmented once to find which of its bigrams the words already
    cover (see ``uncovered_bigrams``) and once more for the ``text`` field. ``words`` is what
    ``WordField`` indexes: the texts of ``KbTokenizer``'s tokens, without the repeated work.
    """

    CACHE_SIZE = 256
    _cache: OrderedDict[str, list[str]] = OrderedDict()
    _lock = threading.Lock()

    def words(self, text: str) -> list[str]:
        return self.cached_words(text)

    @classmethod
    def cached_words(cls, text: str) -> list[str]:
        cache = cls._cache
        with cls._lock:
            found = cache.get(text)
            if found is not None:
                cache.move_to_end(text)
                return found
        found = index_words(text)
        with cls._lock:
            cache[text] = found
            if len(cache) > cls.CACHE_SIZE:
                cache.popitem(last=False)
        return found


WORD_FIELDS = ("text", "heading", "title", "label", "grams")  # the BM25F fields a search scores


def make_schema() -> Schema:
    analyzer = CachedKbTokenizer()
    words = dict(analyzer=analyzer, stored=True, phrase=False)
    # Only what a search matches, filters or boosts on is indexed: words (label, title, heading, text,
    # grams) and doc_id, region, status. The rest is stored for display; indexing the unique key, the
    # clause ids and the numeric order made ~8 postings and a term per clause that no query ever read.
    return Schema(
        key=STORED,
        doc_id=ID(stored=True),
        clause_id=STORED,
        kind=STORED,
        label=WordField(**words),
        title=WordField(**words),
        heading=WordField(**words),
        # No positions: nothing searches phrases (highlighting re-reads the text), and positions were a
        # third of the postings' bytes and of the time to decode them.
        text=WordField(**words),
        # The recall net: the clause's character bigrams that its words do not already cover, so a bigram
        # search over ``grams`` and ``text`` together finds every clause holding it (see kb.search). Law
        # articles (第X条), in the standard legal vocabulary the dictionary segments well, are left out:
        # they are 95% of a law library's clauses and the net would be a third of its postings.
        grams=TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=False),
        region=ID(stored=True),
        status=ID(stored=True),
        doc_kind=STORED,
        issued=STORED,
        effective=STORED,
        doc_number=STORED,
        order=STORED,
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


def uncovered_bigrams(text: str) -> str:
    """The character bigrams of ``text`` (as ``kb.text.bigrams`` cuts them) that are not also one of its
    words, space-separated."""
    words = set(CachedKbTokenizer.cached_words(text))
    grams = []
    for match in TOKEN_RUNS.finditer(normalize(text)):
        run = match.group()
        if match.lastindex != 3 or len(run) == 1:
            grams.append(run)
        else:
            grams += [run[i : i + 2] for i in range(len(run) - 1)]
    return " ".join(g for g in grams if g not in words)


def _figure_hint() -> re.Pattern[str]:
    global _FIGURE_HINT
    if _FIGURE_HINT is None:
        number = rf"[\d{NUMERAL_CHARS}]"
        _FIGURE_HINT = re.compile(rf"{number}个?\s*(?:{lexicon().unit_pattern})|{number}年")
    return _FIGURE_HINT


_FIGURE_HINT: re.Pattern[str] | None = None


def may_state_figures(clause: Clause) -> bool:
    """False only for prose that cannot hold a fact. ``kb.facts`` reads a figure only where, in the
    normalised text, a number stands before a unit or 年 (every one of its patterns ends so). Normalising
    turns Chinese numerals into digits only where a counter follows, so it is enough to look for a digit
    or a Chinese numeral before a unit or 年 in the NFKC-folded text — a test that is never false when the
    extractor could find something, and costs a C-speed fold instead of ``normalize``. Table rows always
    go to the extractor. On law texts this skips about three quarters of the extraction time, with exactly
    the same facts."""
    if clause.kind == "row":
        return True
    return _figure_hint().search(unicodedata.normalize("NFKC", clause.text).lower()) is not None


def prepare(document: Document) -> tuple[list[dict], list[dict]]:
    """The Whoosh fields of each indexable clause of a document, and the facts its clauses state."""
    meta = document.meta
    entries: list[dict] = []
    facts: list[dict] = []
    for clause in document.parsed.clauses:
        if not clause.indexable:
            continue
        entries.append({
            "key": f"{document.id}#{clause.id}",
            "doc_id": document.id,
            "clause_id": clause.id,
            "kind": clause.kind,
            "label": clause.label,
            "title": document.title,
            "heading": " › ".join(clause.heading_path),
            "text": clause.text,
            "grams": "" if clause.kind == "article" else uncovered_bigrams(clause.text),
            "region": document.region,
            "status": document.status,
            "doc_kind": document.kind,
            "issued": str(meta.get("issued") or ""),
            "effective": str(meta.get("effective") or ""),
            "doc_number": document.doc_number,
            "order": clause.order,
        })
        if may_state_figures(clause):
            facts += [fact.to_dict() for fact in extract(clause, document.id, document.region, document.status)]
    return entries, facts


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


# From this much text (Markdown bodies, in characters) the build writes one Whoosh segment per CPU in
# forked worker processes; below it one process is faster than starting workers. KB_BUILD_PROCS overrides.
PARALLEL_MIN_CHARS = 3_000_000
MAX_PROCS = 4

_PARTS: list[list[Document]] = []  # the documents of each part, inherited by the forked workers


def build_procs(documents: list[Document]) -> int:
    """How many processes a build of these documents uses."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    wanted = os.environ.get("KB_BUILD_PROCS", "").strip()
    if wanted:
        return max(1, int(wanted))
    if sum(len(d.body) for d in documents) < PARALLEL_MIN_CHARS:
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_PROCS))


def _split(documents: list[Document], parts: int) -> list[list[Document]]:
    """Consecutive runs of documents with about the same amount of text each, in corpus order."""
    total = sum(len(d.body) for d in documents) or 1
    out: list[list[Document]] = [[] for _ in range(parts)]
    done = 0
    for document in documents:
        out[min(parts - 1, done * parts // total)].append(document)
        done += len(document.body)
    return [part for part in out if part]


def _write_part(job: tuple[str, int]):
    """In a forked worker: index one part of the corpus into a segment of its own (not yet in the index's
    table of contents) and extract its facts. The same steps as Whoosh's own multiprocessing writer
    (``whoosh.multiproc.SubWriterTask`` with ``multisegment=True``)."""
    generation, number = job
    writer = KbSegmentWriter(whoosh_index.open_dir(generation), _lk=False)
    try:
        clauses, facts = _add_documents(writer, _PARTS[number])
        segment = writer._finalize_segment()
    except BaseException:
        writer.cancel()
        raise
    return segment, facts, clauses


def _add_documents(writer, documents: list[Document],
                   say: Callable[[str], None] | None = None) -> tuple[int, list[dict]]:
    """Add every indexable clause of the documents to the writer; (clauses added, facts extracted)."""
    clauses = 0
    facts: list[dict] = []
    for number, document in enumerate(documents, start=1):
        entries, document_facts = prepare(document)
        for fields in entries:
            writer.add_document(**fields)
        facts += document_facts
        clauses += len(entries)
        if say is not None:
            say(f"[{number}/{len(documents)}] {document.id} {document.title[:40]} — {len(entries)} clauses")
    return clauses, facts


def _index_serially(ix, documents: list[Document], say: Callable[[str], None]) -> tuple[int, list[dict]]:
    writer = KbSegmentWriter(ix)
    try:
        clauses, facts = _add_documents(writer, documents, say)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return clauses, facts


def _index_in_parallel(ix, generation: Path, documents: list[Document], procs: int,
                       say: Callable[[str], None]) -> tuple[int, list[dict]]:
    """One segment per part, written by forked workers; the parts keep corpus order, so documents get the
    same numbers (and equal scores the same order) as in a one-process build."""
    global _PARTS
    _PARTS = _split(documents, procs)
    _figure_hint()  # compiled once here rather than in every worker
    writer = ix.writer()  # holds the index lock; adds nothing itself
    try:
        with multiprocessing.get_context("fork").Pool(len(_PARTS)) as pool:
            results = pool.map(_write_part, [(str(generation), n) for n in range(len(_PARTS))], chunksize=1)
        for number, (part, (_, _, count)) in enumerate(zip(_PARTS, results, strict=True), start=1):
            say(f"[part {number}/{len(_PARTS)}] {len(part)} documents — {count} clauses")
        # Whoosh's merge-policy hook: the new table of contents lists the workers' segments, in order.
        writer.commit(mergetype=lambda _writer, _segments: [segment for segment, _, _ in results])
    except BaseException:
        writer.cancel()
        raise
    finally:
        _PARTS = []
    return sum(count for _, _, count in results), [fact for _, facts, _ in results for fact in facts]


def build(corpus: Path | None = None, index_path: Path | None = None, force: bool = False,
          progress: Callable[[str], None] | None = None, procs: int | None = None) -> BuildReport:
    """Build the index from the corpus unless it is already built from exactly this corpus.

    ``procs`` (default: ``build_procs``) > 1 indexes parts of the corpus in that many worker processes.
    """
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
        index_words("供电")  # load the dictionary and its route table before timing progress (and forking)
        stamp = f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        generation = index_path.with_name(f"{index_path.name}.gen-{stamp}")
        generation.mkdir(parents=True)
        ix = whoosh_index.create_in(str(generation), make_schema())
        procs = build_procs(documents) if procs is None else max(1, procs)
        try:
            if procs > 1 and len(documents) > 1:
                clauses, facts = _index_in_parallel(ix, generation, documents, procs, say)
            else:
                clauses, facts = _index_serially(ix, documents, say)
        except BaseException:
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
            "corpus": str(corpus.resolve()), "procs": procs,
        }, ensure_ascii=False), encoding="utf-8")
        _swap(index_path, generation)
        _prune(index_path)
    return BuildReport(True, len(documents), clauses, seconds, index_path, wanted)


def load_field_lengths(reader, fieldname: str):
    """Every document's length byte for a field of one segment (Whoosh's quantised length, the value its
    BM25F scorer reads per posting), read in one go from the segment's length column."""
    column = length_bytes(getattr(reader, "_perdoc", None), fieldname)
    if column is not None:
        return column
    from whoosh.util.numeric import length_to_byte

    return bytes(length_to_byte(reader.doc_field_length(d, fieldname, 0) or 0) for d in range(reader.doc_count_all()))


class IndexMissing(RuntimeError):
    """There is no built index at the configured path."""


class OpenIndex:
    """One open index and searcher shared by every request, refreshed after a swap.

    Each generation is warmed when it is opened — its length columns, its stored-fields file, and
    whatever the modules above register in ``WARMERS`` (``kb.answer`` computes the documents' standings)
    — so the first question after a start or a reindex costs what any other does.
    """

    WARMERS: list[Callable[[OpenIndex], None]] = []

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
        self.cache: dict = {}  # per generation, for kb.scoring (filters, length norms): never results
        self._lengths: dict = {}
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
            self.cache = {}
            self._lengths = {}
            for sub, _offset in searcher.leaf_searchers():
                reader = sub.reader()
                for fieldname in WORD_FIELDS:
                    self.field_lengths(reader, fieldname)
                if reader.doc_count_all():
                    reader.stored_fields(0)  # opens the stored-fields file (a tenth of a second at scale)
            for warm in self.WARMERS:
                warm(self)
            if old is not None:
                old.close()
            # A law library's index holds millions of Python objects (facts, document records, caches)
            # that live as long as the generation; a full garbage collection walking them all paused a
            # request for ~0.1 s. Frozen, they are left out of collections (reference counting still
            # frees them when the next generation replaces them).
            gc.collect()
            gc.freeze()
            return True

    def field_lengths(self, reader, fieldname: str):
        """The length bytes of one field in one segment of the open index, loaded once."""
        key = (id(reader), fieldname)
        lengths = self._lengths.get(key)
        if lengths is None:
            lengths = self._lengths[key] = load_field_lengths(reader, fieldname)
        return lengths

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
