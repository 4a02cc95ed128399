"""jieba's dictionary (with the domain words added) in a compact form read per first character.

A one-shot ``kb ask`` cut a question of twenty characters, and loading jieba's prefix dictionary (half a
million words and prefixes, unmarshalled whole) took over a second of it. The segmenter needs, for a
run of text, only the words that start with one of its characters: this file holds jieba's ``FREQ``
(word or prefix → frequency, prefixes 0, exactly as the loaded tokenizer has them after the domain
words were added) in one block per first character (per first two for the hundred most common first
characters), and ``CompactDictionary.ensure(text)`` unmarshals the blocks ``text`` can need that it has
not read yet. The words, frequencies and total are the
tokenizer's own, so the words cut are the same to the last token (tests/test_jieba_route.py).

The file is made once per dictionary — jieba's own dictionary file and the vocabulary's fingerprint
(kb/data) name it — from the full tokenizer, by whichever process first needs it (``kb build`` does
before anything else), in the cache folder (``KB_CACHE``, else ``$XDG_CACHE_HOME/kb`` or ``~/.cache/kb``),
written to a temporary name and renamed, so readers never see half of one. Where nothing can be
written, the full tokenizer's dictionary is used as it is.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

MAGIC = b"kb-dictionary 2\n"
HEADER = 8  # bytes giving the length of the marshalled (total, size, {char: (offset, length, split)})


def cache_folder() -> Path:
    folder = os.environ.get("KB_CACHE")
    if folder:
        return Path(folder)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kb"


def jieba_dictionary_stamp() -> str:
    """jieba's own dictionary file, by path, size and modification time (without importing jieba)."""
    spec = importlib.util.find_spec("jieba")
    path = Path(spec.origin).parent / "dict.txt" if spec and spec.origin else None
    if path is None or not path.exists():
        return "no-jieba-dictionary"
    stat = path.stat()
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


class _Words(Mapping):
    """``FREQ`` as callers read it (``word in``, ``get``, ``[]``): a word's block is loaded on first look."""

    def __init__(self, dictionary: CompactDictionary) -> None:
        self._dictionary = dictionary

    def __getitem__(self, word: str) -> int:
        self._dictionary.ensure(word[:2])
        return self._dictionary.loaded[word]

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        self._dictionary.ensure(word[:2])
        return word in self._dictionary.loaded

    def __iter__(self) -> Iterator[str]:
        self._dictionary.ensure_all()
        return iter(self._dictionary.loaded)

    def __len__(self) -> int:
        return self._dictionary.size


class CompactDictionary:
    """jieba's word frequencies for the segmenter (``kb.analysis.jieba_route.Route``): ``total``, ``loaded``
    (the plain dict of the blocks read so far), ``ensure(text)`` before looking up ``text``'s words there,
    and ``FREQ`` for callers that look words up one at a time.

    A character with more than ``SPLIT`` words (一, 中, 不 … a hundred of them hold a third of the
    dictionary) has its block split again by the second character: its own entry is read with its
    index, and the words starting with a pair of characters only when the text holds that pair.
    """

    SPLIT = 512

    def __init__(self, total: int, size: int, blocks: dict, blob: bytes | memoryview) -> None:
        self.total = total
        self.size = size  # words and prefixes, all blocks together
        self._blocks = blocks  # char → (offset, length, split)
        self._blob = blob
        self.loaded: dict[str, int] = {}
        self.seen: set[str] = set()  # characters whose block (or, when split, whose index) was read
        self._pairs: dict[str, dict[str, tuple[int, int]]] = {}  # split character → pair → (offset, length)
        self._pairs_seen: set[str] = set()
        self._complete = False  # everything loaded (ensure_all): nothing left to look for
        self.FREQ = _Words(self)

    def check_initialized(self) -> None:  # what Route asks of a jieba tokenizer
        return None

    def _read(self, offset: int, length: int):
        return marshal.loads(self._blob[offset : offset + length])

    def ensure(self, text: str) -> None:
        """Load what the words of ``text`` can start with: the block of each of its characters, and for a
        split character the words of each pair it starts in ``text``."""
        if self._complete:
            return
        chars = set(text)
        new = chars - self.seen
        if new:
            blocks, loaded = self._blocks, self.loaded
            for char in new:
                where = blocks.get(char)
                if where is None:
                    continue
                if where[2]:
                    singles, self._pairs[char] = self._read(where[0], where[1])
                    loaded.update(singles)
                else:
                    loaded.update(self._read(where[0], where[1]))
            self.seen |= new
        pairs = self._pairs
        if not pairs:
            return
        seen, loaded = self._pairs_seen, self.loaded
        for char in chars.intersection(pairs):
            index = pairs[char]
            at = text.find(char)
            while at != -1:
                pair = text[at : at + 2]
                if pair not in seen:
                    seen.add(pair)
                    where = index.get(pair)
                    if where is not None:
                        loaded.update(self._read(*where))
                at = text.find(char, at + 1)

    def ensure_all(self) -> None:
        self.ensure("".join(self._blocks))
        for index in self._pairs.values():
            for pair, where in index.items():
                if pair not in self._pairs_seen:
                    self._pairs_seen.add(pair)
                    self.loaded.update(self._read(*where))
        self._complete = True

    # -- the file ---------------------------------------------------------------------------------
    @classmethod
    def encode(cls, freq: Mapping[str, int], total: int) -> bytes:
        by_char: dict[str, dict[str, int]] = {}
        for word, count in freq.items():
            if word:
                by_char.setdefault(word[0], {})[word] = count
        blocks, parts, offset = {}, [], 0

        def put(value) -> tuple[int, int]:
            nonlocal offset
            data = marshal.dumps(value)
            parts.append(data)
            offset += len(data)
            return offset - len(data), len(data)

        for char, words in by_char.items():
            if len(words) <= cls.SPLIT:
                blocks[char] = (*put(words), False)
                continue
            by_pair: dict[str, dict[str, int]] = {}
            singles = {}
            for word, count in words.items():
                if len(word) == 1:
                    singles[word] = count
                else:
                    by_pair.setdefault(word[:2], {})[word] = count
            index = {pair: put(pair_words) for pair, pair_words in by_pair.items()}
            blocks[char] = (*put((singles, index)), True)
        header = marshal.dumps((total, sum(len(words) for words in by_char.values()), blocks))
        return MAGIC + len(header).to_bytes(HEADER, "little") + header + b"".join(parts)

    @classmethod
    def decode(cls, data: bytes) -> CompactDictionary | None:
        """The dictionary in ``data``, or None when it is not a dictionary file (marshal's own errors, for
        a file cut short, pass through)."""
        if not data.startswith(MAGIC):
            return None
        view = memoryview(data)
        start = len(MAGIC) + HEADER
        length = int.from_bytes(view[len(MAGIC) : start], "little")
        total, size, blocks = marshal.loads(view[start : start + length])
        return cls(total, size, blocks, view[start + length :])

    @classmethod
    def cached(cls, key: str, tokenizer: Callable[[], Any], folder: Path | None = None) -> CompactDictionary:
        """The dictionary named ``key`` from the cache folder, made from ``tokenizer()`` (a loaded jieba
        tokenizer) and written there when it is not there yet or cannot be read."""
        path = (folder or cache_folder()) / f"dictionary-{hashlib.sha256(key.encode()).hexdigest()[:20]}.bin"
        try:
            found = cls.decode(path.read_bytes())
            if found is not None:
                return found
        except (OSError, ValueError, EOFError, TypeError):  # missing, unreadable or cut short: made again
            pass
        full = tokenizer()
        data = cls.encode(full.FREQ, full.total)
        written = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".dictionary-", delete=False) as out:
                written = out.name
                out.write(data)
            os.replace(written, path)
        except OSError:
            # A read-only home: this process works from memory, the next one tries again.
            if written:
                Path(written).unlink(missing_ok=True)
        made = cls.decode(data)
        if made is None:  # what encode wrote always decodes; say so rather than return nothing
            raise AssertionError("a compact dictionary that does not read back")
        return made
