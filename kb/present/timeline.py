"""Every 办电 stage of a customer type on a timeline from the day the application was accepted.

Each stage's limit (kb/data/stages.yaml, in order) is counted from the end of the stage before it, under
the binding rule of the rule table; the draft's figures are counted the same way beside them ("若征求意见稿
施行"). The totals the documents state are counted from the start. ``remaining`` is the working days from
``today`` to the last due date (negative when it has passed)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kb.answer.deadlines import TimeUnits, due_date, is_working_day
from kb.answer.rule_table import RuleRow, RuleTable
from kb.errors import KbError
from kb.present import data_file
from kb.vocab import Vocab


@dataclass
class Step:
    """One stage's limit under one document, with its due date (None when it cannot be counted)."""

    item: str
    figure: str
    doc_id: str
    clause_id: str
    label: str
    due: dt.date | None
    note: str = ""

    def to_dict(self) -> dict:
        return {"item": self.item, "figure": self.figure, "doc_id": self.doc_id, "clause_id": self.clause_id,
                "label": self.label, "due": self.due.isoformat() if self.due else None, "note": self.note}


@dataclass
class Timeline:
    subject: str
    region: str | None
    start: dt.date
    today: dt.date
    binding: list[Step] = field(default_factory=list)
    draft: list[Step] = field(default_factory=list)
    totals: list[Step] = field(default_factory=list)  # the whole as the documents state it, from the start
    draft_totals: list[Step] = field(default_factory=list)

    @property
    def last_due(self) -> dt.date | None:
        dues = [step.due for step in self.binding if step.due]
        return dues[-1] if dues else None

    @property
    def remaining(self) -> int | None:
        """Working days from today (not counted) to the last due date (counted); negative once passed."""
        end = self.last_due
        return None if end is None else working_days_between(self.today, end)

    def to_dict(self) -> dict:
        return {"subject": self.subject, "region": self.region, "start": self.start.isoformat(),
                "today": self.today.isoformat(), "binding": [s.to_dict() for s in self.binding],
                "draft": [s.to_dict() for s in self.draft], "totals": [s.to_dict() for s in self.totals],
                "draft_totals": [s.to_dict() for s in self.draft_totals],
                "last_due": self.last_due.isoformat() if self.last_due else None, "remaining": self.remaining}


def working_days_between(today: dt.date, end: dt.date) -> int:
    """Working days after ``today`` up to and including ``end``; minus those after ``end`` up to today."""
    sign, low, high = (1, today, end) if end >= today else (-1, end, today)
    count, day = 0, low + dt.timedelta(days=1)
    while day <= high:
        count += is_working_day(day)
        day += dt.timedelta(days=1)
    return sign * count


def draft_status(vocab: Vocab) -> str:
    """The status inference gives a draft: the one of kb/data/documents.yaml's status rules that does not bind."""
    not_in_force = vocab.documents["not_in_force"]
    return next(rule["status"] for rule in vocab.documents["statuses"] if rule["status"] in not_in_force)


def _counted(row: RuleRow, units: TimeUnits) -> bool:
    return row.unit in units.counted and isinstance(row.value, (int, float))


def _document_order(row: RuleRow) -> tuple:
    """A row's place in its document: clause ids such as att1-t3-r10 compared number by number."""
    return row.doc_id, [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", row.clause_id)]


def _chain(rows: list[RuleRow], start: dt.date, order: list[str], units: TimeUnits) -> list[Step]:
    """The rows of the stages in stage order (a document's sub-steps of one stage in its own order), each
    counted from the due date of the one before."""
    steps, current = [], start
    for item in order:
        for row in sorted((r for r in rows if r.item == item), key=_document_order):
            if not _counted(row, units):
                steps.append(Step(row.item, row.figure, row.doc_id, row.clause_id, row.label, None,
                                  f"规定为“{row.figure}”，无法计算日期，未计入"))
                continue
            try:
                due = due_date(current, float(row.value), row.unit, units).due
            except KbError as error:  # a year without a holiday calendar: say so, never guess
                steps.append(Step(row.item, row.figure, row.doc_id, row.clause_id, row.label, None, str(error)))
                continue
            steps.append(Step(row.item, row.figure, row.doc_id, row.clause_id, row.label, due))
            current = due
    return steps


def _totals(rows: list[RuleRow], start: dt.date, items: list[str], units: TimeUnits) -> list[Step]:
    steps = []
    for row in rows:
        # "17至30个工作日" is a range, not a limit
        if row.item in items and _counted(row, units) and not row.bound == "至":
            try:
                due = due_date(start, float(row.value), row.unit, units).due
            except KbError:
                continue
            steps.append(Step(row.item, row.figure, row.doc_id, row.clause_id, row.label, due))
    return steps


def timeline(table: RuleTable, start: dt.date, today: dt.date, vocab: Vocab) -> Timeline:
    """The stages of ``table``'s customer type from ``start``: under the binding rules, and under the drafts."""
    spec = data_file("stages.yaml", vocab.data_dir)
    units = TimeUnits.of(vocab)
    draft = draft_status(vocab)
    binding = [row for row in table.rows if row.binding]
    drafts = [row for row in table.rows if not row.binding and row.effective_status == draft]
    return Timeline(table.subject, table.region, start, today,
                    binding=_chain(binding, start, spec["stages"], units),
                    draft=_chain(drafts, start, spec["stages"], units),
                    totals=_totals(binding, start, spec["totals"], units),
                    draft_totals=_totals(drafts, start, spec["totals"], units))
