"""The fast segment writer writes the segment Whoosh's own writer would, posting for posting."""

from __future__ import annotations

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID, STORED, TEXT, Schema

from kb.corpus import load_corpus
from kb.index.postings import KbSegmentWriter, TermPool, WordField
from kb.index.prepare import Preparer
from kb.index.schema import analyzer_of, make_schema
from kb.vocab import default_vocab
from tests.conftest import CORPUS


def _entries() -> list[dict]:
    preparer = Preparer(default_vocab(), analyzer_of(make_schema(default_vocab())))
    entries = [fields for document in load_corpus(CORPUS) for fields in preparer.prepare(document)[0]]
    # One term in exactly two full blocks (256 postings) and one in three, the last partly filled.
    for number in range(300):
        entries.append({**entries[0], "key": f"synthetic#{number}", "clause_id": str(number),
                        "text": ("blockword " if number < 256 else "") + f"补充条款第{number}项：供电企业应当提前通知。"})
    return entries


def _write(tmp_path, name: str, writer_class, entries: list[dict]):
    folder = tmp_path / name
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), make_schema(default_vocab()))
    writer = writer_class(ix) if writer_class else ix.writer()
    for fields in entries:
        writer.add_document(**fields)
    writer.commit()
    return whoosh_index.open_dir(str(folder))


def _snapshot(ix) -> dict:
    """Every term's statistics and postings, every document's stored fields and field lengths."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        terms = {}
        for fieldname, btext in reader.all_terms():
            info = reader.term_info(fieldname, btext)
            matcher = reader.postings(fieldname, btext)
            postings = []
            while matcher.is_active():
                postings.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            terms[fieldname, btext] = (info.doc_frequency(), info.weight(), info.min_length(), info.max_length(),
                                       info.max_weight(), info.min_id(), info.max_id(), postings)
        fieldnames = [name for name in ix.schema.names() if ix.schema[name].scorable]
        lengths = [[reader.doc_field_length(n, f) for f in fieldnames] for n in range(reader.doc_count_all())]
        return {"terms": terms, "stored": list(reader.all_stored_fields()), "lengths": lengths,
                "totals": [reader.field_length(f) for f in fieldnames]}


def test_the_segment_equals_whooshs_own_on_the_real_corpus(tmp_path):
    entries = _entries()
    stock = _snapshot(_write(tmp_path, "stock", None, entries))
    fast = _snapshot(_write(tmp_path, "fast", KbSegmentWriter, entries))
    assert len(stock["terms"]) > 1000
    assert stock["terms"][("text", b"blockword")][0] == 256
    assert any(len(value[-1]) > 256 for value in stock["terms"].values())  # several blocks, one cut short
    assert fast == stock


def test_a_word_field_counts_what_the_stock_field_counts():
    from kb.analysis.tokenizers import CachedKbTokenizer

    analyzer = CachedKbTokenizer(default_vocab().analysis)
    fast = WordField(analyzer=analyzer, phrase=False)
    stock = TEXT(analyzer=analyzer, phrase=False)
    text = "高压双电源客户办电时间不超过15个工作日，高压单电源客户不超过十个工作日。供电、供电、供电。"
    assert sorted(fast.index(text)) == sorted(stock.index(text))


def test_fields_a_word_field_cannot_count_go_the_stock_way():
    positions = WordField(phrase=True)  # positions need the token stream
    assert sorted(positions.index("alpha beta alpha")) == sorted(TEXT(phrase=True).index("alpha beta alpha"))


def test_documents_added_out_of_order_still_come_out_sorted():
    pool = TermPool()
    for docnum in (5, 1, 3):
        pool.add(("text", b"word", docnum, 1.0, b""))
    pool.add(("label", b"word", 2, 1.0, b""))
    assert list(pool.iter_postings()) == [("label", b"word", 2, 1.0, b""), ("text", b"word", 1, 1.0, b""),
                                          ("text", b"word", 3, 1.0, b""), ("text", b"word", 5, 1.0, b"")]


@pytest.mark.parametrize("values", [["a b", "b c", "c a"], [f"t{n % 7} t{n % 3}" for n in range(400)]])
def test_any_schema_of_stock_fields_writes_the_same(tmp_path, values):
    schema = Schema(id=ID(stored=True), body=TEXT(stored=True), note=STORED)
    stock_ix = whoosh_index.create_in(str(tmp_path), schema, indexname="stock")
    fast_ix = whoosh_index.create_in(str(tmp_path), schema, indexname="fast")
    for writer in (stock_ix.writer(), KbSegmentWriter(fast_ix)):
        for number, value in enumerate(values):
            writer.add_document(id=str(number), body=value, note=number)
        writer.commit()
    assert _snapshot(fast_ix) == _snapshot(stock_ix)


def test_a_pool_left_to_its_process_keeps_its_postings_at_cleanup():
    kept, released = TermPool(release=False), TermPool()
    for pool in (kept, released):
        pool.add(("text", b"b", 0, 1.0, b"\x01"))
        pool.cleanup()
    assert list(kept.iter_postings()) == [("text", b"b", 0, 1.0, b"\x01")]
    assert list(released.iter_postings()) == []


def test_a_value_repeated_on_the_next_document_gives_the_same_postings(tmp_path):
    """A title on every clause of its document is analysed once; the segment is the stock writer's."""
    from whoosh.writing import SegmentWriter

    schema = make_schema(default_vocab())
    rows = [{"title": "供电营业规则", "text": f"第{n}条 供电企业应当在{n}日内答复", "doc_id": "a"} for n in range(1, 5)]
    rows += [{"title": "供电营业规则", "text": "", "doc_id": "a"}, {"title": "电力法", "text": "电力法", "doc_id": "b"}]
    postings = []
    for name, make in (("kb", KbSegmentWriter), ("stock", SegmentWriter)):
        (tmp_path / name).mkdir()
        ix = whoosh_index.create_in(str(tmp_path / name), schema)
        writer = make(ix)
        for row in rows:
            writer.add_document(**row)
        writer.commit()
        with ix.searcher() as searcher:
            reader = searcher.reader()
            postings.append(([(f, t, list(reader.postings(f, t).items_as("frequency"))) for f, t in reader.all_terms()],
                             [searcher.stored_fields(n) for n in range(len(rows))],
                             [reader.doc_field_length(n, "title") for n in range(len(rows))]))
    assert postings[0] == postings[1]
