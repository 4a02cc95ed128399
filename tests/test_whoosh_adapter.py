"""Each private Whoosh path of kb/index/whoosh_adapter.py gives what Whoosh's public interface gives, on a
real index: the one place to check when whoosh3 is upgraded."""

from __future__ import annotations

import pytest
from whoosh.scoring import BM25F
from whoosh.util.numeric import length_to_byte

from kb.index import whoosh_adapter as adapter
from kb.index.postings import KbSegmentWriter, WordField
from kb.index.schema import WORD_FIELDS


@pytest.fixture(scope="module")
def segments(corpus_index):
    with corpus_index.searcher() as searcher:
        yield [sub.reader() for sub, _offset in searcher.leaf_searchers()]


def _terms(reader, fieldname: str, limit: int = 40) -> list[str]:
    found = []
    for name, btext in reader.all_terms():
        if name == fieldname:
            found.append(btext.decode("utf-8"))
        if len(found) >= limit:
            break
    return found


def test_the_length_column_is_each_documents_length_byte(segments):
    for reader in segments:
        for fieldname in WORD_FIELDS:
            column = adapter.length_column(adapter.segment_perdoc(reader), fieldname)
            public = bytes(length_to_byte(reader.doc_field_length(d, fieldname, 0) or 0)
                           for d in range(reader.doc_count_all()))
            assert column is not None and bytes(column) == public, fieldname


def test_blocks_decode_to_the_postings_a_public_matcher_steps_through(segments):
    for reader in segments:
        for fieldname in ("text", "title", "grams"):
            for text in _terms(reader, fieldname):
                public = reader.postings(fieldname, text)
                expected = []
                while public.is_active():
                    expected.append((public.id(), public.weight()))
                    public.next()
                matcher = reader.postings(fieldname, text)
                assert adapter.readable_blocks(matcher)
                got = []
                while matcher.is_active():
                    last = adapter.block_max_id(matcher)
                    ids, weights = adapter.block_data(matcher)
                    if weights is None or isinstance(weights, float):
                        weights = [1.0 if weights is None else weights] * len(ids)
                    assert ids[-1] == last
                    got += list(zip(ids, weights, strict=True))
                    adapter.next_block(matcher)
                assert [(d, pytest.approx(w)) for d, w in got] == expected, (fieldname, text)


def _unpacked(blocks, target: int = -1) -> list:
    found = []
    while blocks.advance(target):
        found.append((blocks.last, *blocks.unpack()))
    return found


def test_packed_blocks_are_the_blocks_a_matcher_steps_through(segments):
    for reader in segments:
        for fieldname in ("text", "title", "grams"):
            for text in _terms(reader, fieldname):
                packed = adapter.packed_blocks(reader, reader.term_info(fieldname, text))
                assert packed is not None, (fieldname, text)
                matcher = reader.postings(fieldname, text)
                expected = []
                while matcher.is_active():
                    ids, weights = adapter.block_data(matcher)
                    expected.append((adapter.block_max_id(matcher), list(ids), weights))
                    adapter.next_block(matcher)
                assert _unpacked(packed) == expected, (fieldname, text)


def test_packed_blocks_step_over_the_blocks_ending_before_a_document(segments):
    reader = segments[0]
    text = max(_terms(reader, "text", 10**6), key=lambda t: reader.doc_frequency("text", t))
    info = reader.term_info("text", text)
    every = _unpacked(adapter.packed_blocks(reader, info))
    assert len(every) > 2
    for block in (1, len(every) - 1):
        blocks = adapter.packed_blocks(reader, info)
        assert blocks.advance(every[block - 1][0] + 1)  # just past the block before: this one
        assert (blocks.last, *blocks.unpack()) == every[block]
        assert _unpacked(blocks) == every[block + 1:]
    assert not adapter.packed_blocks(reader, info).advance(every[-1][0] + 1)


def test_postings_opened_from_the_term_info_equal_the_public_ones(segments):
    for reader in segments:
        for text in _terms(reader, "text"):
            info = reader.term_info("text", text)
            fast, public = adapter.term_postings(reader, "text", text, info), reader.postings("text", text)
            assert list(fast.all_ids()) == list(public.all_ids()), text


def test_a_fields_b_is_the_one_bm25f_scores_it_with():
    weighting = BM25F(B=0.75, K1=1.2, title_B=0.3)
    assert adapter.field_b(weighting, "title") == 0.3 and adapter.field_b(weighting, "text") == 0.75


def test_the_pooled_writer_is_used_on_whoosh_3s_codec(tmp_path):
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, Schema

    schema = Schema(doc_id=ID(stored=True), text=WordField(stored=True))
    ix = whoosh_index.create_in(str(tmp_path), schema)
    writer = KbSegmentWriter(ix)
    assert adapter.can_write_terms(writer.fieldwriter) and writer.pooled  # else the fast path is off
    writer.add_document(doc_id="a", text="供电 企业")
    writer.commit()
    with whoosh_index.open_dir(str(tmp_path)).searcher() as searcher:
        assert [hit["doc_id"] for hit in searcher.documents()] == ["a"]


def test_a_counted_file_tells_what_the_file_itself_tells(tmp_path):
    import pickle
    from array import array

    from whoosh.filedb.structfile import StructFile

    from kb.index.whoosh_adapter import _CountedFile

    with open(tmp_path / "plain", "wb") as plain_file, open(tmp_path / "counted", "wb") as counted_file:
        plain, counted = StructFile(plain_file), StructFile(_CountedFile(counted_file))
        for structfile in (plain, counted):
            structfile.write(b"W3Bl")
            structfile.write_int(-7)
            structfile.write_array(array("I", [1, 2, 3]))
            structfile.write_pickle({"供电": (1, 2.5)})
            pickle.dump([b"x" * 100], structfile.file, 2)
            structfile.seek(2)
            structfile.write(b"zz")
            structfile.seek(0, 2)
        assert counted.tell() == plain.tell() == plain_file.tell() == counted_file.tell()
        counted.flush()
        plain.flush()
    assert (tmp_path / "counted").read_bytes() == (tmp_path / "plain").read_bytes()


def _segment_files(folder) -> dict[str, bytes]:
    """Every sub-file of a one-segment index, named without the segment's random id."""
    from whoosh import index as whoosh_index
    from whoosh.filedb.compound import CompoundStorage

    ix = whoosh_index.open_dir(str(folder))
    (segment,) = ix._segments()
    storage = CompoundStorage(ix.storage.open_file(segment.make_filename(".seg")), use_mmap=False)
    return {name.replace(segment.segment_id(), ""): storage.open_file(name).read() for name in storage.list()}


def test_the_term_writer_writes_the_bytes_of_the_codecs_own_calls(tmp_path, monkeypatch):
    """The whole corpus, a term in exactly two full blocks and one in three (tests/test_postings.py):
    every sub-file of the segment written term by term equals the one the codec's block calls write."""
    from whoosh import index as whoosh_index

    from kb.index.schema import make_schema
    from kb.vocab import default_vocab
    from tests.test_postings import _entries

    entries = _entries()
    files = {}
    for name, fused in (("fused", True), ("blocks", False)):
        if not fused:
            monkeypatch.setattr(adapter.TermWriter, "can_write", staticmethod(lambda _fieldwriter: False))
        folder = tmp_path / name
        folder.mkdir()
        writer = KbSegmentWriter(whoosh_index.create_in(str(folder), make_schema(default_vocab())))
        for fields in entries:
            writer.add_document(**fields)
        writer.commit()
        files[name] = _segment_files(folder)
    assert any(name.endswith(".pst") for name in files["fused"])
    assert files["fused"] == files["blocks"]


def test_a_term_writer_takes_only_a_field_writer_it_knows(tmp_path):
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, Schema

    writer = KbSegmentWriter(whoosh_index.create_in(str(tmp_path), Schema(doc_id=ID)))
    assert not adapter.TermWriter.can_write(writer.fieldwriter)  # no field started yet
    writer.fieldwriter.start_field("doc_id", writer.schema["doc_id"])
    assert adapter.TermWriter.can_write(writer.fieldwriter)
    assert not adapter.TermWriter.can_write(object())
    writer.cancel()
