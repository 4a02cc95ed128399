"""Feedback on answers and FAQ entries, and the questions that found nothing, in SQLite (or PostgreSQL).

``open_store`` picks the store: PostgreSQL when ``KB_FEEDBACK_URL`` names one (``postgresql://…``,
kb/feedback_postgres.py, for replicas on several machines), else SQLite under ``KB_DATA``. Both have
the interface of ``FeedbackStore`` (``add``, ``record_miss``, ``feedback``, ``missed``, ``count``,
``status``, ``available``) and the same tables.

The SQLite database lives under ``KB_DATA`` (default ``var/``). Every write is one short transaction
in WAL mode, so concurrent requests neither lose a row nor block readers for long.

The store never stands between a user and an answer. When ``KB_DATA`` cannot be written at start
(read-only mount, a path through a file, no permission) the store is *off*: ``off_reason`` says why,
``add`` raises ``FeedbackUnavailable`` and ``record_miss`` does nothing. A write that fails later (disk
full) raises ``FeedbackUnavailable`` from ``add`` and is swallowed (and logged) by ``record_miss``.

Questions that found nothing are counted, one row per (question, region) with ``times`` and ``last``,
and at most ``max_missed`` rows are kept: beyond that the least-asked, longest-unasked rows go first, so
a flood of distinct junk questions cannot grow the file without bound nor push out questions people ask
again and again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, fields
from pathlib import Path

from kb.errors import FeedbackError, FeedbackUnavailable, SettingsError, UnknownRegion
from kb.vocab import Vocab, default_vocab

VERDICTS = {"useful": "有用", "wrong": "有误"}
KINDS = {"answer", "faq"}
MAX_COMMENT = 2000
MAX_FIELD = 500
MAX_REGION = 40
MAX_MISSED = 10_000  # distinct unanswered (question, region) rows kept
START_PATIENCE = 15.0  # seconds a starting server waits for another one holding the database

log = logging.getLogger(__name__)

FEEDBACK_TABLE = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    verdict TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL DEFAULT '',
    region TEXT NOT NULL DEFAULT ''
)"""
# created_at: first asked; last: last asked; times: how often.
MISSED_TABLE = """
CREATE TABLE IF NOT EXISTS missed (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    query TEXT NOT NULL,
    region TEXT NOT NULL DEFAULT '',
    times INTEGER NOT NULL DEFAULT 1,
    last TEXT NOT NULL DEFAULT ''
)"""
MISSED_INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS missed_question ON missed (query, region)",
    "CREATE INDEX IF NOT EXISTS missed_eviction ON missed (times, last)",
)


def default_data_dir() -> Path:
    return Path(os.environ.get("KB_DATA", "var"))


def clean_text(value: str, multiline: bool = False) -> str:
    """``value`` without what would only corrupt a listing: NUL and other control characters, format
    characters (zero-width spaces, bidi overrides), lone surrogates (which cannot even be encoded to
    store) and unassigned code points. Spaces of any width stay; line breaks and tabs stay in
    ``multiline`` text and are spaces elsewhere. Blank or invisible-only text is ''."""
    kept = []
    for char in value:
        if char in "\n\t" and multiline or char.isprintable() or unicodedata.category(char) == "Zs":
            kept.append(char)
        elif char.isspace() and char != "\r":
            kept.append(" ")
    text = "".join(kept)
    return text if text.strip() else ""


@dataclass
class Feedback:
    kind: str
    target: str
    verdict: str
    comment: str = ""
    answer: str = ""
    region: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping, vocab: Vocab | None = None) -> Feedback:
        """Feedback from a posted form or JSON object, validated; other keys (such as ``back``) are ignored.
        A field given as anything but text (a number, a list, null) is refused, not converted."""
        values = {}
        for name in (f.name for f in fields(cls)):
            value = data.get(name, "")
            if not isinstance(value, str):
                raise FeedbackError(f"字段 {name} 应为文字")
            values[name] = value
        return cls(**values).validate(vocab)

    def validate(self, vocab: Vocab | None = None) -> Feedback:
        """Check and clean every field in place; FeedbackError says what is wrong. The region is checked
        against ``vocab`` (default: the package's)."""

        for item in fields(self):
            if not isinstance(getattr(self, item.name), str):
                raise FeedbackError(f"字段 {item.name} 应为文字")
        self.kind = clean_text(self.kind).strip()
        self.verdict = clean_text(self.verdict).strip()
        self.target = clean_text(self.target).strip()
        self.comment = clean_text(self.comment, multiline=True)
        self.answer = clean_text(self.answer, multiline=True)[:MAX_FIELD]
        self.region = clean_text(self.region).strip()
        if self.kind not in KINDS:
            raise FeedbackError("反馈类型应为 answer 或 faq")
        if self.verdict not in VERDICTS:
            raise FeedbackError("请选择“有用”或“有误”")
        if not self.target:
            raise FeedbackError("缺少反馈对象（问题或条目）")
        if len(self.target) > MAX_FIELD:
            raise FeedbackError(f"反馈对象最多 {MAX_FIELD} 字")
        if len(self.comment) > MAX_COMMENT:
            raise FeedbackError(f"意见最多 {MAX_COMMENT} 字")
        if self.region:
            try:
                asked = self.region if len(self.region) <= MAX_REGION else self.region[:MAX_REGION] + "…"
                self.region = (vocab or default_vocab()).region(asked)
            except UnknownRegion as error:
                raise FeedbackError(str(error)) from None
        return self


def _is_busy(error: sqlite3.OperationalError) -> bool:
    message = str(error).lower()
    return "locked" in message or "busy" in message


def _reason(error: BaseException) -> str:
    """A short reason without file paths (it is shown on the public /healthz)."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def miss_fields(query: str, region: str) -> tuple[str, str]:
    """A missed question and its region as stored: cleaned and cut to their limits."""
    return clean_text(query).strip()[:MAX_FIELD], clean_text(region or "").strip()[:MAX_REGION]


class StoreHealth:
    """What every store says about itself: off since start, failing since the latest write, or on."""

    def __init__(self) -> None:
        self.off_reason = ""  # why the store is off since start; '' while it works
        self.off_detail = ""
        self.last_error = ""  # why the latest write failed; '' after a write succeeds

    @property
    def available(self) -> bool:
        return not self.off_reason

    def status(self) -> str:
        """'on', 'off: <reason>' (since start) or 'failing: <reason>' (the latest write failed)."""
        if self.off_reason:
            return f"off: {self.off_reason}"
        return f"failing: {self.last_error}" if self.last_error else "on"

    def _failed(self, error: BaseException, reason: str | None = None) -> str:
        reason = reason or _reason(error)
        if reason != self.last_error:  # once per kind of failure, not once per request
            log.warning("feedback write failed: %s: %s", self.where, error)
        self.last_error = reason
        return reason

    where = "feedback store"


def open_store(data_dir: Path | None = None, url: str | None = None, max_missed: int = MAX_MISSED):
    """The feedback store: PostgreSQL at ``url`` (default ``KB_FEEDBACK_URL``) when one is named, else
    SQLite under ``data_dir``. A URL that is not PostgreSQL's is a SettingsError."""
    url = (url if url is not None else os.environ.get("KB_FEEDBACK_URL", "")).strip()
    if not url:
        return FeedbackStore(data_dir, max_missed)
    if not url.startswith(("postgresql://", "postgres://")):
        raise SettingsError("KB_FEEDBACK_URL must be a postgresql:// URL (or unset for SQLite under KB_DATA)")
    from kb.feedback_postgres import PostgresFeedbackStore  # psycopg only where PostgreSQL is used

    return PostgresFeedbackStore(url, max_missed)


class FeedbackStore(StoreHealth):
    def __init__(self, data_dir: Path | None = None, max_missed: int = MAX_MISSED) -> None:
        super().__init__()
        self.path = (data_dir or default_data_dir()) / "feedback.sqlite3"
        self.where = str(self.path)
        self.max_missed = max_missed
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._open_with_retry()
        except (OSError, sqlite3.Error) as error:
            self.off_reason = _reason(error)
            self.off_detail = f"cannot write {self.path}: {error}"  # for the log, which the caller writes once

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.row_factory = sqlite3.Row
        return db

    def _open_with_retry(self, patience: float = START_PATIENCE) -> None:
        # Switching to WAL takes an exclusive lock and SQLite does not wait for it through the busy
        # timeout: two servers (replicas, workers) starting at once would otherwise find the database
        # locked and run without feedback until restarted. A lock is passing; wait for it.
        deadline = time.monotonic() + patience
        while True:
            try:
                with closing(self._connect()) as db:
                    self._create_or_migrate(db)
                return
            except sqlite3.OperationalError as error:
                if not _is_busy(error) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)

    def _create_or_migrate(self, db: sqlite3.Connection) -> None:
        if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            db.execute("PRAGMA journal_mode=WAL")
        db.isolation_level = None  # explicit transaction: the migration's DDL must be all or nothing
        db.execute("BEGIN IMMEDIATE")  # two processes starting together: the second sees the first's result
        try:
            db.execute(FEEDBACK_TABLE)
            columns = {row[1] for row in db.execute("PRAGMA table_info(missed)")}
            if columns and "times" not in columns:
                # Before counting, every miss was a row of its own: fold them into counts, losing none.
                db.execute("ALTER TABLE missed RENAME TO missed_rows")
                db.execute(MISSED_TABLE)
                db.execute("INSERT INTO missed (created_at, query, region, times, last) "
                           "SELECT MIN(created_at), query, region, COUNT(*), MAX(created_at) FROM missed_rows "
                           "GROUP BY query, region")
                db.execute("DROP TABLE missed_rows")
            db.execute(MISSED_TABLE)
            for statement in MISSED_INDEXES:
                db.execute(statement)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    @staticmethod
    def _now() -> str:
        return dt.datetime.now().isoformat(timespec="seconds")

    def add(self, feedback: Feedback) -> int:
        """Store validated feedback and return its id; FeedbackError for bad input, FeedbackUnavailable
        when it cannot be written."""
        feedback.validate()
        if self.off_reason:
            raise FeedbackUnavailable(self.off_reason)
        try:
            with self._lock, closing(self._connect()) as db, db:
                cursor = db.execute(
                    "INSERT INTO feedback (created_at, kind, target, verdict, comment, answer, region) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (self._now(), feedback.kind, feedback.target, feedback.verdict, feedback.comment,
                     feedback.answer, feedback.region))
                number = int(cursor.lastrowid)
        except (OSError, sqlite3.Error) as error:
            raise FeedbackUnavailable(self._failed(error)) from error
        self.last_error = ""
        return number

    def record_miss(self, query: str, region: str = "") -> bool:
        """Count a question that found nothing; True when counted. Never raises: an answer must not
        fail because its miss could not be written."""
        query, region = miss_fields(query, region)
        if not query or self.off_reason:
            return False
        now = self._now()
        try:
            with self._lock, closing(self._connect()) as db, db:
                db.execute("INSERT INTO missed (created_at, query, region, times, last) VALUES (?, ?, ?, 1, ?) "
                           "ON CONFLICT (query, region) DO UPDATE SET times = times + 1, last = excluded.last",
                           (now, query, region, now))
                excess = db.execute("SELECT COUNT(*) FROM missed").fetchone()[0] - self.max_missed
                if excess > 0:
                    db.execute("DELETE FROM missed WHERE id IN "
                               "(SELECT id FROM missed ORDER BY times, last, id LIMIT ?)", (excess,))
        except (OSError, sqlite3.Error) as error:
            self._failed(error)
            return False
        self.last_error = ""
        return True

    def _read(self, sql: str, parameters: tuple) -> list[dict]:
        if self.off_reason:
            raise FeedbackUnavailable(self.off_reason)
        try:
            with closing(self._connect()) as db:
                return [dict(row) for row in db.execute(sql, parameters).fetchall()]
        except (OSError, sqlite3.Error) as error:
            raise FeedbackUnavailable(_reason(error)) from error

    def feedback(self, limit: int = 500) -> list[dict]:
        """The newest feedback first."""
        return self._read("SELECT * FROM feedback ORDER BY id DESC LIMIT ?", (limit,))

    def missed(self, limit: int = 500) -> list[dict]:
        """Questions that found nothing, most asked first."""
        return self._read("SELECT query, region, times, last FROM missed ORDER BY times DESC, last DESC LIMIT ?",
                          (limit,))

    def count(self) -> int:
        return int(self._read("SELECT COUNT(*) AS n FROM feedback", ())[0]["n"])
