"""Shared fixtures: the real corpus built once into a temporary index, and the app over it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kb.index import OpenIndex, build

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = Path(os.environ.get("KB_SHARED", ROOT.parent / "shared"))
LAWREF = SHARED / "lawref"


def requires_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared sits beside the clone in CI)")
    return path


@pytest.fixture(scope="session")
def corpus_index_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("index") / "index"
    build(CORPUS, path)
    return path


@pytest.fixture(scope="session")
def corpus_index(corpus_index_path) -> OpenIndex:
    index = OpenIndex(corpus_index_path)
    yield index
    index.close()


@pytest.fixture(scope="session")
def law_sample_index_path(tmp_path_factory) -> Path:
    """The corpus and every 150th law of the library (tables, long chapters, articles), built in two parts
    (two segments, two clause store files) as a parallel build writes a large corpus."""
    import shutil

    from kb.corpus import Importer

    laws = sorted(requires_shared(LAWREF).rglob("*.md"))[::150]
    folder = tmp_path_factory.mktemp("law-sample")
    shutil.copytree(CORPUS, folder / "corpus")
    with Importer(folder / "corpus") as importer:
        for law in laws:
            importer.add(law)
    build(folder / "corpus", folder / "index", procs=2)
    return folder / "index"


@pytest.fixture(scope="session")
def app(corpus_index_path, tmp_path_factory):
    from web import create_app

    data = tmp_path_factory.mktemp("data")
    return create_app({"KB_INDEX": str(corpus_index_path), "KB_CORPUS": str(CORPUS), "KB_DATA": str(data),
                       "KB_RATE_LIMIT": "100000/minute", "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


def write_doc(folder: Path, doc_id: str, title: str, body: str, **meta) -> Path:
    """A small corpus document for tests that build their own corpus."""
    import yaml

    front = {"id": doc_id, "title": title, "region": meta.pop("region", "全国"),
             "status": meta.pop("status", "现行有效"), **meta}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{doc_id}.md"
    path.write_text(f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n\n{body}", encoding="utf-8")
    return path
