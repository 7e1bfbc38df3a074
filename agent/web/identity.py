"""Who a browser is: a random private token in an HttpOnly cookie, set on its first visit.

The token is the browser's proof of identity; it never appears in a URL or a
page. Sessions are bound to it (agent.web.guard), and in open mode (no login)
the person's library additions, uploads and taste belong to the anonymous user
derived from it, so two visitors never see each other's music.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from http.cookies import SimpleCookie

COOKIE = "tastemaker_client"
MAX_AGE_S = 365 * 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_from_cookie_header(header: str | None) -> str | None:
    """The browser's token from a Cookie header, or None when it has none (or a malformed one)."""
    if not header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # noqa: BLE001 - a garbled Cookie header is a browser without a token
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None and _TOKEN.match(morsel.value) else None


def client_key(token: str) -> str:
    """What the server keeps of a token: its hash (a leaked registry does not leak cookies)."""
    return hashlib.sha256(token.encode()).hexdigest()


def guest_name(token: str) -> str:
    """The anonymous user a browser is in open mode: stable for as long as it keeps its cookie."""
    return "guest-" + client_key(token)[:16]


def set_cookie_header(token: str, secure: bool) -> bytes:
    """A Set-Cookie value: HttpOnly (no script reads it), SameSite=Lax (no cross-site POST carries it)."""
    parts = [f"{COOKIE}={token}", "Path=/", f"Max-Age={MAX_AGE_S}", "HttpOnly", "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")
