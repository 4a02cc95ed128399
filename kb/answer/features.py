"""How well a candidate answers a question, as numbers a learned model weighs (``kb.answer.model``).

Each feature compares the question with the candidate's *own* context — the words before it back to
the previous figure, its segment, the subject a list gives it, its table row and column — weighted by
how rare each of the question's words is in the index; then the unit asked against the unit stated,
conditions that agree or rule each other out, negation, a year or figure the question names, the
clause's search rank and the document's standing. The domain lexicon is one feature among these.

``FEATURES`` fixes the order of the vector; the model's data file names the features it was fit on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from kb.analysis.segment import char_bigrams
from kb.answer.candidates import Candidate
from kb.answer.conditions import conditions, negation
from kb.answer.lexicon_signal import SIGNALS, signals
from kb.answer.question import Question, WordGroup
from kb.model import Fact
from kb.vocab.lexicon import Lexicon
from kb.vocab.wording import Wording

FIGURE_KINDS = ("number", "list", "range", "range_top", "range_bottom")
PHRASE_KINDS = ("phrase", "cell")
NEAR_SCALE = 12.0  # characters: a matched word this far from the candidate counts half

FEATURES = (
    "bias_figure", "bias_phrase", "bias_date", "bias_code",
    "cov_own", "cov_segment", "cov_sentence", "cov_clause", "cov_title", "cov_subject", "cov_header",
    "cov_other", "cov_item", "cov_after", "cov_bigram_own", "cov_char_own", "cov_best_in_clause", "near",
    "absent_share",
    "family_match", "family_mismatch", "figure_unasked", "span_for_period",
    "date_for_date", "date_for_time", "date_unasked", "date_for_figure", "undated_for_date", "figure_in_title",
    "phrase_for_phrase", "phrase_for_figure", "figure_for_phrase",
    "frame_match", "code_for_code", "code_unasked", "code_for_figure",
    "range_whole", "range_end_match", "range_end_unasked", "bound_match", "range_word_said",
    "cond_agree", "cond_contra", "cond_extra", "neg_agree", "neg_contra",
    "qfig_in_context", "value_is_qfig", "year_agree", "year_contra",
    "rank_inverse", "rank_first", "score_share", "cov_document", "document_gap",
    "binding", "draft", "lapsed", "region_own", "doc_named",
    "lex_subject", "lex_item", "lex_unit", *SIGNALS,
    "in_table", "candidates_log", "list_distributed", "list_undistributed", "has_bound", "window_prefix",
    "yesno_match", "head_match", "phrase_in_question", "agent_head", "closer_in_question",
    "neg_missing", "cond_agree_best", "neg_agree_best",
    "own_gap", "own_best", "segment_gap", "subject_gap", "after_gap", "bigram_gap",
    "qfig_in_range", "qfig_out_of_range", "qfig_other_before", "unnumbered_paragraph", "words_elsewhere",
    "alternative_negated",
)
# Coverage relative to the best candidate of the whole question (gap to the best, and being the best): a
# linear ranker then prefers the candidate whose own words cover the question best, whatever the scale.
RELATIVE = (("cov_own", "own_gap", "own_best"), ("cov_segment", "segment_gap", ""), ("cov_subject", "subject_gap", ""),
            ("cov_after", "after_gap", ""), ("cov_bigram_own", "bigram_gap", ""))


@dataclass
class ClauseContext:
    """What the features know of the clause a candidate stands in."""

    doc_id: str
    clause_id: str
    label: str
    text: str  # normalised, quotes removed
    heading: str
    title: str
    rank: int
    score_share: float  # this clause's search score over the best one's
    binding: bool = True
    draft: bool = False
    lapsed: bool = False
    region_own: bool = False  # the document is of the asked region itself (not a level above)
    doc_named: bool = False
    in_table: bool = False
    unnumbered: bool = False  # a paragraph the document does not number (a law's header: 2002年7月27日…修正)
    candidates: list[Candidate] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)  # the build-time facts of the clause (kb.facts)
    # How much of the question the clause's document addresses: its title and its clauses read for the
    # question, together; and how far that falls short of the best document's. A 停电 notice of an electricity
    # law answers no 停气 question of a gas law the search also found, though each clause alone may match
    # as many of the question's words.
    document_coverage: float = 0.0
    document_gap: float = 0.0


def own_context(candidate: Candidate, w: Wording) -> str:
    """The words that are the candidate's own: what a list or a row gives it, its column, and its segment
    back to the previous figure — without the other subjects of a list (低压、20千伏及以下、20千伏以上…分别
    5个、10个、20个: the 10 is not about 低压 or 20千伏以上)."""
    span = candidate.extra.get("own_span")
    around = without_others(candidate, span if span is not None else " ".join((candidate.before, candidate.segment)))
    return w.plain(" ".join((candidate.subject, candidate.header, around)))


def without_others(candidate: Candidate, text: str) -> str:
    """``text`` without the other subjects of the candidate's list."""
    for other in candidate.extra.get("others", []):
        text = text.replace(other, " ")
    return text


def coverage(groups: list[WordGroup], text: str) -> float:
    """Share of the question's weight whose word (or one of its forms) stands in ``text``."""
    total = sum(g.weight for g in groups)
    if not total or not text:
        return 0.0
    return sum(g.weight for g in groups if any(form in text for form in g.forms)) / total


class Coverage:
    """``coverage`` of the question's words, each text measured once per question: a clause's text, heading
    and title are shared by all its candidates, a sentence or a segment by several (it is most of the time
    an answer takes)."""

    def __init__(self, groups: list[WordGroup]) -> None:
        self.groups = groups
        self._measured: dict[str, float] = {}

    def __call__(self, text: str) -> float:
        found = self._measured.get(text)
        if found is None:
            found = self._measured[text] = coverage(self.groups, text)
        return found


def _nearness(groups: list[WordGroup], sentence: str, start: int, end: int) -> float:
    """How close the question's matched words stand to the candidate in its sentence (1 adjacent → 0)."""
    best = None
    for group in groups:
        for form in group.forms:
            at = sentence.find(form)
            while at >= 0:
                distance = max(0, start - (at + len(form))) if at < start else max(0, at - end)
                best = distance if best is None else min(best, distance)
                at = sentence.find(form, at + 1)
    if best is None:
        return 0.0
    return NEAR_SCALE / (NEAR_SCALE + best)


def _years(text: str) -> set[int]:
    return {int(y) for y in re.findall(r"((?:19|20)\d{2})", text)}


def vector(question: Question, candidate: Candidate, clause: ClauseContext, w: Wording,
           best_cov: float, lex: Lexicon, cover: Coverage | None = None) -> list[float]:
    """The feature vector of one candidate, in ``FEATURES`` order.

    ``question`` is the question understood and weighed, ``candidate`` one thing its ``clause`` states,
    ``w`` and ``lex`` the vocabulary's wording and lexicon, ``best_cov`` the best own-context coverage of
    the question among the clause's candidates (``cov_best_in_clause``), ``cover`` the question's
    ``Coverage`` (one per question, so that texts its candidates share are measured once)."""
    f = dict.fromkeys(FEATURES, 0.0)
    cover = cover or Coverage(question.groups)
    own = own_context(candidate, w)
    item = w.plain(without_others(candidate, candidate.extra.get("item", "")))
    _kind_features(f, question, candidate, w)
    _coverage_features(f, question, candidate, clause, w, best_cov, own, item, cover)
    _case_features(f, question, candidate, clause, w, own, item)
    _clause_features(f, question, candidate, clause, own, lex)
    _phrase_features(f, question, candidate, w)
    return [f[name] for name in FEATURES]


def _kinds(candidate: Candidate) -> tuple[bool, bool, bool]:
    """(a figure, a phrase, a date) — what kind of thing the candidate is."""
    return (candidate.kind in FIGURE_KINDS, candidate.kind in PHRASE_KINDS,
            candidate.kind in ("date", "year") or candidate.frame == "date")


def _inside_book_title(candidate: Candidate) -> bool:
    """Whether the candidate stands between 《 and 》 in its sentence: in a document's name."""
    at = candidate.start - _sentence_offset(candidate)
    before, after = candidate.sentence[:max(0, at)], candidate.sentence[max(0, at):]
    opened = before.rfind("《")
    return opened >= 0 and "》" not in before[opened:] and "》" in after


def _kind_features(f: dict[str, float], question: Question, candidate: Candidate, w: Wording) -> None:
    """The candidate's kind against the kind of answer asked: unit family, date, phrase, frame, code, range
    end and bound."""
    is_figure, is_phrase, is_date = _kinds(candidate)
    f["bias_figure"] = float(is_figure)
    f["bias_phrase"] = float(is_phrase and candidate.frame != "date")
    f["bias_date"] = float(is_date)
    f["bias_code"] = float(candidate.kind == "code")
    families = set(question.families)
    if families:
        f["family_match"] = float(is_figure and candidate.family in families)
        f["family_mismatch"] = float(is_figure and candidate.family not in families)
        # 多久检查一次 is answered by a period (每半年) where a clause states one; a span (24小时 of 清洗后
        # 24小时内送检) stands after it, and answers only where no period is found
        f["span_for_period"] = float(is_figure and candidate.family in w.time_families and "period" in families)
    else:
        f["figure_unasked"] = float(is_figure)
    f["date_for_date"] = float(is_date and question.kind == "date")
    # 完成时限 / 期限 asked as time: a deadline (2021年底前) answers it as well as a span does
    f["date_for_time"] = float(is_date and bool(families & w.time_families))
    f["date_unasked"] = float(is_date and question.kind != "date" and not families & w.time_families)
    # 多少米 / 罚多少钱 answered by a day or a year: no figure of the unit asked at all
    f["date_for_figure"] = float(is_date and bool(families) and question.kind != "date"
                                 and not families & w.time_families)
    # 哪天开始算 / 几号开始供暖 ask a day: a span (18个月) or a phrase that is no date does not answer it
    f["undated_for_date"] = float(not is_date and question.kind == "date" and not families and not question.dated)
    # 《…行动方案（500条）》: a figure inside a document's name is part of the name, never a rule's figure
    f["figure_in_title"] = float(is_figure and _inside_book_title(candidate))
    f["phrase_for_phrase"] = float(is_phrase and question.asks_phrase)
    f["phrase_for_figure"] = float(is_phrase and bool(families))
    f["figure_for_phrase"] = float(is_figure and question.asks_phrase and not families)
    f["frame_match"] = float(bool(candidate.frame) and (
        candidate.frame == question.kind
        or (question.kind == "which" and candidate.frame in ("quoted", "modifier", "cell", "which", "labelled"))
        or (question.kind == "agent" and candidate.frame in ("cell", "is_subject", "is_object", "labelled"))))
    f["code_for_code"] = float(candidate.kind == "code" and question.kind == "code")
    f["code_unasked"] = float(candidate.kind == "code" and question.kind != "code")
    # a bare number with no unit (…/1000（公里）) is of the wrong type where a unit is asked (多少钱)
    f["code_for_figure"] = float(candidate.kind == "code" and question.kind != "code" and bool(question.families))

    if candidate.kind == "range":
        f["range_whole"] = float(not question.range_end)
    if candidate.kind in ("range_top", "range_bottom"):
        wanted = "range_top" if question.range_end == "top" else "range_bottom" if question.range_end else ""
        f["range_end_match"] = float(candidate.kind == wanted)
        f["range_end_unasked"] = float(not wanted)
    if question.range_end:
        side = "at_most" if question.range_end == "top" else "at_least"
        f["bound_match"] = float(candidate.bound in w.bound_word_sides[side])
        # 最多能抽多少 against 一般为二百毫升，最多不超过四百毫升: the text's own word for the end asked
        said = w.range_top if question.range_end == "top" else w.range_bottom
        f["range_word_said"] = float(any(word in w.plain(candidate.segment or "") for word in said))


def _coverage_features(f: dict[str, float], question: Question, candidate: Candidate, clause: ClauseContext,
                       w: Wording, best_cov: float, own: str, item: str, cover: Coverage) -> None:
    """How much of the question's weighted words each part of the candidate's context holds, and how near."""
    groups = question.groups
    f["cov_own"] = cover(own)
    f["cov_segment"] = cover(w.plain(candidate.segment))
    f["cov_sentence"] = cover(w.plain(candidate.sentence))
    f["cov_clause"] = cover(clause.text + clause.heading)
    f["cov_title"] = cover(clause.title)
    f["cov_subject"] = cover(w.plain(candidate.subject))
    f["cov_header"] = cover(w.plain(candidate.header))
    f["cov_other"] = cover(w.plain(candidate.extra.get("other", "")))
    f["cov_item"] = cover(item)
    f["cov_bigram_own"] = bigram_coverage(question, own)
    f["cov_char_own"] = char_coverage(question.groups, own)
    f["cov_after"] = cover(w.plain(candidate.extra.get("after", "")))
    f["cov_best_in_clause"] = float(f["cov_own"] >= best_cov - 1e-9)
    sentence = w.plain(candidate.sentence)
    f["near"] = _nearness(groups, sentence, candidate.start - _sentence_offset(candidate),
                          candidate.end - _sentence_offset(candidate))
    f["absent_share"] = question_absent_share(question)


def _case_features(f: dict[str, float], question: Question, candidate: Candidate, clause: ClauseContext,
                   w: Wording, own: str, item: str) -> None:
    """The case the question names against the candidate's: conditions, negation, the question's own
    figures and years."""
    # An enumerated item's conditions ((二)较大事故和一般事故…) hold for the sentences after it — when the
    # candidate's own words state none of its own (an earlier case of the item is not the candidate's)
    f["cond_agree"], f["cond_contra"], f["cond_extra"] = conditions(question, own, w)
    near_agree, near_contra, _extra = conditions(question, _near_words(candidate, w), w)
    if near_agree or near_contra:
        # the case its own part of the sentence names decides (有关单位和个人…，对单位处1万元: 单位, not 个人)
        f["cond_agree"], f["cond_contra"] = near_agree, near_contra
    if not f["cond_agree"] and not f["cond_contra"]:
        f["cond_agree"], f["cond_contra"], _extra = conditions(question, own + " " + item, w)
    f["neg_agree"], f["neg_contra"] = negation(question, own, w)
    if not f["neg_agree"] and not f["neg_contra"]:
        f["neg_agree"], f["neg_contra"] = negation(question, condition_lead(candidate, w) + " " + own, w)
    negated = [g for g in question.groups if g.negated]
    f["neg_missing"] = float(bool(negated) and not any(form in own for g in negated for form in g.forms))

    value = float(candidate.value) if isinstance(candidate.value, int | float) else None
    if question.figures:
        # 17天 written in the question is the 17个工作日 of the text: the same span, counted another way
        f["value_is_qfig"] = float(value is not None and any(
            value == v and (candidate.unit == u or not u or _same_span_counted(w, candidate.unit, u))
            for v, u in question.figures) or _range_holds_qfig(question, candidate, clause, w))
        f["qfig_in_context"] = float(any(f"{v:g}{u}" in candidate.sentence for v, u in question.figures))
    inside, outside = _ranges_holding(question, candidate, clause, w)
    f["qfig_in_range"], f["qfig_out_of_range"] = float(inside), float(outside)
    f["qfig_other_before"] = float(not inside and _other_figure_before(question, candidate, clause, w))
    if question.years:
        # years its own words state, not the candidate itself (2023年底前 does not answer 几天 by being 2023)
        years = _years(own.replace(w.plain(candidate.text), " ") if candidate.text else own)
        if not years and clause.in_table:
            # a table row states its target year in a cell of its own (完成时限: 2021年、2022年底前)
            row = w.plain(clause.text)
            years = _years(row.replace(w.plain(candidate.text), " ") if candidate.text else row)
        f["year_agree"] = float(bool(years & set(question.years)))
        f["year_contra"] = float(bool(years) and not years & set(question.years))


def _near_words(candidate: Candidate, w: Wording) -> str:
    """The candidate's own part of its sentence: what a list or a row gives it, and its segment."""
    return w.plain(" ".join((candidate.subject, candidate.header, without_others(candidate, candidate.segment))))


def condition_lead(candidate: Candidate, w: Wording) -> str:
    """The condition its sentence states before the candidate's own words (逾期不改正的，对单位处…，对个人处…:
    逾期不改正的 is the case of both fines): the text of its part of the sentence up to the last 的 that
    closes a segment before the candidate, or nothing."""
    before = candidate.sentence[:max(0, candidate.start - _sentence_offset(candidate))]
    part = re.split(r"[；;]", before)[-1]
    closes = [m.end() for m in re.finditer(r"的[，,]", part)]
    return w.plain(part[:closes[-1] - 1]) if closes else ""


DAY_FAMILIES = frozenset({"days", "working_days"})


def _same_span_counted(w: Wording, unit: str, other: str) -> bool:
    """Whether two units count the same span another way: days and working days (17天 is the 17个工作日 of
    the text); 一年 in a question is no 1个小时."""
    return w.family(unit) in DAY_FAMILIES and w.family(other) in DAY_FAMILIES


def _clause_features(f: dict[str, float], question: Question, candidate: Candidate, clause: ClauseContext,
                     own: str, lex: Lexicon) -> None:
    """The clause's search rank and the document's standing, the lexicon's reading, and the candidate's
    place in its clause (a table, a list distributed or not, a bound, a window prefix)."""
    f["rank_inverse"] = 1.0 / (1 + clause.rank)
    f["rank_first"] = float(clause.rank == 0)
    f["score_share"] = clause.score_share
    f["cov_document"] = clause.document_coverage
    f["document_gap"] = clause.document_gap
    f["binding"] = float(clause.binding)
    f["draft"] = float(clause.draft)
    f["lapsed"] = float(clause.lapsed)
    f["region_own"] = float(clause.region_own)
    f["doc_named"] = float(clause.doc_named)

    lex_subject, lex_item, lex_unit = lexicon_scores(question, own, candidate, lex)
    f["lex_subject"], f["lex_item"], f["lex_unit"] = lex_subject, lex_item, lex_unit
    # The lexicon's reading counts as far as the clause holds the rest of the question: its item alone
    # (提前通知时间 for any 提前…通知) says nothing of whose notice, so a 停电 notice does not answer 房东卖房
    for name, value in zip(SIGNALS, signals(question, candidate, clause.facts, lex), strict=True):
        f[name] = value * f["cov_clause"]

    f["in_table"] = float(clause.in_table)
    f["unnumbered_paragraph"] = float(clause.unnumbered)
    f["candidates_log"] = math.log1p(len(clause.candidates))
    f["list_distributed"] = float(candidate.kind == "list" and bool(candidate.subject))
    f["list_undistributed"] = float(candidate.kind == "list" and not candidate.subject)
    f["has_bound"] = float(bool(candidate.bound))
    f["window_prefix"] = float(candidate.prefix in ("连续", "每", "累计", "满"))


def _phrase_features(f: dict[str, float], question: Question, candidate: Candidate, w: Wording) -> None:
    """A phrase against the question: the yes/no verb or head noun asked, the question's own words given
    back, an agent's head noun, the frame's closer named in the question."""
    f["yesno_match"] = float(candidate.frame == "yesno" and bool(question.yesno))
    f["alternative_negated"] = float(candidate.frame == "alternative" and bool(candidate.extra.get("negated")))
    f["head_match"] = float(candidate.frame == "modifier" and bool(question.heads))
    if candidate.kind in PHRASE_KINDS:
        value_text = w.plain(str(candidate.value))
        # an answer never just repeats the question (获得电力 quoted in a clause the question names)
        # (本市无偿献血宣传月 for 北京无偿献血宣传月是哪个月: a word pointing back names nothing new either)
        core = next((value_text[len(p):] for p in w.pointing_back if value_text.startswith(p)), value_text)
        f["phrase_in_question"] = float(len(core) >= 2 and core in w.plain(question.norm))
        f["agent_head"] = float(any(value_text.endswith(h) for h in w.agent_heads))
        closer = candidate.extra.get("closer", "")
        f["closer_in_question"] = float(bool(closer) and closer in question.norm)


def bigram_coverage(question: Question, text: str) -> float:
    """Share of the character bigrams of the question's words found in ``text``: 供用电 meets 供电、用电,
    退车 meets 退货 half-way."""
    wanted = {gram for g in question.groups if len(g.word) >= 2 for gram in char_bigrams(g.word)}
    if not wanted or not text:
        return 0.0
    have = set(char_bigrams(text))
    return len(wanted & have) / len(wanted)


def char_coverage(groups: list[WordGroup], text: str) -> float:
    """Share of the question's weight its words' characters hold in ``text``, a word counting by the share
    of its characters found (停气 in 暂停供气, 骗取 in 以欺骗手段取得): the same thing said in other words
    of the same characters, as law texts and callers often do."""
    total = sum(g.weight for g in groups)
    if not total or not text:
        return 0.0
    chars = set(text)
    return sum(g.weight * sum(1 for c in g.word if c in chars) / len(g.word) for g in groups if g.word) / total


def _sentence_offset(candidate: Candidate) -> int:
    return candidate.extra.get("sentence_start", 0)


def question_absent_share(question: Question) -> float:
    """Share of the ``question``'s weight on words no clause of the index holds (1 with no words)."""
    total = sum(g.weight for g in question.groups) or 1.0
    return sum(g.weight for g in question.groups if g.absent) / total if question.groups else 1.0


def lexicon_scores(question: Question, own: str, candidate: Candidate, lex: Lexicon) -> tuple[float, float, float]:
    """The domain lexicon's view, scaled to about 0–1: the customer type and item its own context names
    against the question's, and the item's usual unit."""
    subject_score = item_score = unit_score = 0.0
    if question.subjects:
        named = [m.name for m in lex.subjects_in(own) if m.kind != "actor"]
        wanted = question.subjects[0]
        if wanted in named:
            subject_score = 1.0
        elif any(n in lex.broader(wanted) for n in named):
            subject_score = 0.5
        elif named:
            subject_score = -1.0
    if question.items:
        named_items = [m.name for m in lex.items_in(own)]
        wanted_items = question.items[:2]
        if any(i in named_items for i in wanted_items):
            item_score = 1.0
        elif any(i in lex.related_items(wanted_items[0]) for i in named_items):
            item_score = 0.5
        elif named_items:
            item_score = -0.5
        units = lex.item_units(wanted_items[0])
        if units and candidate.kind in FIGURE_KINDS:
            unit_score = 1.0 if candidate.unit in units else -1.0
    return subject_score, item_score, unit_score


def mark_best_in_clause(vectors: list[list[float]]) -> None:
    """Within one clause, the candidates that agree with the most of the question's conditions and
    negations: the clause states its cases side by side, the question names one."""
    for name, best_name in (("cond_agree", "cond_agree_best"), ("neg_agree", "neg_agree_best")):
        at, best_at = FEATURES.index(name), FEATURES.index(best_name)
        top = max((v[at] for v in vectors), default=0.0)
        for v in vectors:
            v[best_at] = float(top > 0 and v[at] >= top)


def mark_words_elsewhere(question: Question, clause: ClauseContext, vectors: list[list[float]], w: Wording) -> None:
    """Within one sentence, the share of the question's weight on words another figure of the same family says
    and this one does not (``words_elsewhere``): 平均接电时限25个工作日，最优实现17个工作日 asked 最优能做到几个
    工作日, or 处五万元以上十万元以下罚款；造成严重后果的，处十万元以上三十万元以下罚款 asked about 造成严重后果. A
    figure is read with the opening of its sentence, which every case of the sentence shares, and with the
    figure before it: only what a case adds of its own tells them apart."""
    at = FEATURES.index("words_elsewhere")
    candidates = clause.candidates
    groups = [g for g in question.groups if not g.alias]
    total = sum(g.weight for g in groups)
    if not total or len(candidates) < 2:
        return
    weight = {g.word: g.weight for g in groups}
    by_sentence: dict[tuple[int, str], list[int]] = {}
    for n, candidate in enumerate(candidates):
        # a list's figures are told apart by the subjects it distributes (``list_distributed``), not here
        if candidate.family and candidate.kind in FIGURE_KINDS and candidate.kind != "list":
            # the whole sentence, to its 。: its parts (；) are the cases of one rule
            sentence = clause.text.count("。", 0, candidate.start)
            by_sentence.setdefault((sentence, candidate.family), []).append(n)
    for members in by_sentence.values():
        if len(members) < 2:
            continue
        order = sorted(members, key=lambda n: candidates[n].start)
        # a figure is read with the sentence's opening and the figure before it, whose case an elliptical
        # segment goes on with (…平均接电时限25个工作日，最优实现17个工作日;
        # …处五万元以上十万元以下罚款；造成严重后果的，处…)
        own = {n: own_context(candidates[n], w) for n in order}
        read = {n: " ".join((own[n], own[order[0]], own[order[max(0, i - 1)]])) for i, n in enumerate(order)}
        said = {n: {g.word for g in groups if any(form in read[n] for form in g.forms)} for n in members}
        for n in members:
            # a figure the same as this one is no other case of it (调查期限为60日…延长的期限不得超过60日)
            elsewhere = set().union(*(said[m] for m in members if m != n
                                      and candidates[m].figure != candidates[n].figure)) - said[n]
            vectors[n][at] = sum(weight[word] for word in elsewhere) / total


# A best candidate whose sentence gives another figure with this much more of the question's weight
# (``words_elsewhere``) is the general case, not stated. Chosen by document-held-out cross-validation among
# 0, 0.1, 0.2 and 0.3 (mean precise at the wrong-figure target over three seeds: 239.7, 245.0, 241.3, 241.7,
# against 234.7 without the bound), on the feature's first version, which also compared a list's figures.
WORDS_ELSEWHERE_BOUND = 0.1


CASE_FEATURES = ("neg_agree", "cond_agree", "year_agree", "qfig_in_range")


def case_elsewhere(vector: list[float], rivals: Sequence[list[float]]) -> bool:
    """Whether a rival states the case the question names (无外线工程, 个人, 2023年底前: its negation, a
    condition or a year agrees) that this candidate does not mention: it is then the general case."""
    for name in CASE_FEATURES:
        at = FEATURES.index(name)
        if vector[at] <= 0 and any(rival[at] > 0 for rival in rivals):
            return True
    return False


def mark_relative(vectors: list[list[float]]) -> None:
    """Fill the features that compare a candidate with the best of all candidates of the question."""
    for name, gap_name, best_name in RELATIVE:
        at, gap_at = FEATURES.index(name), FEATURES.index(gap_name)
        top = max((v[at] for v in vectors), default=0.0)
        for v in vectors:
            v[gap_at] = top - v[at]
            if best_name:
                v[FEATURES.index(best_name)] = float(v[at] >= top - 0.05)


# A best candidate that breaks one of these is never stated, however it ranks: a figure of another unit
# family than asked (or a date where a figure is), a phrase where a figure is asked (or the other way
# round), a condition or a negation the question names reversed, the question's own figure given back,
# an agent question answered by something that names no agent, a day asked answered by no day, a year
# other than the one asked, a figure inside a document's name.
NEVER_STATED = ("family_mismatch", "date_for_figure", "code_for_figure", "phrase_for_figure", "figure_for_phrase",
                "cond_contra", "neg_contra", "value_is_qfig", "phrase_in_question", "undated_for_date", "year_contra",
                "figure_in_title")


# A candidate of the wrong type for the question (a figure in another unit or a date for one, a phrase for a
# figure, the question's own figure or words given back) is no answer at all: it is ranked after every
# candidate of the right type, so that it never stands in the way of one.
TYPE_ERRORS = ("family_mismatch", "date_for_figure", "code_for_figure", "phrase_for_figure", "figure_for_phrase",
               "value_is_qfig", "phrase_in_question", "undated_for_date", "figure_in_title", "span_for_period")


TYPE_ERROR_AT = tuple(FEATURES.index(name) for name in TYPE_ERRORS)  # looked up once: it runs per candidate


def eligible(vector: list[float]) -> bool:
    """Whether a candidate is of a type that may answer the question (see ``TYPE_ERRORS``)."""
    return not any(vector[at] > 0 for at in TYPE_ERROR_AT)


def admissible(question: Question, vector: list[float], rivals: Sequence[list[float]] = ()) -> bool:
    """Whether the best candidate may be stated at all (see ``NEVER_STATED``). ``rivals`` are the other
    candidates of its family: when one of them states the case the question names (无外线工程, 个人, 2023年底前) and the
    best does not mention it, the best is the general case and is not stated either."""
    if any(vector[FEATURES.index(name)] > 0 for name in NEVER_STATED):
        return False
    if vector[FEATURES.index("bias_date")] > 0 and vector[FEATURES.index("unnumbered_paragraph")] > 0 \
            and not question.asks_document_event:
        return False  # a date of the document's own history, for a question about something else
    if case_elsewhere(vector, rivals):
        return False
    if vector[FEATURES.index("words_elsewhere")] > WORDS_ELSEWHERE_BOUND:
        return False  # its sentence states the case the question names with another figure
    if question.kind in ("agent", "place") and vector[FEATURES.index("bias_date")] > 0:
        return False  # a date names no one and no place (哪个部门牵头 answered 2022年底)
    if question.kind == "agent" and vector[FEATURES.index("bias_phrase")] > 0:
        return vector[FEATURES.index("agent_head")] > 0 or vector[FEATURES.index("frame_match")] > 0
    if question.kind == "place" and vector[FEATURES.index("bias_phrase")] > 0:
        return vector[FEATURES.index("frame_match")] > 0  # 哪里 answered by a phrase in no frame of place
    return True


def _range_ends(clause: ClauseContext, whole: Candidate) -> tuple[Candidate | None, Candidate | None]:
    """The bottom and top end candidates of the range ``whole``."""
    low = next((c for c in clause.candidates if c.kind == "range_bottom" and c.start == whole.start), None)
    high = next((c for c in clause.candidates if c.kind == "range_top" and c.end == whole.end), None)
    return low, high


def _other_figure_before(question: Question, candidate: Candidate, clause: ClauseContext, w: Wording) -> bool:
    """Whether the candidate's sentence states before it a figure of the family of one the question names, but
    never the question's own: 满二十日办不完…延长几天 against 满四十五日仍不能办结的，…可以延长十五日 — that sentence is
    about another case (unless the question's figure meets a bound stated before it, ``_ranges_holding``)."""
    if not question.figures:
        return False
    before = [c for c in clause.candidates if c.kind == "number" and isinstance(c.value, int | float)
              and c.sentence == candidate.sentence and c.end <= candidate.start and c is not candidate]
    asked = {(w.family(u) or u) for _v, u in question.figures}
    same = [c for c in before if (c.family or c.unit) in asked]
    if not same:
        return False
    return not any(float(c.value) == v for c in same for v, _u in question.figures)


def _range_holds_qfig(question: Question, candidate: Candidate, clause: ClauseContext, w: Wording) -> bool:
    """Whether the candidate is (an end of) a range the question's own figure lies in: 签了两年的合同 against
    劳动合同期限一年以上不满三年的 — that range is the question's case, not its answer."""
    if candidate.kind not in ("range", "range_bottom", "range_top"):
        return False
    whole = next((c for c in clause.candidates if c.kind == "range" and c.start <= candidate.start
                  and candidate.end <= c.end and c.sentence == candidate.sentence), None)
    if whole is None:
        return False
    low, high = _range_ends(clause, whole)
    if low is None or high is None:
        return False
    return any((w.family(unit) == high.family or unit == high.unit)
               and float(low.value) <= value <= float(high.value) for value, unit in question.figures)


def _bound_side(w: Wording, before: str, bound: str) -> str:
    """The side of a case bound a number stands for, from the words just before it (the longest of
    ``case_bounds`` that ends them: 不低于 before 低于) or its own bound word (以下, 以上 …); "" for none."""
    said = [(len(word), side) for side, words in w.case_bounds.items() for word in words if before.endswith(word)]
    if said:
        return max(said)[1]
    return next((side for side, words in w.bound_word_sides.items() if bound in words), "")


BOUND_HOLDS = {"below": lambda v, b: v < b, "at_most": lambda v, b: v <= b, "at_least": lambda v, b: v >= b,
               "above": lambda v, b: v > b}


def _bound_holding(question: Question, candidate: Candidate, clause: ClauseContext, w: Wording) -> tuple[bool, bool]:
    """As ``_ranges_holding``, for the case bounds stated before the candidate in its sentence (怀孕未满4个月
    流产的，享受15天产假; 满4个月流产的，享受42天产假; 高于或者等于14℃、低于16℃的，退还热费的50%): whether the
    question's figure (怀孕五个月, 室温15度) meets every one of them, or fails one."""
    bounded = [c for c in clause.candidates if c.kind == "number" and isinstance(c.value, int | float)
               and c.sentence == candidate.sentence and c.end <= candidate.start and c is not candidate]
    if not bounded:
        return False, False
    offset = _sentence_offset(candidate)
    nearest = max(bounded, key=lambda c: c.end)
    # the bounds of one case: the nearest number's family, each with the side its words give it
    sides = [(c, _bound_side(w, candidate.sentence[:max(0, c.start - offset)], c.bound)) for c in bounded
             if c.family == nearest.family and c.unit == nearest.unit]
    sides = [(c, side) for c, side in sides if side]
    if not sides:
        return False, False
    inside = outside = False
    for value, unit in question.figures:
        if not w.measures(unit, nearest.family, nearest.unit):
            continue
        if all(BOUND_HOLDS[side](value, float(c.value)) for c, side in sides):
            inside = True
        else:
            outside = True
    return inside, outside and not inside


def _ranges_holding(question: Question, candidate: Candidate, clause: ClauseContext, w: Wording) -> tuple[bool, bool]:
    """Whether a figure the question states (签了两年的合同) lies inside, or outside, a range stated before
    the candidate in its sentence (劳动合同期限一年以上不满三年的，试用期不得超过二个月): the range is then the
    candidate's condition, and the question's figure picks the case."""
    if not question.figures:
        return False, False
    ranges = [c for c in clause.candidates if c.kind == "range" and c.sentence == candidate.sentence
              and c.end <= candidate.start]
    if not ranges:
        return _bound_holding(question, candidate, clause, w)
    nearest = max(ranges, key=lambda c: c.end)
    low, high = _range_ends(clause, nearest)
    if low is None or high is None:
        return False, False
    inside = outside = False
    for value, unit in question.figures:
        if w.family(unit) != high.family and unit != high.unit:
            continue
        if float(low.value) <= value < float(high.value) or (value == float(high.value) and high.bound != "不超过"):
            inside = True
        else:
            outside = True
    return inside, outside and not inside
