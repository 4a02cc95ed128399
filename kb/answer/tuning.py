"""``make tune``: fit the answer model's weights and choose its threshold, on the public question sets.

1. Every question set (``../shared/eval/dev.jsonl``, ``dev2.jsonl``, ``tests/questions/*.jsonl``) is asked
   over a temporary copy of the corpus with every ``source`` document imported (``kb.evaluation.question_sets``).
2. For each question the engine reads its top clauses as it does when answering; every candidate gets
   its feature vector and a label: would stating it answer the question (its figure is one of the
   expected ones, and its clause holds a cited snippet)?
3. A logistic regression (scikit-learn, a tuning-time extra) is fit on the labelled candidates.
4. Cross-validation holds out whole documents: the model is fit without a document's questions and
   scores them. On those held-out scores the threshold is chosen — the lowest at which the share of
   value questions answered with a wrong figure stays at or under ``WRONG_TARGET`` — and the per-document
   table is the estimate of the score on documents nobody tuned for.
5. The final model is fit on everything and written to ``kb/data/answer_model.json`` with the report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.analysis.comparison import fact_figure, figure_key, holds
from kb.answer.compose import Answerer
from kb.answer.features import FEATURES, admissible
from kb.answer.model import MODEL_FILE, AnswerModel, calibration_inputs
from kb.evaluation.question_sets import asked_corpus, load_sets, shared_root
from kb.evaluation.score import score
from kb.index.generation import OpenIndex

ROOT = Path(__file__).resolve().parents[2]
WRONG_TARGET = 0.03  # held-out wrong figures at most (the product's bound)
NONE_TARGET = 0.04  # held-out none questions answered with a figure at most
REGULARISATION = 0.03  # chosen by document-held-out top-1 accuracy (1 → 0.01 tried)
PAIRS_PER_RIGHT = 30
CALIBRATION_REGULARISATION = 0.1
LONE_LEAD = 5.0  # the lead of a best candidate that has no rival at all
ON = dt.date(2026, 12, 1)


@dataclass
class Asked:
    """One question as the tuning sees it: its record, its document group and its labelled candidates."""

    record: dict
    group: str
    vectors: list[list[float]] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    question: Any = None  # the question as the engine read it (a Question), for ``admissible``
    figures: list[str] = field(default_factory=list)
    figures_right: list[bool] = field(default_factory=list)  # the figure is right, wherever it was read
    families: list[str] = field(default_factory=list)  # each candidate's unit family
    routed: str = ""  # value | other (passage, definition, status, nothing found)


def _answering(index: OpenIndex, reference: Answerer) -> Answering:
    """Ask a question with a ranker that states its best admissible figure whatever its confidence."""
    engines: dict[int, Answerer] = {}

    def answer(model: AnswerModel, record: dict) -> dict:
        engine = engines.get(id(model))
        if engine is None:
            stating = AnswerModel(model.features, model.weights, model.intercept, -1.0, model.mean, model.scale)
            engine = engines[id(model)] = Answerer(model=stating, use_lexicon=reference.use_lexicon)
        return engine.ask(index, record["q"], on=ON).to_dict()

    return answer


def default_sets() -> list[Path]:
    shared = ROOT.parent / "shared" / "eval"
    return [p for p in (shared / "dev.jsonl", shared / "dev2.jsonl") if p.exists()] + sorted(
        (ROOT / "tests" / "questions").glob("*.jsonl"))


def figure_right(record: dict, candidate) -> bool:
    """Whether the candidate's figure is an expected one, wherever it was read (see ``label``)."""
    expect = record.get("expect") or []
    unit = candidate.unit if isinstance(candidate.value, int | float) else ""
    keys = {figure_key(e) for e in expect}
    figure = figure_key(candidate.figure)
    return figure_key(fact_figure({"value": candidate.fact_value, "unit": unit})) in keys or any(
        holds(candidate.figure, e) or (figure and figure_key(e).startswith(figure) and holds(candidate.segment, e))
        for e in expect)


def label(record: dict, candidate, clause_text: str, title: str) -> int:
    """1 when stating this candidate answers the question: its figure is an expected one (the value and
    unit, as the eval reads facts, or the figure as written holding an expected string, or an expected
    string its own segment states around it: 5万元 of 可以处五万元以下的罚款 for 五万元以下), and its
    clause holds a cited snippet (in a document whose title holds ``doc`` when the record names one)."""
    right = figure_right(record, candidate)
    cited = any(holds(clause_text, c) for c in record.get("cite") or [])
    doc = record.get("doc")
    return int(right and cited and (doc is None or holds(title, doc)))


def _group(record: dict, index: OpenIndex, imported: dict[str, str]) -> str:
    """The document a question is about: its source, or the corpus document holding a cited snippet."""
    source = record.get("source")
    if source and source != "corpus":
        return imported.get(source, source)
    for snippet in record.get("cite") or []:
        for doc_id, documented in index.documents.items():
            if holds(documented["body"], snippet):
                return doc_id
    return "corpus:unknown"


def _prefer_whole_ranges(item: Asked, question, candidates) -> None:
    """An end of a range (50万元 of 5万元以上50万元以下) often is an expected figure too, but a question that
    asks neither 最高 nor 最低 is answered by the whole range: where the whole is right, its ends are not
    labelled right as well, so the ranker learns to state ranges whole."""
    if question.range_end:
        return
    whole = {(id(context), c.start) for (c, context), y in zip(candidates, item.labels, strict=True)
             if y and c.kind == "range"}
    for n, (c, context) in enumerate(candidates):
        if c.kind in ("range_top", "range_bottom") and any(key[0] == id(context) for key in whole):
            item.labels[n] = 0


def collect(records: list[dict], index: OpenIndex, imported: dict[str, str], answerer: Answerer) -> list[Asked]:
    asked: list[Asked] = []
    for record in records:
        item = Asked(record, _group(record, index, imported))
        prepared = answerer.prepare(index, record["q"], on=ON)
        if prepared.contexts:
            item.routed = "value"
            item.question = prepared.question
            candidates = []
            for candidate, context, features in answerer.vectors(prepared.question, prepared.contexts):
                candidates.append((candidate, context))
                text, _label = index.clause_text(context.doc_id, context.clause_id)
                item.vectors.append(features)
                item.figures.append(answerer.wording.plain(candidate.figure))
                item.families.append(candidate.family)
                documented = index.documents[context.doc_id]
                # the title as a citation shows it: with its 文号 (the eval's `doc` may name either)
                title = documented["title"] + (documented["meta"].get("doc_number") or "")
                item.labels.append(label(record, candidate, text, title) if record["kind"] == "value" else 0)
                item.figures_right.append(record["kind"] == "value" and figure_right(record, candidate))
            _prefer_whole_ranges(item, prepared.question, candidates)
        else:
            item.routed = "other"
        asked.append(item)
    return asked


def fit(asked: list[Asked], regularisation: float = REGULARISATION, seed: int = 0) -> AnswerModel:
    """A pairwise ranker: logistic regression on the differences between each question's right candidates
    and (a sample of) its wrong ones, over standardised features, so that a question's right figure
    scores above the others of the same question (a RankNet-style objective, linear)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.array([v for a in asked for v in a.vectors], dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    rng = np.random.default_rng(seed)
    differences, labels = [], []
    for item in asked:
        if not item.vectors or not any(item.labels) or all(item.labels):
            continue
        z = (np.array(item.vectors, dtype=float) - mean) / scale
        y = np.array(item.labels)
        wrong = np.where(y == 0)[0]
        for right in np.where(y == 1)[0]:
            sample = wrong if len(wrong) <= PAIRS_PER_RIGHT else rng.choice(wrong, PAIRS_PER_RIGHT, replace=False)
            for other in sample:
                differences += [z[right] - z[other], z[other] - z[right]]
                labels += [1, 0]
    ranker = LogisticRegression(C=regularisation, max_iter=5000, fit_intercept=False)
    ranker.fit(np.array(differences), np.array(labels))
    return AnswerModel(list(FEATURES), [float(w) for w in ranker.coef_[0]], 0.0, 0.5,
                       [float(m) for m in mean], [float(s) for s in scale])


@dataclass
class Outcome:
    qid: str
    group: str
    kind: str
    standing: dict  # what the calibration reads of the top candidate ({} when there is none)
    right: bool  # the top candidate answers it (its figure, from a cited clause)
    has_candidates: bool
    figure_right: bool = False  # its figure is right, whatever clause it came from
    admissible: bool = True  # it may be stated at all (kb.answer.features.admissible)
    probability: float = 0.0
    fixed: bool = False  # answered whatever the threshold (a passage, a status: no figure is weighed)


def _outcomes(model: AnswerModel, asked: list[Asked]) -> list[Outcome]:
    out = []
    for item in asked:
        if not item.vectors:
            out.append(Outcome(item.record["id"], item.group, item.record["kind"], {}, False, False))
            continue
        scores = [model.score(v) for v in item.vectors]
        top, standing = calibration_inputs(scores, item.figures, item.vectors, LONE_LEAD)
        out.append(Outcome(item.record["id"], item.group, item.record["kind"], standing, bool(item.labels[top]),
                           True, item.figures_right[top], admissible=admissible(
                               item.question, item.vectors[top],
                               [v for n, v in enumerate(item.vectors) if n != top
                                and item.families[n] == item.families[top]])))
    return out


def fit_calibration(outcomes: list[Outcome]) -> dict:
    """The probability that the top candidate is right, from what ``calibration_inputs`` reads of it
    (on held-out outcomes: the ranker never saw these questions)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rows = [o for o in outcomes if o.has_candidates and o.admissible]
    names = list(rows[0].standing) if rows else []
    x = np.array([[o.standing[n] for n in names] for o in rows], dtype=float)
    y = np.array([int(o.figure_right) for o in rows])
    if len(set(y)) < 2:
        return {}
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    calibrator = LogisticRegression(C=CALIBRATION_REGULARISATION, max_iter=5000).fit((x - mean) / scale, y)
    return {"features": names, "weights": [float(w) for w in calibrator.coef_[0]],
            "intercept": float(calibrator.intercept_[0]), "mean": [float(m) for m in mean],
            "scale": [float(s) for s in scale]}


def _apply(calibration: dict, outcomes: list[Outcome]) -> None:
    model = AnswerModel([], [], 0.0, 0.0, [], [], calibration=calibration)
    for o in outcomes:
        if o.fixed:
            o.probability = 1.0
        else:
            o.probability = model.confidence(o.standing) if o.has_candidates and o.admissible else 0.0


def rates(outcomes: list[Outcome], threshold: float) -> dict:
    """Precise (the figure stated is right and cited), wrong (a figure stated that is not the answer) among
    value questions, and none questions answered with a figure, at a threshold."""
    values = [o for o in outcomes if o.kind == "value"]
    nones = [o for o in outcomes if o.kind == "none"]
    right = sum(1 for o in values if o.probability >= threshold and o.right)
    # a wrong figure is a figure stated that is not the answer (the right figure read from another clause
    # than the one cited is imprecise, not wrong)
    wrong = sum(1 for o in values if o.probability >= threshold and not o.figure_right)
    stated_none = sum(1 for o in nones if o.probability >= threshold)
    total = len(values) or 1
    return {"value": len(values), "precise": right, "wrong": wrong, "precise_rate": round(right / total, 3),
            "wrong_rate": round(wrong / total, 3), "none": len(nones), "none_stated": stated_none}


def choose_threshold(outcomes: list[Outcome], target: float = WRONG_TARGET) -> float:
    """The lowest threshold at which held-out wrong figures stay at or under ``target`` and none questions
    answered with a figure at or under ``NONE_TARGET``."""
    for threshold in sorted({round(o.probability, 4) for o in outcomes if o.has_candidates} | {0.5, 0.99}):
        r = rates(outcomes, threshold)
        if r["wrong_rate"] <= target and r["none_stated"] <= NONE_TARGET * max(1, r["none"]):
            return threshold
    return 1.0


Answering = Callable[[AnswerModel, dict], dict]


def _as_answered(outcomes: list[Outcome], asked: list[Asked], model: AnswerModel, answering: Answering) -> None:
    """Score each question as ``kb eval`` scores the product's answer when the model states its best figure:
    the figure stated with the documents beside it, the gates and the routes it takes (a passage, a status).
    A question then counts as precise or wrong by the eval's own rules, not by the best candidate alone."""
    by_id = {item.record["id"]: item for item in asked}
    for o in outcomes:
        record = by_id[o.qid].record
        answer = answering(model, record)
        result = score(record, answer)
        routed_elsewhere = answer.get("kind") in ("passage", "definition", "status")
        o.admissible = o.admissible and answer.get("kind") in ("figure", "phrase") or routed_elsewhere
        o.right = result.precise
        o.figure_right = not result.wrong
        if routed_elsewhere:
            o.has_candidates, o.standing = False, {}
            o.fixed = answer.get("found", False)


def cross_validate(asked: list[Asked], regularisation: float = REGULARISATION,
                   answering: Answering | None = None) -> list[Outcome]:
    """Each document's questions ranked by a model fit without them, and their confidence calibrated by a
    calibration fit on the other documents' held-out outcomes (so no question is scored by a model or a
    calibration that saw it). With ``answering``, each question is scored as the product answers it."""
    groups = sorted({a.group for a in asked})
    outcomes: list[Outcome] = []
    for group in groups:
        train = [a for a in asked if a.group != group]
        if not any(y for a in train for y in a.labels):
            continue
        model = fit(train, regularisation)
        held = [a for a in asked if a.group == group]
        fold = _outcomes(model, held)
        if answering is not None:
            _as_answered(fold, held, model, answering)
        outcomes += fold
    for group in groups:
        _apply(fit_calibration([o for o in outcomes if o.group != group]), [o for o in outcomes if o.group == group])
    return outcomes


def per_group(outcomes: list[Outcome], threshold: float) -> dict[str, dict]:
    by: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by[o.group].append(o)
    return {g: rates(os_, threshold) for g, os_ in sorted(by.items())}


def markdown_report(model: AnswerModel, asked: list[Asked], imported: dict[str, str]) -> str:
    """The model's report as the docs show it: held-out figures per document and the largest weights."""
    report = model.report
    titles = {doc_id: source.rsplit("/", 1)[-1].removesuffix(".md") for source, doc_id in imported.items()}
    sets = defaultdict(set)
    for item in asked:
        sets[item.group].add(item.record["set"])
    lines = [
        "# The answer model: what cross-validation says", "",
        f"Written by `make tune` on {report['fitted']} from {', '.join(report['sets'])} "
        f"({report['questions']} questions, {report['value_questions']} asking a value; the right figure was among "
        f"the candidates for {report['reachable']}). Each document's questions are scored by a model fit "
        "without them (`kb/answer/tuning.py`); the threshold is chosen on those held-out scores so that wrong "
        f"figures stay at or under {WRONG_TARGET:.0%}: **{model.threshold:.3f}**.", "",
        f"Held out, all documents: **{report['held_out']['precise']}/{report['held_out']['value']} precise "
        f"({report['held_out']['precise_rate']:.1%}), {report['held_out']['wrong']} wrong figures "
        f"({report['held_out']['wrong_rate']:.1%})**, {report['held_out']['none_stated']}/"
        f"{report['held_out']['none']} none questions answered with a figure; the best candidate was right for "
        f"{report['held_out_top1_right']}. In sample: {report['in_sample']['precise']} precise, "
        f"{report['in_sample']['wrong']} wrong.", "",
        "| document | sets | value questions | precise (held out) | wrong | none asked | none stated |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for group, r in report["held_out_by_document"].items():
        name = titles.get(group, "corpus " + group if group[:1].isdigit() else group)
        lines.append(f"| {group} {name} | {', '.join(sorted(sets.get(group, {'dev'})))} | {r['value']} | "
                     f"{r['precise']} | {r['wrong']} | {r['none']} | {r['none_stated']} |")
    lines += ["", "Largest weights of the ranker (standardised features):", ""]
    lines += [f"- `{name}` {weight:+.3f}" for name, weight in report["largest_weights"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kb.answer.tuning", description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, help="question sets (default: the public ones)")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument("--no-lexicon", action="store_true", help="fit with the domain lexicon's features off")
    parser.add_argument("--regularisation", type=float, default=REGULARISATION)
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "answer-model.md",
                        help="where the cross-validation table is written (Markdown)")
    args = parser.parse_args(argv)
    paths = args.sets or default_sets()
    records = load_sets(paths)
    root = shared_root(paths[0])
    with tempfile.TemporaryDirectory() as workdir:
        return _tune(args, paths, records, root, Path(workdir))


def _tune(args: argparse.Namespace, paths: list[Path], records: list[dict], root: Path | None, workdir: Path) -> int:
    asked_in = asked_corpus(records, args.corpus, workdir, root)
    for problem in asked_in.problems:
        print(f"tune: {problem}", file=sys.stderr)
    index = OpenIndex(asked_in.index)
    answerer = Answerer(model=None, use_lexicon=not args.no_lexicon)
    asked = collect(records, index, asked_in.imported, answerer)
    reachable = sum(1 for a in asked if a.record["kind"] == "value" and any(a.labels))
    values = sum(1 for a in asked if a.record["kind"] == "value")
    print(f"tune: {len(records)} questions from {len(paths)} sets; {values} value questions, {reachable} with the "
          f"right figure among the candidates; {sum(len(a.vectors) for a in asked)} candidates", file=sys.stderr)
    answering = _answering(index, answerer)
    outcomes = cross_validate(asked, args.regularisation, answering)
    threshold = choose_threshold(outcomes)
    held_out = rates(outcomes, threshold)
    model = fit(asked, args.regularisation)
    model.calibration = fit_calibration(outcomes)
    model.threshold = threshold
    in_sample = _outcomes(model, asked)
    _as_answered(in_sample, asked, model, answering)
    _apply(model.calibration, in_sample)
    model.report = {
        "fitted": dt.date.today().isoformat(), "sets": [p.name for p in paths], "lexicon": not args.no_lexicon,
        "questions": len(records), "value_questions": values, "reachable": reachable,
        "held_out": held_out, "held_out_top1_right": sum(o.right for o in outcomes if o.kind == "value"),
        "held_out_by_document": per_group(outcomes, threshold),
        "in_sample": rates(in_sample, threshold),
        "largest_weights": model.largest_weights(),
    }
    model.save(args.out)
    if args.report:
        args.report.write_text(markdown_report(model, asked, asked_in.imported), encoding="utf-8")
    print(json.dumps({k: model.report[k] for k in ("held_out", "in_sample", "largest_weights")}, ensure_ascii=False,
                     indent=1))
    print(f"tune: threshold {threshold:.3f}; model written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
