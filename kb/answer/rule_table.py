"""Every rule on a customer type across documents, for staff comparing what applies.

One row per fact: what it measures, the figure, its conditions, and the standing of the
document it comes from (region, issuer, status on the date, dates, what it supersedes). Items on
which the documents state different figures are flagged, so the page can highlight them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from kb.answer.standing import Standing, ordered, standings
from kb.errors import UnknownCustomerType
from kb.index.generation import OpenIndex
from kb.vocab import Vocab, default_vocab


@dataclass
class RuleRow:
    item: str
    figure: str
    value: int | float | str
    unit: str
    bound: str
    qualifiers: list[str]
    subject: str
    doc_id: str
    title: str
    doc_number: str
    clause_id: str
    label: str
    context: str
    region: str
    issuer: str
    status: str
    effective_status: str
    binding: bool
    issued: str | None
    effective: str | None
    supersedes: list[str]
    superseded_by: list[str]
    notes: list[str]
    differs: bool = False


@dataclass
class RuleTable:
    subject: str
    region: str | None
    on: str
    rows: list[RuleRow] = field(default_factory=list)
    differing_items: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Plain JSON values, for the template and the API."""
        return asdict(self)


def customer_types(vocab: Vocab | None = None) -> list[str]:
    """The customer types a staff member can choose, as the lexicon names them."""
    lexicon = (vocab or default_vocab()).lexicon
    return [name for name, spec in lexicon.subjects.items() if spec.get("kind", "customer") == "customer"]


def _supersedes(meta: dict) -> list[str]:
    out = []
    for entry in meta.get("supersedes") or []:
        if isinstance(entry, dict):
            out.append(f"{entry.get('ref', '')}{'（' + entry['extent'] + '）' if entry.get('extent') else ''}")
        else:
            out.append(str(entry))
    return out


def rule_table(index: OpenIndex, subject: str, region: str | None = None, on: dt.date | None = None) -> RuleTable:
    """The rules on ``subject`` (and on the broader types it belongs to) in documents applying to ``region``."""
    vocab = index.vocab
    lexicon = vocab.lexicon
    if subject not in lexicon.subjects:
        raise UnknownCustomerType(f"未知用户类型“{subject}”。可选：{'、'.join(customer_types(vocab))}")
    if region:
        region = vocab.region(region)
    on = on or dt.date.today()
    metas = index.metas
    standing: dict[str, Standing] = standings(metas, region, on, vocab)
    authority = {s.doc_id: n for n, s in enumerate(ordered(standing.values(), vocab))}
    covered = set(lexicon.broader(subject))
    table = RuleTable(subject=subject, region=region, on=on.isoformat())
    for fact in index.facts:
        doc_standing = standing.get(fact.doc_id)
        if fact.subject not in covered or doc_standing is None or not doc_standing.applies_here:
            continue
        meta = metas[fact.doc_id]
        table.rows.append(RuleRow(
            item=fact.item or "（未归类）", figure=lexicon.render(fact.value, fact.unit),
            value=fact.value, unit=fact.unit, bound=fact.bound, qualifiers=fact.qualifiers,
            subject=fact.subject, doc_id=fact.doc_id, title=meta["title"],
            doc_number=meta.get("doc_number") or "", clause_id=fact.clause_id, label=fact.label,
            context=fact.context,
            region=doc_standing.region, issuer=meta.get("issuer") or "", status=meta.get("status") or "",
            effective_status=doc_standing.effective_status, binding=doc_standing.binding,
            issued=doc_standing.issued, effective=doc_standing.effective, supersedes=_supersedes(meta),
            superseded_by=doc_standing.superseded_by + doc_standing.partly_superseded_by,
            notes=doc_standing.notes))
    table.rows.sort(key=lambda r: (r.item, authority.get(r.doc_id, 0), r.label))
    # Documents differ where the same item under the same conditions has different figures in
    # different documents (有/无外线工程 in one document is two rules, not a disagreement).
    conditions = set(lexicon.qualifier_entries)
    groups: dict[tuple, list[RuleRow]] = {}
    for row in table.rows:
        groups.setdefault((row.item, row.subject, frozenset(set(row.qualifiers) & conditions)), []).append(row)
    for rows in groups.values():
        if len({r.figure for r in rows}) > 1 and len({r.doc_id for r in rows}) > 1:
            for row in rows:
                row.differs = True
    table.differing_items = sorted({row.item for row in table.rows if row.differs})
    return table
