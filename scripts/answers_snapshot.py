#!/usr/bin/env python3
"""Every answer of the question sets as JSON, to show a speed-up changed none of them.

Run it before and after a change, then compare the two files byte for byte:

    .venv/bin/python scripts/answers_snapshot.py --out /tmp/before.jsonl
    … change the code …
    .venv/bin/python scripts/answers_snapshot.py --out /tmp/after.jsonl --compare /tmp/before.jsonl

Each set (default: ``../shared/eval/dev.jsonl``, ``dev2.jsonl`` and ``tests/questions/*.jsonl``) is asked
as ``kb eval`` asks it: over a temporary copy of the corpus with the set's ``source`` documents imported,
indexed with ``kb build``'s code. With ``--index`` every question of every set (and the bench's queries,
``scripts/bench-queries.txt``) is asked over that one index instead: a lawref-scale index, where the
speed-ups matter. For each question: a line naming the set and question, ``kb ask --json``'s object
(``Answer.to_dict``) and ``kb search --json``'s (without its timing) on one line each. A second pass
asks everything again in the same process, which must give the same bytes (nothing an answer reads may
depend on what was asked before it).

Exits 1 when ``--compare`` finds a difference, or the second pass differs from the first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import hashlib
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb.answer import WARMERS, Answerer  # noqa: E402
from kb.evaluation.question_sets import asked_corpus, shared_root  # noqa: E402
from kb.evaluation.score import load_questions  # noqa: E402
from kb.index import OpenIndex  # noqa: E402
from kb.search import search  # noqa: E402

DEFAULT_SETS = [ROOT.parent / "shared" / "eval" / "dev.jsonl", ROOT.parent / "shared" / "eval" / "dev2.jsonl",
                *sorted((ROOT / "tests" / "questions").glob("*.jsonl"))]
BENCH_QUERIES = ROOT / "scripts" / "bench-queries.txt"


def bench_questions() -> list[dict]:
    """The bench's queries as question records (``bench-<n>``)."""
    lines = [line.strip() for line in BENCH_QUERIES.read_text(encoding="utf-8").splitlines()]
    queries = [line for line in lines if line and not line.startswith(("#", "["))]
    return [{"id": f"bench-{n}", "q": q} for n, q in enumerate(queries, start=1)]


def answer_lines(index: OpenIndex, name: str, records: list[dict], on: dt.date) -> list[str]:
    """Three lines per question: which it is, its answer as ``kb ask --json`` gives it, and the search
    ``kb search --json`` gives for the same text."""
    answerer = Answerer(index.vocab)
    out = []
    for record in records:
        answer = answerer.ask(index, record["q"], on=on).to_dict()
        found = search(index, record["q"]).to_dict()
        found.pop("elapsed_ms", None)  # the one field that is a timing, not a result
        out.append(json.dumps({"set": name, "id": record["id"]}, ensure_ascii=False))
        out.append(json.dumps(answer, ensure_ascii=False))
        out.append(json.dumps(found, ensure_ascii=False))
    return out


def twice(index: OpenIndex, name: str, records: list[dict], on: dt.date) -> list[str]:
    """The answers, asked twice in one process; a difference between the passes is a failure."""
    first = answer_lines(index, name, records, on)
    second = answer_lines(index, name, records, on)
    if first != second:
        changed = sum(a != b for a, b in zip(first, second, strict=True))
        sys.exit(f"{name}: {changed} lines differ between two passes in one process")
    return first


def per_set(sets: list[Path], corpus: Path, on: dt.date) -> list[str]:
    lines: list[str] = []
    for path in sets:
        records = load_questions(path)
        with tempfile.TemporaryDirectory(prefix="kb-snapshot-") as workdir:
            asked = asked_corpus(records, corpus, Path(workdir), shared_root(path))
            for problem in asked.problems:
                print(f"{path.name}: {problem}", file=sys.stderr)
            index = OpenIndex(asked.index, warmers=WARMERS)
            lines += twice(index, path.stem, records, on)
            index.close()
        print(f"{path.name}: {len(records)} questions", file=sys.stderr)
    return lines


def one_index(sets: list[Path], index_path: Path, on: dt.date) -> list[str]:
    index = OpenIndex(index_path, warmers=WARMERS, freeze_garbage=True)
    index.vocab.dictionary.ensure_all()
    lines: list[str] = []
    for name, records in [(p.stem, load_questions(p)) for p in sets] + [("bench", bench_questions())]:
        lines += twice(index, name, records, on)
        print(f"{name}: {len(records)} questions over {index_path}", file=sys.stderr)
    return lines


def compare(lines: list[str], other: Path) -> int:
    theirs = other.read_text(encoding="utf-8").splitlines()
    if lines == theirs:
        print(f"identical to {other} ({len(lines) // 3} answers)")
        return 0
    diff = list(difflib.unified_diff(theirs, lines, str(other), "now", n=1, lineterm=""))
    print("\n".join(diff[:40]))
    changed = sum(1 for a, b in zip(theirs, lines, strict=False) if a != b) + abs(len(theirs) - len(lines))
    print(f"DIFFERENT from {other}: {changed} lines")
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", type=Path, default=DEFAULT_SETS)
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--index", type=Path, help="ask every set over this built index (e.g. lawref scale)")
    parser.add_argument("--on", default="", help="the date rules are read on (default: today)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--compare", type=Path, help="an earlier --out file: exit 1 unless identical")
    args = parser.parse_args(argv)
    on = dt.date.fromisoformat(args.on) if args.on else dt.date.today()
    lines = one_index(args.sets, args.index, on) if args.index else per_set(args.sets, args.corpus, on)
    text = "\n".join(lines) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(f"{len(lines) // 3} answers, sha256 {hashlib.sha256(text.encode()).hexdigest()[:16]} → {args.out}")
    return compare(lines, args.compare) if args.compare else 0


if __name__ == "__main__":
    sys.exit(main())
