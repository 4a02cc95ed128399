"""The public FAQ in categories (kb/data/faq_categories.yaml, made of the entries' own topics), each entry
with its related entries (same topic first, then same category), and the entry that leads to a person."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kb.corpus.faq import Entry
from kb.present import data_file
from kb.vocab import DATA_DIR

RELATED = 3  # related entries shown under an answer


@dataclass
class Category:
    name: str
    slug: str  # cat-1, cat-2 …: an ASCII anchor for the page
    entries: list[Entry] = field(default_factory=list)


class FaqGroups:
    """The categories file, read once: make one per vocabulary data directory and keep it."""

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        spec = data_file("faq_categories.yaml", data_dir)
        self.names: list[str] = [c["name"] for c in spec["categories"]]
        self._place = {topic: number for number, c in enumerate(spec["categories"]) for topic in c["topics"]}
        self.help_entry_id: str = spec.get("help_entry", "")

    def _number(self, entry: Entry) -> int:
        return self._place.get(entry.topic, len(self.names) - 1)  # an unlisted topic goes last

    def categories(self, entries: list[Entry]) -> list[Category]:
        """The entries grouped in the file's order; empty categories left out."""
        groups = [Category(name, f"cat-{number}") for number, name in enumerate(self.names, start=1)]
        for entry in entries:
            groups[self._number(entry)].entries.append(entry)
        return [group for group in groups if group.entries]

    def category_of(self, entry: Entry) -> str:
        return self.names[self._number(entry)]

    def related(self, entry: Entry, entries: list[Entry]) -> list[Entry]:
        """Up to RELATED other entries: those of the same topic, then those of the same category."""
        same_topic = [e for e in entries if e.id != entry.id and e.topic == entry.topic]
        number = self._number(entry)
        same_category = [e for e in entries if e.id != entry.id and e.topic != entry.topic
                         and self._number(e) == number]
        return (same_topic + same_category)[:RELATED]
