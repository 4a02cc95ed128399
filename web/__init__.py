"""The web site: a thin Flask layer over ``kb``.

``create_app`` is the application factory. Every HTML page has a JSON twin
under ``/api``; all text from the corpus or the user is escaped.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, jsonify, render_template, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from kb.answer import WARMERS
from kb.errors import IndexMissing, KbError, SettingsError
from kb.feedback import FeedbackStore, open_store
from kb.index import OpenIndex
from kb.search.scoring import warm_postings
from kb.vocab import Vocab, default_vocab
from web.security import ADMIN_ENDPOINTS


def create_app(config: dict | None = None) -> Flask:
    """The site over the index at KB_INDEX; a bad rate-limit or proxy setting is a SettingsError (kb serve
    turns it into a one-line message and exit 2)."""
    app = Flask(__name__)
    app.config.update(
        KB_INDEX=os.environ.get("KB_INDEX", "var/index"),
        KB_CORPUS=os.environ.get("KB_CORPUS", "corpus"),
        KB_DATA=os.environ.get("KB_DATA", "var"),
        KB_ADMIN_TOKEN=os.environ.get("KB_ADMIN_TOKEN", ""),
        KB_FEEDBACK_URL=os.environ.get("KB_FEEDBACK_URL", ""),  # postgresql://… ; '' = SQLite under KB_DATA
        KB_RATE_LIMIT=os.environ.get("KB_RATE_LIMIT", "120/minute"),
        KB_LIVE_RATE_LIMIT=os.environ.get("KB_LIVE_RATE_LIMIT", ""),  # '' = LIVE_FACTOR × KB_RATE_LIMIT
        # Where the limits are counted: memory (one process) or a store every worker shares (redis://…);
        # kb serve --workers N sets it to its private Redis.
        KB_RATE_LIMIT_STORAGE=os.environ.get("KB_RATE_LIMIT_STORAGE", "") or "memory://",
        KB_TRUSTED_PROXY_HOPS=os.environ.get("KB_TRUSTED_PROXY_HOPS", "0"),
        # Answers and searches kept per index generation for the same question asked again (web.queries):
        # this many of each per worker; 0 keeps none.
        KB_ANSWER_CACHE=_whole_number(os.environ.get("KB_ANSWER_CACHE", ""), 512, "KB_ANSWER_CACHE"),
        # Postings a search over a large index keeps decoded per worker for the next questions (the common
        # words of a hotline's questions; kb.search.dense): 4 million, about 32 MB; 0 keeps none.
        KB_POSTING_CACHE=_whole_number(os.environ.get("KB_POSTING_CACHE", ""), 4_000_000, "KB_POSTING_CACHE"),
        JSON_AS_ASCII=False,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.config.update(config or {})
    limits = _rate_limits(app.config["KB_RATE_LIMIT"] or "120/minute", app.config["KB_LIVE_RATE_LIMIT"])
    _trust_proxies(app, app.config["KB_TRUSTED_PROXY_HOPS"])
    store = app.extensions["kb_feedback"] = open_store(Path(app.config["KB_DATA"]), app.config["KB_FEEDBACK_URL"])
    if not store.available:
        # Answers never need the store: the site serves, feedback posts get a 503, /healthz says why.
        app.logger.warning("feedback off: %s", store.off_detail)
    limiter = _protect(app, *limits)
    app.json.ensure_ascii = False
    vocab = app.extensions["kb_vocab"] = default_vocab()
    # The whole dictionary now, not a block per new character on the first queries; made before kb serve
    # forks, it is shared by the workers.
    vocab.dictionary.ensure_all()
    app.extensions["kb_index"] = _open_index(Path(app.config["KB_INDEX"]), vocab, app.config["KB_POSTING_CACHE"])
    app.config["KB_INDEX_PATH"] = Path(app.config["KB_INDEX"])

    from web.api import api, health
    from web.pages import pages

    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.register_blueprint(health)
    _live_budget(app, limiter, limits[1])
    _register_errors(app)
    return app


def _whole_number(raw: str, default: int, name: str) -> int:
    """A setting that is a whole number of 0 or more (``default`` when unset); SettingsError otherwise."""
    if not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = -1
    if value < 0:
        raise SettingsError(f"{name} must be a whole number of 0 or more, not {raw!r}")
    return value


def _open_index(path: Path, vocab: Vocab, kept_postings: int) -> OpenIndex | None:
    try:
        return OpenIndex(path, vocab, warmers=(*WARMERS, warm_postings), freeze_garbage=True,
                         kept_postings=kept_postings)
    except IndexMissing:
        return None


def kb_index(app: Flask | None = None) -> OpenIndex:
    """The app's open index, opened on first use if it was built after start-up."""
    from flask import current_app

    app = app or current_app
    index = app.extensions.get("kb_index")
    if index is None:
        # IndexMissing says what to do
        index = OpenIndex(app.config["KB_INDEX_PATH"], app.extensions["kb_vocab"], warmers=(*WARMERS, warm_postings),
                          freeze_garbage=True, kept_postings=app.config["KB_POSTING_CACHE"])
        app.extensions["kb_index"] = index
    return index


# No inline script or style anywhere: scripts come from /static only, so injected markup cannot run.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


LIVE_FACTOR = 5  # the console asks on every typing pause: its live calls get this many times the budget


def _rate_limits(normal: str, live: str) -> tuple[str, str]:
    """The normal and the live rate limit, checked; the live one defaults to LIVE_FACTOR times the normal."""
    from limits import parse_many

    try:
        items = parse_many(normal)
    except ValueError:
        raise SettingsError(f"KB_RATE_LIMIT {normal!r} is not a rate limit like 120/minute") from None
    if not live:
        live = ";".join(f"{item.amount * LIVE_FACTOR} per {item.multiples} {item.GRANULARITY.name}" for item in items)
    try:
        parse_many(live)
    except ValueError:
        raise SettingsError(f"KB_LIVE_RATE_LIMIT {live!r} is not a rate limit like 600/minute") from None
    return normal, live


def _trust_proxies(app: Flask, hops: int | str) -> None:
    """Behind ``hops`` reverse proxies, read the client's address, scheme, host and port from the
    X-Forwarded-* headers those proxies add (and only the last ``hops`` of them: whatever a client sends
    itself stays untrusted). Off (0) by default: then a client could claim any address."""
    try:
        hops = int(hops)
    except (TypeError, ValueError):
        raise SettingsError(f"KB_TRUSTED_PROXY_HOPS {hops!r} is not a whole number") from None
    if not 0 <= hops <= 10:
        raise SettingsError(f"KB_TRUSTED_PROXY_HOPS must be from 0 to 10, not {hops}")
    app.config["KB_TRUSTED_PROXY_HOPS"] = hops
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


LIVE_ENDPOINTS = ("pages.answer_fragment", "api.api_ask")


def is_live() -> bool:
    """A call the console makes while the agent types (its JavaScript adds live=1)."""
    return request.endpoint in LIVE_ENDPOINTS and request.args.get("live") == "1"


def _protect(app: Flask, limit: str, live_limit: str) -> Limiter:
    """Rate limits per client address (in memory unless KB_RATE_LIMIT_STORAGE names another store)
    and security headers on every response."""
    from flask_limiter.util import get_remote_address

    @app.after_request
    def retry_after_only_when_refused(response):
        # Flask-Limiter puts Retry-After on every response; it means "come back later" and belongs only
        # on a refusal. Registered before the limiter's own hook, so it runs after it (Flask runs them
        # in reverse order).
        if response.status_code not in (429, 503):
            response.headers.pop("Retry-After", None)
        return response

    # One budget per client across every endpoint, so a burst cannot be spread over routes; the console's
    # live calls have their own (_live_budget). The client is the socket's address, or behind a trusted
    # proxy the address ProxyFix read from X-Forwarded-For.
    limiter = Limiter(get_remote_address, app=app, application_limits=[limit], headers_enabled=True,
                      storage_uri=app.config["KB_RATE_LIMIT_STORAGE"],
                      application_limits_exempt_when=lambda: request.endpoint in ("static", "health.healthz")
                      or is_live())
    app.extensions["kb_limiter"] = limiter

    @app.after_request
    def headers(response):
        if request.endpoint in ADMIN_ENDPOINTS:
            response.headers["Cache-Control"] = "no-store"  # feedback and its comments: never in a cache
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    return limiter


def _live_budget(app: Flask, limiter: Limiter, live_limit: str) -> None:
    """/answer?live=1 (and /api/ask?live=1) draw on their own, larger budget instead of the shared one."""
    for endpoint in LIVE_ENDPOINTS:
        app.view_functions[endpoint] = limiter.limit(live_limit, exempt_when=lambda: not is_live(),
                                                     scope="live")(app.view_functions[endpoint])


def kb_vocab() -> Vocab:
    """The vocabulary the site reads questions, regions and feedback with (the index's own)."""
    from flask import current_app

    return current_app.extensions["kb_vocab"]


def feedback_store() -> FeedbackStore:
    from flask import current_app

    return current_app.extensions["kb_feedback"]


def _wants_json() -> bool:
    return request.blueprint in ("api", "health") or request.path.startswith("/api/")


GRANULARITY = {"second": "秒", "minute": "分钟", "hour": "小时", "day": "天", "month": "月", "year": "年"}


def _rate_in_chinese(error: RateLimitExceeded) -> str:
    """"120 per 1 minute" as 每 1 分钟最多 120 次."""
    try:
        item = error.limit.limit
        unit = GRANULARITY.get(item.GRANULARITY.name, item.GRANULARITY.name)
        return f"每 {item.multiples} {unit}最多 {item.amount} 次。"
    except AttributeError:
        return ""


def _register_errors(app: Flask) -> None:
    messages = {400: "请求有误", 403: "没有权限", 404: "没有这个页面", 405: "不支持这种请求方式", 413: "请求内容过大",
                429: "请求过于频繁，请稍后再试", 500: "服务器内部错误", 503: "服务暂不可用"}

    # Werkzeug's own descriptions are English ("The data value transmitted exceeds the capacity limit."):
    # where the error is Werkzeug's and not the site's abort(), the detail is said in Chinese instead.
    details = {400: "请求的格式不对。", 404: "请检查地址是否正确。", 405: "这个地址不接受这种请求方式。",
               413: f"请求内容最多 {app.config['MAX_CONTENT_LENGTH'] // 1024} kB。"}

    def detail_of(error) -> str:
        description = getattr(error, "description", "") or ""
        if isinstance(error, RateLimitExceeded):
            return _rate_in_chinese(error)
        if isinstance(error, HTTPException) and description == type(error).description:
            return details.get(error.code, "")
        return description

    def render(code: int, detail: str = "", message: str = ""):
        message = message or messages.get(code, "出错了")
        if _wants_json():
            return jsonify({"error": message, "detail": detail, "status": code}), code
        return render_template("error.html", code=code, message=message, detail=detail), code

    for code in (400, 403, 404, 405, 413, 429, 503):
        app.register_error_handler(code, lambda error, code=code: render(code, detail_of(error)))

    @app.errorhandler(KbError)
    def kb_error(error: KbError):
        # Each of kb's errors says which status it is (kb/errors.py): a bad parameter a 400, no index a 503 …
        return render(error.status, error.public_message, error.title or "")

    @app.errorhandler(Exception)
    def unexpected(error):
        app.logger.exception("unhandled error")
        return render(500, "")
