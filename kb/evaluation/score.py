"""Score ``kb ask --json`` answers against a question set (``shared/eval/*.jsonl``).

The rules are those of ``shared/eval/README.md``:

* Text is compared after NFKC normalisation with all white space removed, so ``4 个工作日`` in a source
  matches ``4个工作日`` in the question set.
* ``value`` — counts (``correct``) when ``found`` is true, the answer is at most 400 characters, it holds
  one of the ``expect`` strings and one of the first three citations holds one of the ``cite`` snippets
  (and, when the record has ``doc``, that same citation's title holds it). It is also ``precise`` when one
  of the first two ``facts`` holds the expected figure: ``str(value) + unit``, compared with Chinese
  numerals turned into digits and white space and 个 removed (``二十二`` + ``个工作日`` holds ``22个工作日``).
* ``passage`` — counts when a ``cite`` snippet stands in the text of one of the first three citations or of
  the first five search hits (with ``doc``, that entry's title must hold it too).
* ``none`` — counts when ``found`` is false and the answer holds no digit.
* a ``value`` answer is a *wrong figure* when ``found`` is true but the answer holds none of the
  ``expect`` strings: something was stated, with a citation, that does not answer the question.

Pure standard library plus ``kb.analysis.comparison``; the engine is passed in as a callable.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kb.analysis.comparison import WHITE_SPACE, fact_figure, figure_key, holds, squash
from kb.errors import QuestionSetError

KINDS = ("value", "passage", "none")
MAX_ANSWER_CHARS = 400
CITATIONS_CHECKED = 3
HITS_CHECKED = 5
FACTS_CHECKED = 2
MISS_ANSWER_CHARS = 120

# --- records --------------------------------------------------------------------------------------------


def _string_list(record: dict, key: str) -> list[str] | None:
    items = record.get(key)
    if isinstance(items, list) and items and all(isinstance(item, str) and squash(item) for item in items):
        return items
    return None


def check_record(record: object) -> None:
    """Raise QuestionSetError when a question record does not follow the README's format."""
    if not isinstance(record, dict):
        raise QuestionSetError(f"a question is a JSON object, not {type(record).__name__}")
    for key in ("id", "q", "kind"):
        if not isinstance(record.get(key), str) or not record[key].strip():
            raise QuestionSetError(f"field {key!r} must be a non-empty string")
    kind = record["kind"]
    if kind not in KINDS:
        raise QuestionSetError(f"kind {kind!r} is not one of {list(KINDS)}")
    if kind == "value" and _string_list(record, "expect") is None:
        raise QuestionSetError("a value question needs 'expect': a non-empty list of non-empty strings")
    if kind in ("value", "passage") and _string_list(record, "cite") is None:
        raise QuestionSetError(f"a {kind} question needs 'cite': a non-empty list of non-empty strings")
    if "doc" in record and (not isinstance(record["doc"], str) or not squash(record["doc"])):
        raise QuestionSetError("field 'doc' must be a non-empty string when given")


def load_questions(path: Path) -> list[dict]:
    """The records of a JSONL question set, blank lines skipped; a bad line raises QuestionSetError with its number."""
    path = Path(path)
    records: list[dict] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            check_record(record)
        except (json.JSONDecodeError, QuestionSetError) as error:
            raise QuestionSetError(f"{path}:{number}: {error}") from error
        if record["id"] in seen:
            raise QuestionSetError(f"{path}:{number}: id {record['id']!r} already used on line {seen[record['id']]}")
        seen[record["id"]] = number
        records.append(record)
    return records


# --- scoring --------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    id: str
    kind: str  # value | passage | none
    question: str
    correct: bool  # value: found, short, expected string, cited; passage: recalled; none: declined
    precise: bool  # value only: correct and the figure is in one of the first two facts
    wrong: bool = False  # value only: found, but the answer holds none of the expected strings
    reasons: list[str] = field(default_factory=list)  # why it missed, in English
    answer: str = ""

    @property
    def missed(self) -> bool:
        """Whether the question counts as missed: a value not answered precisely, another kind not right."""
        return not self.precise if self.kind == "value" else not self.correct


def _entries(answer: dict, key: str, count: int) -> list[dict]:
    items = answer.get(key) or []
    return [item for item in items[:count] if isinstance(item, dict)]


def _cited(entries: Iterable[dict], snippets: list[str], doc: str | None) -> tuple[bool, bool]:
    """(some entry holds a snippet, some entry holds a snippet and, when ``doc`` is given, ``doc`` in its title)."""
    any_snippet = False
    for entry in entries:
        if any(holds(entry.get("text"), snippet) for snippet in snippets):
            any_snippet = True
            if doc is None or holds(entry.get("title"), doc):
                return True, True
    return any_snippet, False


def _cite_reason(where: str, snippets: list[str], doc: str | None, entries: list[dict], any_snippet: bool) -> str:
    if not any_snippet:
        return f"no {where} holds any of {snippets}"
    titles = [entry.get("title") or "" for entry in entries]
    return f"no {where} that holds a snippet has {doc!r} in its title (titles: {titles})"


def _figures(expect: list[str]) -> str:
    return expect[0] if len(expect) == 1 else f"any of {expect}"


def _score_value(record: dict, answer: dict, text: str, reasons: list[str]) -> tuple[bool, bool, bool]:
    expect, snippets, doc = record["expect"], record["cite"], record.get("doc")
    found = bool(answer.get("found"))
    if not found:
        reasons.append("found is false")
    short = len(text) <= MAX_ANSWER_CHARS
    if not short:
        reasons.append(f"answer is {len(text)} characters (limit {MAX_ANSWER_CHARS})")
    stated = any(holds(text, wanted) for wanted in expect)
    if not stated:
        reasons.append(f"answer lacks any of {expect}")
    citations = _entries(answer, "citations", CITATIONS_CHECKED)
    any_snippet, cited = _cited(citations, snippets, doc)
    if not cited:
        reasons.append(_cite_reason(f"citation among the first {CITATIONS_CHECKED}", snippets, doc, citations,
                                    any_snippet))
    correct = found and short and stated and cited
    reasons_wrong = found and not stated

    facts = _entries(answer, "facts", FACTS_CHECKED)
    wanted_keys = {figure_key(wanted) for wanted in expect}
    extracted = any(figure_key(fact_figure(fact)) in wanted_keys for fact in facts)
    if not extracted:
        got = ", ".join(fact_figure(fact) for fact in facts) or "no facts"
        reasons.append(f"facts[:{FACTS_CHECKED}] do not hold {_figures(expect)} (got: {got})")
    return correct, correct and extracted, reasons_wrong


def _score_passage(record: dict, answer: dict, reasons: list[str]) -> bool:
    snippets, doc = record["cite"], record.get("doc")
    entries = _entries(answer, "citations", CITATIONS_CHECKED) + _entries(answer, "hits", HITS_CHECKED)
    any_snippet, recalled = _cited(entries, snippets, doc)
    if not recalled:
        where = f"citation among the first {CITATIONS_CHECKED} and no hit among the first {HITS_CHECKED}"
        reasons.append(_cite_reason(where, snippets, doc, entries, any_snippet))
    return recalled


def _score_none(answer: dict, text: str, reasons: list[str]) -> bool:
    found = bool(answer.get("found"))
    if found:
        reasons.append("found is true for a none question")
    digits = [char for char in unicodedata.normalize("NFKC", text) if char.isdecimal()]
    if digits:
        reasons.append(f"answer holds a digit ({digits[0]!r})")
    return not found and not digits


def score(record: dict, answer: dict) -> Outcome:
    """The outcome of one answer (the dict ``kb ask --json`` prints) to one question record."""
    check_record(record)
    if not isinstance(answer, dict):
        raise TypeError(f"an answer is a dict, not {type(answer).__name__}")
    text = answer.get("answer") or ""
    text = text if isinstance(text, str) else str(text)
    reasons: list[str] = []
    kind = record["kind"]
    precise = wrong = False
    if kind == "value":
        correct, precise, wrong = _score_value(record, answer, text, reasons)
    elif kind == "passage":
        correct = _score_passage(record, answer, reasons)
    else:
        correct = _score_none(answer, text, reasons)
    return Outcome(id=record["id"], kind=kind, question=record["q"], correct=correct, precise=precise,
                   reasons=reasons, answer=text, wrong=wrong)


# --- reports --------------------------------------------------------------------------------------------


def _rate(count: int, total: int) -> float | None:
    return count / total if total else None


def _percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f}%"


@dataclass
class Report:
    outcomes: list[Outcome]

    def _of(self, kind: str) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.kind == kind]

    def summary(self) -> dict:
        """Counts and rates per kind; each kind's ``rate`` is the one :meth:`passes` checks (None when empty).

        ``{"value": {"total", "correct", "precise_and_cited", "correct_rate", "rate"},
        "passage": {"total", "recalled", "rate"}, "none": {"total", "declined", "rate"}}``
        """
        value, passage, none = self._of("value"), self._of("passage"), self._of("none")
        correct = sum(outcome.correct for outcome in value)
        precise = sum(outcome.precise for outcome in value)
        wrong = sum(outcome.wrong for outcome in value)
        recalled = sum(outcome.correct for outcome in passage)
        declined = sum(outcome.correct for outcome in none)
        return {
            "value": {"total": len(value), "correct": correct, "precise_and_cited": precise, "wrong": wrong,
                      "correct_rate": _rate(correct, len(value)), "rate": _rate(precise, len(value)),
                      "wrong_rate": _rate(wrong, len(value))},
            "passage": {"total": len(passage), "recalled": recalled, "rate": _rate(recalled, len(passage))},
            "none": {"total": len(none), "declined": declined, "rate": _rate(declined, len(none))},
        }

    def summary_line(self) -> str:
        """``value 19/19 cited, 18/19 precise and cited (94.7%), 0/19 wrong figures (0.0%) · passage 5/5 (100.0%) ·
        none 2/2 declined (100.0%)``"""
        s = self.summary()
        value, passage, none = s["value"], s["passage"], s["none"]
        return (
            f"value {value['correct']}/{value['total']} cited, "
            f"{value['precise_and_cited']}/{value['total']} precise and cited ({_percent(value['rate'])}), "
            f"{value['wrong']}/{value['total']} wrong figures ({_percent(value['wrong_rate'])})"
            f" · passage {passage['recalled']}/{passage['total']} ({_percent(passage['rate'])})"
            f" · none {none['declined']}/{none['total']} declined ({_percent(none['rate'])})"
        )

    def misses(self) -> list[Outcome]:
        """Value answers that are not precise, passages not recalled, none questions not declined."""
        return [outcome for outcome in self.outcomes if outcome.missed]

    def passes(self, value_precise: float = 0.9, passage: float = 1.0, none: float = 1.0,
               wrong: float = 0.03) -> bool:
        """Whether every kind reaches its threshold and wrong figures stay at or under theirs; a kind with
        no questions passes."""
        s = self.summary()
        thresholds = {"value": value_precise, "passage": passage, "none": none}
        wrong_rate = s["value"]["wrong_rate"]
        return all(s[kind]["rate"] is None or s[kind]["rate"] >= limit for kind, limit in thresholds.items()) and (
            wrong_rate is None or wrong_rate <= wrong)


def evaluate(records: list[dict], ask: Callable[[str], dict]) -> Report:
    """Ask every question in order and score each answer."""
    return Report([score(record, ask(record["q"])) for record in records])


def format_miss(outcome: Outcome) -> str:
    """Two lines for a miss: id, kind, question and reasons; then the answer, cut to 120 characters."""
    reasons = "; ".join(outcome.reasons) or "no reason recorded"
    text = WHITE_SPACE.sub(" ", outcome.answer).strip()
    if len(text) > MISS_ANSWER_CHARS:
        text = text[: MISS_ANSWER_CHARS - 1] + "…"
    return f"{outcome.id} [{outcome.kind}] {outcome.question} — {reasons}\n    answer: {text or '(empty)'}"
