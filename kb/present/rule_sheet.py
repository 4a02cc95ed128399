"""The rule table arranged for staff: binding rows first, the rest, then drafts; for each document what it
repeals (a draft's repeals marked as proposed, a referenced document missing from the base said so); each
item's figures through time (its history across documents and dates); and two documents side by side."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Protocol

from kb.answer.references import resolve_reference
from kb.answer.rule_table import RuleRow, RuleTable
from kb.present.timeline import draft_status
from kb.vocab import Vocab

YEAR = re.compile(r"((?:19|20)\d{2})年")


@dataclass
class Reference:
    """A document another one repeals or replaces, as its front matter names it."""

    ref: str
    title: str
    extent: str
    doc_id: str | None  # None: not in the base
    proposed: bool  # named by a draft: a repeal proposed, not in effect

    @property
    def in_base(self) -> bool:
        return self.doc_id is not None

    def to_dict(self) -> dict:
        return {"ref": self.ref, "title": self.title, "extent": self.extent, "doc_id": self.doc_id,
                "in_base": self.doc_id is not None, "proposed": self.proposed}


@dataclass
class History:
    """One item's figures through time: every row by date (drafts last), and what a draft would change."""

    rows: list[RuleRow]
    binding: list[str]  # the figures that bind now
    draft: list[str]  # the figures the drafts propose


@dataclass
class Sheet:
    binding: list[RuleRow] = field(default_factory=list)
    other: list[RuleRow] = field(default_factory=list)  # not binding here and not a draft (repealed, expired …)
    drafts: list[RuleRow] = field(default_factory=list)
    references: dict[str, list[Reference]] = field(default_factory=dict)  # doc id → what it repeals
    history: dict[str, History] = field(default_factory=dict)  # items whose figure differs across documents
    passed_targets: set[tuple] = field(default_factory=set)  # row_key() of rows whose target year has passed


def row_key(row: RuleRow) -> tuple:
    return row.doc_id, row.clause_id, row.item, row.figure


def references(doc_id: str, documents: dict[str, dict], vocab: Vocab) -> list[Reference]:
    """What the document's front matter says it repeals or replaces, each resolved in ``documents``."""
    draft = draft_status(vocab)
    meta = documents[doc_id]
    out = []
    for entry in meta.get("supersedes") or []:
        entry = entry if isinstance(entry, dict) else {"ref": str(entry)}
        target = resolve_reference(entry.get("ref") or "", documents, vocab) or resolve_reference(
            entry.get("title") or "", documents, vocab)
        out.append(Reference(entry.get("ref") or "", entry.get("title") or "", entry.get("extent") or "", target,
                             meta.get("status") == draft))
    return out


def _when(row: RuleRow) -> str:
    return str(row.effective or row.issued or "")


class Figure(Protocol):
    """What ``target_year_passed`` reads: a rule row or a fact."""

    context: str
    qualifiers: list[str]
    value: int | float | str
    unit: str


def target_years(row: Figure) -> list[int]:
    """The years a figure's own words and conditions name (a table's 完成时限 column: 2020年底前), and its
    value when it is a year."""
    years = [int(y) for text in [row.context or "", *row.qualifiers] for y in YEAR.findall(text)]
    if isinstance(row.value, int) and 1990 < row.value < 2100 and row.unit == "年":
        years.append(int(row.value))
    return years


def target_year_passed(row: Figure, today: dt.date) -> bool:
    """A target set for a year (到2025年…) that is over: the years it names are all past."""
    years = target_years(row)
    return bool(years) and max(years) < today.year


def rule_sheet(table: RuleTable, documents: dict[str, dict], vocab: Vocab, today: dt.date) -> Sheet:
    """``table`` arranged for the staff sheet; ``documents`` is every document's metadata (with its title)."""
    draft = draft_status(vocab)
    sheet = Sheet()
    for row in table.rows:
        if row.binding:
            sheet.binding.append(row)
        elif row.effective_status == draft:
            sheet.drafts.append(row)
        else:
            sheet.other.append(row)
        if target_year_passed(row, today):
            sheet.passed_targets.add(row_key(row))
    for doc_id in dict.fromkeys(row.doc_id for row in table.rows):
        sheet.references[doc_id] = references(doc_id, documents, vocab)
    by_item: dict[str, list[RuleRow]] = {}
    for row in sorted(table.rows, key=lambda r: (r.effective_status == draft, _when(r))):
        by_item.setdefault(row.item, []).append(row)
    for item, rows in by_item.items():
        if len({r.figure for r in rows}) > 1:
            sheet.history[item] = History(rows, list(dict.fromkeys(r.figure for r in rows if r.binding)),
                                          list(dict.fromkeys(r.figure for r in rows if r.effective_status == draft)))
    return sheet


def side_by_side(table: RuleTable, first: str, second: str) -> list[tuple[str, list[RuleRow], list[RuleRow]]]:
    """The items either document states for the customer type, each with both documents' rows (aligned)."""
    items = dict.fromkeys(row.item for row in table.rows if row.doc_id in (first, second))
    return [(item, [r for r in table.rows if r.item == item and r.doc_id == first],
             [r for r in table.rows if r.item == item and r.doc_id == second]) for item in items]
