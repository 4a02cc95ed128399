"""The clause store (kb/index/clauses.py): a clause read back from the build's store is the clause
``kb.parse`` makes, field for field, for every clause of every document; a build in several parts writes
one store part per worker and the same clauses; a generation without a store still reads its clauses (by
parsing, as before)."""

from __future__ import annotations

import json
import shutil

from kb.index import OpenIndex, build
from kb.index.clauses import TABLE
from kb.index.store import write_manifest
from kb.parse.clauses import parse
from tests.conftest import CORPUS


def assert_every_clause_as_parsed(index: OpenIndex) -> int:
    generation = index.generation
    assert generation is not None and generation.clause_store.available
    count = 0
    for doc_id, record in index.documents.items():
        assert generation.clause_store.holds(doc_id)
        for clause in parse(record["body"], record["title"]).clauses:
            assert index.clause(doc_id, clause.id) == clause, (doc_id, clause.id)
            count += 1
        assert index.clause(doc_id, "no-such-clause") is None
    return count


def test_every_clause_of_the_corpus_reads_back_as_parsed(corpus_index):
    assert assert_every_clause_as_parsed(corpus_index) > 500


def test_a_build_in_parts_stores_every_clause_of_a_law_sample(law_sample_index_path):
    """Laws of the library (articles, long chapters, tables) in a two-part build: one store file per part."""
    index = OpenIndex(law_sample_index_path)
    try:
        parts = {where[0] for where in json.loads((index.generation.target / TABLE).read_text()).values()}
        assert parts == {"clauses-1.bin", "clauses-2.bin"}
        assert assert_every_clause_as_parsed(index) > 1000
    finally:
        index.close()


def test_a_clause_handed_out_does_not_change_the_store(corpus_index):
    doc_id = next(iter(corpus_index.documents))
    clause_id = next(c.id for c in corpus_index.parsed(doc_id).clauses if c.heading_path)
    first = corpus_index.clause(doc_id, clause_id)
    first.heading_path.append("changed")
    assert corpus_index.clause(doc_id, clause_id).heading_path == first.heading_path[:-1]


def test_a_generation_built_before_the_store_parses_its_documents(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    build(corpus, tmp_path / "index")
    generation = (tmp_path / "index").resolve()
    for path in [generation / TABLE, *generation.glob("clauses-*.bin")]:
        path.unlink()
    manifest = json.loads((generation / "manifest.json").read_text(encoding="utf-8"))
    manifest.pop("files")
    write_manifest(generation, manifest)
    index = OpenIndex(tmp_path / "index")
    try:
        assert not index.generation.clause_store.available
        doc_id = next(iter(index.documents))
        clause = index.parsed(doc_id).clauses[-1]
        assert index.clause(doc_id, clause.id) == clause
        assert index.clause_text(doc_id, clause.id) == (clause.text, clause.label)
    finally:
        index.close()
