"""The Whoosh index on disk: schema, atomic build and swap, one shared searcher.

``KB_INDEX`` (default ``var/index``) is a symbolic link to a generation
directory. A build writes a new generation beside it and then replaces the
link with ``os.replace``, which is atomic, so a reader sees either the old
index or the new one, never a half-written one. ``OpenIndex`` keeps one
searcher and reopens it when the link points somewhere new.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import multiprocessing
import os
import pickle
import re
import shutil
import struct
import threading
import time
import unicodedata
import zlib
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
from kb.analysis.segment import NUMERAL_CHARS, TOKEN_RUNS, KbTokenizer, index_words, normalize
from kb.corpus.documents import CorpusError, Document, corpus_fingerprint, load_corpus, reading_lock, require_corpus
from kb.corpus.faq import check as check_faq
from kb.corpus.faq import load_faq
from kb.facts.extract import extract
from kb.index.postings import KbSegmentWriter, WordField, length_bytes
from kb.index.store import (
    DOCUMENTS,
    FACTS,
    MANIFEST,
    IndexDamaged,
    IndexMissing,
    build_lock,
    check_index_path,
    generations,
    new_generation,
    problems,
    prune,
    read_manifest,
    swap,
    write_manifest,
)
from kb.parse.clauses import Clause, ParsedDocument, parse
from kb.vocab import vocab
from kb.vocab.lexicon import lexicon

# Bump when parsing or analysis changes in a way the fingerprint cannot see.
SCHEMA_VERSION = "5"
# What reading a damaged Whoosh segment or generation file raises (truncated, bit-flipped, not JSON).
DAMAGE = (EOFError, struct.error, zlib.error, OSError, UnicodeDecodeError, pickle.UnpicklingError, ValueError,
          KeyError, IndexError)
# …and what a query reading a segment that passed the size check but does not decode may raise.
READ_DAMAGE = (EOFError, struct.error, zlib.error, OSError, UnicodeDecodeError, pickle.UnpicklingError)
log = logging.getLogger(__name__)


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
    for path in sorted(Path(__file__).resolve().parents[1].rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def fingerprint(corpus: Path) -> str:
    return (f"{SCHEMA_VERSION}-{__version__}-{_code_fingerprint()}-{vocab().fingerprint}-"
            f"{corpus_fingerprint(corpus)}")


def _document_record(document: Document) -> dict:
    return {"id": document.id, "title": document.title, "meta": document.public_meta(), "body": document.body}


def uncovered_bigrams(text: str) -> str:
    """The character bigrams of ``text`` (as ``kb.analysis.segment.bigrams`` cuts them) that are not also one of its
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


class BuildFailed(OSError):
    """A build that could not write its generation (a full disk, a read-only folder); the index is unchanged."""


def _up_to_date(index_path: Path, wanted: str, say: Callable[[str], None]) -> dict | None:
    """The manifest of the current generation when it was built from exactly this corpus and its files
    are intact (every byte checked); None when a build is needed, saying why when it is damage."""
    manifest = read_manifest(index_path)
    if manifest.get("fingerprint") != wanted:
        return None
    found = problems(index_path.resolve(), manifest, hashes=True)
    if found:
        say(f"index at {index_path} is damaged ({'; '.join(found[:3])}): rebuilding")
        return None
    return manifest


def build(corpus: Path | None = None, index_path: Path | None = None, force: bool = False,
          progress: Callable[[str], None] | None = None, procs: int | None = None) -> BuildReport:
    """Build the index from the corpus unless it is already built from exactly this corpus and intact.

    A missing or empty corpus is a ``CorpusError`` and an index path the store did not make an
    ``IndexPathRefused``: in both cases nothing is written and the old index stays. ``procs`` (default:
    ``build_procs``) > 1 indexes parts of the corpus in that many worker processes.
    """
    corpus = corpus or default_corpus()
    index_path = index_path or default_index()
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    check_index_path(index_path)
    require_corpus(corpus)
    with build_lock(index_path):
        with reading_lock(corpus):
            require_corpus(corpus)
            wanted = fingerprint(corpus)
            manifest = None if force else _up_to_date(index_path, wanted, say)
            if manifest is not None:
                return BuildReport(False, manifest.get("documents", 0), manifest.get("clauses", 0), 0.0,
                                   index_path, wanted)
            documents = load_corpus(corpus)
            faq_report = check_faq_entries(corpus, documents, say)
        index_words("供电")  # load the dictionary and its route table before timing progress (and forking)
        try:
            generation = new_generation(index_path)
        except OSError as error:
            raise BuildFailed(error.errno, f"cannot write a new index beside {index_path} "
                              f"({error.strerror})") from error
        procs = build_procs(documents) if procs is None else max(1, procs)
        try:
            ix = whoosh_index.create_in(str(generation), make_schema())
            if procs > 1 and len(documents) > 1:
                clauses, facts = _index_in_parallel(ix, generation, documents, procs, say)
            else:
                clauses, facts = _index_serially(ix, documents, say)
            records = {d.id: _document_record(d) for d in documents}
            (generation / DOCUMENTS).write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
            (generation / FACTS).write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
            seconds = time.perf_counter() - started
            write_manifest(generation, {
                "fingerprint": wanted, "documents": len(documents), "clauses": clauses, "facts": len(facts),
                "faq": faq_report,
                "seconds": round(seconds, 3), "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "corpus": str(corpus.resolve()), "procs": procs,
            })
        except BaseException as error:
            shutil.rmtree(generation, ignore_errors=True)
            if isinstance(error, OSError) and not isinstance(error, BuildFailed):
                raise BuildFailed(error.errno, f"the build could not write {generation.name} "
                                  f"({error.strerror or error}); the index is unchanged") from error
            raise
        swap(index_path, generation)
        prune(index_path)
    return BuildReport(True, len(documents), clauses, seconds, index_path, wanted)


def check(index_path: Path, corpus: Path | None = None) -> list[str]:
    """What is wrong with the index at ``index_path``: damaged files (every byte checked against the
    manifest's checksums) and, when ``corpus`` is given, whether it was built from that corpus."""
    check_index_path(index_path)
    manifest = read_manifest(index_path)
    if not manifest:
        return [f"no index at {index_path}: run `kb build` first"]
    found = problems(index_path.resolve(), manifest, hashes=True)
    if corpus is not None and not found:
        try:
            if manifest.get("fingerprint") != fingerprint(corpus):
                found.append(f"the index was not built from the corpus at {corpus} as it is now: run `kb build`")
        except OSError as error:
            found.append(f"cannot read the corpus at {corpus} ({error.strerror})")
    return found


def load_field_lengths(reader, fieldname: str):
    """Every document's length byte for a field of one segment (Whoosh's quantised length, the value its
    BM25F scorer reads per posting), read in one go from the segment's length column."""
    column = length_bytes(getattr(reader, "_perdoc", None), fieldname)
    if column is not None:
        return column
    from whoosh.util.numeric import length_to_byte

    return bytes(length_to_byte(reader.doc_field_length(d, fieldname, 0) or 0) for d in range(reader.doc_count_all()))


@dataclass
class Generation:
    """Everything read from one index generation, replaced together when the index is swapped."""

    target: Path
    ix: object
    searcher: object
    documents: dict[str, dict]
    manifest: dict
    facts: list[dict]
    title_keys: dict[str, str]  # normalised titles, for spotting a document named in a query
    facts_by_clause: dict[str, list[dict]]
    facts_by_item: dict[str, list[dict]]
    parsed: dict[str, ParsedDocument]
    cache: dict  # for kb.search.scoring (filters, length norms): never results
    lengths: dict


def _read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def open_generation(target: Path) -> Generation:
    """Open a generation after checking its files against the manifest (sizes: a few ``stat`` calls);
    ``IndexDamaged`` when they do not match or cannot be read."""
    manifest = read_manifest(target)
    if not manifest:
        raise IndexDamaged(f"index generation {target.name} has no readable manifest")
    found = problems(target, manifest)
    if found:
        raise IndexDamaged(f"index generation {target.name} is damaged: {'; '.join(found[:3])}")
    try:
        ix = whoosh_index.open_dir(str(target))
        searcher = ix.searcher(weighting=scoring())
        documents = _read_json(target / DOCUMENTS)
        facts = _read_json(target / FACTS)
        title_keys = {doc_id: normalize(record["title"]) for doc_id, record in documents.items()}
        by_clause: dict[str, list[dict]] = {}
        by_item: dict[str, list[dict]] = {}
        for fact in facts:
            by_clause.setdefault(f"{fact['doc_id']}#{fact['clause']}", []).append(fact)
            by_item.setdefault(fact["item"], []).append(fact)
    except DAMAGE as error:
        raise IndexDamaged(f"index generation {target.name} cannot be read ({type(error).__name__}: "
                           f"{' '.join(str(error).split())[:160]})") from error
    return Generation(target, ix, searcher, documents, manifest, facts, title_keys, by_clause, by_item, {}, {}, {})


class OpenIndex:
    """One open index and searcher shared by every request, refreshed after a swap.

    Each generation is warmed when it is opened — its length columns, its stored-fields file, and
    whatever the modules above register in ``WARMERS`` (``kb.answer`` computes the documents' standings)
    — so the first question after a start or a reindex costs what any other does.

    A generation that turns out damaged is never served: a running index keeps serving the one it has
    (``problem`` says why), and one that opens on a damaged generation falls back to the newest intact
    older one, or raises ``IndexDamaged``.
    """

    WARMERS: list[Callable[[OpenIndex], None]] = []

    def __init__(self, index_path: Path | None = None) -> None:
        self.path = index_path or default_index()
        self._lock = threading.RLock()
        self._generation: Generation | None = None
        self._refused: dict[Path, str] = {}  # damaged generations, not tried again until the link moves
        self.problem: str | None = None  # why the generation served is not the one the link names
        vocab().segmenter  # noqa: B018 — jieba's dictionary loads now, not on the first query
        self.refresh()

    # The open generation's parts, read by search, answers and the pages.
    documents = property(lambda self: self._generation.documents if self._generation else {})
    manifest = property(lambda self: self._generation.manifest if self._generation else {})
    facts = property(lambda self: self._generation.facts if self._generation else [])
    title_keys = property(lambda self: self._generation.title_keys if self._generation else {})
    facts_by_clause = property(lambda self: self._generation.facts_by_clause if self._generation else {})
    facts_by_item = property(lambda self: self._generation.facts_by_item if self._generation else {})
    cache = property(lambda self: self._generation.cache if self._generation else {})
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
                self._install(open_generation(target))
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
                self._install(open_generation(older))
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
                    self.field_lengths(reader, fieldname)
                if reader.doc_count_all():
                    reader.stored_fields(0)  # opens the stored-fields file (a tenth of a second at scale)
            for warm in self.WARMERS:
                warm(self)
        except DAMAGE as error:
            self._generation = old
            generation.searcher.close()
            raise IndexDamaged(f"index generation {generation.target.name} cannot be read "
                               f"({type(error).__name__})") from error
        if old is not None:
            old.searcher.close()
        # A law library's index holds millions of Python objects (facts, document records, caches)
        # that live as long as the generation; a full garbage collection walking them all paused a
        # request for ~0.1 s. Frozen, they are left out of collections (reference counting still
        # frees them when the next generation replaces them).
        gc.collect()
        gc.freeze()

    def field_lengths(self, reader, fieldname: str):
        """The length bytes of one field in one segment of the open index, loaded once."""
        cache = self._generation.lengths
        key = (id(reader), fieldname)
        lengths = cache.get(key)
        if lengths is None:
            lengths = cache[key] = load_field_lengths(reader, fieldname)
        return lengths

    def parsed(self, doc_id: str) -> ParsedDocument:
        """A document of this index generation, parsed once."""
        parsed = self._generation.parsed
        if doc_id not in parsed:
            record = self.documents[doc_id]
            parsed[doc_id] = parse(record["body"], record["title"])
        return parsed[doc_id]

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
            if self._generation is not None:
                self._generation.searcher.close()
                self._generation = None
