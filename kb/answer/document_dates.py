"""A document's dates as its front matter gives them (an ISO date, or a year only) and its validity period
(5年, 6个月, 两年, 一年半, 90天), read for its standing."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kb.analysis.comparison import squash
from kb.analysis.numerals import cn_to_int

ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
YEAR = re.compile(r"^(\d{4})(?:年)?$")
VALIDITY = re.compile(r"^(?:有效期)?(?:为)?(\d+|[零〇一二两三四五六七八九十百]+)?(半)?(年|个月|月|周|天|日)(半)?$")


@dataclass(frozen=True)
class DocumentDate:
    """A date as written: exact (``2022-07-17``) or known only to the year (``2022``)."""

    value: dt.date
    exact: bool
    text: str

    @property
    def year(self) -> int:
        """The date's year (all a date known only to the year says)."""
        return self.value.year


def as_text(value) -> str | None:
    """A front-matter value as text (a date as ISO), or None when it is empty."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip() or None


def parse_date(value) -> DocumentDate | None:
    """``2022-07-17`` → exact; ``2022`` → 1 January 2022, known only to the year; anything else → None."""
    text = as_text(value)
    if text is None:
        return None
    return _parse_date_text(text)


@lru_cache(maxsize=65536)  # standings read every document's dates for each region asked about
def _parse_date_text(text: str) -> DocumentDate | None:
    text = unicodedata.normalize("NFKC", text)
    match = ISO_DATE.match(text)
    if match:
        try:
            return DocumentDate(dt.date(*(int(g) for g in match.groups())), True, text)
        except ValueError:
            return None
    match = YEAR.match(text)
    if match:
        return DocumentDate(dt.date(int(match.group(1)), 1, 1), False, match.group(1))
    return None


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_validity(text: str) -> tuple[int, int] | None:
    """A validity period as (months, days): ``5年`` → (60, 0), ``6个月`` → (6, 0), ``两年`` → (24, 0),
    ``一年半`` → (18, 0), ``半年`` → (6, 0), ``90天`` → (0, 90); None when it cannot be read."""
    text = squash(text)
    match = VALIDITY.match(text)
    if not match:
        return None
    numeral, half_before, unit, half_after = match.groups()
    if numeral is None:
        count = 0 if half_before else None
    elif numeral.isdigit():
        count = int(numeral)
    else:
        count = cn_to_int(numeral)
    if count is None:
        return None
    half = bool(half_before or half_after)
    if unit == "年":
        return count * 12 + (6 if half else 0), 0
    if half:
        return None
    if unit in ("个月", "月"):
        return count, 0
    if unit == "周":
        return 0, count * 7
    return 0, count


def end_of_validity(validity, start: DocumentDate | None) -> dt.date | None:
    """The day a ``validity`` period (5年, 6个月) counted from ``start`` ends, or None when either is unknown or the
    start is known only to the year."""
    if not validity or start is None or not start.exact:
        return None
    period = parse_validity(validity)
    if period is None:
        return None
    months, days = period
    return _add_months(start.value, months) + dt.timedelta(days=days)
