"""Conditions and negation: whether a candidate's own words state the case the question names (无外线工程,
外环内, 实行三零服务), rule it out (a condition of the same exclusive group, an affix-opposite word, the
word negated), or add cases the question does not name — counted for ``kb.answer.features``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.answer.question import BOUND_AFTER_NEGATOR, Question
from kb.vocab.wording import Wording

NEGATION_REACH = 5  # characters before a word where a negator still negates it
# A word the question negates is looked for negated further off: rules put the act between (未按照本规定第二章
# 规定履行, 拒不落实…整改要求) or after the word (整改没有达到要求, 逾期仍未改正)
NEGATED_REACH = 16  # held-out precise 383, 384, 384 at 10, 16, 24 (2026-12-03): the reach matters little




NEGATOR_CHARS = "没未不无非"  # a positive phrase right after one of these is said negated (没有外线 is no 有外线)


def _opposite_forms(word: str, w: Wording) -> list[str]:
    """外环外 for 外环内, 无外线工程 for 有外线工程, 未实行 for 实行: the word with an affix swapped."""
    out: list[str] = []
    for a, b in w.suffix_pairs:
        for this, that in ((a, b), (b, a)):
            if word.endswith(this) and (len(word) > len(this) or len(this) >= 2):
                out.append(word[: -len(this)] + that)
    for a, b in w.prefix_pairs:
        for this, that in ((a, b), (b, a)):
            if word.startswith(this) and len(word) > len(this) and not word.startswith(that):
                out.append(that + word[len(this):])
    return out


@dataclass
class _Affixed:
    """What a question says with an affix, worked out once per question: the prefix pairs it says
    (有电力外线工程: the context saying 无电力外线工程 contradicts), the suffix pairs as patterns (外环外 against
    外环线以内), and each word's affix-opposites (外环内 for 外环外)."""

    prefixed: list[tuple[str, str, str]]  # (prefix said, word, opposite prefix)
    suffixed: list[tuple[re.Pattern[str], re.Pattern[str]]]  # (agreeing pattern, contradicting pattern)
    opposites: list[tuple[tuple[str, ...], list[str]]]  # (the word's forms, its opposites)


def _affixed(question: Question, w: Wording) -> _Affixed:
    cached = question.__dict__.get("_affixed")
    if cached is not None:
        return cached
    asked = w.plain(question.norm)
    prefixed, suffixed, opposites = [], [], []
    for group in question.groups:
        if len(group.word) < 2:
            continue
        for a, b in w.prefix_pairs + [(b, a) for a, b in w.prefix_pairs]:
            if _says(asked, a, group.word, b):
                prefixed.append((a, group.word, b))
        for a, b in w.suffix_pairs + [(b, a) for a, b in w.suffix_pairs]:
            if group.word + a in asked:
                # 外环外 asked, 外环线以内 / 外环以外 written: a word or two may stand between, and 以 before
                near = rf"{re.escape(group.word)}.{{0,2}}?(?:以|之)?"
                suffixed.append((re.compile(near + re.escape(a)), re.compile(near + re.escape(b))))
        found = _opposite_forms(group.word, w)
        if found:
            opposites.append((group.forms, found))
    cached = _Affixed(prefixed, suffixed, opposites)
    question.__dict__["_affixed"] = cached
    return cached


def conditions(question: Question, own: str, w: Wording) -> tuple[float, float, float]:
    """(agree, contradict, extra): conditions the question names found in the candidate's own context,
    conditions of the same exclusive group (or an affix-opposite word) found instead, and conditions
    the context states that the question does not name."""
    stated = set(w.condition_re.findall(own))
    agree = contra = 0.0
    for condition in question.conditions:
        if condition in stated:
            agree += 1
        elif any(other in stated for group in w.group_of(condition) for other in group if other != condition):
            contra += 1
    affixed = _affixed(question, w)
    for a, word, b in affixed.prefixed:
        if _says(own, b, word, a):
            contra += 1
        elif _says(own, a, word, b):
            agree += 1
    for agreeing, contradicting in affixed.suffixed:
        if contradicting.search(own):
            contra += 1
        elif agreeing.search(own):
            agree += 1
    for forms, found in affixed.opposites:
        if any(o in own for o in found) and not any(form in own for form in forms):
            contra += 1
    named = set(question.conditions)
    extra = sum(1 for c in stated if c not in named and not any(c in n or n in c for n in named))
    return agree, contra, float(extra)


def negation(question: Question, own: str, w: Wording) -> tuple[float, float]:
    """(agree, contradict): question words whose negation (没/未/无/不/非 before them) the candidate's own
    context shares or reverses. Reversed takes clear evidence either way: a word the question negates is
    said negated by any negator within ``NEGATED_REACH`` before a mention or just after it (没整改 is 整改没有
    达到要求; 责令改正，拒不改正的 is the case of not correcting); a word the question does not negate is
    reversed only when every mention has a negator directly before it (不参加补考 does not negate 补考) and
    no negator of the question's own phrase may reach it. A stem the question says both ways names no case."""
    agree = contra = 0.0
    both = _said_both_ways(question)
    for group in question.groups:
        if group.alias or group.either or group.word in both:
            continue  # an alias the question did not type, or a word it says both ways, names no case
        mentions = [(at, form) for form in group.forms for at in _mentions(own, form)
                    if not _inside_negator(own, at, w)]
        if not mentions:
            continue
        if group.negated:
            said = [negated_at(own, at, w, near=True) or bool(w.negator_after_re.match(own, at + len(form)))
                    for at, form in mentions]
            agree, contra = (agree + 1, contra) if any(said) else (agree, contra + 1)
        elif all(negated_at(own, at, w) for at, _form in mentions) and not _in_negated_phrase(question, group.word, w):
            contra += 1
    return agree, contra


def _said_both_ways(question: Question) -> set[str]:
    """Words of one stem the question says negated and not (被责令改正还不改: 改正 and 改): it names no case of
    either."""
    negated = [g.word for g in question.groups if g.negated and not g.alias]
    plain = [g.word for g in question.groups if not g.negated and not g.alias]
    both = set()
    for a in negated:
        for b in plain:
            if a != b and (a.startswith(b) or b.startswith(a)):
                both.update((a, b))
    return both


def _inside_negator(text: str, at: int, w: Wording) -> bool:
    """Whether the mention at ``at`` is part of a negator itself (the 得 of 不得, the 有 of 没有)."""
    start = max(0, at - 2)
    return any(m.start() < at - start < m.end() for m in w.negator_re.finditer(text[start:at + 2]))


def _in_negated_phrase(question: Question, word: str, w: Wording) -> bool:
    """Whether a negator or a prohibition stands before ``word`` in its phrase of the question (不按有序用电的
    序位拉闸限电, 不能再办养犬登记): the question's negation may reach it, so the text's saying it negated
    contradicts nothing."""
    at = question.norm.find(word)
    if at < 0:
        return False
    phrase = re.split(r"[，,。；;：:、？?！!]", question.norm[:at])[-1]
    return any(phrase.startswith(w.prohibitions, m.start()) or not phrase.startswith(w.not_negating, m.start())
               for m in w.negator_re.finditer(phrase))


def _mentions(text: str, form: str) -> list[int]:
    found, at = [], text.find(form)
    while at >= 0:
        found.append(at)
        at = text.find(form, at + 1)
    return found


def _says(text: str, prefix: str, word: str, other: str) -> bool:
    """Whether ``text`` holds ``prefix + word`` not as part of ``other + word`` (实行三零服务 is not said by
    未实行三零服务, 有外线工程 not by 没有外线工程)."""
    extra = other[: -len(prefix)] if other.endswith(prefix) and other != prefix else ""
    at = text.find(prefix + word)
    while at >= 0:
        before = text[max(0, at - 2):at]
        negated = before.endswith(tuple(NEGATOR_CHARS)) and not prefix.startswith(tuple(NEGATOR_CHARS))
        if (not extra or text[max(0, at - len(extra)):at] != extra) and not negated:
            return True
        at = text.find(prefix + word, at + 1)
    return False


def negated_at(text: str, at: int, w: Wording, near: bool = False) -> bool:
    """Whether the word at ``at`` is the word a negator shortly before it negates: the first word after the
    negator, past only the words a negation passes over (未能及时填写 negates 填写; 不参加补考 negates 参加, not 补考)
    — as a question's negator negates its next word. ``near``: any negator in reach negates it, unless 的
    stands between (未完成整改 negates 整改)."""
    start = max(0, at - (NEGATED_REACH if near else NEGATION_REACH))
    window = re.split(r"[，,。；;：:、]", text[start:at])[-1]
    start = at - len(window)
    # 不超过 / 不少于 / 不得低于 bound a figure; they negate no word
    negators = [m for m in w.negator_re.finditer(window) if not BOUND_AFTER_NEGATOR.match(text, start + m.end())
                and not window.startswith(w.not_negating, m.start())]
    if not negators:
        return False
    between = window[negators[-1].end():]
    if near:
        return "的" not in between
    return _passed_over(between, w.negation_passes_over)


def _passed_over(between: str, words: frozenset[str]) -> bool:
    """Whether ``between`` is empty or a run of ``words`` (能及时)."""
    if not between:
        return True
    return any(between.startswith(word) and _passed_over(between[len(word):], words) for word in words)
