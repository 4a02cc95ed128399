"""What the pages and the command line show around an answer, as data (no HTML, no URLs): the 办电
stages on a timeline (``timeline``), the FAQ in categories with related entries (``faq_groups``), the
glossary of terms (``glossary``), the suggestions offered while typing (``suggestions``) and, for an FAQ
entry resting on a draft or a lapsed target, what applies today (``today``).

Each reads its words from a data file of ``kb/data/`` and its figures from the index."""

from __future__ import annotations

from pathlib import Path

import yaml

from kb.vocab import DATA_DIR


def data_file(name: str, data_dir: Path = DATA_DIR) -> dict:
    """A YAML data file of kb/data, parsed ({} when empty)."""
    return yaml.safe_load((data_dir / name).read_text(encoding="utf-8")) or {}
