"""`kb serve` as a real server in a subprocess: it never builds, serves a read-only index, survives idle
connections past its connection limit, and trusts forwarded addresses only from a configured proxy."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT

STARTUP_S = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, headers: dict | None = None, timeout: float = 10.0) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def kb_command(index: Path, *serve_args: str) -> list[str]:
    return [sys.executable, "-m", "kb.cli", "--corpus", str(ROOT / "corpus"), "--index", str(index), "serve",
            "--host", "127.0.0.1", *serve_args]


@contextmanager
def serving(index: Path, *serve_args: str, env: dict | None = None, wrap: list[str] | None = None):
    """`kb serve` over ``index`` on a free port; yields its base URL once /healthz answers (any status)."""
    port = free_port()
    log = index.parent / f"serve-{port}.log"
    environment = {**os.environ, "KB_DATA": str(index.parent / "data"), "KB_RATE_LIMIT": "100000/minute",
                   "PYTHONUNBUFFERED": "1", **(env or {})}
    with open(log, "wb") as out:
        process = subprocess.Popen([*(wrap or []), *kb_command(index, "--port", str(port), *serve_args)], cwd=ROOT,
                                   env=environment, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            try:
                get(f"{url}/healthz", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"kb serve did not come up (exit {process.poll()}):\n"
                                f"{log.read_text(errors='replace')[-3000:]}", pytrace=False)
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture()
def index_copy(corpus_index_path, tmp_path) -> Path:
    """A private copy of the session's corpus index (the link and the generation it points to)."""
    target = corpus_index_path.resolve()
    folder = tmp_path / "var"
    folder.mkdir()
    shutil.copytree(target, folder / target.name)
    (folder / "index").symlink_to(target.name)
    return folder / "index"


# ------------------------------------------------------------------------------------------------ A: no build


def test_serve_without_an_index_exits_with_a_clear_message_and_builds_nothing(tmp_path):
    index = tmp_path / "var" / "index"
    result = subprocess.run(kb_command(index, "--port", str(free_port())), cwd=ROOT, capture_output=True, text=True,
                            timeout=60, env={**os.environ, "KB_DATA": str(tmp_path / "data")})
    assert result.returncode == 1
    assert "run `kb build` first" in result.stderr and "Traceback" not in result.stderr
    assert not index.parent.exists() or not any(index.parent.iterdir())


def _read_only_wrapper(folder: Path) -> list[str] | None:
    """A command prefix that runs the server with ``folder`` mounted read-only (EROFS even for root), or None."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return None
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind -o ro '{folder}' '{folder}' && "
                            f"! touch '{folder}/probe' 2>/dev/null"], capture_output=True)
    if probe.returncode:
        return None
    script = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, str(folder)]


def test_a_prebuilt_index_on_a_read_only_mount_serves(index_copy):
    folder = index_copy.parent
    wrap = _read_only_wrapper(folder)
    if wrap is None:
        if os.geteuid() == 0:
            pytest.skip("needs `unshare -m` and a bind mount to make a read-only folder as root")
        for path in [folder, *folder.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        with serving(index_copy, wrap=wrap, env={"KB_DATA": str(folder.parent / "data")}) as url:
            status, _headers, body = get(f"{url}/healthz")
            assert status == 200 and json.loads(body)["status"] == "ok"
            status, _headers, body = get(f"{url}/api/search?q=%E7%AA%83%E7%94%B5")  # 窃电
            assert status == 200 and json.loads(body)["hits"]
    finally:
        for path in [folder, *folder.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)
    assert not (folder / ".index.lock").exists()


def test_health_is_not_ok_with_an_empty_index(tmp_path):
    """kb build refuses an empty corpus now; an index that says it holds no documents (an older kb made
    such indexes) is still not "ok"."""
    from kb.index import build
    from tests.conftest import write_doc

    write_doc(tmp_path / "corpus", "a", "某通知", "一、内容。\n")
    index = tmp_path / "var" / "index"
    build(tmp_path / "corpus", index)
    manifest = index.resolve() / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text(encoding="utf-8")), "documents": 0}),
                        encoding="utf-8")
    with serving(index) as url:
        status, _headers, body = get(f"{url}/healthz")
    assert status == 503
    data = json.loads(body)
    assert data["status"] != "ok" and data["documents"] == 0 and data["detail"]


# ------------------------------------------------------------------------------- E: in front of the public


@pytest.mark.parametrize("workers", ["1", "2"], ids=["waitress", "gunicorn"])
def test_idle_connections_past_the_limit_do_not_lock_everyone_out(index_copy, workers):
    """Slowloris: more sockets than --connection-limit that never finish their headers. Both servers close
    them after --channel-timeout, so a normal request is answered within seconds (4–5 s here; 9.5 s was
    seen on a loaded CI host), not after the half minute waitress waits by default before its first sweep."""
    limit, timeout = 20, 2
    with serving(index_copy, "--workers", workers, "--connection-limit", str(limit),
                 "--channel-timeout", str(timeout)) as url:
        port = int(url.rsplit(":", 1)[1])
        idle = []
        try:
            for n in range(limit + 10):
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                if n % 2:
                    sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # headers begun, never finished
                idle.append(sock)
            time.sleep(0.5)  # let the server accept up to its limit
            started = time.monotonic()
            status, _headers, _body = get(f"{url}/healthz", timeout=40)
            waited = time.monotonic() - started
        finally:
            for sock in idle:
                sock.close()
    assert status == 200
    assert waited < 15, f"answered after {waited:.1f} s"


def test_forwarded_clients_get_their_own_bucket_only_behind_a_trusted_proxy(index_copy):
    def statuses(url: str, client: str, count: int) -> list[int]:
        return [get(f"{url}/api/search?q=%E7%AA%83%E7%94%B5", {"X-Forwarded-For": client})[0] for _ in range(count)]

    limits = {"KB_RATE_LIMIT": "2/minute"}
    with serving(index_copy, env=limits) as url:  # no proxy trusted: X-Forwarded-For is dropped
        assert statuses(url, "1.1.1.1", 2) + statuses(url, "2.2.2.2", 1) == [200, 200, 429]
    with serving(index_copy, "--trusted-proxy-hops", "1", env=limits) as url:
        assert statuses(url, "1.1.1.1", 3) == [200, 200, 429]
        assert statuses(url, "2.2.2.2", 2) == [200, 200]


def raw_request(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("workers, refusal", [("1", b"Bad URI"), ("2", b"Bad Request")])
def test_raw_non_ascii_bytes_in_the_request_line(index_copy, workers, refusal):
    """Browsers percent-encode; a raw UTF-8 byte in the request line never reaches the site: the server
    answers its own 400 (waitress "Bad URI", gunicorn "Bad Request"; README, "In front of the public")
    and keeps serving."""
    with serving(index_copy, "--workers", workers) as url:
        port = int(url.rsplit(":", 1)[1])
        raw = raw_request(port, b"GET /?q=\xe9\xab\x98 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        encoded = raw_request(port, b"GET /?q=%E9%AB%98 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert raw.startswith(b"HTTP/1.1 400 ") and refusal in raw and b"Traceback" not in raw
    assert encoded.startswith(b"HTTP/1.1 200 ") and "高".encode() in encoded
