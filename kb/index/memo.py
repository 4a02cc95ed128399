"""Bounded memos kept on an open index generation: what the layers above work out from one generation
and may hand out again while it is served (the site's answers to the same question, ``web.queries``).

A memo lives on the ``Generation`` it was filled from (``Generation.memo``), so a swap to a new generation
starts empty memos and drops the old ones with the old generation: nothing worked out from one index is
ever served from another. Each holds at most ``size`` entries, the least recently used dropped first, and
is shared by the request threads of one process (a lock around each step; the work itself is done
outside it, so two threads asking the same new question may both work it out, and the second stores
the same value again).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

MISSING = object()


class Memo:
    """A thread-safe LRU of at most ``size`` entries (0: keeps nothing), with hit and miss counts."""

    def __init__(self, size: int) -> None:
        self.size = max(0, size)
        self.hits = self.misses = 0
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: Any = MISSING) -> Any:
        """The value kept under ``key`` (now the most recently used), else ``default``."""
        with self._lock:
            value = self._entries.get(key, MISSING)
            if value is MISSING:
                self.misses += 1
                return default
            self._entries.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` under ``key``, dropping the least recently used entry past ``size``."""
        if not self.size:
            return
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)

    def stats(self) -> dict[str, int]:
        """Entries, size, hits and misses, for /healthz and the load test."""
        return {"entries": len(self._entries), "size": self.size, "hits": self.hits, "misses": self.misses}
