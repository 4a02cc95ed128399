"""The role phrases a clause states: what a frame of the wording encloses (由X负责, 以X为单位, 在X前), a
quoted name, either side of X是Y, a value under its label (牵头部门：营销部); and, for a question that asks
for them, the words modifying its head noun (什么职称 → 中级以上技术职称) and the yes/no verbs with what
follows them (包括本数 / 不包括本数), and the choice an alternative question offers that the clause states
(是工作日还是自然日 → 工作日)."""

from __future__ import annotations

import re

from kb.analysis.segment import SEGMENT_END, SENTENCE_END, Segmenter, spans
from kb.answer.candidates import MAX_PHRASE, Candidate, clean_phrase
from kb.vocab.wording import Frame

QUOTED = re.compile(r"[“\"「『]([^”\"」』]{1,20})[”\"」』]")
# 牵头部门：营销部；支撑单位：物资供应处 — a value under its label, as work plans and 台账 list who does what
LABELLED = re.compile(r"([\u4e00-\u9fff]{2,6})[：:]([^；;。：:（）()\n]{2,40})")


# -- phrases ----------------------------------------------------------------------------------
def stated_phrases(norm: str, frames: list[Frame]) -> list[Candidate]:
    """Every phrase a frame of the wording encloses, every quoted name and either side of X是Y in ``norm``."""
    out: list[Candidate] = []
    for frame in frames:
        closers = re.compile("|".join(re.escape(c) for c in sorted(frame.close, key=len, reverse=True)))
        for opened in re.finditer(re.escape(frame.open), norm):
            stretch = re.match(rf"[^，,。；;：:、]{{1,{MAX_PHRASE + 8}}}", norm[opened.end():])
            if not stretch:
                continue
            # Every closer in reach makes a candidate (由X管理部门指定的其他供电企业供电 has four): the
            # features tell which one the question means.
            for closed in closers.finditer(stretch.group(0)):
                phrase = stretch.group(0)[:closed.start()].strip()
                if not phrase or phrase[0] in "的之" or len(phrase) > MAX_PHRASE:
                    continue
                start = opened.end()
                end = start + (closed.end() if frame.keep_close else closed.start())
                value = phrase + (closed.group(0) if frame.keep_close else "")
                out.append(Candidate("phrase", clean_phrase(value), "", "phrase", "", start, end,
                                     frame=frame.kind, extra={"closer": closed.group(0)}))
    for m in QUOTED.finditer(norm):
        out.append(Candidate("phrase", m.group(1), "", "phrase", "", m.start(), m.end(), frame="quoted"))
    for m in LABELLED.finditer(norm):
        out.append(Candidate("phrase", clean_phrase(m.group(2)), "", "phrase", "", m.start(2), m.end(2),
                             frame="labelled", extra={"other": m.group(1)}))
    for sentence_start, sentence_end in spans(SENTENCE_END, norm, 0, len(norm)):
        for a, b in spans(SEGMENT_END, norm, sentence_start, sentence_end):
            segment = norm[a:b]
            where = segment.find("是")
            if 1 < where < len(segment) - 2 and not segment.startswith(("是", "不")):
                left, right = segment[:where].strip(), segment[where + 1:].strip()
                if left.endswith(("不", "就", "还", "都", "也", "只", "即", "正", "总", "凡", "若", "要", "或")):
                    continue
                if 1 < len(left) <= MAX_PHRASE + 10 and 1 < len(right) <= MAX_PHRASE + 10:
                    out.append(Candidate("phrase", clean_phrase(left), "", "phrase", "", a, a + where,
                                         frame="is_subject", extra={"other": right}))
                    out.append(Candidate("phrase", clean_phrase(right), "", "phrase", "", a + where + 1, b,
                                         frame="is_object", extra={"other": left}))
    return [c for c in out if c.value and len(str(c.value)) <= MAX_PHRASE + 10]


MAX_MODIFIER = 16


PUNCTUATION = set("，,。；;：:、（）()《》\n ")
SEGMENT_PUNCTUATION = set("，,。；;：:、\n!?！？")


def head_phrases(norm: str, heads: list[str], boundaries: set[str], segmenter: Segmenter) -> list[Candidate]:
    """For 什么职称 / 哪个口岸 / 什么标准: each place the clause names the head noun, with the words that
    modify it, back to a word that opens a noun phrase (以及, 按照, 由 …) or punctuation: 中级以上技术职称,
    甘其毛都口岸; a quoted modifier is a name and stands alone (按照“一户一表”标准 → 一户一表)."""
    out: list[Candidate] = []
    words = _words(norm, segmenter)
    for head in heads:
        for m in re.finditer(re.escape(head), norm):
            start = m.start()
            # the head may end a word the analyzer keeps whole (阿拉伯数字): its modifier begins inside it
            inside = next((ws for ws, we, _ in words if ws < start < we and we == m.end()), None)
            i = _modifier_start(norm, words, inside if inside is not None else start, boundaries)
            end = m.end()
            title = _enclosing_title(norm, start, end)
            if title:  # 哪个行动方案 inside 《…行动方案(500条)》: the document's whole name, not a piece of it
                i, end = title
                out.append(Candidate("phrase", norm[i:end], "", "phrase", "", i, end, frame="modifier"))
                continue
            modifier = norm[i:start]
            if not modifier.strip("“”\"「」『』"):
                continue
            quoted = re.fullmatch(r"[“\"「『]([^”\"」』]+)[”\"」』]", modifier)
            value = quoted.group(1) if quoted else clean_phrase(modifier + head)
            out.append(Candidate("phrase", value, "", "phrase", "", i, m.end(), frame="modifier"))
    return out


def _words(norm: str, segmenter: Segmenter) -> list[tuple[int, int, str]]:
    """(start, end, text) of each word of ``norm``, as the analyzer segments it."""
    return [(piece.start, piece.end, piece.text) for piece in segmenter.segment(norm, subwords=False)]


def _modifier_start(norm: str, words: list[tuple[int, int, str]], start: int, boundaries: set[str]) -> int:
    """Where the words modifying the noun at ``start`` begin: back to a word that opens a noun phrase
    (``boundaries``), punctuation, or ``MAX_MODIFIER`` characters."""
    i = start
    for word_start, word_end, word in reversed(words):
        if word_end > start:
            continue
        # a sentence's or segment's punctuation between two words is in no word of the analyzer: it ends
        # the modifier too (便利。每年12月); brackets do not (县级能源（电力）主管部门)
        if word in boundaries or any(ch in PUNCTUATION for ch in norm[word_start:word_end]) \
                or any(ch in SEGMENT_PUNCTUATION for ch in norm[word_end:i]):
            break
        if start - word_start > MAX_MODIFIER:
            break
        # a quotation mark is not a word of the analyzer: keep it with the word it stands by
        i = word_start
        while i > 0 and norm[i - 1] in "“”\"「」『』":
            i -= 1
    return i


def _enclosing_title(norm: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of the name inside 《…》 that holds ``norm[start:end]``, when one does (on the same line)."""
    opened = norm.rfind("《", 0, start)
    if opened < 0 or "》" in norm[opened:start] or "\n" in norm[opened:start]:
        return None
    closed = norm.find("》", end)
    if closed < 0 or "《" in norm[end:closed] or "\n" in norm[end:closed]:
        return None
    return opened + 1, closed


def yesno_phrases(norm: str, verbs: list[str]) -> list[Candidate]:
    """For 含不含本数 / 能不能 …: each verb of the answer (包括 / 不包括, 可以 / 不得) with what follows it in
    its segment: 包括本数, 不包括本数."""
    out: list[Candidate] = []
    pattern = re.compile("|".join(re.escape(v) for v in sorted(verbs, key=len, reverse=True)))
    for m in pattern.finditer(norm):
        end = m.end()
        while end < len(norm) and end - m.end() < 12 and norm[end] not in PUNCTUATION:
            end += 1
        out.append(Candidate("phrase", norm[m.start():end].strip("“”\""), "", "phrase", "", m.start(), end,
                             frame="yesno"))
    return out


def mirrored_phrases(norm: str, around: tuple[str, str], light_verbs: tuple[str, ...], kind: str,
                     agent_head: re.Pattern[str]) -> list[Candidate]:
    """The question's own frame in the text: for 向哪个部门申请, each 向X…申请 of a segment gives X (向县级…教育行政
    部门提出申请 → 县级…教育行政部门). The light verbs between X and the closing word (提出, 进行) are left out.
    An agent ends with the last word that names a body (…教育行政部门提交书面申请 → …教育行政部门). The phrase's
    frame is the kind asked (agent, place): the question's own frame encloses it."""
    opener, closer = around
    if not opener or not closer:
        return []
    out: list[Candidate] = []
    for at in (m.start() for m in re.finditer(re.escape(closer), norm)):
        segment_start = max(norm.rfind(p, 0, at) for p in "，,。；;：:、\n") + 1
        opened = norm.rfind(opener, segment_start, at)
        if opened < 0:
            continue  # no preposition in the segment before the closing word
        stretch_start = opened + len(opener)
        phrase = norm[stretch_start:at].strip()
        changed = True
        while changed:
            changed = False
            for verb in light_verbs:
                if phrase.endswith(verb) and len(phrase) > len(verb):
                    phrase, changed = phrase[:-len(verb)].strip(), True
        if kind == "agent":
            ends = [m.end() for m in agent_head.finditer(phrase)]
            phrase = phrase[:max(ends)] if ends else phrase
        phrase = clean_phrase(phrase)
        if 1 < len(phrase) <= MAX_PHRASE:
            out.append(Candidate("phrase", phrase, "", "phrase", "", stretch_start, stretch_start + len(phrase),
                                 frame=kind, extra={"closer": closer, "mirrored": "1"}))
    return out


def alternative_phrases(norm: str, choices: list[str], negators: list[str]) -> list[Candidate]:
    """For 是工作日还是自然日: each place the clause states one of the choices. A choice the clause negates
    (不是自然日, 不包括节假日) is marked so: it is the choice the rule rules out."""
    out: list[Candidate] = []
    for choice in choices:
        for m in re.finditer(re.escape(choice), norm):
            lead = norm[max(0, m.start() - 4):m.start()]
            negated = any(lead.endswith(word) or lead[:-1].endswith(word) for word in negators)
            out.append(Candidate("phrase", choice, "", "phrase", "", m.start(), m.end(), frame="alternative",
                                 extra={"negated": "1"} if negated else {}))
    return out
