"""Answering a question: question → candidates (every figure and role phrase the retrieved clauses state)
→ features → the learned model's scores → confidence → the answer, its citations and what was understood.

``ask`` is the entry point; the model's weights are data (``kb/data/answer_model.json``), refit by
``make tune`` (``kb.answer.tuning``).
"""

from kb.answer.compose import Answer, ask

__all__ = ["Answer", "ask"]
