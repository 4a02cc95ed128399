"""Importing a new policy into the corpus: its metadata inferred from the text (title, 文号, issuer, region,
kind, status, dates), written as a corpus file with front matter, linked to the versions already there."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kb.corpus.documents import (
    DATE,
    HEAD_LINES,
    LOCK,
    _one_line,
    _plain,
    check_id,
    check_meta,
    load_corpus,
    read_document,
    split_front_matter,
)
from kb.corpus.files import folder_lock, write_new
from kb.errors import CorpusError, FileWriteError, InputError
from kb.model import Document
from kb.vocab import Vocab, default_vocab


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
            front["status"] = self.vocab.statuses.superseded
            front["notes"].append(f"旧版本：{latest.id}（{_version_date(latest.meta) or '日期不详'}）为较新版本")
            return f"an older version of {latest.id}, marked {front['status']}"
        for older in others:
            front["supersedes"].append({"id": older.id, "title": older.title, "extent": self.vocab.extents.amended})
        ids = "、".join(d.id for d in others)
        front["notes"].append(f"新版本：取代同名文件 {ids}")
        return f"a new version of {ids} (dated {mine or 'unknown'}), which it supersedes"


def import_file(source: Path, root: Path, overrides: dict | None = None, vocab: Vocab | None = None) -> ImportResult:
    """Copy a Markdown or plain-text policy into the corpus with inferred front matter."""
    with Importer(root, vocab=vocab) as importer:
        return importer.add(source, overrides)
