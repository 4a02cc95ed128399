"""The site keeps its answers and searches per index generation (web.queries, kb/index/memo.py): the same
question asked again gets the same bytes as the first time and as a site keeping nothing; a new generation
starts with nothing kept (a question about a document just added is answered from it); the date the
rules are read on is part of what is kept; an unanswered question is recorded as missed every time."""

from __future__ import annotations

import pytest

from kb.errors import SettingsError
from kb.index import build
from kb.index.memo import Memo
from tests.conftest import CORPUS, write_doc

QUESTIONS = ["高压单电源用户接电时间是多少个工作日？", "计划检修停电提前几天通知", "窃电 处罚", "供电方案答复期限",
             "一年内停电多少次算频繁停电？"]


@pytest.fixture()
def sites(corpus_index_path, tmp_path):
    from web import create_app

    def site(kept: int, data: str):
        (tmp_path / data).mkdir()
        return create_app({"KB_INDEX": str(corpus_index_path), "KB_CORPUS": str(CORPUS),
                           "KB_DATA": str(tmp_path / data), "KB_RATE_LIMIT": "100000/minute", "TESTING": True,
                           "KB_ANSWER_CACHE": kept}).test_client()

    return site(512, "kept"), site(0, "none")


def test_an_answer_asked_again_is_the_same_bytes_as_one_worked_out_anew(sites):
    keeping, plain = sites
    for question in QUESTIONS:
        for path in ("/api/ask", "/api/search"):
            first = keeping.get(path, query_string={"q": question}).data
            again = keeping.get(path, query_string={"q": question, "live": "1"}).data
            anew = plain.get(path, query_string={"q": question}).data
            if path == "/api/search":  # the one timing in a result
                first, again, anew = (_without_elapsed(body) for body in (first, again, anew))
            assert first == again == anew, (path, question)
    generation = keeping.application.extensions["kb_index"].generation
    assert generation.memos["web.answers"].hits == len(QUESTIONS)
    assert generation.memos["web.searches"].hits == len(QUESTIONS)
    assert not plain.application.extensions["kb_index"].generation.memos


def _without_elapsed(body: bytes) -> bytes:
    import json

    data = json.loads(body)
    data.pop("elapsed_ms")
    return json.dumps(data, ensure_ascii=False).encode()


def test_the_date_rules_are_read_on_is_part_of_what_is_kept(sites):
    keeping, _plain = sites
    first = keeping.get("/api/ask", query_string={"q": QUESTIONS[0], "on": "2020-01-01"}).get_json()
    second = keeping.get("/api/ask", query_string={"q": QUESTIONS[0], "on": "2026-12-01"}).get_json()
    assert first["understood"]["on"] == "2020-01-01" and second["understood"]["on"] == "2026-12-01"


def test_an_unanswered_question_is_recorded_each_time_it_is_asked(sites):
    keeping, _plain = sites
    for _ in range(3):
        assert not keeping.get("/api/ask", query_string={"q": "火星上的电价是多少"}).get_json()["found"]
    store = keeping.application.extensions["kb_feedback"]
    assert [row["times"] for row in store.missed() if row["query"] == "火星上的电价是多少"] == [3]


def test_a_new_generation_is_answered_from_itself(tmp_path):
    from web import create_app

    corpus = tmp_path / "corpus"
    write_doc(corpus, "a", "甲市供电通知", "一、计划检修停电应当提前七天通知用户。\n", region="鄂尔多斯市")
    build(corpus, tmp_path / "index")
    (tmp_path / "data").mkdir()
    client = create_app({"KB_INDEX": str(tmp_path / "index"), "KB_CORPUS": str(corpus), "KB_DATA": str(tmp_path / "data"),
                         "KB_RATE_LIMIT": "100000/minute", "TESTING": True}).test_client()
    question = {"q": "窃电行为罚款多少倍？"}
    assert client.get("/api/ask", query_string=question).get_json()["citations"] == []
    assert client.get("/api/ask", query_string=question).get_json()["citations"] == []  # kept
    write_doc(corpus, "c", "丙条例", "第一条 窃电的，处应交电费五倍以下的罚款。\n")
    build(corpus, tmp_path / "index")
    assert client.get("/api/ask", query_string=question).get_json()["citations"][0]["doc_id"] == "c"


def test_a_memo_keeps_at_most_its_size_dropping_the_least_recently_used():
    memo = Memo(2)
    memo.put("a", 1)
    memo.put("b", 2)
    assert memo.get("a") == 1  # a is now the most recent
    memo.put("c", 3)
    assert memo.get("b", None) is None and memo.get("a") == 1 and memo.get("c") == 3
    assert memo.stats() == {"entries": 2, "held": 2, "size": 2, "hits": 3, "misses": 1}
    nothing = Memo(0)
    nothing.put("a", 1)
    assert nothing.get("a", None) is None


def test_a_bad_size_is_a_settings_error(monkeypatch, corpus_index_path, tmp_path):
    from web import create_app

    monkeypatch.setenv("KB_ANSWER_CACHE", "many")
    with pytest.raises(SettingsError, match="KB_ANSWER_CACHE"):
        create_app({"KB_INDEX": str(corpus_index_path), "KB_DATA": str(tmp_path)})
