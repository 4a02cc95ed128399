"""Figures stated by clauses and table rows, as structured facts.

A fact says who a figure is about (``subject``), what it measures (``item``),
the figure (``value`` + ``unit``), how it binds (``bound``) and the conditions
that narrow it (``qualifiers``), and points at the clause it was read from.
Nothing here knows a document: the same code reads tables (a cell under a
column, in a row), prose ("不超过5个工作日"), lists distributed over subjects
("分别压减至5个、10个、20个工作日以内"), ranges (1‰至3‰), dates and target years,
and Chinese numerals (normalised to digits before reading).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from kb.analysis.segment import SEGMENT_END, SENTENCE_END, spans
from kb.model import Clause, Fact
from kb.vocab import default_vocab
from kb.vocab.lexicon import Lexicon, Match

NUM = r"\d+(?:\.\d+)?"
YEAR_PHRASE = re.compile(r"(?:到|至|力争)?(20\d{2}|19\d{2})年(?:底|末|年底)?(?:前|以前)?")
TARGET_YEAR_BEFORE = re.compile(r"(?:实现|完成|到|至|力争|确保|于)$")
CONTEXT_BEFORE = re.compile(r"(?:连续|每|近|累计)$")
WINDOW_PHRASE = re.compile(rf"(?:(?:连续|每|近)\s*{NUM}\s*(?:天|日|个月|年)|{NUM}\s*(?:天|日|个月|年)内)")
LIMIT_WORDS = ("时限", "上限", "不超过", "最长", "期限")
PROSE_CELL_MIN = 12  # a table cell this long with Chinese in it is prose, read sentence by sentence


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


@dataclass
class _Figure:
    start: int
    end: int
    values: list[int | float | str]
    unit: str
    bound_text: str = ""  # the range word for a range
    kind: str = "single"  # single | list | range | date | year


class _Sorted:
    """Spans with ``start`` and ``end`` — one regex's matches, or the figures — sorted, disjoint and none
    empty, found by position in O(log n).

    Such spans are sorted by start and by end alike, so those lying within [a, b] are one run of the
    list: from the first starting at or after ``a`` to the last ending at or before ``b``.
    """

    def __init__(self, matches: list) -> None:
        self.matches = matches
        self.starts = [m.start for m in matches]
        self.ends = [m.end for m in matches]

    def bounds(self, a: int, b: int) -> tuple[int, int]:
        """Indices [i, j) of the matches with ``a <= start`` and ``end <= b``."""
        i = bisect_left(self.starts, a)
        return i, max(i, bisect_right(self.ends, b))

    def within(self, a: int, b: int) -> list:
        i, j = self.bounds(a, b)
        return self.matches[i:j]


class _Reader:
    """Reads the figures of one piece of prose and assigns subjects, items and conditions.

    A pasted PDF can be one paragraph of megabytes with tens of thousands of figures, so nothing here
    scans the whole text or a whole list of matches per figure or per sentence: the matches are kept
    sorted (``_Sorted``) and looked up by bisection, and each sentence's segments and conditions are
    read once. Beyond its look-ups a figure reads only its own segment (and the names of its sentence's
    conditions gathered so far), so work grows with the text's length.
    """

    def __init__(self, text: str, lex: Lexicon, default_subject: str = "", default_item: str = "",
                 extra_qualifiers: list[str] | None = None) -> None:
        self.original = text
        self.norm, self.origins = lex.analysis.normalize_with_offsets(text)
        self.lex = lex
        self.default_subject = default_subject
        self.default_item = default_item
        self.extra_qualifiers = extra_qualifiers or []
        self.subjects = lex.subjects_in(self.norm)
        self.items = lex.items_in(self.norm)
        self.qualifiers = _Sorted(lex.qualifiers_in(self.norm))
        # Customer types name a figure's subject; actors (供电企业 …) only when no customer type does.
        self.customers = _Sorted([m for m in self.subjects if m.kind != "actor"])
        self.actors = _Sorted([m for m in self.subjects if m.kind == "actor" and m.name != "用户"])
        self.voltage = re.compile(lex.data["voltage"])
        self._fitting: dict[str, _Sorted] = {}  # implicit unit → the items measured in it
        self._years: list[str] | None = None
        self._figures_sorted = _Sorted([])

    # -- locating ---------------------------------------------------------------------------------
    def _figures(self) -> list[_Figure]:
        unit = self.lex.unit_pattern
        norm = self.norm
        # The spans earlier patterns took, sorted and disjoint: a match overlaps one of them exactly when
        # it overlaps the last one starting before the match ends. One pattern's own matches never
        # overlap (``finditer``), so its spans join the list once it is done.
        taken: list[tuple[int, int]] = []
        taken_starts: list[int] = []
        found: list[_Figure] = []

        def free(a: int, b: int) -> bool:
            last = bisect_left(taken_starts, b) - 1
            return last < 0 or taken[last][1] <= a

        patterns = [
            ("list", re.compile(rf"({NUM})个?((?:[、,，和及与]\s*{NUM}个?)+)\s*({unit})")),
            ("range", re.compile(rf"({NUM})\s*({unit})?\s*(至|到|~|～|—|-)\s*({NUM})\s*({unit})")),
            ("date", re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")),
            ("single", re.compile(rf"({NUM})\s*({unit})")),
            ("year", re.compile(r"(\d{4})年(?!\d{1,2}月)")),
        ]
        for kind, pattern in patterns:
            spans: list[tuple[int, int]] = []
            for m in pattern.finditer(norm):
                if not free(*m.span()) or (m.start() > 0 and norm[m.start() - 1].isdigit()):
                    continue
                figure = self._figure(kind, m)
                if figure:
                    spans.append(m.span())
                    found.append(figure)
            if spans:
                taken = sorted(taken + spans)
                taken_starts = [a for a, _ in taken]
        return sorted(found, key=lambda f: f.start)

    def _figure(self, kind: str, m: re.Match) -> _Figure | None:
        canonical = self.lex.canonical_unit
        if kind == "list":
            values: list[int | float | str] = [_number(m.group(1)), *(_number(v) for v in re.findall(NUM, m.group(2)))]
            return _Figure(m.start(), m.end(), values, canonical(m.group(3)), kind="list")
        if kind == "range":
            unit = canonical(m.group(5))
            return _Figure(m.start(), m.end(), [f"{m.group(1)}{m.group(2) or unit}{m.group(3)}{m.group(4)}"], unit,
                           bound_text="至", kind="range")
        if kind == "date":
            year, month, day = m.groups()
            return _Figure(m.start(), m.end(), [f"{int(year)}年{int(month)}月{int(day)}日"], "", kind="date")
        if kind == "single":
            unit = canonical(m.group(2))
            if CONTEXT_BEFORE.search(self.norm[max(0, m.start() - 2):m.start()]):
                return None  # 连续60天: a window for another figure, not a figure itself
            return _Figure(m.start(), m.end(), [_number(m.group(1))], unit)
        # A bare year is a figure only as a target (实现2024年…清零目标) of an item counted in years.
        if not TARGET_YEAR_BEFORE.search(self.norm[max(0, m.start() - 2):m.start()]):
            return None
        segment_end = SEGMENT_END.search(self.norm, m.end())
        following = self.norm[m.end():segment_end.start() if segment_end else len(self.norm)]
        if not any("年" in self.lex.item_units(i.name) for i in self.lex.items_in(following)):
            return None
        return _Figure(m.start(), m.end(), [int(m.group(1))], "", kind="year")

    def _verbatim(self, a: int, b: int) -> str:
        if a >= b or not self.origins:
            return ""
        return self.original[self.origins[a]:self.origins[b - 1] + 1].strip()

    # -- assigning --------------------------------------------------------------------------------
    def _since(self, segment: tuple[int, int], figure: _Figure) -> int:
        """Where the figure's own stretch of its segment starts: the end of the segment's previous figure."""
        ends = self._figures_sorted.ends
        last = bisect_right(ends, figure.start) - 1
        return ends[last] if last >= 0 and ends[last] >= segment[0] else segment[0]

    def _in_figure(self, position: int) -> bool:
        figures = self._figures_sorted
        last = bisect_right(figures.starts, position) - 1
        return last >= 0 and position < figures.ends[last]

    def _subject(self, segment: tuple[int, int], sentence_start: int, position: int) -> str:
        # The last customer type before the figure in its sentence (in its own segment or earlier).
        i, j = self.customers.bounds(sentence_start, position)
        if j > i:
            return self.customers.matches[j - 1].name
        if self.default_subject:
            return self.default_subject
        i, j = self.customers.bounds(position, segment[1])
        if j > i:
            return self.customers.matches[i].name
        i, j = self.actors.bounds(sentence_start, position)
        return self.actors.matches[j - 1].name if j > i else ""

    def _subjects_sharing(self, segment, sentence_start: int, figure: _Figure) -> list[str]:
        """居民用户和实行“三零”服务的低压非居民用户…压缩至2个: one figure for every type listed before it."""
        listed = self.customers.within(self._since(segment, figure), figure.start)
        if len(listed) > 1 and all(re.fullmatch(r"[、和及与或]", self.norm[a.end:b.start])
                                   for a, b in zip(listed, listed[1:], strict=False)):
            return list(dict.fromkeys(m.name for m in listed))
        return [self._subject(segment, sentence_start, figure.start)]

    def _items_fitting(self, implicit: str) -> _Sorted:
        """The items a figure in this unit can measure: those of no stated unit, or of this one."""
        fitting = self._fitting.get(implicit)
        if fitting is None:
            def fits(m: Match) -> bool:
                units = self.lex.item_units(m.name)
                return not units or implicit in units

            fitting = self._fitting[implicit] = _Sorted([m for m in self.items if fits(m)])
        return fitting

    def _item(self, segment: tuple[int, int], sentence_start: int, figure: _Figure) -> str:
        if figure.unit == "环节":
            return "办电环节数"
        items = self._items_fitting({"date": "日期", "year": "年"}.get(figure.kind, figure.unit))
        # The nearest item before the figure in its segment, else the first after it in the segment,
        # else the nearest before it in the sentence.
        i, j = items.bounds(sentence_start, figure.start)
        before = items.matches[j - 1] if j > i else None
        if before is not None and before.start >= segment[0]:
            return before.name
        i, j = items.bounds(figure.end, segment[1])
        if j > i:
            return items.matches[i].name
        return before.name if before is not None else self.default_item

    def _bound(self, figure: _Figure) -> str:
        if figure.bound_text:
            return figure.bound_text
        after = self.norm[figure.end:figure.end + 3]
        for bound, words in self.lex.bounds["after"].items():
            if any(after.startswith(normalize_word) for normalize_word in words):
                return bound
        before = self.norm[max(0, figure.start - 4):figure.start]
        for bound, words in self.lex.bounds["before"].items():
            if any(before.endswith(word) for word in words):
                return bound
        return ""

    def _window_conditions(self, a: int, b: int) -> list[str]:
        """The conditions named in norm[a:b]: lexicon qualifiers, target years, windows (连续60天) and
        voltages, those starting inside a figure left out."""
        names = [m.name for m in self.qualifiers.within(a, b)]
        for pattern in (YEAR_PHRASE, WINDOW_PHRASE, self.voltage):
            names += [m.group(0) for m in pattern.finditer(self.norm, a, b) if not self._in_figure(m.start())]
        return names

    def facts(self) -> list[dict]:
        figures = self._figures()
        self._figures_sorted = _Sorted(figures)
        starts = self._figures_sorted.starts
        out: list[dict] = []
        for sentence in spans(SENTENCE_END, self.norm, 0, len(self.norm)):
            first, last = bisect_left(starts, sentence[0]), bisect_left(starts, sentence[1])
            if first == last:
                continue
            in_sentence = figures[first:last]
            segments = spans(SEGMENT_END, self.norm, *sentence)
            segment_starts = [a for a, _ in segments]
            numbers = [bisect_right(segment_starts, f.start) - 1 for f in in_sentence]
            figure_segments = set(numbers)
            # Conditions of the sentence's earlier segments that state no figure of their own, gathered
            # once as the figures move along the sentence (dict keys: in order, each once).
            earlier: dict[str, None] = {}
            gathered = 0
            contexts: dict[int, str] = {}
            for figure, index in zip(in_sentence, numbers, strict=True):
                segment = segments[index]
                for number in range(gathered, index):
                    if number not in figure_segments:
                        earlier.update(dict.fromkeys(self._window_conditions(*segments[number])))
                gathered = max(gathered, index)
                own = self._window_conditions(self._since(segment, figure), figure.end)
                qualifiers = list(dict.fromkeys([*earlier, *own])) + self.extra_qualifiers
                item = self._item(segment, sentence[0], figure)
                if index not in contexts:
                    contexts[index] = self._verbatim(*segment)
                common = {"item": item, "unit": figure.unit, "bound": self._bound(figure),
                          "context": contexts[index]}
                if figure.kind == "year":
                    qualifiers = [q for q in qualifiers if str(figure.values[0]) not in q]
                if figure.kind == "list":
                    out += self._distribute(figure, segment, sentence, qualifiers, common)
                    continue
                if figure.unit == "个" and item:
                    # 压缩至2个: the count is in the item's own unit (环节).
                    units = [u for u in self.lex.item_units(item) if u != "个"]
                    if "个" not in self.lex.item_units(item):
                        continue
                    common["unit"] = units[0] if units else "个"
                elif figure.unit == "个":
                    continue
                for subject in self._subjects_sharing(segment, sentence[0], figure):
                    out.append({"subject": subject, "value": figure.values[0], "qualifiers": qualifiers, **common})
        return out

    def _text_years(self) -> list[str]:
        """Every year the text (and its extra qualifiers) names, read once for all its lists."""
        if self._years is None:
            # each year once: a year named twice (到2025年底前…2025年) is not a list of two years
            self._years = list(dict.fromkeys(re.findall(r"(20\d{2})年", self.norm + " ".join(self.extra_qualifiers))))
        return self._years

    def _distribute(self, figure: _Figure, segment, sentence, qualifiers: list[str], common: dict) -> list[dict]:
        """分别…5个、10个、20个: pair the values with the subjects listed before them, in order."""
        names = [m.name for m in self.customers.within(segment[0], figure.start)]
        qualifiers = [q for q in qualifiers if not self.voltage.fullmatch(q)]  # listed voltages are the subjects
        values = figure.values
        if len(names) == len(values):
            return [{"subject": n, "value": v, "qualifiers": qualifiers, **common}
                    for n, v in zip(names, values, strict=True)]
        # One subject, N values and N years listed (in the text or a 完成时限 cell): one value per year.
        years = self._text_years() if len(names) <= 1 else []
        if len(years) == len(values):
            subject = names[0] if names else self._subject(segment, sentence[0], figure.start)
            return [{"subject": subject, "value": v, "qualifiers": qualifiers + [f"{y}年"], **common}
                    for v, y in zip(values, years, strict=True)]
        subject = "、".join(names) or self._subject(segment, sentence[0], figure.start)
        # The text lists a different number of values than subjects: keep each value in its place.
        return [{"subject": subject, "value": v, "qualifiers": qualifiers + [f"第{i}项"], **common}
                for i, v in enumerate(values, start=1)]


def _table_facts(clause: Clause, lex: Lexicon) -> list[dict]:
    """A row: each numeric cell is a figure about the row and its column; long cells are prose."""
    caption = clause.heading_path[-1] if clause.heading_path else ""
    caption_norm = lex.analysis.normalize_with_offsets(caption)[0]
    caption_subjects = [m for m in lex.subjects_in(caption_norm) if m.kind != "actor"]
    # The row is named by its short text cells (环节名称 + 节点名称), the most specific last.
    names = [cell for _, cell in clause.cells if cell and len(cell) < PROSE_CELL_MIN and not re.search(r"\d", cell)]
    key_norm = lex.analysis.normalize_with_offsets(" ".join(dict.fromkeys([clause.row_key, *names])))[0]
    row_subjects = [m for m in lex.subjects_in(key_norm) if m.kind != "actor"]
    row_items = lex.items_in(key_norm)
    year_cells = [cell for _, cell in clause.cells if re.fullmatch(r"\s*(?:20|19)\d{2}年.{0,8}", cell or "")]
    limit = any(word in caption + "".join(h for h, _ in clause.cells) for word in LIMIT_WORDS)
    out: list[dict] = []
    for column, (header, cell) in enumerate(clause.cells):
        if not cell or cell == clause.row_key or cell in clause.row_key.split():
            continue
        if column == 0 and re.fullmatch(r"\d+", cell.strip()):
            continue  # a row number
        if re.fullmatch(NUM, cell.strip()) or re.fullmatch(rf"{NUM}/{NUM}", cell.strip()):
            header_norm = lex.analysis.normalize_with_offsets(header)[0]
            header_subjects = [m for m in lex.subjects_in(header_norm) if m.kind != "actor"]
            header_items = lex.items_in(header_norm)
            if header_subjects:
                subject = header_subjects[-1].name
                item = row_items[-1].name if row_items else clause.row_key
            else:
                subject = (row_subjects or caption_subjects)[-1].name if (row_subjects or caption_subjects) else ""
                item = header_items[-1].name if header_items else (
                    row_items[-1].name if row_items and not row_subjects else header)
            value = _number(cell.strip()) if re.fullmatch(NUM, cell.strip()) else cell.strip()
            out.append({"subject": subject, "item": item, "value": value, "unit": clause.unit,
                        "bound": "不超过" if limit else "", "qualifiers": list(year_cells),
                        "context": f"{clause.row_key}：{header} {cell}"})
        elif len(cell) >= PROSE_CELL_MIN and re.search(r"[\u4e00-\u9fff]", cell):
            default = caption_subjects[-1].name if caption_subjects else ""
            out += _Reader(cell, lex, default_subject=default, extra_qualifiers=list(year_cells)).facts()
    return out


def extract(clause: Clause, doc_id: str, region: str = "", status: str = "", lex: Lexicon | None = None) -> list[Fact]:
    """The facts one clause states, read with ``lex`` (default: the default vocabulary's lexicon)."""
    lex = lex or default_vocab().lexicon
    if clause.kind == "row":
        raw = _table_facts(clause, lex)
    else:
        heading = " ".join(clause.heading_path)
        heading_norm = lex.analysis.normalize_with_offsets(heading)[0]
        heading_subjects = [m for m in lex.subjects_in(heading_norm) if m.kind != "actor"]
        raw = _Reader(clause.text, lex, default_subject=heading_subjects[-1].name if heading_subjects else "").facts()
    facts, seen = [], set()
    for entry in raw:
        key = (entry["subject"], entry["item"], str(entry["value"]), entry["unit"], tuple(entry["qualifiers"]))
        if key in seen:
            continue
        seen.add(key)
        facts.append(Fact(doc_id=doc_id, clause_id=clause.id, label=clause.label, region=region, status=status,
                          **{k: entry[k] for k in ("subject", "item", "value", "unit", "bound", "qualifiers",
                                                   "context")}))
    return facts


def select(facts: list[Fact], subject: str | None = None, item: str | None = None,
           regions: list[str] | None = None, doc: str | None = None) -> list[Fact]:
    """Facts filtered as `kb facts` does: subject and item as substrings, region scope, document."""
    out = []
    for fact in facts:
        if subject and subject not in fact.subject:
            continue
        if item and item not in fact.item:
            continue
        if regions and fact.region not in regions:
            continue
        if doc and fact.doc_id != doc:
            continue
        out.append(fact)
    return out
