"""The public surface: rate limits, security headers, size limits."""

import pytest

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
