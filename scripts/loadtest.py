#!/usr/bin/env python3
"""Load test and live-reindex test of the real server, on loopback only.

One command (``make loadtest``, or ``.venv/bin/python scripts/loadtest.py``):

1. copies the corpus (with ``corpus/faq``) into a temporary directory, runs ``kb build`` and
   ``kb serve`` there the way ``make run`` does, on a free port of 127.0.0.1, with its own
   ``KB_INDEX`` / ``KB_DATA`` / ``KB_CORPUS``, an admin token and a rate limit high enough for
   the load (``KB_RATE_LIMIT``);
2. load phase: N client threads for S seconds, each looping over a mix of ~40% /api/ask,
   ~30% /api/search, ~15% FAQ (/faq and /api/faq?q=) and ~15% POST /api/feedback with a unique
   comment; per endpoint and overall: requests, errors, p50 / p95 / max latency, req/s;
   then checks that the feedback table holds exactly the feedback the server accepted (201);
3. live-reindex phase: a second load phase, and in its middle ``kb add`` of a new policy with an
   invented figure into the temporary corpus (which rebuilds the index and swaps the link);
   checks zero failed requests, that the running server (same PID) answers from the new index,
   and reports the rebuild time and the time from the swap to the first answer from it;
4. stops the server, removes the temporary directory, exits 1 if any check failed.

Standard library only. Every request goes to 127.0.0.1; every loop is bounded by a deadline,
and a watchdog ends the run (and the server it started) after ``--timeout`` seconds.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"  # loopback only, never configurable
ROOT = Path(__file__).resolve().parents[1]
REQUEST_TIMEOUT_S = 30.0

# The policy added during the live-reindex phase: an invented region phrase and an invented figure
# (37 working days appears nowhere in the corpus; the real documents say 32 for this customer type).
NEW_POLICY_NAME = "测试直辖区高压双电源用户办电时限规定.md"
NEW_POLICY = """# 测试直辖区高压双电源用户办电时限规定

一、总体要求

测试直辖区高压双电源用户办电合计不超过37个工作日，全过程实行线上办理。

二、保障措施

供电企业应当在测试直辖区设立专门窗口，受理高压双电源用户报装申请。
"""
NEW_TITLE = "测试直辖区高压双电源用户办电时限规定"
NEW_POLICY_REGION = "内蒙古自治区"
NEW_PHRASE = "测试直辖区高压双电源用户办电合计"
NEW_QUESTION = "测试直辖区高压双电源用户办电合计不超过几个工作日"
NEW_FIGURE = "37个工作日"
NEW_VALUE = 37

# Questions an agent would type, beside the dev set's.
OWN_QUESTIONS = [
    "高压双电源多久能通电",
    "巴彦淖尔三零低压接电几天",
    "计划检修停电要提前几天通知用户",
    "低压小微企业办电要几个环节",
    "高压单电源用户供电方案答复要多久",
    "居民用户装表接电全过程要几个工作日",
    "电力法什么时候施行",
    "供电企业对用户受电工程竣工检验的时限",
    "充电桩报装需要哪些资料",
    "鄂尔多斯高压双电源用户合计办理时间",
    "电费缴纳有什么规定",
    "停电多久要通知",
]
SEARCHES = [
    "高压双电源 时限", "停电时间", "三零服务", "办电时间", "供电方案答复", "电力法 第二十八条", "充电桩",
    "外线工程", "低压小微企业", "计划检修 提前通知", "用电报装 合计办理时间", "窃电", "转供电", "一网通办",
    "电力接入工程审批", "竣工检验",
]
FAQ_QUERIES = ["双电源", "停电", "充电桩", "三零", "电费", "办电时间", "外线工程", "报装资料"]
REGIONS = ["巴彦淖尔市", "鄂尔多斯市", "内蒙古自治区"]
MIX = [("ask", 0.40), ("search", 0.30), ("faq-html", 0.075), ("faq-api", 0.075), ("feedback", 0.15)]
ENDPOINTS = [name for name, _ in MIX]


# --------------------------------------------------------------------------------------------- records

@dataclass
class Record:
    phase: str
    endpoint: str
    status: int  # 0 when the request raised
    latency_ms: float
    started: float  # time.time()
    error: str = ""  # empty when the request succeeded


@dataclass
class FeedbackSent:
    comment: str
    status: int  # 0 when the request raised: the outcome is unknown
    id: int | None


@dataclass
class Checks:
    results: list[tuple[str, bool, str]] = field(default_factory=list)

    def add(self, name: str, ok: bool, detail: str = "") -> bool:
        self.results.append((name, ok, detail))
        print(f"  [{'PASS' if ok else 'FAIL'}] {name}{' — ' + detail if detail else ''}", flush=True)
        return ok

    @property
    def failed(self) -> list[tuple[str, bool, str]]:
        return [r for r in self.results if not r[1]]


# --------------------------------------------------------------------------------------------- HTTP

class Client:
    """One keep-alive connection to the server; reconnects after an error."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT_S)
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            response = self.conn.getresponse()
            data = response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, data
        except BaseException:
            self.close()
            raise

    def get_json(self, path: str, headers: dict | None = None) -> tuple[int, object]:
        status, data = self.request("GET", path, headers=headers)
        return status, json.loads(data.decode("utf-8"))

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def q(path: str, **params: str) -> str:
    return path + "?" + urllib.parse.urlencode({k: v for k, v in params.items() if v})


# --------------------------------------------------------------------------------------------- load

class Load:
    """A load phase: client threads looping over the request mix until a deadline."""

    def __init__(self, phase: str, port: int, clients: int, seconds: float, questions: list[str],
                 seed: int) -> None:
        self.phase, self.port, self.clients, self.seconds = phase, port, clients, seconds
        self.questions, self.seed = questions, seed
        self.records: list[Record] = []
        self.feedback: list[FeedbackSent] = []
        self._lock = threading.Lock()
        self.started = self.ended = 0.0
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        self.started = time.time()
        self.deadline = time.monotonic() + self.seconds
        self.threads = [threading.Thread(target=self._client, args=(n,), name=f"{self.phase}-c{n}", daemon=True)
                        for n in range(self.clients)]
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join(self.seconds + REQUEST_TIMEOUT_S + 30)
        self.ended = time.time()

    def _pick(self, rng: random.Random) -> str:
        x, total = rng.random(), 0.0
        for name, weight in MIX:
            total += weight
            if x < total:
                return name
        return MIX[-1][0]

    def _client(self, number: int) -> None:
        rng = random.Random(f"{self.seed}-{self.phase}-{number}")
        client = Client(self.port)
        records: list[Record] = []
        sent: list[FeedbackSent] = []
        feedback_count = 0
        while time.monotonic() < self.deadline:
            endpoint = self._pick(rng)
            method, body, headers, comment = "GET", None, {}, None
            if endpoint == "ask":
                path = q("/api/ask", q=rng.choice(self.questions),
                         region=rng.choice(REGIONS) if rng.random() < 0.3 else "")
            elif endpoint == "search":
                path = q("/api/search", q=rng.choice(SEARCHES),
                         region=rng.choice(REGIONS) if rng.random() < 0.3 else "")
            elif endpoint == "faq-html":
                path = "/faq" if rng.random() < 0.5 else q("/faq", q=rng.choice(FAQ_QUERIES))
            elif endpoint == "faq-api":
                path = q("/api/faq", q=rng.choice(FAQ_QUERIES))
            else:
                feedback_count += 1
                comment = f"load-{self.phase}-c{number:02d}-{feedback_count}"
                kind = "answer" if rng.random() < 0.7 else "faq"
                payload = {"kind": kind, "target": rng.choice(self.questions) if kind == "answer" else "faq-entry",
                           "verdict": rng.choice(["useful", "wrong"]), "comment": comment}
                method, path = "POST", "/api/feedback"
                body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                headers = {"Content-Type": "application/json"}
            started_wall = time.time()
            started = time.perf_counter()
            status, error, data = 0, "", b""
            try:
                status, data = client.request(method, path, body, headers)
            except Exception as exc:  # noqa: BLE001 — every failure is recorded, none stops the client
                error = f"{type(exc).__name__}: {exc}"
            latency = (time.perf_counter() - started) * 1000
            if not error and status >= 400:
                error = f"HTTP {status}: {data[:200].decode('utf-8', 'replace')}"
            if not error:
                error = _check_body(endpoint, data)
            if comment is not None:
                number_id = None
                if status == 201:
                    try:
                        number_id = int(json.loads(data)["id"])
                    except (ValueError, KeyError, TypeError):
                        pass
                sent.append(FeedbackSent(comment, status, number_id))
            records.append(Record(self.phase, endpoint, status, latency, started_wall, error))
        client.close()
        with self._lock:
            self.records += records
            self.feedback += sent


def _check_body(endpoint: str, data: bytes) -> str:
    """A 2xx with a body that is not what the endpoint returns is an error too."""
    if endpoint == "faq-html":
        return "" if b"<html" in data[:2000].lower() else "body is not an HTML page"
    try:
        value = json.loads(data.decode("utf-8"))
    except ValueError as exc:
        return f"body is not JSON ({exc})"
    if endpoint == "ask" and not (isinstance(value, dict) and "found" in value and "answer" in value):
        return "ask body lacks found/answer"
    if endpoint == "search" and not (isinstance(value, dict) and "hits" in value):
        return "search body lacks hits"
    if endpoint == "faq-api" and not isinstance(value, list):
        return "faq body is not a list"
    if endpoint == "feedback" and not (isinstance(value, dict) and value.get("ok") is True and "id" in value):
        return "feedback body lacks ok/id"
    return ""


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[max(0, math.ceil(p * len(sorted_values)) - 1)]


def summarize(records: list[Record], seconds: float) -> list[dict]:
    groups: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        groups[record.endpoint].append(record)
    rows = []
    for name in [*[e for e in ENDPOINTS if e in groups], *sorted(set(groups) - set(ENDPOINTS)), "overall"]:
        group = records if name == "overall" else groups[name]
        latencies = sorted(r.latency_ms for r in group)
        rows.append({"endpoint": name, "requests": len(group), "errors": sum(1 for r in group if r.error),
                     "p50_ms": percentile(latencies, 0.50), "p95_ms": percentile(latencies, 0.95),
                     "max_ms": latencies[-1] if latencies else float("nan"),
                     "req_per_s": len(group) / seconds if seconds else float("nan")})
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| endpoint | requests | errors | p50 ms | p95 ms | max ms | req/s |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        name = f"**{row['endpoint']}**" if row["endpoint"] == "overall" else row["endpoint"]
        lines.append(f"| {name} | {row['requests']} | {row['errors']} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} "
                     f"| {row['max_ms']:.1f} | {row['req_per_s']:.1f} |")
    return "\n".join(lines)


def error_summary(records: list[Record]) -> list[str]:
    counts = Counter((r.endpoint, " ".join(r.error.split())[:160]) for r in records if r.error)
    return [f"{n} × {endpoint}: {error}" for (endpoint, error), n in counts.most_common(20)]


# --------------------------------------------------------------------------------------------- server

class Server:
    """``kb build`` then ``kb serve`` in a subprocess, as ``make run`` does, with the temporary dirs."""

    def __init__(self, kb: Path, env: dict, port: int, log_path: Path) -> None:
        self.kb, self.env, self.port, self.log_path = kb, env, port, log_path
        self.process: subprocess.Popen | None = None
        self._log = None

    def start(self, wait_s: float = 120.0) -> None:
        self._log = open(self.log_path, "ab")
        # kb serve never builds: build first, as make run does.
        subprocess.run([str(self.kb), "build", "--quiet"], env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
                       cwd=str(ROOT), check=True, timeout=wait_s)
        self.process = subprocess.Popen([str(self.kb), "serve", "--host", HOST, "--port", str(self.port)],
                                        env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True, cwd=str(ROOT))
        deadline = time.monotonic() + wait_s
        client = Client(self.port)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}; log:\n{self.log_tail()}")
            try:
                status, _ = client.request("GET", "/healthz")
                if status == 200:
                    client.close()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer /healthz within {wait_s:.0f} s; log:\n{self.log_tail()}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def cpu_seconds(self) -> float | None:
        """CPU seconds of the server: its own and its worker processes' (kb serve --workers N)."""
        return process_tree_cpu(self.pid)

    def listener_pid(self) -> int | None:
        """The PID whose socket listens on the port (Linux /proc), or None when it cannot be told."""
        inode = None
        try:
            for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
                parts = line.split()
                local, state = parts[1], parts[3]
                if state == "0A" and int(local.split(":")[1], 16) == self.port:
                    inode = parts[9]
                    break
        except OSError:
            return None
        if inode is None:
            return None
        try:
            for fd in Path(f"/proc/{self.pid}/fd").iterdir():
                try:
                    if os.readlink(fd) == f"socket:[{inode}]":
                        return self.pid
                except OSError:
                    continue
        except OSError:
            return None
        return -1  # someone else holds the port

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the session this script started
                self.process.wait(15)
        if self._log is not None:
            self._log.close()
            self._log = None


def process_tree_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) of ``pid`` and every process below it, from /proc; None off Linux."""
    total, pids = 0, [pid]
    try:
        while pids:
            current = pids.pop()
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
            for task in Path(f"/proc/{current}/task").iterdir():
                pids += [int(child) for child in (task / "children").read_text().split()]
    except (OSError, IndexError, ValueError):
        if total == 0:
            return None
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float | None:
    """CPU seconds all processes have used (every core), from /proc/stat; None off Linux."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def other_cpu(busy0, busy1, server_s, client_s) -> float | None:
    """CPU seconds used by processes other than the server and this script during a phase."""
    if busy0 is None or busy1 is None or server_s is None:
        return None
    return round(max(0.0, busy1 - busy0 - server_s - client_s), 1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def find_kb() -> Path:
    beside = Path(sys.executable).with_name("kb")
    return beside if beside.exists() else ROOT / ".venv" / "bin" / "kb"


def load_questions(path: Path) -> list[str]:
    questions = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                questions.append(json.loads(line)["q"])
    return questions


# --------------------------------------------------------------------------------------------- checks

def check_feedback(checks: Checks, port: int, token: str, db_path: Path, sent: list[FeedbackSent]) -> dict:
    """The feedback table must hold exactly the feedback the server accepted with a 201."""
    accepted = {s.comment: s.id for s in sent if s.status == 201}
    refused = [s for s in sent if s.status not in (0, 201)]
    unknown = [s for s in sent if s.status == 0]
    with sqlite3.connect(db_path, timeout=10) as db:
        rows = db.execute("SELECT id, comment FROM feedback ORDER BY id").fetchall()
    db.close()
    stored = Counter(comment for _, comment in rows)
    stored_ids = {comment: number for number, comment in rows}
    missing = sorted(set(accepted) - set(stored))
    extra = sorted(set(stored) - set(accepted))
    duplicated = sorted(c for c, n in stored.items() if n > 1)
    wrong_id = sorted(c for c, number in accepted.items() if c in stored_ids and stored_ids[c] != number)
    result = {"sent": len(sent), "accepted_201": len(accepted), "refused": len(refused), "no_response": len(unknown),
              "rows_in_table": len(rows), "missing": missing[:20], "extra": extra[:20],
              "duplicated": duplicated[:20], "id_mismatch": wrong_id[:20]}
    checks.add("feedback table == accepted feedback (SQLite, every row)",
               not missing and not extra and not duplicated and not wrong_id and len(rows) == len(accepted),
               f"{len(sent)} sent, {len(accepted)} accepted (201), {len(refused)} refused, {len(unknown)} without "
               f"response; {len(rows)} rows; missing {len(missing)}, extra {len(extra)}, duplicated "
               f"{len(duplicated)}, id mismatch {len(wrong_id)}")

    client = Client(port)
    status, _ = client.request("GET", "/api/feedback")
    checks.add("GET /api/feedback without the token is refused", status in (403, 404), f"HTTP {status}")
    status, listing = client.get_json("/api/feedback", headers={"Authorization": f"Bearer {token}"})
    client.close()
    api_rows = listing.get("feedback", []) if isinstance(listing, dict) else []
    api_pairs = {(int(r["id"]), r["comment"]) for r in api_rows}
    newest = {(number, comment) for number, comment in rows[-len(api_rows):]} if api_rows else set()
    truncated = len(api_rows) < len(rows)
    result.update({"api_status": status, "api_rows": len(api_rows), "api_truncated": truncated})
    listed_ok = status == 200 and api_pairs == newest and all(comment in accepted for _, comment in api_pairs)
    note = ""
    if listed_ok:
        note = (" — the listing is capped (FeedbackStore.feedback LIMIT 500, newest first); the rows it shows "
                "are exactly the newest stored ones" if truncated else ", all of them")
    checks.add("GET /api/feedback (admin token) lists the stored rows", listed_ok,
               f"HTTP {status}, {len(api_rows)} rows listed of {len(rows)} stored{note}")
    return result


# --------------------------------------------------------------------------------------------- main

def run(args: argparse.Namespace) -> int:
    checks = Checks()
    report: dict = {"clients": args.clients, "seconds": args.seconds, "reindex_clients": args.reindex_clients,
                    "reindex_seconds": args.reindex_seconds}
    kb = Path(args.kb) if args.kb else find_kb()
    source = Path(args.corpus).resolve()
    if not (source / "faq").is_dir():
        print(f"loadtest: {source}/faq is missing; the FAQ endpoints would be empty", file=sys.stderr)
    questions = load_questions(Path(args.questions))
    report["dev_questions"] = len(questions)
    questions += OWN_QUESTIONS
    tmp = Path(tempfile.mkdtemp(prefix="kb-loadtest-"))
    port = args.port or free_port()
    token = secrets.token_urlsafe(24)
    env = {**os.environ, "KB_HOST": HOST, "KB_PORT": str(port), "KB_CORPUS": str(tmp / "corpus"),
           "KB_INDEX": str(tmp / "var" / "index"), "KB_DATA": str(tmp / "var"), "KB_ADMIN_TOKEN": token,
           "KB_RATE_LIMIT": args.rate_limit, "KB_RATE_LIMIT_STORAGE": "memory://"}
    env.pop("KB_TIMING", None)
    server = Server(kb, env, port, tmp / "server.log")
    watchdog = threading.Timer(args.timeout, _watchdog, args=(server, tmp, args))
    watchdog.daemon = True
    watchdog.start()
    print(f"loadtest: temp dir {tmp}, server http://{HOST}:{port}, {len(questions)} questions "
          f"({report['dev_questions']} from {args.questions})", flush=True)
    try:
        shutil.copytree(source, tmp / "corpus")
        if not _initial_build(kb, env, report, checks):
            return finish(checks, report, server, tmp, args)
        server.start()
        pid_before = server.pid
        listener_before = server.listener_pid()
        health_before = Client(port).get_json("/healthz")[1]
        report["server_pid"] = pid_before
        report["index_before"] = {k: health_before.get(k) for k in ("documents", "clauses", "facts", "fingerprint")}
        print(f"server pid {pid_before} (listener pid {listener_before}); index {report['index_before']}", flush=True)

        all_feedback = _load_phase(args, checks, report, server, port, token, tmp, questions)

        # ---- phase 2: live reindex under load
        if args.reindex_seconds > 0:
            all_feedback += live_reindex(args, checks, report, server, port, env, kb, tmp, questions,
                                         health_before, pid_before, listener_before)
            report["feedback_after_reindex"] = check_feedback(checks, port, token,
                                                              tmp / "var" / "feedback.sqlite3", all_feedback)

        _server_log(checks, report, server)
    except Exception as exc:  # noqa: BLE001 — a crash of the harness is a failed run, reported as such
        import traceback

        traceback.print_exc()
        checks.add("load test ran to the end", False, f"{type(exc).__name__}: {exc}")
        print(server.log_tail(), file=sys.stderr)
    finally:
        watchdog.cancel()
    return finish(checks, report, server, tmp, args)


def _initial_build(kb: Path, env: dict, report: dict, checks: Checks) -> bool:
    """``kb build`` of the copied corpus, timed into ``report``; False (and a failed check) when it fails."""
    started = time.perf_counter()
    build = subprocess.run([str(kb), "build", "--quiet"], env=env, capture_output=True, text=True,
                           timeout=300, cwd=str(ROOT))
    report["initial_build_s"] = round(time.perf_counter() - started, 2)
    print(f"kb build: {build.stdout.strip() or build.stderr.strip()} ({report['initial_build_s']} s wall)",
          flush=True)
    if build.returncode != 0:
        checks.add("kb build", False, build.stderr.strip()[-500:])
        return False
    return True


def _load_phase(args: argparse.Namespace, checks: Checks, report: dict, server: Server, port: int,
                token: str, tmp: Path, questions: list[str]) -> list[FeedbackSent]:
    """Phase 1: ``args.clients`` clients for ``args.seconds`` s; the figures into ``report``, the checks of
    failed requests, rate limits and feedback kept; returns the feedback the clients sent."""
    print(f"\n== load: {args.clients} clients × {args.seconds} s", flush=True)
    cpu0, own0, busy0 = server.cpu_seconds(), os.times(), machine_busy_seconds()
    load = Load("p1", port, args.clients, args.seconds, questions, args.seed)
    load.start()
    load.join()
    duration = load.ended - load.started
    cpu1, own1, busy1 = server.cpu_seconds(), os.times(), machine_busy_seconds()
    rows = summarize(load.records, duration)
    report["load"] = {"duration_s": round(duration, 2), "rows": rows,
                      "statuses": dict(Counter(r.status for r in load.records)),
                      "errors": error_summary(load.records),
                      "server_cpu_s": round(cpu1 - cpu0, 1) if cpu0 is not None else None,
                      "client_cpu_s": round((own1.user + own1.system) - (own0.user + own0.system), 1)}
    report["load"]["other_processes_cpu_s"] = other_cpu(busy0, busy1, report["load"]["server_cpu_s"],
                                                        report["load"]["client_cpu_s"])
    print(table(rows))
    print(f"duration {duration:.1f} s; statuses {report['load']['statuses']}; server CPU "
          f"{report['load']['server_cpu_s']} s ({(report['load']['server_cpu_s'] or 0) / duration:.2f} cores), "
          f"load generator CPU {report['load']['client_cpu_s']} s, other processes "
          f"{report['load']['other_processes_cpu_s']} s", flush=True)
    for line in report["load"]["errors"]:
        print("  error: " + line)
    total_errors = rows[-1]["errors"]
    checks.add("load: zero failed requests", total_errors == 0, f"{total_errors} of {rows[-1]['requests']}")
    checks.add("load: no 429 (rate limit raised)", not any(r.status == 429 for r in load.records))
    report["feedback_after_load"] = check_feedback(checks, port, token, tmp / "var" / "feedback.sqlite3",
                                                   load.feedback)
    return list(load.feedback)


def _server_log(checks: Checks, report: dict, server: Server) -> None:
    """The server's log after the run: tracebacks and task queue warnings, into ``report`` and ``checks``."""
    log = server.log_text()
    tracebacks = log.count("Traceback (most recent call last)")
    report["server_log"] = {"tracebacks": tracebacks, "queue_warnings": log.count("Task queue depth"),
                            "max_queue_depth": max((int(n) for n in re.findall(r"Task queue depth is (\d+)", log)),
                                                   default=0)}
    checks.add("server log: no tracebacks", tracebacks == 0, f"{tracebacks} tracebacks")
    if tracebacks:
        print(_tracebacks(log, 3))
        report["server_log"]["first_tracebacks"] = _tracebacks(log, 3)
    print(f"server log: {report['server_log']}", flush=True)


def live_reindex(args, checks: Checks, report: dict, server: Server, port: int, env: dict, kb: Path, tmp: Path,
                 questions: list[str], health_before: dict, pid_before: int, listener_before) -> list[FeedbackSent]:
    policy = _new_policy(args, checks, port, tmp)
    index_link = Path(env["KB_INDEX"])
    old_fingerprint = health_before["fingerprint"]

    load = Load("p2", port, args.reindex_clients, args.reindex_seconds, questions, args.seed)
    cpu0, own0, busy0 = server.cpu_seconds(), os.times(), machine_busy_seconds()
    load.start()
    time.sleep(args.reindex_seconds * args.reindex_at)

    seen, poll_records, stop_polling, pollers = _pollers(port, old_fingerprint)
    for thread in pollers:
        thread.start()
    rebuild = _kb_add(kb, policy, env, index_link)
    new_doc = {"id": rebuild.doc_id}
    checks.add("kb add added the document and rebuilt", rebuild.add.returncode == 0 and bool(rebuild.doc_id)
               and rebuild.built is not None, f"doc {new_doc['id'] or '?'}")
    # Bounded wait for the pollers: the server must see the new index well before the phase ends.
    for thread in pollers:
        thread.join(max(5.0, load.deadline - time.monotonic() + 5))
    stop_polling.set()
    load.join()
    cpu1, own1, busy1 = server.cpu_seconds(), os.times(), machine_busy_seconds()
    duration = load.ended - load.started
    records = load.records + poll_records
    rows = summarize(records, duration)
    swap_wall = rebuild.swap_wall
    after_swap = sum(1 for r in load.records if r.started > swap_wall)

    (health_status, health), (search_status, found), (ask_status, answer) = _probe_after(port)
    listener_after = server.listener_pid()

    reindex = _reindex_figures(load, rebuild, seen, records, rows, (cpu0, own0, busy0), (cpu1, own1, busy1),
                               health, answer, server, (listener_before, listener_after))
    report["reindex"] = reindex
    _print_reindex(rows, reindex, duration, after_swap)

    _reindex_checks(checks, reindex, rows, (health_status, health), (search_status, found), (ask_status, answer),
                    health_before, new_doc.get("id"), server, pid_before, listener_before, listener_after, seen)
    return load.feedback


def _new_policy(args: argparse.Namespace, checks: Checks, port: int, tmp: Path) -> Path:
    """Before the reindex: the invented figure is not answered yet; the new policy written to ``tmp``
    for ``kb add``."""
    print(f"\n== live reindex: {args.reindex_clients} clients × {args.reindex_seconds} s, "
          f"kb add at {args.reindex_at:.0%}", flush=True)
    probe = Client(port)
    status, before = probe.get_json(q("/api/ask", q=NEW_QUESTION))
    checks.add("before: the invented figure is not yet answered", status == 200 and NEW_FIGURE not in before["answer"],
               f"answer: {before['answer'][:80]!r}")
    probe.close()
    incoming = tmp / "incoming"
    incoming.mkdir()
    policy = incoming / NEW_POLICY_NAME
    policy.write_text(NEW_POLICY, encoding="utf-8")
    return policy


def _probe_after(port: int) -> tuple[tuple[int, dict], tuple[int, dict], tuple[int, dict]]:
    """After the reindex: /healthz, a search for the new phrase and the question on the new figure."""
    probe = Client(port)
    health_status, health = probe.get_json("/healthz")
    search_status, found = probe.get_json(q("/api/search", q=NEW_PHRASE))
    ask_status, answer = probe.get_json(q("/api/ask", q=NEW_QUESTION))
    probe.close()
    return (health_status, health), (search_status, found), (ask_status, answer)


def _reindex_figures(load: Load, rebuild, seen: dict, records: list, rows: list[dict], usage0: tuple,
                     usage1: tuple, health: dict, answer: dict, server: Server, listeners: tuple) -> dict:
    """The reindex phase's figures: requests, CPU (``usage0`` and ``usage1``: the server's, this process's
    and the machine's before and after), the kb add and its swap, what the pollers saw and when, the
    index and the answer after, the server's and its listener's pids (``listeners``: before, after)."""
    (cpu0, own0, busy0), (cpu1, own1, busy1) = usage0, usage1
    listener_before, listener_after = listeners
    duration = load.ended - load.started
    swap_wall = rebuild.swap_wall
    after_swap = sum(1 for r in load.records if r.started > swap_wall)
    new_doc = {"id": rebuild.doc_id}
    reindex = {
        "duration_s": round(duration, 2), "rows": rows, "statuses": dict(Counter(r.status for r in records)),
        "errors": error_summary(records),
        "server_cpu_s": round(cpu1 - cpu0, 1) if cpu0 is not None and cpu1 is not None else None,
        "client_cpu_s": round((own1.user + own1.system) - (own0.user + own0.system), 1),
        "kb_add_cpu_s": round((own1.children_user + own1.children_system)
                              - (own0.children_user + own0.children_system), 1),
        "kb_add_wall_s": round(rebuild.seconds, 2),
        "build_reported_s": float(rebuild.built.group(3)) if rebuild.built else None,
        "manifest_seconds": rebuild.manifest.get("seconds"),
        "kb_add_started_at_s": round(rebuild.started_wall - load.started, 2),
        "swap_at_s": round(swap_wall - load.started, 2),
        "swap_before_kb_add_exit_s": round(rebuild.ended_wall - swap_wall, 3),
        "healthz_new_fingerprint_after_swap_s": round(seen["poll-healthz"] - swap_wall, 3)
        if "poll-healthz" in seen else None,
        "search_finds_new_doc_after_swap_s": round(seen["poll-search"] - swap_wall, 3)
        if "poll-search" in seen else None,
        "load_requests_started_after_swap": after_swap,
        "new_doc": new_doc.get("id"),
        "index_after": {k: health.get(k) for k in ("documents", "clauses", "facts", "fingerprint")},
        "ask_answer": answer.get("answer", "")[:300],
        "pid_after": server.pid if server.alive() else None, "listener_pid_before": listener_before,
        "listener_pid_after": listener_after,
    }
    reindex["other_processes_cpu_s"] = other_cpu(busy0, busy1, reindex["server_cpu_s"],
                                                 reindex["client_cpu_s"] + reindex["kb_add_cpu_s"])
    return reindex


def _print_reindex(rows: list[dict], reindex: dict, duration: float, after_swap: int) -> None:
    """The reindex phase's table and figures, as the run prints them."""
    print(table(rows))
    print(f"duration {duration:.1f} s; statuses {reindex['statuses']}; server CPU {reindex['server_cpu_s']} s, "
          f"load generator {reindex['client_cpu_s']} s, kb add {reindex['kb_add_cpu_s']} s, other processes "
          f"{reindex['other_processes_cpu_s']} s")
    for line in reindex["errors"]:
        print("  error: " + line)
    print(f"rebuild: kb add {reindex['kb_add_wall_s']} s wall (build itself {reindex['build_reported_s']} s), "
          f"started at +{reindex['kb_add_started_at_s']} s, swap at +{reindex['swap_at_s']} s of the phase; "
          f"healthz saw the new fingerprint {reindex['healthz_new_fingerprint_after_swap_s']} s after the swap, "
          f"search found the new document {reindex['search_finds_new_doc_after_swap_s']} s after it; "
          f"{after_swap} load requests started after the swap", flush=True)


def _pollers(port: int, old_fingerprint: str) -> tuple[dict[str, float], list[Record], threading.Event,
                                                     list[threading.Thread]]:
    """Pollers to start just before the rebuild: /healthz until the fingerprint moves, /api/search until the new
    document is found; (when each saw it, their records, the event that stops them, the threads)."""
    # Pollers, started just before the rebuild: /healthz until the fingerprint moves, /api/search until
    # the new document is found. Their requests count in the phase like the load's.
    seen: dict[str, float] = {}
    poll_records: list[Record] = []
    stop_polling = threading.Event()

    def poll(name: str, path: str, done) -> None:
        client = Client(port)
        while not stop_polling.is_set():
            started_wall, started = time.time(), time.perf_counter()
            error, status, value = "", 0, None
            try:
                status, value = client.get_json(path)
            except Exception as exc:  # noqa: BLE001
                error = f"{type(exc).__name__}: {exc}"
            if not error and status >= 400:
                error = f"HTTP {status}"
            poll_records.append(Record("p2", name, status, (time.perf_counter() - started) * 1000, started_wall,
                                       error))
            if not error and done(value):
                seen[name] = time.time()
                break
            time.sleep(0.05)
        client.close()

    def search_done(value) -> bool:
        return any(h.get("title") == NEW_TITLE for h in value.get("hits", [])[:3])

    pollers = [threading.Thread(target=poll, args=("poll-healthz", "/healthz",
                                                   lambda v: v.get("fingerprint") != old_fingerprint), daemon=True),
               threading.Thread(target=poll, args=("poll-search", q("/api/search", q=NEW_PHRASE), search_done),
                                daemon=True)]
    return seen, poll_records, stop_polling, pollers


@dataclass
class Rebuild:
    """What the reindex phase's kb add did, and when."""

    add: subprocess.CompletedProcess
    seconds: float
    started_wall: float
    ended_wall: float
    swap_wall: float
    manifest: dict
    doc_id: str
    built: re.Match | None


def _kb_add(kb: Path, policy: Path, env: dict, index_link: Path) -> Rebuild:
    """Run kb add of the new policy (which rebuilds and swaps the index) and read what it did."""
    add_started_wall = time.time()
    started = time.perf_counter()
    add = subprocess.run([str(kb), "add", str(policy), "--region", NEW_POLICY_REGION], env=env,
                         capture_output=True, text=True, timeout=300, cwd=str(ROOT))
    add_seconds = time.perf_counter() - started
    add_ended_wall = time.time()
    added = re.search(r"added (\S+):", add.stdout)
    built = re.search(r"built (\d+) clauses from (\d+) documents in ([\d.]+) s", add.stdout)
    swap_wall = os.lstat(index_link).st_mtime  # the link is created just before os.replace moves it into place
    manifest = json.loads((index_link / "manifest.json").read_text(encoding="utf-8"))
    print(f"kb add exit {add.returncode} in {add_seconds:.2f} s: {add.stdout.strip()}"
          + (f"\n{add.stderr.strip()}" if add.stderr.strip() else ""), flush=True)
    return Rebuild(add, add_seconds, add_started_wall, add_ended_wall, swap_wall, manifest,
                   added.group(1) if added else "", built)


def _reindex_checks(checks: Checks, reindex: dict, rows: list[dict], healthz: tuple, searched: tuple, asked: tuple,
                    health_before: dict, new_doc_id: str | None, server: Server, pid_before: int, listener_before,
                    listener_after, seen: dict[str, float]) -> None:
    """The reindex phase's checks: no failed request, the new document served by the same process."""
    (health_status, health), (search_status, found), (ask_status, answer) = healthz, searched, asked
    old_fingerprint = health_before["fingerprint"]
    new_doc = {"id": new_doc_id}
    checks.add("reindex: zero failed requests during the phase", rows[-1]["errors"] == 0,
               f"{rows[-1]['errors']} of {rows[-1]['requests']}")
    checks.add("reindex: fingerprint changed and one more document",
               health_status == 200 and health.get("fingerprint") != old_fingerprint
               and health.get("documents") == (health_before.get("documents") or 0) + 1,
               f"{health_before.get('documents')} → {health.get('documents')} documents")
    top = found.get("hits", [{}])[0] if search_status == 200 and found.get("hits") else {}
    checks.add("reindex: /api/search finds the new document first", top.get("doc_id") == new_doc.get("id"),
               f"top hit {top.get('doc_id')} {top.get('url', '')}")
    new_facts = [f for f in answer.get("facts", []) if f.get("doc_id") == new_doc.get("id")]
    checks.add("reindex: /api/ask returns the invented figure from the new document",
               ask_status == 200 and answer.get("found") and NEW_FIGURE in answer.get("answer", "")
               and any(f.get("value") == NEW_VALUE for f in new_facts),
               f"answer: {answer.get('answer', '')[:90]!r}")
    checks.add("reindex: the same server process (no restart)",
               server.alive() and server.pid == pid_before and listener_after in (pid_before, None)
               and listener_before in (pid_before, None),
               f"pid {pid_before} → {server.pid if server.alive() else 'exited'}; listener {listener_before} → "
               f"{listener_after}")
    checks.add("reindex: the running server picked up the new index",
               "poll-healthz" in seen and "poll-search" in seen,
               f"healthz +{reindex['healthz_new_fingerprint_after_swap_s']} s, search "
               f"+{reindex['search_finds_new_doc_after_swap_s']} s after the swap")


def _tracebacks(log: str, limit: int) -> str:
    blocks = re.findall(r"(?:^.*\n)?Traceback \(most recent call last\):\n(?:[ \t].*\n)+.*", log, flags=re.M)
    return "\n\n".join(blocks[:limit])


def finish(checks: Checks, report: dict, server: Server, tmp: Path, args: argparse.Namespace) -> int:
    server.stop()
    report["checks"] = [{"name": n, "ok": ok, "detail": d} for n, ok, d in checks.results]
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    if args.log_out and server.log_path.exists():
        shutil.copyfile(server.log_path, args.log_out)
    failed = checks.failed
    if args.keep:
        print(f"kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{len(checks.results) - len(failed)}/{len(checks.results)} checks passed"
          + ("" if not failed else ": FAILED " + "; ".join(n for n, _, _ in failed)), flush=True)
    return 1 if failed or not checks.results else 0


def _watchdog(server: Server, tmp: Path, args: argparse.Namespace) -> None:
    print(f"loadtest: overall timeout of {args.timeout:.0f} s reached; stopping", file=sys.stderr, flush=True)
    try:
        server.stop()
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        os._exit(3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20, help="client threads in the load phase")
    parser.add_argument("--seconds", type=float, default=60, help="length of the load phase")
    parser.add_argument("--reindex-clients", type=int, default=20, help="client threads in the reindex phase")
    parser.add_argument("--reindex-seconds", type=float, default=40, help="length of the reindex phase (0: skip)")
    parser.add_argument("--reindex-at", type=float, default=0.5, help="when kb add runs, as a fraction of the phase")
    parser.add_argument("--corpus", default=os.environ.get("KB_CORPUS") or str(ROOT / "corpus"),
                        help="corpus to copy into the temporary directory (KB_CORPUS)")
    parser.add_argument("--questions", default=str(ROOT.parent / "shared" / "eval" / "dev.jsonl"),
                        help="JSON lines with a q field, asked beside the script's own questions")
    parser.add_argument("--kb", help="the kb command to build, serve and add with (default: the venv's)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--rate-limit", default="100000/minute", help="KB_RATE_LIMIT for the server")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=None, help="overall limit in seconds")
    parser.add_argument("--json-out", help="write every figure as JSON here")
    parser.add_argument("--log-out", help="copy the server log here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.reindex_clients < 1 or not 0 < args.reindex_at < 1:
        parser.error("--clients/--reindex-clients ≥ 1, --seconds > 0, 0 < --reindex-at < 1")
    if args.timeout is None:
        args.timeout = args.seconds + args.reindex_seconds + 600
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
