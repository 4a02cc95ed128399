"""Which rule applies: the standing of every document for a region on a date.

Staff ask "in this region, on this date, which documents bind?". The answer is
worked out from the front matter alone, as pure functions over the ``meta``
dicts (doc id → metadata with dates as strings):

* a draft (征求意见稿) and any other status in ``not_in_force`` does not bind;
* a document whose effective date (or, lacking one, issue date) is after the
  date does not bind yet (尚未施行); a date known only to the year counts as
  1 January of that year, so no "not yet" is invented from a year;
* a document whose stated expiry, or the end of its ``validity`` period
  ("5年", "6个月", "两年" counted from the effective or issue date), is on or
  before the date no longer binds (已失效);
* a document repealed in full (全部废止) by another that has taken effect no
  longer binds (已废止); one overridden where they differ (不一致之处以本文件为准)
  still binds, and says by which;
* a document binds in its own region and every region below it, so in a city
  the city's own documents, the autonomous region's and the national ones all
  bind together — ``ordered`` puts them in order of authority for display but
  never drops one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace

from kb.answer.document_dates import DocumentDate, as_text, end_of_validity, parse_date, parse_validity
from kb.answer.references import document_label, resolve_entry
from kb.index.generation import OpenIndex
from kb.vocab import Statuses, Vocab, default_vocab


@dataclass
class Standing:
    """What one document amounts to for the asked region on the asked date."""

    doc_id: str
    title: str
    doc_number: str  # "" if none
    issuer: str  # "" if none
    region: str
    level: int  # depth of the document's region: 全国 0, 内蒙古自治区 1, 鄂尔多斯市 2
    status: str  # the status as written in the metadata
    # What holds on the date: 现行有效 | 征求意见稿 | 已废止 | 已失效 | 尚未施行 (or another not-in-force status
    # as written, e.g. 已被修改). Being overridden in part is expressed by ``partly_superseded_by``.
    effective_status: str
    in_force: bool  # binds on the date (ignores region)
    applies_here: bool  # the document's region covers the asked region (True when no region was asked)
    binding: bool  # in_force and applies_here
    superseded_by: list[str] = field(default_factory=list)  # doc ids whose repeal in full has taken effect
    partly_superseded_by: list[str] = field(default_factory=list)  # in-force doc ids that prevail where they differ
    repeals: list[str] = field(default_factory=list)  # corpus doc ids this document repeals or overrides
    notes: list[str] = field(default_factory=list)  # short Chinese reasons
    issued: str | None = None
    effective: str | None = None
    expires: str | None = None  # stated, or computed from validity + effective/issued

    def to_dict(self) -> dict:
        """Plain JSON values, for templates and the API."""
        return asdict(self)


# -- standings ------------------------------------------------------------------

def _canonical_asked_region(region: str | None, vocab: Vocab) -> str | None:
    if region is None or not str(region).strip():
        return None
    return vocab.region(str(region))


def _document_region(meta: dict, vocab: Vocab) -> str:
    written = as_text(meta.get("region")) or vocab.nationwide
    return vocab.canonical_region(written) or written


def _start(meta: dict) -> DocumentDate | None:
    """When the document took (or takes) effect: an exact effective date, else the issue date."""
    effective = parse_date(meta.get("effective"))
    if effective is not None and effective.exact:
        return effective
    return parse_date(meta.get("issued"))


def _not_yet_note(meta: dict, start: DocumentDate | None, on: dt.date, vocab: Vocab) -> str | None:
    """Why the document has not started by ``on`` (not yet in effect, or not yet issued), or None."""
    if start is None or start.value <= on:
        return None
    effective = parse_date(meta.get("effective"))
    issued = parse_date(meta.get("issued"))
    if effective is not None and effective.exact:
        return f"自{effective.text}起施行，{vocab.statuses.not_yet}"
    if issued is not None and issued.exact:
        return f"{issued.text}印发，{on.isoformat()}时尚未印发"
    return f"{start.year}年印发，{on.isoformat()}时尚未印发"


def _expiry(meta: dict, start: DocumentDate | None, on: dt.date, notes: list[str]) -> tuple[str | None, bool, str]:
    """(when it expires, whether it has by ``on``, the note saying so) from a stated expiry date or a
    validity period; a validity that cannot be read adds a note."""
    stated_expiry = parse_date(meta.get("expires"))
    validity = as_text(meta.get("validity"))
    if stated_expiry is not None:
        if stated_expiry.exact:
            expired = stated_expiry.value <= on
        else:  # known only to the year: certainly over once that year is
            expired = stated_expiry.year < on.year
        return stated_expiry.text, expired, f"有效期至{stated_expiry.text}，已届满"
    if validity:
        end = end_of_validity(validity, start)
        if end is not None:
            return end.isoformat(), end <= on, f"有效期{validity}，已于{end.isoformat()}届满"
        if parse_validity(validity) is None:
            notes.append(f"有效期“{validity}”无法识别，未计算届满日期")
    return None, False, ""


def _first_pass(doc_id: str, meta: dict, on: dt.date, vocab: Vocab) -> tuple[Standing, bool]:
    """The standing from the document's own metadata, for no region in particular; and whether it has
    taken effect by ``on``."""
    not_in_force = vocab.documents["not_in_force"]
    named = vocab.statuses
    region = _document_region(meta, vocab)
    status = as_text(meta.get("status")) or named.in_force
    notes: list[str] = []

    start = _start(meta)
    not_yet_note = _not_yet_note(meta, start, on, vocab)
    not_yet = not_yet_note is not None
    expires, expired, expired_note = _expiry(meta, start, on, notes)

    # a draft never took effect, so its supersedes entries never did either
    taken_effect = status != named.draft and not not_yet
    if status in not_in_force:
        effective_status = status
        notes.append(f"{named.draft}，{named.not_yet}" if status == named.draft else f"状态为{status}")
    elif not_yet_note is not None:
        effective_status = named.not_yet
        notes.append(not_yet_note)
    elif expired:
        effective_status = named.expired
    else:
        effective_status = named.in_force
    if expired and status != named.draft:
        notes.append(expired_note)

    chain = vocab.region_chain(region)
    in_force = effective_status == named.in_force
    standing = Standing(
        doc_id=doc_id,
        title=as_text(meta.get("title")) or "",
        doc_number=as_text(meta.get("doc_number")) or "",
        issuer=as_text(meta.get("issuer")) or "",
        region=region,
        level=len(chain) - 1,
        status=status,
        effective_status=effective_status,
        in_force=in_force,
        applies_here=True,
        binding=in_force,
        notes=notes,
        issued=as_text(meta.get("issued")),
        effective=as_text(meta.get("effective")),
        expires=expires,
    )
    return standing, taken_effect


def standings(documents: dict[str, dict], region: str | None = None, on: dt.date | None = None,
              vocab: Vocab | None = None) -> dict[str, Standing]:
    """Standing of every document for the region on the date.

    ``region`` is canonicalised (鄂尔多斯 → 鄂尔多斯市); an unknown region raises ``UnknownRegion`` with a
    Chinese message; None (or blank) asks about no region in particular, so every document applies.
    ``on`` defaults to today. Every document is returned, binding or not, keyed by doc id.

    A repeal in full takes effect once the repealing document has (it is not a draft and its date has
    come), and is not undone when that document later expires or is itself repealed; an override where
    they differ holds only while the overriding document is in force. A draft or not-yet-effective
    repealer leaves the target in force and adds a note to it.
    """
    return for_region(standings_anywhere(documents, on, vocab), region)


@dataclass
class Anywhere:
    """Every document's standing on a date for no region in particular (``standings_anywhere``), and
    where in each one's notes a region's note goes: after its own, before those of repeals."""

    on: dt.date
    standing: dict[str, Standing]
    own_notes: dict[str, int]
    vocab: Vocab  # what the regions are read with


def for_region(anywhere: Anywhere, region: str | None) -> dict[str, Standing]:
    """The standings for a region, from the region-free ones: only whether each document applies there
    depends on the region, so a law library's standings for a new region cost a walk, not a recomputation.
    Documents that apply are shared with ``anywhere``; treat standings as read-only."""
    asked = _canonical_asked_region(region, anywhere.vocab)
    if asked is None:
        return anywhere.standing
    asked_chain = set(anywhere.vocab.region_chain(asked))
    result: dict[str, Standing] = {}
    for doc_id, standing in anywhere.standing.items():
        if standing.region in asked_chain:
            result[doc_id] = standing
            continue
        notes = list(standing.notes)
        notes.insert(anywhere.own_notes[doc_id], f"适用于{standing.region}，不适用于{asked}")
        result[doc_id] = replace(standing, applies_here=False, binding=False, notes=notes,
                                 superseded_by=list(standing.superseded_by),
                                 partly_superseded_by=list(standing.partly_superseded_by),
                                 repeals=list(standing.repeals))
    return result


def standings_anywhere(documents: dict[str, dict], on: dt.date | None = None,
                       vocab: Vocab | None = None) -> Anywhere:
    """Every document's standing on the date, for no region in particular (see ``standings``)."""
    vocab = vocab or default_vocab()
    if on is None:
        on = dt.date.today()
    elif isinstance(on, dt.datetime):
        on = on.date()

    result: dict[str, Standing] = {}
    taken_effect: dict[str, bool] = {}
    for doc_id in sorted(documents):
        result[doc_id], taken_effect[doc_id] = _first_pass(doc_id, documents[doc_id], on, vocab)
    own_notes = {doc_id: len(standing.notes) for doc_id, standing in result.items()}
    # The documents' own standing, before any repeal: what decides whether a repeal or override holds.
    own_status = {doc_id: standing.effective_status for doc_id, standing in result.items()}
    named, extents = vocab.statuses, vocab.extents
    links = [(repealer_id, target_id, how)
             for repealer_id in sorted(documents)
             for target_id, how in _supersedes(repealer_id, documents, vocab)]

    for repealer_id, target_id, _how in links:
        _add(result[repealer_id].repeals, target_id)

    # Repeals in full (and newer versions) first: they depend only on whether the repealer has taken effect.
    for repealer_id, target_id, how in links:
        if how == extents.partial:
            continue
        meta, target = documents[repealer_id], result[target_id]
        if taken_effect[repealer_id]:
            _add(target.superseded_by, repealer_id)
            if how == extents.amended:
                _add(target.notes, f"{named.superseded}，现行版本为{repealer_id}（{_start_text(meta)}起施行）")
            else:
                _add(target.notes, f"已被{document_label(meta, repealer_id)}废止")
            if target.effective_status in (named.in_force, named.not_yet, named.expired):
                target.effective_status = named.superseded if how == extents.amended else named.repealed
                target.in_force = target.binding = False
        elif own_status[repealer_id] == named.draft:
            _add(target.notes, f"{named.draft}{_titled(meta, repealer_id)}拟废止本文件")
        elif own_status[repealer_id] == named.not_yet:
            _add(target.notes, f"{document_label(meta, repealer_id)}自{_start_text(meta)}起施行，届时废止本文件")

    # Overrides where they differ hold while the overriding document is in force (after the repeals above).
    for repealer_id, target_id, how in links:
        if how != extents.partial:
            continue
        meta, target = documents[repealer_id], result[target_id]
        if result[repealer_id].in_force:
            _add(target.partly_superseded_by, repealer_id)
            _add(target.notes, f"与{document_label(meta, repealer_id)}不一致之处以其为准")
        elif own_status[repealer_id] == named.draft:
            _add(target.notes, f"{named.draft}{_titled(meta, repealer_id)}拟规定与本文件不一致之处以其为准")
        elif own_status[repealer_id] == named.not_yet:
            _add(target.notes, f"{document_label(meta, repealer_id)}自{_start_text(meta)}起施行后，"
                               "与本文件不一致之处以其为准")
    return Anywhere(on, result, own_notes, vocab)


def _supersedes(doc_id: str, documents: dict[str, dict], vocab: Vocab) -> list[tuple[str, str]]:
    """The corpus documents ``doc_id`` repeals, amends or overrides, each with how (``vocab.extents``):
    ``partial`` (only where they differ), ``amended`` (a newer version of the same document) or ``full``."""
    extents = vocab.extents
    found: list[tuple[str, str]] = []
    for entry in documents[doc_id].get("supersedes") or []:
        target_id = resolve_entry(entry, documents, vocab)
        if target_id is None or target_id == doc_id:
            continue
        extent = str(entry.get("extent") or extents.full) if isinstance(entry, dict) else extents.full
        found.append((target_id, extents.partial if extents.partial in extent
                      else extents.amended if extent == extents.amended else extents.full))
    return found


def _add(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def _titled(meta: dict, doc_id: str) -> str:
    return f"《{as_text(meta.get('title')) or doc_id}》"


def _start_text(meta: dict) -> str:
    start = _start(meta)
    return start.text if start else "施行之日"


# -- order of authority ---------------------------------------------------------

def _group(standing: Standing, named: Statuses) -> int:
    if standing.binding:
        return 0
    if standing.in_force:
        return 1  # in force, but for another region
    if standing.effective_status == named.draft:
        return 2
    if standing.effective_status == named.not_yet:
        return 3
    return 4  # repealed, superseded, expired or otherwise not in force


def _sort_date(standing: Standing) -> dt.date | None:
    effective = parse_date(standing.effective)
    if effective is not None and effective.exact:
        return effective.value
    issued = parse_date(standing.issued)
    return issued.value if issued else (effective.value if effective else None)


def ordered(standings: Iterable[Standing], vocab: Vocab) -> list[Standing]:
    """Order of authority for display.

    Binding documents first — most specific region first (city before 自治区 before 全国), newer
    effective/issued date first within a level (a bare year counts as 1 January; no date last); then
    documents in force that apply elsewhere; then drafts (征求意见稿); then documents not yet in effect;
    last those repealed, superseded or expired. Within each later group, documents whose region covers
    the asked one come first, then the same region and date order. Ties break by doc id, so the order is
    stable and deterministic.
    """

    def key(standing: Standing) -> tuple:
        date = _sort_date(standing)
        return (_group(standing, vocab.statuses), not standing.applies_here, -standing.level, date is None,
                -(date.toordinal() if date else 0), standing.doc_id)

    return sorted(standings, key=key)


# -- kept per index generation ----------------------------------------------------------------------

STANDINGS = "kb.answer.standings"  # the key of a generation's standings in Generation.extensions


class StandingCache:
    """Standings depend only on the generation's documents, the region and the date; the region-free pass
    over every document is kept per date, so a region not asked about before costs a walk."""

    def __init__(self, metas: dict[str, dict], vocab: Vocab) -> None:
        self.metas = metas
        self.vocab = vocab
        self._anywhere: dict[dt.date, Anywhere] = {}
        self._cache: dict[tuple, dict[str, Standing]] = {}

    def get(self, region: str | None, on: dt.date) -> dict[str, Standing]:
        """The standings for ``region`` (None: no region in particular) on the date ``on``, made once."""
        key = (region, on)
        if key not in self._cache:
            anywhere = self._anywhere.get(on)
            if anywhere is None:
                if len(self._anywhere) > 8:
                    self._anywhere.clear()
                anywhere = self._anywhere[on] = standings_anywhere(self.metas, on, self.vocab)
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[key] = for_region(anywhere, region)
        return self._cache[key]


def standings_of(index: OpenIndex, region: str | None, on: dt.date) -> dict[str, Standing]:
    """The standings of the open generation's documents for a region on a date, kept with the generation
    (``Generation.extensions``) so that they go when it goes."""
    generation = index.generation
    cache = generation.extensions.get(STANDINGS)
    if cache is None:
        cache = generation.extensions.setdefault(STANDINGS, StandingCache(generation.metas, index.vocab))
    return cache.get(region, on)


def warm(index: OpenIndex) -> None:
    """Today's standings with no region asked: the first pass over every document's dates and references,
    whose parsing is then cached for any other region."""
    standings_of(index, None, dt.date.today())
