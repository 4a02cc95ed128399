"""Answering a question: question → candidates (every figure and role phrase the retrieved clauses state)
→ features → the learned model's scores → confidence → the answer, its citations and what was understood;
the rules that apply (standing on a date), the rule table, deadlines.

``ask`` is the entry point; the model's weights are data (``kb/data/answer_model.json``), refit by
``make tune`` (``kb.answer.tuning``). ``WARMERS`` are what an index serving questions makes as each
generation opens (``OpenIndex(path, warmers=WARMERS)``): the top region's filter and today's standings.
"""

from kb.answer import standing
from kb.answer.compose import Answer, Answerer, ask
from kb.search import filters

WARMERS = (filters.warm, standing.warm)

__all__ = ["WARMERS", "Answer", "Answerer", "ask"]
