"""Feedback on answers and FAQ entries, and the questions that found nothing, in SQLite.

The database lives under ``KB_DATA`` (default ``var/``). Every write is one short transaction
in WAL mode, so concurrent requests neither lose a row nor block readers for long.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

VERDICTS = {"useful": "有用", "wrong": "有误"}
KINDS = {"answer", "faq"}
MAX_COMMENT = 2000
MAX_FIELD = 500

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    verdict TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL DEFAULT '',
    region TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS missed (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    query TEXT NOT NULL,
    region TEXT NOT NULL DEFAULT ''
);
"""


class FeedbackError(ValueError):
    """Feedback that cannot be stored as given; the message says why (in Chinese, for the page)."""


def default_data_dir() -> Path:
    return Path(os.environ.get("KB_DATA", "var"))


@dataclass
class Feedback:
    kind: str
    target: str
    verdict: str
    comment: str = ""
    answer: str = ""
    region: str = ""

    def validate(self) -> Feedback:
        if self.kind not in KINDS:
            raise FeedbackError("反馈类型应为 answer 或 faq")
        if self.verdict not in VERDICTS:
            raise FeedbackError("请选择“有用”或“有误”")
        if not self.target.strip():
            raise FeedbackError("缺少反馈对象（问题或条目）")
        if len(self.comment) > MAX_COMMENT:
            raise FeedbackError(f"意见最多 {MAX_COMMENT} 字")
        if len(self.target) > MAX_FIELD or len(self.region) > 40:
            raise FeedbackError(f"反馈对象最多 {MAX_FIELD} 字")
        # Keep text, drop control characters that would only corrupt the listing.
        self.comment = "".join(c for c in self.comment if c in "\n\t" or c.isprintable())
        self.target = "".join(c for c in self.target if c.isprintable())
        self.answer = self.answer[:MAX_FIELD]
        return self


class FeedbackStore:
    def __init__(self, data_dir: Path | None = None) -> None:
        self.path = (data_dir or default_data_dir()) / "feedback.sqlite3"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with closing(self._connect()) as db, db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.row_factory = sqlite3.Row
        return db

    @staticmethod
    def _now() -> str:
        return dt.datetime.now().isoformat(timespec="seconds")

    def add(self, feedback: Feedback) -> int:
        feedback.validate()
        with self._lock, closing(self._connect()) as db, db:
            cursor = db.execute(
                "INSERT INTO feedback (created_at, kind, target, verdict, comment, answer, region) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (self._now(), feedback.kind, feedback.target, feedback.verdict, feedback.comment, feedback.answer,
                 feedback.region))
            return int(cursor.lastrowid)

    def record_miss(self, query: str, region: str = "") -> None:
        query = query.strip()[:MAX_FIELD]
        if not query:
            return
        with self._lock, closing(self._connect()) as db, db:
            db.execute("INSERT INTO missed (created_at, query, region) VALUES (?, ?, ?)",
                       (self._now(), query, region or ""))

    def feedback(self, limit: int = 500) -> list[dict]:
        with closing(self._connect()) as db:
            rows = db.execute("SELECT * FROM feedback ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [dict(row) for row in rows]

    def missed(self, limit: int = 500) -> list[dict]:
        """Questions that found nothing, most asked first."""
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT query, region, COUNT(*) AS times, MAX(created_at) AS last FROM missed "
                "GROUP BY query, region ORDER BY times DESC, last DESC LIMIT ?", (limit,)).fetchall()
        return [dict(row) for row in rows]

    def count(self) -> int:
        with closing(self._connect()) as db:
            return int(db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])
