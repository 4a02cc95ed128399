"""The index: the Whoosh schema, segment writing, the build, the generation store (lock, swap, prune,
manifest, checksums) and the open generation that search and answers read."""

from kb.corpus.documents import default_corpus
from kb.errors import BuildFailed, IndexDamaged, IndexMissing, IndexPathRefused
from kb.index.builder import build, check
from kb.index.generation import OpenIndex
from kb.index.store import default_index, read_manifest

__all__ = ["BuildFailed", "IndexDamaged", "IndexMissing", "IndexPathRefused", "OpenIndex", "build", "check",
           "default_corpus", "default_index", "read_manifest"]
