"""The corpus: Markdown policy files with YAML front matter, one per document — reading and checking them
(``load_corpus``, ``read_document``). ``kb.corpus.importer`` turns a new policy into such a file."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from pathlib import Path

import yaml

from kb.corpus.files import folder_lock
from kb.errors import CorpusError, FrontMatterError, InputError
from kb.model import Document
from kb.vocab import Vocab, default_vocab

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)
REQUIRED = ("id", "title", "region", "status")
DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
HEAD_LINES = 15
# A document id names a file in the corpus and stands in permalinks: a plain name, never a path.
PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
DATE_KEYS = ("issued", "amended", "effective", "expires")
ISO_OR_YEAR = re.compile(r"(\d{4})(?:-(\d{2})-(\d{2}))?")
LOCK = ".kb-corpus.lock"


def default_corpus() -> Path:
    """Where the corpus is: ``KB_CORPUS``, else ``corpus``."""
    return Path(os.environ.get("KB_CORPUS", "corpus"))


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML without implicit dates: ``issued: 2024-13-45`` stays text, to be checked with a message
    naming the key, instead of failing inside the YAML parser."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# The same loader over libyaml's parser (the constructor and the resolvers above are the Python ones, so
# the values are the same): the pure-Python scanner was nine tenths of reading a law library's front
# matter, a serial step before a build's workers start. Where libyaml is missing, or rejects a text, the
# Python loader reads it, so an error's message and line are as before.
_FAST_LOADER: type | None = None
if getattr(yaml, "__with_libyaml__", False):
    class _LibyamlFrontMatterLoader(yaml.CSafeLoader):
        """``_FrontMatterLoader`` with libyaml's scanner and parser."""

    _LibyamlFrontMatterLoader.yaml_implicit_resolvers = _FrontMatterLoader.yaml_implicit_resolvers
    _FAST_LOADER = _LibyamlFrontMatterLoader


def _load_yaml(text: str):
    if _FAST_LOADER is not None:
        try:
            return yaml.load(text, Loader=_FAST_LOADER)  # noqa: S506 — a SafeLoader
        except yaml.YAMLError:
            pass  # the Python loader below says what is wrong, as it always has
    return yaml.load(text, Loader=_FrontMatterLoader)  # noqa: S506 — a SafeLoader


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())[:200]


def split_front_matter(text: str) -> tuple[dict, str]:
    """(front matter, body); FrontMatterError with a one-line reason when the front matter is not a mapping."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = _load_yaml(match.group(1)) or {}
    except yaml.YAMLError as error:
        mark, problem = getattr(error, "problem_mark", None), getattr(error, "problem", None)
        where = f"line {mark.line + 2}: {problem}" if mark is not None and problem else _one_line(error)
        raise FrontMatterError(f"front matter is not valid YAML ({where})") from error
    if not isinstance(meta, dict):
        raise FrontMatterError(f"front matter is a {type(meta).__name__}, not a mapping of keys")
    return meta, text[match.end():]


def check_id(value: object) -> str:
    """The id as a string, or FrontMatterError: a plain name of letters, digits, - and _ (never a path)."""
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not PLAIN_ID.fullmatch(text):
        raise FrontMatterError(f"id {str(value)[:60]!r} is not a plain name (letters, digits, - and _; at most 64)")
    return text


def _check_date(key: str, value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    match = ISO_OR_YEAR.fullmatch(text) if isinstance(value, str | int) and not isinstance(value, bool) else None
    if match and match.group(2):
        try:
            dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            match = None
    if not match:
        raise FrontMatterError(f"{key} {text[:40]!r} is not a date like 2024-05-01 (or a year like 2024)")
    return text


def check_meta(meta: dict, vocab: Vocab) -> dict:
    """Front matter checked and made plain: ids, titles, regions, statuses and dates as the rest of the
    code expects them, or FrontMatterError with a one-line reason naming the key."""
    missing = [key for key in REQUIRED if meta.get(key) in (None, "", [], {})]
    if missing:
        raise FrontMatterError(f"front matter lacks {', '.join(missing)}")
    checked = dict(meta)
    checked["id"] = check_id(meta["id"])
    for key in ("title", "status", "region"):
        if not isinstance(meta[key], str | int) or isinstance(meta[key], bool) or not str(meta[key]).strip():
            raise FrontMatterError(f"{key} must be text, not {type(meta[key]).__name__}")
        checked[key] = str(meta[key]).strip()
    for key in ("doc_number", "issuer", "kind", "validity"):
        if meta.get(key) is not None and not isinstance(meta[key], str | int | float):
            raise FrontMatterError(f"{key} must be text, not {type(meta[key]).__name__}")
    checked["status"] = vocab.status(checked["status"])
    checked["region"] = vocab.region(checked["region"])
    for key in DATE_KEYS:
        if key in meta:
            checked[key] = _check_date(key, meta[key])
    supersedes = meta.get("supersedes") or []
    if not isinstance(supersedes, list) or not all(isinstance(e, str | dict) for e in supersedes):
        raise FrontMatterError("supersedes must be a list of references (text, or ref/title/extent)")
    return {key: _plain(value) for key, value in checked.items()}


def read_document(path: Path, vocab: Vocab | None = None) -> Document:
    """One corpus file read and its front matter checked; CorpusError naming the file when it cannot be."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CorpusError(f"{path}: cannot read ({_one_line(error)})") from error
    try:
        meta, body = split_front_matter(text)
        meta = check_meta(meta, vocab or default_vocab())
    except InputError as error:
        raise CorpusError(f"{path}: {error}") from error
    return Document(meta["id"], meta["title"], meta, body, path)


def corpus_files(root: Path) -> list[Path]:
    """The policy documents: Markdown files directly in the corpus folder (sub-folders hold other data)."""
    return sorted(p for p in root.glob("*.md") if p.is_file() and not p.name.startswith("."))


def require_corpus(root: Path) -> list[Path]:
    """The corpus's document files, or CorpusError when there is no corpus to build from: a missing
    path, a file instead of a folder, or a folder without documents. A build never replaces a working
    index with an empty one."""
    if not root.exists():
        raise CorpusError(f"corpus {root} does not exist (set KB_CORPUS or --corpus to the corpus folder)")
    if not root.is_dir():
        raise CorpusError(f"corpus {root} is not a folder")
    files = corpus_files(root)
    if not files:
        raise CorpusError(f"corpus {root} holds no documents (*.md with front matter)")
    return files


def load_corpus(root: Path, vocab: Vocab | None = None) -> list[Document]:
    """Every document of the corpus folder, checked; ``CorpusError`` names the first file that is not."""
    vocab = vocab or default_vocab()
    documents = [read_document(path, vocab) for path in corpus_files(root)]
    seen: dict[str, Path | None] = {}
    for document in documents:
        if document.id in seen:
            raise CorpusError(f"{document.path}: id {document.id} is also used by {seen[document.id]}")
        seen[document.id] = document.path
    return documents


def reading_lock(root: Path):
    """Held while a build reads the corpus, so it never reads a ``kb add`` half done."""
    return folder_lock(root, LOCK, exclusive=False)


def corpus_fingerprint(root: Path) -> str:
    """A hash of every corpus file and FAQ entry (names and bytes), which changes whenever one does."""
    digest = hashlib.sha256()
    for path in corpus_files(root) + sorted((root / "faq").glob("*.md")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
