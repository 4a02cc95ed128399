"""The documents' titles as a query may name them, worked out once per index generation."""

from __future__ import annotations

from collections.abc import Callable, Iterable

TITLE_HEAD = 4  # titles are looked up by their first four characters…
SHORT_TITLE = 3  # …or all three of a short one (能源法, 电力法: the law's name without 中华人民共和国)
PLACE_NAME = (2, 6)  # the length of a place name a title starts with, before its 市 / 省 (滨州市, 内蒙古自治区)


class Titles:
    """Each document's title as a query may name it (whole, or without a prefix such as 中华人民共和国),
    longest first, and which documents have a form starting with each ``TITLE_HEAD`` characters: a query
    is checked against the few documents whose title could start somewhere in it, not against every title
    of a law library.

    Args:
        titles: document id → title, as read from the generation's documents.
        normalize: the vocabulary's normaliser (``Vocab.analysis.normalize``), applied to titles and queries.
        prefixes: what a title may start with that a query leaves out (``documents.yaml``'s title_prefixes).
        place_suffixes: what the place name a local title starts with ends with and a query may leave out
            (``documents.yaml``'s title_place_suffixes: 滨州停车场管理条例 names 滨州市停车场管理条例).
    """

    def __init__(self, titles: dict[str, str], normalize: Callable[[str], str], prefixes: Iterable[str],
                 place_suffixes: Iterable[str] = ()) -> None:
        self.normalize = normalize
        self.keys = {doc_id: normalize(title) for doc_id, title in titles.items()}  # normalised titles
        self.variants: list[tuple[str, list[str]]] = []
        self.by_head: dict[str, list[int]] = {}
        self.always: list[int] = []  # forms holding a space, which a title taken out of the query could bring together
        prefixes, suffixes = tuple(prefixes), tuple(place_suffixes)
        for doc_id, title in self.keys.items():
            forms = {title} | {title[len(p):] for p in prefixes if title.startswith(p)}
            forms |= {_without_place_suffix(form, suffixes) for form in forms} - {""}
            forms_kept = [v for v in sorted(forms, key=len, reverse=True) if len(v) >= SHORT_TITLE]
            if not forms_kept:
                continue
            number = len(self.variants)
            self.variants.append((doc_id, forms_kept))
            for head in {form[:TITLE_HEAD] for form in forms_kept}:
                self.by_head.setdefault(head, []).append(number)
            if any(" " in form for form in forms_kept):
                self.always.append(number)

    def named(self, query: str) -> tuple[list[str], str]:
        """Documents whose (normalised) title the query names, and the query with those titles taken out.

        The longest title named wins where titles overlap: 可再生能源法 names that law, not 能源法 inside it.

        Args:
            query: the query or question as typed.
        """
        rest = self.normalize(query)
        candidates = set(self.always)
        for size in (TITLE_HEAD, SHORT_TITLE):
            for i in range(len(rest) - size + 1):
                candidates.update(self.by_head.get(rest[i : i + size], ()))
        matches = sorted(((variant, number) for number in candidates for variant in self.variants[number][1]
                          if variant in rest), key=lambda pair: (-len(pair[0]), pair[1]))
        found: list[str] = []
        for variant, number in matches:
            doc_id = self.variants[number][0]
            if doc_id not in found and variant in rest:
                found.append(doc_id)
                rest = rest.replace(variant, " ")
        return found, rest


def _without_place_suffix(title: str, suffixes: tuple[str, ...]) -> str:
    """``title`` without the 市 / 省 … ending the place name it starts with, or "" when it has none."""
    low, high = PLACE_NAME
    for suffix in suffixes:
        at = title.find(suffix)
        if low <= at <= high and len(title) - at - len(suffix) >= SHORT_TITLE:
            return title[:at] + title[at + len(suffix):]
    return ""
