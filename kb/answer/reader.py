"""Reading a clause's candidates: every figure it states (a number with any unit of
``kb/data/answers.yaml``, a list of numbers distributed over the subjects listed before 分别, a range with
its two ends, a date, a year or year-phrase, a 文号, a code), its phrases (``kb.answer.phrases``), and each
candidate's own context — its segment, its sentence, the text before it back to the previous figure, the
subject a list gives it, its table row and column. A table row is read cell by cell.

Offsets are in the clause's normalised text; ``text`` is the verbatim span.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from kb.analysis.comparison import canonical_unit, number_text
from kb.analysis.numerals import CN_DIGITS
from kb.analysis.segment import SEGMENT_END, SENTENCE_END, Segmenter, spans
from kb.answer.candidates import MAX_PHRASE, Candidate, clean_phrase, read_number
from kb.answer.lists import distributed, list_others
from kb.answer.phrases import stated_phrases
from kb.parse.clauses import Clause
from kb.vocab.wording import NUMBER, Wording

PERCENT_WORDS = re.compile(rf"百分之({NUMBER})")
DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
# 每年11月15日, 次年3月15日: a day of the year without its year (the day is no count of 15日)
MONTH_DAY = re.compile(r"(?<!\d年)(?<![\d.])(\d{1,2})月(\d{1,2})日(前|以前|之前|起)?")
# 一点五米 normalised: a decimal written in Chinese numerals (the 点 of 三点半 / 八点三十分 tells an hour)
CHINESE_DECIMAL = re.compile(r"(\d+|[零〇一二两三四五六七八九十百千]+)点(\d+|[零〇一二三四五六七八九]+)")
CHINESE_DIGITS = "零〇一二三四五六七八九"  # after 点, digit by digit: 一点五 is 1.5, 八点三十 an hour
CLOCK_UNITS = ("分", "时", "秒")
WINDOW_PREFIXES = ("连续", "累计")  # a window a bound may stand between and the number
# 四分之三, 三分之二 (normalised, the denominator may be a digit): a share, stated as written
FRACTION = re.compile(r"(\d+|[零〇一二两三四五六七八九十]+)分之(\d+|[零〇一二两三四五六七八九十]+)")
YEAR_PHRASE = re.compile(r"(\d{4})年(\d{1,2}月)?(底|末|年底|上半年|下半年|前后)?(前|以前|之前|起|以后)?")
MONTH_PHRASE = re.compile(r"(?<!\d年)(?<!\d)(\d{1,2})月(底|末|初|上旬|中旬|下旬)?(前|以前|之前)")
DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{2,8})?([〔\[(]\d{4}[〕\])]\d+号)")
CODE = re.compile(r"(?<![\d.,])(\d{3,})(?![\d.,])")
# Where an enumerated item begins ((一) / （二） / 1. / ①): its conditions hold for the sentences after it.
ITEM_MARK = re.compile(r"(?:^|(?<=[。；;\s]))(?:[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.、]|"
                       r"[①-⑳])")
TABLE_NUMBER = re.compile(rf"\s*({NUMBER})(?:\s*/\s*({NUMBER}))?\s*")
PROSE_CELL_MIN = 12


WHOLE_SENTENCE_END = re.compile(r"[。!?！？\n]")
ITEM_SEPARATOR = re.compile(r"[，,；;、]")
HEAD_MIN = 2  # characters the parallel item must repeat of the first one for the first one's head to be shared


def shared_head(norm: str, sentence: int, previous: int, start: int) -> str:
    """The head a parallel item shares with the first item of its sentence: in 旅行社每设立一个经营国内…的分社，
    …增存5万元；每设立一个经营出境…的分社，…增存30万元 the 30万元 is 旅行社's too, though its own words
    (back to the 5万元) do not say so. The candidate's item opens at its ；-sentence's start (``sentence``)
    or, after a figure (``previous``), past the first separator; when the text before the item repeats the
    item's opening words further on, what stands before them there is the head. Empty when nothing is
    repeated, or the candidate is the first item."""
    whole = max((m.end() for m in WHOLE_SENTENCE_END.finditer(norm, 0, previous)), default=0)
    if previous <= whole:
        return ""
    item = norm[previous:start]
    if previous > sentence:  # the tail of the figure before (…以下的罚款，) is not the item's opening
        cut = ITEM_SEPARATOR.search(item)
        if cut is None:
            return ""
        item = item[cut.end():]
    first = norm[whole:previous]
    for n in range(min(len(item), 12), HEAD_MIN - 1, -1):
        at = first.rfind(item[:n])
        if at > 0:
            head = first[:at]
            return head + " " if head.strip("；;，,、 ") else ""
    return ""


class _Found:
    """The candidates found so far in a text, and the spans they took: a span taken is read once."""

    def __init__(self) -> None:
        self.candidates: list[Candidate] = []
        self.taken: list[tuple[int, int]] = []

    def free(self, a: int, b: int) -> bool:
        """Whether no candidate found so far overlaps ``a``–``b``."""
        return all(b <= x or a >= y for x, y in self.taken)

    def add(self, candidate: Candidate | None) -> None:
        """Keep ``candidate`` (if any) and take its span."""
        if candidate is not None:
            self.taken.append((candidate.start, candidate.end))
            self.candidates.append(candidate)


class ClauseReader:
    """Reads the candidates of one clause (prose, or a table row) with the engine's wording."""

    def __init__(self, wording: Wording, segmenter: Segmenter, idioms: list[str],
                 counted: Iterable[str] = ()) -> None:
        """``segmenter``: the vocabulary's words, whose dictionary (word → frequency) tells a numeral or a
        prefix that is part of a word (统一, 提前) from one that counts; ``idioms``: what a lone 一 never
        counts before; ``counted``: the units an answer writes with 个 (``units.yaml`` figures.counted)."""
        self.w = wording
        self.counted = frozenset(counted)
        self.segmenter = segmenter
        self.words = segmenter.tokenizer.FREQ
        self.idioms = idioms
        # The text being read and where its words start: per thread, as the server's request threads share
        # one reader (kept on the reader itself, two threads' texts were mixed up).
        self._reading = threading.local()

    # -- prose ------------------------------------------------------------------------------------
    def prose(self, text: str, subject: str = "", header: str = "") -> list[Candidate]:
        """Every candidate of a prose ``text``, in order, each with its own context; ``subject`` and
        ``header`` are what a table row and column give the text's candidates (a long cell)."""
        norm, origins = self.segmenter.normalize_with_offsets(text)
        self._reading.original = (text, origins)
        self._reading.words_at = None
        found = _Found()
        self._numbers(norm, found)
        self._dates(norm, found)
        self._doc_numbers(norm, found)
        self._singles(norm, found)
        candidates = found.candidates + self._periods_and_positions(norm) + stated_phrases(norm, self.w.frames)
        candidates.sort(key=lambda c: (c.start, c.kind))
        self._contexts(norm, origins, text, candidates, subject, header)
        for candidate in candidates:
            candidate.counted = candidate.unit in self.counted
        return candidates

    def _numbers(self, norm: str, found: _Found) -> None:
        """Ranges and lists first (a number inside one is not a figure of its own), then exact dates and
        百分之 percentages."""
        for m in self.w.range_re.finditer(norm):
            if found.free(*m.span()) and not _glued(norm, m.start()) and not self._in_word(norm, m.start(), m.end(1)):
                found.candidates += self._range(norm, m)
                found.taken.append(m.span())
        for m in self.w.list_re.finditer(norm):
            if found.free(*m.span()) and not _glued(norm, m.start()) and not self._in_word(norm, m.start(), m.end(1)):
                found.candidates += self._list(norm, m)
                found.taken.append(m.span())
        for m in DATE.finditer(norm):
            if found.free(*m.span()):
                year, month, day = (int(g) for g in m.groups())
                found.add(Candidate("date", f"{year}年{month}月{day}日", "", "date", "", *m.span()))
        for m in MONTH_DAY.finditer(norm):
            month, day = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12 and 1 <= day <= 31 and found.free(*m.span()) and not _glued(norm, m.start()):
                found.add(Candidate("date", f"{month}月{day}日", "", "date", "", *m.span(), bound=m.group(3) or ""))
        for m in CHINESE_DECIMAL.finditer(norm):
            unit = re.match(rf"\s*(?:个)?\s*({self.w.unit_pattern})", norm[m.end():])
            if unit and self._written_in_chinese(m.start(2), m.end(2)) and unit.group(1) not in CLOCK_UNITS \
                    and found.free(m.start(), m.end() + unit.end()) and not _glued(norm, m.start()):
                whole = read_number(m.group(1))
                fraction = "".join(str(CN_DIGITS.get(ch, ch)) for ch in m.group(2))
                if whole is not None:
                    found.add(self._single(norm, f"{whole}.{fraction}", unit.group(1), m.start(),
                                           m.end() + unit.end()))
        for m in FRACTION.finditer(norm):
            if found.free(*m.span()) and not _glued(norm, m.start()):
                original, origins = self._reading.original
                written = original[origins[m.start()]:origins[m.end() - 1] + 1] if origins else m.group(0)
                found.add(Candidate("number", written, "", "percent", "", *m.span(),
                                    bound=self._bound(norm, *m.span())))
        for m in PERCENT_WORDS.finditer(norm):
            value = read_number(m.group(1))
            if value is not None and found.free(*m.span()):
                found.add(Candidate("number", value, "%", "percent", "", *m.span()))

    def _periods_and_positions(self, norm: str) -> list[Candidate]:
        """How often (每半年, 每隔3个月, 按年度: family ``period``) and a position in a series (第80次, 第十四届:
        family ``ordinal:<counter>``), each as written. They overlap the spans a figure takes (每3个月 holds
        3个月) and are read beside them: only a question asking how often, or which one of a series, is
        answered by them (every other question asks another family)."""
        found = []
        for m in self.w.period_re.finditer(norm):
            found.append(Candidate("number", m.group(0), "", "period", m.group(0), *m.span()))
        for m in self.w.ordinal_re.finditer(norm):
            number = read_number(m.group(1))
            if number is not None:
                figure = f"第{number_text(number)}{m.group(2)}"
                found.append(Candidate("number", figure, "", f"ordinal:{m.group(2)}", m.group(0), *m.span()))
        return found

    def _dates(self, norm: str, found: _Found) -> None:
        """Years and year or month phrases (2020年底前, 2月底前, 2023年起)."""
        # The bound of a year or month phrase (2020年底前, 2月底前, 2023年起) stands apart from its value, as
        # 不超过 does from a number's: the fact is 2020年底, bounded by 前.
        for m in YEAR_PHRASE.finditer(norm):
            if found.free(*m.span()) and (m.group(2) or m.group(3) or m.group(4) or _year_context(norm, m.start())):
                bound = m.group(4) or ""
                found.add(Candidate("year", int(m.group(1)) if not (m.group(2) or m.group(3) or m.group(4))
                                    else m.group(0)[:len(m.group(0)) - len(bound)], "", "year", "", *m.span(),
                                    bound=bound))
        for m in MONTH_PHRASE.finditer(norm):
            if found.free(*m.span()) and not _glued(norm, m.start()):
                found.add(Candidate("year", m.group(0)[:m.start(3) - m.start()], "", "year", "", *m.span(),
                                    bound=m.group(3)))

    def _doc_numbers(self, norm: str, found: _Found) -> None:
        """文号, with and without the issuer's code before it (鄂电营销〔2021〕66号 / 〔2021〕66号)."""
        for m in DOC_NUMBER.finditer(norm):
            if found.free(*m.span()):
                # the code is the last word before the bracket, not the verb before it (按照…, 印发…)
                issuer = ""
                for word in reversed(self.segmenter.words(m.group(1) or "")):
                    if word in self.w.boundaries or len(issuer + word) > 8:
                        break
                    issuer = word + issuer
                found.candidates.append(Candidate("phrase", m.group(2), "", "phrase", "", m.start(2), m.end(),
                                                  frame="docnum"))
                if issuer:
                    found.add(Candidate("phrase", issuer + m.group(2), "", "phrase", "", m.end(1) - len(issuer),
                                        m.end(), frame="docnum"))
                found.taken.append(m.span())

    def _singles(self, norm: str, found: _Found) -> None:
        """A number with its unit where no range, list, date or 文号 took it; then a bare code (12398)."""
        for m in self.w.figure_re.finditer(norm):
            if norm.startswith("之", m.end()) and m.group(3) in ("分", "倍"):
                continue  # 四分之三, 二分之一: a fraction, no count of points
            if found.free(*m.span()) and not _glued(norm, m.start()) and not self._in_word(norm, m.start(), m.end(1)) \
                    and not self._unit_in_word(norm, m.start(), m.start(3), m.end(3)):
                found.add(self._single(norm, m.group(1), m.group(3), m.start(), m.end()))
        for m in CODE.finditer(norm):
            if found.free(*m.span()) and not re.match(rf"\s*(?:{self.w.unit_pattern}|年|号|条|款|〕|\])",
                                                      norm[m.end():]):
                found.add(Candidate("code", m.group(1), "", "code", "", *m.span()))

    def _written_in_chinese(self, start: int, end: int) -> bool:
        """Whether ``start``–``end`` of the normalised text stands in Chinese digits in the original (五, 二五;
        not 三十, whose 十 no decimal writes)."""
        original, origins = self._reading.original
        first, last = (origins[start], origins[end - 1]) if origins else (start, end - 1)
        return all(ch in CHINESE_DIGITS for ch in original[first:last + 1])

    def _in_word(self, norm: str, start: int, end: int) -> bool:
        """A Chinese numeral that is part of a word rather than a count: 统一日期, 唯一, 之一, 一次性. Read in
        the original text, since normalising may already have made the numeral a digit (统1日期)."""
        original, origins = self._reading.original
        at = origins[start] if origins else start
        first = original[at]
        if first.isdigit() or first.isascii():
            return False
        if at not in self._words_at():
            return True  # jieba puts the numeral inside a word that began before it
        return first == "一" and end - start == 1 and any(norm.startswith(idiom, end) for idiom in self.idioms)

    def _unit_in_word(self, norm: str, start: int, unit_start: int, unit_end: int) -> bool:
        """A Chinese numeral whose one-character unit begins a longer word: 科目三道路 counts no 道, 两项目 no 项,
        五年级 no years. A word that is the unit and a bound after it (年内, 日内) still counts."""
        original, origins = self._reading.original
        at = origins[start] if origins else start
        if unit_end - unit_start != 1 or original[at].isdigit() or original[at].isascii():
            return False
        unit_at = origins[unit_start] if origins else unit_start
        word = self._words_at().get(unit_at, "")
        rest = word[1:]
        return bool(rest) and rest not in self.w.unit_word_tails

    def _words_at(self) -> dict[int, str]:
        """The analyzer's words of the original text by where they begin (computed once per text)."""
        reading = self._reading
        if getattr(reading, "words_at", None) is None:
            reading.words_at = {piece.start: piece.text for piece in
                                self.segmenter.segment(reading.original[0], subwords=False)}
        return reading.words_at

    def _prefix(self, norm: str, start: int) -> str:
        """前 / 近 / 连续 … right before a number, as a word of its own (not the end of 提前 or 最近), or before
        the bound that stands before it (累计超过6个月, 连续不少于3天: the window is 累计 all the same)."""
        bound = next((word for words in self.w.bound_before.values() for word in words
                      if norm.endswith(word, 0, start)), "")
        window = self._prefix_at(norm, start - len(bound)) if bound else ""
        return window if window in WINDOW_PREFIXES else self._prefix_at(norm, start)

    def _prefix_at(self, norm: str, start: int) -> str:
        for prefix in self.w.figure_prefixes:
            if norm.endswith(prefix, 0, start):
                word_start = start - len(prefix)
                if word_start > 0 and norm[word_start - 1] + prefix in self.words:
                    return ""
                # 开工前24小时 / 停电前7天: 前 after a word of two characters closes that word (before the start of
                # work), it does not open the number (the first 24 hours, as in 按前四个月)
                if prefix == "前" and word_start >= 2 and self.words.get(norm[word_start - 2:word_start], 0) > 0 \
                        and norm[word_start - 2:word_start] not in self.w.boundaries:
                    return ""
                return prefix
        return ""

    def _single(self, norm: str, number: str, unit: str, start: int, end: int) -> Candidate | None:
        value = read_number(number)
        if value is None or _ordinal(norm, start):
            return None
        if unit == "年" and isinstance(value, int) and 1900 <= value <= 2100 and len(number) == 4:
            return None  # 2021年 is a year, read as one below, not a count of years
        unit = canonical_unit(unit)
        if unit == "个":
            unit = self._counted_noun(norm, start, end)
        family = self.w.family(unit) or self.w.family("个" + unit)
        prefix = self._prefix(norm, start)
        return Candidate("number", value, unit, family, "", start, end, bound=self._bound(norm, start, end),
                         prefix=prefix)

    def _range(self, norm: str, m: re.Match) -> list[Candidate]:
        low, low_unit, joiner, high, high_unit, closer = m.groups()
        low_value, high_value = read_number(low), read_number(high)
        if low_value is None or high_value is None:
            return []
        unit = canonical_unit(high_unit)
        written_low_unit = canonical_unit(low_unit) if low_unit else ""  # 三至七日 writes one unit, as stated
        low_unit = written_low_unit or unit
        family = self.w.family(unit) or self.w.family("个" + unit)
        # 以上…以下 is one expression (5万元以上50万元以下); 至…之间 closes without changing the range.
        ending = closer if joiner.startswith("以上") and closer else ""
        whole = f"{number_text(low_value)}{written_low_unit}{joiner}{number_text(high_value)}{unit}{ending}"
        if joiner == "以上" and closer is None and not low_unit:
            return []
        start, end = m.span()
        return [
            Candidate("range", whole, "", family, "", start, end),
            Candidate("range_bottom", low_value, low_unit, family, "", start, m.start(4), bound="不少于"),
            Candidate("range_top", high_value, unit, family, "", m.start(4), end, bound="不超过"),
        ]

    def _list(self, norm: str, m: re.Match) -> list[Candidate]:
        values = [read_number(m.group(1))] + [read_number(v) for v in re.findall(NUMBER, m.group(2))]
        if any(v is None for v in values):
            return []
        numbers = [v for v in values if v is not None]  # all of them, after the check above
        unit = canonical_unit(m.group(3))
        family = self.w.family(unit) or self.w.family("个" + unit)
        subjects = distributed(norm, m.start(), len(values), self.segmenter)
        bound = self._bound(norm, m.start(), m.end())
        return [Candidate("list", v, unit, family, "", m.start(), m.end(), bound=bound,
                          subject=subjects[i] if subjects else "",
                          extra={"list_index": i, "list_size": len(values),
                                 "others": [item for j, item in enumerate(list_others(norm, m.start(), len(values),
                                                                                   self.segmenter))
                                            if j != i]})
                for i, v in enumerate(numbers)]

    def _counted_noun(self, norm: str, start: int, end: int) -> str:
        """压缩至4个 counts what its sentence named before: the last word before the verb (环节 in 办电环节压缩至
        4个), when nothing follows the 个; otherwise 个 itself (五个工作小组 counts 工作小组, kept as context)."""
        if end < len(norm) and "\u4e00" <= norm[end] <= "\u9fff":
            return "个"
        head = norm[max(0, start - 24):start]
        head = re.split(r"[，,；;。：:]", head)[-1]
        head = re.sub(r"(?:压缩至|压减至|减少至|缩短至|精简至|减至|压缩为|压减为|为|至|到|有|共|分为|包括)$", "", head)
        words = self.segmenter.words(head)
        last = words[-1] if words else ""
        if not last or not all("\u4e00" <= ch <= "\u9fff" for ch in last):
            return "个"
        # the word's shortest tail that is a word itself: 办电环节 counts 环节
        return next((last[-n:] for n in range(2, len(last)) if last[-n:] in self.words), last)

    def _bound(self, norm: str, start: int, end: int) -> str:
        after = norm[end:end + 3]
        for bound, words in self.w.bound_after.items():
            if any(after.startswith(word) for word in words):
                return bound
        before = norm[max(0, start - 5):start]
        for bound, words in self.w.bound_before.items():
            if any(before.endswith(word) for word in words):
                return bound
        return ""

    # -- contexts ---------------------------------------------------------------------------------
    def _contexts(self, norm: str, origins: list[int], original: str, found: list[Candidate], subject: str,
                  header: str) -> None:
        sentences = spans(SENTENCE_END, norm, 0, len(norm)) or [(0, len(norm))]
        # A figure's own words reach back to the previous figure of its family: 20千伏及以下 inside a list
        # of 工作日 is a condition of the list, not the end of its context.
        ends: dict[str, list[int]] = {}
        starts: dict[str, list[int]] = {}
        for c in found:
            if c.kind != "phrase":
                ends.setdefault(c.family, []).append(c.end)
                starts.setdefault(c.family, []).append(c.start)
        for position, candidate in enumerate(found):
            a, b = next(((s, e) for s, e in sentences if s <= candidate.start < e), (0, len(norm)))
            seg = next(((s, e) for s, e in spans(SEGMENT_END, norm, a, b) if s <= candidate.start < e), (a, b))
            # a range's top end (1000元 of 200元以上1000元以下) has the range's own words, not its bottom's
            reach = next((c.start for c in found if c.kind == "range" and c.end == candidate.end),
                         candidate.start) if candidate.kind == "range_top" else candidate.start
            previous = max((end for end in ends.get(candidate.family, []) if a <= end <= reach), default=a)
            candidate.sentence = norm[a:b]
            candidate.segment = norm[seg[0]:seg[1]]
            item = max((m.start() for m in ITEM_MARK.finditer(norm, 0, candidate.start)), default=a)
            candidate.extra["item"] = norm[min(item, a):candidate.start]
            candidate.before = norm[previous:candidate.start]
            following = min((start for start in starts.get(candidate.family, []) if start >= candidate.end),
                            default=seg[1])
            candidate.extra["after"] = norm[candidate.end:min(following, seg[1])]
            # Its own words end where the next figure's begin (any family): in “1年内…不超过5次”“连续60天…
            # 不超过3次” the 连续60天 after the 5次 is the 3次's condition, not the 5次's.
            nearest = min((start for family_starts in starts.values() for start in family_starts
                           if start >= candidate.end), default=seg[1])
            head = shared_head(norm, a, previous, candidate.start)
            candidate.extra["own_span"] = head + norm[previous:min(nearest, seg[1])]
            candidate.subject = candidate.subject or subject
            candidate.header = header
            candidate.position = position
            candidate.extra["sentence_start"] = a
            if origins and candidate.end > candidate.start:
                candidate.text = original[origins[candidate.start]:origins[candidate.end - 1] + 1]
            if origins:
                # the segment as the clause prints it (Chinese numerals and all), for quoting
                candidate.extra["segment_text"] = original[origins[seg[0]]:origins[seg[1] - 1] + 1].strip()
                candidate.extra["sentence_text"] = original[origins[a]:origins[b - 1] + 1].strip()

    def fill_context(self, text: str, candidate: Candidate) -> None:
        """The contexts of a candidate found outside ``prose`` (a question's head noun, a yes/no verb)."""
        norm, origins = self.segmenter.normalize_with_offsets(text)
        position = candidate.position
        self._contexts(norm, origins, text, [candidate], candidate.subject, candidate.header)
        candidate.position = position

    # -- table rows -------------------------------------------------------------------------------
    def row(self, clause: Clause) -> list[Candidate]:
        """A row: a number in a cell is a figure in the table's unit about the row under its column; a long
        cell is prose read with the row as its subject; a short text cell is itself a candidate."""
        names = [cell for _, cell in clause.cells if cell and len(cell) < PROSE_CELL_MIN and not re.search(r"\d", cell)]
        row_subject = " ".join(dict.fromkeys([clause.row_key, *names]))
        unit = canonical_unit(clause.unit or "")
        family = self.w.family(unit) or self.w.family("个" + unit)
        out: list[Candidate] = []
        for column, (header, cell) in enumerate(clause.cells):
            cell = (cell or "").strip()
            if not cell or cell == clause.row_key or (column == 0 and re.fullmatch(r"\d+", cell)):
                continue
            number = TABLE_NUMBER.fullmatch(cell)
            if number:
                value = read_number(number.group(1))
                if value is not None and not number.group(2):
                    out.append(Candidate("number", value, unit, family, cell, 0, len(cell), bound="",
                                         subject=row_subject, header=header, sentence=cell, segment=cell))
                continue
            figures = self.prose(cell, subject=row_subject, header=header)
            for candidate in figures:
                candidate.extra["cell"] = cell
            out += figures
            if len(cell) <= MAX_PHRASE and not any(c.kind == "phrase" and c.value == cell for c in figures):
                out.append(Candidate("cell", clean_phrase(cell), "", "phrase", cell, 0, len(cell), frame="cell",
                                     subject=row_subject, header=header, sentence=cell, segment=cell))
        for position, candidate in enumerate(out):
            candidate.position = position
            candidate.counted = candidate.unit in self.counted
            # how the answer quotes a cell: its column and the cell, with the table's unit (the clause's label
            # names the row)
            cell = candidate.extra.get("cell") or candidate.text or str(candidate.value)
            candidate.extra["quote"] = f"{candidate.header} {cell}".strip() + (
                f"（单位：{clause.unit}）" if clause.unit and candidate.kind == "number" else "")
        return out

    def clause(self, clause: Clause) -> list[Candidate]:
        """The candidates of ``clause``: cell by cell for a table row, else its prose."""
        if clause.kind == "row":
            return self.row(clause)
        return self.prose(clause.text)


ORDINAL_LIST = re.compile(r"第[\d零〇一二两三四五六七八九十百、,和及]*$")


def _ordinal(norm: str, start: int) -> bool:
    """A number after 第, or in a list of them (第一、二、三项): an ordinal, no figure."""
    return bool(ORDINAL_LIST.search(norm, max(0, start - 16), start))


def _glued(norm: str, start: int) -> bool:
    """A number that continues a longer token (a 文号, a decimal, 1,000, a letter code) is not a figure. A comma
    or point glues only after a digit: ，三年内 (a full-width comma, ',' once normalised) opens a new figure."""
    if start == 0:
        return False
    before = norm[start - 1]
    if before in ".,":
        return start > 1 and norm[start - 2].isdigit()
    return before.isdigit() or before in "〔[" or before.isascii() and before.isalpha()


def _year_context(norm: str, start: int) -> bool:
    return bool(re.search(r"(?:到|至|于|在|截至|截止|力争|实现|确保|从|自)$", norm[max(0, start - 2):start]))
