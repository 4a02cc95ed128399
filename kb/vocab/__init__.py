"""The vocabulary: every domain word, read once from the data files under ``kb/data``, and what is made
from them — the analysis (normaliser, segmenter, the query analyser), the domain lexicon and the answer
engine's wording.

One ``Vocab`` is passed explicitly to whatever reads text: the index and the answer engine hold theirs, and
everything below them is given it. ``default_vocab()`` is the package's own data, for the entry points
that need a default (the CLI, the site, ``OpenIndex``, ``build``, ``Answerer`` and the library functions
whose ``vocab`` argument is optional).
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from kb.analysis.dictionary import CompactDictionary, jieba_dictionary_stamp
from kb.analysis.filters import AliasFilter, Analyzer, Bigrams, StopFilter, Words
from kb.analysis.normalise import Normaliser
from kb.analysis.segment import Segmenter
from kb.errors import UnknownRegion, UnknownStatus
from kb.vocab.lexicon import Lexicon
from kb.vocab.wording import Wording

if TYPE_CHECKING:
    import jieba

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Region:
    name: str
    parent: str | None
    names: tuple[str, ...]


@dataclass(frozen=True)
class Statuses:
    """The statuses the code names (``documents.yaml`` ``status_names``)."""

    in_force: str  # 现行有效
    draft: str  # 征求意见稿
    repealed: str  # 已废止
    expired: str  # 已失效
    superseded: str  # 已被修改: an older version of a document a newer one amends
    not_yet: str  # 尚未施行: a standing on a date before the document takes effect


@dataclass(frozen=True)
class Extents:
    """How far a ``supersedes`` entry reaches (``documents.yaml`` ``supersede_extents``)."""

    full: str  # 全部废止, the default
    amended: str  # 修订: a newer version of the same document
    partial: str  # 不一致: an extent holding it overrides only where the documents differ


@dataclass
class Vocab:
    data_dir: Path = DATA_DIR
    _loaded: dict = field(default_factory=dict, repr=False)

    def _yaml(self, name: str):
        if name not in self._loaded:
            # libyaml's loader when PyYAML has it: the pure-Python one took a tenth of a second of a one-shot ask.
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            self._loaded[name] = yaml.load((self.data_dir / name).read_text(encoding="utf-8"), Loader=loader) or {}
        return self._loaded[name]

    def _lines(self, name: str) -> list[str]:
        text = (self.data_dir / name).read_text(encoding="utf-8")
        return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]

    @cached_property
    def dictionary_words(self) -> list[str]:
        """The domain dictionary's words (``dictionary.txt``)."""
        return [ln.split()[0] for ln in self._lines("dictionary.txt")]

    @cached_property
    def traditional(self) -> dict[int, str]:
        """Traditional characters and their simplified forms (``traditional.txt``), as ``str.translate`` reads them."""
        return {ord(line[0]): line[1] for line in self._lines("traditional.txt") if len(line) == 2}

    @cached_property
    def _readings(self) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
        """Each character's readings in pinyin without tones (``pinyin.txt``), and each syllable's characters."""
        readings = {line[0]: line[1:].split() for line in self._lines("pinyin.txt")}
        by_syllable: dict[str, set[str]] = {}
        for ch, syllables in readings.items():
            for syllable in syllables:
                by_syllable.setdefault(syllable, set()).add(ch)
        return readings, by_syllable

    def homophones(self, ch: str) -> set[str]:
        """The other characters with one of ``ch``'s readings, tones dropped, as an IME offers them for the
        syllable typed (政 → 正, 整 …)."""
        readings, by_syllable = self._readings
        return {c for syllable in readings.get(ch, ()) for c in by_syllable[syllable]} - {ch}

    def simplified(self, text: str) -> str:
        """``text`` with its traditional characters simplified (罰款 → 罚款); the texts' own characters stay."""
        return text.translate(self.traditional)

    @cached_property
    def stopwords(self) -> frozenset[str]:
        """The stop words (``stopwords.txt``) the analysers drop."""
        return frozenset(self._lines("stopwords.txt"))

    @cached_property
    def analysis(self) -> Segmenter:
        """The normaliser and segmenter of this vocabulary's counters and dictionary."""
        units = self.units
        normaliser = Normaliser(units["counters"], units["ordinals"], units["idioms_after_one"])
        return Segmenter(normaliser, self.dictionary)

    @cached_property
    def aliases(self) -> AliasFilter:
        """The aliases of ``kb/data/aliases.yaml`` (keys normalised), as the query analyser's alias filter."""
        return AliasFilter(self._yaml("aliases.yaml"), self.analysis.normalize, self.analysis)

    @cached_property
    def query(self) -> Analyzer:
        """The query analyser: the segmenter's words, the words of the aliases the text names, stop words
        dropped — ``Words | AliasFilter | StopFilter`` (``kb.analysis.filters``)."""
        return Words(self.analysis) | self.aliases | StopFilter(self.stopwords)

    @cached_property
    def content(self) -> Analyzer:
        """A text's own words without the stop words — ``Words | StopFilter`` — as the FAQ search and the
        answer engine read a question."""
        return Words(self.analysis) | StopFilter(self.stopwords)

    @cached_property
    def content_bigrams(self) -> Analyzer:
        """A text's character bigrams without the stop words — ``Bigrams | StopFilter``."""
        return Bigrams(self.analysis) | StopFilter(self.stopwords)

    @cached_property
    def lexicon(self) -> Lexicon:
        """The domain lexicon (``kb/data/facts.yaml``) compiled into matchers."""
        return Lexicon({**self._yaml("facts.yaml"), "units": self.units["figures"]}, self.analysis)

    @cached_property
    def wording(self) -> Wording:
        """The answer engine's wording (``kb/data/answers.yaml``) compiled into matchers."""
        units = self.units
        return Wording({**self._yaml("answers.yaml"), "unit_families": units["families"],
                        "time_families": units["time_families"],
                        "question_also": units.get("question_also", {})}, self.analysis.normalize)

    @cached_property
    def regions(self) -> dict[str, Region]:
        """Every region of ``regions.yaml`` with its parent and the names it goes by, then the cities of
        ``cities.yaml`` (the cities lawref's local regulations come from; ``regions.yaml`` wins)."""
        raw = dict(self._yaml("regions.yaml"))
        for city, spec in self._yaml("cities.yaml").items():
            raw.setdefault(city, spec)
        return {
            name: Region(name, spec.get("parent"), tuple(spec.get("names") or [name]))
            for name, spec in raw.items()
        }

    @cached_property
    def units(self) -> dict:
        """Every unit of the product (``kb/data/units.yaml``): the counters numerals are read before, the
        units of facts, of the FAQ check and of the answer engine's families."""
        return self._yaml("units.yaml")

    @cached_property
    def nationwide(self) -> str:
        """The region above every other (全国): the one ``regions.yaml`` gives no parent."""
        return next(name for name, region in self.regions.items() if region.parent is None)

    @cached_property
    def in_force(self) -> str:
        """The status of a document in force (现行有效), a document's status when none is inferred."""
        return self.documents["status_names"]["in_force"]

    @cached_property
    def faq_topics(self) -> list[str]:
        """The topics an FAQ entry may have."""
        return list(self.documents["faq_topics"])

    @cached_property
    def draft(self) -> str:
        """The status of a draft (征求意见稿)."""
        return self.documents["status_names"]["draft"]

    @cached_property
    def statuses(self) -> Statuses:
        """Every status the code names, in force and not (``status_names``)."""
        return Statuses(**self.documents["status_names"])

    @cached_property
    def extents(self) -> Extents:
        """The extents of a ``supersedes`` entry the code tells apart (``supersede_extents``)."""
        return Extents(**self.documents["supersede_extents"])

    @cached_property
    def documents(self) -> dict:
        """What ``documents.yaml`` says about documents: inference rules, statuses, FAQ topics, title prefixes."""
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
    def dictionary(self) -> CompactDictionary:
        """The analysis's dictionary: ``segmenter``'s words and frequencies in the compact form read per
        character, made from it once per dictionary and cached (kb.analysis.dictionary)."""
        key = f"{jieba_dictionary_stamp()}|{self.fingerprint}"
        return CompactDictionary.cached(key, lambda: self.segmenter)

    @cached_property
    def segmenter(self) -> jieba.Tokenizer:
        """A jieba tokenizer with the domain dictionary, loaded now rather than lazily: what the compact
        ``dictionary`` is made from, and the reference the tests compare the analysis with."""
        import jieba  # a third of a second to import: only when the compact dictionary is (re)made

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
def default_vocab() -> Vocab:
    """The vocabulary of the package's own data (``kb/data``), made once: the default of the entry points."""
    return Vocab()
