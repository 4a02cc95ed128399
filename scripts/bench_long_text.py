#!/usr/bin/env python3
"""Long unbroken paragraphs through ``kb add`` and ``kb build`` (docs/benchmarks.md, "Long text").

PDF-to-text output often comes as one paragraph of megabytes. This script makes such paragraphs from
the real corpus — the sentences of every prose clause of ``corpus/*.md``, shuffled with a fixed seed,
newlines removed, repeated in fresh shuffles until the size is reached — so they hold the corpus's own
figures (5个工作日, 三十日, ranges, lists such as 5个、10个、20个工作日); ``--figure-weight 12`` makes
each sentence that states a figure come twelve times per shuffle (12 figures per 1,000 characters
instead of 2.3, like a text of time limits). For each size:

1. times each stage of the import and build path in this process on the document: ``parse``,
   ``normalize``, ``index_words`` (segmenting), ``may_state_figures``, ``extract`` (the facts),
   ``uncovered_bigrams`` and ``prepare`` (all of the above as the build runs them), with the number
   of facts and a hash of them, to check that a change to the code leaves them the same;
2. times the real command, ``kb add`` of the file into a temporary copy of the corpus (which adds the
   file and builds the index: ``kb add`` rebuilds), in a subprocess.

    .venv/bin/python scripts/bench_long_text.py [--sizes 0.4 1.6 3.2 7] [--figure-weight 1] [--no-stages] [--no-add]
    .venv/bin/python scripts/bench_long_text.py --write paragraph.md --sizes 0.4   # just the file

Sizes are in MB of UTF-8 (10⁶ bytes); each file is a ``# title`` line and the paragraph.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb.corpus import corpus_files, read_document  # noqa: E402
from kb.parse import parse_document  # noqa: E402

SENTENCE = re.compile(r"[^。；！？]+(?:[。；！？]|$)")
PROSE_CELL = re.compile(r"[\u4e00-\u9fff]")
STATES_FIGURE = re.compile(r"[\d一二三四五六七八九十]个?(?:工作日|日|天|小时|个|%|年)")
TITLE = "长文本导入测试办法"


def corpus_sentences(corpus: Path = ROOT / "corpus") -> list[str]:
    """Every sentence of the corpus's prose, in corpus order: of each prose clause, and of each table cell
    long enough to be prose (a task ledger's 重点任务 column); newlines removed, and a 。 closing a sentence
    that had no full stop (a clause's last line)."""
    out: list[str] = []
    for path in corpus_files(corpus):
        for clause in parse_document(read_document(path)).clauses:
            if not clause.indexable:
                continue
            if clause.kind == "row":
                texts = [cell for _, cell in clause.cells if len(cell) >= 12 and PROSE_CELL.search(cell)]
            else:
                texts = [clause.text]
            for text in texts:
                text = re.sub(r"\s*\n\s*", "", text)
                for sentence in SENTENCE.findall(text):
                    sentence = sentence.strip()
                    if sentence:
                        out.append(sentence if sentence[-1] in "。；！？" else sentence + "。")
    return out


def paragraph(megabytes: float, seed: int = 20261123, figure_weight: int = 1, corpus: Path = ROOT / "corpus") -> str:
    """One unbroken paragraph of about ``megabytes`` MB of UTF-8: the corpus's sentences in shuffles, each
    sentence that states a figure ``figure_weight`` times per shuffle."""
    sentences = corpus_sentences(corpus)
    sentences += [s for s in sentences if STATES_FIGURE.search(s)] * (figure_weight - 1)
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    pieces: list[str] = []
    size = 0
    while size < target:
        order = sentences[:]
        rng.shuffle(order)
        for sentence in order:
            pieces.append(sentence)
            size += len(sentence.encode())
            if size >= target:
                break
    return "".join(pieces)


def document(megabytes: float, seed: int = 20261123, figure_weight: int = 1) -> str:
    return f"# {TITLE}\n\n{paragraph(megabytes, seed, figure_weight)}\n"


def stages(body: str) -> dict:
    """Each stage's wall time on one document, in the order the build runs them."""
    from kb.corpus import Document
    from kb.facts import extract
    from kb.index.prepare import Preparer
    from kb.index.schema import analyzer_of, make_schema
    from kb.parse import parse
    from kb.vocab import default_vocab

    vocab = default_vocab()
    analysis = vocab.analysis
    preparer = Preparer(vocab, analyzer_of(make_schema(vocab)))
    analysis.index_words("供电")  # jieba's dictionary, loaded before timing
    times: dict[str, float] = {}

    def timed(name: str, run):
        started = time.perf_counter()
        result = run()
        times[name] = round(time.perf_counter() - started, 2)
        return result

    parsed = timed("parse", lambda: parse(body, TITLE))
    clauses = [c for c in parsed.clauses if c.indexable]
    texts = [c.text for c in clauses]
    timed("normalize", lambda: [analysis.normalize(t) for t in texts])
    timed("index_words", lambda: [analysis.index_words(t) for t in texts])
    timed("may_state_figures", lambda: [preparer.hint.may_state_figures(c) for c in clauses])
    facts = timed("extract", lambda: [f.to_dict() for c in clauses for f in extract(c, "x")])
    timed("uncovered_bigrams", lambda: [preparer.uncovered_bigrams(t) for t in texts])
    doc = Document("x", TITLE, {"id": "x", "title": TITLE, "region": "全国", "status": "现行有效"}, body)
    timed("prepare", lambda: preparer.prepare(doc))
    digest = hashlib.sha256(json.dumps(facts, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    return {"clauses": len(clauses), "facts": len(facts), "facts_sha256": digest[:16], "seconds": times}


def kb_add(source: Path) -> dict:
    """``kb add`` of the file into a temporary copy of the corpus, timed as a command (add + build)."""
    kb = Path(sys.executable).with_name("kb")
    with tempfile.TemporaryDirectory(prefix="kb-long-") as tmp:
        corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
        shutil.copytree(ROOT / "corpus", corpus)
        subprocess.run([str(kb), "--corpus", str(corpus), "--index", str(index), "build", "--quiet"],
                       check=True, capture_output=True)
        started = time.perf_counter()
        done = subprocess.run([str(kb), "--corpus", str(corpus), "--index", str(index), "add", str(source)],
                              check=True, capture_output=True, text=True, env={**os.environ, "KB_TIMING": "1"})
        seconds = time.perf_counter() - started
        build = re.search(r"in ([\d.]+) s", done.stdout)
    return {"kb_add_s": round(seconds, 2), "build_s": float(build.group(1)) if build else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.4, 1.6, 3.2, 7.0], help="MB")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--figure-weight", type=int, default=1,
                        help="how many times per shuffle a sentence stating a figure comes (1: as in the corpus)")
    parser.add_argument("--no-stages", action="store_true", help="skip the in-process stage timings")
    parser.add_argument("--no-add", action="store_true", help="skip the timed kb add")
    parser.add_argument("--write", help="write the (last) document to this file and stop")
    parser.add_argument("--json-out", help="write the results as JSON here")
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        text = document(size, args.seed, args.figure_weight)
        if args.write:
            Path(args.write).write_text(text, encoding="utf-8")
            continue
        row: dict = {"mb": size, "figure_weight": args.figure_weight, "bytes": len(text.encode()), "chars": len(text)}
        if not args.no_stages:
            row.update(stages(text))
        if not args.no_add:
            with tempfile.TemporaryDirectory(prefix="kb-long-src-") as tmp:
                source = Path(tmp) / f"long-{size}MB.md"
                source.write_text(text, encoding="utf-8")
                row.update(kb_add(source))
        print(json.dumps(row, ensure_ascii=False), flush=True)
        results.append(row)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
