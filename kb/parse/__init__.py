"""Parsing: a policy text into citable clauses — labels as the document numbers itself, stable ids,
heading paths, table rows — and the layout blocks a page renders."""

from kb.model import Block, Clause, ParsedDocument
from kb.parse.clauses import parse, parse_document
from kb.parse.lines import detect_numbering

__all__ = ["Block", "Clause", "ParsedDocument", "detect_numbering", "parse", "parse_document"]
