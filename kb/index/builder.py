"""Building an index generation from the corpus: parse, prepare each clause's fields and facts, write the
segments (in forked workers for a large corpus), check the FAQ, then swap the generation in.

A build is skipped when the index was built from exactly this corpus, vocabulary and code and is intact.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from whoosh import index as whoosh_index

from kb import __version__
from kb.corpus.documents import Document, corpus_fingerprint, default_corpus, load_corpus, reading_lock, require_corpus
from kb.errors import BuildFailed
from kb.index.clauses import ClauseWriter, write_table
from kb.index.faq_gate import check_faq_entries
from kb.index.postings import KbSegmentWriter
from kb.index.prepare import Preparer, document_record
from kb.index.schema import SCHEMA_VERSION, analyzer_of, make_schema
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
from kb.index.whoosh_adapter import finalize_segment
from kb.parse.clauses import parse_document
from kb.vocab import Vocab, default_vocab


@dataclass
class BuildReport:
    built: bool
    documents: int
    clauses: int
    seconds: float
    path: Path
    fingerprint: str

    def summary(self) -> str:
        """The line ``kb build`` prints: what was built, how fast and where, or that nothing needed to be."""
        if not self.built:
            return f"index is up to date ({self.documents} documents, {self.clauses} clauses) at {self.path}"
        return (f"built {self.clauses} clauses from {self.documents} documents in {self.seconds:.2f} s "
                f"at {self.path}")


# The code an index is made by: reading the corpus, parsing, analysis, the vocabulary, facts, the model
# types and the index itself (schema, fields, segments). Search, answers, the CLI and the site read an
# index but do not change it: editing them never forces a rebuild.
INDEXING_CODE = ("model.py", "corpus", "parse", "analysis", "vocab", "facts", "index")


def indexing_code_files() -> list[Path]:
    """The source files of ``INDEXING_CODE``, in a fixed order."""
    root = Path(__file__).resolve().parents[1]
    files: list[Path] = []
    for part in INDEXING_CODE:
        path = root / part
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return files


def _code_fingerprint() -> str:
    """The indexing code is part of what an index was built from (the data files are ``Vocab.fingerprint``)."""
    digest = hashlib.sha256()
    for path in indexing_code_files():
        digest.update(path.relative_to(Path(__file__).resolve().parents[1]).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def fingerprint(corpus: Path, vocab: Vocab) -> str:
    """What an index was built from: the schema, the code, the vocabulary's data files and the corpus."""
    return (f"{SCHEMA_VERSION}-{__version__}-{_code_fingerprint()}-{vocab.fingerprint}-"
            f"{corpus_fingerprint(corpus)}")


# From this much text (Markdown bodies, in characters) the build writes one Whoosh segment per CPU in
# forked worker processes; below it one process is faster than starting workers. KB_BUILD_PROCS overrides.
PARALLEL_MIN_CHARS = 3_000_000
MAX_PROCS = 4
# From this much text the segmenter's table of every word's probability (a seventh to a quarter of a
# second to make) pays for itself: it takes a tenth to a third off cutting the text
# (``kb.analysis.jieba_route.Route.load_all``).
LOAD_ALL_MIN_CHARS = 300_000


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


@contextmanager
def _no_collection() -> Iterator[None]:
    """No cyclic garbage collection while a segment is filled. Indexing makes millions of tuples and lists
    (the term pool) and almost no cycles: the collector's passes over the growing pool were a tenth of a
    build's CPU and freed nothing. What is already alive (the dictionary, the documents: in a worker,
    everything the fork handed over) is frozen out of later passes too; both are undone after."""
    enabled = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _add_documents(writer, preparer: Preparer, documents: list[Document], store: ClauseWriter,
                   say: Callable[[str], None] | None = None) -> tuple[int, list[dict]]:
    """Add every indexable clause of the documents to the writer and every clause to the clause store;
    (clauses added, facts extracted)."""
    clauses = 0
    facts: list[dict] = []
    for number, document in enumerate(documents, start=1):
        parsed = parse_document(document)
        store.add(document.id, parsed)
        entries, document_facts = preparer.prepare(document, parsed)
        for fields in entries:
            writer.add_document(**fields)
        facts += document_facts
        clauses += len(entries)
        if say is not None:
            say(f"[{number}/{len(documents)}] {document.id} {document.title[:40]} — {len(entries)} clauses")
    return clauses, facts


def _facts_json(facts: list[dict]) -> str:
    """The facts as ``facts.json`` holds them."""
    return json.dumps(facts, ensure_ascii=False)


def join_json_lists(parts: list[str]) -> str:
    """JSON lists (``json.dumps`` of each, default separators) joined into the one ``json.dumps`` makes of
    their items together: the workers write their facts' JSON in parallel and the parent only joins it."""
    items = [part[1:-1] for part in parts if part != "[]"]
    return "[" + ", ".join(items) + "]"


def _index_serially(ix, generation: Path, vocab: Vocab, documents: list[Document],
                    say: Callable[[str], None]) -> tuple[int, str, int]:
    """(clauses, the facts' JSON, facts) of a build in this process."""
    writer = KbSegmentWriter(ix)
    store = ClauseWriter(generation, 1)
    try:
        with _no_collection():
            clauses, facts = _add_documents(writer, Preparer(vocab, analyzer_of(writer.schema)), documents, store,
                                            say)
            writer.commit()
    except BaseException:
        writer.cancel()
        raise
    finally:
        offsets = store.close()
    write_table(generation, offsets)
    return clauses, _facts_json(facts), len(facts)


def _write_part(generation: str, part: int, vocab: Vocab, documents: list[Document], results: Connection) -> None:
    """In a forked worker: index one part of the corpus into a segment of its own (not yet in the index's
    table of contents), write its clause store part and extract its facts; send back (segment, the facts'
    JSON, facts, clauses, where each document's clauses are), or the error, and end the process. The same
    steps as Whoosh's own multiprocessing writer (``whoosh.multiproc.SubWriterTask`` with
    ``multisegment=True``). Everything it needs is its arguments, which a fork hands over unpickled."""
    try:
        schema = make_schema(vocab)
        # The term pool is not emptied after the segment is written: the process ends then.
        writer = KbSegmentWriter(whoosh_index.open_dir(generation, schema=schema), _lk=False, release_pool=False)
        store = ClauseWriter(Path(generation), part)
        try:
            # As _no_collection, never undone: the process ends with the segment.
            gc.disable()
            gc.freeze()
            clauses, facts = _add_documents(writer, Preparer(vocab, analyzer_of(schema)), documents, store)
            segment = finalize_segment(writer)
        except BaseException:
            writer.cancel()
            raise
        finally:
            offsets = store.close()
        outcome: tuple = ("done", (segment, _facts_json(facts), len(facts), clauses, offsets))
    except BaseException as error:  # noqa: BLE001 — said to the parent, which fails the build
        outcome = ("failed", f"{type(error).__name__}: {error}\n{traceback.format_exc()}")
    try:
        results.send(outcome)
        results.close()
        sys.stdout.flush()  # whatever a warning may have written: os._exit flushes nothing
        sys.stderr.flush()
    finally:
        # What the worker made (the term pool alone is millions of tuples) goes with the process: freeing it
        # object by object, as returning from here would, was a few per cent of a worker's time. Nothing
        # is left to flush: the results are sent, the files closed.
        os._exit(0)


def _index_in_parallel(ix, generation: Path, vocab: Vocab, documents: list[Document], procs: int,
                       say: Callable[[str], None], meanwhile: Callable[[], None] | None = None) -> tuple[int, str, int]:
    """One segment per part, written by forked workers; the parts keep corpus order, so documents get the
    same numbers (and equal scores the same order) as in a one-process build. ``meanwhile`` runs once the
    first worker is done (a core is free then) while the others finish. (clauses, the facts' JSON, facts.)"""
    parts = _split(documents, procs)
    context = multiprocessing.get_context("fork")
    writer = ix.writer()  # holds the index lock; adds nothing itself
    try:
        workers: list[tuple] = []
        for part in parts:
            receive, send = context.Pipe(duplex=False)
            worker = context.Process(target=_write_part, args=(str(generation), len(workers) + 1, vocab, part, send),
                                     daemon=True)
            worker.start()
            send.close()
            workers.append((worker, receive))
        results: list = [None] * len(parts)
        waiting = {receive: number for number, (_worker, receive) in enumerate(workers, start=1)}
        while waiting:
            for ready in wait(list(waiting)):
                number = waiting.pop(ready)
                worker, receive = workers[number - 1]
                try:
                    outcome, value = receive.recv()
                except EOFError:
                    outcome, value = "failed", f"worker {number} ended without a result (exit code {worker.exitcode})"
                worker.join()
                if outcome != "done":
                    raise RuntimeError(f"building part {number} of {len(parts)} failed: {value}")
                results[number - 1] = value
                say(f"[part {number}/{len(parts)}] {len(parts[number - 1])} documents — {value[3]} clauses")
            if meanwhile is not None:
                meanwhile()
                meanwhile = None  # once
        # Whoosh's merge-policy hook: the new table of contents lists the workers' segments, in order.
        writer.commit(mergetype=lambda _writer, _segments: [segment for segment, *_ in results])
        write_table(generation, {doc_id: where for *_, offsets in results for doc_id, where in offsets.items()})
    except BaseException:
        for worker, _receive in workers:
            if worker.is_alive():
                worker.terminate()
        # A failed worker's own cancel may have removed the temporary files already: its error is the one to say.
        with suppress(OSError):
            writer.cancel()
        raise
    return (sum(clauses for *_, clauses, _offsets in results), join_json_lists([facts for _, facts, *_ in results]),
            sum(count for _, _, count, *_ in results))


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
          progress: Callable[[str], None] | None = None, procs: int | None = None,
          vocab: Vocab | None = None) -> BuildReport:
    """Build the index from the corpus unless it is already built from exactly this corpus and intact.

    A missing or empty corpus is a ``CorpusError`` and an index path the store did not make an
    ``IndexPathRefused``: in both cases nothing is written and the old index stays. ``procs`` (default:
    ``build_procs``) > 1 indexes parts of the corpus in that many worker processes. ``vocab`` (default: the
    package's own) is what the corpus is read and analysed with.
    """
    vocab = vocab or default_vocab()
    corpus = corpus or default_corpus()
    index_path = index_path or default_index()
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    check_index_path(index_path)
    require_corpus(corpus)
    with build_lock(index_path):
        with reading_lock(corpus):
            require_corpus(corpus)
            wanted = fingerprint(corpus, vocab)
            manifest = None if force else _up_to_date(index_path, wanted, say)
            if manifest is not None:
                return BuildReport(False, manifest.get("documents", 0), manifest.get("clauses", 0), 0.0,
                                   index_path, wanted)
            documents = load_corpus(corpus, vocab)
            faq_report = check_faq_entries(corpus, documents, say, vocab)
        if sum(len(d.body) for d in documents) >= LOAD_ALL_MIN_CHARS:
            vocab.analysis.load_all()  # the dictionary whole, with every word's probability: once, before forking
        else:
            vocab.dictionary.ensure_all()  # a build reads all of it: loaded whole once, before forking, not per text
        vocab.analysis.index_words("供电")  # the dictionary and its route table, loaded before timing (and forking)
        try:
            generation = new_generation(index_path)
        except OSError as error:
            raise BuildFailed(error.errno, f"cannot write a new index beside {index_path} "
                              f"({error.strerror})") from error
        procs = build_procs(documents) if procs is None else max(1, procs)
        try:
            ix = whoosh_index.create_in(str(generation), make_schema(vocab))
            def write_documents() -> None:
                records = {d.id: document_record(d) for d in documents}
                (generation / DOCUMENTS).write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")

            if procs > 1 and len(documents) > 1:
                clauses, facts, fact_count = _index_in_parallel(ix, generation, vocab, documents, procs, say,
                                                                write_documents)
            else:
                clauses, facts, fact_count = _index_serially(ix, generation, vocab, documents, say)
                write_documents()
            (generation / FACTS).write_text(facts, encoding="utf-8")
            seconds = time.perf_counter() - started
            write_manifest(generation, {
                "fingerprint": wanted, "documents": len(documents), "clauses": clauses, "facts": fact_count,
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


def check(index_path: Path, corpus: Path | None = None, vocab: Vocab | None = None) -> list[str]:
    """What is wrong with the index at ``index_path``: damaged files (every byte checked against the
    manifest's checksums) and, when ``corpus`` is given, whether it was built from that corpus."""
    check_index_path(index_path)
    manifest = read_manifest(index_path)
    if not manifest:
        return [f"no index at {index_path}: run `kb build` first"]
    found = problems(index_path.resolve(), manifest, hashes=True)
    if corpus is not None and not found:
        try:
            if manifest.get("fingerprint") != fingerprint(corpus, vocab or default_vocab()):
                found.append(f"the index was not built from the corpus at {corpus} as it is now: run `kb build`")
        except OSError as error:
            found.append(f"cannot read the corpus at {corpus} ({error.strerror})")
    return found
