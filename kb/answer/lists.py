"""Whom a list's values go to: in A、B和C分别…5个、10个、20个 the values are distributed over the subjects
listed before 分别, each with the tail they share (低压、高压单电源、双电源用户的…时间 → 低压用户的…时间)."""

from __future__ import annotations

import re

from kb.analysis.segment import SENTENCE_END, Segmenter


def list_others(norm: str, list_start: int, count: int, segmenter: Segmenter) -> list[str]:
    """The list's subjects as the text writes them (without the shared tail), to leave the other subjects
    out of each value's own context."""
    subjects = distributed(norm, list_start, count, segmenter, shared_tail=False)
    return subjects


def distributed(norm: str, list_start: int, count: int, segmenter: Segmenter, shared_tail: bool = True) -> list[str]:
    """A、B和C分别…5个、10个、20个: the subjects the list's values go to, in order, when the text before
    the list names as many; [] otherwise."""
    sentence_start = max((m.end() for m in SENTENCE_END.finditer(norm, 0, list_start)), default=0)
    head = norm[sentence_start:list_start]
    where = head.rfind("分别")
    if where < 0:
        return []
    head = head[:where]
    head = head[max((m.end() for m in re.finditer(r"[，,：:]", head)), default=0):]
    for splitter in (r"、", r"[、和与]|以及", r"[、和及与]|以及"):
        items = [item for item in re.split(splitter, head) if item.strip()]
        if len(items) == count:
            return _split_tail(items, segmenter) if shared_tail else _heads(items, segmenter)
    return []


def _heads(items: list[str], segmenter: Segmenter) -> list[str]:
    """The items without the shared tail of the last one (see ``_split_tail``)."""
    split = _split_tail(items, segmenter)
    tail = split[0][len(items[0]):] if split is not items else ""
    return items[:-1] + [split[-1][: len(split[-1]) - len(tail)]] if tail else items


def _split_tail(items: list[str], segmenter: Segmenter) -> list[str]:
    """The last item of 低压、高压单电源、双电源用户的供电企业…时间分别 carries what all of them share (the
    thing measured): cut it off after as many words as the items before it are long, at the latest at a
    的, and give that shared tail to every item."""
    if len(items) < 2:
        return items
    middle = items[1:-1] or items[:1]
    size = sorted(len(item) for item in middle)[len(middle) // 2]
    head = ""
    for piece in segmenter.segment(items[-1], subwords=False):
        if piece.text == "的" or len(head) >= size:
            break
        head += piece.text
    tail = items[-1][len(head):] if head and items[-1].startswith(head) else ""
    if not tail:
        return items
    return [item + tail for item in items[:-1]] + [head + tail]
