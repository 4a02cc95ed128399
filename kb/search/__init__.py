"""Search: a query planned into weighted terms (analysis, aliases, filters), scored with BM25F over the
index's postings, and the matches in each clause found for highlighting."""

from kb.errors import SearchError
from kb.model import Hit, SearchResult
from kb.search.plan import MAX_QUERY_CHARS, search

__all__ = ["MAX_QUERY_CHARS", "Hit", "SearchError", "SearchResult", "search"]
