"""The index: the Whoosh schema, segment writing, the build, the generation store (lock, swap, prune,
manifest, checksums) and the open generation that search and answers read."""

from kb.index.builder import BuildFailed, OpenIndex, build, check, default_corpus, default_index
from kb.index.store import IndexDamaged, IndexMissing, IndexPathRefused, read_manifest

__all__ = ["BuildFailed", "IndexDamaged", "IndexMissing", "IndexPathRefused", "OpenIndex", "build", "check",
           "default_corpus", "default_index", "read_manifest"]
