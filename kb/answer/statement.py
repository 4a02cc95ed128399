"""What an answer says: the answer's shape, its facts, the sentence an agent reads out (the figure that
binds and where, in the clause's own words), the latest dates under each time limit, the citations, the
status notes, the documents that apply and the line saying how the question was understood."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field

from kb.answer.candidates import Candidate
from kb.answer.deadlines import TimeUnits, due_date
from kb.answer.features import ClauseContext, own_context
from kb.answer.peers import Scored, lexicon_reading
from kb.answer.question import Question
from kb.answer.standing import Standing, ordered
from kb.errors import DeadlineError
from kb.index.generation import OpenIndex
from kb.vocab import Vocab

MAX_ANSWER = 400
SHOWN_HITS = 10
MAX_CITATIONS = 5


@dataclass
class Answer:
    question: str
    found: bool
    answer: str
    figure: str = ""  # the headline figure; "4个工作日 / 20个工作日" when the documents differ
    citations: list[dict] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)
    applicable: list[dict] = field(default_factory=list)
    hits: list[dict] = field(default_factory=list)
    deadlines: list[dict] = field(default_factory=list)
    understood: dict = field(default_factory=dict)
    confidence: float = 0.0  # the model's probability for the figure stated (0 when none is)
    kind: str = ""  # figure | phrase | passage | definition | status | unsure | none

    def to_dict(self) -> dict:
        """Plain JSON values, for the CLI, the API and the site."""
        return asdict(self)


def doc_title(index: OpenIndex, doc_id: str) -> str:
    """The title of ``doc_id`` in the ``index`` with its 文号 in brackets, unless the title already holds it."""
    record = index.documents[doc_id]
    number = record["meta"].get("doc_number") or ""
    return f"{record['title']}（{number}）" if number and number not in record["title"] else record["title"]


def citation(index: OpenIndex, doc_id: str, clause_id: str, text: str, label: str) -> dict:
    """A citation of the clause ``clause_id`` of ``doc_id``: its document's title, region and status, the
    clause's ``label`` and verbatim ``text``."""
    record = index.documents[doc_id]
    return {"doc_id": doc_id, "title": doc_title(index, doc_id), "region": record["meta"].get("region", ""),
            "status": record["meta"].get("status", ""), "clause_id": clause_id, "label": label, "text": text}


def status_note(standing: Standing | None, vocab: Vocab) -> str:
    """What an answer says beside a figure of a document that does not bind as it stands: a draft (征求意见稿，
    尚未施行), a status not in force, or the region it applies to instead; "" when it binds (or is unknown)."""
    if standing is None:
        return ""
    if standing.effective_status == vocab.draft:
        return f"{vocab.draft}，{vocab.statuses.not_yet}"
    if not standing.in_force:
        return standing.effective_status
    if not standing.applies_here:
        return f"适用于{standing.region}"
    return ""


def _verbatim_segment(candidate: Candidate, clause_text: str) -> str:
    """The candidate's own words as the answer quotes them: a table cell with its row and column, else its
    segment (its sentence when the segment is short)."""
    if candidate.extra.get("quote"):
        return candidate.extra["quote"]
    segment_text = candidate.extra.get("segment_text") or candidate.segment
    if len(segment_text) < 8:
        segment_text = candidate.extra.get("sentence_text") or candidate.sentence
    return segment_text.strip() or clause_text[:120]


def applicable(answer: Answer, region_standing: dict[str, Standing], vocab: Vocab) -> None:
    """Every document involved, in order of authority, with its standing; a figure only beside the
    documents whose figure is about the same thing as the headline (same family, same conditions)."""
    same = [f for f in answer.facts if f.get("peer")]
    figures: dict[str, dict] = {}
    for fact in same:
        figures.setdefault(fact["doc_id"], fact)
    involved = list(dict.fromkeys([f["doc_id"] for f in same] + [c["doc_id"] for c in answer.citations]))
    answer.applicable = [{**s.to_dict(), **({"figure": figures[s.doc_id]["figure"],
                                             "label": figures[s.doc_id]["label"]} if s.doc_id in figures else {})}
                         for s in ordered((region_standing[d] for d in involved if d in region_standing), vocab)]


def understood_line(question: Question, region: str | None, on: dt.date, vocab: Vocab) -> str:
    """理解为：高压双电源用户 · 供电方案答复 · 巴彦淖尔市 · 2026-12-01 (and the conditions)."""
    named = "".join(question.subjects[:1] + question.items[:1])
    conditions = [c for c in question.conditions if c not in named]
    scope = (region or vocab.nationwide) + ("（" + "、".join(question.excluded_regions) + "除外）"
                                            if question.excluded_regions else "")
    parts = [*question.subjects[:1], *question.items[:1], *conditions, scope, on.isoformat()]
    if not question.subjects and not question.items:
        parts = [g.word for g in question.groups if g.weight >= 1 and not g.absent][:4] + parts
    return "理解为：" + " · ".join(dict.fromkeys(p for p in parts if p))


def clause_text(index: OpenIndex, clause: ClauseContext) -> tuple[str, str]:
    """The verbatim text and label of the ``clause`` as the ``index`` stores it (the context's label if none)."""
    text, label = index.clause_text(clause.doc_id, clause.clause_id)
    return text, label or clause.label


def by_type_sentence(index: OpenIndex, group: list[Scored], region_standing: dict[str, Standing],
                     vocab: Vocab) -> str:
    """The answer when it depends on the customer type the question does not name: each type's figure
    in ``group`` (one document's, as the lexicon of ``vocab`` reads the types), with the document's
    region, its status note from ``region_standing`` and its title."""
    first = group[0]
    note = status_note(region_standing.get(first.clause.doc_id), vocab)
    lex = vocab.lexicon
    region = index.documents[first.clause.doc_id]["meta"].get("region", "")
    parts = "；".join(f"{(lexicon_reading(s, lex) or ('',))[0]}{s.candidate.figure}" for s in group)
    text = (f"{region}：按用户类型不同——{parts}{'（' + note + '）' if note else ''}。"
            f"依据《{doc_title(index, first.clause.doc_id)}》。问题未说明用户类型，请按客户情况选用。")
    return text if len(text) <= MAX_ANSWER else text[: MAX_ANSWER - 1] + "…"


def stated_fact(index: OpenIndex, scored: Scored, question: Question, vocab: Vocab) -> dict:
    """The fact an answer lists for a ``scored`` candidate: its value, unit and bound, the customer type,
    item and conditions its own words name (read with ``vocab``), and where it stands (the ``index``'s
    document and clause). ``question`` is the question answered."""
    candidate, clause = scored.candidate, scored.clause
    record = index.documents[clause.doc_id]
    own = own_context(candidate, vocab.wording)
    lex = vocab.lexicon
    subjects = [m.name for m in lex.subjects_in(own) if m.kind != "actor"]
    items = [m.name for m in lex.items_in(own)]
    conditions = list(dict.fromkeys(vocab.wording.condition_re.findall(own)))
    return {"subject": subjects[-1] if subjects else "", "item": items[-1] if items else "",
            "value": candidate.fact_value, "unit": candidate.unit if isinstance(candidate.value, int | float) else "",
            "bound": candidate.bound, "qualifiers": conditions, "doc_id": clause.doc_id, "clause_id": clause.clause_id,
            "label": clause.label, "region": record["meta"].get("region", ""),
            "status": record["meta"].get("status", ""), "context": candidate.segment or candidate.sentence,
            "figure": candidate.figure, "kind": candidate.kind, "probability": round(scored.probability, 3),
            "peer": True}


def listed_items(fact: dict) -> list[dict]:
    """A phrase that lists several names (市能源局、巴彦淖尔供电公司) as one fact per name, after the whole: each
    body a rule makes responsible can be read, kept or compared on its own. Nothing for any other fact."""
    value = fact.get("value")
    if fact.get("kind") != "phrase" or not isinstance(value, str) or "、" not in value:
        return []
    items = [item.strip() for item in value.split("、")]
    if len(items) < 2 or any(len(item) < 2 for item in items):
        return []
    return [{**fact, "value": item, "figure": item, "listed_in": value} for item in items]


PREDICATE_MAX = 8  # characters the rule's own verb phrase may add to a body's name: 出租人承担, 用人单位承担举证责任


def agent_forms(fact: dict, scored: Scored, question: Question, vocab: Vocab) -> list[dict]:
    """For a who question, the body as its clause puts it to work and by its own name, after the phrase
    as stated: 所需费用由出租人承担 → 出租人承担 (谁出 is answered by who bears it, unless the question already
    says the verb); 县级以上地方人民政府人事部门 → 人事部门 (the body, at the level the rest names). Nothing for
    any other fact."""
    value = fact.get("value")
    if question.kind != "agent" or fact.get("kind") != "phrase" or not isinstance(value, str) or "、" in value:
        return []
    forms = []
    # its own segment first: the sentence may name the body earlier in another role (用人单位不认为是工伤的，由
    # 用人单位承担举证责任)
    text = next((t for t in (vocab.analysis.normalize(scored.candidate.segment or ""),
                             vocab.analysis.normalize(scored.candidate.sentence or "")) if value in t), "")
    at = text.find(value)
    if at >= 0:
        after = re.split(r"[，,。；;：:、\n（(]", text[at + len(value):])[0]
        # (由哪个部门责令改正 already says 责令改正: the body's own name answers it)
        if 2 <= len(after) <= PREDICATE_MAX and re.fullmatch(r"[\u4e00-\u9fff]+", after) \
                and not after.startswith(vocab.wording.not_a_predicate) and after not in question.norm:
            forms.append(value + after)
    name = body_name(value, vocab)
    if name != value:
        forms.append(name)
    return [{**fact, "value": form, "figure": form, "form_of": value} for form in dict.fromkeys(forms)]


def body_name(value: str, vocab: Vocab) -> str:
    """A body's own name without the level its name opens with (县级或者设区的市级人民政府教育行政部门 →
    教育行政部门, 市公安部门 → 公安部门); ``value`` itself when nothing names a body after the level."""
    w = vocab.wording

    def names_body(rest: str) -> bool:
        return len(rest) >= 2 and any(rest.endswith(head) for head in w.agent_heads)

    cut = max((value.rfind(level) + len(level) for level in w.agent_levels if level in value), default=0)
    if cut and names_body(value[cut:]):
        value = value[cut:]
    words = vocab.analysis.words(value)
    if len(words) > 1 and words[0] in w.agent_level_characters and names_body(value[1:]) and len(value) >= 4:
        value = value[1:]
    return value


def figure_sentence(index: OpenIndex, group: list[Scored], region_standing: dict[str, Standing],
                    vocab: Vocab) -> str:
    """What an agent can read out: the figure that binds and where, with the clause's own words; every
    binding figure when they differ; drafts and rules not in force after them, as what they would set."""
    def binds(s: Scored) -> bool:
        standing = region_standing.get(s.clause.doc_id)
        return standing is None or standing.binding

    def source(s: Scored) -> str:
        return f"《{doc_title(index, s.clause.doc_id)}》{s.clause.label}"

    def part(s: Scored) -> str:
        note = status_note(region_standing.get(s.clause.doc_id), vocab)
        region = index.documents[s.clause.doc_id]["meta"].get("region", "")
        words = _verbatim_segment(s.candidate, s.clause.text)
        words = words if len(words) <= 120 else words[:119] + "…"
        return f"{region}：{s.candidate.figure}{'（' + note + '）' if note else ''}。依据{source(s)}：“{words}”"

    binding = [s for s in group if binds(s)]
    others = [s for s in group if not binds(s)]
    lead = binding or others[:1]
    others = [s for s in others if s not in lead]
    values = {s.candidate.figure for s in lead}
    if len(lead) == 1:
        text = part(lead[0]) + "。"
    elif len(values) == 1:
        text = part(lead[0]) + f"，{len(lead)}份现行文件规定一致：依据{'、'.join(source(s) for s in lead[:3])}。"
    else:
        text = "各现行文件规定不同，均列出：" + "；".join(part(s) for s in lead) + "。"
    if others:
        text += "尚未施行的文件另有规定：" + "；".join(
            f"{index.documents[s.clause.doc_id]['meta'].get('region', '')}{source(s)}"
            f"（{status_note(region_standing.get(s.clause.doc_id), vocab) or '不适用'}）：{s.candidate.figure}"
            for s in others) + "。"
    return text if len(text) <= MAX_ANSWER else text[: MAX_ANSWER - 1] + "…"


def latest_dates(index: OpenIndex, facts: list[dict], start: dt.date | None, vocab: Vocab) -> list[dict]:
    """The latest date under each rule whose figure is a time limit (in a unit ``vocab`` counts to a date),
    counted from ``start``; [] without a start."""
    if start is None:
        return []
    units = TimeUnits.of(vocab)
    out = []
    for fact in facts:
        if fact["unit"] not in units.counted or not isinstance(fact["value"], int | float):
            continue
        entry = {"doc_id": fact["doc_id"], "region": fact["region"], "title": doc_title(index, fact["doc_id"]),
                 "label": fact["label"], "figure": fact["figure"], "start": start.isoformat()}
        try:
            deadline = due_date(start, fact["value"], fact["unit"], units)
            # estimated: counted through a year without a published holiday arrangement (the rule says 估算)
            entry.update({"due": deadline.due.isoformat(), "rule": deadline.rule, "estimated": deadline.estimated})
        except DeadlineError as error:  # a year no calendar covers, or not a countable limit
            entry["error"] = str(error)
        out.append(entry)
    return out
