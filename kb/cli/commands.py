"""The ``kb`` sub-commands that read or build the index: build, search, ask, facts, eval, add, check.

Each takes the parsed arguments and returns the exit code; a mistake the user can fix is a one-line
message (``kb.cli.main`` turns kb's errors into them), never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

from kb.answer import WARMERS, ask
from kb.answer.compose import Answerer
from kb.corpus.importer import Importer
from kb.errors import InputError, QuestionSetError
from kb.evaluation.question_sets import asked_corpus, shared_root, sources
from kb.evaluation.score import evaluate, format_miss, load_questions
from kb.facts.extract import select
from kb.index.builder import build, check
from kb.index.generation import OpenIndex
from kb.model import clause_key
from kb.parse.clauses import parse_document
from kb.search.plan import search

EXIT_USAGE = 2


def _fail(message: str, code: int = 1) -> int:
    print(f"kb: {message}", file=sys.stderr)
    return code


def cmd_build(args: argparse.Namespace) -> int:
    """``kb build``: build the index from the corpus (skipped when unchanged)."""
    def progress(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr)

    report = build(Path(args.corpus), Path(args.index), force=args.force, progress=progress)
    print(report.summary())
    return 0


def _open(args: argparse.Namespace) -> OpenIndex:
    """The built index. Reading never builds: a read command run from another folder, where the default
    corpus is absent, must not swap an empty index in under a running server (only build and add build).
    Warmed as a server's is (``kb ask -`` answers a stream of questions in one process)."""
    return OpenIndex(Path(args.index), warmers=WARMERS, freeze_garbage=True)


def cmd_search(args: argparse.Namespace) -> int:
    """``kb search``: ranked clauses for a query."""
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
        print(f"   {clause_key(hit.doc_id, hit.clause_id)}")
    return 0


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def cmd_ask(args: argparse.Namespace) -> int:
    """``kb ask``: an answer, or one JSON answer per stdin line with ``-``."""
    index = _open(args)
    on = _date(args.on)
    question = " ".join(args.question)
    if question == "-":
        # One question per line on stdin, one JSON object per line out, in order, in one warm process. A line
        # that cannot be answered gets an error object of its own; the stream goes on.
        for line in sys.stdin:
            line = line.rstrip("\n")
            try:
                reply = ask(index, line, region=args.region, on=on, start=_date(args.start)).to_dict()
            except InputError as error:
                reply = {"question": line, "found": False, "answer": "", "error": str(error)}
            except Exception as error:  # noqa: BLE001 — one bad line must not end the stream
                print(f"kb: internal error on one line ({type(error).__name__}: {error})", file=sys.stderr)
                reply = {"question": line, "found": False, "answer": "",
                         "error": f"内部错误（{type(error).__name__}）"}
            print(json.dumps(reply, ensure_ascii=False), flush=True)
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
        print(f"  [{number}] {citation['title']} {citation['label']}（{citation['region']}，{citation['status']}）")
        print(f"      {text[:160]}{'…' if len(text) > 160 else ''}")
        print(f"      {clause_key(citation['doc_id'], citation['clause_id'])}")
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
    """``kb facts``: the extracted figures, filtered."""
    index = _open(args)
    vocab = index.vocab
    regions = vocab.region_chain(vocab.region(args.region)) if args.region else None
    facts = select(index.facts, subject=args.subject, item=args.item, regions=regions, doc=args.doc)
    if args.json:
        print(json.dumps([fact.to_dict() for fact in facts], ensure_ascii=False, indent=2))
        return 0
    for fact in facts:
        qualifiers = f"（{'、'.join(fact.qualifiers)}）" if fact.qualifiers else ""
        print(f"{fact.subject or '—'} · {fact.item or '—'} · {fact.bound}"
              f"{vocab.lexicon.render(fact.value, fact.unit)}{qualifiers}  [{fact.region} {fact.doc_id} "
              f"{fact.label}]  {clause_key(fact.doc_id, fact.clause_id)}")
    print(f"{len(facts)} facts", file=sys.stderr)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """``kb eval``: score a question set."""
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
    """``kb add``: import policy files into the corpus and rebuild."""
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
            if result.added and result.document is not None:
                added += 1
                document = result.document
                meta = document.meta
                print(f"  region {document.region} · status {document.status} · kind {meta.get('kind')} · "
                      f"issued {meta.get('issued')} · effective {meta.get('effective')} · "
                      f"{len([c for c in parse_document(document).clauses if c.indexable])} clauses")
            elif result.document is None:
                failed += 1
    if added:
        print(build(corpus, Path(args.index)).summary())
    return 1 if failed else 0


def cmd_check(args: argparse.Namespace) -> int:
    """``kb check``: verify the index's files against their checksums and the corpus."""
    found = check(Path(args.index), Path(args.corpus))
    if found:
        for problem in found:
            print(f"kb check: {problem}", file=sys.stderr)
        return 1
    manifest = OpenIndex(Path(args.index)).manifest
    print(f"index at {args.index} is intact: {manifest.get('documents')} documents, {manifest.get('clauses')} "
          f"clauses, {len(manifest.get('files') or {})} files checked, built {manifest.get('built_at')}")
    return 0
