"""The answer engine's vocabulary (``kb/data/answers.yaml``) compiled into matchers.

Questions and clauses are read with the same words: the units a figure carries and their families,
the ways a question asks for a family or a kind of answer, range and bound words, the frames that
state a role (由X负责), negators and conditions that rule each other out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

QUOTES = re.compile(r"[“”\"'‘’「」『』《》]")
# A number as a clause writes it: 12, 60,000, 0.5, or Chinese numerals (三十, 五千, 二〇二四) that
# normalising left as they are because no counter follows (五千吨, 六时).
NUMBER = r"(?:\d+(?:,\d{3}(?!\d))*(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"


def _alternation(words: Iterable, normalize: Callable[[str], str]) -> str:
    ordered = sorted({normalize(str(w)) for w in words if str(w)}, key=len, reverse=True)
    return "|".join(re.escape(w) for w in ordered) or "(?!)"


@dataclass
class Frame:
    open: str
    close: list[str]
    kind: str
    keep_close: bool


class Wording:
    """What the data file says, in the forms the candidate reader and the question reader use."""

    def __init__(self, data: dict, normalize: Callable[[str], str]) -> None:
        self.data = data
        self.normalize = normalize  # the vocabulary's: every word is compared in normalised form
        self.families: dict[str, list[str]] = {k: [normalize(u) for u in v] for k, v in data["unit_families"].items()}
        self.family_of_unit = {unit: family for family, units in self.families.items() for unit in units}
        self.time_families = set(data["time_families"])
        self.question_also = {normalize(u): tuple(fs) for u, fs in data.get("question_also", {}).items()}
        self.asked = {family: [normalize(w) for w in words] for family, words in data["asked_families"].items()}
        # 每半年 / 每隔3个月 / 按年度: a period (``period_re``); 第80次 / 第十四届: a position (``ordinal_re``)
        numeral = r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百]+"
        period_units = _alternation(data["period_units"], normalize)
        self.period_re = re.compile(rf"每(?:隔)?(?:({numeral}|半)\s*)?(?:个)?({period_units})"
                                    rf"|按({_alternation(data['period_by'], normalize)})")
        self.asks_frequency = [normalize(w) for w in data["asks_frequency"]]
        ordinals = _alternation(data["ordinal_answers"], normalize)
        self.ordinal_re = re.compile(rf"第({numeral})({ordinals})")
        self.ordinal_asked_re = re.compile(rf"第几\s*(?:个)?({ordinals})")
        self.money_also = list(data["money_also"])
        self.count_also = list(data["count_also"])
        self.money_counted = [normalize(word) for word in data["money_counted"]]
        self.money_heads = tuple(normalize(word) for word in data["money_heads"])
        self.magnitude_families = list(data["magnitude_families"])
        self.agent_heads = sorted((normalize(w) for w in data["agent_heads"]), key=len, reverse=True)
        self.agent_levels = tuple(normalize(w) for w in data["agent_levels"])
        self.not_a_predicate = tuple(normalize(w) for w in data["not_a_predicate"])
        self.set_aside_before = tuple(normalize(w) for w in data["region_set_aside_before"])
        self.set_aside_after = tuple(normalize(w) for w in data["region_set_aside_after"])
        self.agent_level_characters = tuple(data["agent_level_characters"])
        self.kinds = [(kind, [normalize(w) for w in words]) for kind, words in data["answer_kinds"].items()]
        self.range_top = [normalize(w) for w in data["range_top"]]
        self.range_bottom = [normalize(w) for w in data["range_bottom"]]
        self.bound_before = {b: [normalize(w) for w in ws] for b, ws in data["bound_before"].items()}
        self.bound_after = {b: [normalize(w) for w in ws] for b, ws in data["bound_after"].items()}
        self.unit_word_tails = frozenset(normalize(w) for w in data["unit_word_tails"])
        self.figure_prefixes = [normalize(w) for w in data["figure_prefixes"]]
        self.boundaries = {normalize(w) for w in data["phrase_boundaries"]}
        self.pointing_back = {normalize(w) for w in data["phrase_pointing_back"]}
        self.document_events = [normalize(w) for w in data["document_events"]]
        self.asks_year = [normalize(w) for w in data["asks_year"]]
        self.alternative_joiners = [normalize(w) for w in data["alternative_joiners"]]
        self.alternative_tails = tuple(normalize(w) for w in data["alternative_tails"])
        self.mirror_prepositions = {normalize(w) for w in data["mirror_prepositions"]}
        self.mirror_light_verbs = tuple(sorted((normalize(w) for w in data["mirror_light_verbs"]), key=len,
                                               reverse=True))
        self.frames = [Frame(normalize(f["open"]), [normalize(c) for c in f["close"]], f["kind"],
                             bool(f.get("keep_close", False))) for f in data["frames"]]
        self.negators = sorted((normalize(w) for w in data["negators"]), key=len, reverse=True)
        # a prohibition negates no word either (see answers.yaml); ``prohibitions`` names them apart
        self.prohibitions = tuple(normalize(w) for w in data["prohibitions"])
        self.not_negating = tuple(normalize(w) for w in data["not_negating"]) + self.prohibitions
        self.negation_passes_over = frozenset(normalize(w) for w in data["negation_passes_over"])
        self.negators_after = [normalize(w) for w in data["negators_after"]]
        self.negation_after_passes = [normalize(w) for w in data["negation_after_passes"]]
        self.bound_word_sides = {side: tuple(normalize(w) for w in words)
                                 for side, words in data["bound_word_sides"].items()}
        self.exclusive = [[normalize(w) for w in group] for group in data["exclusive_conditions"]]
        self.suffix_pairs = [tuple(pair) for pair in data["opposed_affixes"]["suffix"]]
        self.prefix_pairs = [tuple(pair) for pair in data["opposed_affixes"]["prefix"]]
        self.case_bounds = {side: tuple(normalize(w) for w in words) for side, words in data["case_bounds"].items()}
        self.asks_cases = [normalize(w) for w in data["asks_cases"]]
        self.lists_cases = [normalize(w) for w in data["lists_cases"]]
        self.yesno_verbs = {normalize(k): [normalize(v) for v in vs] for k, vs in data["yesno_verbs"].items()}
        # The same segments and sentences are compared with every question that reads them: cached per
        # wording (so per vocabulary), not in a module global.
        self.plain: Callable[[str], str] = lru_cache(maxsize=65536)(self._plain)

    def _plain(self, text: str) -> str:
        """Normalised, without quotation marks: how question words are looked for in a context."""
        return QUOTES.sub("", self.normalize(text)) if text else ""

    @cached_property
    def unit_pattern(self) -> str:
        """Every unit of every family as one regular-expression alternation, longest first."""
        return _alternation(self.family_of_unit, self.normalize)

    @cached_property
    def figure_re(self) -> re.Pattern[str]:
        """A number, optionally 个, and a unit: the longest unit wins (个工作日 over 工作日 over 日)."""
        return re.compile(rf"({NUMBER})\s*(个)?\s*({self.unit_pattern})")

    @cached_property
    def list_re(self) -> re.Pattern[str]:
        """5个、22个、32个工作日 or 1、4、8、15个小时: values sharing the unit of the last."""
        return re.compile(rf"({NUMBER})个?((?:\s*[、和及与]\s*{NUMBER}个?)+)\s*({self.unit_pattern})")

    @cached_property
    def range_re(self) -> re.Pattern[str]:
        """A range of two numbers with their units (五万元以上五十万元以下, 40%至80%, 三至七日)."""
        joiners = _alternation(self.data["range_joiners"], self.normalize)
        closers = _alternation(self.data["range_closers"], self.normalize)
        return re.compile(rf"({NUMBER})\s*(?:个)?\s*({self.unit_pattern})?\s*({joiners})\s*({NUMBER})\s*(?:个)?\s*"
                          rf"({self.unit_pattern})\s*({closers})?")

    @cached_property
    def kind_res(self) -> list[tuple[str, re.Pattern[str]]]:
        """Each kind of answer a question may ask for, with the pattern of the words asking it."""
        return [(kind, re.compile(_alternation(words, self.normalize))) for kind, words in self.kinds]

    @cached_property
    def agent_head_re(self) -> re.Pattern[str]:
        """The words that name a body or a person (``agent_heads``) as one pattern, longest first."""
        return re.compile("|".join(re.escape(h) for h in self.agent_heads))

    @cached_property
    def negator_after_re(self) -> re.Pattern[str]:
        """A negator right after a word, past ``negation_after_passes`` (整改没有达到, 逾期仍未改正)."""
        return re.compile(f"(?:{_alternation(self.negation_after_passes, self.normalize)})?"
                          f"(?:{_alternation(self.negators_after, self.normalize)})")

    @cached_property
    def negator_re(self) -> re.Pattern[str]:
        """The negators (没有, 未, 不 …) as one pattern."""
        return re.compile(_alternation(self.negators, self.normalize))

    @cached_property
    def condition_re(self) -> re.Pattern[str]:
        """Every condition of the mutually exclusive groups (有外线工程 / 无外线工程 …) as one pattern."""
        return re.compile(_alternation((w for group in self.exclusive for w in group), self.normalize))

    def group_of(self, condition: str) -> list[list[str]]:
        """The mutually exclusive condition groups ``condition`` belongs to."""
        return [group for group in self.exclusive if condition in group]

    def measures(self, asked_unit: str, family: str, unit: str) -> bool:
        """Whether a figure the question gives in ``asked_unit`` measures the same thing as one the text gives
        in ``unit`` of ``family`` (the same unit or family, or one the question's unit may also mean)."""
        return (asked_unit == unit or (bool(family) and self.family(asked_unit) == family)
                or family in self.question_also.get(asked_unit, ()))

    def family(self, unit: str) -> str:
        """The unit family of ``unit`` (working_days, money …), or ""."""
        return self.family_of_unit.get(unit, "")
