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


def categories(entries: list[Entry], data_dir: Path = DATA_DIR) -> list[Category]:
    """The entries grouped in the file's order; empty categories left out."""
    spec = data_file("faq_categories.yaml", data_dir)["categories"]
    groups = [Category(c["name"], f"cat-{number}") for number, c in enumerate(spec, start=1)]
    place = {topic: number for number, c in enumerate(spec) for topic in c["topics"]}
    for entry in entries:
        groups[place.get(entry.topic, len(groups) - 1)].entries.append(entry)
    return [group for group in groups if group.entries]


def category_of(entry: Entry, data_dir: Path = DATA_DIR) -> str:
    spec = data_file("faq_categories.yaml", data_dir)["categories"]
    return next((c["name"] for c in spec if entry.topic in c["topics"]), spec[-1]["name"])


def related(entry: Entry, entries: list[Entry], data_dir: Path = DATA_DIR) -> list[Entry]:
    """Up to RELATED other entries: those of the same topic, then those of the same category."""
    same_topic = [e for e in entries if e.id != entry.id and e.topic == entry.topic]
    category = category_of(entry, data_dir)
    same_category = [e for e in entries if e.id != entry.id and e not in same_topic
                     and category_of(e, data_dir) == category]
    return (same_topic + same_category)[:RELATED]


def help_entry_id(data_dir: Path = DATA_DIR) -> str:
    return data_file("faq_categories.yaml", data_dir).get("help_entry", "")
