"""The feedback store in SQLite under ``KB_DATA`` (default ``var/``): the store of one machine, its
workers and replicas.

Every write is one short transaction in WAL mode, so concurrent requests (threads, workers, replicas)
neither lose a row nor block readers for long.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

from kb.errors import FeedbackUnavailable
from kb.feedback.record import MAX_MISSED, Feedback, StoreHealth, _reason, default_data_dir, miss_fields

START_PATIENCE = 15.0  # seconds a starting server waits for another one holding the database

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


def _is_busy(error: sqlite3.OperationalError) -> bool:
    message = str(error).lower()
    return "locked" in message or "busy" in message



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
                number = int(cursor.lastrowid or 0)  # an INSERT always sets it
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
