"""Mark the matched words of a clause, in HTML (escaped, <mark>) and in plain text (【】).

One pass of the project's analyzer over the clause gives every token with its offsets in the
verbatim text; tokens that are query terms are marked, overlapping marks merged (a word and its
sub-words). Only the runs of Chinese that hold a term as a substring are segmented. Whoosh's own
highlighter re-ran the analyzer once per token, which made it the slowest part of a search.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from kb.analysis.segment import Segmenter

WHOLE_CHARS = 300  # a clause this short is shown whole
FRAGMENT_CHARS = 160
MAX_FRAGMENTS = 2
SEPARATOR = " … "


def spans(text: str, terms: Iterable[str], segmenter: Segmenter) -> list[tuple[int, int]]:
    """Merged (start, end) offsets of the query terms in ``text``."""
    wanted = set(terms)

    def holds_a_term(run: str) -> bool:
        return any(term in run for term in wanted)

    found = sorted((p.start, p.end) for p in segmenter.segment(text, within=holds_a_term) if p.text in wanted)
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


def highlight(text: str, terms: Iterable[str], segmenter: Segmenter) -> tuple[str, str]:
    """(HTML, plain) renderings of the best fragments of ``text`` with the terms marked."""
    marks = spans(text, terms, segmenter)
    html_parts, plain_parts = [], []
    for begin, finish in _windows(text, marks):
        cursor, html_out, plain_out = begin, [], []
        for start, end in marks:
            if end <= begin or start >= finish:
                continue
            start, end = max(start, begin), min(end, finish)
            html_out.append(html.escape(text[cursor:start], quote=False))
            plain_out.append(text[cursor:start])
            word = text[start:end]
            html_out.append(f"<mark>{html.escape(word, quote=False)}</mark>")
            plain_out.append(f"【{word}】")
            cursor = end
        html_out.append(html.escape(text[cursor:finish], quote=False))
        plain_out.append(text[cursor:finish])
        html_parts.append("".join(html_out))
        plain_parts.append("".join(plain_out))
    return SEPARATOR.join(html_parts), SEPARATOR.join(plain_parts)
