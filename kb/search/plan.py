"""Ranked clause search.

User text never reaches Whoosh's query parser: it is segmented with the
project's analyzer and turned into Term queries directly, so ``电*``,
``[a TO z]``, ``AND`` or quotes are just characters. Terms are OR-grouped and
ranked with BM25F (title and heading weigh more than body text); alias
expansions weigh less than what the user typed; a pasted paragraph is cut to
its most specific terms, and every search runs under a time limit.

The ranking is Whoosh's BM25F over Whoosh's postings, computed by ``kb.search.scoring``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from whoosh.query import And, Or, Query, Term

from kb.errors import IndexDamaged, SearchError
from kb.index.generation import READ_DAMAGE, OpenIndex
from kb.model import Hit, SearchResult
from kb.search.highlight import highlight
from kb.search.lookups import TermLookups
from kb.search.scoring import top
from kb.vocab import Vocab

MAX_QUERY_CHARS = 2000
MAX_TERMS = 24
MAX_LIMIT = 100
TIME_LIMIT_S = 1.0
# BM25F field weights, tuned on tests/test_search.py: the title and heading paths are short fields, so
# BM25's length normalisation already lifts a match there; weighting them above the body text broke 2–3 of
# the 22 questions, because every clause of a document shares its title.
FIELD_WEIGHTS = {"text": 1.0, "heading": 0.6, "title": 0.5, "label": 0.8}
SUBWORD_WEIGHT = 0.5
ALIAS_WEIGHT = 0.6
REGION_BOOST = 4.0  # a region named in the query prefers rules of that region, without excluding others
REGION_WORD_WEIGHT = 0.3  # …and its name then says little about the content
TITLE_BOOST = 10.0  # a document named in the query prefers its clauses


@dataclass(frozen=True)
class WeightedTerm:
    text: str
    weight: float


def query_terms(query: str, vocab: Vocab) -> list[WeightedTerm]:
    """The words of a query with their weights: typed words, their sub-words, then aliases — the query
    analyser's pieces (``Vocab.query``: words, aliases, stop words dropped), weighted."""
    pieces = list(vocab.query(query))
    weights: dict[str, float] = {}
    last_pos = -1
    for piece in pieces:
        if piece.alias:
            continue
        weight = 1.0 if piece.pos != last_pos else SUBWORD_WEIGHT
        last_pos = piece.pos
        weights[piece.text] = max(weights.get(piece.text, 0.0), weight)
    # A region the query names says little about the content: its words weigh less (before the aliases,
    # which never lower a word the query typed).
    norm = vocab.analysis.normalize(query).replace(" ", "")
    for region in vocab.regions_named_in(query):
        for name in vocab.regions[region].names:
            for piece in vocab.analysis.segment(name):
                if piece.text in weights and name in norm:
                    weights[piece.text] = min(weights[piece.text], REGION_WORD_WEIGHT)
    for piece in pieces:
        if piece.alias:
            weights.setdefault(piece.text, ALIAS_WEIGHT)
    return [WeightedTerm(text, weight) for text, weight in weights.items()]


def _field_frequencies(terms: list[WeightedTerm], lookups: TermLookups) -> dict[str, dict[str, int]]:
    """How many clauses have each word, per field: looked up once, for pruning and for the leaves."""
    return {t.text: {f: lookups.doc_frequency(f, t.text) for f in FIELD_WEIGHTS} for t in terms}


def _prune(terms: list[WeightedTerm], frequencies: dict[str, dict[str, int]]) -> list[WeightedTerm]:
    """Drop words no clause has; keep the rarest when a pasted paragraph brings too many."""
    frequency = {text: sum(by_field.values()) for text, by_field in frequencies.items()}
    present = [t for t in terms if frequency[t.text] > 0]
    if len(present) > MAX_TERMS:
        present = sorted(present, key=lambda t: (t.weight < 1.0, frequency[t.text]))[:MAX_TERMS]
    return present


def _word_leaves(terms: list[WeightedTerm], frequencies: dict[str, dict[str, int]]) -> list[Term]:
    """One Term per word and field that has it, boosted by the word's and the field's weight."""
    return [Term(name, t.text, boost=t.weight * weight)
            for t in terms for name, weight in FIELD_WEIGHTS.items() if frequencies[t.text][name]]


def _preferences(query: str, doc_ids: list[str], vocab: Vocab) -> list[Term]:
    boosts = [Term("region", r, boost=REGION_BOOST) for r in vocab.regions_named_in(query)[:1]
              if r != vocab.nationwide]
    return boosts + [Term("doc_id", d, boost=TITLE_BOOST) for d in doc_ids]


DOC_CHOICES_SHOWN = 12


def check_filters(index: OpenIndex, region: str | None, status: str | None,
                  doc: str | None) -> tuple[str | None, str | None, str | None]:
    """The filters as the index knows them (鄂尔多斯 → 鄂尔多斯市), or an ``InputError`` naming the choices: an
    unknown region, status or document is a mistake to say, not an empty result."""
    if region:
        region = index.vocab.region(region)
    if status:
        status = index.vocab.status(status)
    if doc:
        doc = doc.strip()
        if doc not in index.documents:
            ids = sorted(index.documents)
            shown = "、".join(ids[:DOC_CHOICES_SHOWN]) + ("…" if len(ids) > DOC_CHOICES_SHOWN else "")
            raise SearchError(f"没有编号为“{doc[:40]}”的文件。共{len(ids)}份文件，编号如：{shown}（全部见 /docs）")
    return region or None, status or None, doc or None


def _filter(region: str | None, status: str | None, doc: str | None, vocab: Vocab):
    parts: list[Query] = []
    if region:
        parts.append(Or([Term("region", r) for r in vocab.region_chain(region)]))
    if status:
        parts.append(Term("status", status))
    if doc:
        parts.append(Term("doc_id", doc))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


def plan(index: OpenIndex, searcher, query: str,
         lookups: TermLookups | None = None) -> tuple[list[WeightedTerm], list[Term]]:
    """The words a query is searched by and the weighted Term per word and field that ``kb.search.scoring`` ORs.

    With no word any clause has, the recall net: the query's bigrams, in the bigram field and among the
    words (a clause's bigrams that are also its words are indexed only as words, see
    ``kb.index.uncovered_bigrams``).
    """
    vocab = index.vocab
    doc_ids, rest = index.titles.named(query)
    lookups = lookups or TermLookups(searcher)
    wanted = query_terms(rest if doc_ids and rest.strip() else query, vocab)
    frequencies = _field_frequencies(wanted, lookups)
    terms = _prune(wanted, frequencies)
    if terms:
        return terms, _word_leaves(terms, frequencies) + _preferences(query, doc_ids, vocab)
    frequency = {g: lookups.doc_frequency("grams", g) + lookups.doc_frequency("text", g)
                 for g in {p.text for p in vocab.analysis.bigrams(query)}}
    present = sorted((g for g, df in frequency.items() if df), key=frequency.__getitem__)
    return terms, [Term(name, g) for g in present[:MAX_TERMS] for name in ("grams", "text")
                   if lookups.doc_frequency(name, g)]


def search(index: OpenIndex, query: str, region: str | None = None, status: str | None = None,
           doc: str | None = None, limit: int = 10, highlighted: int | None = None) -> SearchResult:
    """Clauses ranked for ``query``; bad input gives a result with a message, or SearchError.

    ``highlighted`` caps how many hits get highlights (all by default); the rest carry plain text.
    """
    started = time.perf_counter()
    if not isinstance(limit, int) or limit < 1 or limit > MAX_LIMIT:
        raise SearchError(f"limit 应为 1 到 {MAX_LIMIT} 之间的整数")
    region, status, doc = check_filters(index, region, status, doc)
    query = (query or "").replace("\x00", "")
    result = SearchResult(query=query)
    query = index.vocab.simplified(query)  # typed in traditional characters: the texts' own are simplified
    if not query.strip():
        result.message = "请输入要查找的内容。"
        return result
    if len(query) > MAX_QUERY_CHARS:
        query = query[:MAX_QUERY_CHARS]
        result.message = f"查询过长，只用了前 {MAX_QUERY_CHARS} 个字。"
    filter_query = _filter(region, status, doc, index.vocab)
    try:
        _run(index, query, limit, highlighted, (region, status, doc), filter_query, result)
    except READ_DAMAGE as error:
        # A segment that passed the size check on open but does not decode (bit-flipped): not a 500.
        raise IndexDamaged(f"the index cannot be read ({type(error).__name__}); run `kb check`, then `kb build`"
                           ) from error
    if not result.hits and not result.message:
        result.message = "没有找到相关条款。"
    result.elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    return result


def _run(index: OpenIndex, query: str, limit: int, highlighted: int | None, filters: tuple, filter_query,
         result: SearchResult) -> None:
    """Score the query over the open generation and fill ``result`` with the hits."""
    with index.searcher() as searcher:
        lookups = TermLookups(searcher)
        terms, leaves = plan(index, searcher, query, lookups)
        result.terms = [t.text for t in terms]
        if not leaves:
            searchable = next(iter(index.vocab.analysis.bigrams(query)), None) is not None
            result.message = result.message or ("没有找到相关条款。" if searchable else "查询里没有可检索的词。")
            return
        scored = top(index, searcher, leaves, limit, filters, filter_query, TIME_LIMIT_S, lookups)
        if scored.timed_out:
            result.timed_out = True
            result.message = "检索超时，以下为部分结果。"
        result.total = scored.matched
        terms_to_mark = {t.text for t in terms}
        for rank, (docnum, score) in enumerate(scored.top):
            hit = searcher.stored_fields(docnum)
            text = hit["text"]
            if highlighted is None or rank < highlighted:
                windows, marks, snippet = highlight(text, terms_to_mark, index.vocab.analysis)
            else:
                windows, marks, snippet = [(0, len(text))], [], text
            result.hits.append(Hit(
                doc_id=hit["doc_id"], title=hit["title"], region=hit["region"], status=hit["status"],
                doc_number=hit.get("doc_number") or "", clause_id=hit["clause_id"], label=hit["label"],
                heading=hit["heading"], text=text, snippet=snippet, score=round(score, 4),
                windows=windows, marks=marks,
            ))
