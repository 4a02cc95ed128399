"""The clause store: every document's clauses by id, written by the build beside the segments and read one
document at a time, so that citing or reading one clause of a law does not parse the whole law.

An answer reads the dozen clauses its hits and facts point at; before this store each was found by
parsing its document's Markdown (3 ms for an average law, 100 ms for the longest), the larger part of a
first question's time at lawref scale. The build has every document parsed anyway: it writes each
document's clauses as one pickled table ``{clause id: the clause's other fields}`` (plain tuples, which
unpickle ten times faster than the dataclasses), into one file per build part (``clauses-<n>.bin``), and
where each table starts in ``clauses.json``. A clause read back is equal, field for field, to the one
``kb.parse`` makes (``tests/test_clause_store.py``).
"""

from __future__ import annotations

import json
import pickle
from collections import OrderedDict
from dataclasses import fields
from pathlib import Path
from threading import Lock

from kb.model import Clause, ParsedDocument

TABLE = "clauses.json"  # doc id → [part file, offset, length]
PART = "clauses-{}.bin"
FIELDS = tuple(f.name for f in fields(Clause))  # id first, then what a table keeps per clause
KEPT_DOCUMENTS = 256  # tables of documents read recently, kept unpickled (a law's is some tens of kB)


def clause_table(parsed: ParsedDocument) -> dict[str, tuple]:
    """A document's clauses as the store keeps them: id → the other fields, in ``Clause``'s order; the
    first clause of an id wins, as ``ParsedDocument.clause`` finds the first."""
    table: dict[str, tuple] = {}
    for clause in parsed.clauses:
        table.setdefault(clause.id, tuple(getattr(clause, name) for name in FIELDS[1:]))
    return table


class ClauseWriter:
    """Appends documents' clause tables to one part file of a generation being built."""

    def __init__(self, generation: Path, part: int) -> None:
        self.name = PART.format(part)
        self._file = open(generation / self.name, "wb")  # noqa: SIM115 — closed by close(), after the build's loop
        self.offsets: dict[str, list] = {}

    def add(self, doc_id: str, parsed: ParsedDocument) -> None:
        data = pickle.dumps(clause_table(parsed), protocol=pickle.HIGHEST_PROTOCOL)
        self.offsets[doc_id] = [self.name, self._file.tell(), len(data)]
        self._file.write(data)

    def close(self) -> dict[str, list]:
        """Close the part file; where each document's table is in it."""
        self._file.close()
        return self.offsets


def write_table(generation: Path, offsets: dict[str, list]) -> None:
    """Where every document's table is, for all parts: written once the parts are."""
    (generation / TABLE).write_text(json.dumps(offsets, ensure_ascii=False), encoding="utf-8")


class ClauseStore:
    """The clauses of one generation, read a document's table at a time (the last ``KEPT_DOCUMENTS`` kept).

    ``clause`` is None for a document or clause the store does not hold, and the store is ``available``
    only for a generation built with it: callers then parse the document as before.
    """

    def __init__(self, generation: Path) -> None:
        self.generation = generation
        try:
            self._where: dict[str, list] = json.loads((generation / TABLE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            self._where = {}
        self.available = bool(self._where)
        self._tables: OrderedDict[str, dict[str, tuple]] = OrderedDict()
        self._lock = Lock()  # the request threads of one worker share the recent tables

    def _table(self, doc_id: str) -> dict[str, tuple] | None:
        with self._lock:
            table = self._tables.get(doc_id)
            if table is not None:
                self._tables.move_to_end(doc_id)
                return table
        where = self._where.get(doc_id)
        if where is None:
            return None
        name, offset, length = where
        with open(self.generation / name, "rb") as handle:
            handle.seek(offset)
            data = handle.read(length)
        if len(data) != length:
            raise EOFError(f"{name} ends before the clauses of {doc_id}")
        table = pickle.loads(data)  # noqa: S301 — a file this build wrote, its size checked against the manifest
        with self._lock:
            self._tables[doc_id] = table
            if len(self._tables) > KEPT_DOCUMENTS:
                self._tables.popitem(last=False)
        return table

    def clause(self, doc_id: str, clause_id: str) -> Clause | None:
        """The clause, as ``kb.parse`` made it at build time; None where the store does not hold it."""
        table = self._table(doc_id)
        values = table.get(clause_id) if table is not None else None
        if values is None:
            return None
        clause = Clause(clause_id, *values)
        # Its own lists: the table's stay as read, whatever a caller does with the clause.
        clause.heading_path, clause.cells = list(clause.heading_path), list(clause.cells)
        return clause

    def holds(self, doc_id: str) -> bool:
        """Whether the store has the document's clauses (every clause of it, containers included)."""
        return doc_id in self._where
