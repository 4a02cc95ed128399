"""The corpus: Markdown policy files with YAML front matter, one per document.

``load_corpus`` reads them; ``import_file`` (or an ``Importer``, for many files)
turns a new Markdown or plain-text policy into such a file, inferring its metadata
from the text itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kb.corpus.files import folder_lock, write_new
from kb.errors import CorpusError, FileWriteError, FrontMatterError, InputError
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
        meta = yaml.load(match.group(1), Loader=_FrontMatterLoader) or {}  # noqa: S506 — a SafeLoader
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
    digest = hashlib.sha256()
    for path in corpus_files(root) + sorted((root / "faq").glob("*.md")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# -- importing ------------------------------------------------------------------

def _title_and_head(body: str) -> tuple[str, list[str]]:
    lines = [ln.strip().strip("\u3000").strip() for ln in re.sub(r"<!--.*?-->", "", body, flags=re.S).splitlines()]
    lines = [ln for ln in lines if ln]
    title = ""
    for line in lines:
        heading = re.match(r"^#{1,6}\s+(.*)$", line)
        if heading:
            title = heading.group(1).strip()
            break
    if not title and lines:
        title = lines[0]
    head = [re.sub(r"^#{1,6}\s+", "", ln) for ln in lines[:HEAD_LINES]]
    return title, head


def _iso(match: re.Match) -> str:
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return ""


def infer_dates(head: list[str], body: str, vocab: Vocab) -> dict:
    """issued / amended / effective from 发布, 修订 and 施行 lines and 自…起施行 sentences."""
    events = vocab.documents["date_events"]
    normalize = vocab.analysis.normalize
    found: dict[str, list[str]] = {event: [] for event in events}
    for line in head:
        norm = normalize(line)
        for match in DATE.finditer(norm):
            after = norm[match.end(): match.end() + 30]
            for event, pattern in events.items():
                if re.match(rf"\s*\S{{0,24}}?{pattern}", after) and (iso := _iso(match)):
                    found[event].append(iso)
                    break
    dates: dict[str, str] = {}
    if found["issued"] or found.get("adopted"):
        dates["issued"] = min(found["issued"] or found["adopted"])
    if found["amended"]:
        dates["amended"] = max(found["amended"])
    if found["effective"]:
        dates["effective"] = min(found["effective"])
    else:
        stated = re.search(r"自(\d{4})年(\d{1,2})月(\d{1,2})日起(?:施行|执行|生效)", normalize(body))
        if stated and (iso := _iso(stated)):
            dates["effective"] = iso
    return dates


def _first_rule(rules: list[dict], title: str, head: str, key: str) -> str:
    for rule in rules:
        where = title if rule["in"] == "title" else head
        if re.search(rule["pattern"], where):
            return rule[key]
    return ""


def infer_metadata(text: str, filename: str = "", vocab: Vocab | None = None) -> dict:
    """Metadata of a policy text read from the text itself (and a date in its file name)."""
    meta, body = split_front_matter(text)
    title, head = _title_and_head(body)
    vocab = vocab or default_vocab()
    normalize = vocab.analysis.normalize
    docs = vocab.documents
    head_text = "\n".join(head)
    inferred: dict = {"title": title}
    for pattern in docs["doc_number_patterns"]:
        match = re.search(pattern, normalize(head_text).replace("(", "〔").replace(")", "〕")) or re.search(
            pattern, head_text)
        if match:
            inferred["doc_number"] = match.group(0)
            break
    for line in head[1:]:
        for pattern in docs["issuer_patterns"]:
            match = re.search(pattern, line)
            if match:
                inferred.setdefault("issuer", match.group(1))
    named = vocab.regions_named_in(title + "\n" + inferred.get("issuer", ""))
    inferred["region"] = named[0] if named else vocab.nationwide
    inferred["kind"] = _first_rule(docs["kinds"], title, head_text, "kind")
    inferred["status"] = _first_rule(docs["statuses"], title, head_text, "status")
    inferred.update(infer_dates(head, body, vocab))
    version = re.search(r"\((\d{4}-\d{2}-\d{2})\)", filename)
    known = {inferred.get(k) for k in ("issued", "amended", "effective")}
    if version and version.group(1) > inferred.get("issued", "") and version.group(1) not in known:
        inferred["amended"] = max(inferred.get("amended", ""), version.group(1))
    inferred.update({k: _plain(v) for k, v in meta.items() if v not in (None, "")})
    return inferred


def _body_key(body: str) -> str:
    """A document's text for telling copies from versions: white space does not count."""
    return hashlib.sha256("".join(body.split()).encode()).hexdigest()


def _version_date(meta: dict) -> str:
    """When a version was made: the latest of its amendment, issue and effective dates."""
    return max(str(meta.get(key) or "") for key in ("amended", "issued", "effective"))


@dataclass
class ImportResult:
    document: Document | None
    path: Path | None
    message: str
    added: bool = False
    inferred: list[str] = field(default_factory=list)


class Importer:
    """Imports files into one corpus folder, holding the corpus's lock from the first read to the last write.

    Use it as a context manager: the corpus is read once under an exclusive lock, and ids are assigned
    and files written under the same lock, so concurrent ``kb add`` runs queue instead of handing out the
    same id. Reading it once matters for bulk loads too (``scripts/bench.py`` imports the whole law
    library). Every file is written whole or not at all, and never over another.
    """

    def __init__(self, root: Path, durable: bool = True, vocab: Vocab | None = None) -> None:
        self.vocab = vocab or default_vocab()
        self.root = root
        self.durable = durable
        self._lock: AbstractContextManager[bool] | None = None
        self.by_title: dict[str, list[Document]] = {}
        self.bodies: dict[str, Document] = {}
        self.used: set[str] = set()

    def __enter__(self) -> Importer:
        if self.root.exists() and not self.root.is_dir():
            raise CorpusError(f"corpus {self.root} is not a folder")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CorpusError(f"corpus {self.root}: cannot create the folder ({_one_line(error)})") from error
        self._lock = folder_lock(self.root, LOCK, exclusive=True)
        try:
            self._lock.__enter__()
        except FileWriteError as error:
            self._lock = None
            raise CorpusError(str(error)) from error
        try:
            existing = load_corpus(self.root, self.vocab)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        for document in existing:
            self.by_title.setdefault(document.title, []).append(document)
            self.bodies[_body_key(document.body)] = document
        self.used = {d.id for d in existing} | {p.stem for p in self.root.glob("*") if p.suffix == ".md"}
        return self

    def __exit__(self, *exc_info) -> None:
        if self._lock is not None:
            self._lock.__exit__(None, None, None)
            self._lock = None

    def _first_free(self) -> str:
        number = 0
        while f"{number:03d}" in self.used:
            number += 1
        return f"{number:03d}"

    def _refuse(self, message: str) -> ImportResult:
        return ImportResult(None, None, message)

    def add(self, source: Path, overrides: dict | None = None) -> ImportResult:
        """Copy a Markdown or plain-text policy into the corpus with inferred front matter.

        An id in the file's front matter is checked (a plain name not yet in use) or refused; without
        one the first free number is taken. A file whose text is already in the corpus is skipped; one
        whose title matches a document but whose text differs is a new version of it, imported with its
        own dates: the newer version repeals the older (``supersedes`` with extent 修订).
        """
        if self._lock is None:
            raise RuntimeError("Importer.add outside `with Importer(root) as importer:`")
        text = self._read(source)
        if isinstance(text, ImportResult):
            return text
        try:
            own, body = split_front_matter(text)
        except InputError as error:
            return self._refuse(f"{source}: {error}")
        if not body.strip():
            return self._refuse(f"{source}: the file is empty")
        meta = infer_metadata(text, source.name, self.vocab)
        given = {k: v for k, v in (overrides or {}).items() if v}
        meta.update(given)
        doc_id = self._doc_id(own, source)
        if isinstance(doc_id, ImportResult):
            return doc_id
        same_text = self.bodies.get(_body_key(body))
        if same_text is not None:
            return ImportResult(same_text, same_text.path,
                                f"{source}: skipped, already in the corpus as {same_text.id} ({same_text.title})")
        inferred = [k for k in ("doc_number", "issuer", "region", "kind", "status", "issued", "amended", "effective")
                    if k in meta and k not in given and k not in own]
        front = self._front(doc_id, meta, inferred, source)
        try:
            front = check_meta(front, self.vocab)
        except InputError as error:
            return self._refuse(f"{source}: {error}")
        version_note = self._as_version(front)
        target = self.root / f"{doc_id}.md"
        dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
        try:
            write_new(target, f"---\n{dumped}---\n\n{body.lstrip(chr(10))}".encode(), durable=self.durable)
        except FileExistsError:
            return self._refuse(f"{source}: {target} appeared while importing; nothing was written")
        except FileWriteError as error:
            return self._refuse(f"{source}: nothing was written: {error}")
        document = read_document(target, self.vocab)
        self.used.add(doc_id)
        self.by_title.setdefault(document.title, []).append(document)
        self.bodies[_body_key(document.body)] = document
        message = f"added {doc_id}: {document.title}" + (f" — {version_note}" if version_note else "")
        return ImportResult(document, target, message, True, inferred)

    def _read(self, source: Path) -> str | ImportResult:
        """The file's text, or the refusal saying why it cannot be read."""
        try:
            return source.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            return self._refuse(f"{source}: no such file")
        except (UnicodeDecodeError, IsADirectoryError) as error:
            return self._refuse(f"{source}: not a UTF-8 text file ({error.__class__.__name__})")
        except OSError as error:
            return self._refuse(f"{source}: cannot read ({_one_line(error)})")

    def _doc_id(self, own: dict, source: Path) -> str | ImportResult:
        """The id the file's own front matter gives (checked, not yet used), or the first free one."""
        if "id" not in own or own["id"] in (None, ""):
            return self._first_free()
        try:
            doc_id = check_id(own["id"])
        except InputError as error:
            return self._refuse(f"{source}: {error}")
        if doc_id in self.used:
            return self._refuse(f"{source}: id {doc_id} is already used in the corpus; remove the id to "
                                "have one assigned")
        return doc_id

    def _front(self, doc_id: str, meta: dict, inferred: list[str], source: Path) -> dict:
        """The front matter written for an imported file, before it is checked."""
        return {
            "id": doc_id,
            "title": meta.get("title"),
            "doc_number": meta.get("doc_number"),
            "issuer": meta.get("issuer"),
            "region": meta.get("region"),
            "kind": meta.get("kind"),
            "status": meta.get("status") or self.vocab.in_force,
            "issued": meta.get("issued"),
            "amended": meta.get("amended"),
            "effective": meta.get("effective"),
            "expires": meta.get("expires"),
            "supersedes": list(meta.get("supersedes") or []),
            "source": source.name,
            "notes": list(meta.get("notes") or []) + [f"kb add inferred from the text: {', '.join(inferred)}"],
        }

    def _as_version(self, front: dict) -> str:
        """When documents of the same title are in the corpus, link this one to them as a version:
        the newest version repeals the others (extent 修订). Existing files are never rewritten, so an
        older version imported after a newer one is marked 已被修改 itself. Returns a note, or ""."""
        others = self.by_title.get(front["title"]) or []
        if not others:
            return ""
        mine = _version_date(front)
        newer = [d for d in others if _version_date(d.meta) > mine]
        if newer:
            latest = max(newer, key=lambda d: _version_date(d.meta))
            front["status"] = "已被修改"
            front["notes"].append(f"旧版本：{latest.id}（{_version_date(latest.meta) or '日期不详'}）为较新版本")
            return f"an older version of {latest.id}, marked 已被修改"
        for older in others:
            front["supersedes"].append({"id": older.id, "title": older.title, "extent": "修订"})
        ids = "、".join(d.id for d in others)
        front["notes"].append(f"新版本：取代同名文件 {ids}")
        return f"a new version of {ids} (dated {mine or 'unknown'}), which it supersedes"


def import_file(source: Path, root: Path, overrides: dict | None = None, vocab: Vocab | None = None) -> ImportResult:
    """Copy a Markdown or plain-text policy into the corpus with inferred front matter."""
    with Importer(root, vocab=vocab) as importer:
        return importer.add(source, overrides)
