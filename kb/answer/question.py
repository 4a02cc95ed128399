"""What a question asks: the kind of answer, the unit families, its own words, conditions and negation,
and — through the domain lexicon, as one more signal — region, customer type and item.

Questions arrive as people type them (colloquial, any spacing or width, 双电源 for 高压双电源,
三零 without quotes). The answer engine's wording (``kb/data/answers.yaml``) says what kind of
answer the words ask for (几天 → days, 罚多少 → money, 谁 → an agent, 是指 → a definition); the
lexicon (``kb/data/facts.yaml``) knows the domain's customer types and items. Neither is needed to
answer: the question's own words, weighted by how rare they are, are what candidates are compared with.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

from kb.answer.candidates import read_number
from kb.answer.deadlines import parse_start
from kb.answer.reader import ClauseReader
from kb.vocab import Vocab, default_vocab
from kb.vocab.wording import Wording

ALIAS_WEIGHT = 0.6
# after a negator, a bound (不超过, 不得低于): it limits a figure and negates no word
BOUND_AFTER_NEGATOR = re.compile(r"得?(?:超过|少于|低于|高于|多于|大于|小于|足|满(?=[\d一二三四五六七八九十两半百]))")
ASKING_FIGURE = re.compile(r"几|多少|多久|多长|多大|多高|多远|多重|多快|多早|多晚|怎么罚|怎么算")
# 奖金是多少 / 存多少保证金: the words before an amount asked (its light verb left out) and after it
AMOUNT_OF = re.compile(r"([\u4e00-\u9fff]{1,6}?)(?:是|为|有|能|给|要|可以)?(?:多少|几)个?([\u4e00-\u9fff]{0,6})")
WH = re.compile(r"[什哪谁几多吗何啥否么没]|是不是|能不能|可不可以")
SHORT_WORD_WEIGHT = 0.3  # a one-character word (挪, 出, 本) says little on its own
HEAD_AFTER = re.compile(r"(?:什么|哪个|哪种|哪类|哪一种|哪一类|哪一个|哪几个|哪些|啥|哪一级|哪一步|哪级)"
                        r"([\u4e00-\u9fff]{1,4})")


@dataclass(frozen=True)
class WordGroup:
    """One thing the question says, with the forms a clause may say it in (the word, its aliases, the
    lexicon's patterns for it); ``weight`` is set from its rarity in the index."""

    word: str
    forms: tuple[str, ...]
    weight: float = 1.0
    negated: bool = False
    absent: bool = False  # no clause of the index holds it
    alias: bool = False  # an expansion of kb/data/aliases.yaml, not a word the question typed
    either: bool = False  # the question says it negated and not (房东不及时修，租客自己修了): no case to match


@dataclass
class Question:
    text: str
    norm: str
    region: str | None = None
    subjects: list[str] = field(default_factory=list)  # most specific first
    items: list[str] = field(default_factory=list)
    qualifiers: list[str] = field(default_factory=list)
    wants_unit: str | None = None
    asks_figure: bool = False
    kind: str = ""  # status | definition | date | agent | place | which | yesno | passage | figure | ""
    families: list[str] = field(default_factory=list)  # unit families asked for (days, money …)
    range_end: str = ""  # top | bottom: 最高 / 最低
    heads: list[str] = field(default_factory=list)  # the noun a which-question asks about (什么职称 → 职称)
    yesno: str = ""  # the yes/no verb asked (含不含)
    groups: list[WordGroup] = field(default_factory=list)  # the question's own words
    conditions: list[str] = field(default_factory=list)  # conditions of kb/data/answers.yaml named
    figures: list[tuple[float, str]] = field(default_factory=list)  # figures the question states (连续60天)
    years: list[int] = field(default_factory=list)
    weighed: bool = False  # the groups' weights are their rarity in an index (kb.answer.compose.weigh)
    counted: bool = False  # 几 / 多少 without a unit: a number of something
    asks_document_event: bool = False  # it names a document's own history (施行, 修正, 印发 …)
    dated: bool = False  # it names a day of its own (11月20日申请的…): a span from it then answers 什么时候
    asks_cases: bool = False  # it asks which cases (哪些情况, 什么情形下): a clause listing them answers it
    counts_people: bool = False  # 几 / 多少 of people without a unit (多少业主): a number of them or a share
    around: tuple[str, str] = ("", "")  # who / where asked inside a frame: 向哪个部门申请 → (向, 申请)
    excluded_regions: list[str] = field(default_factory=list)  # regions set aside: 除包头以外, 不是呼和浩特的
    alternatives: list[str] = field(default_factory=list)  # the choices an A还是B question offers: 工作日, 自然日

    def to_dict(self) -> dict:
        """The question as JSON shows it: its word groups as their words."""
        data = asdict(self)
        data["groups"] = [g.word for g in self.groups]
        return data

    @property
    def asks_phrase(self) -> bool:
        """Whether the question asks for a phrase (who, where, which, yes or no) rather than a figure."""
        return self.kind in ("agent", "place", "which", "yesno", "alternative")

    @property
    def asks_value(self) -> bool:
        """A figure, a date or a phrase: what a candidate can answer (not a passage to read)."""
        return bool(self.families) or self.kind in ("date", "agent", "place", "which", "yesno", "figure", "code",
                                                     "alternative")


def understand(text: str, vocab: Vocab | None = None) -> Question:
    """What ``text`` asks, read with ``vocab`` (default: the package's vocabulary)."""
    vocab = vocab or default_vocab()
    lex = vocab.lexicon
    normalize = vocab.analysis.normalize
    norm = normalize(text).replace(" ", "").replace("\u3000", "")
    named = vocab.regions_named_in(norm)
    excluded = [r for r in named if _set_aside(norm, vocab.regions[r].names, vocab.wording)]
    regions = [r for r in named if r not in excluded]
    if not regions and excluded:
        # 不是呼和浩特的其他盟市 / 除包头以外: the rest of the region above the one set aside
        regions = [r for r in (vocab.regions[e].parent for e in excluded) if r]
    question = Question(text=text, norm=norm, region=regions[0] if regions else None, excluded_regions=excluded)
    customers = [m for m in lex.subjects_in(norm) if m.kind != "actor"]
    actors = [m for m in lex.subjects_in(norm) if m.kind == "actor"]
    # The narrowest type first (高压单电源用户 over 高压用户), then the longer mention.
    ordered = sorted(customers, key=lambda m: (-len(lex.broader(m.name)), -(m.end - m.start))) or actors
    question.subjects = list(dict.fromkeys(m.name for m in ordered))
    question.items = list(dict.fromkeys(m.name for m in sorted(lex.items_in(norm), key=lambda m: -(m.end - m.start))))
    question.qualifiers = list(dict.fromkeys(m.name for m in lex.qualifiers_in(norm)))
    for unit, phrases in lex.asks["units"].items():
        if any(normalize(p) in norm for p in phrases):
            question.wants_unit = unit
            break
    # Every item in the lexicon is measured, so naming one (an agent's keywords) asks for its figure.
    question.asks_figure = (question.wants_unit is not None or bool(question.items)
                            or any(normalize(w) in norm for w in lex.asks["figure"]))
    _read_asking(question, vocab)
    return question


def _read_asking(question: Question, vocab: Vocab) -> None:
    """The kind of answer, unit families, heads, conditions and figures, from the engine's wording."""
    w = vocab.wording
    norm = question.norm
    asking: list[str] = []
    best = (0, 0)
    for kind, pattern in w.kind_res:
        matches = list(pattern.finditer(norm))
        found = [m.group(0) for m in matches]
        if found:
            # The longest asking word decides: 在哪一步 asks 哪一步 (which), not 在哪 (place). Between words as
            # long, the one reaching further right, into the noun it asks about: 在哪个阶段 asks 哪个 (which);
            # then the list's order.
            reach = max((len(m.group(0)), m.end()) for m in matches)
            if reach > best:
                question.kind, best = kind, reach
            # 什么时候 asks and says nothing else; 印发日期 / 生效时间 also say what is asked about
            asking += [word for word in found if WH.search(word)]
    if question.kind == "yesno_plain":
        question.kind = "yesno"  # …吗: a yes or no, as 是不是 asks, without a verb to weigh it by
    reader = ClauseReader(w, vocab.analysis, vocab.units["idioms_after_one"], vocab.units["figures"]["counted"])
    for candidate in reader.prose(question.text):
        if isinstance(candidate.value, int | float) and candidate.kind != "code":
            question.figures.append((float(candidate.value), candidate.unit))
    own_families = {w.family(unit) or w.family("个" + unit) for _value, unit in question.figures}
    asking_kind = list(asking)
    families: list[str] = []
    interrogative = False  # a family asked with 几 / 多少 / 多久, not only named by a noun (期限, 罚款)
    said = {family: [word for word in words if word in norm] for family, words in w.asked.items()}
    for family in w.asked:
        # a word inside a longer one of another family asks nothing itself: 多大年纪 asks an age, not 多大
        hits = [word for word in said[family] if not any(
            word in longer and word != longer for other, longers in said.items() if other != family
            for longer in longers)]
        own_family = family in own_families or any(unit and any(unit in word for word in w.asked[family])
                                                   for _value, unit in question.figures)
        if hits and own_family and not any(ASKING_FIGURE.search(word) for word in hits) and ASKING_FIGURE.search(norm):
            # a noun naming the family of the question's own figure is its case, not what it asks: 室温15度…
            # 暖气费能退多少 asks no temperature
            continue
        if hits:
            families.append(family)
            asking += hits
            interrogative = interrogative or any(ASKING_FIGURE.search(word) for word in hits)
    for m in re.finditer(rf"(?:几|多少|多长|多久)\s*(?:个)?\s*({w.unit_pattern})", norm):
        family = w.family(m.group(1)) or w.family("个" + m.group(1))
        if family:
            families.append(family)
            asking.append(m.group(0))
            interrogative = True
    if question.kind == "yesno" and not interrogative:
        families = []  # 过了期限也没告诉我，那算受理了吗: the 期限 is the case, a yes or no is asked
    if question.kind in ("agent", "place") and not interrogative:
        # 罚款由谁决定 / 电费在哪里交: the noun is what the who or where asks about, a word of the question
        # to find its clause by, not a figure asked
        families, asking = [], asking_kind
    if question.kind == "date" and not interrogative and any(word in norm for word in w.asks_year):
        families = []  # 完成时限是哪年底: the 时限 is what the year is asked of, not a span asked
    named_time = [f for f in families if f in w.time_families]
    if "time" in families:
        # 多久 / 时限 / 最短 accept any duration; 几年 beside them names the one asked (有效期最短几年: years)
        families = [f for f in families if f != "time"] + ([] if named_time else sorted(w.time_families))
    if "days" in families:
        families.append("working_days")
    if "working_days" in families and named_time:
        families.append("days")  # 几个工作日 answered by a text that counts 日 is still an answer in days
    if "money" in families and not any(word in norm for word in w.money_counted):
        families += w.money_also
    if "count" in families:
        families += w.count_also
    if "magnitude" in families:
        named = [f for f in families if f != "magnitude"]
        families = named or w.magnitude_families  # 多大岁数 asks an age, 多大 alone any magnitude
    if set(families) & w.time_families and any(word in norm for word in w.asks_frequency):
        families.append("period")  # 多久检查一次: a period (每半年) answers it; a span only where no period is read
    position = w.ordinal_asked_re.search(norm)
    if position:
        families = [f"ordinal:{position.group(1)}"]  # 第几次会议: 第12次, not 12次 of another count
    question.families = list(dict.fromkeys(families))
    if question.families and (question.kind in ("", "passage", "which", "yesno")
                              or question.kind == "code" and interrogative):
        # 录音保存几年 / 电话故障多长时间修好: the unit asked decides, whatever 电话 says of a number's kind
        question.kind = "figure"
    elif not question.kind and re.search(r"几|多少", norm):
        # 扣几分, 多少业主: a number the wording has no unit for (the lexicon's item may name it; else it is
        # a count, people or a share, see ``counted``)
        question.kind = "figure"
        question.counted = True
        # 多少业主提议: the noun counted names people (an agent's head), so 1次 is no answer
        counted = re.search(r"(?:几|多少)个?([\u4e00-\u9fff]{1,4})", norm)
        noun = next((p.text for p in vocab.analysis.segment(counted.group(1), subwords=False)), "") if counted else ""
        question.counts_people = bool(noun) and any(noun.endswith(head) for head in w.agent_heads)
        # 存多少保证金 / 奖金是多少: the noun counted, or the one the amount is asked of, names a sum
        asked_of = AMOUNT_OF.search(norm)
        parts = asked_of.groups() if asked_of else ("", "")
        before, after = ([p.text for p in vocab.analysis.segment(part, subwords=False)] for part in parts)
        if any(word.endswith(w.money_heads) for word in [*before[-1:], *after[:2]] if word):
            question.counted, question.counts_people = False, False
            question.families = ["money"] + ([] if any(word in norm for word in w.money_counted) else w.money_also)
    # 最低 inside 最低工资 names a wage, not the end of a range asked: a word that asks for an end stands alone
    pieces = [(p.start, p.end) for p in vocab.analysis.segment(norm, subwords=False)]
    top = [word for word in w.range_top if _stands_alone(norm, word, pieces)]
    bottom = [word for word in w.range_bottom if _stands_alone(norm, word, pieces)]
    question.range_end = "top" if top else "bottom" if bottom else ""
    asking += top + bottom
    # the head is the word after the asking word (哪个阶段就进… asks about 阶段), not the characters after it;
    # only a which question asks for what modifies it, and a who question ending on it (报告哪个部门 →
    # 县级…主管部门; 向哪个部门申请 is read in its frame). Heads for every kind (哪些情况, 哪个单位负责) made
    # noise: held-out precise 147 against 155, and none questions answered.
    heads = []
    for m in HEAD_AFTER.finditer(norm):
        head = next((p.text for p in vocab.analysis.segment(norm[m.start(1):m.start(1) + 8], subwords=False)), "")
        if question.kind == "which" or (question.kind == "agent" and _ends_question(norm, m.start(1) + len(head))):
            heads.append(head)
    question.heads = [h for h in heads if h and re.fullmatch(r"[\u4e00-\u9fff]{1,4}", h)
                      and h not in ("时候", "时间", "意思")]
    question.yesno = next((verb for verb in w.yesno_verbs if verb in norm), "")
    question.around = _around(question, vocab)
    question.asks_document_event = any(word in norm for word in w.document_events)
    question.asks_cases = any(word in norm for word in w.asks_cases)
    # the asking words name no case: 哪个单位负责 asks who, it does not set 单位 against 个人
    unasked = norm
    for word in sorted(set(asking_kind), key=len, reverse=True):
        unasked = unasked.replace(word, " ")
    question.conditions = list(dict.fromkeys(w.condition_re.findall(unasked)))
    question.years = [int(y) for y in re.findall(r"((?:19|20)\d{2})年", norm)]
    question.dated = parse_start(question.text, dt.date.today(), vocab.analysis.normalize) is not None
    choices = alternatives(norm, vocab) if not question.families and question.kind in ("", "yesno") else []
    if choices:
        question.alternatives = choices
        # 是工作日还是自然日: the answer is one of the two choices, not a clause to read; the choices are what
        # is asked, not a case the question names, and the joiner says nothing
        question.kind = "alternative"
        question.conditions = [c for c in question.conditions
                               if not any(c in choice or choice in c for choice in question.alternatives)]
        asking += [j for j in w.alternative_joiners if j in norm]
    question.groups = _groups(question, asking, vocab)


ALTERNATIVE_STOPS = "，,。？?！!；;：:、（）()“”\"《》 "
MAX_ALTERNATIVE = 8


def alternatives(norm: str, vocab: Vocab) -> list[str]:
    """The two choices of an alternative question, by its parallel wording: the second choice runs from the
    joiner (还是) to the end of the question, and the first is as many characters of the words before the
    joiner (是工作日还是自然日 → 工作日, 自然日); words both choices end with are neither's (该房东修还是租客修 →
    房东, 租客). Nothing when the question joins no choices, goes on after the second, or the choices are long."""
    w = vocab.wording
    for joiner in w.alternative_joiners:
        at = norm.find(joiner)
        if at <= 0:
            continue
        after = norm[at + len(joiner):]
        end = next((n for n, ch in enumerate(after) if ch in ALTERNATIVE_STOPS), len(after))
        second = after[:end]
        if after[end:].strip(ALTERNATIVE_STOPS):
            continue  # the second choice ends the question: 还是 inside it (交了费还是停电了，怎么办) is "still"
        while second.endswith(w.alternative_tails):
            second = second[:-1]
        if second.startswith(tuple(w.negators)):
            continue  # 申请了还是没通电: still not, no choice
        before = norm[:at].rstrip("，,")
        start = max((before.rfind(ch) for ch in ALTERNATIVE_STOPS), default=-1) + 1
        right = [p.text for p in vocab.analysis.segment(second, subwords=False)]
        left = [p.text for p in vocab.analysis.segment(before[start:], subwords=False)]
        if not right or not left:
            continue
        # as many of the words before the joiner as it takes to say as much as the second choice (segmentation
        # may cut the two differently: 工作日 is one word, 自然日 two)
        taken = next((n for n in range(1, len(left) + 1) if len("".join(left[-n:])) >= len(second)), len(left))
        left = left[-taken:]
        while len(right) > 1 and len(left) > 1 and right[-1] == left[-1]:
            right, left = right[:-1], left[:-1]
        first, second = "".join(left), "".join(right)
        if first != second and all(1 < len(c) <= MAX_ALTERNATIVE for c in (first, second)):
            return [first, second]
    return []


def _set_aside(norm: str, names: Iterable[str], w: Wording) -> bool:
    """Whether every mention of a region in ``norm`` sets it aside (不是呼和浩特的, 除包头以外; a name's 市 or 盟
    may stand between it and 以外)."""
    mentions = [(m.start(), m.end()) for name in names if len(name) >= 2 for m in re.finditer(re.escape(name), norm)]
    return bool(mentions) and all(norm[:at].endswith(w.set_aside_before)
                                  or norm[end:].lstrip("市盟").startswith(w.set_aside_after) for at, end in mentions)


def _stands_alone(norm: str, word: str, pieces: list[tuple[int, int]]) -> bool:
    """Whether ``word`` occurs in ``norm`` other than inside a longer word of the analyzer (``pieces``, the
    spans of ``norm``'s words)."""
    for m in re.finditer(re.escape(word), norm):
        if not any(start <= m.start() and m.end() <= end and end - start > len(word) for start, end in pieces):
            return True
    return False


def _ends_question(norm: str, at: int) -> bool:
    """Whether nothing but 呢, 吗 or punctuation follows ``at``: the question ends there."""
    return re.fullmatch(r"[呢吗]?[？?。！!\s]*", norm[at:]) is not None


def _around(question: Question, vocab: Vocab) -> tuple[str, str]:
    """The preposition just before a who / where question's asking word and the word after it (向哪个部门申请
    → 向, 申请): the frame the text states the answer in (``kb.answer.phrases.mirrored_phrases``)."""
    if question.kind not in ("agent", "place"):
        return "", ""
    w, norm = vocab.wording, question.norm
    asked = next((m for kind, pattern in w.kind_res if kind == question.kind for m in pattern.finditer(norm)), None)
    if asked is None:
        return "", ""
    before = norm[asked.start() - 1:asked.start()]
    after = next((piece.text for piece in vocab.analysis.segment(norm[asked.end():asked.end() + 8], subwords=False)
                  if len(piece.text) >= 2 and all("\u4e00" <= ch <= "\u9fff" for ch in piece.text)), "")
    # without a preposition (谁负责) the words before the verb were too often not the answer (held-out CV)
    return (before, after) if before in w.mirror_prepositions and after else ("", "")


def _without_regions(norm: str, names: set[str], words: Mapping[str, int]) -> str:
    """The question with the regions it names taken out, so they do not count as its words. A name ending
    in 市 / 盟 / 省 gives up that character when it starts a word with the next one (鄂尔多斯市区用户 keeps
    市区); ``words`` is the segmenter's dictionary."""
    for name in sorted(names, key=len, reverse=True):
        at = norm.find(name)
        while at >= 0:
            end = at + len(name)
            if name[-1] in "市盟省区" and end < len(norm) and words.get(name[-1] + norm[end]):
                end -= 1
            norm = norm[:at] + " " + norm[end:]
            at = norm.find(name)
    return norm


def _groups(question: Question, asking: list[str], voc: Vocab) -> list[WordGroup]:
    """The question's content words: not stop words, not the words that ask (几天, 罚多少, 谁), not the
    region's name, not its own figures — each with its aliases and, where the lexicon knows the word,
    the lexicon's other patterns for the same customer type or item."""
    w, lex, normalize = voc.wording, voc.lexicon, voc.analysis.normalize
    stop = voc.stopwords
    asked = "".join(asking)
    region_names = {n for r in voc.regions_named_in(question.norm) for n in voc.regions[r].names}
    lexicon_forms: dict[str, tuple[str, ...]] = {}
    for matches, entries in ((lex.subjects_in(question.norm), lex.subjects), (lex.items_in(question.norm), lex.items)):
        for m in matches:
            spec = entries.get(m.name) or {}
            # the entry's name and patterns, and those of the items the lexicon relates to it (通电 asks the
            # 全过程办电时间, which a table may give as 合计办理时间)
            related = [name for name in spec.get("related", []) if name in entries]
            forms = [m.name, *spec.get("patterns", [])]
            for name in related:
                forms += [name, *entries[name].get("patterns", [])]
            lexicon_forms[question.norm[m.start:m.end]] = tuple(dict.fromkeys(
                normalize(f).replace("“", "").replace("”", "") for f in forms))
    groups: list[WordGroup] = []
    seen: set[str] = set()
    negate_next = False
    pieces = [p.text for p in voc.analysis.segment(_without_regions(question.norm, region_names, voc.dictionary.FREQ),
                                                   subwords=False)]
    for at, word in enumerate(pieces):
        if w.negator_re.fullmatch(word) and not word.startswith(w.not_negating):
            # 立不立案 / 收不收费 ask a choice, 不超过 bounds a figure: neither negates the next word
            following = pieces[at + 1] if at < len(pieces) - 1 else ""
            choice = at > 0 and following.startswith(pieces[at - 1])
            if choice:  # 受理不受理 names neither case
                said = next((n for n, g in enumerate(groups) if g.word == pieces[at - 1]), None)
                if said is not None:
                    groups[said] = dataclasses.replace(groups[said], negated=False, either=True)
            negate_next = not (choice or BOUND_AFTER_NEGATOR.match(following))
            continue
        if word in seen and not (word in stop or word in asked):
            said = next((n for n, g in enumerate(groups) if g.word == word), None)
            if said is not None and groups[said].negated != (negate_next and word not in w.negation_passes_over):
                groups[said] = dataclasses.replace(groups[said], negated=False, either=True)
        if (word in stop or word in seen or not any(ch.isalnum() for ch in word) or word in asked
                or word in region_names or read_number(word) is not None):
            negate_next = negate_next and (word in stop or word in w.negation_passes_over)
            continue
        seen.add(word)
        # 不给办 negates 办, as 未能及时填写 negates 填写 in a text: the words a negation passes over carry it on
        passes = negate_next and word in w.negation_passes_over
        forms = [word]
        for written, lexicon_alternatives in lexicon_forms.items():
            if word in written:
                forms += [f for f in lexicon_alternatives if f != word]
        weight = SHORT_WORD_WEIGHT if len(word) == 1 and len(forms) == 1 else 1.0
        groups.append(WordGroup(word, tuple(dict.fromkeys(forms)), weight, negate_next and not passes,
                                either=passes))
        negate_next = passes
    for expansion in voc.aliases.named_in(question.norm):
        expansion = normalize(expansion)
        if expansion not in seen:
            seen.add(expansion)
            groups.append(WordGroup(expansion, (expansion,), ALIAS_WEIGHT, alias=True))
    return groups
