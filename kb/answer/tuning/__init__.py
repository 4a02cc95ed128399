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

from kb.answer.tuning.command import main

__all__ = ["main"]
