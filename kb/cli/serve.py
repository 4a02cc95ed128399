"""``kb serve``: the built index served with waitress, the site loaded by its dotted name.

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
}


def serve_settings(args: argparse.Namespace) -> dict[str, int]:
    """The serve options as integers, from the command line or else the environment; SettingsError with a
    one-line message naming the option (and the variable it came from) when one is out of range."""
    settings: dict[str, int] = {}
    for name, (variable, default, lowest, highest) in SERVE_LIMITS.items():
        given = getattr(args, name, None)
        raw = given if given is not None else os.environ.get(variable, "")
        origin = f"--{name.replace('_', '-')}" + ("" if given is not None else f" (from {variable})")
        if given is None and not raw.strip():
            settings[name] = default
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

    from waitress import create_server  # the WSGI server is only needed here

    try:
        create_app = site_factory()
        app = create_app({"KB_INDEX": args.index, "KB_CORPUS": args.corpus,
                          "KB_TRUSTED_PROXY_HOPS": settings["trusted_proxy_hops"]})
    except SettingsError as error:  # no such factory, or a bad KB_RATE_LIMIT or KB_LIVE_RATE_LIMIT
        return _fail(str(error), EXIT_USAGE)
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
    print(f"serving on http://{host}:{settings['port']} ({settings['threads']} threads, at most "
          f"{settings['connection_limit']} connections, idle ones closed after {settings['channel_timeout']} s, "
          f"trusted proxy hops {settings['trusted_proxy_hops']})", file=sys.stderr, flush=True)
    server.run()
    return 0
