#!/usr/bin/env python3
"""The index's clauses as an OpenSearch / Elasticsearch ``_bulk`` file, and a question as an OpenSearch query.

Past what one Whoosh index holds (docs/scale.md), the clauses move to OpenSearch with kb's own tokens:

    python scripts/opensearch_bulk.py bulk [--index var/index] [--name kb-clauses] --out clauses.ndjson
    python scripts/opensearch_bulk.py translate "鄂尔多斯高压双电源多久" [--region 鄂尔多斯市] [--status 现行有效]

``bulk`` reads a built generation and writes, per clause, an ``index`` action and a document in the shape
of docs/opensearch/mapping.json: the word fields (``text``, ``heading``, ``title``, ``label``) as the tokens
the Whoosh index holds for them — the schema's own analyzer, jieba with the domain dictionary, sub-words
after their word — joined by spaces, which the mapping's ``whitespace`` analyser splits back unchanged;
``grams`` as the recall net's bigrams (``kb.index.prepare``); the verbatim fields under ``verbatim`` for
display. ``translate`` turns a question into the query kb.search's plan would run: the question's weighted
words (``kb.search.plan.query_terms``: typed words 1, sub-words 0.5, aliases 0.6, region names 0.3), one
``term`` per word and field boosted by word weight × field weight (``FIELD_WEIGHTS``), the region's chain,
status and document as filters. It leaves out what kb.search does after the first stage (pruning of
very common words, the bigram fallback, kb.answer's re-ranking), which stay in kb over the hits.

Load the file with ``curl -H 'Content-Type: application/x-ndjson' --data-binary @clauses.ndjson
http://HOST:9200/_bulk`` after creating the index with the mapping (``PUT /kb-clauses``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPING = ROOT / "docs" / "opensearch" / "mapping.json"
TOKEN_FIELDS = ("text", "heading", "title", "label")
PLAIN_FIELDS = ("key", "doc_id", "clause_id", "region", "status", "kind", "doc_kind", "doc_number", "issued",
                "effective", "order")


def documents(index_path: Path) -> Iterator[dict]:
    """Each clause of the generation at ``index_path`` as an OpenSearch document (mapping.json's fields)."""
    from kb.index import OpenIndex
    from kb.index.prepare import Preparer
    from kb.index.schema import analyzer_of

    index = OpenIndex(index_path)
    try:
        with index.searcher() as searcher:
            analyzer = analyzer_of(searcher.schema)
            preparer = Preparer(index.vocab, analyzer)
            for stored in searcher.all_stored_fields():
                document = {name: stored.get(name) for name in PLAIN_FIELDS}
                document["order"] = int(document["order"] or 0)
                for name in ("doc_number", "issued", "effective", "kind", "doc_kind"):
                    document[name] = str(document[name] or "")
                for name in TOKEN_FIELDS:
                    document[name] = " ".join(analyzer.words(stored.get(name) or ""))
                text = stored.get("text") or ""
                document["grams"] = "" if stored.get("kind") == "article" else preparer.uncovered_bigrams(text)
                document["verbatim"] = {name: stored.get(name) or "" for name in TOKEN_FIELDS}
                yield document
    finally:
        index.close()


def write_bulk(index_path: Path, out, name: str = "kb-clauses") -> int:
    """Write the ``_bulk`` lines to ``out``; the number of documents."""
    count = 0
    for document in documents(index_path):
        out.write(json.dumps({"index": {"_index": name, "_id": document["key"]}}, ensure_ascii=False) + "\n")
        out.write(json.dumps(document, ensure_ascii=False) + "\n")
        count += 1
    return count


def translate(question: str, region: str | None = None, status: str | None = None, doc: str | None = None,
              size: int = 30) -> dict:
    """The OpenSearch query body for ``question`` with kb.search's words, weights and filters."""
    from kb.search.plan import FIELD_WEIGHTS, query_terms
    from kb.vocab import default_vocab

    vocab = default_vocab()
    should = [{"term": {field: {"value": term.text, "boost": round(term.weight * weight, 3)}}}
              for term in query_terms(question, vocab) for field, weight in FIELD_WEIGHTS.items()]
    filters: list[dict] = []
    if region:
        filters.append({"terms": {"region": vocab.region_chain(vocab.region(region))}})
    if status:
        filters.append({"term": {"status": vocab.status(status)}})
    if doc:
        filters.append({"term": {"doc_id": doc}})
    return {"size": size, "_source": ["key", "doc_id", "clause_id", "title", "region", "status", "verbatim"],
            "query": {"bool": {"should": should, "minimum_should_match": 1, "filter": filters}}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    bulk = commands.add_parser("bulk", help="the _bulk NDJSON file of a built index")
    bulk.add_argument("--index", type=Path, default=Path("var/index"))
    bulk.add_argument("--name", default="kb-clauses", help="the OpenSearch index name")
    bulk.add_argument("--out", type=Path, required=True)
    query = commands.add_parser("translate", help="a question as an OpenSearch query body")
    query.add_argument("question")
    query.add_argument("--region")
    query.add_argument("--status")
    query.add_argument("--doc")
    args = parser.parse_args(argv)
    if args.command == "bulk":
        with open(args.out, "w", encoding="utf-8") as out:
            count = write_bulk(args.index, out, args.name)
        print(f"{count} clauses written to {args.out}", file=sys.stderr)
    else:
        print(json.dumps(translate(args.question, args.region, args.status, args.doc), ensure_ascii=False,
                         indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
