"""A private Redis for ``kb serve --workers N``: one rate-limit budget per client whatever N is.

Flask-Limiter counts in memory per process unless told otherwise, so N workers would each give a client
the whole budget. When ``KB_RATE_LIMIT_STORAGE`` names no store, ``kb serve`` starts Debian's
``redis-server`` as its own child — listening on a Unix socket in a private temporary folder, no TCP
port, nothing saved to disk — points every worker at it and stops it when serving ends. A deployment
with several replicas names one shared Redis instead (docs/scale.md).
"""

from __future__ import annotations

import ctypes
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kb.errors import SettingsError

START_PATIENCE = 10.0  # seconds redis-server gets to answer PING


def redis_server() -> str | None:
    """The redis-server program on PATH (or Debian's usual place), or None."""
    return shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin:/usr/sbin")


def _die_with_parent() -> None:
    # Linux: the kernel sends SIGTERM to redis-server when kb serve dies, even by SIGKILL, so no Redis
    # outlives the server that started it.
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _answers(path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(1)
            sock.connect(str(path))
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def private_redis(program: str) -> Iterator[str]:
    """Run ``program`` (redis-server) on a Unix socket for as long as the block runs; yields the storage
    URI for Flask-Limiter (``redis+unix://…``). SettingsError when it does not come up."""
    folder = Path(tempfile.mkdtemp(prefix="kb-redis-"))
    folder.chmod(0o700)  # only this user may reach the socket
    sock, log = folder / "redis.sock", folder / "redis.log"
    process = subprocess.Popen(
        [program, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700", "--save", "",
         "--appendonly", "no", "--dir", str(folder), "--loglevel", "warning", "--logfile", str(log)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    try:
        deadline = time.monotonic() + START_PATIENCE
        while not _answers(sock):
            if process.poll() is not None or time.monotonic() > deadline:
                error = log.read_text(errors="replace").strip() if log.exists() else ""
                raise SettingsError(f"redis-server for the shared rate limit did not start: "
                                    f"{error.splitlines()[-1] if error else 'no answer'}")
            time.sleep(0.05)
        yield f"redis+unix://{sock}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
