"""Facts: the figures clauses and table rows state — who, what, the value and unit, how it binds, under
which conditions — each pointing at its clause, read with the domain lexicon at build time."""

from kb.facts.extract import extract, select
from kb.model import Fact

__all__ = ["Fact", "extract", "select"]
