"""Two `kb serve` replicas over one index directory and one feedback database, with a `kb add` and a
rebuild under load: both serve the new generation without a restart, no request fails, no feedback row
is lost. This is the design for more than one machine — an index built once, shipped as a generation
directory, swapped atomically — tried here on loopback."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.conftest import write_doc

KB = Path(sys.executable).with_name("kb")
LOAD_SECONDS = 6.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _request(f"{url}/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never became healthy")


def test_two_replicas_see_a_rebuild_and_lose_nothing(tmp_path):
    corpus, index, data = tmp_path / "corpus", tmp_path / "var" / "index", tmp_path / "var"
    write_doc(corpus, "a", "甲市供电通知", "一、计划检修停电应当提前七天通知用户。\n\n二、临时检修提前二十四小时通知。\n")
    env = {**os.environ, "KB_CORPUS": str(corpus), "KB_INDEX": str(index), "KB_DATA": str(data),
           "KB_RATE_LIMIT": "1000000/minute", "KB_LIVE_RATE_LIMIT": "1000000/minute"}
    assert subprocess.run([str(KB), "build", "--quiet"], env=env, capture_output=True).returncode == 0
    servers, urls = [], []
    for _ in range(2):
        port = _free_port()
        servers.append(subprocess.Popen([str(KB), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True))
        urls.append(f"http://127.0.0.1:{port}")
    failures: list[str] = []
    posted = [0]
    stop = threading.Event()

    def load(url: str) -> None:
        number = 0
        while not stop.is_set():
            number += 1
            status, _body = _request(f"{url}/api/search?q={urllib.parse.quote('计划检修')}")
            if status != 200:
                failures.append(f"{url} search {status}")
            body = json.dumps({"kind": "answer", "target": f"问题{number}", "verdict": "useful"}).encode()
            status, _body = _request(f"{url}/api/feedback", body, {"Content-Type": "application/json",
                                                                  "Origin": url})
            if status == 201:
                posted[0] += 1
            else:
                failures.append(f"{url} feedback {status}")

    try:
        for url in urls:
            _wait_healthy(url)
        workers = [threading.Thread(target=load, args=(url,)) for url in urls for _ in range(2)]
        for worker in workers:
            worker.start()
        time.sleep(LOAD_SECONDS / 2)
        new = tmp_path / "new.md"
        new.write_text("# 乙市窃电处理办法\n\n第一条 窃电的，追补电费并处罚款。\n", encoding="utf-8")
        added = subprocess.run([str(KB), "add", str(new)], env=env, capture_output=True, text=True, timeout=120)
        assert added.returncode == 0, added.stderr
        seen = {}
        deadline = time.monotonic() + 20
        while len(seen) < len(urls) and time.monotonic() < deadline:
            for url in urls:
                _status, body = _request(f"{url}/api/search?q={urllib.parse.quote('窃电')}")
                if any(hit["title"] == "乙市窃电处理办法" for hit in json.loads(body).get("hits", [])):
                    seen.setdefault(url, time.monotonic())
            time.sleep(0.2)
        time.sleep(LOAD_SECONDS / 2)
    finally:
        stop.set()
        for worker in locals().get("workers", []):
            worker.join(timeout=30)
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    assert set(seen) == set(urls), "a replica never served the new generation"
    assert not failures, failures[:5]
    with sqlite3.connect(data / "feedback.sqlite3") as db:
        rows = db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
    assert rows == posted[0] > 0
