"""Speed of `kb ask`: `.venv/bin/python docs/measure_ask.py [questions.jsonl]`.

Reports (1) start-up: imports, jieba's dictionary and opening the index, in a fresh process;
(2) per question, in one warm process, over the question set (each question 5 times, after one
warm-up pass), as `kb ask --json -` runs it; (3) the wall time of the real command
`kb ask --json -` over the set, for comparison.
"""

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUESTIONS = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/eval/dev.jsonl")
KB = Path(sys.executable).with_name("kb")


def startup() -> float:
    code = ("import time; t=time.perf_counter(); from kb.index import OpenIndex, default_index; "
            "from kb.answer import ask; OpenIndex(default_index()); print(time.perf_counter()-t)")
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(3)]
    return statistics.median(runs)


def main() -> int:
    questions = [json.loads(line)["q"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    subprocess.run([str(KB), "build", "--quiet"], check=True, capture_output=True)
    print(f"start-up (imports, jieba, open index), median of 3 fresh processes: {startup():.2f} s")

    from kb.answer import ask
    from kb.index import OpenIndex, default_index

    index = OpenIndex(default_index())
    for question in questions:
        ask(index, question)
    times = []
    for _ in range(5):
        for question in questions:
            started = time.perf_counter()
            ask(index, question)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    print(f"ask, {len(questions)} questions x 5 in one warm process: median {statistics.median(times):.1f} ms, "
          f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, max {times[-1]:.1f} ms")

    started = time.perf_counter()
    run = subprocess.run([str(KB), "ask", "--json", "-"], input="\n".join(questions) + "\n", capture_output=True,
                         text=True, check=True)
    wall = time.perf_counter() - started
    print(f"`kb ask --json -` over {len(run.stdout.splitlines())} questions: {wall:.2f} s wall in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
