"""scripts/opensearch_bulk.py: the _bulk file holds every clause of the index in the mapping's shape, each
word field as exactly the tokens the Whoosh index holds (checked against the index's own term statistics),
and a question becomes a query over those tokens with kb.search's weights and filters. No OpenSearch
runs here, so the file and the query are what is tested."""

from __future__ import annotations

import io
import json
import sys
from collections import Counter

import pytest

from kb.index import OpenIndex
from kb.search.plan import FIELD_WEIGHTS, query_terms
from kb.vocab import default_vocab
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import opensearch_bulk  # noqa: E402


@pytest.fixture(scope="module")
def bulk(corpus_index_path):
    out = io.StringIO()
    count = opensearch_bulk.write_bulk(corpus_index_path, out, "kb-test")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 * count
    return [(json.loads(lines[i]), json.loads(lines[i + 1])) for i in range(0, len(lines), 2)]


def _properties(mapping: dict, prefix: str = "") -> dict[str, str]:
    found = {}
    for name, spec in mapping["properties"].items():
        if "properties" in spec:
            found.update(_properties(spec, f"{prefix}{name}."))
        else:
            found[f"{prefix}{name}"] = spec["type"]
    return found


def _flatten(document: dict, prefix: str = "") -> dict:
    flat = {}
    for name, value in document.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def test_every_clause_in_the_mappings_shape(bulk, corpus_index_path):
    mapping = json.loads(opensearch_bulk.MAPPING.read_text(encoding="utf-8"))
    types = _properties(mapping["mappings"])
    python = {"keyword": str, "text": str, "integer": int}
    index = OpenIndex(corpus_index_path)
    try:
        with index.searcher() as searcher:
            assert len(bulk) == searcher.doc_count() > 100
    finally:
        index.close()
    keys = set()
    for action, document in bulk:
        assert action["index"]["_index"] == "kb-test" and action["index"]["_id"] == document["key"]
        flat = _flatten(document)
        assert set(flat) == set(types), set(flat) ^ set(types)  # "dynamic": "strict" refuses any other field
        for name, value in flat.items():
            assert isinstance(value, python[types[name]]), (name, value)
        keys.add(document["key"])
    assert len(keys) == len(bulk)


def test_the_word_fields_are_the_tokens_the_whoosh_index_holds(bulk, corpus_index_path):
    """For every field and every term of the Whoosh index: as many clauses hold it in the file (split on
    whitespace, as the mapping's analyser does) as the index says; and no term the index lacks."""
    index = OpenIndex(corpus_index_path)
    try:
        with index.searcher() as searcher:
            reader = searcher.reader()
            for field in (*opensearch_bulk.TOKEN_FIELDS, "grams"):
                frequencies = Counter(token for _action, document in bulk for token in set(document[field].split()))
                indexed = {term.decode() if isinstance(term, bytes) else term: reader.doc_frequency(field, term)
                           for term in reader.lexicon(field)}
                assert frequencies == Counter(indexed), field
    finally:
        index.close()
    sample = next(document for _a, document in bulk if "供电企业" in document["verbatim"]["text"])
    assert "供电企业" in sample["text"].split()


def test_a_question_becomes_kbs_weighted_words_and_filters():
    vocab = default_vocab()
    body = opensearch_bulk.translate("鄂尔多斯高压双电源多久通电", region="鄂尔多斯", status="现行有效")
    query = body["query"]["bool"]
    boosts = {(field, spec["value"]): spec["boost"] for clause in query["should"]
              for field, spec in clause["term"].items()}
    terms = query_terms("鄂尔多斯高压双电源多久通电", vocab)
    assert terms and len(boosts) == len(terms) * len(FIELD_WEIGHTS)
    for term in terms:
        for field, weight in FIELD_WEIGHTS.items():
            assert boosts[(field, term.text)] == pytest.approx(term.weight * weight, abs=1e-3)
    assert {"terms": {"region": ["鄂尔多斯市", "内蒙古自治区", "全国"]}} in query["filter"]
    assert {"term": {"status": "现行有效"}} in query["filter"]
    assert body["size"] == 30 and query["minimum_should_match"] == 1
