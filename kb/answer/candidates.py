"""A candidate: one figure or role phrase a clause states, the things an answer is chosen from, and the
small readers every stage of reading them shares (a number, a phrase as stated).

Nothing here knows a document or an item: a figure is a number with any unit of
``kb/data/answers.yaml`` (日, 工作日, 元, 万元, %, 倍, 次, 人, 公里, 吨 …, Chinese numerals
included), a list of numbers sharing a unit (5个、10个、20个工作日, distributed over the subjects
listed before 分别), a range (五万元以上五十万元以下, 40%至80%, 六时至二十时) with its two ends, a
date, a year or year-phrase (2020年底前), a code (12398); a phrase is what a frame states (由X负责,
以X为单位, 在X前), a quoted name, a table cell, or either side of X是Y. Each candidate keeps its own
context — its segment, its sentence, the text before it back to the previous figure, the subject a
list gives it, its table row and column — for ``kb.answer.features`` to compare with the question.
``kb.answer.reader`` reads a clause's figures, ``kb.answer.phrases`` its phrases.

Offsets are in the clause's normalised text; ``text`` is the verbatim span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.analysis.comparison import number_text
from kb.analysis.numerals import NUMERAL_CHARS, cn_to_int

MAX_PHRASE = 30


@dataclass
class Candidate:
    """One thing a clause states that could answer a question."""

    kind: str  # number | range | range_top | range_bottom | list | date | year | code | phrase | cell
    value: int | float | str
    unit: str  # canonical unit (个 dropped: 个工作日 → 工作日); "" for dates, phrases and whole ranges
    family: str  # the unit's family (days, money …), or date / year / code / phrase
    text: str  # verbatim span
    start: int
    end: int
    bound: str = ""  # 不超过 / 不少于 / 以内 / 以下 / 以上 / 前 …
    prefix: str = ""  # 前 / 近 / 连续 … standing before the number
    segment: str = ""  # normalised own segment (between commas)
    sentence: str = ""
    before: str = ""  # the sentence before the candidate, back to the previous figure
    subject: str = ""  # what a distributed list or a table row gives the value to
    header: str = ""  # table: the column header
    frame: str = ""  # phrase: agent | which | date | quoted | cell | is_subject | is_object | yesno | modifier
    position: int = 0  # the candidate's place among the clause's candidates
    counted: bool = False  # its unit is written with 个 (5个工作日): units.yaml figures.counted, set by the reader
    extra: dict = field(default_factory=dict)

    @property
    def figure(self) -> str:
        """As an answer writes it: 5个工作日, 200千瓦, 5万元以上50万元以下, 客户服务中心."""
        if not isinstance(self.value, int | float):
            return str(self.value) + (self.bound if self.kind in ("year", "date") else "")
        number = number_text(self.value)
        counted = self.counted
        return f"{self.prefix if self.prefix in ('前', '近') else ''}{number}{'个' if counted else ''}{self.unit}"

    @property
    def fact_value(self) -> int | float | str:
        """The value as a fact states it; a meaning-changing prefix (前四个月) stays with the number."""
        if self.prefix in ("前", "近") and isinstance(self.value, int | float):
            return f"{self.prefix}{number_text(self.value)}"
        return self.value


def read_number(text: str) -> int | float | None:
    """12 / 60,000 / 0.5 / 三十 / 五千 / 二〇二四 → the number; None when it is not one."""
    text = text.replace(",", "")
    if re.fullmatch(r"\d+", text):
        return int(text)
    if re.fullmatch(r"\d+\.\d+", text):
        return float(text)
    if not text or any(ch not in NUMERAL_CHARS for ch in text):
        return None
    return cn_to_int(text)


# 第四条 上海市水务局…: the article's own number opens its text; it is no part of a phrase the article states
ARTICLE_HEAD = re.compile(r"^第[0-9零〇一二三四五六七八九十百千]+[条款项]\s+")


def clean_phrase(text: str) -> str:
    """A phrase as an answer gives it: without quotes, a trailing parenthesis or the number of
    the article it opens."""
    text = ARTICLE_HEAD.sub("", text.strip()).strip("“”\"「」『』 ")
    text = re.sub(r"[（(][^（）()]{1,8}[）)]$", "", text).strip()
    return text
