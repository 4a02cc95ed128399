"""The Whoosh schema every generation is written with, and the weighting a search scores it by."""

from __future__ import annotations

from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.scoring import BM25F

from kb.analysis.tokenizers import CachedKbTokenizer
from kb.index.postings import WordField
from kb.vocab import Vocab

# Bump when parsing or analysis changes in a way the fingerprint cannot see.
SCHEMA_VERSION = "5"

WORD_FIELDS = ("text", "heading", "title", "label", "grams")  # the BM25F fields a search scores


def make_schema(vocab: Vocab) -> Schema:
    """The schema, its word fields analysed with ``vocab``'s segmenter through one shared analyzer."""
    analyzer = CachedKbTokenizer(vocab.analysis)
    def words() -> WordField:
        return WordField(analyzer=analyzer, stored=True, phrase=False)  # type: ignore[arg-type]  # whoosh: a tokenizer is an analyzer

    # Only what a search matches, filters or boosts on is indexed: words (label, title, heading, text,
    # grams) and doc_id, region, status. The rest is stored for display; indexing the unique key, the
    # clause ids and the numeric order made ~8 postings and a term per clause that no query ever read.
    return Schema(
        key=STORED,
        doc_id=ID(stored=True),
        clause_id=STORED,
        kind=STORED,
        label=words(),
        title=words(),
        heading=words(),
        # No positions: nothing searches phrases (highlighting re-reads the text), and positions were a
        # third of the postings' bytes and of the time to decode them.
        text=words(),
        # The recall net: the clause's character bigrams that its words do not already cover, so a bigram
        # search over ``grams`` and ``text`` together finds every clause holding it (see kb.search). Law
        # articles (第X条), in the standard legal vocabulary the dictionary segments well, are left out:
        # they are 95% of a law library's clauses and the net would be a third of its postings.
        grams=TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=False),  # type: ignore[arg-type]  # whoosh: a tokenizer is an analyzer
        region=ID(stored=True),
        status=ID(stored=True),
        doc_kind=STORED,
        issued=STORED,
        effective=STORED,
        doc_number=STORED,
        order=STORED,
    )


def scoring() -> BM25F:
    """The weighting every search scores by: BM25F with B 0.75 and K1 1.2."""
    return BM25F(B=0.75, K1=1.2)


def analyzer_of(schema: Schema) -> CachedKbTokenizer:
    """The analyzer a schema's word fields share (``make_schema``)."""
    analyzer = schema["text"].analyzer
    assert isinstance(analyzer, CachedKbTokenizer), "a schema make_schema made"
    return analyzer
