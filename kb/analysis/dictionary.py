"""jieba's dictionary (with the domain words added) in a compact form read per first character.

A one-shot ``kb ask`` cut a question of twenty characters, and loading jieba's prefix dictionary (half a
million words and prefixes, unmarshalled whole) took over a second of it. The segmenter needs, for a
run of text, only the words that start with one of its characters: this file holds jieba's ``FREQ``
(word or prefix → frequency, prefixes 0, exactly as the loaded tokenizer has them after the domain
words were added) in one block per first character, and ``CompactDictionary.ensure(text)`` unmarshals
the blocks of the characters of ``text`` it has not seen yet. The words, frequencies and total are the
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

MAGIC = b"kb-dictionary 1\n"
HEADER = 8  # bytes giving the length of the marshalled (total, size, {char: (offset, length)})


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
        if word and word[0] not in self._dictionary.seen:
            self._dictionary.ensure(word[0])
        return self._dictionary.loaded[word]

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        if word and word[0] not in self._dictionary.seen:
            self._dictionary.ensure(word[0])
        return word in self._dictionary.loaded

    def __iter__(self) -> Iterator[str]:
        self._dictionary.ensure_all()
        return iter(self._dictionary.loaded)

    def __len__(self) -> int:
        return self._dictionary.size


class CompactDictionary:
    """jieba's word frequencies for the segmenter (``kb.analysis.jieba_route.Route``): ``total``, ``loaded``
    (the plain dict of the blocks read so far), ``ensure(text)`` before looking up ``text``'s words there,
    and ``FREQ`` for callers that look words up one at a time."""

    def __init__(self, total: int, size: int, blocks: dict[str, tuple[int, int]], blob: bytes | memoryview) -> None:
        self.total = total
        self.size = size  # words and prefixes, all blocks together
        self._blocks = blocks
        self._blob = blob
        self.loaded: dict[str, int] = {}
        self.seen: set[str] = set()  # characters whose block is in ``loaded`` (or that have none)
        self.FREQ = _Words(self)

    def check_initialized(self) -> None:  # what Route asks of a jieba tokenizer
        return None

    def ensure(self, text: str) -> None:
        """Load the block of every character of ``text`` not loaded yet."""
        new = set(text) - self.seen
        if not new:
            return
        blocks, blob, loaded = self._blocks, self._blob, self.loaded
        for char in new:
            where = blocks.get(char)
            if where is not None:
                loaded.update(marshal.loads(blob[where[0] : where[0] + where[1]]))
        self.seen |= new

    def ensure_all(self) -> None:
        self.ensure("".join(self._blocks))

    # -- the file ---------------------------------------------------------------------------------
    @staticmethod
    def encode(freq: Mapping[str, int], total: int) -> bytes:
        by_char: dict[str, dict[str, int]] = {}
        for word, count in freq.items():
            if word:
                by_char.setdefault(word[0], {})[word] = count
        blocks, parts, offset = {}, [], 0
        for char, words in by_char.items():
            data = marshal.dumps(words)
            blocks[char] = (offset, len(data))
            parts.append(data)
            offset += len(data)
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
    def cached(cls, key: str, tokenizer: Callable[[], object], folder: Path | None = None) -> CompactDictionary:
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
        return cls.decode(data)
