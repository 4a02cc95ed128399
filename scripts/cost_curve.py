"""The cost curve: build time, index size, peak memory and search/ask latency at 1×, 2×, 4× the law library.

For each scale K the corpus is the project's corpus plus K copies of ``../shared/lawref``: the first copy as
it is, each further one made by a reproducible transformation of the real texts — the title marked with
the copy's number and every paragraph's sentences rotated by it — so each copy is a new document while
the term statistics stay those of real law (every word as frequent within a document; document
frequencies K times as high). Each scale is imported with ``kb add``'s importer, built with ``kb build``
(its peak memory read from the children's ``ru_maxrss``), served by ``kb serve --workers 1`` (its peak memory from
``/proc/<pid>/status`` VmHWM after the queries), and timed over HTTP with ``scripts/bench-queries.txt``
(``/api/search`` and ``/api/ask``, three passes after a warm-up pass).

Writes a JSON file and a PNG plot of each figure against the number of clauses, and prints the growth of
each (the slope of log figure against log clauses: 1 is linear) and where ask p95 would cross 250 ms.

    python scripts/cost_curve.py [--scales 1,2,4] [--sample N] [--out docs/cost-curve.json] [--plot docs/cost-curve.png]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KB = Path(sys.executable).with_name("kb")
SENTENCE = re.compile(r"(?<=[。；！？])")
LIMIT_MS = 250.0


def transformed(text: str, copy: int) -> str:
    """The law's text as copy ``copy``: its first heading marked, each paragraph's sentences rotated."""
    lines = text.splitlines()
    out, marked = [], False
    for line in lines:
        if not marked and line.startswith("#"):
            out.append(f"{line}（第{copy}副本）")
            marked = True
            continue
        sentences = [s for s in SENTENCE.split(line) if s]
        if len(sentences) > 1:
            turn = copy % len(sentences)
            sentences = sentences[turn:] + sentences[:turn]
        out.append("".join(sentences))
    return "\n".join(out)


def make_corpus(workdir: Path, lawref: Path, scale: int, sample: int | None) -> Path:
    from kb.corpus import Importer

    corpus = workdir / "corpus"
    shutil.copytree(ROOT / "corpus", corpus, ignore=shutil.ignore_patterns(".kb-corpus.lock"))
    sources = sorted(lawref.rglob("*.md"))[:sample] if sample else sorted(lawref.rglob("*.md"))
    copies = workdir / "copies"
    with Importer(corpus, durable=False) as importer:
        for copy in range(scale):
            for number, source in enumerate(sources):
                if copy == 0:
                    importer.add(source)
                    continue
                target = copies / str(copy) / f"{number:05d}-{source.name}"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(transformed(source.read_text(encoding="utf-8", errors="replace"), copy),
                                  encoding="utf-8")
                importer.add(target)
    shutil.rmtree(copies, ignore_errors=True)
    return corpus


def build(corpus: Path, index: Path) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    run = subprocess.run([str(KB), "--corpus", str(corpus), "--index", str(index), "build", "--force", "--quiet"],
                         capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if run.returncode:
        sys.exit(f"kb build failed: {run.stderr}")
    peak_kb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    manifest = json.loads((index.resolve() / "manifest.json").read_text(encoding="utf-8"))
    size = sum(p.stat().st_size for p in index.resolve().iterdir() if p.is_file())
    return {"build_s": round(seconds, 1), "clauses": manifest["clauses"], "documents": manifest["documents"],
            "index_mb": round(size / 2**20, 1), "build_peak_mb": round(peak_kb / 1024, 1)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentiles(times: list[float]) -> dict:
    times = sorted(times)
    return {"p50": round(statistics.median(times), 1), "p95": round(times[int(len(times) * 0.95)], 1),
            "max": round(times[-1], 1)}


def serve_and_time(corpus: Path, index: Path, queries: list[str], data: Path) -> dict:
    port = free_port()
    env = {"KB_RATE_LIMIT": "1000000/minute", "KB_LIVE_RATE_LIMIT": "1000000/minute", "KB_DATA": str(data),
           "PATH": "/usr/bin:/bin"}
    server = subprocess.Popen([str(KB), "--corpus", str(corpus), "--index", str(index), "serve", "--port",
                               str(port), "--workers", "1"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        timings: dict[str, list[float]] = {"search": [], "ask": []}
        for passes in range(4):
            for query in queries:
                for kind, path in (("search", "/api/search"), ("ask", "/api/ask")):
                    url = f"{base}{path}?{urllib.parse.urlencode({'q': query})}"
                    started = time.perf_counter()
                    urllib.request.urlopen(url, timeout=30).read()
                    if passes:  # the first pass warms
                        timings[kind].append((time.perf_counter() - started) * 1000)
        status = Path(f"/proc/{server.pid}/status").read_text()
        peak = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"search_ms": percentiles(timings["search"]), "ask_ms": percentiles(timings["ask"]),
            "server_peak_mb": round(peak / 1024, 1)}


def growth(points: list[dict], key) -> float | None:
    """The slope of log(figure) against log(clauses): 1 linear, 2 quadratic, 0 flat."""
    xs = [math.log(p["clauses"]) for p in points]
    ys = [math.log(max(key(p), 1e-9)) for p in points]
    if len(xs) < 2 or max(xs) == min(xs):
        return None
    mean_x, mean_y = statistics.mean(xs), statistics.mean(ys)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum((x - mean_x) ** 2 for x in xs)


def plot(points: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    clauses = [p["clauses"] for p in points]
    figures = [("build time (s)", [p["build_s"] for p in points]),
               ("index size (MB)", [p["index_mb"] for p in points]),
               ("peak memory (MB)", None),
               ("latency p95 (ms)", None)]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    for ax, (title, values) in zip(axes.flat, figures, strict=True):
        if title.startswith("peak"):
            ax.plot(clauses, [p["build_peak_mb"] for p in points], "o-", label="build")
            ax.plot(clauses, [p["server_peak_mb"] for p in points], "s-", label="server")
            ax.legend()
        elif title.startswith("latency"):
            ax.plot(clauses, [p["search_ms"]["p95"] for p in points], "o-", label="search p95")
            ax.plot(clauses, [p["ask_ms"]["p95"] for p in points], "s-", label="ask p95")
            ax.plot(clauses, [p["ask_ms"]["p50"] for p in points], "^--", label="ask p50")
            ax.axhline(LIMIT_MS, color="grey", linestyle=":", label="250 ms")
            ax.legend()
        else:
            ax.plot(clauses, values, "o-")
        ax.set_title(title)
        ax.set_xlabel("clauses")
        ax.grid(True, alpha=0.3)
    fig.suptitle("kb cost against corpus size (corpus + K × lawref)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,2,4")
    parser.add_argument("--lawref", type=Path, default=ROOT.parent / "shared" / "lawref")
    parser.add_argument("--sample", type=int, help="only the first N laws (a quick try)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "cost-curve.json")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "cost-curve.png")
    parser.add_argument("--tmp", type=Path)
    args = parser.parse_args(argv)
    queries = [line.strip() for line in (ROOT / "scripts" / "bench-queries.txt").read_text(encoding="utf-8")
               .splitlines() if line.strip() and not line.startswith("#")]
    points = []
    for scale in (int(k) for k in args.scales.split(",")):
        with tempfile.TemporaryDirectory(prefix=f"kb-curve-{scale}-", dir=args.tmp) as workdir:
            work = Path(workdir)
            started = time.perf_counter()
            corpus = make_corpus(work, args.lawref, scale, args.sample)
            imported = round(time.perf_counter() - started, 1)
            point = {"scale": scale, "import_s": imported, **build(corpus, work / "index")}
            point.update(serve_and_time(corpus, work / "index", queries, work / "data"))
            points.append(point)
            print(json.dumps(point, ensure_ascii=False), flush=True)
    summary = {"points": points, "growth": {
        "build_s": growth(points, lambda p: p["build_s"]), "index_mb": growth(points, lambda p: p["index_mb"]),
        "build_peak_mb": growth(points, lambda p: p["build_peak_mb"]),
        "server_peak_mb": growth(points, lambda p: p["server_peak_mb"]),
        "search_p95": growth(points, lambda p: p["search_ms"]["p95"]),
        "ask_p95": growth(points, lambda p: p["ask_ms"]["p95"])}}
    slope = summary["growth"]["ask_p95"]
    last = points[-1]
    if slope and slope > 0:
        crossing = last["clauses"] * (LIMIT_MS / last["ask_ms"]["p95"]) ** (1 / slope)
        summary["ask_p95_crosses_250ms_at_clauses"] = int(crossing)
    args.out.write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    plot(points, args.plot)
    print(json.dumps(summary["growth"], ensure_ascii=False), summary.get("ask_p95_crosses_250ms_at_clauses"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
