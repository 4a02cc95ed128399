"""Building the Whoosh index: skipped when unchanged, swapped atomically, searcher refreshed."""

import os

import pytest

from kb.index import IndexMissing, OpenIndex, build
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
