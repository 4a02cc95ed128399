"""Request checks the site makes for itself: same-origin posts, redirect targets that stay on the site.

Same origin means the scheme, host and port of the request itself (as ProxyFix restores them behind a
trusted proxy, see ``web/__init__.py``).
"""

from __future__ import annotations

import hashlib
import hmac
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, request

CROSS_SITE = "跨站提交不予受理：请在本站页面上提交。"
DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an absolute http(s) URL, or None for anything else (including "null")."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


def own_origin() -> tuple[str, str, int] | None:
    return _origin(f"{request.scheme}://{request.host}")


def is_same_origin(url: str) -> bool:
    origin = _origin(url)
    return origin is not None and origin == own_origin()


def cross_site_reason() -> str | None:
    """Why this request comes from another site, or None when it does not.

    A browser says where a post comes from: ``Sec-Fetch-Site`` (modern browsers), ``Origin`` (every
    current browser on a POST; "null" from sandboxed or privacy-stripped contexts), else ``Referer``.
    A request with none of them is not a browser acting for a visitor (curl, scripts, the load test) and
    is let through: a cross-site form post from any browser in use carries Origin, and nothing here
    rests on cookies except the admin pages, which only read.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site", "").strip().lower()
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return f"Sec-Fetch-Site: {fetch_site}"  # same-site is another origin too (a sibling subdomain)
    origin = request.headers.get("Origin")
    if origin is not None:
        return None if is_same_origin(origin) else "Origin"
    referer = request.headers.get("Referer")
    if referer:
        return None if is_same_origin(referer) else "Referer"
    return None


def same_origin_only(view):
    """Refuse (403) a post that another site made the visitor's browser send."""

    @wraps(view)
    def checked(*args, **kwargs):
        if cross_site_reason():
            abort(403, description=CROSS_SITE)
        return view(*args, **kwargs)

    return checked


def local_path(target: str | None) -> str | None:
    """``target`` when it is a path on this site (one leading "/", then not "/" or "\\"), else None.

    Browsers drop tabs and newlines inside a URL and read "\\" as "/", so "/\\tevil", "/\\\\evil" or
    "/\\n/evil" would leave the site: any control character, whitespace or backslash refuses the target.
    """
    if not target or not target.startswith("/") or target[1:2] in ("/", "\\"):
        return None
    if any(c.isspace() or not c.isprintable() or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def back_target(back: str | None, referrer: str | None) -> str:
    """Where to send a visitor after a no-JavaScript post: the ``back`` path, else the same-origin
    Referer's path, else "/" — with ``thanks=1`` added to the query."""
    target = local_path(back)
    if target is None and referrer and is_same_origin(referrer):
        parts = urlsplit(referrer)
        target = local_path(parts.path + (f"?{parts.query}" if parts.query else ""))
    parts = urlsplit(target or "/")
    query = [pair for pair in parts.query.split("&") if pair and not pair.startswith("thanks=")]
    return f"{parts.path}?{'&'.join([*query, 'thanks=1'])}"


# ------------------------------------------------------------------------------------------------ admin

ADMIN_COOKIE = "kb_admin"
ADMIN_ENDPOINTS = {"pages.feedback_page", "api.api_feedback_list"}
_COOKIE_LABEL = b"kb admin cookie v1"


def admin_cookie_value(token: str) -> str:
    """What the admin cookie holds: an HMAC of a fixed label keyed with the token, never the token itself,
    so a copied cookie does not reveal KB_ADMIN_TOKEN, and changing the token ends every session."""
    return hmac.new(token.encode(), _COOKIE_LABEL, hashlib.sha256).hexdigest()


def admin_token_matches(token: str) -> bool:
    """The admin token from ?token= or an Authorization: Bearer header, or else the admin cookie,
    each compared in constant time."""
    given = request.args.get("token") or request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if given:
        return hmac.compare_digest(given.encode(), token.encode())
    cookie = request.cookies.get(ADMIN_COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), admin_cookie_value(token).encode())


def admin_allowed() -> bool:
    """Admin pages are off (404) unless KB_ADMIN_TOKEN is set; the token is compared in constant time."""
    token = current_app.config.get("KB_ADMIN_TOKEN") or ""
    if not token:
        abort(404)
    return admin_token_matches(token)


def set_admin_cookie(response, token: str) -> None:
    # Secure when the visitor's connection is HTTPS: request.is_secure reads X-Forwarded-Proto only
    # through ProxyFix, i.e. only from a trusted proxy.
    response.set_cookie(ADMIN_COOKIE, admin_cookie_value(token), httponly=True, samesite="Strict",
                        secure=request.is_secure)
