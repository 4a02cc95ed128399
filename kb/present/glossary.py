"""Plain-language explanations of the terms a text uses (kb/data/glossary.yaml)."""

from __future__ import annotations

from pathlib import Path

from kb.present import data_file
from kb.vocab import DATA_DIR


class Glossary:
    """The glossary file, read once."""

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        self.terms: dict[str, str] = dict(data_file("glossary.yaml", data_dir).get("terms", {}))
        self._longest_first = sorted(self.terms, key=len, reverse=True)
        self._order = {term: number for number, term in enumerate(self.terms)}

    def terms_in(self, text: str) -> list[tuple[str, str]]:
        """The terms ``text`` contains, in the file's order; a term found only inside a longer one that is
        listed (报装 inside 用电报装) is left out."""
        found: list[str] = []
        for term in self._longest_first:
            rest = text
            for longer in found:
                rest = rest.replace(longer, "")
            if term in rest:
                found.append(term)
        return [(term, self.terms[term]) for term in sorted(found, key=self._order.__getitem__)]
