"""The `kb` command as a person uses it."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kb.cli import main
from tests.conftest import CORPUS, LAWREF, requires_shared, write_doc

KB = Path(sys.executable).with_name("kb")


@pytest.fixture()
def paths(tmp_path):
    corpus = tmp_path / "corpus"
    write_doc(corpus, "t1", "测试通知", "一、计划检修停电应当提前七天通知用户。\n\n二、窃电行为应当依法处理。\n")
    return ["--corpus", str(corpus), "--index", str(tmp_path / "index")]


def test_build_prints_progress_clause_count_and_time(paths, capsys):
    assert main(paths + ["build"]) == 0
    out, err = capsys.readouterr()
    assert "[1/1] t1" in err
    assert out.startswith("built 2 clauses from 1 documents in ")
    assert main(paths + ["build"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_search_prints_ranked_clauses_with_highlights(paths, capsys):
    assert main(paths + ["search", "计划检修", "提前通知"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("1. 测试通知 · 一、")
    assert "【计划检修】" in out and "/doc/t1#c1" in out


def test_search_json(paths, capsys):
    assert main(paths + ["search", "窃电", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["hits"][0]["clause"] == "c2" and "<mark>窃电</mark>" in data["hits"][0]["highlight"]


@pytest.mark.parametrize("query", ["电*", "[a TO z]", "窃电 AND OR NOT (", '"计划检修', "title:窃电", "\x00\x01",
                                   "电" * 10000, "?*~^", ""])
def test_hostile_queries_never_raise(paths, capsys, query):
    assert main(paths + ["search", query or " ", "--json"]) == 0
    assert "hits" in json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("args, message", [
    (["search", "x", "--limit", "-1"], "--limit must be between 1 and 100"),
    (["search", "x", "--region", "nonsense"], "unknown region"),
    (["add", "a.txt", "--issued", "not-a-date"], "is not a date"),
])
def test_bad_arguments_exit_2_with_a_message(paths, capsys, args, message):
    assert main(paths + args) == 2
    assert message in capsys.readouterr().err


def test_region_filter_keeps_rules_that_bind_there(paths, capsys, tmp_path):
    corpus = Path(paths[1])
    write_doc(corpus, "t2", "某市通知", "一、计划检修提前三天通知。\n", region="巴彦淖尔市")
    assert main(paths + ["search", "计划检修", "--region", "鄂尔多斯", "--json"]) == 0
    regions = {hit["region"] for hit in json.loads(capsys.readouterr().out)["hits"]}
    assert regions == {"全国"}


def test_kb_add_makes_article_28_citable(tmp_path):
    """The issue's acceptance scenario, through the installed console script."""
    source = requires_shared(LAWREF / "行政法规" / "电力供应与使用条例(2019-03-02).md")
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    env = {**os.environ, "KB_CORPUS": str(corpus), "KB_INDEX": str(tmp_path / "index")}
    for existing in corpus.glob("*.md"):
        if "title: 电力供应与使用条例" in existing.read_text(encoding="utf-8"):
            existing.unlink()  # the shipped corpus has it already; import it afresh
    added = subprocess.run([str(KB), "add", str(source)], env=env, capture_output=True, text=True, timeout=120)
    assert added.returncode == 0, added.stderr
    assert "added" in added.stdout and "电力供应与使用条例" in added.stdout
    found = subprocess.run([str(KB), "search", "计划检修", "提前通知", "--json"], env=env, capture_output=True,
                           text=True, timeout=60)
    top = json.loads(found.stdout)["hits"][0]
    assert top["label"] == "第二十八条" and top["title"] == "电力供应与使用条例"
    assert top["url"].endswith("#a28")


@pytest.fixture()
def corpus_paths(corpus_index_path):
    return ["--corpus", str(CORPUS), "--index", str(corpus_index_path)]


def test_ask_prints_the_answer_and_its_clauses(corpus_paths, capsys):
    assert main(corpus_paths + ["ask", "高压双电源用户供电方案答复时限", "--on", "2026-11-23"]) == 0
    out = capsys.readouterr().out
    assert "20个工作日" in out.splitlines()[0] and "/doc/002#att2-t1-r3" in out


def test_ask_json_and_a_declined_question(corpus_paths, capsys):
    assert main(corpus_paths + ["ask", "明天会下雨吗", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["found"] is False and data["answer"] == ""


@pytest.mark.parametrize("args, message", [(["ask", "x", "--on", "not-a-date"], "is not a date"),
                                           (["ask", "x", "--region", "nonsense"], "unknown region"),
                                           (["eval", "/nonexistent.jsonl"], "No such file")])
def test_ask_and_eval_refuse_bad_arguments(corpus_paths, capsys, args, message):
    assert main(corpus_paths + args) == 2
    assert message in capsys.readouterr().err


def test_facts_lists_figures_with_their_clause(corpus_paths, capsys):
    assert main(corpus_paths + ["facts", "--subject", "高压双电源", "--item", "供电方案答复"]) == 0
    out = capsys.readouterr().out
    assert "高压双电源用户 · 供电方案答复 · 不超过20个工作日" in out and "/doc/002#att2-t1-r3" in out
    assert main(corpus_paths + ["facts", "--region", "巴彦淖尔", "--json"]) == 0
    regions = {f["region"] for f in json.loads(capsys.readouterr().out)}
    assert regions <= {"巴彦淖尔市", "内蒙古自治区", "全国"} and "鄂尔多斯市" not in regions


def test_eval_prints_misses_and_a_summary_line(corpus_paths, capsys, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id":"a","q":"高压双电源用户供电方案答复时限","kind":"value","expect":["20个工作日"],"cite":["高压双电源用户"]}\n'
        '{"id":"b","q":"高压双电源用户供电方案答复时限","kind":"value","expect":["99个工作日"],"cite":["高压双电源用户"]}\n'
        '{"id":"c","q":"明天会下雨吗","kind":"none"}\n', encoding="utf-8")
    assert main(corpus_paths + ["eval", str(questions)]) == 1  # one value miss of two is below 90%
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("b [value]")
    assert out.splitlines()[-1].startswith("value 1/2 cited, 1/2 precise and cited")


def test_ask_from_a_start_date_states_the_latest_date(corpus_paths, capsys):
    assert main(corpus_paths + ["ask", "高压单电源用户合计办理时间", "--from", "2026-11-03", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {d["due"] for d in data["deadlines"]} == {"2026-12-03"}
    assert main(corpus_paths + ["ask", "x", "--from", "yesterday"]) == 2
    assert "--from 'yesterday' is not a date" in capsys.readouterr().err
