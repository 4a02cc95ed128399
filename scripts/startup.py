#!/usr/bin/env python3
"""A one-shot ``kb ask``'s start-up: the median of five runs, beside ``python -c pass`` in the same run.

    python scripts/startup.py [--runs 5] [--index var/index] [--question 计划检修停电要提前几天通知用户]

Each run is a fresh process (wall time and its CPU time, user + system, from ``os.wait4``): on a shared
host the CPU time says what the command costs, the wall time also what the neighbours take.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

KB = Path(sys.executable).with_name("kb")


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of ``command``."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 3):  # 3: kb ask found no exact figure
        raise SystemExit(f"{command} failed")
    return wall, usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--index", default="var/index")
    parser.add_argument("--question", default="计划检修停电要提前几天通知用户")
    args = parser.parse_args(argv)
    timed([str(KB), "--index", args.index, "ask", args.question])  # the compact dictionary made, files cached
    rows = {}
    for name, command in (("python -c pass", [sys.executable, "-c", "pass"]),
                          ("kb ask", [str(KB), "--index", args.index, "ask", args.question])):
        runs = [timed(command) for _ in range(args.runs)]
        rows[name] = (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
    print(f"| {args.runs} runs, median | wall s | CPU s |\n| --- | ---: | ---: |")
    for name, (wall, cpu) in rows.items():
        print(f"| `{name}` | {wall:.3f} | {cpu:.3f} |")
    print(f"| `kb ask` less `python -c pass` | {rows['kb ask'][0] - rows['python -c pass'][0]:.3f} | "
          f"{rows['kb ask'][1] - rows['python -c pass'][1]:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
