"""Question sets and the corpus they are asked over.

A set (``../shared/eval/*.jsonl``, ``tests/questions/*.jsonl``) may hold questions about documents the
corpus does not hold: an item's ``source`` names the file, as a path under the shared folder. Those
files are imported with ``kb add``'s importer into a temporary copy of the corpus, and the copy is
indexed, so ``kb eval FILE`` (and ``make tune``) is one command and the real corpus is never touched.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from kb.corpus.importer import Importer
from kb.errors import QuestionSetError
from kb.evaluation.score import load_questions
from kb.index.builder import build

CORPUS_SOURCE = "corpus"


@dataclass
class AskedCorpus:
    corpus: Path
    index: Path
    imported: dict[str, str]  # source → doc id
    problems: list[str]


def shared_root(question_file: Path, given: Path | None = None) -> Path | None:
    """Where the sources of a question set are: ``--shared``, ``KB_SHARED``, the folder above the set's own
    folder (``shared/eval/dev2.jsonl`` → ``shared``), or ``../shared`` beside the project."""
    candidates = [given, Path(os.environ["KB_SHARED"]) if os.environ.get("KB_SHARED") else None,
                  question_file.resolve().parent.parent, Path(__file__).resolve().parents[3] / "shared"]
    for folder in candidates:
        if folder is not None and (folder / "lawref").is_dir():
            return folder
    return None


def sources(records: list[dict]) -> list[str]:
    """The documents the questions are about that are not the corpus, in order of first mention."""
    return list(dict.fromkeys(r["source"] for r in records if r.get("source") and r["source"] != CORPUS_SOURCE))


def asked_corpus(records: list[dict], corpus: Path, workdir: Path, root: Path | None) -> AskedCorpus:
    """A copy of ``corpus`` in ``workdir`` with every source of ``records`` imported, and its index built."""
    copy = workdir / "corpus"
    shutil.copytree(corpus, copy, ignore=shutil.ignore_patterns(".kb-corpus.lock"))
    imported: dict[str, str] = {}
    problems: list[str] = []
    wanted = sources(records)
    if wanted:
        with Importer(copy, durable=False) as importer:
            for source in wanted:
                path = (root / source) if root else Path(source)
                result = importer.add(path)
                if result.document is None:
                    problems.append(result.message)
                else:
                    imported[source] = result.document.id
    index = workdir / "index"
    build(copy, index)
    return AskedCorpus(copy, index, imported, problems)


def load_sets(paths: list[Path]) -> list[dict]:
    """The records of several sets, each marked with its set's name (``set``), ids unique across sets."""
    records: list[dict] = []
    seen: set[str] = set()
    for path in paths:
        for record in load_questions(path):
            if record["id"] in seen:
                raise QuestionSetError(f"{path}: id {record['id']!r} is also used in another set")
            seen.add(record["id"])
            records.append({**record, "set": path.stem})
    return records
