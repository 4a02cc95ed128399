"""The forms texts and figures are compared in: NFKC with white space squeezed out (``squash``), and a
figure's canonical key (Chinese numerals as digits, no 个), so 4 个工作日, ４个工作日 and 四个工作日 are one."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Protocol

from kb.analysis.numerals import NUMERAL_CHARS, cn_to_int

WHITE_SPACE = re.compile(r"\s+")
_NUMERAL_RUN = re.compile(f"[{NUMERAL_CHARS}]+")


def squash(text: object) -> str:
    """The form every comparison uses: NFKC, all white space removed."""
    if text is None:
        return ""
    return WHITE_SPACE.sub("", unicodedata.normalize("NFKC", str(text)))


def holds(haystack: object, needle: object) -> bool:
    """Whether ``needle`` stands in ``haystack`` after :func:`squash`; an empty needle never does."""
    wanted = squash(needle)
    return bool(wanted) and wanted in squash(haystack)


def _digits_for_numerals(text: str) -> str:
    """Every maximal run of Chinese numerals that :func:`cn_to_int` reads becomes digits: 二十二 → 22."""

    def replace(match: re.Match[str]) -> str:
        value = cn_to_int(match.group())
        return match.group() if value is None else str(value)

    return _NUMERAL_RUN.sub(replace, text)


def figure_key(text: object) -> str:
    """Canonical form of a figure: NFKC, no white space, Chinese numerals as digits, no 个."""
    return _digits_for_numerals(squash(text)).replace("个", "")


def number_text(value: object) -> str:
    """``value`` as a figure writes it: 5.0 → 5, 0.5 → 0.5, anything else as ``str`` gives it."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def canonical_unit(unit: str) -> str:
    """``unit`` without a leading 个 (个工作日 → 工作日), as facts and candidates store it; 个 alone stays."""
    return unit[1:] if unit.startswith("个") and len(unit) > 1 else unit


def _format_value(value: object) -> str:
    return "" if value is None else number_text(value)


class _Figured(Protocol):
    """What ``fact_figure`` reads: a fact's ``value`` and ``unit`` through ``get`` (a Fact or a dict)."""

    def get(self, key: str, default: Any = None, /) -> Any: ...


def fact_figure(fact: _Figured) -> str:
    """A fact's value and unit as one string: 32 + 工作日 → ``32工作日``, 0.5 + 米 → ``0.5米``, 32.0 → ``32``."""
    unit = fact.get("unit")
    return _format_value(fact.get("value")) + ("" if unit is None else str(unit))
