"""Warm kb ask timings: CPU and wall per question, on the corpus index and (when given) a lawref-scale index.

Usage: python scripts/measure_answers.py [LAWREF_SCALE_INDEX]  (make bench --keep leaves one)
"""
import json
import statistics
import sys
import time
from pathlib import Path

from kb.answer import ask
from kb.errors import KbError
from kb.index import OpenIndex


def run(index_path: Path, qs: list[str], passes: int = 3) -> dict:
    index = OpenIndex(Path(index_path))
    for q in qs:
        ask(index, q)
    wall, cpu = [], []
    for _ in range(passes):
        for q in qs:
            w, c = time.perf_counter(), time.process_time()
            ask(index, q)
            wall.append((time.perf_counter() - w) * 1000)
            cpu.append((time.process_time() - c) * 1000)

    def st(t: list[float]) -> dict:
        t = sorted(t)
        return {"p50": round(statistics.median(t), 1), "p95": round(t[int(len(t) * .95)], 1), "max": round(t[-1], 1)}
    return {"n": len(wall), "wall": st(wall), "cpu": st(cpu)}
ROOT = Path(__file__).resolve().parents[1]
corpus_qs = [json.loads(line)["q"] for f in [ROOT.parent / "shared" / "eval" / "dev.jsonl",
                                             ROOT / "tests" / "questions" / "corpus-extra.jsonl"]
             if f.exists() for line in open(f, encoding="utf-8")]
bench_qs = [line.strip() for line in open(ROOT / "scripts" / "bench-queries.txt", encoding="utf-8")
            if line.strip() and not line.startswith("#")]
if len(sys.argv) > 2 or sys.argv[1:2] in (["-h"], ["--help"]):
    sys.exit(__doc__)
try:
    print("corpus", run(ROOT / "var" / "index", corpus_qs))
    if len(sys.argv) > 1:
        print("lawref scale", run(Path(sys.argv[1]) / "index", bench_qs))
except KbError as error:
    sys.exit(f"measure_answers: {error}")
