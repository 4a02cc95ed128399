"""``make tune``'s fitting (kb/answer/tuning/fitting.py): what the calibration learns from, and how the
threshold is chosen. Built on outcomes made up here, so each test says what it needs."""

from __future__ import annotations

from kb.answer.model import AnswerModel
from kb.answer.tuning.fitting import Outcome, choose_threshold, fit_calibration, rates


def _outcome(qid: str, kind: str, best: float, figure_right: bool) -> Outcome:
    # what score_as_answered leaves: a none or passage question's figure_right is True (the eval's wrong is a
    # value question's); a value question's says whether the figure stated was the answer
    return Outcome(qid, "g" + qid, kind, {"best": best}, right=figure_right and kind == "value",
                   has_candidates=True, figure_right=figure_right)


def _confidence(calibration: dict, best: float) -> float:
    return AnswerModel([], [], 0.0, 0.0, [], [], calibration=calibration).confidence({"best": best})


def test_a_none_questions_best_figure_teaches_the_calibration_that_such_a_figure_is_wrong():
    """Every value question here is right, so the only wrong figures to learn from are the none questions'
    (their best scores high): the calibration must learn them as wrong, and trust their standing less."""
    outcomes = [_outcome(f"v{n}", "value", 1.0 + n / 10, True) for n in range(10)]
    outcomes += [_outcome(f"n{n}", "none", 3.0 + n / 10, True) for n in range(10)]
    calibration = fit_calibration(outcomes, 1.0)
    assert calibration, "a calibration with nothing but right answers to learn from"
    assert _confidence(calibration, 3.5) < 0.5 < _confidence(calibration, 1.2)


def test_a_passage_questions_figures_teach_the_calibration_nothing():
    outcomes = [_outcome(f"v{n}", "value", float(n), n >= 5) for n in range(10)]
    alone = fit_calibration(outcomes, 1.0)
    with_passages = fit_calibration(outcomes + [_outcome(f"p{n}", "passage", -5.0, True) for n in range(10)], 1.0)
    assert with_passages == alone


def test_the_threshold_is_the_lowest_that_keeps_wrong_figures_under_their_bound():
    outcomes = [_outcome(f"v{n}", "value", 0.0, n % 10 != 0) for n in range(100)]
    for n, o in enumerate(outcomes):
        o.probability = n / 100  # every tenth is wrong: 0.0, 0.1 … 0.9
    threshold = choose_threshold(outcomes, target=0.05)
    assert threshold == 0.41 and rates(outcomes, threshold)["wrong"] == 5  # 0.5 … 0.9


def test_the_threshold_also_keeps_none_questions_from_being_answered():
    """Ten none questions up to 0.69 sure: 4% of ten allows none of them a figure, so the threshold rises
    past them, though the wrong figures alone would allow 0.41."""
    outcomes = [_outcome(f"v{n}", "value", 0.0, n % 10 != 0) for n in range(100)]
    outcomes += [_outcome(f"n{n}", "none", 0.0, True) for n in range(10)]
    for n, o in enumerate(outcomes):
        o.probability = n / 100 if o.kind == "value" else 0.6 + (n - 100) / 100
    threshold = choose_threshold(outcomes, target=0.05)
    assert threshold == 0.7 and rates(outcomes, threshold)["none_stated"] == 0
