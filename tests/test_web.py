"""The site through Flask's test client: pages, their JSON twins, escaping and errors."""

import re
import time

import pytest


def test_search_page_shows_ranked_clauses_with_filters(client):
    page = client.get("/search?q=高压双电源 时限").get_data(as_text=True)
    first = page.index('class="hit"')
    assert "附件2 高压双电源用户" in page[first:first + 2000]
    assert 'href="/doc/002#att2-t1-r3"' in page
    assert "<mark>高压双电源</mark>" in page
    assert 'name="region"' in page and 'name="status"' in page


def test_the_permalink_opens_the_document_at_that_row(client):
    page = client.get("/doc/002").get_data(as_text=True)
    row = re.search(r'<tr (?=[^>]*\bid="att2-t1-r3")(?=[^>]*\bclass="clause")[^>]*>(.*?)</tr>', page, re.S)
    assert row and "高压双电源用户" in row.group(1) and "32" in row.group(1)


def test_every_clause_of_a_document_has_an_anchor(client):
    data = client.get("/api/doc/001").get_json()
    page = client.get("/doc/001").get_data(as_text=True)
    for clause in data["clauses"]:
        assert f'id="{clause["id"]}"' in page, clause["id"]


def test_document_page_shows_metadata_and_supersedes(client):
    page = client.get("/doc/002").get_data(as_text=True)
    for text in ("征求意见稿", "内蒙古自治区", "内能电力字〔2024〕857号", "全部废止", "5年"):
        assert text in page


def test_api_search_is_the_json_twin(client):
    data = client.get("/api/search?q=计划检修 提前通知&limit=3").get_json()
    assert data["hits"][0]["label"] == "第二十八条" and data["hits"][0]["doc_id"] == "006"
    assert len(data["hits"]) == 3


def test_api_search_filters(client):
    data = client.get("/api/search?q=停电时间&region=巴彦淖尔市&limit=20").get_json()
    assert {h["region"] for h in data["hits"]} <= {"巴彦淖尔市", "内蒙古自治区", "全国"}


def test_api_doc_lists_clauses_with_permalinks(client):
    data = client.get("/api/doc/006").get_json()
    article = next(c for c in data["clauses"] if c["id"] == "a28")
    assert article["label"] == "第二十八条" and article["url"] == "/doc/006#a28"
    assert data["meta"]["effective"] == "1996-09-01"


def test_healthz(client):
    data = client.get("/healthz").get_json()
    assert data["status"] == "ok" and data["documents"] >= 10 and data["clauses"] > 400


@pytest.mark.parametrize("url, status", [
    ("/api/search?q=x&limit=abc", 400), ("/api/search?q=x&limit=-1", 400), ("/api/search?q=x&region=nonsense", 400),
    ("/api/doc/nope", 404), ("/nope", 404), ("/api/nope", 404),
])
def test_bad_requests_get_a_clear_json_or_html_error(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    if url.startswith("/api/"):
        assert response.get_json()["error"]
    else:
        assert "Traceback" not in response.get_data(as_text=True)


def test_bad_parameters_on_pages_render_an_html_error(client):
    response = client.get("/search?q=x&region=nonsense")
    assert response.status_code == 400 and "未知地区" in response.get_data(as_text=True)


def test_user_text_is_escaped(client):
    payload = "<script>alert(1)</script>"
    page = client.get("/search", query_string={"q": payload}).get_data(as_text=True)
    assert payload not in page and "&lt;script&gt;" in page


def test_a_long_syntax_laden_query_is_answered(client):
    response = client.get("/api/search", query_string={"q": "电* [a TO z] AND " * 700})
    assert response.status_code == 200 and "hits" in response.get_json()


def test_unexpected_errors_are_a_500_page_without_a_trace(app, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("internal detail")

    monkeypatch.setattr("web.queries.search", boom)
    response = app.test_client().get("/api/search?q=x")
    assert response.status_code == 500
    assert "internal detail" not in response.get_data(as_text=True)


def test_api_ask_is_the_answer_json(client):
    data = client.get("/api/ask", query_string={"q": "巴彦淖尔三零低压接电几天", "on": "2026-11-23"}).get_json()
    assert data["found"] and "4个工作日" in data["answer"]
    assert data["citations"][0]["url"].startswith("/doc/003#")
    assert data["applicable"][0]["region"] == "巴彦淖尔市"


def test_api_ask_region_and_date_parameters(client):
    data = client.get("/api/ask", query_string={"q": "线上办电率", "region": "鄂尔多斯市"}).get_json()
    assert "95%" in data["answer"]
    assert client.get("/api/ask?q=x&on=not-a-date").status_code == 400
    assert client.get("/api/ask?q=x&region=nonsense").status_code == 400


def test_console_renders_the_answer_card_without_javascript(client):
    page = client.get("/?q=高压双电源用户供电方案答复时限").get_data(as_text=True)
    assert 'class="answer-card"' in page and "20个工作日" in page and 'class="copy copy-note"' in page
    assert "<script>" not in page.replace('<script src=', '')  # no inline script


def test_rules_docs_and_faq_pages_with_their_json_twins(client):
    assert "供电方案答复" in client.get("/rules?subject=高压双电源用户").get_data(as_text=True)
    assert client.get("/rules?subject=火星用户").status_code == 400
    assert client.get("/api/rules").status_code == 400
    assert len(client.get("/api/docs").get_json()) >= 10
    assert "内能电力字〔2024〕857号" in client.get("/doc/002").get_data(as_text=True)
    faq = client.get("/api/faq?q=停电要提前几天通知").get_json()
    assert faq[0]["citations"][0]["url"] == "/doc/006#a28"
    assert len(client.get("/api/faq").get_json()) >= 20
    assert 'class="faq-entry"' in client.get("/faq").get_data(as_text=True)


def test_feedback_form_without_javascript_redirects_back(client):
    response = client.post("/feedback", data={"kind": "faq", "target": "tingdian-tiqian-tongzhi", "verdict": "useful",
                                              "back": "/faq?q=停电"})
    assert response.status_code == 303 and response.headers["Location"].startswith("/faq?")
    assert "thanks=1" in response.headers["Location"]
    offsite = client.post("/feedback", data={"kind": "faq", "target": "x", "verdict": "useful",
                                             "back": "https://evil.example/"})
    assert "evil.example" not in offsite.headers["Location"]
    assert client.post("/api/feedback", json={"kind": "faq", "target": "x", "verdict": "?"}).status_code == 400


def test_the_staff_page_is_off_without_a_token(client, app):
    assert app.config["KB_ADMIN_TOKEN"] == ""
    assert client.get("/feedback").status_code == 404
    assert client.get("/api/feedback").status_code == 404


def test_the_staff_page_needs_the_right_token(app):
    app.config["KB_ADMIN_TOKEN"] = "s3cret"
    try:
        client = app.test_client()
        assert client.get("/feedback?token=wrong").status_code == 403
        assert client.get("/feedback?token=s3cret").status_code == 200
        assert client.get("/api/feedback", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    finally:
        app.config["KB_ADMIN_TOKEN"] = ""


# ------------------------------------------------------------- the site keeps answering without its data dir


def test_the_site_starts_and_answers_when_kb_data_cannot_be_written(corpus_index_path, tmp_path, caplog):
    from web import create_app

    (tmp_path / "file").write_text("a regular file: nothing can be created under it, not even by root")
    with caplog.at_level("WARNING"):
        app = create_app({"KB_INDEX": str(corpus_index_path), "KB_DATA": str(tmp_path / "file" / "sub"),
                          "KB_RATE_LIMIT": "100000/minute"})
    assert len([r for r in caplog.records if "feedback off" in r.getMessage()]) == 1  # logged once, at start
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["feedback"].startswith("off: ")
    missed = client.get("/api/ask?q=社保卡丢了怎么补办")  # a miss, which would be recorded
    assert missed.status_code == 200 and missed.get_json()["found"] is False
    assert client.get("/?q=社保卡丢了怎么补办").status_code == 200
    posted = client.post("/api/feedback", json={"kind": "faq", "target": "x", "verdict": "useful"})
    assert posted.status_code == 503 and posted.get_json()["error"] == "反馈功能暂不可用"
    form = client.post("/feedback", data={"kind": "faq", "target": "x", "verdict": "useful", "back": "/faq"})
    assert form.status_code == 503 and "反馈暂时无法保存" in form.get_data(as_text=True)


def test_a_failing_disk_does_not_fail_the_answer(corpus_index_path, tmp_path, monkeypatch):
    import sqlite3

    from web import create_app

    app = create_app({"KB_INDEX": str(corpus_index_path), "KB_DATA": str(tmp_path), "KB_RATE_LIMIT": "100000/minute"})
    connect = sqlite3.connect

    def read_only(path, *args, **kwargs):  # SQLite itself refuses every write, as on a full or read-only disk
        return connect(f"file:{path}?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", read_only)
    client = app.test_client()
    response = client.get("/api/ask?q=社保卡丢了怎么补办")
    assert response.status_code == 200 and response.get_json()["found"] is False
    assert client.get("/healthz").get_json()["feedback"].startswith("failing: ")
    posted = client.post("/api/feedback", json={"kind": "faq", "target": "x", "verdict": "useful"})
    assert posted.status_code == 503 and "稍后再试" in posted.get_json()["detail"]


# ------------------------------------------------------------------------------------ long documents, paged

LONG_ARTICLES = 3000
LONG_ROWS = 4000


@pytest.fixture(scope="module")
def long_app(tmp_path_factory):
    """A corpus of one generated document of about 2 MB: 3,000 articles, then a 4,000-row table."""
    from kb.index import build
    from tests.conftest import write_doc
    from web import create_app

    base = tmp_path_factory.mktemp("long")
    articles = [f"第{n}条　供电企业应当在规定时限内完成第{n}项工作，" + "有关单位应当配合并提供必要的条件。" * 30
                for n in range(1, LONG_ARTICLES + 1)]
    articles[-1] += "末条另行规定：光伏并网验收不超过九十九个工作日。"
    rows = "\n".join(f"| 用户类型{n} | {n % 30 + 1} | 备注{'长' * 40} |" for n in range(1, LONG_ROWS + 1))
    table = f"附件1 各类用户办理时限表\n\n| 用户类型 | 时限（工作日） | 备注 |\n| --- | --- | --- |\n{rows}\n"
    write_doc(base / "corpus", "long", "长文件测试", "\n\n".join(articles) + "\n\n" + table)
    build(base / "corpus", base / "index")
    return create_app({"KB_INDEX": str(base / "index"), "KB_CORPUS": str(base / "corpus"),
                       "KB_DATA": str(base / "data"), "KB_RATE_LIMIT": "100000/minute"})


def _ids(page: str) -> list[str]:
    # every element marked as a clause, whatever the order of its attributes
    tags = re.findall(r'<[a-z0-9]+ [^>]*\bclass="clause"[^>]*>', page)
    return [re.search(r'\bid="([^"]+)"', tag).group(1) for tag in tags]


def test_a_long_document_is_served_in_pages_of_bounded_size(long_app):
    from web.documents import PAGE_BYTES

    client = long_app.test_client()
    first = client.get("/doc/long").get_data(as_text=True)
    count = int(re.search(r'data-pages="(\d+)"', first).group(1))
    assert count > 5
    seen = []
    for number in range(1, count + 1):
        page = client.get(f"/doc/long?page={number}").get_data(as_text=True)
        contents = page.count('<ol class="pages">') if number == 1 else 0  # page 1 lists the pages
        assert len(page.encode()) < 1.5 * PAGE_BYTES + 10_000 + contents * 200 * count, number
        seen += _ids(page)
        if number > 1:
            assert f'href="/doc/long?page={number - 1}"' in page  # a link back
            assert '<ol class="pages">' not in page
    clauses = [c["id"] for c in client.get("/api/doc/long").get_json()["clauses"]]
    assert sorted(seen) == sorted(clauses)  # every clause on exactly one page
    assert "<thead>" in page  # the long table, cut between rows, keeps its header on every page


def test_a_long_document_is_rendered_once_per_index_generation(long_app, monkeypatch):
    import web.documents

    renders = []
    render = web.documents.render_blocks
    monkeypatch.setattr(web.documents, "render_blocks", lambda blocks, labels=None: renders.append(1) or render(blocks, labels))
    long_app.extensions.pop("kb_document_pages", None)  # start cold
    client = long_app.test_client()
    started = time.perf_counter()
    first = client.get("/doc/long?page=3")
    cold = time.perf_counter() - started
    started = time.perf_counter()
    second = client.get("/doc/long?page=3")
    warm = time.perf_counter() - started
    assert first.get_data() == second.get_data() and len(renders) == 1  # the second came from the cache
    assert warm < max(cold, 0.2)
    index = long_app.extensions["kb_index"]
    monkeypatch.setitem(index.manifest, "built_at", "a later build")  # what a reindex changes
    client.get("/doc/long?page=3")
    assert len(renders) == 2  # a new generation is rendered afresh, never served stale


def test_a_clause_on_a_later_page_is_reachable_from_every_link(long_app):
    client = long_app.test_client()
    last = f"a{LONG_ARTICLES}"
    jump = client.get(f"/doc/long?clause={last}")
    assert jump.status_code == 302
    target = jump.headers["Location"]
    page = int(re.search(r"\?page=(\d+)#" + last + "$", target).group(1))
    assert page > 1 and f'id="{last}"' in client.get(target).get_data(as_text=True)
    assert client.get("/api/search?q=光伏并网验收").get_json()["hits"][0]["url"] == target
    assert client.get("/api/ask?q=光伏并网验收").get_json()["hits"][0]["url"] == target
    assert f'href="{target}"' in client.get("/search?q=光伏并网验收").get_data(as_text=True)
    api = {c["id"]: c["url"] for c in client.get("/api/doc/long").get_json()["clauses"]}
    assert api[last] == target and api["a1"] == "/doc/long#a1"
    contents = client.get("/doc/long").get_data(as_text=True)  # without JavaScript: page 1 lists the pages
    assert f'<a href="/doc/long?page={page}">第 {page} 页</a>：自第' in contents


def test_page_and_clause_parameters_that_do_not_exist(long_app):
    client = long_app.test_client()
    assert client.get("/doc/long?page=abc").status_code == 400
    assert client.get("/doc/long?page=0").status_code == 404
    assert client.get("/doc/long?page=99999").status_code == 404
    missing = client.get("/doc/long?clause=nope")
    assert missing.status_code == 302 and missing.headers["Location"] == "/doc/long"


def test_a_short_document_is_one_page_with_its_old_permalinks(client):
    page = client.get("/doc/002").get_data(as_text=True)
    assert 'data-pages="1"' in page and 'class="pager"' not in page
    assert client.get("/doc/002?clause=att2-t1-r3").headers["Location"] == "/doc/002#att2-t1-r3"


def test_a_100_kb_question_is_echoed_only_as_far_as_it_is_read(client):
    from kb.search import MAX_QUERY_CHARS

    question = ("高压双电源用户供电方案答复时限" * 7000)[:100_000]
    ask = client.get("/api/ask", query_string={"q": question})
    data = ask.get_json()
    assert ask.status_code == 200 and data["question"] == question[:MAX_QUERY_CHARS]
    assert "只用了前 2000 个字" in data["message"]
    assert question[:MAX_QUERY_CHARS + 1] not in ask.get_data(as_text=True)
    assert len(ask.get_data()) < 200_000
    found = client.get("/api/search", query_string={"q": question}).get_json()
    assert found["query"] == question[:MAX_QUERY_CHARS] and "2000" in found["message"]
    page = client.get("/", query_string={"q": question}).get_data(as_text=True)
    assert question[:MAX_QUERY_CHARS + 1] not in page and "只用了前 2000 个字" in page
    assert "message" not in client.get("/api/ask?q=窃电").get_json()  # a normal question: kb ask's object


def test_healthz_says_degraded_while_an_older_generation_is_served(tmp_path):
    from kb.index import build
    from tests.conftest import write_doc
    from web import create_app

    corpus = tmp_path / "corpus"
    write_doc(corpus, "a", "某通知", "一、计划检修提前七天通知。\n")
    index = tmp_path / "index"
    build(corpus, index)
    write_doc(corpus, "b", "另一通知", "一、窃电依法处理。\n")
    build(corpus, index)
    (index.resolve() / "documents.json").write_bytes(b"{}")  # the newest generation is damaged
    app = create_app({"KB_INDEX": str(index), "KB_CORPUS": str(corpus), "KB_DATA": str(tmp_path / "data"),
                      "KB_RATE_LIMIT": "1000/minute", "TESTING": True})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "degraded" and "older generation" in response.get_json()["detail"]
    assert app.test_client().get("/api/search?q=计划检修").get_json()["hits"]
