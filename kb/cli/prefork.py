"""``kb serve --workers N`` (N > 1): gunicorn's pre-fork server over an application made before forking.

The site is created once, in the master process, before gunicorn forks: the open index generation (its
mmapped segments, documents, facts and warmed caches, frozen out of the garbage collector by
``kb.index.generation``) is then shared copy-on-write by every worker instead of being loaded N times.
Each worker checks the index link on its own requests (``OpenIndex.refresh``) and so reopens by itself
after a swap; nothing is shared that one worker could change under another (feedback is one SQLite
database with its own locking, the rate limit a Redis, see ``kb.cli.ratestore``).
"""

from __future__ import annotations

import sys

# gunicorn runs where fork does: Linux and the other Unixes.
AVAILABLE = sys.platform != "win32"


def gunicorn_importable() -> bool:
    try:
        import gunicorn.app.base  # noqa: F401
    except ImportError:
        return False
    return AVAILABLE


def serve_prefork(app, host: str, port: int, workers: int, settings: dict[str, int]) -> int:
    """Serve ``app`` with ``workers`` gunicorn gthread workers until stopped (SIGTERM, SIGINT); the exit code."""
    from gunicorn.app.base import BaseApplication

    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        # Threads, as waitress has: a slow answer does not hold up the next request in the same worker,
        # and the worker's main loop keeps its heartbeat while a thread works.
        "worker_class": "gthread",
        "threads": settings["threads"],
        "worker_connections": settings["connection_limit"],
        "keepalive": settings["channel_timeout"],
        "timeout": 120,  # a worker silent this long is restarted (opening a new lawref generation takes seconds)
        "graceful_timeout": 10,
        "preload_app": True,
        # A question may be 2,000 characters (kb.search.plan.MAX_QUERY_CHARS), 18 kB once percent-encoded:
        # past gunicorn's 8 kB cap on the request line. Unlimited, as waitress's line is (its whole head
        # is capped at 256 kB); a proxy in front caps it in production.
        "limit_request_line": 0,
        # X-Forwarded-* are read by ProxyFix (web) when, and only when, a proxy is trusted; gunicorn itself
        # trusts no address for them.
        "forwarded_allow_ips": "",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "kb-serve",
    }

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    try:
        Server().run()
    except SystemExit as stop:  # the arbiter ends with sys.exit
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    return 0
