"""The web site: a thin Flask layer over ``kb``.

``create_app`` is the application factory. Every HTML page has a JSON twin
under ``/api``; all text from the corpus or the user is escaped.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, jsonify, render_template, request

from kb.feedback import FeedbackError, FeedbackStore, FeedbackUnavailable
from kb.index import IndexMissing, OpenIndex
from kb.vocab import vocab


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        KB_INDEX=os.environ.get("KB_INDEX", "var/index"),
        KB_CORPUS=os.environ.get("KB_CORPUS", "corpus"),
        KB_DATA=os.environ.get("KB_DATA", "var"),
        KB_ADMIN_TOKEN=os.environ.get("KB_ADMIN_TOKEN", ""),
        JSON_AS_ASCII=False,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.config.update(config or {})
    store = app.extensions["kb_feedback"] = FeedbackStore(Path(app.config["KB_DATA"]))
    if not store.available:
        # Answers never need the store: the site serves, feedback posts get a 503, /healthz says why.
        app.logger.warning("feedback off: %s", store.off_detail)
    _protect(app)
    app.json.ensure_ascii = False
    vocab().segmenter  # noqa: B018 — load jieba's dictionary now, not on the first query
    app.extensions["kb_index"] = _open_index(Path(app.config["KB_INDEX"]))
    app.config["KB_INDEX_PATH"] = Path(app.config["KB_INDEX"])

    from web.api import api
    from web.pages import pages

    app.register_blueprint(pages)
    app.register_blueprint(api)
    _register_errors(app)
    return app


def _open_index(path: Path) -> OpenIndex | None:
    try:
        return OpenIndex(path)
    except IndexMissing:
        return None


def kb_index(app: Flask | None = None) -> OpenIndex:
    """The app's open index, opened on first use if it was built after start-up."""
    from flask import current_app

    app = app or current_app
    index = app.extensions.get("kb_index")
    if index is None:
        index = OpenIndex(app.config["KB_INDEX_PATH"])  # raises IndexMissing with a clear message
        app.extensions["kb_index"] = index
    return index


# No inline script or style anywhere: scripts come from /static only, so injected markup cannot run.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def _protect(app: Flask) -> None:
    """Rate limits per client address (in memory unless KB_RATE_LIMIT_STORAGE names another store)
    and security headers on every response."""
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    limit = app.config.get("KB_RATE_LIMIT") or os.environ.get("KB_RATE_LIMIT", "120/minute")
    # One budget per client across every endpoint, so a burst cannot be spread over routes.
    limiter = Limiter(get_remote_address, app=app, application_limits=[limit], headers_enabled=True,
                      storage_uri=os.environ.get("KB_RATE_LIMIT_STORAGE", "memory://"),
                      application_limits_exempt_when=lambda: request.endpoint in ("static", "api.healthz"))
    app.extensions["kb_limiter"] = limiter

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response


def feedback_store() -> FeedbackStore:
    from flask import current_app

    return current_app.extensions["kb_feedback"]


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _register_errors(app: Flask) -> None:
    messages = {400: "请求有误", 403: "没有权限", 404: "没有这个页面", 405: "不支持这种请求方式", 413: "请求内容过大",
                429: "请求过于频繁，请稍后再试", 500: "服务器内部错误", 503: "服务暂不可用"}

    def render(code: int, detail: str = "", message: str = ""):
        message = message or messages.get(code, "出错了")
        if _wants_json():
            return jsonify({"error": message, "detail": detail, "status": code}), code
        return render_template("error.html", code=code, message=message, detail=detail), code

    for code in (400, 403, 404, 405, 413, 429, 503):
        app.register_error_handler(code, lambda error, code=code: render(code, getattr(error, "description", "")))

    @app.errorhandler(IndexMissing)
    def index_missing(error):
        return render(503, str(error), "索引尚未建立")

    @app.errorhandler(FeedbackError)
    def feedback_refused(error):
        return render(400, str(error))

    @app.errorhandler(FeedbackUnavailable)
    def feedback_unavailable(error):
        return render(503, "反馈暂时无法保存，请稍后再试。答复与检索不受影响。", "反馈功能暂不可用")

    @app.errorhandler(Exception)
    def unexpected(error):
        app.logger.exception("unhandled error")
        return render(500, "")
