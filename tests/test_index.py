"""Building the Whoosh index: skipped when unchanged, swapped atomically, searcher refreshed."""

import os

import pytest

from kb.errors import CorpusError, IndexDamaged, IndexMissing, IndexPathRefused
from kb.index import OpenIndex, build, check
from kb.search import search
from tests.conftest import write_doc


@pytest.fixture()
def small_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    write_doc(corpus, "a", "甲市供电通知", "一、计划检修停电应当提前七天通知用户。\n\n二、临时检修提前二十四小时通知。\n",
              region="鄂尔多斯市")
    return corpus


def test_build_counts_clauses_and_skips_an_unchanged_corpus(small_corpus, tmp_path):
    index = tmp_path / "var" / "index"
    first = build(small_corpus, index)
    assert first.built and first.documents == 1 and first.clauses == 2
    second = build(small_corpus, index)
    assert not second.built and second.clauses == 2
    assert "up to date" in second.summary()


def test_the_index_path_is_a_link_swapped_to_a_new_generation(small_corpus, tmp_path):
    index = tmp_path / "index"
    build(small_corpus, index)
    first_target = os.readlink(index)
    write_doc(small_corpus, "b", "乙通知", "一、新增条款。\n")
    build(small_corpus, index)
    assert index.is_symlink() and os.readlink(index) != first_target
    generations = list(tmp_path.glob("index.gen-*"))
    assert len(generations) == 2  # the new one and the previous, which a running server may still read


def test_an_open_searcher_sees_the_new_index_after_a_swap(small_corpus, tmp_path):
    index_path = tmp_path / "index"
    build(small_corpus, index_path)
    index = OpenIndex(index_path)
    assert not search(index, "窃电").hits
    write_doc(small_corpus, "c", "丙条例", "第一条 禁止窃电行为。\n")
    build(small_corpus, index_path)
    assert search(index, "窃电").hits[0].doc_id == "c"


def test_a_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexMissing, match="run `kb build` first"):
        OpenIndex(tmp_path / "nothing")


def test_a_failed_build_leaves_the_old_index_in_place(small_corpus, tmp_path):
    index_path = tmp_path / "index"
    build(small_corpus, index_path)
    target = os.readlink(index_path)
    (small_corpus / "broken.md").write_text("---\ntitle: 无编号\n---\n正文", encoding="utf-8")
    with pytest.raises(Exception, match="front matter lacks id"):
        build(small_corpus, index_path)
    assert os.readlink(index_path) == target
    assert search(OpenIndex(index_path), "计划检修").hits


def _faq(corpus, name, cites, answer):
    folder = corpus / "faq"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.md").write_text(
        f"---\nid: {name}\nquestion: 计划检修要提前几天通知？\ntopic: 停电通知\ncites: {cites}\norder: 1\n---\n{answer}\n",
        encoding="utf-8")


def test_a_faq_citing_a_missing_clause_fails_the_build(small_corpus, tmp_path):
    index_path = tmp_path / "index"
    build(small_corpus, index_path)
    target = os.readlink(index_path)
    _faq(small_corpus, "broken", '["a#c9"]', "全国适用：计划检修提前7天通知。")
    with pytest.raises(Exception, match="a#c9"):
        build(small_corpus, index_path)
    assert os.readlink(index_path) == target


def test_a_faq_figure_not_in_its_clause_is_reported(small_corpus, tmp_path, capsys):
    _faq(small_corpus, "wrong-figure", '["a#c1"]', "鄂尔多斯市：计划检修停电应当提前10天通知用户。")
    lines = []
    report = build(small_corpus, tmp_path / "index", progress=lines.append)
    assert report.built and any("FAQ warning" in line and "10天" in line for line in lines)


# -- nothing but a build writes, and a build never empties or misplaces an index --------------------------


@pytest.mark.parametrize("make, message", [
    (lambda path: None, "does not exist"),
    (lambda path: path.mkdir(), "holds no documents"),
    (lambda path: path.write_text("not a folder", encoding="utf-8"), "is not a folder"),
])
def test_a_missing_or_empty_corpus_is_an_error_and_the_old_index_stays(small_corpus, tmp_path, make, message):
    index_path = tmp_path / "index"
    build(small_corpus, index_path)
    target = os.readlink(index_path)
    broken = tmp_path / "no-corpus"
    make(broken)
    with pytest.raises(CorpusError, match=message):
        build(broken, index_path, force=True)
    assert os.readlink(index_path) == target
    assert search(OpenIndex(index_path), "计划检修").hits


@pytest.mark.parametrize("kind", ["folder", "file", "foreign link"])
def test_an_index_path_kb_did_not_make_is_refused_and_left_untouched(small_corpus, tmp_path, kind):
    index_path = tmp_path / "var"
    if kind == "folder":
        index_path.mkdir()
        (index_path / "feedback.sqlite3").write_bytes(b"precious rows")
    elif kind == "file":
        index_path.write_bytes(b"precious file")
    else:
        (tmp_path / "elsewhere").mkdir()
        index_path.symlink_to(tmp_path / "elsewhere")
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    with pytest.raises(IndexPathRefused, match="left as it is"):
        build(small_corpus, index_path)
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before
    if kind == "folder":
        assert (index_path / "feedback.sqlite3").read_bytes() == b"precious rows"


def _segment(generation):
    return max((p for p in generation.iterdir() if p.suffix == ".seg"), key=lambda p: p.stat().st_size)


@pytest.mark.parametrize("damage", ["truncate", "flip", "json"])
def test_a_damaged_generation_is_found_and_rebuilt_without_force(small_corpus, tmp_path, damage):
    index_path = tmp_path / "index"
    build(small_corpus, index_path)
    generation = index_path.resolve()
    if damage == "truncate":
        victim = _segment(generation)
        victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    elif damage == "flip":
        victim = _segment(generation)
        data = bytearray(victim.read_bytes())
        data[len(data) // 2] ^= 0xFF
        victim.write_bytes(bytes(data))
    else:
        victim = generation / "documents.json"
        victim.write_bytes(b"{" + b" " * (victim.stat().st_size - 1))  # same size, not JSON
    assert any(victim.name in problem for problem in check(index_path))
    lines = []
    report = build(small_corpus, index_path, progress=lines.append)
    assert report.built and any("damaged" in line and "rebuilding" in line for line in lines)
    assert check(index_path) == []
    assert search(OpenIndex(index_path), "计划检修").hits


def test_opening_a_truncated_generation_is_a_clear_error_not_a_traceback(small_corpus, tmp_path):
    index_path = tmp_path / "index"
    build(small_corpus, index_path)
    segment = _segment(index_path.resolve())
    segment.write_bytes(segment.read_bytes()[:10])
    with pytest.raises(IndexDamaged, match=r"is damaged: .*\.seg has 10 bytes.*Run `kb build`"):
        OpenIndex(index_path)


def test_a_server_keeps_serving_the_last_good_generation(small_corpus, tmp_path):
    index_path = tmp_path / "index"
    build(small_corpus, index_path)
    index = OpenIndex(index_path)
    good = index.manifest["fingerprint"]
    write_doc(small_corpus, "c", "丙条例", "第一条 禁止窃电行为。\n")
    build(small_corpus, index_path)
    (index_path.resolve() / "facts.json").write_bytes(b"broken")
    assert search(index, "计划检修").hits  # still the first generation
    assert index.manifest["fingerprint"] == good and "damaged" in index.problem


def test_a_server_started_on_a_damaged_generation_serves_the_intact_older_one(small_corpus, tmp_path):
    index_path = tmp_path / "index"
    build(small_corpus, index_path)
    write_doc(small_corpus, "c", "丙条例", "第一条 禁止窃电行为。\n")
    build(small_corpus, index_path)
    (index_path.resolve() / "documents.json").unlink()
    index = OpenIndex(index_path)
    assert "older generation" in index.problem
    assert search(index, "计划检修").hits and not search(index, "窃电").hits


def test_a_refresh_racing_a_prune_keeps_the_open_generation(small_corpus, tmp_path):
    import shutil

    index_path = tmp_path / "index"
    build(small_corpus, index_path)
    index = OpenIndex(index_path)
    write_doc(small_corpus, "c", "丙条例", "第一条 禁止窃电行为。\n")
    build(small_corpus, index_path)
    shutil.rmtree(index_path.resolve())  # the new generation vanishes between the link and the open
    (index_path.resolve()).mkdir()
    (index_path.resolve() / "manifest.json").write_text("{}", encoding="utf-8")
    assert search(index, "计划检修").hits


def test_what_is_derived_from_a_generation_goes_with_it_on_a_swap(small_corpus, tmp_path):
    """Standings, filters, parsed documents and titles live on the generation they came from: a swap
    replaces them together, and nothing registered at import time warms an index nobody asked to warm."""
    import gc

    from kb.answer import WARMERS, ask

    index_path = tmp_path / "index"
    build(small_corpus, index_path)
    frozen = gc.get_freeze_count()
    plain = OpenIndex(index_path)
    assert not plain.generation.extensions and not plain.generation.filters  # no warmer was given
    assert gc.get_freeze_count() == frozen  # …and the process's garbage collector is left alone
    index = OpenIndex(index_path, warmers=WARMERS)
    first = index.generation
    assert first.extensions and first.filters  # today's standings and the top region's filter
    ask(index, "计划检修停电提前几天通知")
    index.parsed("a")
    write_doc(small_corpus, "c", "丙条例", "第一条 禁止窃电行为。\n")
    build(small_corpus, index_path)
    assert search(index, "窃电").hits[0].doc_id == "c"
    second = index.generation
    assert second is not first and "c" in second.titles.keys and "c" not in first.titles.keys
    assert "a" not in second.parsed and second.extensions is not first.extensions
    plain.close()
    index.close()


def test_facts_stay_facts_once_the_index_is_open(corpus_index):
    """The open index holds Fact objects (kb.model), not the dicts of facts.json; each is filed under its
    clause's key, and reads as a mapping too, for the code that takes facts and answer entries alike."""
    from kb.model import Fact, clause_key

    facts = corpus_index.facts
    assert facts and all(isinstance(fact, Fact) for fact in facts)
    fact = facts[0]
    assert fact in corpus_index.facts_by_clause[clause_key(fact.doc_id, fact.clause_id)]
    assert fact["unit"] == fact.unit and fact.get("nothing") is None and set(fact.keys()) == set(fact.to_dict())
    with pytest.raises(KeyError):
        fact["nothing"]


def test_the_fingerprint_covers_the_indexing_code_only():
    """Editing the CLI, the answer engine or search never forces a reindex; parsing, facts, analysis, the
    vocabulary and the index code do (the data files are covered by Vocab.fingerprint)."""
    from pathlib import Path

    from kb.index.builder import indexing_code_files

    root = Path(__file__).resolve().parents[1] / "kb"
    files = {path.relative_to(root).as_posix() for path in indexing_code_files()}
    assert {"parse/clauses.py", "facts/extract.py", "analysis/segment.py", "index/schema.py", "model.py",
            "vocab/lexicon.py", "corpus/documents.py"} <= files
    assert not any(name.split("/")[0] in ("cli", "answer", "search", "evaluation") for name in files)


@pytest.mark.parametrize("parts", [["[]"], ['[{"a": 1}]', "[]", '[{"b": "乙"}, {"c": [1, 2]}]'], ["[]", "[]"]])
def test_the_workers_facts_json_joins_into_the_json_of_all_their_facts(parts):
    import json

    from kb.index.builder import join_json_lists

    assert join_json_lists(parts) == json.dumps([item for part in parts for item in json.loads(part)],
                                                ensure_ascii=False)


def test_a_build_in_two_processes_writes_the_files_of_a_build_in_one(small_corpus, tmp_path):
    write_doc(small_corpus, "b", "乙市供电通知", "一、欠费停电前七日通知用户。\n\n二、电费按月结算，每月十五日前缴清。\n",
              region="巴彦淖尔市")
    one, two = build(small_corpus, tmp_path / "one", procs=1), build(small_corpus, tmp_path / "two", procs=2)
    for name in ("facts.json", "documents.json"):  # clauses.json says which part file holds a clause
        assert (one.path.resolve() / name).read_bytes() == (two.path.resolve() / name).read_bytes(), name
    assert OpenIndex(two.path).manifest["facts"] == OpenIndex(one.path).manifest["facts"] > 0


def test_a_worker_that_fails_fails_the_build_and_the_old_index_stays(small_corpus, tmp_path, monkeypatch):
    from kb.index.prepare import Preparer

    write_doc(small_corpus, "b", "乙市供电通知", "一、欠费停电前七日通知用户。\n", region="巴彦淖尔市")
    index_path = tmp_path / "index"
    build(small_corpus, index_path)
    target = os.readlink(index_path)

    def broken(self, document, parsed=None):
        raise ValueError(f"cannot prepare {document.id}")

    monkeypatch.setattr(Preparer, "prepare", broken)  # before the fork: the workers inherit it
    with pytest.raises(RuntimeError, match="building part [12] of 2 failed: ValueError: cannot prepare [ab]"):
        build(small_corpus, index_path, force=True, procs=2)
    assert os.readlink(index_path) == target
