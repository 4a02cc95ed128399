"""Property-based: whatever arrives — any Unicode, control characters, Whoosh syntax, huge queries,
bad parameters — the answer is a 200 with results or a 4xx with a clear error, never a 500."""

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.cli import main

WHOOSH_SYNTAX = ["*", "?", "[a TO z]", "AND", "OR", "NOT", '"', "(", ")", "~2", "^3", "title:", "{", "}", ":", "\\\\"]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
QUERY = st.one_of(TEXT, st.lists(st.sampled_from(WHOOSH_SYNTAX + ["窃电", "高压双电源", "时限", "\x00", "\u202e"]),
                                 max_size=12).map(" ".join))
PARAM = st.one_of(st.none(), TEXT, st.sampled_from(["nonsense", "-1", "0", "101", "not-a-date", "2026-02-30",
                                                    "鄂尔多斯", "全国", "9" * 40]))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def params(**values):
    return {k: v for k, v in values.items() if v is not None}


def check(response, api: bool):
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    if response.status_code >= 400:
        if api:
            assert response.get_json()["error"]
        else:
            assert "Traceback" not in response.get_data(as_text=True)


@SETTINGS
@given(q=QUERY, region=PARAM, status=PARAM, limit=PARAM, doc=PARAM)
def test_api_search(client, q, region, status, limit, doc):
    check(client.get("/api/search", query_string=params(q=q, region=region, status=status, limit=limit, doc=doc)), True)


@SETTINGS
@given(q=QUERY, region=PARAM, on=PARAM, start=PARAM)
def test_api_ask(client, q, region, on, start):
    response = client.get("/api/ask", query_string=params(q=q, region=region, on=on, **{"from": start}))
    check(response, True)
    if response.status_code == 200:
        assert len(response.get_json()["answer"]) <= 400


@SETTINGS
@given(path=st.sampled_from(["/", "/search", "/faq", "/rules", "/docs", "/doc/002", "/api/faq", "/api/rules",
                             "/api/docs"]),
       q=QUERY, region=PARAM, subject=PARAM, on=PARAM)
def test_pages(client, path, q, region, subject, on):
    check(client.get(path, query_string=params(q=q, region=region, subject=subject, on=on)), path.startswith("/api/"))


@SETTINGS
@given(doc_id=TEXT.filter(lambda s: "/" not in s and s not in ("", ".", "..")))
def test_document_ids(client, doc_id):
    check(client.get(f"/doc/{doc_id}"), False)
    check(client.get(f"/api/doc/{doc_id}"), True)


@SETTINGS
@given(body=st.one_of(st.dictionaries(st.sampled_from(["kind", "target", "verdict", "comment", "answer", "region"]),
                                      st.one_of(TEXT, st.integers(), st.none(), st.lists(TEXT, max_size=2))),
                      st.lists(TEXT, max_size=3), TEXT))
def test_feedback_posts(client, body):
    check(client.post("/api/feedback", data=json.dumps(body), content_type="application/json"), True)
    check(client.post("/feedback", data=body if isinstance(body, dict) else {"x": str(body)}), False)


def test_a_100_kb_query_is_answered(client):
    for path in ("/api/search", "/api/ask", "/", "/search"):
        response = client.get(path, query_string={"q": "高压双电源时限电*[a TO z]" * 6000})
        assert response.status_code == 200, path


@settings(max_examples=40, deadline=None)
@given(q=QUERY, region=st.one_of(st.none(), st.sampled_from(["nonsense", "鄂尔多斯"])), limit=st.sampled_from(
    [None, "-1", "5", "abc"]))
def test_cli_never_raises(corpus_index_path, q, region, limit):
    args = ["--corpus", "corpus", "--index", str(corpus_index_path), "search", q or " "]
    args += ["--region", region] if region else []
    args += ["--limit", limit] if limit else []
    try:
        code = main(args)
    except SystemExit as exit_:  # argparse refusing a bad value (e.g. --limit abc) exits 2 with a message
        code = exit_.code
    assert code in (0, 2)


def test_printable_ascii_noise_in_every_cli_command(corpus_index_path, capsys):
    noise = string.punctuation * 3
    base = ["--corpus", "corpus", "--index", str(corpus_index_path)]
    assert main(base + ["ask", noise, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["found"] is False
    assert main(base + ["facts", "--subject", noise]) == 0


# -- the product's own vocabulary: every region, customer type, item, condition, document and status ------


def _vocabulary():
    import yaml

    from kb.corpus import load_corpus
    from kb.vocab import DATA_DIR, default_vocab
    from tests.conftest import CORPUS

    facts = yaml.safe_load((DATA_DIR / "facts.yaml").read_text(encoding="utf-8"))
    regions = sorted({n for r in default_vocab().regions.values() for n in (r.name, *r.names)})
    subjects = sorted({w for name, spec in facts["subjects"].items() for w in (name, *spec["patterns"])})
    items = sorted({w for name, spec in facts["items"].items() for w in (name, *spec["patterns"])})
    conditions = sorted({w for name, patterns in facts["qualifiers"].items() for w in (name, *patterns)})
    documents = load_corpus(CORPUS)
    return {"regions": regions, "subjects": subjects, "items": items, "conditions": conditions,
            "doc_ids": sorted(d.id for d in documents), "titles": sorted(d.title for d in documents),
            "statuses": list(default_vocab().documents["status_values"])}


VOCAB = _vocabulary()
WORD = st.one_of(*(st.sampled_from(words) for words in VOCAB.values()))
ASKING = st.sampled_from(["多少天", "几个工作日", "时限", "是多少", "吗", "有哪些", "怎么办", "？", ""])
VOCAB_QUESTION = st.one_of(
    WORD,
    st.tuples(st.sampled_from(VOCAB["regions"]), st.sampled_from(VOCAB["subjects"]), st.sampled_from(VOCAB["items"]),
              st.sampled_from(VOCAB["conditions"] + [""]), ASKING).map("".join),
    st.lists(WORD, min_size=1, max_size=6).map(" ".join),
    st.tuples(WORD, TEXT, WORD).map("".join),
)
VOCAB_PARAM = st.one_of(st.none(), WORD, PARAM)


@SETTINGS
@given(q=VOCAB_QUESTION, region=st.one_of(st.none(), st.sampled_from(VOCAB["regions"])), on=PARAM)
def test_api_ask_over_the_vocabulary(client, q, region, on):
    response = client.get("/api/ask", query_string=params(q=q, region=region, on=on))
    check(response, True)


@SETTINGS
@given(q=VOCAB_QUESTION, region=VOCAB_PARAM, status=st.one_of(st.none(), st.sampled_from(VOCAB["statuses"]), PARAM),
       doc=st.one_of(st.none(), st.sampled_from(VOCAB["doc_ids"]), PARAM))
def test_api_search_over_the_vocabulary(client, q, region, status, doc):
    response = client.get("/api/search", query_string=params(q=q, region=region, status=status, doc=doc))
    check(response, True)
    if response.status_code == 200 and region in VOCAB["regions"] and status in (None, *VOCAB["statuses"]):
        assert "error" not in response.get_json()


@SETTINGS
@given(path=st.sampled_from(["/", "/search", "/rules", "/faq"]), q=VOCAB_QUESTION, region=VOCAB_PARAM,
       subject=st.one_of(st.none(), st.sampled_from(VOCAB["subjects"])))
def test_pages_over_the_vocabulary(client, path, q, region, subject):
    check(client.get(path, query_string=params(q=q, region=region, subject=subject)), False)


@pytest.mark.parametrize("name", VOCAB["regions"])
def test_every_region_name_answers_in_the_question_and_as_the_region(client, name):
    for query in ({"q": f"{name}高压双电源用户供电方案答复时限"}, {"q": "计划检修提前几天通知", "region": name},
                  {"q": name}):
        for path in ("/api/ask", "/api/search", "/"):
            response = client.get(path, query_string=query)
            assert response.status_code == 200, (path, query, response.get_data(as_text=True)[:300])


def test_kb_ask_stream_answers_every_line_of_the_vocabulary(corpus_index_path, capsys, monkeypatch):
    import io

    lines = [f"{name}{subject}" for name, subject in zip(VOCAB["regions"], VOCAB["subjects"] * 10, strict=False)]
    lines += VOCAB["doc_ids"] + VOCAB["statuses"] + VOCAB["titles"] + ["", "\x00", "高压双电源" * 500]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["--index", str(corpus_index_path), "ask", "--json", "-"]) == 0
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["question"] for a in answers] == lines


def test_kb_ask_stream_goes_on_after_a_line_that_fails(corpus_index_path, capsys, monkeypatch):
    import io

    import kb.cli.commands

    real_ask = kb.cli.commands.ask

    def failing_on_one(index, text, **kwargs):
        if text == "坏的一行":
            raise RuntimeError("simulated engine fault")
        return real_ask(index, text, **kwargs)

    monkeypatch.setattr(kb.cli.commands, "ask", failing_on_one)
    monkeypatch.setattr("sys.stdin", io.StringIO("呼和浩特停电通知\n坏的一行\n高压双电源用户供电方案答复时限\n"))
    assert main(["--index", str(corpus_index_path), "ask", "--json", "-"]) == 0
    captured = capsys.readouterr()
    answers = [json.loads(line) for line in captured.out.splitlines()]
    assert len(answers) == 3 and answers[1]["error"] and answers[2]["found"]
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("name", VOCAB["regions"])
def test_kb_ask_and_search_take_every_region(corpus_index_path, capsys, name):
    base = ["--index", str(corpus_index_path)]
    assert main(base + ["ask", "停电", "--region", name, "--json"]) == 0
    assert main(base + ["search", f"{name} 停电", "--region", name]) == 0
    assert main(base + ["facts", "--region", name, "--json"]) == 0
    capsys.readouterr()


FIELDS = ["kind", "target", "verdict", "comment", "answer", "region"]
VALID = {"kind": "answer", "target": "高压双电源多久能通电", "verdict": "wrong", "comment": "", "answer": "", "region": ""}


@pytest.mark.parametrize("field", FIELDS)
def test_a_lone_surrogate_in_any_feedback_field_is_not_a_500(client, field):
    body = json.dumps({**VALID, field: VALID[field] + "\ud800"})  # json.dumps writes it as the escape \\ud800
    response = client.post("/api/feedback", data=body, content_type="application/json")
    assert response.status_code in (201, 400), response.get_data(as_text=True)[:300]
    assert response.get_json()["ok" if response.status_code == 201 else "error"]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("value", [42, None, ["x"], {"x": 1}, False])
def test_a_feedback_field_that_is_not_text_is_a_400(client, field, value):
    response = client.post("/api/feedback", json={**VALID, field: value})
    assert response.status_code == 400 and f"字段 {field} 应为文字" in response.get_json()["detail"]


@pytest.mark.parametrize("field, value", [("target", "\u200b\u200b"), ("target", "\u3000 \n"), ("target", "\x00"),
                                          ("kind", "\ufeff"), ("verdict", " ")])
def test_an_empty_looking_required_feedback_field_is_a_400(client, field, value):
    assert client.post("/api/feedback", json={**VALID, field: value}).status_code == 400
    assert client.post("/feedback", data={**VALID, field: value}).status_code == 400


def test_an_unknown_feedback_region_is_a_400(client):
    response = client.post("/api/feedback", json={**VALID, "region": "火星"})
    assert response.status_code == 400 and "未知地区" in response.get_json()["detail"]
    assert client.post("/api/feedback", json={**VALID, "region": "鄂尔多斯"}).status_code == 201


@SETTINGS
@given(body=st.dictionaries(st.sampled_from(FIELDS), st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=50), st.integers(), st.none()), max_size=6))
def test_feedback_posts_with_any_code_point_including_surrogates(client, body):
    check(client.post("/api/feedback", data=json.dumps({**VALID, **body}), content_type="application/json"), True)
