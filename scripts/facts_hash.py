#!/usr/bin/env python3
"""A hash of every fact ``kb.facts.extract`` reads from the corpus and a sample of the law library.

Run it before and after a change to the extractor: the same hash means the same facts, in the same
order, with the same subjects, items, values, units, bounds, qualifiers and contexts.

    .venv/bin/python scripts/facts_hash.py [--lawref ../shared/lawref] [--sample 300] [--dump facts.jsonl]

Every indexable clause is read (not only those ``may_state_figures`` lets through), so the hash covers
the extractor on its own.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb.corpus.documents import corpus_files, read_document, split_front_matter  # noqa: E402
from kb.corpus.importer import _title_and_head  # noqa: E402
from kb.facts import extract  # noqa: E402
from kb.parse import parse  # noqa: E402


def lawref_sample(lawref: Path, size: int) -> list[Path]:
    """Every n-th Markdown file of the law library in path order: the same files on every run."""
    files = sorted(lawref.rglob("*.md"))
    step = max(1, len(files) // size) if size else 1
    return files[::step][:size] if size else files


def documents(corpus: Path, lawref: Path | None, sample: int):
    """(name, title, body) of each corpus document, then of each sampled law."""
    for path in corpus_files(corpus):
        document = read_document(path)
        yield path.name, document.title, document.body
    if lawref is None or not lawref.is_dir():
        return
    for path in lawref_sample(lawref, sample):
        _, body = split_front_matter(path.read_text(encoding="utf-8"))
        title, _ = _title_and_head(body)
        yield str(path.relative_to(lawref)), title, body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT / "corpus"))
    parser.add_argument("--lawref", default=str(ROOT.parent / "shared" / "lawref"))
    parser.add_argument("--sample", type=int, default=300, help="law library files to read (0: all)")
    parser.add_argument("--dump", help="also write every fact as a JSON line to this file")
    args = parser.parse_args()
    digest = hashlib.sha256()
    documents_read = clauses = facts = 0
    dump = open(args.dump, "w", encoding="utf-8") if args.dump else None  # noqa: SIM115
    started = time.perf_counter()
    for name, title, body in documents(Path(args.corpus), Path(args.lawref), args.sample):
        documents_read += 1
        for clause in parse(body, title).clauses:
            if not clause.indexable:
                continue
            clauses += 1
            for fact in extract(clause, name):
                line = json.dumps(fact.to_dict(), ensure_ascii=False, sort_keys=True)
                digest.update(line.encode())
                digest.update(b"\n")
                facts += 1
                if dump:
                    dump.write(line + "\n")
    if dump:
        dump.close()
    seconds = time.perf_counter() - started
    print(f"{documents_read} documents, {clauses} clauses, {facts} facts in {seconds:.1f} s: "
          f"sha256 {digest.hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
