"""``kb serve``: the built index served by N worker processes (gunicorn, ``kb.cli.prefork``) or, with one
worker, by waitress; the site loaded by its dotted name.

Serving never builds, and ``kb`` never imports the site's package: the application factory is named
(``web:create_app`` unless ``KB_APP`` names another) and imported when ``kb serve`` runs, so the library
has no arrow back up to the web layer.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from kb.cli.commands import EXIT_USAGE, _fail
from kb.errors import SettingsError
from kb.index.store import read_manifest

SITE = "web:create_app"  # the application factory kb serve runs (KB_APP overrides)


# kb serve's numeric options: (environment variable, default, lowest, highest). Waitress's own defaults
# (100 connections, a 120 s idle timeout) let a few hundred idle sockets lock everyone out for minutes.
SERVE_LIMITS = {
    "port": ("KB_PORT", 8000, 1, 65535),
    "threads": ("KB_THREADS", 8, 1, 1024),
    "connection_limit": ("KB_CONNECTION_LIMIT", 1000, 1, 1_000_000),
    "channel_timeout": ("KB_CHANNEL_TIMEOUT", 30, 1, 86_400),
    "trusted_proxy_hops": ("KB_TRUSTED_PROXY_HOPS", 0, 0, 10),
    "workers": ("KB_WORKERS", None, 1, 256),  # None: the machine's cores (machine_cores)
}


def machine_cores() -> int:
    """The cores this process may run on (a container's or taskset's share, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def serve_settings(args: argparse.Namespace) -> dict[str, int]:
    """The serve options as integers, from the command line or else the environment; SettingsError with a
    one-line message naming the option (and the variable it came from) when one is out of range."""
    settings: dict[str, int] = {}
    for name, (variable, default, lowest, highest) in SERVE_LIMITS.items():
        given = getattr(args, name, None)
        raw = given if given is not None else os.environ.get(variable, "")
        origin = f"--{name.replace('_', '-')}" + ("" if given is not None else f" (from {variable})")
        if given is None and not raw.strip():
            settings[name] = default if default is not None else machine_cores()
            continue
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise SettingsError(f"{origin} must be a whole number from {lowest} to {highest}, not {raw!r}") from None
        if not lowest <= value <= highest:
            raise SettingsError(f"{origin} must be from {lowest} to {highest}, not {value}")
        settings[name] = value
    return settings


def site_factory(name: str | None = None) -> Callable[[dict], object]:
    """The application factory named ``module:function`` (``KB_APP``, else ``SITE``), imported now."""
    name = name or os.environ.get("KB_APP") or SITE
    module, _, function = name.partition(":")
    try:
        return getattr(importlib.import_module(module), function or "create_app")
    except (ImportError, AttributeError) as error:
        raise SettingsError(f"KB_APP {name!r} names no application factory ({error})") from error


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the index that ``kb build`` made. Serving never builds: a build takes a lock beside the index
    (impossible on a read-only mount) and would swap the index under the running site."""
    try:
        settings = serve_settings(args)
    except SettingsError as error:
        return _fail(str(error), EXIT_USAGE)
    host = args.host if args.host is not None else os.environ.get("KB_HOST", "127.0.0.1")
    index_path = Path(args.index)
    manifest = read_manifest(index_path)
    if not manifest:
        return _fail(f"no index at {index_path}: run `kb build` first (make run builds, then serves)")
    if not manifest.get("documents"):
        print(f"kb: warning: the index at {index_path} holds no documents; /healthz answers 503", file=sys.stderr)

    try:
        with ExitStack() as stack:
            workers, storage = _workers_and_rate_store(settings["workers"], stack)
            try:
                create_app = site_factory()
                # Made here, before any fork: the workers share the open index copy-on-write.
                app = create_app({"KB_INDEX": args.index, "KB_CORPUS": args.corpus,
                                  "KB_TRUSTED_PROXY_HOPS": settings["trusted_proxy_hops"],
                                  **({"KB_RATE_LIMIT_STORAGE": storage} if storage else {})})
            except SettingsError as error:  # no such factory, or a bad KB_RATE_LIMIT or KB_LIVE_RATE_LIMIT
                return _fail(str(error), EXIT_USAGE)
            if workers > 1:
                return _serve_workers(app, host, workers, settings)
            return _serve_waitress(app, host, settings)
    except SettingsError as error:  # the private redis-server would not start
        return _fail(str(error))


def _workers_and_rate_store(workers: int, stack: ExitStack) -> tuple[int, str]:
    """How many workers to run and the rate-limit store they share ('' = the site's default). More than
    one worker needs one store for all (KB_RATE_LIMIT_STORAGE, else a private redis-server); without
    either, or without gunicorn, one worker is served rather than N budgets per client."""
    from kb.cli import prefork, ratestore

    if workers == 1:
        return 1, ""
    if not prefork.gunicorn_importable():
        print(f"kb: warning: gunicorn is not available here: serving with one worker, not {workers}",
              file=sys.stderr)
        return 1, ""
    storage = os.environ.get("KB_RATE_LIMIT_STORAGE", "").strip()
    if storage and not storage.startswith("memory"):
        return workers, storage
    program = ratestore.redis_server()
    if program is None:
        print(f"kb: warning: no redis-server to share the rate limit between workers (apt-get install "
              f"redis-server, or set KB_RATE_LIMIT_STORAGE): serving with one worker, not {workers}",
              file=sys.stderr)
        return 1, ""
    return workers, stack.enter_context(ratestore.private_redis(program))


def _describe(host: str, settings: dict[str, int], workers: int) -> str:
    return (f"serving on http://{host}:{settings['port']} ({workers} worker{'s' if workers > 1 else ''} × "
            f"{settings['threads']} threads, at most {settings['connection_limit']} connections"
            f"{' each' if workers > 1 else ''}, idle ones closed after {settings['channel_timeout']} s, "
            f"trusted proxy hops {settings['trusted_proxy_hops']})")


def _serve_workers(app, host: str, workers: int, settings: dict[str, int]) -> int:
    import socket

    from kb.cli.prefork import serve_prefork

    # gunicorn retries a taken port for five seconds and then logs a traceback-like line: say it plainly.
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, settings["port"]))
    except OSError as error:
        return _fail(f"cannot listen on {host}:{settings['port']}: {error}")
    print(_describe(host, settings, workers), file=sys.stderr, flush=True)
    return serve_prefork(app, host, settings["port"], workers, settings)


def _serve_waitress(app, host: str, settings: dict[str, int]) -> int:
    from waitress import create_server  # the WSGI server is only needed here

    try:
        server = create_server(
            app, host=host, port=settings["port"], threads=settings["threads"],
            connection_limit=settings["connection_limit"], channel_timeout=settings["channel_timeout"],
            # Idle channels are only closed when waitress sweeps, every cleanup_interval seconds.
            cleanup_interval=max(1, min(30, settings["channel_timeout"] // 2)),
            # Waitress drops X-Forwarded-* unless told otherwise; ProxyFix (web/__init__.py) reads them
            # when, and only when, a proxy is trusted.
            clear_untrusted_proxy_headers=settings["trusted_proxy_hops"] == 0)
    except OSError as error:
        return _fail(f"cannot listen on {host}:{settings['port']}: {error}")
    print(_describe(host, settings, 1), file=sys.stderr, flush=True)
    server.run()
    return 0
