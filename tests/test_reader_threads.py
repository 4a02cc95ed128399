"""The answer engine's clause reader is shared by a server's request threads (one engine per open index):
reading clauses in many threads at once gives each text the candidates it gets read alone. (A reader that
kept the text being read on itself mixed two threads' texts up: an IndexError, a 500, under load.)"""

from __future__ import annotations

import sys
import threading

from kb.answer import Answerer
from kb.corpus.documents import load_corpus
from kb.parse.clauses import parse_document
from tests.conftest import CORPUS


def test_clauses_read_in_many_threads_at_once_read_as_alone():
    engine = Answerer()
    clauses = [c for document in load_corpus(CORPUS) for c in parse_document(document).clauses if c.indexable]
    alone = [repr(engine.reader.clause(c)) for c in clauses]
    results: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def read(number: int) -> None:
        try:
            start = number * len(clauses) // 8
            order = clauses[start:] + clauses[:start]  # every thread starts somewhere else
            got = {id(c): repr(engine.reader.clause(c)) for c in order}
            results[number] = [got[id(c)] for c in clauses]
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=read, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors[:1]
    assert all(results[n] == alone for n in range(8))
