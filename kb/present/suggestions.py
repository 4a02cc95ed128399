"""What the console offers while an agent types: the customer types and items the lexicon knows
(kb/data/facts.yaml) and the titles of the documents in the index."""

from __future__ import annotations

from kb.index import OpenIndex


def suggestions(index: OpenIndex) -> list[str]:
    """Customer types, then items, then document titles; each once."""
    lexicon = index.vocab.lexicon
    customers = [name for name, spec in lexicon.subjects.items() if spec.get("kind", "customer") == "customer"]
    items = list(lexicon.items)
    titles = [record["title"] for record in index.documents.values()]
    return list(dict.fromkeys(customers + items + titles))
