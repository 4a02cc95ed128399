"""Feedback on answers and FAQ entries, and the questions that found nothing, in SQLite (or PostgreSQL).

``open_store`` picks the store: PostgreSQL when ``KB_FEEDBACK_URL`` names one (``postgresql://…``,
kb/feedback/postgres.py, for replicas on several machines), else SQLite under ``KB_DATA``. Both have
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

import os
from pathlib import Path

from kb.errors import SettingsError
from kb.feedback.record import (
    KINDS,
    MAX_COMMENT,
    MAX_FIELD,
    MAX_MISSED,
    MAX_REGION,
    VERDICTS,
    Feedback,
    StoreHealth,
    clean_text,
    default_data_dir,
    miss_fields,
)
from kb.feedback.sqlite import FeedbackStore

__all__ = ["KINDS", "MAX_COMMENT", "MAX_FIELD", "MAX_MISSED", "MAX_REGION", "VERDICTS", "Feedback", "FeedbackStore",
           "StoreHealth", "clean_text", "default_data_dir", "miss_fields", "open_store"]


def open_store(data_dir: Path | None = None, url: str | None = None, max_missed: int = MAX_MISSED):
    """The feedback store: PostgreSQL at ``url`` (default ``KB_FEEDBACK_URL``) when one is named, else
    SQLite under ``data_dir``. A URL that is not PostgreSQL's is a SettingsError."""
    url = (url if url is not None else os.environ.get("KB_FEEDBACK_URL", "")).strip()
    if not url:
        return FeedbackStore(data_dir, max_missed)
    if not url.startswith(("postgresql://", "postgres://")):
        raise SettingsError("KB_FEEDBACK_URL must be a postgresql:// URL (or unset for SQLite under KB_DATA)")
    from kb.feedback.postgres import PostgresFeedbackStore  # psycopg only where PostgreSQL is used

    return PostgresFeedbackStore(url, max_missed)


