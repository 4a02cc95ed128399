"""`kb serve --workers 2`: two gunicorn workers over one open index. Each test holds kept-alive connections
known (from /proc) to be served by each worker, so what it checks is checked across workers: one rate-limit
budget per client, no feedback row lost from either, and a swapped index seen by both."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

import pytest

from kb.cli import ratestore
from tests.conftest import write_doc
from tests.test_serve import free_port

KB = Path(sys.executable).with_name("kb")
WORKERS = 2

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to tell workers apart")


def _needs_redis() -> None:
    if ratestore.redis_server() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is missing (make test installs it: scripts/install-services.sh)")
        pytest.skip("redis-server is not installed (apt-get install redis-server; make test does it as root)")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _workers(master: int) -> list[int]:
    """The master's gunicorn workers (its children other than redis-server)."""
    return [pid for pid in _children(master) if b"redis" not in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _server_side_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server's end of the loopback connection from ``client_port``."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1].split(":"), fields[2].split(":")
        if int(local[1], 16) == server_port and int(remote[1], 16) == client_port:
            return fields[9]
    return None


def _worker_of(connection: http.client.HTTPConnection, server_port: int, workers: list[int]) -> int | None:
    inode = _server_side_inode(server_port, connection.sock.getsockname()[1])
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None


class Server:
    """kb serve --workers 2 over its own corpus, index and feedback database."""

    def __init__(self, root: Path, rate_limit: str = "1000000/minute") -> None:
        self.root = root
        self.env = {**os.environ, "KB_CORPUS": str(root / "corpus"), "KB_INDEX": str(root / "var" / "index"),
                    "KB_DATA": str(root / "var"), "KB_RATE_LIMIT": rate_limit,
                    "KB_LIVE_RATE_LIMIT": "1000000/minute", "PYTHONUNBUFFERED": "1"}
        self.env.pop("KB_RATE_LIMIT_STORAGE", None)
        self.port = free_port()

    def kb(self, *args: str) -> subprocess.CompletedProcess:
        run = subprocess.run([str(KB), *args], env=self.env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        return run

    @contextmanager
    def serving(self):
        log = self.root / "serve.log"
        with open(log, "wb") as out:
            process = subprocess.Popen([str(KB), "serve", "--port", str(self.port), "--workers", str(WORKERS)],
                                       env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while len(_workers(process.pid)) < WORKERS or not self._answers():
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"kb serve --workers {WORKERS} did not come up:\n{log.read_text()[-3000:]}")
                time.sleep(0.1)
            self.workers = _workers(process.pid)
            yield process
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        assert "Traceback" not in log.read_text(errors="replace")

    def _answers(self) -> bool:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False

    def connections(self, per_worker: int = 1) -> dict[int, list[http.client.HTTPConnection]]:
        """Kept-alive connections, ``per_worker`` of them on each worker (which one, read from /proc)."""
        held: dict[int, list[http.client.HTTPConnection]] = {pid: [] for pid in self.workers}
        for _attempt in range(400):
            if all(len(held[pid]) >= per_worker for pid in held):
                return held
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
            status, _body = call(connection, "GET", "/healthz")  # exempt from the rate limit
            assert status == 200
            pid = _worker_of(connection, self.port, self.workers)
            if pid in held and len(held[pid]) < per_worker:
                held[pid].append(connection)
            else:
                connection.close()
        pytest.fail(f"could not reach every worker: {[len(v) for v in held.values()]}")


def call(connection: http.client.HTTPConnection, method: str, path: str, body: dict | None = None):
    headers = {"Connection": "keep-alive"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers.update({"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{connection.port}"})
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def _search(word: str) -> str:
    return f"/api/search?q={urllib.parse.quote(word)}"


@pytest.fixture()
def server(tmp_path) -> Server:
    _needs_redis()
    write_doc(tmp_path / "corpus", "a", "甲市供电通知", "一、计划检修停电应当提前七天通知用户。\n\n二、临时检修提前二十四小时通知。\n")
    made = Server(tmp_path, rate_limit="6/minute")
    made.kb("build", "--quiet")
    return made


def test_one_rate_limit_budget_across_workers(server):
    """A client spends its budget on one worker and is refused on the other: the count is one, in Redis."""
    with server.serving():
        first, second = (connections[0] for connections in server.connections().values())
        statuses = [call(first, "GET", _search("检修"))[0] for _ in range(6)]
        assert statuses == [200] * 6
        status, body = call(second, "GET", _search("检修"))
        assert status == 429, "the other worker gave the client a budget of its own"
        assert "请求过于频繁" in json.loads(body)["error"]


def test_feedback_from_every_worker_lands_in_one_database(server):
    server.env["KB_RATE_LIMIT"] = "1000000/minute"
    per_connection = 15
    with server.serving():
        held = server.connections(per_worker=3)
        answered: list[int] = []

        def post(connection, worker: int, number: int) -> None:
            for n in range(per_connection):
                body = {"kind": "answer", "target": f"问题 {worker}-{number}-{n}", "verdict": "useful"}
                answered.append(call(connection, "POST", "/api/feedback", body)[0])

        threads = [threading.Thread(target=post, args=(connection, worker, number))
                   for worker, connections in held.items() for number, connection in enumerate(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    expected = WORKERS * 3 * per_connection
    assert answered == [201] * expected
    with sqlite3.connect(server.root / "var" / "feedback.sqlite3") as db:
        targets = {row[0] for row in db.execute("SELECT target FROM feedback")}
    assert len(targets) == expected and all(target.startswith("问题 ") for target in targets)


def test_every_worker_serves_the_new_generation_after_a_swap(server, tmp_path):
    server.env["KB_RATE_LIMIT"] = "1000000/minute"
    with server.serving():
        held = server.connections()
        for connections in held.values():
            status, body = call(connections[0], "GET", _search("窃电"))
            assert status == 200 and not json.loads(body)["hits"]
        new = tmp_path / "new.md"
        new.write_text("# 乙市窃电处理办法\n\n第一条 窃电的，追补电费并处罚款。\n", encoding="utf-8")
        server.kb("add", str(new))  # imports and rebuilds: a new generation, the link swapped
        for worker, connections in held.items():
            status, body = call(connections[0], "GET", _search("窃电"))
            titles = [hit["title"] for hit in json.loads(body)["hits"]]
            assert status == 200 and "乙市窃电处理办法" in titles, f"worker {worker} still serves the old index"
            # and the worker maps the new generation's segments, not only answers from some cache
            maps = Path(f"/proc/{worker}/maps").read_text()
            generation = (server.root / "var" / "index").resolve().name
            assert re.search(re.escape(generation) + r"/\S+\.seg", maps), f"worker {worker} did not reopen"
