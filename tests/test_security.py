"""The public surface: rate limits, security headers, size limits."""

import pytest

from kb.errors import SettingsError
from web import create_app


@pytest.fixture()
def limited_client(corpus_index_path, tmp_path):
    app = create_app({"KB_INDEX": str(corpus_index_path), "KB_DATA": str(tmp_path), "KB_RATE_LIMIT": "3/minute"})
    return app.test_client()


def test_security_headers_on_pages_and_api(client):
    for url in ("/", "/faq", "/api/search?q=窃电", "/nope"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_public_endpoints_are_rate_limited_with_a_clear_answer(limited_client):
    statuses = [limited_client.get("/api/search?q=窃电").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = limited_client.get("/api/ask?q=窃电")
    assert response.status_code == 429 and response.get_json()["error"] == "请求过于频繁，请稍后再试"
    assert "请求过于频繁" in limited_client.get("/faq").get_data(as_text=True)


def test_health_checks_and_static_files_are_not_limited(limited_client):
    assert all(limited_client.get("/healthz").status_code == 200 for _ in range(10))


def test_request_bodies_are_size_limited(client):
    response = client.post("/api/feedback", data="x" * (70 * 1024), content_type="application/json")
    assert response.status_code == 413 and response.get_json()["error"] == "请求内容过大"


# ------------------------------------------------------------------------- redirects stay on the site

FEEDBACK = {"kind": "faq", "target": "tingdian-tiqian-tongzhi", "verdict": "useful"}


def leaves_the_site(location: str) -> bool:
    """Whether a browser would follow ``location`` off the site: it drops tabs and newlines, reads
    backslashes as slashes, and treats "//host" and "scheme:" as other places."""
    from urllib.parse import urlsplit

    seen = "".join(c for c in location if c not in "\t\n\r").replace("\\", "/").lstrip("".join(map(chr, range(33))))
    parts = urlsplit(seen)
    return bool(parts.scheme or parts.netloc or seen.startswith("//"))


@pytest.mark.parametrize("back", [
    "////evil.example/x", "//evil.example", "///evil.example", "/\\evil.example", "/\\/evil.example",
    "\\\\evil.example", "https:evil", "https://evil.example/", "http:/evil.example", "javascript:alert(1)",
    "/\t/evil.example", "\t//evil.example", "/\n/evil.example", "/\r\n/evil.example", " //evil.example",
    "/%09/evil.example\t", "evil.example", "", "/\x00/evil.example",
])
def test_the_feedback_form_never_redirects_off_the_site(client, back):
    response = client.post("/feedback", data={**FEEDBACK, "back": back})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert not leaves_the_site(location) and location == "/?thanks=1", location


@pytest.mark.parametrize("referer", ["http://evil.example/x", "http://localhost//evil.example/x",
                                     "http://localhost/\\evil.example", "https://localhost/faq"])
def test_a_referer_only_sends_the_visitor_back_to_a_path_of_this_site(client, referer):
    response = client.post("/feedback", data=FEEDBACK, headers={"Origin": "http://localhost", "Referer": referer})
    assert response.headers["Location"] == "/?thanks=1"


def test_the_referer_path_of_this_site_is_where_the_visitor_returns(client):
    response = client.post("/feedback", data=FEEDBACK, headers={"Referer": "http://localhost/faq?q=1&thanks=1"})
    assert response.headers["Location"] == "/faq?q=1&thanks=1"


# ------------------------------------------------------------------------------ cross-site posts refused


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"}, {"Origin": "null"}, {"Origin": "http://localhost:8080"},
    {"Origin": "https://localhost"}, {"Origin": "http://localhost.evil.example"},
    {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},
    {"Referer": "https://evil.example/page"},
])
@pytest.mark.parametrize("url", ["/feedback", "/api/feedback"])
def test_a_cross_site_feedback_post_is_refused(client, app, headers, url):
    before = app.extensions["kb_feedback"].count()
    response = client.post(url, data={**FEEDBACK, "back": "/faq"}, headers=headers)
    assert response.status_code == 403
    assert "跨站提交不予受理" in response.get_data(as_text=True)
    assert app.extensions["kb_feedback"].count() == before


@pytest.mark.parametrize("headers", [
    {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}, {"Origin": "http://LOCALHOST:80"},
    {"Referer": "http://localhost/faq"}, {},  # neither Origin nor Referer: curl, scripts (README)
])
def test_a_same_origin_feedback_post_is_accepted(client, headers):
    assert client.post("/api/feedback", json=FEEDBACK, headers=headers).status_code == 201
    assert client.post("/feedback", data={**FEEDBACK, "back": "/faq"}, headers=headers).status_code == 303


# ------------------------------------------------------------------ budgets: live typing, proxies, headers


def limited_app(index_path, data, **config):
    return create_app({"KB_INDEX": str(index_path), "KB_DATA": str(data), "KB_RATE_LIMIT": "3/minute", **config})


def test_live_typing_has_its_own_larger_budget(corpus_index_path, tmp_path):
    client = limited_app(corpus_index_path, tmp_path, KB_LIVE_RATE_LIMIT="5/minute").test_client()
    assert [client.get("/api/search?q=窃电").status_code for _ in range(4)] == [200, 200, 200, 429]
    live = [client.get("/api/ask?q=窃电&live=1").status_code for _ in range(6)]
    assert live == [200] * 5 + [429]  # a budget of its own: the spent normal one did not count
    assert client.get("/api/ask?q=窃电").status_code == 429  # without live=1, the normal budget


def test_live_typing_does_not_spend_the_normal_budget(corpus_index_path, tmp_path):
    client = limited_app(corpus_index_path, tmp_path).test_client()  # live budget: 5 × 3/minute by default
    assert all(client.get("/api/ask?q=窃电&live=1").status_code == 200 for _ in range(15))
    assert client.get("/api/ask?q=窃电&live=1").status_code == 429
    assert [client.get("/faq").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_the_console_script_asks_live():
    from tests.conftest import ROOT

    assert "live=1" in (ROOT / "web" / "static" / "console.js").read_text(encoding="utf-8")


def _statuses(client, forwarded_for: str, count: int, peer: str = "10.0.0.1") -> list[int]:
    return [client.get("/api/search?q=窃电", headers={"X-Forwarded-For": forwarded_for},
                       environ_base={"REMOTE_ADDR": peer}).status_code for _ in range(count)]


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(corpus_index_path, tmp_path):
    client = limited_app(corpus_index_path, tmp_path).test_client()
    assert _statuses(client, "1.1.1.1", 2) + _statuses(client, "2.2.2.2", 2) == [200, 200, 200, 429]
    assert _statuses(client, "1.1.1.1", 1, peer="10.0.0.2") == [200]  # the bucket is the socket's address


def test_behind_one_trusted_proxy_each_forwarded_client_has_its_own_bucket(corpus_index_path, tmp_path):
    client = limited_app(corpus_index_path, tmp_path, KB_TRUSTED_PROXY_HOPS=1).test_client()
    assert _statuses(client, "1.1.1.1", 4) == [200, 200, 200, 429]
    assert _statuses(client, "2.2.2.2", 3) == [200, 200, 200]
    # A client's own X-Forwarded-For comes before the proxy's entry: only the proxy's is believed.
    assert _statuses(client, "9.9.9.9, 1.1.1.1", 1) == [429]


def test_retry_after_is_sent_only_on_a_refusal(limited_client):
    ok = limited_client.get("/api/search?q=窃电")
    assert ok.status_code == 200 and "Retry-After" not in ok.headers
    for _ in range(3):
        refused = limited_client.get("/api/search?q=窃电")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 0


@pytest.mark.parametrize("config, message", [
    ({"KB_RATE_LIMIT": "fast please"}, "KB_RATE_LIMIT"), ({"KB_LIVE_RATE_LIMIT": "lots"}, "KB_LIVE_RATE_LIMIT"),
    ({"KB_TRUSTED_PROXY_HOPS": "one"}, "KB_TRUSTED_PROXY_HOPS"), ({"KB_TRUSTED_PROXY_HOPS": -1}, "0 to 10"),
])
def test_bad_limits_and_proxy_settings_stop_the_start(corpus_index_path, tmp_path, config, message):
    with pytest.raises(SettingsError, match=message):
        create_app({"KB_INDEX": str(corpus_index_path), "KB_DATA": str(tmp_path), **config})


# ---------------------------------------------------------------------------------------------- admin

TOKEN = "s3cret-admin-token"


def admin_app(index_path, data, **config):
    return create_app({"KB_INDEX": str(index_path), "KB_DATA": str(data), "KB_ADMIN_TOKEN": TOKEN,
                       "KB_RATE_LIMIT": "100000/minute", **config})


def test_admin_responses_are_never_cached(corpus_index_path, tmp_path):
    client = admin_app(corpus_index_path, tmp_path).test_client()
    for url, status in (("/api/feedback", 403), ("/feedback?token=wrong", 403), (f"/feedback?token={TOKEN}", 200),
                        (f"/api/feedback?token={TOKEN}", 200)):
        response = client.get(url)
        assert response.status_code == status and response.headers["Cache-Control"] == "no-store", url
    assert "no-store" not in client.get("/faq").headers.get("Cache-Control", "")


def _admin_cookie(response) -> str:
    [cookie] = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("kb_admin=")]
    return cookie


def test_the_admin_cookie_holds_a_derived_value_never_the_token(corpus_index_path, tmp_path):
    import hashlib
    import hmac

    client = admin_app(corpus_index_path, tmp_path).test_client()
    cookie = _admin_cookie(client.get(f"/feedback?token={TOKEN}"))
    value = cookie.split(";")[0].removeprefix("kb_admin=")
    assert TOKEN not in cookie and value == hmac.new(TOKEN.encode(), b"kb admin cookie v1", hashlib.sha256).hexdigest()
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie  # plain http here
    assert client.get("/feedback").status_code == 200  # the cookie alone lets the admin back in
    fresh = admin_app(corpus_index_path, tmp_path).test_client()
    fresh.set_cookie("kb_admin", TOKEN)  # an old-style cookie holding the raw token is refused
    assert fresh.get("/feedback").status_code == 403
    fresh.set_cookie("kb_admin", value)
    assert fresh.get("/api/feedback").status_code == 200


def test_the_admin_cookie_is_secure_over_https(corpus_index_path, tmp_path):
    https = {"X-Forwarded-Proto": "https"}
    direct = admin_app(corpus_index_path, tmp_path).test_client()
    assert "Secure" in _admin_cookie(direct.get(f"/feedback?token={TOKEN}", base_url="https://localhost"))
    assert "Secure" not in _admin_cookie(direct.get(f"/feedback?token={TOKEN}", headers=https))  # untrusted claim
    proxied = admin_app(corpus_index_path, tmp_path, KB_TRUSTED_PROXY_HOPS=1).test_client()
    assert "Secure" in _admin_cookie(proxied.get(f"/feedback?token={TOKEN}", headers=https))


# -------------------------------------------------------------------------------------- error messages


def test_a_too_large_body_is_refused_in_chinese(client):
    api = client.post("/api/feedback", data="x" * (70 * 1024), content_type="application/json").get_json()
    assert api["error"] == "请求内容过大" and api["detail"] == "请求内容最多 64 kB。"
    page = client.post("/feedback", data={"comment": "x" * (70 * 1024)})
    assert page.status_code == 413 and "请求内容最多 64 kB" in page.get_data(as_text=True)
    assert "exceeds the capacity" not in page.get_data(as_text=True)


@pytest.mark.parametrize("method, url", [("get", "/api/nope"), ("get", "/nope"), ("put", "/api/ask")])
def test_werkzeug_errors_are_explained_in_chinese(client, method, url):
    body = getattr(client, method)(url).get_data(as_text=True)
    assert "The requested URL" not in body and "not allowed for the requested URL" not in body
    assert "请检查地址是否正确" in body or "不接受这种请求方式" in body


def test_a_rate_limit_refusal_says_the_limit_in_chinese(limited_client):
    for _ in range(4):
        refused = limited_client.get("/api/search?q=窃电")
    assert refused.get_json()["detail"] == "每 1 分钟最多 3 次。"
