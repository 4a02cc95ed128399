"""Every reach into Whoosh 3's private codec, writer and reader attributes, in one place.

kb writes and scores postings faster than Whoosh's public interface allows (``kb.index.postings``,
``kb.search.scoring``): it fills the codec's block buffers directly, reads a segment's length column in one
go, steps block matchers a block at a time and opens a term's postings from the term info already read.
Those paths use names Whoosh does not promise to keep; they are all here, each with a public fallback or
a clear failure, and ``tests/test_whoosh_adapter.py`` checks each against Whoosh's public path. When a
whoosh3 release comes (the dependency is pinned below 3.55), this module and its tests are what to check.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Callable, Sequence
from itertools import accumulate
from operator import sub
from pickle import dumps, load, loads
from typing import Any

from whoosh.codec.whoosh3 import (
    COMPRESSION_MIN_SIZE,
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3FieldWriter,
    W3PerDocWriter,
    W3PostingsWriter,
    W3TermInfo,
    _lenfield,
)
from whoosh.filedb.structfile import BufferFile
from whoosh.reading import CorruptIndexError
from whoosh.system import _INT_SIZE, pack_int, pack_long, pack_ushort, unpack_int
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

# -- writing ----------------------------------------------------------------------------------------


def can_write_terms(fieldwriter: object) -> bool:
    """Whether the block filling below knows this field writer (Whoosh 3's codec, blocks written on the fly)."""
    return type(fieldwriter) is W3FieldWriter


def inline_limit(fieldwriter: W3FieldWriter) -> int:
    """How many postings the codec inlines in a term's info instead of writing blocks (1: none)."""
    return fieldwriter._codec._inlinelimit


class _CountedFile:
    """A file being written that counts the bytes written through it, so that ``tell`` is no system call.

    ``tell`` on a buffered file asks the operating system every time (``lseek``); the codec asks four times
    per term (where its postings start and end, where its entry in the terms file goes), a few per cent of
    a build. Everything but ``write``, ``tell`` and ``seek`` goes to the file itself."""

    def __init__(self, file: Any) -> None:
        self._file = file
        self._position = file.tell()

    def write(self, data: Any) -> int:
        written = self._file.write(data)  # a buffered file writes all of it (or raises)
        self._position += written
        return written

    def tell(self) -> int:
        return self._position

    def seek(self, *args: Any) -> int:
        self._position = self._file.seek(*args)
        return self._position

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


def count_positions(fieldwriter: W3FieldWriter) -> None:
    """Have the field writer's postings and terms files count their positions (``_CountedFile``)."""
    for structfile in (fieldwriter._postfile, fieldwriter._tindex.dbfile):
        structfile.file = _CountedFile(structfile.file)


def postings_writer(fieldwriter: W3FieldWriter) -> W3PostingsWriter:
    """The postings writer of the term the field writer has started."""
    return fieldwriter._postwriter


def block_limit(postwriter: W3PostingsWriter) -> int:
    """How many postings one block holds."""
    return postwriter._blocklimit


def write_block(postwriter: W3PostingsWriter) -> None:
    """Write the block filled so far and start the next one, as ``add_posting`` does when a block is full."""
    postwriter._write_block()


def fill_block(postwriter: W3PostingsWriter, ids: Sequence[int], weights: Sequence[float], values: list[bytes],
               lengths: list[int]) -> None:
    """Set a block's buffers and statistics as ``add_posting`` would have, posting by posting.

    Args:
        postwriter: the term's postings writer (``postings_writer``).
        ids: the block's document numbers, ascending.
        weights: each posting's weight.
        values: the postings' encoded values that are not empty.
        lengths: the field lengths of the block's documents that are not zero.
    """
    postwriter._ids = array("I", ids)
    postwriter._weights = array("f", weights)
    postwriter._values = values
    postwriter._maxweight = max(0, max(weights))
    postwriter._minlength = min(lengths) if lengths else None
    postwriter._maxlength = max(lengths) if lengths else 0


class TermWriter:
    """Writes whole terms of the field a Whoosh 3 field writer has started: what ``start_term``, the
    postings writer's ``add_posting`` / ``_write_block`` / ``finish_postings`` and ``finish_term`` write
    for a term, worked out in one call per term. At a law library's millions of terms (most of them one
    block of a few postings) those dozen calls and attribute lookups per term were most of a commit's
    Python time. The bytes — block header, block info and data (pickled, zlib-compressed from the same
    size), term info — are the codec's to the byte; ``tests/test_whoosh_adapter.py`` compares the files
    with the stock calls'. Only for a codec that inlines nothing (``inline_limit`` ≤ 1) and an integer-id
    postings writer."""

    def __init__(self, fieldwriter: W3FieldWriter) -> None:
        # Made only for a field writer ``can_write`` accepts (``write_terms`` asks it first).
        postwriter = fieldwriter._postwriter
        self._file = fieldwriter._postfile  # its ``file`` counts its own position (``count_positions``)
        self._add_term = fieldwriter._tindex.add
        self._prefix = pack_ushort(fieldwriter._fieldid)
        self._limit = postwriter._blocklimit
        self._compression = postwriter._compression
        self._fixed_size = fieldwriter._format.fixed_value_size()

    @staticmethod
    def can_write(fieldwriter: object) -> bool:
        """Whether this knows the field writer and its postings writer (Whoosh 3's, integer ids, no inlining)."""
        postwriter = getattr(fieldwriter, "_postwriter", None)
        return (type(fieldwriter) is W3FieldWriter and type(postwriter) is W3PostingsWriter
                and not postwriter._byteids and postwriter._inlinelimit <= 1)

    def write(self, btext: bytes, postings: list[tuple[int, float, bytes | None]],
              field_length: Callable[[int], int | None]) -> None:
        """Write one term: its ``postings`` (document number, weight, encoded value; by document number, at
        least one) in blocks, and its entry in the terms table. ``field_length`` gives a document's field
        length (None or 0 when it has none)."""
        out = [WHOOSH3_HEADER_MAGIC]
        # The term info's statistics, as W3TermInfo.add_block accumulates them block by block.
        total_weight: float = 0
        minlength: int | None = None
        maxlength = maxweight = 0
        limit, fixed_size = self._limit, self._fixed_size
        count = len(postings)
        for at in range(0, count, limit):
            ids, weights, values = zip(*postings[at : at + limit], strict=True)
            lengths = list(filter(None, map(field_length, ids)))
            stored_weights = array("f", weights)  # as the block holds them: single precision
            size = len(ids)
            block_maxweight = max(0, max(weights))
            block_minlength = min(lengths) if lengths else None
            block_maxlength = max(lengths) if lengths else 0
            total_weight += sum(stored_weights)
            minlength = block_minlength if minlength is None else min(minlength, block_minlength)  # type: ignore[type-var]
            maxlength = max(maxlength, block_maxlength)
            maxweight = max(maxweight, block_maxweight)
            # _mini_ids, _mini_weights, _mini_values
            deltas = (ids[0], *map(sub, ids[1:], ids[:-1]))
            if stored_weights.count(1.0) == size:
                mini_weights: Any = None
            elif stored_weights.count(stored_weights[0]) == size:
                mini_weights = stored_weights[0]
            else:
                mini_weights = tuple(stored_weights)
            kept = list(filter(None, values))
            if fixed_size is None or fixed_size < 0:
                mini_values: Any = tuple(kept)
            elif fixed_size == 0:
                mini_values = None
            else:
                mini_values = b"".join(kept)
            data = dumps((deltas, mini_weights, mini_values), 2)
            compression = self._compression if len(data) >= COMPRESSION_MIN_SIZE else 0
            if compression:
                data = zlib.compress(data, compression)
            info = dumps((size, ids[-1], block_maxweight, compression, length_to_byte(block_minlength),
                          length_to_byte(block_maxlength)), 2)
            blocklength = len(info) + len(data)
            out += (pack_int(-blocklength if at + limit >= count else blocklength), info, data)
        chunk = b"".join(out)
        file = self._file
        start = file.tell()
        file.write(chunk)
        # W3TermInfo.to_bytes of a term not inlined: its statistics, then where its postings are.
        terminfo = W3TermInfo._struct.pack(
            False, total_weight, count, 0 if minlength is None else length_to_byte(minlength),
            length_to_byte(maxlength), maxweight, postings[0][0], postings[-1][0])
        self._add_term(self._prefix + btext, terminfo + pack_long(start) + pack_int(len(chunk)))


class DocumentColumns:
    """What a Whoosh 3 per-document writer writes for a document — its stored fields and the lengths of its
    fields — in one call: the columns ``start_doc``, an ``add_field`` per field and ``finish_doc`` write
    to, without a call and a column lookup per field (16 fields a clause). The columns are made in the
    order the stock calls make them (each length column when a field first has a length)."""

    def __init__(self, perdocwriter: W3PerDocWriter) -> None:
        self._perdoc = perdocwriter
        self._length_columns: dict[str, Any] = {}

    @staticmethod
    def can_write(perdocwriter: object) -> bool:
        """Whether this knows the per-document writer (Whoosh 3's own)."""
        return type(perdocwriter) is W3PerDocWriter

    def add(self, docnum: int, stored: dict, lengths: list[tuple[str, int]]) -> None:
        """Write document ``docnum``: its ``stored`` fields (name → value) and the ``lengths`` of its fields
        (name, length > 0), in field name order."""
        perdoc = self._perdoc
        perdoc.start_doc(docnum)
        columns = self._length_columns
        totals = perdoc._fieldlengths
        for fieldname, length in lengths:
            column = columns.get(fieldname)
            if column is None:
                name = _lenfield(fieldname)
                if not perdoc._has_column(name):
                    perdoc._create_column(name, LENGTHS_COLUMN)
                column = columns[fieldname] = perdoc._get_column(name)
            column.add(docnum, length_to_byte(length))
            totals[fieldname] += length
        if stored:
            perdoc._get_column("_stored").add(docnum, stored)
        perdoc._indoc = False


class PooledSegmentWriter(SegmentWriter):
    """Whoosh's segment writer whose flush, when ``pooled`` is set, hands the field writer and the segment's
    length reader to ``write_pool`` instead of sorting and adding every posting (Whoosh's
    ``_flush_segment``, with the posting loop replaced)."""

    pooled = False

    def write_pool(self, fieldwriter: W3FieldWriter, lengths: Any) -> None:
        """Write the pooled postings to ``fieldwriter`` with the field ``lengths`` (a subclass's job)."""
        raise NotImplementedError

    def _flush_segment(self) -> None:
        if not self.pooled:
            super()._flush_segment()
            return
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        self.write_pool(self.fieldwriter, lengths)
        self.fieldwriter.close()
        if lengths:
            lengths.close()


def finalize_segment(writer: SegmentWriter) -> Any:
    """Close a sub-writer's segment without adding it to the index's table of contents (what
    ``whoosh.multiproc.SubWriterTask`` does with ``multisegment=True``); the parent adds it."""
    return writer._finalize_segment()


# -- reading ----------------------------------------------------------------------------------------


def length_column(perdoc: Any, fieldname: str) -> Any:
    """Every document's length byte for a field, from a Whoosh 3 per-document reader's length column in one
    read (a sequence of byte values, as Whoosh's column loads it); None where the reader or the column is
    not one this knows.

    Args:
        perdoc: a per-document reader (``per_document_reader()`` of a writer, or ``segment_perdoc``).
        fieldname: the field.
    """
    try:
        column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    except AttributeError:
        return None
    return None if column is None else column.load()


def segment_perdoc(reader: Any) -> Any:
    """The per-document reader behind a segment reader, or None."""
    return getattr(reader, "_perdoc", None)


def readable_blocks(matcher: Any) -> bool:
    """Whether a matcher is Whoosh 3's block matcher, which ``block_max_id``/``next_block``/``block_data`` read."""
    return all(hasattr(matcher, name) for name in ("_read_data", "_next_block", "_maxid", "_byteids", "_data"))


def block_max_id(matcher: Any) -> int:
    """The last document number of the matcher's current block."""
    return matcher._maxid


def next_block(matcher: Any) -> None:
    """Move the matcher to its next block."""
    matcher._next_block()


def block_data(block: Any) -> tuple[Sequence[int], Sequence[float] | float | None]:
    """A block matcher's current block as (document numbers, weights): weights are None when every weight is
    1.0, a float when all are that value, else a sequence. The same decoding as Whoosh 3's ``_read_ids`` and
    ``_read_weights``, with the ids' deltas summed by ``itertools.accumulate`` (in C) instead of a generator,
    and no array of ones made for unit weights."""
    if block._data is None:
        block._read_data()
    ids, weights = block._data[0], block._data[1]
    if not block._byteids:
        ids = list(accumulate(ids))
    return ids, weights


def packed_blocks(reader: Any, info: Any) -> PackedBlocks | None:
    """A term's posting blocks in one segment, read from the postings file's buffer without a matcher
    (``PackedBlocks``); None where the segment is not a plain Whoosh 3 one held in memory, has deletions, or
    the term's postings are inlined in its info (then open a matcher).

    Args:
        reader: a segment reader.
        info: the term's ``TermInfo`` in that segment (``reader.term_info``).
    """
    postfile = getattr(getattr(reader, "_terms", None), "_postfile", None)
    if (type(postfile) is not BufferFile or not isinstance(postfile._buf, memoryview) or reader.has_deletions()
            or info.is_inlined()):
        return None
    offset, _length = info.extent()
    return PackedBlocks(postfile.file, postfile._buf, offset)


class PackedBlocks:
    """A term's posting blocks in one segment, stepped through by their headers: ``advance`` moves to the next
    block ending at or after a document number, ``unpack`` decodes the block it stands on (a block stepped
    over is never decompressed).

    The headers are read as ``W3LeafMatcher._goto`` reads them, through the postings file's shared position (a
    search holds the searcher alone, as with Whoosh's own matchers); what this saves is the matcher, the half
    dozen Python calls per block of its interface, and a step out to the caller for each block passed over
    (the common words of a question, read for a few candidates, have hundreds of blocks each).
    """

    __slots__ = ("_file", "_buffer", "_next", "_end", "_data_at", "_compression", "_done", "last")

    def __init__(self, file: Any, buffer: memoryview, offset: int) -> None:
        file.seek(offset)
        if file.read(len(WHOOSH3_HEADER_MAGIC)) != WHOOSH3_HEADER_MAGIC:
            raise CorruptIndexError(f"Bad postings block tag at offset {offset}: the index appears corrupted")
        self._file, self._buffer = file, buffer
        self._next = offset + len(WHOOSH3_HEADER_MAGIC)  # where the next block's header starts
        self._end = self._data_at = self._compression = 0
        self._done = False
        self.last = -1  # the last document number of the block stood on

    def advance(self, target: int = -1) -> bool:
        """Move to the next block whose last document number is ``target`` or more (with the default, the next
        block); False when there is none."""
        file = self._file
        while not self._done:
            position = self._next
            file.seek(position)
            length = unpack_int(file.read(_INT_SIZE))[0]  # negative for a term's last block
            _size, last, _maxweight, compression, _minlength, _maxlength = load(file)
            self._next = end = position + _INT_SIZE + abs(length)
            self._done = length < 0
            if last >= target:
                self.last, self._compression, self._data_at, self._end = last, compression, file.tell(), end
                return True
        return False

    def unpack(self) -> tuple[Sequence[int], Sequence[float] | float | None]:
        """The block stood on as (document numbers, weights), decoded as ``block_data`` decodes a matcher's."""
        data = self._buffer[self._data_at:self._end]
        block = loads(zlib.decompress(data) if self._compression else data)
        return list(accumulate(block[0])), block[1]


def term_postings(reader: Any, fieldname: str, text: str, info: Any) -> Any:
    """A term's matcher in one segment, opened from its term info already read (the public
    ``reader.postings`` reads the info again); through ``reader.postings`` where the segment is not a plain
    Whoosh 3 one or has deletions. Raises ``TermNotFound`` from the public path as it does."""
    terms = getattr(reader, "_terms", None)
    codec, postfile = getattr(terms, "_codec", None), getattr(terms, "_postfile", None)
    if codec is None or postfile is None or reader.has_deletions():
        return reader.postings(fieldname, text)
    btext = reader._text_to_bytes(fieldname, text)
    return codec.postings_reader(postfile, info, reader.schema[fieldname].format, term=(fieldname, btext))


def field_b(weighting: Any, fieldname: str) -> float:
    """The B (length normalisation) a BM25F weighting uses for a field: its per-field B, else its B."""
    return getattr(weighting, "_field_B", {}).get(fieldname, weighting.B)

