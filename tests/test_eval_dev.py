"""The development question set, scored by the product's own `kb eval` rules."""

import datetime as dt

from kb.answer import ask
from kb.evaluation.score import evaluate, load_questions
from tests.conftest import SHARED, requires_shared


def test_dev_set_meets_the_bar(corpus_index):
    records = load_questions(requires_shared(SHARED / "eval" / "dev.jsonl"))
    report = evaluate(records, lambda q: ask(corpus_index, q, on=dt.date(2026, 11, 23)).to_dict())
    summary = report.summary()
    assert summary["value"]["rate"] >= 0.9, report.summary_line()
    assert summary["passage"]["rate"] == 1.0, report.summary_line()
    assert summary["none"]["rate"] == 1.0, report.summary_line()
