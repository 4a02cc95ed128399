"""Question → the figure, its scope and the clause it comes from, and the rules that apply.

The answer is built only from facts extracted from the corpus and from clauses: every figure in
it is read from a fact, every fact points at its clause, and the clause is cited verbatim.
Where binding documents state different figures for the same thing, the answer says so and lists
each with its region, status and citation — it never silently picks one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from kb.deadlines import DeadlineUnknown, due_date, parse_start
from kb.index import OpenIndex
from kb.lexicon import lexicon
from kb.question import Question, understand
from kb.rules import Anywhere, Standing, for_region, ordered, standings_anywhere
from kb.search import named_documents, search
from kb.text import normalize, segment
from kb.vocab import vocab

MAX_ANSWER = 400
CANDIDATE_HITS = 30
SHOWN_HITS = 10
MAX_CITATIONS = 5
MIN_FACT_SCORE = 4.0
PEER_MARGIN = 3.0  # facts this close to the best one, about the same thing, are shown beside it
MIN_COVERAGE = 0.6  # share of a question's words a clause must hold to answer it as a passage
BOUND_PHRASES = {"不超过": "不超过{}", "以内": "{}以内", "以下": "{}及以下", "以上": "{}以上", "至": "为{}", "": "为{}"}


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

    def to_dict(self) -> dict:
        return asdict(self)


def _documents_meta(index: OpenIndex) -> dict[str, dict]:
    return {doc_id: {**record["meta"], "title": record["title"]} for doc_id, record in index.documents.items()}


class _StandingCache:
    """Standings depend only on the index generation, the region and the date; the region-free pass over
    every document is kept per generation and date, so a region not asked about before costs a walk."""

    def __init__(self) -> None:
        self._anywhere: dict[tuple, Anywhere] = {}
        self._cache: dict[tuple, dict[str, Standing]] = {}

    def get(self, index: OpenIndex, region: str | None, on: dt.date) -> dict[str, Standing]:
        generation = (index.manifest.get("fingerprint"), index.manifest.get("built_at"))
        key = (*generation, region, on)
        if key not in self._cache:
            anywhere = self._anywhere.get((*generation, on))
            if anywhere is None:
                if len(self._anywhere) > 8:
                    self._anywhere.clear()
                anywhere = self._anywhere[(*generation, on)] = standings_anywhere(_documents_meta(index), on)
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[key] = for_region(anywhere, region)
        return self._cache[key]


_standings = _StandingCache()


def _warm(index: OpenIndex) -> None:
    """Today's standings with no region asked: the first pass over every document's dates and references,
    whose parsing is then cached for any other region."""
    _standings.get(index, None, dt.date.today())


OpenIndex.WARMERS.append(_warm)


@lru_cache(maxsize=4096)  # a fact's context is scored against every question that finds it
def _bigrams(text: str) -> frozenset[str]:
    compact = normalize(text).replace(" ", "")
    return frozenset(compact[i:i + 2] for i in range(len(compact) - 1))


def _subject_score(question: Question, subject: str) -> float:
    if not question.subjects:
        return 0.0
    lex = lexicon()
    best = -3.0
    for rank, wanted in enumerate(question.subjects[:2]):
        weight = 1.0 if rank == 0 else 0.6
        if subject == wanted:
            score = 4.0
        elif subject and subject in lex.broader(wanted):
            score = 2.0  # a rule for the broader type covers the asked one
        elif subject and wanted in lex.broader(subject):
            score = 1.0
        elif not subject:
            score = 0.5
        else:
            score = -3.0
        best = max(best, score * weight if score > 0 else score)
    return best


def _item_score(question: Question, item: str) -> float:
    if not question.items:
        return 0.0
    lex = lexicon()
    for rank, wanted in enumerate(question.items[:3]):
        if item == wanted:
            return 4.0 - rank
    if any(item in lex.related_items(wanted) for wanted in question.items[:2]):
        return 2.0
    return 0.0 if not item else -2.0


def _unit_score(question: Question, fact: dict) -> float:
    unit = fact["unit"] or _implicit_unit(fact["value"])
    if question.wants_unit:
        return 3.0 if unit == question.wants_unit else -2.5
    wanted_units = {u for item in question.items[:1] for u in lexicon().item_units(item)}
    if wanted_units and unit not in wanted_units:
        return -1.5
    return 0.0


def _implicit_unit(value) -> str:
    if isinstance(value, str) and "年" in value and "日" in value:
        return "日期"
    if isinstance(value, int) and 1900 <= value <= 2100:
        return "年"
    return ""


def _qualifier_score(question: Question, fact: dict) -> float:
    lex = lexicon()
    score = 0.0
    for wanted in question.qualifiers:
        if wanted in fact["qualifiers"]:
            score += 2.0
        elif any(lex.contradicts(wanted, q) for q in fact["qualifiers"]):
            score -= 5.0
    # A target stated as an average or a best case (平均, 最优, 力争) answers a plain question less well.
    score -= sum(1.0 for q in _conditions(fact) if q not in question.qualifiers and not any(
        lex.contradicts(q, other) for other in lex.qualifier_entries))
    return score


def _score(question: Question, fact: dict, rank: int | None, standing: Standing | None) -> float:
    subject = _subject_score(question, fact["subject"])
    item = _item_score(question, fact["item"])
    if subject < 0 or item < 0:
        return float("-inf")
    score = subject + item + _unit_score(question, fact) + _qualifier_score(question, fact)
    if rank is not None:
        score += 3.0 * (1 - rank / CANDIDATE_HITS)
    question_grams = _bigrams(question.norm)
    if question_grams:
        score += 2.0 * len(question_grams & _bigrams(fact["context"])) / len(question_grams)
    if standing is not None:
        score += 1.0 if standing.binding else (-0.5 if standing.effective_status == "征求意见稿" else -2.0)
    return score


def _candidates(index: OpenIndex, question: Question, hits, region_standing: dict[str, Standing]):
    named, _rest = named_documents(question.text, index.title_keys)
    ranks = {f"{h.doc_id}#{h.clause}": rank for rank, h in enumerate(hits)}
    keys = list(ranks)
    wanted_items = set(question.items[:2]) | {r for i in question.items[:1] for r in lexicon().related_items(i)}
    for item in wanted_items:
        keys += [f"{f['doc_id']}#{f['clause']}" for f in index.facts_by_item.get(item, [])]
    seen = set()
    for key in keys:
        for fact in index.facts_by_clause.get(key, []):
            identity = id(fact)
            if identity in seen:
                continue
            seen.add(identity)
            standing = region_standing.get(fact["doc_id"])
            if (standing is not None and not standing.applies_here) or (named and fact["doc_id"] not in named):
                continue
            yield fact, ranks.get(key), standing


def _conditions(fact: dict) -> set[str]:
    """The qualifiers that change what a figure means (有/无外线工程, 平均, 最优 …), not dates."""
    return set(fact["qualifiers"]) & set(lexicon().qualifier_entries)


def _same_thing(a: dict, b: dict) -> bool:
    return (a["subject"], a["item"], a["unit"]) == (b["subject"], b["item"], b["unit"]) and \
        _conditions(a) == _conditions(b)


def _status_note(standing: Standing | None) -> str:
    if standing is None:
        return ""
    if standing.effective_status == "征求意见稿":
        return "征求意见稿，尚未施行"
    if not standing.in_force:
        return standing.effective_status
    return ""


def _doc_title(index: OpenIndex, doc_id: str) -> str:
    record = index.documents[doc_id]
    number = record["meta"].get("doc_number") or ""
    return f"{record['title']}（{number}）" if number and number not in record["title"] else record["title"]


def _phrase(fact: dict) -> str:
    figure = lexicon().render(fact["value"], fact["unit"])
    if not fact["item"] and fact.get("context"):
        # What the figure measures has no name in the lexicon: the text's own words say it.
        return f"{fact['context']}（{figure}）"
    qualifiers = [q for q in fact["qualifiers"] if not q.startswith("第")]
    scope = f"（{'、'.join(qualifiers)}）" if qualifiers else ""
    return f"{fact['subject']}{fact['item']}{scope}{BOUND_PHRASES.get(fact['bound'], '为{}').format(figure)}"


def _sentence(index: OpenIndex, group: list[dict], standing_of) -> str:
    first = group[0]
    values = {lexicon().render(f["value"], f["unit"]) for f in group}
    if len(values) == 1:
        places = "、".join(dict.fromkeys(f["region"] for f in group))
        if len(group) == 1:
            note = _status_note(standing_of(first["doc_id"]))
            text = (f"{places}：{_phrase(first)}{'（' + note + '）' if note else ''}。"
                    f"依据《{_doc_title(index, first['doc_id'])}》{first['label']}。")
        else:
            sources = []
            for fact in group[:3]:
                note = _status_note(standing_of(fact["doc_id"]))
                status = f"（{note}）" if note else ""
                sources.append(f"《{_doc_title(index, fact['doc_id'])}》{fact['label']}{status}")
            text = f"{places}：{_phrase(first)}，{len(group)}份文件规定一致。依据{'、'.join(sources)}。"
    else:
        parts = []
        for fact in group:
            note = _status_note(standing_of(fact["doc_id"]))
            parts.append(f"{fact['region']}《{_doc_title(index, fact['doc_id'])}》{fact['label']}："
                         f"{_phrase(fact)}{'（' + note + '）' if note else ''}")
        text = "各文件规定不同，均列出：" + "；".join(parts) + "。"
    if len(text) > MAX_ANSWER:
        text = text[: MAX_ANSWER - 1] + "…"
    return text


def _citation(index: OpenIndex, doc_id: str, clause_id: str, text: str, label: str) -> dict:
    record = index.documents[doc_id]
    return {"doc_id": doc_id, "title": _doc_title(index, doc_id), "region": record["meta"].get("region", ""),
            "status": record["meta"].get("status", ""), "clause": label, "clause_id": clause_id, "text": text,
            "url": f"/doc/{doc_id}#{clause_id}"}


def _clause_text(index: OpenIndex, doc_id: str, clause_id: str, hits) -> tuple[str, str]:
    for hit in hits:
        if hit.doc_id == doc_id and hit.clause == clause_id:
            return hit.text, hit.label
    return index.clause_text(doc_id, clause_id)


def _coverage(question: Question, text: str) -> float:
    """Share of the question's own words (not its region, not stop words) that the text holds."""
    stop = vocab().stopwords
    region_words = {p.text for r in vocab().regions_named_in(question.norm) for n in vocab().regions[r].names
                    for p in segment(n, subwords=False)}
    words = {p.text for p in segment(question.text, subwords=False)} - stop - region_words
    words = {w for w in words if any(c.isalnum() for c in w)}
    if not words:
        return 0.0
    haystack = normalize(text)
    return sum(1 for w in words if w in haystack) / len(words)


def ask(index: OpenIndex, text: str, region: str | None = None, on: dt.date | None = None,
        start: dt.date | None = None) -> Answer:
    """Answer a question from the corpus; ``region`` and ``on`` decide which rules bind.

    ``start`` (or a date in the question, such as 11月3日申请) is when the customer applied: a
    figure counted in 工作日, 日 or 小时 then also gives the latest date under each rule.
    """
    question = understand(text or "")
    if region:
        canonical = vocab().canonical_region(region)
        if canonical is None:
            raise ValueError(f"未知地区“{region}”。可选：{'、'.join(vocab().regions)}")
        region = canonical
    region = region or question.region
    on = on or dt.date.today()
    region_standing = _standings.get(index, region, on)
    result = search(index, text or "", region=region, limit=CANDIDATE_HITS, highlighted=SHOWN_HITS)
    hits = result.hits
    answer = Answer(question=text, found=False, answer="", understood={**question.to_dict(), "region": region,
                                                                        "on": on.isoformat()})
    answer.hits = [{**h.to_dict(), "clause": h.label, "clause_id": h.clause} for h in hits[:SHOWN_HITS]]

    def standing_of(doc_id: str) -> Standing | None:
        return region_standing.get(doc_id)

    scored = []
    if question.asks_figure or question.items or question.subjects:
        scored = sorted(((score, fact) for fact, rank, standing in _candidates(index, question, hits, region_standing)
                         if (score := _score(question, fact, rank, standing)) > MIN_FACT_SCORE),
                        key=lambda pair: -pair[0])
    citations: list[dict] = []
    if scored:
        best_score, best = scored[0]
        group = [best] + [f for s, f in scored[1:] if s >= best_score - PEER_MARGIN and _same_thing(best, f)
                          and f["doc_id"] != best["doc_id"]]
        group = list({(f["doc_id"], str(f["value"])): f for f in group}.values())[:4]
        if region:
            group = _by_authority(group, region_standing)  # the city's own rule first, then the higher levels
        above = _higher_levels(scored, group, region, region_standing) if region else []
        others = [f for _, f in scored if all(f is not g for g in group + above)][: max(0, 5 - len(group) - len(above))]
        answer.facts = [_public_fact(f) for f in group + above + others]
        answer.found = True
        answer.figure = " / ".join(dict.fromkeys(lexicon().render(f["value"], f["unit"]) for f in group))
        answer.answer = _sentence(index, group, standing_of)
        answer.deadlines = _deadlines(index, group + above, start or parse_start(text or "", on))
        if above:
            extra = "；".join(f"{f['region']}《{_doc_title(index, f['doc_id'])}》{f['label']}：{_phrase(f)}"
                              f"{'（' + n + '）' if (n := _status_note(standing_of(f['doc_id']))) else ''}"
                              for f in above)
            answer.answer = (answer.answer + "上级文件同时规定：" + extra + "。")[:MAX_ANSWER]
        due = "；".join(dict.fromkeys(f"按{d['region']}规定最迟{d['due']}{'（估算）' if d.get('estimated') else ''}"
                                      for d in answer.deadlines if d.get("due")))
        if due and len(answer.answer) + len(due) + 12 <= MAX_ANSWER:
            answer.answer += f"自{answer.deadlines[0]['start']}起算，{due}。"
        for fact in group + above + others:
            text_, label = _clause_text(index, fact["doc_id"], fact["clause"], hits)
            citations.append(_citation(index, fact["doc_id"], fact["clause"], text_, label))
        involved = [f["doc_id"] for f in group]
    elif hits and _coverage(question, hits[0].text + hits[0].heading + hits[0].title) >= MIN_COVERAGE:
        top = hits[0]
        answer.found = True
        excerpt = top.text if len(top.text) <= 300 else top.text[:300] + "…"
        answer.answer = f"《{_doc_title(index, top.doc_id)}》{top.label}：{excerpt}"[:MAX_ANSWER]
        involved = [top.doc_id]
    else:
        involved = []
    if answer.found:
        for hit in hits[:MAX_CITATIONS]:
            citations.append(_citation(index, hit.doc_id, hit.clause, hit.text, hit.label))
        answer.citations = list({c["url"]: c for c in citations}.values())[:MAX_CITATIONS]
        figures = {f["doc_id"]: f for f in reversed(answer.facts)}
        answer.applicable = [{**s.to_dict(), **({"figure": lexicon().render(figures[s.doc_id]["value"],
                                                                                figures[s.doc_id]["unit"]),
                                                  "clause": figures[s.doc_id]["label"]} if s.doc_id in figures else {})}
                             for s in ordered(region_standing[d] for d in dict.fromkeys(
                                 involved + [c["doc_id"] for c in answer.citations]) if d in region_standing)]
    return answer


def _higher_levels(scored, group: list[dict], region: str, region_standing: dict[str, Standing]) -> list[dict]:
    """Rules of the levels above the asked region on the same subject and item, best one per document:
    a city's own target and the region's maximum both bind, so both are shown."""
    lex = lexicon()
    best = group[0]
    level_of_best = region_standing[best["doc_id"]].level if best["doc_id"] in region_standing else 0
    chosen: dict[str, dict] = {}
    for _score, fact in scored:
        standing = region_standing.get(fact["doc_id"])
        if standing is None or standing.level >= level_of_best or fact["doc_id"] in chosen:
            continue
        if any(fact["doc_id"] == g["doc_id"] for g in group) or standing.effective_status in ("已废止", "已失效"):
            continue
        same_subject = fact["subject"] == best["subject"] or fact["subject"] in lex.broader(best["subject"])
        same_item = fact["item"] == best["item"] or fact["item"] in lex.related_items(best["item"])
        if same_subject and same_item and fact["unit"] == best["unit"]:
            chosen[fact["doc_id"]] = fact
    return list(chosen.values())[:2]


TIME_UNITS = {"工作日", "日", "天", "小时"}


def _deadlines(index: OpenIndex, facts: list[dict], start: dt.date | None) -> list[dict]:
    """The latest date under each rule whose figure is a time limit, counted from ``start``."""
    if start is None:
        return []
    out = []
    for fact in facts:
        if fact["unit"] not in TIME_UNITS or not isinstance(fact["value"], int | float):
            continue
        entry = {"doc_id": fact["doc_id"], "region": fact["region"], "title": _doc_title(index, fact["doc_id"]),
                 "clause": fact["label"], "figure": lexicon().render(fact["value"], fact["unit"]),
                 "start": start.isoformat()}
        try:
            deadline = due_date(start, fact["value"], fact["unit"])
            # estimated: counted through a year without a published holiday arrangement (the rule says 估算)
            entry.update({"due": deadline.due.isoformat(), "rule": deadline.rule, "estimated": deadline.estimated})
        except (DeadlineUnknown, ValueError) as error:  # a year no calendar covers, or not a countable limit
            entry["error"] = str(error)
        out.append(entry)
    return out


def _by_authority(group: list[dict], region_standing: dict[str, Standing]) -> list[dict]:
    # The order of authority is total (ties break by doc id), so ordering the group's own documents gives
    # their order among all documents.
    mine = {f["doc_id"] for f in group}
    order = {s.doc_id: n for n, s in enumerate(ordered(region_standing[d] for d in mine if d in region_standing))}
    return sorted(group, key=lambda f: order.get(f["doc_id"], len(order)))


def _public_fact(fact: dict) -> dict:
    keys = ("subject", "item", "value", "unit", "bound", "qualifiers", "doc_id", "clause", "label", "region",
            "status", "context")
    return {**{k: fact.get(k) for k in keys}, "figure": lexicon().render(fact["value"], fact["unit"])}
