"""Fixtures for the real-browser tests: the real server and Debian's Chromium driven by Playwright.

``server``      (session)  ``kb serve`` as a subprocess over a fresh index of ``corpus/`` built in a tmp dir,
                           with ``KB_DATA`` in a tmp dir and ``KB_ADMIN_TOKEN`` set; yields a ``Server``
                           (``.url`` without a trailing slash, ``.admin_token``, ``.log()`` …).
``browser``     (session)  one headless Chromium (``/usr/bin/chromium``, never a Playwright download).
``page``        (function) a page in a fresh context: 1280×800, ``zh-CN``, clipboard read/write granted,
                           ``base_url`` = ``server.url`` so ``page.goto("/")`` works.
``phone_page``  (function) the same at 375×812, ``is_mobile``, ``has_touch``.

``screenshot(page, name)`` saves ``docs/screenshots/<name>.png``; import it with
``from tests.browser.conftest import screenshot``.

Without Chromium or Playwright every test here is skipped with the reason, except when ``CI=true``:
then they fail, so CI cannot pass without having run them. Install with ``scripts/install-browser.sh``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
SCREENSHOTS = ROOT / "docs" / "screenshots"
HERE = Path(__file__).resolve().parent

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling home, and the closed network refuses its connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Containers often have a 64 MB /dev/shm; Chromium then crashes on large pages.
    "--disable-dev-shm-usage",
]
ADMIN_TOKEN = "browser-test-admin-token"
STARTUP_TIMEOUT = 60.0  # seconds for the server to build the index and answer /healthz
DEFAULT_TIMEOUT_MS = 15_000  # per Playwright action or wait; fail fast rather than hang
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"{CHROMIUM} is missing (run scripts/install-browser.sh as root, or apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"playwright cannot be imported ({error}); run .venv/bin/pip install -e '.[test]'"
    return None


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: real-browser test (the real server driven by Chromium)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _browser_available():
    """Skip (or, under CI=true, fail) every browser test when Chromium or Playwright is missing."""
    reason = _missing()
    if reason:
        if in_ci():
            pytest.fail(f"browser tests cannot run under CI=true: {reason}", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}")


# ---------------------------------------------------------------------------------------------- the server


@dataclass
class Server:
    url: str  # http://127.0.0.1:<port>, no trailing slash
    admin_token: str
    port: int
    index_path: Path
    data_dir: Path
    log_path: Path
    process: subprocess.Popen = field(repr=False)

    def log(self) -> str:
        """Everything the server has written to stdout and stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _death_signal():
    """A function for the child (run between fork and exec) that makes the kernel send it SIGTERM when
    pytest dies without tearing down; None where that is not available. Best effort: teardown and
    atexit stop the server in every ordinary case."""
    if sys.platform != "linux":
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl  # looked up here, not after the fork
    except (OSError, AttributeError):
        return None

    def set_death_signal() -> None:
        prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    return set_death_signal


def _stop(process: subprocess.Popen) -> None:
    """Stop the server and everything it started (it leads its own process group)."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _start(command_for, env: dict, log_path: Path) -> tuple[subprocess.Popen, str]:
    """Start the server on a free port and wait for /healthz; retry on a new port if the one picked was
    taken in the meantime. Fails the session fixture with the server's output when it does not come up."""
    for attempt in range(3):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        command = command_for(port)
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True,
                                       preexec_fn=_death_signal())
        atexit.register(_stop, process)  # in case the session ends without fixture teardown
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(url):
            problem = None
            if process.poll() is not None:
                problem = f"the server exited with code {process.returncode} before answering /healthz"
            elif time.monotonic() > deadline:
                problem = f"the server did not answer {url}/healthz with 200 within {STARTUP_TIMEOUT:.0f} s"
            if problem:
                _stop(process)
                output = log_path.read_text(encoding="utf-8", errors="replace")
                if "Address already in use" in output and attempt < 2:
                    break  # another process took the port between picking and binding it: pick again
                pytest.fail(f"{problem}\ncommand: {' '.join(command)}\n--- server output ({log_path}) ---\n"
                            f"{output[-6000:]}", pytrace=False)
            time.sleep(0.1)
        else:
            return process, url
    raise AssertionError("unreachable")


# A document whose title, text and table carry script payloads: every page must show them as text.
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
HOSTILE_DOCUMENT = f"""---
id: xss
title: 注入测试文件{XSS}
region: 全国
status: 现行有效
source: test
---

# 注入测试文件{XSS}

一、注入测试条款{XSS}不超过9个工作日。

| 用户类型 | 注入测试栏 |
| --- | --- |
| 注入测试行{XSS} | 3 |
"""


# A document long enough to be shown in pages (web/documents.py): about 500 kB of HTML, three pages.
LONG_ARTICLES = 900
LONG_DOCUMENT = "---\nid: long\ntitle: 分页测试长文件\nregion: 全国\nstatus: 现行有效\nsource: test\n---\n\n" + "\n\n".join(
    f"第{n}条　分页测试专用条文第{n}号，" + "仅用于检验长文件的分页显示。" * 12 for n in range(1, LONG_ARTICLES + 1)) + "\n"


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    """The real site as ``make run`` starts it: ``python -m kb.cli --corpus corpus --index <tmp> build``, then
    ``… serve`` on a free port of 127.0.0.1, over a copy of the real corpus in a tmp dir."""
    base = tmp_path_factory.mktemp("browser-server")
    index_path, data_dir, log_path = base / "index", base / "data", base / "server.log"
    data_dir.mkdir()
    corpus = base / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "xss.md").write_text(HOSTILE_DOCUMENT, encoding="utf-8")
    (corpus / "long.md").write_text(LONG_DOCUMENT, encoding="utf-8")
    env = {**os.environ, "KB_DATA": str(data_dir), "KB_INDEX": str(index_path), "KB_CORPUS": str(corpus),
           "KB_ADMIN_TOKEN": ADMIN_TOKEN, "KB_RATE_LIMIT": "100000/minute", "PYTHONUNBUFFERED": "1"}

    kb = [sys.executable, "-m", "kb.cli", "--corpus", str(corpus), "--index", str(index_path)]
    built = subprocess.run(kb + ["build", "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=STARTUP_TIMEOUT)  # as make run does: kb serve never builds
    if built.returncode:
        pytest.fail(f"kb build failed:\n{built.stdout}{built.stderr}", pytrace=False)

    def command_for(port: int) -> list[str]:
        return kb + ["serve", "--host", "127.0.0.1", "--port", str(port)]

    process, url = _start(command_for, env, log_path)
    try:
        yield Server(url=url, admin_token=ADMIN_TOKEN, port=int(url.rsplit(":", 1)[1]), index_path=index_path,
                     data_dir=data_dir, log_path=log_path, process=process)
    finally:
        _stop(process)


# --------------------------------------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser(_browser_available):
    """One headless Chromium for the whole session (Debian's /usr/bin/chromium)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                                              timeout=60_000)
        try:
            yield instance
        finally:
            instance.close()


def _context(browser, server: Server, **options):
    context = browser.new_context(locale="zh-CN", base_url=server.url, **options)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context


@pytest.fixture()
def page(browser, server):
    """A desktop page (1280×800, zh-CN, clipboard granted) in its own context; ``page.goto('/')`` works."""
    context = _context(browser, server, viewport=DESKTOP)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture()
def phone_page(browser, server):
    """A phone page (375×812, is_mobile, has_touch, zh-CN, clipboard granted) in its own context."""
    context = _context(browser, server, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def screenshot(page, name: str, *, full_page: bool = False) -> Path | None:
    """Save the page as docs/screenshots/<name>.png for the README when KB_SCREENSHOTS=1
    (`KB_SCREENSHOTS=1 make test`), so ordinary test runs leave the tree unchanged."""
    if os.environ.get("KB_SCREENSHOTS") != "1":
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="hide")
    return path
