"""The corpus: Markdown policy files with YAML front matter, one per document.

``load_corpus`` reads them; ``import_file`` (or an ``Importer``, for many files)
turns a new Markdown or plain-text policy into such a file, inferring its metadata
from the text itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from kb.parse import ParsedDocument, parse
from kb.text import normalize
from kb.vocab import vocab

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)
REQUIRED = ("id", "title", "region", "status")
DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
HEAD_LINES = 15


class CorpusError(ValueError):
    """A corpus file that cannot be read; the message names the file and the problem."""


@dataclass
class Document:
    id: str
    title: str
    meta: dict
    body: str
    path: Path | None = None

    @property
    def region(self) -> str:
        return self.meta.get("region") or "全国"

    @property
    def status(self) -> str:
        return self.meta.get("status") or "现行有效"

    @property
    def kind(self) -> str:
        return self.meta.get("kind") or ""

    @property
    def doc_number(self) -> str:
        return self.meta.get("doc_number") or ""

    @cached_property
    def parsed(self) -> ParsedDocument:
        return parse(self.body, self.title)

    def public_meta(self) -> dict:
        """Metadata as plain JSON values (dates as ISO strings)."""
        return {key: _plain(value) for key, value in self.meta.items()}


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def split_front_matter(text: str) -> tuple[dict, str]:
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta = yaml.safe_load(match.group(1)) or {}
    if not isinstance(meta, dict):
        raise ValueError("front matter is not a mapping")
    return meta, text[match.end():]


def read_document(path: Path) -> Document:
    try:
        text = path.read_text(encoding="utf-8")
        meta, body = split_front_matter(text)
    except (UnicodeDecodeError, yaml.YAMLError, ValueError) as error:
        raise CorpusError(f"{path}: cannot read ({error})") from error
    missing = [key for key in REQUIRED if not meta.get(key)]
    if missing:
        raise CorpusError(f"{path}: front matter lacks {', '.join(missing)}")
    meta = {key: _plain(value) for key, value in meta.items()}
    meta["id"] = str(meta["id"])
    return Document(meta["id"], str(meta["title"]), meta, body, path)


def corpus_files(root: Path) -> list[Path]:
    """The policy documents: Markdown files directly in the corpus folder (sub-folders hold other data)."""
    return sorted(p for p in root.glob("*.md") if p.is_file() and not p.name.startswith("."))


def load_corpus(root: Path) -> list[Document]:
    documents = [read_document(path) for path in corpus_files(root)]
    seen: dict[str, Path | None] = {}
    for document in documents:
        if document.id in seen:
            raise CorpusError(f"{document.path}: id {document.id} is also used by {seen[document.id]}")
        seen[document.id] = document.path
    return documents


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


def infer_dates(head: list[str], body: str) -> dict:
    """issued / amended / effective from 发布, 修订 and 施行 lines and 自…起施行 sentences."""
    events = vocab().documents["date_events"]
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
        match = re.search(r"自(\d{4})年(\d{1,2})月(\d{1,2})日起(?:施行|执行|生效)", normalize(body))
        if match and (iso := _iso(match)):
            dates["effective"] = iso
    return dates


def _first_rule(rules: list[dict], title: str, head: str, key: str) -> str:
    for rule in rules:
        where = title if rule["in"] == "title" else head
        if re.search(rule["pattern"], where):
            return rule[key]
    return ""


def infer_metadata(text: str, filename: str = "") -> dict:
    """Metadata of a policy text read from the text itself (and a date in its file name)."""
    meta, body = split_front_matter(text)
    title, head = _title_and_head(body)
    docs = vocab().documents
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
    named = vocab().regions_named_in(title + "\n" + inferred.get("issuer", ""))
    inferred["region"] = named[0] if named else "全国"
    inferred["kind"] = _first_rule(docs["kinds"], title, head_text, "kind")
    inferred["status"] = _first_rule(docs["statuses"], title, head_text, "status")
    inferred.update(infer_dates(head, body))
    version = re.search(r"\((\d{4}-\d{2}-\d{2})\)", filename)
    known = {inferred.get(k) for k in ("issued", "amended", "effective")}
    if version and version.group(1) > inferred.get("issued", "") and version.group(1) not in known:
        inferred["amended"] = max(inferred.get("amended", ""), version.group(1))
    inferred.update({k: _plain(v) for k, v in meta.items() if v not in (None, "")})
    return inferred


def _used_ids(root: Path) -> set[str]:
    used = {p.stem for p in corpus_files(root)}
    for path in corpus_files(root):
        meta, _ = split_front_matter(path.read_text(encoding="utf-8"))
        used.add(str(meta.get("id", "")))
    return used


def _first_free(used: set[str]) -> str:
    number = 0
    while f"{number:03d}" in used:
        number += 1
    return f"{number:03d}"


def next_id(root: Path) -> str:
    return _first_free(_used_ids(root))


@dataclass
class ImportResult:
    document: Document | None
    path: Path | None
    message: str
    added: bool = False
    inferred: list[str] = field(default_factory=list)


class Importer:
    """Imports files into one corpus folder, reading the corpus once.

    ``kb add`` with many files and bulk loads (``scripts/bench.py`` imports the whole law library) would
    otherwise re-read every corpus file for every file added.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        existing = load_corpus(root) if root.is_dir() else []
        self.known = {(d.title, d.doc_number): d for d in existing}
        self.used = {d.id for d in existing} | {d.path.stem for d in existing if d.path}

    def add(self, source: Path, overrides: dict | None = None) -> ImportResult:
        """Copy a Markdown or plain-text policy into the corpus with inferred front matter."""
        try:
            text = source.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            return ImportResult(None, None, f"{source}: no such file")
        except (UnicodeDecodeError, IsADirectoryError) as error:
            return ImportResult(None, None, f"{source}: not a UTF-8 text file ({error.__class__.__name__})")
        _, body = split_front_matter(text)
        if not body.strip():
            return ImportResult(None, None, f"{source}: the file is empty")
        meta = infer_metadata(text, source.name)
        given = {k: v for k, v in (overrides or {}).items() if v}
        if given.get("region"):
            canonical = vocab().canonical_region(given["region"])
            if not canonical:
                return ImportResult(None, None, f"unknown region {given['region']!r}; known: "
                                    + "、".join(vocab().regions))
            given["region"] = canonical
        meta.update(given)
        existing = self.known.get((meta["title"], meta.get("doc_number") or ""))
        if existing is not None:
            return ImportResult(existing, existing.path,
                                f"{source}: already in the corpus as {existing.id} ({existing.title})")
        self.root.mkdir(parents=True, exist_ok=True)
        doc_id = str(meta.get("id") or _first_free(self.used))
        inferred = [k for k in ("doc_number", "issuer", "region", "kind", "status", "issued", "amended", "effective")
                    if k in meta and k not in given]
        front = {
            "id": doc_id,
            "title": meta["title"],
            "doc_number": meta.get("doc_number"),
            "issuer": meta.get("issuer"),
            "region": meta["region"],
            "kind": meta.get("kind"),
            "status": meta.get("status") or "现行有效",
            "issued": meta.get("issued"),
            "amended": meta.get("amended"),
            "effective": meta.get("effective"),
            "expires": meta.get("expires"),
            "supersedes": meta.get("supersedes") or [],
            "source": source.name,
            "notes": list(meta.get("notes") or []) + [f"kb add inferred from the text: {', '.join(inferred)}"],
        }
        target = self.root / f"{doc_id}.md"
        dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
        target.write_text(f"---\n{dumped}---\n\n{body.lstrip(chr(10))}", encoding="utf-8")
        document = read_document(target)
        self.used.add(doc_id)
        self.known[(document.title, document.doc_number)] = document
        return ImportResult(document, target, f"added {doc_id}: {document.title}", True, inferred)


def import_file(source: Path, root: Path, overrides: dict | None = None) -> ImportResult:
    """Copy a Markdown or plain-text policy into the corpus with inferred front matter."""
    return Importer(root).add(source, overrides)
