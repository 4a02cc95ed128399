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
def unbuilt(tmp_path):
    corpus = tmp_path / "corpus"
    write_doc(corpus, "t1", "测试通知", "一、计划检修停电应当提前七天通知用户。\n\n二、窃电行为应当依法处理。\n")
    return ["--corpus", str(corpus), "--index", str(tmp_path / "index")]


@pytest.fixture()
def paths(unbuilt):
    """A small corpus with its index built, as `kb build` leaves it."""
    assert main(unbuilt + ["build", "--quiet"]) == 0
    return unbuilt


def test_build_prints_progress_clause_count_and_time(unbuilt, capsys):
    paths = unbuilt
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
    assert "【计划检修】" in out and "t1#c1" in out


def test_search_json(paths, capsys):
    assert main(paths + ["search", "窃电", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    hit = data["hits"][0]
    assert hit["clause_id"] == "c2" and "【窃电】" in hit["snippet"] and hit["text"][slice(*hit["marks"][0])] == "窃电"


@pytest.mark.parametrize("query", ["电*", "[a TO z]", "窃电 AND OR NOT (", '"计划检修', "title:窃电", "\x00\x01",
                                   "电" * 10000, "?*~^", ""])
def test_hostile_queries_never_raise(paths, capsys, query):
    assert main(paths + ["search", query or " ", "--json"]) == 0
    assert "hits" in json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("args, message", [
    (["search", "x", "--limit", "-1"], "--limit must be between 1 and 100"),
    (["search", "x", "--region", "nonsense"], "未知地区“nonsense”"),
    (["add", "a.txt", "--issued", "not-a-date"], "is not a date"),
])
def test_bad_arguments_exit_2_with_a_message(paths, capsys, args, message):
    assert main(paths + args) == 2
    assert message in capsys.readouterr().err


def test_region_filter_keeps_rules_that_bind_there(paths, capsys, tmp_path):
    corpus = Path(paths[1])
    write_doc(corpus, "t2", "某市通知", "一、计划检修提前三天通知。\n", region="巴彦淖尔市")
    assert main(paths + ["build", "--quiet"]) == 0
    capsys.readouterr()
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
    assert top["clause_id"] == "a28"


@pytest.fixture()
def corpus_paths(corpus_index_path):
    return ["--corpus", str(CORPUS), "--index", str(corpus_index_path)]


def test_ask_prints_the_answer_and_its_clauses(corpus_paths, capsys):
    assert main(corpus_paths + ["ask", "高压双电源用户供电方案答复时限", "--on", "2026-11-23"]) == 0
    out = capsys.readouterr().out
    assert "20个工作日" in out.splitlines()[0] and "002#att2-t1-r3" in out


def test_ask_json_and_a_declined_question(corpus_paths, capsys):
    assert main(corpus_paths + ["ask", "明天会下雨吗", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["found"] is False and data["answer"] == ""


@pytest.mark.parametrize("args, message", [(["ask", "x", "--on", "not-a-date"], "is not a date"),
                                           (["ask", "x", "--region", "nonsense"], "未知地区“nonsense”"),
                                           (["eval", "/nonexistent.jsonl"], "No such file")])
def test_ask_and_eval_refuse_bad_arguments(corpus_paths, capsys, args, message):
    assert main(corpus_paths + args) == 2
    assert message in capsys.readouterr().err


def test_facts_lists_figures_with_their_clause(corpus_paths, capsys):
    assert main(corpus_paths + ["facts", "--subject", "高压双电源", "--item", "供电方案答复"]) == 0
    out = capsys.readouterr().out
    assert "高压双电源用户 · 供电方案答复 · 不超过20个工作日" in out and "002#att2-t1-r3" in out
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


# -- only build and add write the index ------------------------------------------------------------------


def test_read_commands_from_another_folder_never_touch_the_live_index(corpus_index_path, tmp_path):
    """`kb ask` / `kb search` run where the default corpus/ is absent: they read the index, never rebuild it."""
    target = os.readlink(corpus_index_path)
    env = {**os.environ, "KB_INDEX": str(corpus_index_path)}
    env.pop("KB_CORPUS", None)
    for command in (["ask", "计划检修提前几天通知", "--json"], ["search", "计划检修", "--json"], ["facts", "--json"]):
        run = subprocess.run([str(KB), *command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        assert "built" not in run.stderr
    assert os.readlink(corpus_index_path) == target
    answer = json.loads(subprocess.run([str(KB), "ask", "计划检修提前几天通知", "--json"], cwd=tmp_path, env=env,
                                       capture_output=True, text=True, timeout=60).stdout)
    assert answer["found"]


def test_read_commands_without_an_index_say_to_build(tmp_path, capsys):
    assert main(["--index", str(tmp_path / "none"), "ask", "停电"]) == 1
    assert "run `kb build` first" in capsys.readouterr().err
    assert not (tmp_path / "none").exists()


@pytest.mark.parametrize("corpus_kind, message", [("missing", "does not exist"), ("empty", "holds no documents"),
                                                  ("file", "is not a folder")])
def test_kb_build_refuses_a_missing_or_empty_corpus_and_keeps_the_index(paths, tmp_path, capsys, corpus_kind,
                                                                        message):
    index = paths[3]
    target = os.readlink(index)
    corpus = tmp_path / "other"
    if corpus_kind == "empty":
        corpus.mkdir()
    elif corpus_kind == "file":
        corpus.write_text("x", encoding="utf-8")
    capsys.readouterr()
    assert main(["--corpus", str(corpus), "--index", index, "build", "--force"]) == 1
    out, err = capsys.readouterr()
    assert message in err and "built 0 clauses" not in out
    assert os.readlink(index) == target


def test_kb_build_refuses_an_index_path_that_is_a_folder_of_other_things(paths, tmp_path, capsys):
    var = tmp_path / "var"
    var.mkdir()
    (var / "feedback.sqlite3").write_bytes(b"rows")
    assert main(["--corpus", paths[1], "--index", str(var), "build"]) == 1
    assert "left as it is" in capsys.readouterr().err
    assert (var / "feedback.sqlite3").read_bytes() == b"rows" and not list(tmp_path.glob("var.gen-*"))


def test_kb_check_reports_damage_and_build_repairs_it(paths, capsys):
    assert main(paths + ["check"]) == 0
    assert "is intact" in capsys.readouterr().out
    generation = Path(paths[3]).resolve()
    victim = next(p for p in generation.iterdir() if p.suffix == ".seg")
    data = bytearray(victim.read_bytes())
    data[-1] ^= 0x01
    victim.write_bytes(bytes(data))
    assert main(paths + ["check"]) == 1
    assert "does not match its checksum" in capsys.readouterr().err
    assert main(paths + ["build"]) == 0
    assert "damaged" in capsys.readouterr().err
    assert main(paths + ["check"]) == 0


def test_kb_eval_of_an_empty_file_is_an_error(corpus_paths, tmp_path, capsys):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    assert main(corpus_paths + ["eval", str(empty)]) == 2
    assert "holds no questions" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------------ kb serve


class FakeWaitress:
    """Stands in for waitress: records how the server would have been started, serves nothing."""

    def __init__(self, monkeypatch):
        import waitress

        if "KB_WORKERS" not in os.environ:
            monkeypatch.setenv("KB_WORKERS", "1")  # one process: waitress (more are gunicorn, tests/test_workers.py)
        self.calls: list[dict] = []
        monkeypatch.setattr(waitress, "create_server", self.create_server)
        monkeypatch.setattr(waitress, "serve", lambda app, **options: self.calls.append(options))

    def create_server(self, app, **options):
        self.calls.append(options)
        return type("Server", (), {"run": lambda _self: None})()


def test_serve_opens_the_built_index_and_never_builds(corpus_index_path, monkeypatch, capsys, tmp_path):
    def no_build(*args, **kwargs):
        raise AssertionError("kb serve must not build")

    monkeypatch.setattr("kb.cli.commands.build", no_build)
    monkeypatch.setattr("kb.index.builder.build", no_build)
    monkeypatch.setenv("KB_DATA", str(tmp_path))
    waitress = FakeWaitress(monkeypatch)
    assert main(["--corpus", str(CORPUS), "--index", str(corpus_index_path), "serve", "--port", "8123",
                 "--threads", "3", "--connection-limit", "20", "--channel-timeout", "2"]) == 0
    [options] = waitress.calls
    assert (options["port"], options["threads"], options["connection_limit"], options["channel_timeout"]) == \
        (8123, 3, 20, 2)
    assert "serving on http://127.0.0.1:8123" in capsys.readouterr().err


def test_serve_has_safe_defaults_for_the_public(corpus_index_path, monkeypatch, tmp_path):
    for variable in ("KB_PORT", "KB_THREADS", "KB_CONNECTION_LIMIT", "KB_CHANNEL_TIMEOUT", "KB_TRUSTED_PROXY_HOPS"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("KB_DATA", str(tmp_path))
    waitress = FakeWaitress(monkeypatch)
    assert main(["--corpus", str(CORPUS), "--index", str(corpus_index_path), "serve"]) == 0
    [options] = waitress.calls
    assert options["connection_limit"] >= 1000 and options["channel_timeout"] <= 30 and options["threads"] >= 1
    assert options["clear_untrusted_proxy_headers"] is True  # no proxy trusted unless configured


def test_serve_options_come_from_the_environment(corpus_index_path, monkeypatch, tmp_path):
    monkeypatch.setenv("KB_DATA", str(tmp_path))
    monkeypatch.setenv("KB_PORT", "8124")
    monkeypatch.setenv("KB_CONNECTION_LIMIT", "50")
    monkeypatch.setenv("KB_CHANNEL_TIMEOUT", "5")
    monkeypatch.setenv("KB_THREADS", "2")
    waitress = FakeWaitress(monkeypatch)
    assert main(["--corpus", str(CORPUS), "--index", str(corpus_index_path), "serve"]) == 0
    [options] = waitress.calls
    assert (options["port"], options["connection_limit"], options["channel_timeout"], options["threads"]) == \
        (8124, 50, 5, 2)


def test_serve_defaults_to_one_worker_per_core(monkeypatch):
    import argparse

    from kb.cli.serve import machine_cores, serve_settings

    monkeypatch.delenv("KB_WORKERS", raising=False)
    assert serve_settings(argparse.Namespace())["workers"] == machine_cores() == len(os.sched_getaffinity(0))


def test_serve_without_redis_serves_one_worker_rather_than_a_budget_per_worker(corpus_index_path, monkeypatch,
                                                                               capsys, tmp_path):
    monkeypatch.setenv("KB_DATA", str(tmp_path))
    monkeypatch.delenv("KB_RATE_LIMIT_STORAGE", raising=False)
    waitress = FakeWaitress(monkeypatch)
    monkeypatch.setattr("kb.cli.ratestore.redis_server", lambda: None)
    assert main(["--corpus", str(CORPUS), "--index", str(corpus_index_path), "serve", "--workers", "4"]) == 0
    assert len(waitress.calls) == 1  # waitress, one process
    err = capsys.readouterr().err
    assert "no redis-server" in err and "serving with one worker, not 4" in err and "(1 worker ×" in err


@pytest.mark.parametrize("args, env, message", [
    (["--port", "99999"], {}, "--port must be from 1 to 65535, not 99999"),
    (["--port", "0"], {}, "--port must be from 1 to 65535"),
    (["--port", "abc"], {}, "--port must be a whole number"),
    ([], {"KB_PORT": "abc"}, "--port (from KB_PORT) must be a whole number"),
    (["--threads", "0"], {}, "--threads must be from 1"),
    ([], {"KB_THREADS": "-2"}, "--threads (from KB_THREADS) must be from 1"),
    (["--connection-limit", "0"], {}, "--connection-limit must be from 1"),
    (["--channel-timeout", "soon"], {}, "--channel-timeout must be a whole number"),
    (["--trusted-proxy-hops", "-1"], {}, "--trusted-proxy-hops must be from 0"),
    (["--workers", "0"], {}, "--workers must be from 1"),
    ([], {"KB_WORKERS": "many"}, "--workers (from KB_WORKERS) must be a whole number"),
    ([], {"KB_LIVE_RATE_LIMIT": "lots"}, "KB_LIVE_RATE_LIMIT"),
    ([], {"KB_RATE_LIMIT": "fast please"}, "KB_RATE_LIMIT"),
])
def test_serve_refuses_bad_options_before_anything_starts(corpus_index_path, monkeypatch, capsys, tmp_path, args,
                                                          env, message):
    monkeypatch.setenv("KB_DATA", str(tmp_path))
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    waitress = FakeWaitress(monkeypatch)
    assert main(["--corpus", str(CORPUS), "--index", str(corpus_index_path), "serve", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and "serving on" not in err
    assert len(err.strip().splitlines()) == 1
    assert waitress.calls == []
