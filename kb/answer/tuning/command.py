"""The ``make tune`` command: collect, cross-validate, choose the threshold, fit on everything, write the
model file and the report (``docs/answer-model.md``)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import kb.answer.tuning
from kb.answer.compose import Answerer
from kb.answer.model import MODEL_FILE, AnswerModel
from kb.answer.tuning.fitting import (
    CALIBRATION_GRID,
    REGULARISATION,
    WRONG_TARGET,
    answering_with,
    apply_calibration,
    choose_calibration,
    choose_threshold,
    cross_validate,
    fit,
    fit_calibration,
    per_group,
    rank_outcomes,
    rates,
    score_as_answered,
)
from kb.answer.tuning.labels import ROOT, Asked, collect, default_sets
from kb.evaluation.question_sets import asked_corpus, load_sets, shared_root
from kb.index.generation import OpenIndex


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
        "without them (`kb/answer/tuning/`); the threshold is chosen on those held-out scores so that wrong "
        f"figures stay at or under {WRONG_TARGET:.1%} (the product's bound is 3%; see `WRONG_TARGET`): "
        f"**{model.threshold:.3f}**. The calibration's "
        f"regularisation, chosen the same way among {', '.join(map(str, CALIBRATION_GRID))}: "
        f"{model.calibration.get('regularisation', '—')}.", "",
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
    """``make tune`` with the arguments ``argv`` (default: the command line); 0 once the model is written."""
    parser = argparse.ArgumentParser(prog="python -m kb.answer.tuning",
                                     description=(kb.answer.tuning.__doc__ or "").splitlines()[0])
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
    answering = answering_with(index, answerer)
    outcomes = cross_validate(asked, args.regularisation, answering)
    threshold = choose_threshold(outcomes)
    held_out = rates(outcomes, threshold)
    model = fit(asked, args.regularisation)
    model.calibration = fit_calibration(outcomes, choose_calibration(outcomes))
    model.threshold = threshold
    in_sample = rank_outcomes(model, asked)
    score_as_answered(in_sample, asked, model, answering)
    apply_calibration(model.calibration, in_sample)
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
