"""Parsing: a policy text into citable clauses — labels as the document numbers itself, stable ids,
heading paths, table rows — and the layout blocks a page renders."""

from kb.parse.clauses import Block, Clause, ParsedDocument, detect_numbering, parse

__all__ = ["Block", "Clause", "ParsedDocument", "detect_numbering", "parse"]
