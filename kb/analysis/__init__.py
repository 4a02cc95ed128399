"""Text analysis: NFKC folding and numerals (normalise), jieba's words with their offsets (segment),
and the Whoosh tokenizers built on them — what the index stores and a query is searched by."""
