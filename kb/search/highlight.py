"""Where the matched words of a clause stand, and the stretches of it worth showing, as offsets (the
site renders them as HTML, ``web/hits.py``) and as plain text with the matches in 【】.

One pass of the project's analyzer over the clause gives every token with its offsets in the
verbatim text; tokens that are query terms are marked, overlapping marks merged (a word and its
sub-words). Only the runs of Chinese that hold a term as a substring are segmented. Whoosh's own
highlighter re-ran the analyzer once per token, which made it the slowest part of a search.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from kb.analysis.segment import Segmenter

WHOLE_CHARS = 300  # a clause this short is shown whole
FRAGMENT_CHARS = 160
MAX_FRAGMENTS = 2
SEPARATOR = " … "
Spans = list[tuple[int, int]]  # (start, end) offsets into a clause's text


def _holding(wanted: set[str]) -> Callable[[str], bool]:
    """Whether a run of text holds one of the terms as a substring: one search of an alternation of them
    (in C) instead of a test per term in Python, which was a tenth of a lawref answer's time."""
    if not wanted:
        return lambda _run: False
    pattern = re.compile("|".join(re.escape(term) for term in sorted(wanted)))  # re keeps the compiled pattern
    return lambda run: pattern.search(run) is not None


def spans(text: str, terms: Iterable[str], segmenter: Segmenter) -> list[tuple[int, int]]:
    """Merged (start, end) offsets of the query terms in ``text``."""
    wanted = set(terms)
    holds_a_term = _holding(wanted)
    found = sorted(segmenter.term_offsets(text, wanted, within=holds_a_term))
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _windows(text: str, marks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if len(text) <= WHOLE_CHARS:
        return [(0, len(text))]
    if not marks:
        return [(0, FRAGMENT_CHARS)]
    windows: list[tuple[int, int]] = []
    for start, _end in marks:
        if len(windows) == MAX_FRAGMENTS:
            break
        if windows and start < windows[-1][1]:
            continue
        begin = max(0, start - FRAGMENT_CHARS // 3)
        windows.append((begin, min(len(text), begin + FRAGMENT_CHARS)))
    return windows


def highlight(text: str, terms: Iterable[str], segmenter: Segmenter) -> tuple[Spans, Spans, str]:
    """Where the terms stand in ``text`` and what of it to show: (windows, marks, snippet) — the best
    stretches of the text as (start, end), the matched words as (start, end), and those
    stretches as plain text with the matches in 【】. The site renders the same spans as HTML."""
    marks = spans(text, terms, segmenter)
    windows = _windows(text, marks)
    return windows, marks, plain(text, windows, marks)


def plain(text: str, windows: Spans, marks: Spans) -> str:
    """The windows of ``text`` joined by `` … ``, the marks in 【】."""
    return render(text, windows, marks, lambda part: part, lambda word: f"【{word}】")


def render(text: str, windows: Spans, marks: Spans, escape: Callable[[str], str],
           mark: Callable[[str], str]) -> str:
    """The windows of ``text`` joined by ``SEPARATOR``, each stretch between marks passed through ``escape``
    and each marked word through ``mark``: plain text here, HTML on the site (``web/hits.py``).

    Args:
        text: the clause text the offsets are into.
        windows: (start, end) stretches to show, in order.
        marks: (start, end) matched words, in order; each is shown clipped to the windows it overlaps.
        escape: what an unmarked stretch becomes.
        mark: what a marked word becomes.
    """
    parts = []
    for begin, finish in windows:
        cursor, out = begin, []
        for start, end in marks:
            if end <= begin or start >= finish:
                continue
            start, end = max(start, begin), min(end, finish)
            out.append(escape(text[cursor:start]))
            out.append(mark(escape(text[start:end])))
            cursor = end
        out.append(escape(text[cursor:finish]))
        parts.append("".join(out))
    return SEPARATOR.join(parts)
