"""The answer model: learned weights over ``kb.answer.features``, and the confidence threshold.

The weights and the threshold are data (``kb/data/answer_model.json``), written by ``make tune``
(``kb.answer.tuning``: logistic regression over the public question sets, the threshold chosen on
document-held-out folds so that wrong figures stay at or under the target). Nothing here is set by
hand; a model file that does not match the features this code computes is refused with a message.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from kb.answer.features import FEATURES
from kb.errors import ModelError
from kb.vocab import DATA_DIR

# The best candidate's own features the calibration reads, beside its score, lead and agreement.
CALIBRATION_FEATURES = ("cov_own", "cov_segment", "cov_clause", "absent_share", "family_match", "family_mismatch",
                        "rank_first", "score_share", "phrase_for_phrase", "bias_phrase", "bias_figure", "bias_date",
                        "cond_contra", "neg_missing", "unnumbered_paragraph", "lex_fact_subject", "lex_fact_item",
                        "cond_agree", "cov_title")
TOP_AGREEING = 5


def calibration_inputs(scores: list[float], figures: list[str], vectors: list[list[float]],
                       lone_lead: float, readings: list[tuple[str, str]] | None = None) -> tuple[int, dict[str, float]]:
    """The best candidate, and what the calibration reads of it: its score, its lead over the best
    candidate stating another figure (the same figure read twice is no rival, nor is the same sentence of
    another document — an older or newer version, or another level's rule: ``readings`` are each candidate's
    (own words without figures, document)), how many of the top five state its figure, and its
    ``CALIBRATION_FEATURES``."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    top = order[0]

    def peer(i: int) -> bool:
        if not readings:
            return False
        return readings[i][0] == readings[top][0] and readings[i][1] != readings[top][1]

    rival = next((scores[i] for i in order[1:] if figures[i] != figures[top] and not peer(i)),
                 scores[top] - lone_lead)
    standing = {"best": scores[top], "margin": scores[top] - rival,
                "agree": float(sum(1 for i in order[:TOP_AGREEING] if figures[i] == figures[top]))}
    for name in CALIBRATION_FEATURES:
        standing[name] = vectors[top][FEATURES.index(name)]
    return top, standing

MODEL_FILE = DATA_DIR / "answer_model.json"


@dataclass
class AnswerModel:
    """A ranking of candidates (weights over standardised features) and a calibration of the best one's
    lead into the probability that it answers the question."""

    features: list[str]
    weights: list[float]
    intercept: float
    threshold: float  # the least probability at which an answer states a figure
    mean: list[float]
    scale: list[float]
    report: dict = field(default_factory=dict)
    # confidence = sigmoid of a logistic regression over the best candidate's standing: its score, its lead
    # over the best candidate stating another figure, how many of the top five state its figure, and a
    # few of its own features (``CALIBRATION_FEATURES``)
    calibration: dict = field(default_factory=dict)

    def score(self, vector: list[float]) -> float:
        """The candidate's ranking score: higher answers the question better."""
        return self.intercept + sum(w * (x - m) / s for w, x, m, s in
                                    zip(self.weights, vector, self.mean, self.scale, strict=True))

    def confidence(self, standing: dict[str, float]) -> float:
        """The probability that the best candidate answers the question, from ``calibration_inputs``."""
        c = self.calibration
        if not c:
            return 0.0
        z = c["intercept"] + sum(w * (standing[name] - m) / s for name, w, m, s in
                                 zip(c["features"], c["weights"], c["mean"], c["scale"], strict=True))
        return self.probability(z)

    @staticmethod
    def probability(score: float) -> float:
        """The logistic function of ``score``, clipped so that it never overflows."""
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, score))))

    def largest_weights(self, count: int = 12) -> list[tuple[str, float]]:
        """The ``count`` features of largest absolute weight, with their weights (for the report)."""
        pairs = sorted(zip(self.features, self.weights, strict=True), key=lambda p: -abs(p[1]))
        return [(name, round(weight, 3)) for name, weight in pairs[:count]]

    def to_dict(self) -> dict:
        """The model as its data file holds it."""
        return {"features": self.features, "weights": self.weights, "intercept": self.intercept,
                "calibration": self.calibration, "threshold": self.threshold, "mean": self.mean,
                "scale": self.scale, "report": self.report}

    def save(self, path: Path = MODEL_FILE) -> None:
        """Write the model to ``path`` (default: ``kb/data/answer_model.json``) as JSON."""
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def load_model(path: Path = MODEL_FILE) -> AnswerModel:
    """The model of the data file at ``path``; ``ModelError`` when it cannot be read or names other
    features than ``FEATURES``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelError(f"cannot read the answer model {path} ({error}); run `make tune`") from error
    if list(data.get("features") or []) != list(FEATURES):
        raise ModelError(f"the answer model {path} was fit on other features than kb/answer/features.py computes; "
                         "run `make tune`")
    return AnswerModel(data["features"], data["weights"], data["intercept"], data["threshold"], data["mean"],
                       data["scale"], data.get("report") or {}, data["calibration"])
