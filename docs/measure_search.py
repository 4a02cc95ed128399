"""Start-up and search latency over the built index: `.venv/bin/python docs/measure_search.py`.

Start-up is imports + jieba's dictionary + opening the index; latency is over realistic questions in
a warm process (each question five times).
"""

import statistics
import sys
import time

started = time.perf_counter()
from kb.index import OpenIndex, build, default_corpus, default_index  # noqa: E402
from kb.search import search  # noqa: E402
from kb.vocab import vocab  # noqa: E402

QUESTIONS = ["高压双电源 时限", "计划检修 提前通知", "窃电行为包括哪些", "频繁停电的标准是什么", "低压零投资接入容量上限",
             "居民充电桩报装有几个环节", "巴彦淖尔转供电清零目标", "鄂尔多斯市区年均停电时间", "双电源多久能通电",
             "电力供应与使用条例 第二十八条"]


def main() -> int:
    build(default_corpus(), default_index())
    t0 = time.perf_counter()
    vocab().segmenter  # noqa: B018
    index = OpenIndex(default_index())
    startup = time.perf_counter() - started
    print(f"start-up (imports, jieba, open index): {startup:.2f} s (of which jieba + open {time.perf_counter() - t0:.2f} s)")
    search(index, "预热")
    times = []
    for _ in range(5):
        for question in QUESTIONS:
            t = time.perf_counter()
            search(index, question)
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"search over {len(times)} queries: p50 {statistics.median(times):.1f} ms, "
          f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, max {times[-1]:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
