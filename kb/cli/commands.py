"""The ``kb`` command: build, search, add, serve.

Every sub-command prints a clear message and exits non-zero on bad input;
none prints a traceback for a mistake the user can fix.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from kb.answer import ask
from kb.answer.compose import Answerer
from kb.corpus.documents import Importer, default_corpus
from kb.errors import InputError, KbError, QuestionSetError, SettingsError
from kb.evaluation.question_sets import asked_corpus, shared_root, sources
from kb.evaluation.score import evaluate, format_miss, load_questions
from kb.facts.extract import select
from kb.index.builder import build, check
from kb.index.generation import OpenIndex
from kb.index.store import default_index
from kb.search.plan import search
from kb.vocab import default_vocab

EXIT_USAGE = 2


def _fail(message: str, code: int = 1) -> int:
    print(f"kb: {message}", file=sys.stderr)
    return code


def cmd_build(args: argparse.Namespace) -> int:
    def progress(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr)

    report = build(Path(args.corpus), Path(args.index), force=args.force, progress=progress)
    print(report.summary())
    return 0


def _open(args: argparse.Namespace) -> OpenIndex:
    """The built index. Reading never builds: a read command run from another folder, where the default
    corpus is absent, must not swap an empty index in under a running server (only build and add build)."""
    return OpenIndex(Path(args.index))


def cmd_search(args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    if query == "-":
        query = sys.stdin.read()
    index = _open(args)
    try:
        result = search(index, query, region=args.region, status=args.status, doc=args.doc, limit=args.limit)
    except InputError as error:
        return _fail(str(error), EXIT_USAGE)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    if result.message:
        print(result.message)
    for rank, hit in enumerate(result.hits, start=1):
        title = hit.title + (f"（{hit.doc_number}）" if hit.doc_number else "")
        print(f"{rank}. {title} · {hit.label} · {hit.region} · {hit.status}  [{hit.score:.2f}]")
        print("   " + hit.snippet.replace("\n", "\n   "))
        print(f"   {hit.url}")
    return 0


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def cmd_ask(args: argparse.Namespace) -> int:
    index = _open(args)
    on = _date(args.on)
    question = " ".join(args.question)
    if question == "-":
        # One question per line on stdin, one JSON object per line out, in order, in one warm process. A line
        # that cannot be answered gets an error object of its own; the stream goes on.
        for line in sys.stdin:
            line = line.rstrip("\n")
            try:
                result = ask(index, line, region=args.region, on=on, start=_date(args.start)).to_dict()
            except InputError as error:
                result = {"question": line, "found": False, "answer": "", "error": str(error)}
            except Exception as error:  # noqa: BLE001 — one bad line must not end the stream
                print(f"kb: internal error on one line ({type(error).__name__}: {error})", file=sys.stderr)
                result = {"question": line, "found": False, "answer": "",
                          "error": f"内部错误（{type(error).__name__}）"}
            print(json.dumps(result, ensure_ascii=False), flush=True)
        return 0
    try:
        result = ask(index, question, region=args.region, on=on, start=_date(args.start))
    except InputError as error:
        return _fail(str(error), EXIT_USAGE)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(result.answer or "知识库中没有找到相关规定。")
    understood = result.understood
    if understood.get("line"):
        print("  " + understood["line"] + (f" · 您是不是要找：{understood['did_you_mean']}"
                                           if understood.get("did_you_mean") else ""))
    for number, citation in enumerate(result.citations[:3], start=1):
        text = citation["text"].replace("\n", " ")
        print(f"  [{number}] {citation['title']} {citation['clause']}（{citation['region']}，{citation['status']}）")
        print(f"      {text[:160]}{'…' if len(text) > 160 else ''}")
        print(f"      {citation['url']}")
    for deadline in result.deadlines:
        print(f"  期限：{deadline['region']}《{deadline['title']}》{deadline['figure']} → "
              f"{deadline.get('rule') or deadline.get('error')}")
    binding = [a for a in result.applicable if a.get("figure")]
    if len(binding) > 1:
        print("  适用规则：")
        for rule in binding:
            notes = "；".join(n for n in rule["notes"] if not n.startswith(rule["effective_status"]))
            print(f"    - {rule['region']} {rule['title']}：{rule['figure']}（{rule['effective_status']}"
                  f"{'；' + notes if notes else ''}）")
    return 0


def cmd_facts(args: argparse.Namespace) -> int:
    index = _open(args)
    vocab = index.vocab
    regions = vocab.region_chain(vocab.region(args.region)) if args.region else None
    facts = select(index.facts, subject=args.subject, item=args.item, regions=regions, doc=args.doc)
    if args.json:
        print(json.dumps(facts, ensure_ascii=False, indent=2))
        return 0
    for fact in facts:
        qualifiers = f"（{'、'.join(fact['qualifiers'])}）" if fact["qualifiers"] else ""
        print(f"{fact['subject'] or '—'} · {fact['item'] or '—'} · {fact['bound']}"
              f"{vocab.lexicon.render(fact['value'], fact['unit'])}{qualifiers}  [{fact['region']} {fact['doc_id']} "
              f"{fact['label']}]  /doc/{fact['doc_id']}#{fact['clause']}")
    print(f"{len(facts)} facts", file=sys.stderr)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    try:
        records = load_questions(Path(args.file))
    except (OSError, QuestionSetError) as error:
        return _fail(str(error), EXIT_USAGE)
    if not records:
        return _fail(f"{args.file} holds no questions: nothing to score", EXIT_USAGE)
    on = _date(args.on)
    answerer = Answerer(use_lexicon=not args.no_lexicon)
    if not sources(records):
        report = _score(answerer, _open(args), records, args.region, on)
    else:
        # Questions about documents the corpus does not hold: import them into a copy, never the corpus.
        root = shared_root(Path(args.file), Path(args.shared) if args.shared else None)
        with tempfile.TemporaryDirectory(prefix="kb-eval-") as workdir:
            asked = asked_corpus(records, Path(args.corpus), Path(workdir), root)
            for problem in asked.problems:
                print(f"kb eval: {problem}", file=sys.stderr)
            report = _score(answerer, OpenIndex(asked.index), records, args.region, on)
    for outcome in report.misses():
        print(format_miss(outcome))
    print(report.summary_line())
    return 0 if report.passes() else 1


def _score(answerer: Answerer, index: OpenIndex, records: list[dict], region: str | None, on):
    return evaluate(records, lambda question: answerer.ask(index, question, region=region, on=on).to_dict())


def cmd_add(args: argparse.Namespace) -> int:
    corpus = Path(args.corpus)
    overrides = {"title": args.title, "region": args.region, "status": args.status, "issued": args.issued}
    if args.title and len(args.files) > 1:
        return _fail("--title applies to one file; give one file with it", EXIT_USAGE)
    added = failed = 0
    # The corpus lock is held from reading the corpus to writing the last file, ids included, so
    # concurrent runs queue instead of taking the same id.
    with Importer(corpus) as importer:
        for name in args.files:
            result = importer.add(Path(name), overrides)
            print(result.message, file=sys.stdout if result.added else sys.stderr)
            if result.added:
                added += 1
                document = result.document
                meta = document.meta
                print(f"  region {document.region} · status {document.status} · kind {meta.get('kind')} · "
                      f"issued {meta.get('issued')} · effective {meta.get('effective')} · "
                      f"{len([c for c in document.parsed.clauses if c.indexable])} clauses")
            elif result.document is None:
                failed += 1
    if added:
        print(build(corpus, Path(args.index)).summary())
    return 1 if failed else 0


def cmd_check(args: argparse.Namespace) -> int:
    found = check(Path(args.index), Path(args.corpus))
    if found:
        for problem in found:
            print(f"kb check: {problem}", file=sys.stderr)
        return 1
    manifest = OpenIndex(Path(args.index)).manifest
    print(f"index at {args.index} is intact: {manifest.get('documents')} documents, {manifest.get('clauses')} "
          f"clauses, {len(manifest.get('files') or {})} files checked, built {manifest.get('built_at')}")
    return 0


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


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the index that ``kb build`` made. Serving never builds: a build takes a lock beside the index
    (impossible on a read-only mount) and would swap the index under the running site."""
    try:
        settings = serve_settings(args)
    except SettingsError as error:
        return _fail(str(error), EXIT_USAGE)
    from kb.index.store import read_manifest

    host = args.host if args.host is not None else os.environ.get("KB_HOST", "127.0.0.1")
    index_path = Path(args.index)
    manifest = read_manifest(index_path)
    if not manifest:
        return _fail(f"no index at {index_path}: run `kb build` first (make run builds, then serves)")
    if not manifest.get("documents"):
        print(f"kb: warning: the index at {index_path} holds no documents; /healthz answers 503", file=sys.stderr)

    from waitress import create_server  # the WSGI server is only needed here

    from web import create_app

    try:
        app = create_app({"KB_INDEX": args.index, "KB_CORPUS": args.corpus,
                          "KB_TRUSTED_PROXY_HOPS": settings["trusted_proxy_hops"]})
    except SettingsError as error:  # a bad KB_RATE_LIMIT or KB_LIVE_RATE_LIMIT
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


def make_parser() -> argparse.ArgumentParser:
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

    p = commands.add_parser("serve", help="serve the index that kb build made, with waitress (never builds)")
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
    return parser


def main(argv: list[str] | None = None) -> int:
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

