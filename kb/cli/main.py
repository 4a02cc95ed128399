"""The ``kb`` command's parser and entry point: every sub-command, its options, and one place that turns
kb's errors into one-line messages and exit codes (2 for a mistake in the request, 1 otherwise)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

from kb.cli.commands import (
    EXIT_USAGE,
    _fail,
    cmd_add,
    cmd_ask,
    cmd_build,
    cmd_check,
    cmd_eval,
    cmd_facts,
    cmd_search,
)
from kb.cli.serve import cmd_serve
from kb.corpus.documents import default_corpus
from kb.errors import InputError, KbError
from kb.index.store import default_index
from kb.vocab import default_vocab


def make_parser() -> argparse.ArgumentParser:
    """kb's command line: build, search and ask here, the tools in ``_add_tool_commands``."""
    parser = argparse.ArgumentParser(prog="kb", description="获得电力 policy knowledge base")
    parser.add_argument("--corpus", default=str(default_corpus()), help="corpus folder (KB_CORPUS)")
    parser.add_argument("--index", default=str(default_index()), help="index path (KB_INDEX)")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("build", help="build the search index from the corpus")
    p.add_argument("--force", action="store_true", help="rebuild even if the corpus is unchanged")
    p.add_argument("--quiet", action="store_true", help="no per-document progress")
    p.set_defaults(func=cmd_build)

    p = commands.add_parser("search", help="ranked clauses for a query")
    p.add_argument("query", nargs="+", help="what to look for; - reads it from stdin")
    p.add_argument("--region", help="only rules that bind in this region (and the regions above it)")
    p.add_argument("--status", help="only documents with this status, e.g. 现行有效")
    p.add_argument("--doc", help="only this document id")
    p.add_argument("--limit", type=int, default=10, help="how many clauses (1–100)")
    p.add_argument("--json", action="store_true", help="JSON output")
    p.set_defaults(func=cmd_search)

    p = commands.add_parser("ask", help="answer a question: the figure, its scope and the clause")
    p.add_argument("question", nargs="+", help="the question; - reads one question per line from stdin (JSON lines)")
    p.add_argument("--region", help="the region the rules must bind in (default: the region named in the question)")
    p.add_argument("--on", help="the date the rules must be in force on, YYYY-MM-DD (default: today)")
    p.add_argument("--from", dest="start", help="application date, YYYY-MM-DD: time limits then give the latest date")
    p.add_argument("--json", action="store_true", help="JSON output")
    p.set_defaults(func=cmd_ask)

    _add_tool_commands(commands)
    return parser


def _add_tool_commands(commands) -> None:
    """The commands around the engine: facts, eval, add, check and serve."""
    p = commands.add_parser("facts", help="list the figures extracted from the corpus")
    p.add_argument("--subject", help="customer type or case, e.g. 高压双电源")
    p.add_argument("--item", help="what is measured, e.g. 供电方案答复")
    p.add_argument("--region", help="facts of documents binding in this region")
    p.add_argument("--doc", help="facts of this document id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_facts)

    p = commands.add_parser("eval", help="score a question set (JSON lines, see ../shared/eval/README.md); "
                                         "documents an item names as `source` are imported into a temporary copy")
    p.add_argument("file")
    p.add_argument("--region")
    p.add_argument("--on")
    p.add_argument("--shared", help="the folder `source` paths are under (default: the set's folder's parent, "
                                    "KB_SHARED, or ../shared)")
    p.add_argument("--no-lexicon", action="store_true", help="answer without the domain lexicon (kb/data/facts.yaml)")
    p.set_defaults(func=cmd_eval)

    p = commands.add_parser("add", help="import Markdown or plain-text policy files into the corpus")
    p.add_argument("files", nargs="+")
    p.add_argument("--title")
    p.add_argument("--region")
    p.add_argument("--status")
    p.add_argument("--issued", help="issue date, YYYY-MM-DD")
    p.set_defaults(func=cmd_add)

    p = commands.add_parser("check", help="verify the index's files against their checksums and the corpus")
    p.set_defaults(func=cmd_check)

    p = commands.add_parser("serve", help="serve the index that kb build made, with N worker processes "
                                          "(gunicorn; waitress for one) — never builds")
    p.add_argument("--workers", help="worker processes sharing the open index, at least 1 (KB_WORKERS, default "
                                     "the machine's cores); more than one share a rate limit through Redis")
    p.add_argument("--host", help="address to listen on (KB_HOST, default 127.0.0.1)")
    p.add_argument("--port", help="TCP port, 1–65535 (KB_PORT, default 8000)")
    p.add_argument("--threads", help="worker threads, at least 1 (KB_THREADS, default 8)")
    p.add_argument("--connection-limit", help="open connections before new ones wait in the backlog "
                                              "(KB_CONNECTION_LIMIT, default 1000)")
    p.add_argument("--channel-timeout", help="seconds an idle connection is kept, e.g. one that never finishes "
                                             "its headers (KB_CHANNEL_TIMEOUT, default 30)")
    p.add_argument("--trusted-proxy-hops", help="reverse proxies in front whose X-Forwarded-For/-Proto/-Host are "
                                                "trusted; 0 = none (KB_TRUSTED_PROXY_HOPS, default 0)")
    p.set_defaults(func=cmd_serve)


def main(argv: list[str] | None = None) -> int:
    """Run kb with ``argv`` (default: the process's arguments); the exit code (2 for bad input, 1 for other errors)."""
    started = time.perf_counter()
    args = make_parser().parse_args(argv)
    for option in ("on", "start"):
        value = getattr(args, option, None)
        if value:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                name = "--from" if option == "start" else "--on"
                return _fail(f"{name} {value!r} is not a date like 2026-11-23", EXIT_USAGE)
    if getattr(args, "issued", None):
        try:
            time.strptime(args.issued, "%Y-%m-%d")
        except ValueError:
            return _fail(f"--issued {args.issued!r} is not a date like 2024-05-01", EXIT_USAGE)
    if getattr(args, "limit", None) is not None and not 1 <= args.limit <= 100:
        return _fail("--limit must be between 1 and 100", EXIT_USAGE)
    try:
        if getattr(args, "region", None):
            default_vocab().region(args.region)
        code = args.func(args)
    except InputError as error:  # a request that cannot be run as asked: the caller can fix it
        return _fail(str(error), EXIT_USAGE)
    except KbError as error:  # the corpus, the index or a file kb writes: said in one line
        return _fail(str(error))
    except BrokenPipeError:
        return 0  # the reader went away (kb ask … | head): nothing more to say
    except OSError as error:  # a file the user named or the corpus cannot be read: say which, no traceback
        return _fail(f"{getattr(error, 'filename', '') or ''} {error.strerror or error}".strip())
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 — a bug must still end with one line, not a traceback
        if os.environ.get("KB_DEBUG"):
            raise
        return _fail(f"internal error ({type(error).__name__}: {error}); KB_DEBUG=1 shows the traceback")
    if os.environ.get("KB_TIMING"):
        print(f"[{(time.perf_counter() - started) * 1000:.0f} ms]", file=sys.stderr)
    return code

