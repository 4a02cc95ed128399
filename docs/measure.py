"""Speed of search and ask: `.venv/bin/python docs/measure.py [questions.jsonl]`.

Reports (1) start-up: imports, jieba's dictionary and opening the index, median of 3 fresh
processes; (2) search and ask latency in one warm process over the question set (each question 5
times after one warm-up pass), as `kb ask --json -` runs them; (3) the wall time of the real
command `kb ask --json -` over the set.
"""

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

QUESTIONS = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/eval/dev.jsonl")
KB = Path(sys.executable).with_name("kb")


def startup() -> float:
    code = ("import time; t=time.perf_counter(); from kb.index import OpenIndex, default_index; "
            "from kb.answer import ask; OpenIndex(default_index()); print(time.perf_counter()-t)")
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(3)]
    return statistics.median(runs)


def latency(name: str, run: Callable[[str], object], questions: list[str]) -> None:
    for question in questions:
        run(question)
    times = []
    for _ in range(5):
        for question in questions:
            started = time.perf_counter()
            run(question)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    print(f"{name}, {len(questions)} questions x 5, warm: median {statistics.median(times):.1f} ms, "
          f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, max {times[-1]:.1f} ms")


def main() -> int:
    questions = [json.loads(line)["q"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    subprocess.run([str(KB), "build", "--quiet"], check=True, capture_output=True)
    print(f"start-up (imports, jieba, open index), median of 3 fresh processes: {startup():.2f} s")

    from kb.answer import ask
    from kb.index import OpenIndex, default_index
    from kb.search import search

    index = OpenIndex(default_index())
    latency("search", lambda q: search(index, q), questions)
    latency("ask", lambda q: ask(index, q), questions)

    started = time.perf_counter()
    run = subprocess.run([str(KB), "ask", "--json", "-"], input="\n".join(questions) + "\n", capture_output=True,
                         text=True, check=True)
    print(f"`kb ask --json -` over {len(run.stdout.splitlines())} questions: "
          f"{time.perf_counter() - started:.2f} s wall in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
