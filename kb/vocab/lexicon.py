"""The domain lexicon (``kb/data/facts.yaml``) compiled into matchers.

Fact extraction and question understanding both ask the same questions of a
piece of normalised text — which customer types, items and conditions does it
name, and where — so both use this one module. Patterns ignore quotation marks
(实行三零服务的低压用户 matches 实行“三零”服务的低压用户) without changing offsets.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from kb.analysis.comparison import canonical_unit, number_text
from kb.analysis.segment import Segmenter

QUOTES = "“”\"'‘’「」『』《》"


@dataclass(frozen=True)
class Match:
    name: str  # the canonical name
    start: int
    end: int
    kind: str = ""


def _chars(text: str, normalize: Callable[[str], str]) -> list[str]:
    return [c for c in normalize(text) if c not in QUOTES]


def _compile(entries: dict[str, list[str]], normalize: Callable[[str], str]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation over every pattern, longest first; group names index back to the entry. Patterns are
    matched against the text without its quotation marks (``_find``), so they are plain literals: with a
    class of optional quotes between every two characters they took a third of a second to compile, most
    of a one-shot ``kb ask``.

    A lookahead for the patterns' first characters leads: ``re`` otherwise tries each of the hundred-odd
    alternatives at every position of a clause, which made matching a sixteenth of its own speed.
    """
    alternatives, names, firsts = [], {}, set()
    pairs = sorted(((p, name) for name, patterns in entries.items() for p in patterns),
                   key=lambda pair: -len(pair[0]))
    for number, (pattern, name) in enumerate(pairs):
        chars = _chars(pattern, normalize)
        if not chars:
            continue
        firsts.add(chars[0])
        alternatives.append(f"(?P<g{number}>{re.escape(''.join(chars))})")
        names[f"g{number}"] = name
    if not alternatives:
        return re.compile(r"(?!)"), names
    lead = "[" + "".join(re.escape(c) for c in sorted(firsts)) + "]"
    return re.compile(f"(?={lead})(?:{'|'.join(alternatives)})"), names


_NO_QUOTES = str.maketrans("", "", QUOTES)


class Lexicon:
    def __init__(self, data: dict, analysis: Segmenter) -> None:
        self.data = data
        # the vocabulary's analysis: patterns are matched against its normalised text
        self.analysis = analysis
        self.normalize = analysis.normalize
        self.subjects = data["subjects"]
        self.items = data["items"]
        self.qualifier_entries = data["qualifiers"]
        self.opposites = [tuple(pair) for pair in data.get("opposites", [])]
        self.units = data["units"]
        self.bounds = data["bounds"]
        self.asks = data["asks"]

    @cached_property
    def _subject_re(self):
        return _compile({name: spec["patterns"] for name, spec in self.subjects.items()}, self.normalize)

    @cached_property
    def _item_re(self):
        return _compile({name: spec["patterns"] for name, spec in self.items.items()}, self.normalize)

    @cached_property
    def _qualifier_re(self):
        return _compile(self.qualifier_entries, self.normalize)

    @staticmethod
    def _find(compiled, text: str, kinds: dict[str, str] | None = None) -> list[Match]:
        """The entries named in ``text``, quotation marks inside them ignored, with offsets into ``text``."""
        pattern, names = compiled
        bare = text.translate(_NO_QUOTES)
        # where each character of ``bare`` stands in ``text`` (only worked out when there are quotes)
        at = None if len(bare) == len(text) else [i for i, char in enumerate(text) if char not in QUOTES]
        found = []
        for m in pattern.finditer(bare):
            group = m.lastgroup or ""
            name = names[group]
            start, end = (m.start(), m.end()) if at is None else (at[m.start()], at[m.end() - 1] + 1)
            found.append(Match(name, start, end, (kinds or {}).get(name, "")))
        return found

    @cached_property
    def _subject_kinds(self) -> dict[str, str]:
        # made once, like the patterns (it was made again for every text read)
        return {name: spec.get("kind", "customer") for name, spec in self.subjects.items()}

    def subjects_in(self, text: str) -> list[Match]:
        """The customer types (and other subjects) ``text`` names, without those the lexicon says to ignore."""
        return [m for m in self._find(self._subject_re, text, self._subject_kinds) if m.kind != "ignore"]

    def items_in(self, text: str) -> list[Match]:
        """The items (what a figure measures) ``text`` names."""
        return self._find(self._item_re, text)

    def qualifiers_in(self, text: str) -> list[Match]:
        """The qualifiers (conditions) ``text`` names."""
        return self._find(self._qualifier_re, text)

    def related_items(self, item: str) -> list[str]:
        """The items the lexicon relates to ``item``."""
        return list(self.items.get(item, {}).get("related", []))

    def item_units(self, item: str) -> list[str]:
        """The units typical of ``item`` (``unit`` in facts.yaml)."""
        return list(self.items.get(item, {}).get("unit", []))

    def broader(self, subject: str) -> list[str]:
        """The subject and every broader type it belongs to."""
        chain, current = [], subject
        while current and current not in chain:
            chain.append(current)
            current = self.subjects.get(current, {}).get("broader")
        return chain

    def is_actor(self, subject: str) -> bool:
        """Whether ``subject`` is an actor (供电企业) rather than a customer type."""
        return self.subjects.get(subject, {}).get("kind") == "actor"

    def contradicts(self, a: str, b: str) -> bool:
        """Whether conditions ``a`` and ``b`` are opposites (有/无外线工程)."""
        return any({a, b} == set(pair) for pair in self.opposites)

    @cached_property
    def unit_pattern(self) -> str:
        """A regular expression alternation of every figure unit, longest first."""
        units = sorted(self.units["all"], key=len, reverse=True)
        return "|".join(re.escape(self.normalize(u)) for u in units)

    def canonical_unit(self, unit: str) -> str:
        """The unit without a leading 个 (个工作日 → 工作日), as facts store it."""
        return canonical_unit(unit)

    def render(self, value, unit: str) -> str:
        """A figure as an answer writes it: 5个工作日, 2个环节, 200千瓦, 100%, 1996年9月1日."""
        text = number_text(value)
        if not unit and isinstance(value, int) and 1900 <= value <= 2100:
            return f"{text}年"  # a target year
        if unit in self.units["counted"]:
            return f"{text}个{unit}"
        return f"{text}{unit}"
