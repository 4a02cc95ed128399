"""The public FAQ: plain-language questions and answers, each backed by the clauses it cites.

One Markdown file per entry under ``corpus/faq/``, with YAML front matter::

    ---
    id: gaoya-shuangdianyuan-shixian
    question: 高压双电源用户办电要多长时间？
    topic: 报装时限
    cites: ["002#att2-t1-r3"]
    order: 10
    ---
    The answer, in a few short sentences.

``check`` holds every entry to its sources: each cite must name a clause that
exists, and every figure the answer states (a number with its unit: 32个工作日,
7天, 200千瓦, 1‰, 2024年; or a hotline number such as 95598) must appear in
the text of a cited clause. Both sides are compared after ``normalize`` with
spaces and 个 removed, so 七天 in a clause matches 7天 in an answer, and
"1个、8个、11个工作日" in a clause states 1个工作日, 8个工作日 and 11个工作日.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kb.analysis.segment import Segmenter
from kb.corpus.documents import split_front_matter
from kb.errors import CorpusError, FrontMatterError
from kb.vocab import Vocab, default_vocab

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CITE = re.compile(r"^([^#\s]+)#([^#\s]+)$")
PLACEHOLDER = re.compile(r"TODO|TBD|FIXME|XXX|待补充|待定|待核实", re.I)
NUMBER = r"\d+(?:\.\d+)?"
# Separators of an enumeration whose last item carries the unit: 1个、8个、11个工作日; 1‰至3‰.
ENUM_SEPARATORS = r"(?:、|和|或|及|至|到|~|-|—|–)"
HOTLINE_DIGITS = 5


class FigureReader:
    """The figures a text states, for one vocabulary's units (its counters, with 个 removed, and the FAQ's
    own and the Latin units of ``kb/data/units.yaml``), compared after its ``normalize``."""

    def __init__(self, vocab: Vocab) -> None:
        self.normalize = vocab.analysis.normalize
        units = {u.replace("个", "") for u in vocab.units["counters"]} | set(vocab.units["faq_extra"])
        units.discard("")
        self.units = tuple(sorted(units, key=len, reverse=True))  # after 个 is removed, longest first
        chinese = [re.escape(u) for u in self.units]
        latin = [rf"{re.escape(u)}(?![a-z])" for u in vocab.units["latin"]]
        unit = "(?:" + "|".join(sorted(chinese + latin, key=len, reverse=True)) + ")"
        start = r"(?<![\d.])(?<!第)"
        # 1、8、11工作日 (the 个 already removed): every item takes the last item's unit.
        self.enum = re.compile(rf"{start}((?:{NUMBER}{ENUM_SEPARATORS})+)({NUMBER})({unit})")
        self.figure = re.compile(rf"{start}({NUMBER})({unit})")
        self.bare = re.compile(rf"{start}({NUMBER})(?![\d.])(?!{unit})")
        self.declared = re.compile(rf"单位:({unit})")

    def comparable(self, text: str) -> str:
        """``normalize`` with white space and 个 removed: the form figures are compared in."""
        return re.sub(r"\s+", "", self.normalize(text)).replace("个", "")

    def extract(self, text: str) -> list[str]:
        """The figures ``text`` states, in comparable form and reading order, each once.

        A number with its unit (32工作日, 7天, 1‰, 2024年, 10kv), every item of an enumeration with the
        unit its last item carries (1、4、8、15小时 → 1小时 … 15小时), and hotline-like numbers of five or
        more digits (95598). Article numbers (第28条) are references, not figures.
        """
        norm = self.comparable(text)
        found: list[tuple[int, str]] = []
        for match in self.enum.finditer(norm):
            unit = match.group(3)
            position = match.start()
            for number in re.findall(NUMBER, match.group(1)):
                found.append((position, number + unit))
                position += 1
        for match in self.figure.finditer(norm):
            found.append((match.start(), match.group(1) + match.group(2)))
        for match in self.bare.finditer(norm):
            number = match.group(1)
            if number.isdigit() and len(number) >= HOTLINE_DIGITS:
                found.append((match.start(), number))
        return list(dict.fromkeys(figure for _, figure in sorted(found, key=lambda item: item[0])))

    def in_clause(self, text: str) -> set[str]:
        """Figures a clause states: as ``extract``, plus its bare numbers in the unit it declares.

        A table row such as "合计办理时间 22（单位：工作日）" states 22个工作日.
        """
        norm = self.comparable(text)
        figures = set(self.extract(text))
        for declared in self.declared.finditer(norm):
            unit = declared.group(1)
            figures.update(match.group(1) + unit for match in self.bare.finditer(norm))
        return figures

    def stated_in(self, figure: str, clause_text: str) -> bool:
        """Whether the clause states ``figure`` (both in comparable form; 5工作日 is not in 15工作日)."""
        if figure in self.in_clause(clause_text):
            return True
        norm = self.comparable(clause_text)
        longer = [u[len(unit):] for unit in self.units if figure.endswith(unit)
                  for u in self.units if u != unit and u.startswith(unit)]
        tail = r"(?!\d)" if figure[-1].isdigit() else ""
        if longer:
            tail += "(?!" + "|".join(map(re.escape, longer)) + ")"
        return re.search(rf"(?<![\d.]){re.escape(figure)}{tail}", norm) is not None


def comparable(text: str, vocab: Vocab | None = None) -> str:
    """``FigureReader.comparable`` with the vocabulary given, or the default one."""
    return FigureReader(vocab or default_vocab()).comparable(text)


def extract_figures(text: str, vocab: Vocab | None = None) -> list[str]:
    """``FigureReader.extract`` with the vocabulary given, or the default one."""
    return FigureReader(vocab or default_vocab()).extract(text)


def clause_figures(text: str, vocab: Vocab | None = None) -> set[str]:
    """``FigureReader.in_clause`` with the vocabulary given, or the default one."""
    return FigureReader(vocab or default_vocab()).in_clause(text)


def figure_in_clause(figure: str, clause_text: str, vocab: Vocab | None = None) -> bool:
    """``FigureReader.stated_in`` with the vocabulary given, or the default one."""
    return FigureReader(vocab or default_vocab()).stated_in(figure, clause_text)


@dataclass
class Entry:
    id: str
    question: str
    topic: str
    cites: list[str]
    order: int
    answer_md: str
    path: Path | None = None
    _terms: tuple[Segmenter, dict] | None = field(default=None, init=False, repr=False, compare=False)

    def figures(self, reader: FigureReader | None = None) -> list[str]:
        """The figures the answer states, normalised with 个 removed (32个工作日 → 32工作日, 七天 → 7天), read
        with ``reader`` (default: the package's vocabulary's)."""
        return (reader or FigureReader(default_vocab())).extract(self.answer_md)

    def terms(self, segmenter: Segmenter) -> dict[str, tuple[set[str], set[str]]]:
        """Words and bigrams of each searchable field, worked out once per entry and segmenter."""
        if self._terms is None or self._terms[0] is not segmenter:
            fields = {"question": self.question, "topic": self.topic, "answer": self.answer_md}
            self._terms = (segmenter, {name: (set(segmenter.words(text)), {p.text for p in segmenter.bigrams(text)})
                                       for name, text in fields.items()})
        return self._terms[1]


@dataclass
class Problem:
    entry: str
    kind: str  # missing-clause | figure-not-in-clause | bad-entry
    message: str
    cite: str = ""
    figure: str = ""

    def to_dict(self) -> dict:
        """Plain JSON values, for the CLI and the API."""
        return {"entry": self.entry, "kind": self.kind, "message": self.message, "cite": self.cite,
                "figure": self.figure}


# -- loading --------------------------------------------------------------------------------------

def _entry_from_file(path: Path, topics: list[str]) -> Entry:
    def bad(problem: str) -> CorpusError:
        return CorpusError(f"{path}: {problem}")

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise bad(f"cannot read ({error})") from error
    if not text.lstrip("\ufeff").startswith("---"):
        raise bad("no YAML front matter")
    try:
        meta, body = split_front_matter(text.lstrip("\ufeff"))
    except FrontMatterError as error:
        raise bad(f"front matter cannot be read ({error})") from error
    if not meta:
        raise bad("no YAML front matter (or it is empty or not closed by ---)")
    missing = [key for key in ("id", "question", "topic", "cites", "order") if meta.get(key) in (None, "", [])]
    if missing:
        raise bad(f"front matter lacks {', '.join(missing)}")
    entry_id, question, topic, cites, order = (meta[k] for k in ("id", "question", "topic", "cites", "order"))
    if not isinstance(entry_id, str) or not SLUG.match(entry_id):
        raise bad(f"id {entry_id!r} is not an ascii slug (a-z, 0-9, -)")
    if entry_id != path.stem:
        raise bad(f"id {entry_id!r} differs from the file name {path.stem!r}")
    if not isinstance(question, str) or not question.strip():
        raise bad("question is not text")
    if topic not in topics:
        raise bad(f"topic {topic!r} is not one of {', '.join(topics)}")
    if isinstance(cites, str):
        cites = [cites]
    if not isinstance(cites, list) or not all(isinstance(c, str) and c.strip() for c in cites):
        raise bad("cites is not a list of clause ids like 006#a28")
    if isinstance(order, bool) or not isinstance(order, int):
        raise bad(f"order {order!r} is not a whole number")
    if not body.strip():
        raise bad("the answer is empty")
    return Entry(entry_id, question.strip(), topic, [c.strip() for c in cites], order, body.strip() + "\n", path)


def load_faq(folder: Path, vocab: Vocab | None = None) -> list[Entry]:
    """Every ``*.md`` entry in ``folder``, sorted by (order, id); a bad file raises CorpusError naming it.

    Args:
        folder: the corpus's ``faq`` folder.
        vocab: whose FAQ topics (``kb/data/documents.yaml``) an entry's topic must be one of (default: the
            package's).
    """
    topics = (vocab or default_vocab()).faq_topics
    paths = sorted(p for p in Path(folder).glob("*.md") if p.is_file() and not p.name.startswith("."))
    entries = [_entry_from_file(path, topics) for path in paths]
    return sorted(entries, key=lambda e: (e.order, e.id))


# -- checking -------------------------------------------------------------------------------------

def _short_region(region: str) -> str:
    return re.sub(r"(?:自治区|特别行政区|市|盟|省|旗|县|区)$", "", region) or region


def check(entries: list[Entry], clause_text: Callable[[str, str], str | None],
          doc_meta: Callable[[str], Mapping | None] | None = None, vocab: Vocab | None = None) -> list[Problem]:
    """Problems of the entries against the corpus.

    missing-clause: a cite that is malformed or names no clause. figure-not-in-clause: a figure of
    the answer that none of the cited clauses states. bad-entry: duplicate id, unknown topic, no
    cites, empty answer or placeholder text; and, when ``doc_meta`` is given, an answer that cites a
    征求意见稿 without saying so or cites a local document without naming its region.

    Args:
        entries: the FAQ entries (``load_faq``).
        clause_text: ``clause_text(doc_id, clause_id)`` gives a clause's verbatim text, or None when it does
            not exist.
        doc_meta: ``doc_meta(doc_id)`` gives a document's front matter (status, region), or None.
        vocab: the vocabulary (default: the package's).
    """
    vocab = vocab or default_vocab()
    reader = FigureReader(vocab)
    problems: list[Problem] = []
    seen: set[str] = set()
    for entry in entries:
        def problem(kind: str, message: str, entry: Entry = entry, **where: str) -> None:
            problems.append(Problem(entry.id, kind, message, **where))

        if entry.id in seen:
            problem("bad-entry", f"{entry.id}: id used by more than one entry")
        seen.add(entry.id)
        _check_form(entry, vocab, problem)
        texts, docs = _cited_texts(entry, clause_text, problem)
        for figure in entry.figures(reader):
            if not any(reader.stated_in(figure, text) for text in texts):
                problem("figure-not-in-clause",
                        f"{entry.id}: figure {figure} is in none of the cited clauses ({', '.join(entry.cites)})",
                        figure=figure)
        if doc_meta is not None:
            _check_scope(entry, docs, doc_meta, vocab, problem)
    return problems


def _check_form(entry: Entry, vocab: Vocab, problem: Callable[..., None]) -> None:
    """An entry's own form: a known topic, some cites, an answer, no placeholder."""
    if entry.topic not in vocab.faq_topics:
        problem("bad-entry", f"{entry.id}: topic {entry.topic!r} is not one of {', '.join(vocab.faq_topics)}")
    if not entry.cites:
        problem("bad-entry", f"{entry.id}: cites no clause")
    if not entry.answer_md.strip():
        problem("bad-entry", f"{entry.id}: the answer is empty")
    placeholder = PLACEHOLDER.search(entry.question + "\n" + entry.answer_md)
    if placeholder:
        problem("bad-entry", f"{entry.id}: placeholder text ({placeholder[0]})")


def _cited_texts(entry: Entry, clause_text: Callable[[str, str], str | None],
                 problem: Callable[..., None]) -> tuple[list[str], list[str]]:
    """The texts of the clauses an entry cites and their documents; a cite that names no clause is a problem."""
    texts: list[str] = []
    docs: list[str] = []
    for cite in entry.cites:
        match = CITE.match(cite)
        if not match:
            problem("missing-clause", f"{entry.id}: cite {cite!r} is not DOC#CLAUSE", cite=cite)
            continue
        text = clause_text(match.group(1), match.group(2))
        if text is None:
            problem("missing-clause", f"{entry.id}: cited clause {cite} does not exist", cite=cite)
            continue
        texts.append(text)
        docs.append(match.group(1))
    return texts, docs


def _check_scope(entry: Entry, docs: list[str], doc_meta: Callable[[str], Mapping | None], vocab: Vocab,
                 problem: Callable[..., None]) -> None:
    """An answer citing a draft says so; one citing a local document names its region."""
    answer = vocab.analysis.normalize(entry.answer_md)
    for doc_id in dict.fromkeys(docs):
        meta = doc_meta(doc_id) or {}
        if meta.get("status") == vocab.draft and vocab.draft not in answer:
            problem("bad-entry", f"{entry.id}: cites the draft {doc_id} but the answer does not say it is a "
                                 f"{vocab.draft}", cite=doc_id)
        region = str(meta.get("region") or vocab.nationwide)
        if region != vocab.nationwide and _short_region(region) not in answer:
            problem("bad-entry", f"{entry.id}: cites {doc_id} ({region}) but the answer does not name "
                                 f"{_short_region(region)}", cite=doc_id)


# -- searching ------------------------------------------------------------------------------------

FIELD_WEIGHTS = {"question": 3.0, "topic": 2.0, "answer": 1.0}
BIGRAM_WEIGHT = 0.5


def search_faq(entries: list[Entry], query: str, vocab: Vocab | None = None) -> list[Entry]:
    """Entries ranked by how many query words and character bigrams their question, topic and answer share.

    A word counts with the weight of the best field it occurs in (question 3, topic 2, answer 1), a
    bigram with half that; entries sharing nothing are left out. An empty query gives every entry in
    display order.
    """
    ordered = sorted(entries, key=lambda e: (e.order, e.id))
    if not query.strip():
        return ordered
    vocab = vocab or default_vocab()
    query_words = {piece.text for piece in vocab.content(query, subwords=False) if piece.text.strip()}
    query_bigrams = {piece.text for piece in vocab.content_bigrams(query)}

    def best(terms: dict[str, tuple[set[str], set[str]]], term: str, part: int) -> float:
        return max((FIELD_WEIGHTS[name] for name, sets in terms.items() if term in sets[part]), default=0.0)

    scored = []
    for rank, entry in enumerate(ordered):
        terms = entry.terms(vocab.analysis)
        score = sum(best(terms, w, 0) for w in query_words)
        score += BIGRAM_WEIGHT * sum(best(terms, b, 1) for b in query_bigrams)
        if score > 0:
            scored.append((-score, rank, entry))
    return [entry for _, _, entry in sorted(scored, key=lambda item: item[:2])]
