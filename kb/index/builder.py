"""Building an index generation from the corpus: parse, prepare each clause's fields and facts, write the
segments (in forked workers for a large corpus), check the FAQ, then swap the generation in.

A build is skipped when the index was built from exactly this corpus, vocabulary and code and is intact.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index

from kb import __version__
from kb.analysis.segment import index_words
from kb.corpus.documents import Document, corpus_fingerprint, default_corpus, load_corpus, reading_lock, require_corpus
from kb.errors import BuildFailed
from kb.index.faq_gate import check_faq_entries
from kb.index.figures import _figure_hint
from kb.index.postings import KbSegmentWriter
from kb.index.prepare import _document_record, prepare
from kb.index.schema import SCHEMA_VERSION, make_schema
from kb.index.store import (
    DOCUMENTS,
    FACTS,
    build_lock,
    check_index_path,
    default_index,
    new_generation,
    problems,
    prune,
    read_manifest,
    swap,
    write_manifest,
)
from kb.vocab import vocab


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
