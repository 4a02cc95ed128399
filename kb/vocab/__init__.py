"""Domain vocabulary, read once from the data files under ``kb/data``.

The analyzer, the corpus metadata inference and (later) question
understanding all share this one object, so a word added to the data files
is known everywhere at once.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import jieba
import yaml

from kb.errors import UnknownRegion, UnknownStatus

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Region:
    name: str
    parent: str | None
    names: tuple[str, ...]


@dataclass
class Vocab:
    data_dir: Path = DATA_DIR
    _loaded: dict = field(default_factory=dict, repr=False)

    def _yaml(self, name: str):
        if name not in self._loaded:
            self._loaded[name] = yaml.safe_load((self.data_dir / name).read_text(encoding="utf-8")) or {}
        return self._loaded[name]

    def _lines(self, name: str) -> list[str]:
        text = (self.data_dir / name).read_text(encoding="utf-8")
        return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]

    @cached_property
    def dictionary_words(self) -> list[str]:
        return [ln.split()[0] for ln in self._lines("dictionary.txt")]

    @cached_property
    def stopwords(self) -> frozenset[str]:
        return frozenset(self._lines("stopwords.txt"))

    @cached_property
    def aliases(self) -> dict[str, list[str]]:
        from kb.analysis.normalise import normalize  # local: analysis imports vocab for the dictionary

        return {normalize(k): [str(v) for v in vs] for k, vs in self._yaml("aliases.yaml").items()}

    @cached_property
    def regions(self) -> dict[str, Region]:
        raw = self._yaml("regions.yaml")
        return {
            name: Region(name, spec.get("parent"), tuple(spec.get("names") or [name]))
            for name, spec in raw.items()
        }

    @cached_property
    def units(self) -> dict:
        return self._yaml("units.yaml")

    @cached_property
    def documents(self) -> dict:
        return self._yaml("documents.yaml")

    def region_chain(self, region: str) -> list[str]:
        """The region and every region above it, most specific first."""
        chain: list[str] = []
        current: str | None = region
        while current and current in self.regions and current not in chain:
            chain.append(current)
            current = self.regions[current].parent
        return chain or [region]

    def canonical_region(self, text: str) -> str | None:
        """The region a user or a document means by ``text`` (鄂尔多斯 → 鄂尔多斯市)."""
        return self._region_names.get(text.strip())

    @cached_property
    def _region_names(self) -> dict[str, str]:
        """Every name of every region → the region; as in a search in file order, the first claim holds."""
        names: dict[str, str] = {}
        for region in self.regions.values():
            for name in (region.name, *region.names):
                names.setdefault(name, region.name)
        return names

    def region(self, text: str) -> str:
        """The region ``text`` names (鄂尔多斯 → 鄂尔多斯市), or ``UnknownRegion`` listing the choices: the one place
        a region a user, a request or a document gives is checked."""
        canonical = self.canonical_region(text)
        if canonical is None:
            raise UnknownRegion(f"未知地区“{text.strip()[:40]}”。可选：{'、'.join(self.regions)}")
        return canonical

    def status(self, text: str) -> str:
        """The document status ``text`` names, or ``UnknownStatus`` listing the choices."""
        status = text.strip()
        statuses = self.documents["status_values"]
        if status not in statuses:
            raise UnknownStatus(f"未知状态“{status[:40]}”。可选：{'、'.join(statuses)}")
        return status

    def regions_named_in(self, text: str) -> list[str]:
        """Regions whose names occur in ``text``, most specific (deepest) first."""
        found = []
        for region in self.regions.values():
            if any(name in text for name in region.names if len(name) >= 2):
                found.append(region.name)
        return sorted(found, key=lambda r: -len(self.region_chain(r)))

    @cached_property
    def fingerprint(self) -> str:
        """Changes whenever a data file changes, so the index is rebuilt."""
        digest = hashlib.sha256()
        for path in sorted(self.data_dir.iterdir()):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()[:16]

    @cached_property
    def segmenter(self) -> jieba.Tokenizer:
        """A jieba tokenizer with the domain dictionary, loaded now rather than lazily."""
        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for line in self._lines("dictionary.txt"):
            parts = line.split()
            freq = int(parts[1]) if len(parts) > 1 else None
            tokenizer.add_word(parts[0], freq, parts[2] if len(parts) > 2 else None)
        for region in self.regions.values():
            for name in region.names:
                if len(name) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", name):
                    tokenizer.add_word(name, 2000)
        return tokenizer


@lru_cache(maxsize=1)
def vocab() -> Vocab:
    """The process-wide vocabulary."""
    return Vocab()
