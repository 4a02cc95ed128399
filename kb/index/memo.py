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

MISSING = object()  # get's default: tells a kept None from nothing kept


class Memo:
    """A thread-safe LRU holding at most ``size`` (0: nothing), with hit and miss counts: ``size`` entries,
    or entries whose ``cost`` (given to ``put``: a posting list's length, say) sums to at most ``size``."""

    def __init__(self, size: int) -> None:
        self.size = max(0, size)
        self.hits = self.misses = 0
        self.held = 0  # the sum of the entries' costs
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: Any = MISSING) -> Any:
        """The value kept under ``key`` (now the most recently used), else ``default``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return default
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: Hashable, value: Any, cost: int = 1) -> None:
        """Keep ``value`` under ``key``, dropping the least recently used entries past ``size``; an entry
        costing more than ``size`` is not kept."""
        if cost > self.size:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.held -= old[1]
            self._entries[key] = (value, cost)
            self.held += cost
            while self.held > self.size:
                _key, (_value, dropped) = self._entries.popitem(last=False)
                self.held -= dropped

    def __len__(self) -> int:
        return len(self._entries)

    def stats(self) -> dict[str, int]:
        """Entries, size, hits and misses, for /healthz and the load test."""
        return {"entries": len(self._entries), "held": self.held, "size": self.size, "hits": self.hits,
                "misses": self.misses}
