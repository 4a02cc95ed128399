#!/usr/bin/env python3
"""Throughput against workers, and a hotline's agents, over the whole law library (``make loadtest``, second part).

1. Builds the corpus plus all of ``../shared/lawref`` in a temporary directory (or serves ``--index``).
2. Saturation: for 1 and for N workers (``kb serve --workers``, keeping no answers and no postings:
   the engine flat out), ``--clients`` clients ask and search with no think time, ``--seconds`` for each
   worker count in all; requests per second and p50/p95, and the ratio N : 1. The time is cut into
   ``--rounds`` windows per worker count, taken in turn (1, N, then N, 1, …) from two servers up side by
   side: this host's speed drifts by tens of per cent within minutes, and with one window each (the
   method up to 2026-12-02, ``--rounds 1``) that drift fell wholly on the ratio. The ratio of the pooled
   windows is the figure; each round's ratio is printed beside it.
3. Agents: N workers of a server started anew as ``kb serve`` runs it (answers and postings kept as
   ``KB_ANSWER_CACHE`` / ``KB_POSTING_CACHE`` say; each worker first serves a few requests the agents do
   not send), ``--agents`` agents for ``--agent-seconds``, each asking about once a second (Poisson
   arrivals, a question or a search from the bench's and the dev set's lists); half the questions are
   typed live first: two to four prefixes sent with ``live=1`` 150–300 ms apart, as the console does on
   each typing pause. p50/p95/max of every request, of the live ones and of the full questions, per
   10 s, and where the cores went (server, this load generator — one process, one thread per agent —,
   the rest).

Standard library only, loopback only; prints Markdown tables and writes ``--json-out``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KB = Path(sys.executable).with_name("kb")
HOST = "127.0.0.1"
sys.path.insert(0, str(ROOT / "scripts"))

from loadtest import machine_busy_seconds, process_tree_cpu  # noqa: E402 — the scripts folder, just added


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[max(0, math.ceil(p * len(values)) - 1)] if values else float("nan")


def figures(latencies: list[float], seconds: float | None = None) -> dict:
    row = {"requests": len(latencies), "p50_ms": round(percentile(latencies, 0.5), 1),
           "p95_ms": round(percentile(latencies, 0.95), 1), "max_ms": round(max(latencies, default=float("nan")), 1)}
    if seconds:
        row["req_per_s"] = round(len(latencies) / seconds, 1)
    return row


def questions() -> tuple[list[str], list[str]]:
    """(questions, searches): the bench's fixed list and the dev set's questions."""
    asks, searches = [], []
    section = ""
    for line in (ROOT / "scripts" / "bench-queries.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line
            continue
        (searches if section == "[short]" else asks).append(line)
    dev = ROOT.parent / "shared" / "eval" / "dev.jsonl"
    if dev.exists():
        asks += [json.loads(line)["q"] for line in dev.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [q for q in asks if len(q) < 200], searches


# Saturation measures what the engine does flat out: the servers keep no answers and no postings (the same
# few dozen questions, asked over and over, would be served from what was kept).
KEEP_NOTHING = {"KB_ANSWER_CACHE": "0", "KB_POSTING_CACHE": "0"}
# Before the agents, each worker has served a few requests (its first ones pay for connecting to its stores
# and touching the shared index) — of questions the agents do not ask.
WARM_UP = ["电力", "供电企业 用户", "什么是不可抗力？", "环境保护", "用电检查", "电能计量装置"]


class Server:
    def __init__(self, index: Path, corpus: Path, data: Path, workers: int, settings: dict | None = None) -> None:
        self.port = free_port()
        env = {**os.environ, "KB_RATE_LIMIT": "100000000/minute", "KB_LIVE_RATE_LIMIT": "100000000/minute",
               "KB_DATA": str(data), "PYTHONUNBUFFERED": "1", **(settings or {})}
        env.pop("KB_RATE_LIMIT_STORAGE", None)  # kb serve's own Redis for N > 1, as make run has
        self.log = open(data / f"serve-{workers}.log", "wb")
        self.process = subprocess.Popen([str(KB), "--corpus", str(corpus), "--index", str(index), "serve",
                                         "--host", HOST, "--port", str(self.port), "--workers", str(workers)],
                                        env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 300
        while True:
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"kb serve --workers {workers} did not come up")
            time.sleep(0.3)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)  # the session this script started
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)
        self.log.close()


def get(connection_box: list, port: int, path: str) -> float | None:
    """GET ``path`` on a kept-alive connection; the latency in ms, None on a failure (reconnects)."""
    if connection_box[0] is None:
        connection_box[0] = http.client.HTTPConnection(HOST, port, timeout=30)
    started = time.perf_counter()
    try:
        connection_box[0].request("GET", path)
        response = connection_box[0].getresponse()
        response.read()
        ok = response.status == 200
    except (OSError, http.client.HTTPException):
        connection_box[0].close()
        connection_box[0] = None
        return None
    return (time.perf_counter() - started) * 1000 if ok else None


def url(endpoint: str, query: str, live: bool = False) -> str:
    params = {"q": query, **({"live": "1"} if live else {})}
    return f"/api/{endpoint}?{urllib.parse.urlencode(params)}"


def saturate(port: int, clients: int, seconds: float, asks: list[str], searches: list[str]) -> dict:
    """Closed loop, no think time: what the server does flat out."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        rng, box, mine, failed = random.Random(number), [None], [], 0
        while time.monotonic() < deadline:
            path = url("ask", rng.choice(asks)) if rng.random() < 0.6 else url("search", rng.choice(searches))
            latency = get(box, port, path)
            if latency is None:
                failed += 1
            else:
                mine.append(latency)
        with lock:
            latencies.extend(mine)
            failures[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started  # past ``seconds``: the requests under way at the deadline finish
    return {**figures(latencies, seconds), "failed": failures[0], "seconds": round(seconds, 3), "latencies": latencies}


def pooled(rows: list[dict], seconds: float) -> dict:
    """One worker count's windows (``saturate`` rows, ``seconds`` each) as one: requests per second over the
    time they took (each a little past ``seconds``, longer for a slower server), percentiles of every
    request, the cores averaged over the windows."""
    every = [ms for row in rows for ms in row["latencies"]]
    out = {**figures(every, sum(row["seconds"] for row in rows)), "failed": sum(row["failed"] for row in rows),
           "windows": len(rows)}
    for key in ("server_cores", "load_generator_cores", "other_cores"):
        if all(key in row for row in rows):
            out[key] = round(sum(row[key] for row in rows) / len(rows), 2)
    if "server_cores" in out:
        out["requests_per_server_cpu_s"] = round(len(every) / max(out["server_cores"] * seconds * len(rows), 0.01), 1)
    return out


def saturation(index: Path, corpus: Path, work: Path, counts: list[int], clients: int, seconds: float, rounds: int,
               asks: list[str], searches: list[str]) -> tuple[dict[int, dict], list[dict[int, dict]]]:
    """Saturation for each worker count: ({count: pooled figures}, [{count: one window's figures} per round]).
    With one round, each count's server alone for ``seconds`` in turn; with more, every count's server up
    at once (an idle one only waits on its socket) and ``seconds / rounds`` windows taken in turn, the order
    reversed each round so that no count is always measured first."""
    window = seconds / rounds
    servers: dict[int, Server] = {}
    per_round: list[dict[int, dict]] = []
    try:
        for count in counts:
            if rounds > 1 or not servers:
                servers[count] = Server(index, corpus, work, count, KEEP_NOTHING)
                saturate(servers[count].port, clients, 3, asks, searches)  # warm every worker
        for number in range(rounds):
            measured: dict[int, dict] = {}
            for count in counts if number % 2 == 0 else counts[::-1]:
                if count not in servers:  # one round: the servers one after the other, as before
                    for other in list(servers):
                        servers.pop(other).stop()
                    servers[count] = Server(index, corpus, work, count, KEEP_NOTHING)
                    saturate(servers[count].port, clients, 3, asks, searches)
                server = servers[count]
                measured[count] = cores_used(server.process.pid, window,
                                             partial(saturate, server.port, clients, window, asks, searches))
                print(f"saturation, round {number + 1}/{rounds}, {count} worker(s): "
                      f"{ {k: v for k, v in measured[count].items() if k != 'latencies'} }", flush=True)
            per_round.append(measured)
    finally:
        for server in servers.values():
            server.stop()
    totals = {count: pooled([measured[count] for measured in per_round], window) for count in counts}
    for measured in per_round:
        for row in measured.values():
            row.pop("latencies")
    return totals, per_round


def agents(port: int, count: int, seconds: float, asks: list[str], searches: list[str]) -> dict:
    """Agents asking about once a second, half their questions typed live first. ``repeated`` is the share
    of requests that ask what some agent asked before (what a server keeping its answers can serve again)."""
    records: dict[str, list[float]] = {"live": [], "full": [], "search": []}
    failures = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    sent_before: set[str] = set()
    repeated = [0]
    timeline: list[tuple[float, str, float]] = []  # (seconds into the phase, kind, ms) of every request
    begun = time.monotonic()

    def agent(number: int) -> None:
        rng, box = random.Random(f"agent-{number}"), [None]
        mine: dict[str, list[float]] = {"live": [], "full": [], "search": []}
        failed = 0
        next_at = time.monotonic() + rng.expovariate(1.0)
        while next_at < deadline:
            time.sleep(max(0.0, next_at - time.monotonic()))
            if rng.random() < 0.25:
                sent = [("search", url("search", rng.choice(searches)))]
            else:
                question = rng.choice(asks)
                sent = []
                if rng.random() < 0.5 and len(question) > 4:  # typed live: prefixes at typing pauses
                    cuts = sorted(rng.sample(range(2, len(question)), min(rng.randint(2, 4), len(question) - 2)))
                    sent += [("live", url("ask", question[:cut], live=True)) for cut in cuts]
                sent.append(("full", url("ask", question)))
            for position, (kind, path) in enumerate(sent):
                if position:
                    time.sleep(rng.uniform(0.15, 0.3))
                bare = path.replace("&live=1", "")
                with lock:
                    repeated[0] += bare in sent_before
                    sent_before.add(bare)
                started = time.monotonic()
                latency = get(box, port, path)
                if latency is None:
                    failed += 1
                else:
                    mine[kind].append(latency)
                    timeline.append((round(started - begun, 3), kind, round(latency, 1)))
            next_at += rng.expovariate(1.0)
        with lock:
            for kind, values in mine.items():
                records[kind].extend(values)
            failures[0] += failed

    threads = [threading.Thread(target=agent, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [v for values in records.values() for v in values]
    return {"all": figures(every, seconds), **{kind: figures(values) for kind, values in records.items()},
            "failed": failures[0], "repeated": round(repeated[0] / max(1, len(every) + failures[0]), 3),
            "by_ten_seconds": [figures([ms for at, _kind, ms in timeline if start <= at < start + 10])
                               for start in range(0, int(seconds), 10)],
            "timeline": sorted(timeline)}


def cores_used(pid: int, seconds: float, run: Callable[[], dict]) -> dict:
    """``run()``'s figures, with where the host's cores went meanwhile: the server (all its processes), this
    load generator, and everything else."""
    cpu0, own0, busy0 = process_tree_cpu(pid), os.times(), machine_busy_seconds()
    row = run()
    cpu1, own1, busy1 = process_tree_cpu(pid), os.times(), machine_busy_seconds()
    if None not in (cpu0, cpu1, busy0, busy1):
        server_s = cpu1 - cpu0
        client_s = (own1.user + own1.system) - (own0.user + own0.system)
        requests = row["all"]["requests"] if "all" in row else row["requests"]
        row.update({"server_cores": round(server_s / seconds, 2), "load_generator_cores": round(client_s / seconds, 2),
                    "other_cores": round(max(0.0, busy1 - busy0 - server_s - client_s) / seconds, 2),
                    "requests_per_server_cpu_s": round(requests / max(server_s, 0.01), 1)})
    return row


def build_lawref(work: Path) -> tuple[Path, Path]:
    from cost_curve import make_corpus

    corpus = make_corpus(work, ROOT.parent / "shared" / "lawref", 1, None)
    index = work / "index"
    started = time.perf_counter()
    subprocess.run([str(KB), "--corpus", str(corpus), "--index", str(index), "build", "--quiet"], check=True)
    print(f"built the corpus + lawref in {time.perf_counter() - started:.0f} s", flush=True)
    return corpus, index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="a built index of the corpus + lawref (default: build one)")
    parser.add_argument("--corpus", type=Path, help="the corpus --index was built from")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--clients", type=int, default=16, help="saturation clients")
    parser.add_argument("--seconds", type=float, default=30, help="saturation seconds per worker count, in all")
    parser.add_argument("--rounds", type=int, default=3,
                        help="saturation windows per worker count, taken in turn (1: one each, one after the other)")
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--agent-seconds", type=float, default=60)
    parser.add_argument("--agents-only", action="store_true", help="skip the saturation phases")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    asks, searches = questions()
    work = Path(tempfile.mkdtemp(prefix="kb-loadscale-"))
    try:
        corpus, index = (args.corpus, args.index) if args.index else build_lawref(work)
        report: dict = {"workers": args.workers, "cores": len(os.sched_getaffinity(0)), "saturation": {},
                        "rounds": args.rounds}
        if not args.agents_only:
            report["saturation"], report["saturation_rounds"] = saturation(
                index, corpus, work, sorted({1, args.workers}), args.clients, args.seconds, args.rounds, asks, searches)
        # The agents meet a server as kb serve runs it (answers and postings kept as configured), started anew:
        # nothing the saturation asked is kept.
        server = Server(index, corpus, work, args.workers)
        try:
            saturate(server.port, 4, 2, WARM_UP, WARM_UP)
            report["agents"] = cores_used(server.process.pid, args.agent_seconds,
                                          partial(agents, server.port, args.agents, args.agent_seconds, asks, searches))
            print(f"agents: { {k: v for k, v in report['agents'].items() if k != 'timeline'} }", flush=True)
        finally:
            server.stop()
        if not args.agents_only:
            one, many = report["saturation"][1], report["saturation"][args.workers]
            report["speedup"] = round(many["req_per_s"] / one["req_per_s"], 2)
            report["speedup_by_round"] = [round(measured[args.workers]["req_per_s"] / measured[1]["req_per_s"], 2)
                                          for measured in report["saturation_rounds"]]
            print("\n| workers | window | req/s | p50 ms | p95 ms | failed | server cores | load generator | others "
                  "| req per server CPU s |\n| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            rows = [(w, f"round {n}", row) for n, measured in enumerate(report["saturation_rounds"], start=1)
                    for w, row in sorted(measured.items())] if args.rounds > 1 else []
            for workers, window, row in rows + [(w, "all", row) for w, row in report["saturation"].items()]:
                print(f"| {workers} | {window} | {row['req_per_s']} | {row['p50_ms']} | {row['p95_ms']} | "
                      f"{row['failed']} | {row.get('server_cores')} | {row.get('load_generator_cores')} | "
                      f"{row.get('other_cores')} | {row.get('requests_per_server_cpu_s')} |")
            print(f"\nspeed-up {args.workers} : 1 = {report['speedup']}× (by round: "
                  f"{', '.join(f'{r}×' for r in report['speedup_by_round'])})\n")
        crowd = report["agents"]
        kept = ", postings ".join(os.environ.get(name) or "default" for name in ("KB_ANSWER_CACHE", "KB_POSTING_CACHE"))
        print(f"{args.agents} agents, {args.workers} workers, {args.agent_seconds:.0f} s (kept per worker: answers "
              f"{kept}):\n"
              "| requests | n | p50 ms | p95 ms | max ms |\n| --- | ---: | ---: | ---: | ---: |")
        for kind in ("all", "live", "full", "search"):
            row = crowd[kind]
            print(f"| {kind} | {row['requests']} | {row['p50_ms']} | {row['p95_ms']} | {row['max_ms']} |")
        print(f"failed: {crowd['failed']}; repeated an earlier request: {crowd['repeated']:.0%}; cores: server "
              f"{crowd.get('server_cores')}, load generator {crowd.get('load_generator_cores')}, others "
              f"{crowd.get('other_cores')}")
        if args.json_out:
            args.json_out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        failed = sum(row["failed"] for row in report["saturation"].values()) + report["agents"]["failed"]
        return 1 if failed else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
