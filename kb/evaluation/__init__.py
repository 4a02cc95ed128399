"""Evaluation: question sets scored by the rules of ``shared/eval/README.md``, and the corpus they are asked
over (documents a set names as ``source`` imported into a temporary copy)."""
