"""A reference one document makes to another (its 文号 or title, as ``supersedes`` gives it) resolved to a
document of the corpus, and how a note names a document."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from kb.answer.document_dates import as_text
from kb.vocab import Vocab, default_vocab

# Characters that do not count when comparing titles and 文号, and bracket forms folded to one.
IGNORED = re.compile(r"[《》〈〉“”‘’\"'\s]")
BRACKETS = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "【": "〔", "】": "〕",
                          "(": "〔", ")": "〕", "（": "〔", "）": "〕", "﹝": "〔", "﹞": "〕"})


def _key(text, normalize: Callable[[str], str]) -> str:
    """A 文号 or title folded for comparison: NFKC, lower case, no quotes, brackets or spaces."""
    if not text:
        return ""
    return _folded_key(str(text), normalize)


@lru_cache(maxsize=65536)  # every reference is compared with every document's 文号 and title
def _folded_key(text: str, normalize: Callable[[str], str]) -> str:
    return IGNORED.sub("", normalize(text)).translate(BRACKETS)


def resolve_reference(ref: str, documents: dict[str, dict], vocab: Vocab | None = None) -> str | None:
    """The doc id a supersedes reference (文号 or title, possibly with 《》) points to, or None if that
    document is not in the corpus.

    A 文号 match wins over a title match; when several documents share the title, one whose status
    binds is preferred, then the lowest id.
    """
    vocab = vocab or default_vocab()
    normalize = vocab.analysis.normalize
    wanted = _key(ref, normalize)
    if not wanted:
        return None
    not_in_force = set(vocab.documents["not_in_force"])
    by_number = sorted(doc_id for doc_id, meta in documents.items()
                       if _key(meta.get("doc_number"), normalize) == wanted)
    if by_number:
        return by_number[0]
    by_title = [doc_id for doc_id, meta in documents.items() if _key(meta.get("title"), normalize) == wanted]
    if not by_title:
        return None
    return min(by_title, key=lambda doc_id: (documents[doc_id].get("status") in not_in_force, doc_id))


def resolve_entry(entry, documents: dict[str, dict], vocab: Vocab) -> str | None:
    """The document a ``supersedes`` entry names (a reference, or a mapping with ``ref`` or ``title``), or None."""
    if isinstance(entry, str):
        return resolve_reference(entry, documents, vocab)
    if not isinstance(entry, dict):
        return None
    if entry.get("id") is not None:
        # A version link written by `kb add`: the id itself, since versions share their title.
        return str(entry["id"]) if str(entry["id"]) in documents else None
    return resolve_reference(entry.get("ref") or "", documents, vocab) or resolve_reference(
        entry.get("title") or "", documents, vocab)


def document_label(meta: dict, doc_id: str) -> str:
    """How a note names a document: its 文号, else its title in 《》."""
    number = as_text(meta.get("doc_number"))
    if number:
        return number
    title = as_text(meta.get("title")) or doc_id
    return f"《{title}》"
