"""A feedback record and what every feedback store shares: validation, the limits, how a store says it
is on, failing or off. The tables are in kb.feedback.sqlite (and kb.feedback.postgres)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from kb.errors import FeedbackError, UnknownRegion
from kb.vocab import Vocab, default_vocab

VERDICTS = {"useful": "有用", "wrong": "有误"}
KINDS = {"answer", "faq"}
MAX_COMMENT = 2000
MAX_FIELD = 500
MAX_REGION = 40
MAX_MISSED = 10_000  # distinct unanswered (question, region) rows kept

log = logging.getLogger(__name__)


def default_data_dir() -> Path:
    """Where feedback is kept: ``KB_DATA``, else ``var``."""
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


def _reason(error: BaseException) -> str:
    """A short reason without file paths (it is shown on the public /healthz)."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def miss_fields(query: str, region: str) -> tuple[str, str]:
    """A missed question and its region as stored: cleaned and cut to their limits."""
    return clean_text(query).strip()[:MAX_FIELD], clean_text(region or "").strip()[:MAX_REGION]


class StoreHealth:
    """What every store says about itself (off since start, failing since the latest write, or on) and its
    listings."""

    def __init__(self) -> None:
        self.off_reason = ""  # why the store is off since start; '' while it works
        self.off_detail = ""
        self.last_error = ""  # why the latest write failed; '' after a write succeeds

    @property
    def available(self) -> bool:
        """Whether feedback can be written (the store opened)."""
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

    @staticmethod
    def _now() -> str:
        return dt.datetime.now().isoformat(timespec="seconds")

    # The listings, the same SQL for every store; ``_read(sql, parameters)`` is the store's own, and
    # ``PLACEHOLDER`` its driver's parameter mark.
    PLACEHOLDER = "?"

    def _read(self, sql: str, parameters: tuple) -> list[dict]:
        raise NotImplementedError

    def feedback(self, limit: int = 500) -> list[dict]:
        """The newest feedback first."""
        return self._read(f"SELECT * FROM feedback ORDER BY id DESC LIMIT {self.PLACEHOLDER}", (limit,))

    def missed(self, limit: int = 500) -> list[dict]:
        """Questions that found nothing, most asked first."""
        return self._read("SELECT query, region, times, last FROM missed ORDER BY times DESC, last DESC "
                          f"LIMIT {self.PLACEHOLDER}", (limit,))

    def count(self) -> int:
        """How many feedback rows there are."""
        return int(self._read("SELECT COUNT(*) AS n FROM feedback", ())[0]["n"])
