"""Writing a Whoosh segment at the speed of a law library.

Whoosh's ``SegmentWriter`` spends some twenty microseconds on every posting: a generator step and a
dictionary update per token in ``Format.word_values``, a size estimate and assertions in
``PostingPool.add``, a sort of every posting tuple at commit, and a call with four type checks per
posting in ``W3PostingsWriter.add_posting``. At 150,000 clauses and ten million postings that was most
of a build. Three replacements keep Whoosh's own files, codec and block layout and drop the
per-posting work:

* ``WordField`` — a TEXT field that counts its analyzer's words with one ``Counter`` when the analyzer
  offers them as plain strings (``words``), instead of stepping through Token objects;
* ``TermPool`` — postings grouped by term as they arrive (a segment's documents come in order, so each
  term's list is already sorted): a sort of the distinct terms replaces a sort of every posting;
* ``write_terms`` — each term's posting blocks and term info written in one call per term
  (``whoosh_adapter.TermWriter``, the codec's bytes worked out as its calls do), or filled by slicing
  its lists and written by the codec's own ``_write_block`` where that writer does not apply.

``KbSegmentWriter`` puts them together; tests check its segments equal the stock writer's posting for
posting. The pool holds the whole segment in memory (about 1 GB per 5 M postings), which is what a
build of one corpus part needs and no more.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from itertools import repeat
from typing import Any

from whoosh import formats
from whoosh.codec.whoosh3 import W3FieldWriter, W3PostingsWriter
from whoosh.fields import TEXT
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length

from kb.index.whoosh_adapter import (
    DocumentColumns,
    PooledSegmentWriter,
    TermWriter,
    block_limit,
    can_write_terms,
    count_positions,
    fill_block,
    inline_limit,
    length_column,
    postings_writer,
    write_block,
)

# A posting's packed frequency, made once for the frequencies nearly every posting has (a constant table,
# not a cache); a larger one is packed as it comes.
PACKED_FREQUENCIES = tuple(pack_uint(freq) for freq in range(256))


class _PackedFrequency(dict):
    """freq → its packed bytes: ``PACKED_FREQUENCIES``' for those, packed afresh (never kept) for a larger one,
    looked up by ``map`` at C speed for a whole field's frequencies."""

    def __missing__(self, freq: int) -> bytes:
        return pack_uint(freq)


PACKED = _PackedFrequency(enumerate(PACKED_FREQUENCIES))

EXACT_MEMO = 4096  # exact-value fields' terms remembered per value (a few per document)

# A field value's postings as columns: each term's bytes, its weight and its encoded value (in the same
# order), and the field's length (0 when it is not scored).
FieldPostings = tuple[list[bytes], list[float], list[bytes], int]

_consume = deque(maxlen=0).extend  # runs an iterator to its end in C, keeping nothing


def _packed(freq: int) -> bytes:
    return PACKED[freq]


class WordField(TEXT):
    """A TEXT field that indexes ``analyzer.words(value)`` in one step when the analyzer has it.

    The postings are the ones ``Frequency.word_values`` would make — (word, frequency, frequency ×
    field boost, packed frequency) — so the field stays an ordinary Whoosh TEXT field to every reader.
    Any other format or analyzer goes the stock way.
    """

    # whoosh declares a generator; its writer only iterates what ``index`` returns, and a list is faster here.
    def index(self, value: Any, **kwargs: Any) -> list[tuple[bytes, int, float, bytes]]:  # type: ignore[override]
        """The terms of ``value`` with their frequencies, from the analyzer's word list when it has one (no
        token objects); otherwise Whoosh's own path, with ``kwargs`` passed through."""
        words: Callable[[str], Iterable[str]] | None = getattr(self.analyzer, "words", None)
        if words is None or type(self.format) is not formats.Frequency or not isinstance(value, str):
            return list(super().index(value, **kwargs))
        boost = self.format.field_boost
        return [(word.encode("utf-8"), freq, float(freq) * boost, _packed(freq))
                for word, freq in Counter(words(value)).items()]

    def postings(self, value: Any) -> FieldPostings | None:
        """What ``index`` gives, as columns (``FieldPostings``), each made by one C-speed ``map`` over the
        words counted; None where ``index`` goes the stock way."""
        words: Callable[[str], list[str]] | None = getattr(self.analyzer, "words", None)
        if words is None or type(self.format) is not formats.Frequency or not isinstance(value, str):
            return None
        found = words(value)
        counts = Counter(found)
        freqs = counts.values()
        boost = self.format.field_boost
        weights = list(map(float, freqs)) if boost == 1.0 else [float(freq) * boost for freq in freqs]
        # The field's length is its frequencies' sum, which is how many words there were.
        return list(map(str.encode, counts)), weights, list(map(PACKED.__getitem__, freqs)), \
            len(found) if self.scorable else 0


class TermPool:
    """The writer's posting pool, holding each term's postings together in arrival order, by field and term
    (a dictionary per field: a posting is filed under its term's bytes, with no (field, term) key made and
    hashed for it)."""

    def __init__(self, release: bool = True) -> None:
        self._fields: dict[str, dict[bytes, list[tuple[int, float, bytes | None]]]] = {}
        self.release = release  # False: ``cleanup`` keeps the postings (the process ends with the segment)
        self._last_docnum = -1
        self._in_order = True  # add_document adds a document's postings before the next document's

    @property
    def fieldnames(self) -> set[str]:
        """The fields with postings."""
        return {name for name, terms in self._fields.items() if terms}

    def field_terms(self, fieldname: str) -> dict[bytes, list[tuple[int, float, bytes | None]]]:
        """The term → postings table of one field, to file postings in (``add_document``); a term not there
        yet is given an empty list when it is looked up with ``[]`` (``get`` adds nothing)."""
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = defaultdict(list)
        return terms

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """Keep one posting ``item`` (field, term, document, weight, value) under its field and term."""
        terms = self.field_terms(item[0])
        postings = terms.get(item[1])
        if postings is None:
            postings = terms[item[1]] = []
        docnum = item[2]
        postings.append(item[2:])
        if docnum < self._last_docnum:
            self._in_order = False
        self._last_docnum = docnum

    def grouped(self) -> Iterator[tuple[str, bytes, list[tuple[int, float, bytes | None]]]]:
        """(field name, term bytes, postings by document number) in the order the codec wants terms: by field,
        then by term (the order of the (field, term) pairs sorted)."""
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            for btext in sorted(terms):
                postings = terms[btext]
                if not self._in_order:
                    postings.sort()
                yield fieldname, btext, postings

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes | None]]:
        """The stock pool's interface: every posting, sorted."""
        for fieldname, btext, postings in self.grouped():
            for docnum, weight, vbytes in postings:
                yield fieldname, btext, docnum, weight, vbytes

    def cleanup(self) -> None:
        """Forget the postings kept (the writer's pool interface), unless they are to go with the process."""
        if self.release:
            self._fields.clear()


def write_terms(fieldwriter: W3FieldWriter, schema, lengths, terms: Iterable[tuple[str, bytes, list]]) -> None:
    """Write grouped postings through ``fieldwriter``: the same calls ``FieldWriter.add_postings`` makes,
    with each block's buffers filled from slices instead of one ``add_posting`` per posting."""
    field_length: Callable[[int], int | None] = lambda _docnum: 0  # noqa: E731
    current = None
    term_writer: TermWriter | None = None
    for fieldname, btext, postings in terms:
        if fieldname != current:
            if current is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            current = fieldname
            field_length = _length_reader(lengths, fieldname)
            term_writer = TermWriter(fieldwriter) if TermWriter.can_write(fieldwriter) else None
        if term_writer is not None:  # the whole term in one call
            term_writer.write(btext, postings, field_length)
            continue
        fieldwriter.start_term(btext)
        postwriter = postings_writer(fieldwriter)
        limit = block_limit(postwriter)
        for start in range(0, len(postings), limit):
            if start:
                write_block(postwriter)
            _fill_block(postwriter, postings[start : start + limit], field_length)
        fieldwriter.finish_term()
    if current is not None:
        fieldwriter.finish_field()


def _length_reader(lengths, fieldname: str) -> Callable[[int], int | None]:
    """Each document's field length as the stock writer reads it per posting, looked up in a list made
    from the segment's length column in one read (the per-posting column read was a fifth of a commit)."""
    if not lengths:
        return lambda _docnum: 0
    column = length_column(lengths, fieldname)
    if column is not None:
        return [byte_to_length(b) if b else None for b in column].__getitem__
    reader = getattr(lengths, "doc_field_length_reader", None)
    if reader is not None:
        return reader(fieldname)
    return lambda docnum: lengths.doc_field_length(docnum, fieldname)


def _fill_block(postwriter: W3PostingsWriter, postings: list[tuple[int, float, bytes | None]],
                field_length: Callable[[int], int | None]) -> None:
    """Set a block's buffers and statistics as ``add_posting`` would have, posting by posting."""
    # Transposed and filtered by C-speed builtins (zip, filter, map): one pass per list, no Python loop.
    ids, weights, values = zip(*postings, strict=True)
    fill_block(postwriter, ids, weights, list(filter(None, values)), list(filter(None, map(field_length, ids))))


class KbSegmentWriter(PooledSegmentWriter):
    """Whoosh's segment writer with the term pool and block filling above."""

    def __init__(self, ix, release_pool: bool = True, **kwargs: Any) -> None:
        """``release_pool`` False: the postings are not freed after the segment is written (a worker process
        that ends right after: freeing millions of tuples one by one is time it need not spend)."""
        super().__init__(ix, **kwargs)
        self._exact_terms: dict[tuple[str, Any], FieldPostings] = {}
        self._last_terms: dict[str, tuple[Any, FieldPostings]] = {}  # field → its last value and postings
        # Fields with term vectors or a separate spelling field: documents holding one go Whoosh's way.
        self._stock_fields = {name for name, field in self.schema.items() if field.vector or field.separate_spelling()}
        # The field names a document gives (in the order given) → how its fields are written (``_plan``).
        self._plans: dict[tuple[str, ...], tuple | None] = {}
        if can_write_terms(self.fieldwriter) and inline_limit(self.fieldwriter) <= 1:
            self.pool = TermPool(release_pool)
            self.pooled = True
            count_positions(self.fieldwriter)
        # The document's columns in one call, unless a field has a column of its own (none of kb's has).
        self._columns = (DocumentColumns(self.perdocwriter) if DocumentColumns.can_write(self.perdocwriter)
                         and not any(field.column_type for _name, field in self.schema.items()) else None)

    def write_pool(self, fieldwriter: W3FieldWriter, lengths: Any) -> None:
        """Write the pooled terms to ``fieldwriter``, grouped by field and term, with the field ``lengths``."""
        write_terms(fieldwriter, self.schema, lengths, self.pool.grouped())

    def _plan(self, names: tuple[str, ...]) -> tuple | None:
        """For a document with the fields ``names``: (field name, field, its term → postings table or None
        when it is not indexed, whether it is stored) in field name order, as the stock writer visits them;
        None when such a document goes Whoosh's way. Worked out once per set of names (a build's documents
        all have the same), which also checks each name is the schema's, as ``_check_fields`` does."""
        if not self.pooled or self._columns is None or self._stock_fields.intersection(names) or any(
                name.startswith("_") for name in names):
            return None
        schema = self.schema
        fieldnames = sorted(names)
        self._check_fields(schema, fieldnames)
        pool = self.pool
        return tuple((name, schema[name], pool.field_terms(name) if schema[name].indexed else None,
                      schema[name].stored) for name in fieldnames)

    def add_document(self, **fields: Any) -> None:
        """Whoosh's ``SegmentWriter.add_document`` for a pooled writer, with each field's postings filed into
        the term pool's lists by C-speed ``map``s over its columns (no Python loop and no five-tuple per
        posting: about a tenth of a build was that loop), the terms of a field worked out once per value
        where values repeat (``_field_terms``), and the document's stored fields and lengths written in
        one call (``DocumentColumns``). The segment is the one the stock calls write; any field with a
        vector, spelling or column, or a writer that is not pooled, goes Whoosh's way."""
        names = tuple(fields)
        plan = self._plans.get(names, False)
        if plan is False:
            plan = self._plans[names] = self._plan(names)
        if plan is None:
            super().add_document(**fields)
            return
        self._check_state()
        docnum = self.docnum
        pool = self.pool
        if docnum < pool._last_docnum:
            pool._in_order = False
        pool._last_docnum = docnum
        stored: dict[str, Any] = {}
        lengths: list[tuple[str, int]] = []
        append = list.append
        for fieldname, field, terms, is_stored in plan:
            value = fields[fieldname]
            if value is None:
                continue
            if terms is not None:
                tbytes, weights, values, length = self._field_terms(fieldname, field, value)
                # terms[t].append((docnum, weight, value)) for each term, all in C.
                _consume(map(append, map(terms.__getitem__, tbytes), zip(repeat(docnum), weights, values)))
                if length:
                    lengths.append((fieldname, length))
            if is_stored:
                stored[fieldname] = value
        self._columns.add(docnum, stored, lengths)
        self._added = True
        self.docnum += 1

    def _field_terms(self, fieldname: str, field: Any, value: Any) -> FieldPostings:
        """The postings ``field.index(value)`` gives, as columns with the field's length (``FieldPostings``);
        remembered per value for an exact-value field, and for a word field while its value stays the
        same (a document's title on each of its clauses, a chapter's heading on its articles)."""
        if type(field.format) is not formats.Existence:
            last = self._last_terms.get(fieldname)
            if last is not None and last[0] == value:
                return last[1]
            terms = self._terms_of(field, value)
            self._last_terms[fieldname] = (value, terms)
            return terms
        memo = self._exact_terms
        key = (fieldname, value)
        found = memo.get(key)
        if found is None:
            if len(memo) >= EXACT_MEMO:
                memo.clear()
            found = memo[key] = self._terms_of(field, value)
        return found

    @staticmethod
    def _terms_of(field: Any, value: Any) -> FieldPostings:
        columns = field.postings(value) if isinstance(field, WordField) else None
        if columns is not None:
            return columns
        items = list(field.index(value))
        return ([item[0] for item in items], [item[2] for item in items], [item[3] for item in items],
                sum(item[1] for item in items) if field.scorable else 0)
