"""Plain-language explanations of the terms a text uses (kb/data/glossary.yaml)."""

from __future__ import annotations

from pathlib import Path

from kb.present import data_file
from kb.vocab import DATA_DIR


def glossary(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """Every term and its explanation, in the file's order."""
    return dict(data_file("glossary.yaml", data_dir).get("terms", {}))


def terms_in(text: str, data_dir: Path = DATA_DIR) -> list[tuple[str, str]]:
    """The glossary's terms that ``text`` contains, longest first where one contains another (用电报装 before
    报装: only the longer is listed when the shorter occurs only inside it)."""
    terms = glossary(data_dir)
    found = []
    for term in sorted(terms, key=len, reverse=True):
        rest = text
        for longer, _ in found:
            rest = rest.replace(longer, "")
        if term in rest:
            found.append((term, terms[term]))
    order = list(terms)
    return sorted(found, key=lambda pair: order.index(pair[0]))
