"""Every request to the chat server passes here first (an ASGI middleware in front of Chainlit).

In order, a request is refused when:
1. its Host is not this server's own name while the server listens on loopback only
   (a hostile page that re-binds its DNS name to 127.0.0.1 cannot talk to us);
2. it comes from another origin (the `Origin` header) and would change something or open a
   socket: only this server's own origin and TASTEMAKER_ALLOWED_ORIGINS may;
3. it opens a socket without the browser's identity cookie, or names a chat session (in its
   query or JSON body) that belongs to another browser;
4. it is a sign-in while that address must wait after failed attempts;
5. it is an upload that is too large (declared or while streaming) or one file too many for
   a message.
Every browser gets its identity cookie (agent.web.identity) on its first page load.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from agent.web import identity
from agent.web.limits import LoginThrottle, upload_limit_bytes
from agent.web.sessions import REGISTRY, SessionRegistry, is_session_id
from tools.settings import get_settings

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SOCKET_PREFIX = "/ws/socket.io"
UPLOAD_PATH = "/project/file"
LOGIN_PATH = "/login"
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
MAX_JSON_BODY = 1024 * 1024
# Chainlit routes whose JSON body names a chat session (sessionId / session_id).
JSON_SESSION_PATHS = {"/project/action", "/project/element", "/feedback", "/mcp", "/set-session-cookie"}


def _headers(scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _hostname(netloc: str) -> str:
    """'localhost:8000' -> 'localhost', '[::1]:8000' -> '::1'."""
    host = netloc.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Policy:
    """Which Host names and Origins this server answers, from the settings."""

    def __init__(self, listen_host: str, allowed_origins: tuple[str, ...]):
        self.allowed_origins = {o.lower().rstrip("/") for o in allowed_origins}
        self.loopback_only = listen_host.strip().lower() in LOOPBACK_NAMES
        self.allowed_hostnames = LOOPBACK_NAMES | {_hostname(urlsplit(o).netloc) for o in self.allowed_origins}

    def host_allowed(self, host_header: str) -> bool:
        return not self.loopback_only or _hostname(host_header) in self.allowed_hostnames

    def origin_allowed(self, origin: str, host_header: str) -> bool:
        origin = origin.strip().lower().rstrip("/")
        if origin in self.allowed_origins:
            return True
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and bool(parts.netloc) and parts.netloc == host_header.lower()


class GuardMiddleware:
    def __init__(self, app, registry: SessionRegistry = REGISTRY, throttle: LoginThrottle | None = None):
        self.app = app
        self.registry = registry
        settings = get_settings()
        self.policy = Policy(settings.host, settings.allowed_origins)
        self.upload_limit = upload_limit_bytes(settings.max_file_mb)
        self.max_files = settings.max_files_per_message
        self.throttle = throttle or LoginThrottle(settings.login_max_failures)

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = _headers(scope)
        path = scope.get("path", "")
        method = scope.get("method", "GET").upper()
        host = headers.get("host", "")
        socket = scope["type"] == "websocket" or path.startswith(SOCKET_PREFIX)
        if not self.policy.host_allowed(host):
            return await _deny(scope, receive, send, 403, "This Tastemaker server answers only to its own address "
                               "(set TASTEMAKER_ALLOWED_ORIGINS to serve it under another name).")
        origin = headers.get("origin")
        if origin is not None and (socket or method not in SAFE_METHODS) and \
                not self.policy.origin_allowed(origin, host):
            return await _deny(scope, receive, send, 403, "Requests from another site are not allowed here.")
        token = identity.token_from_cookie_header(headers.get("cookie"))
        client = identity.client_key(token) if token else None
        if socket and client is None:
            return await _deny(scope, receive, send, 403, "This browser has no Tastemaker cookie yet: reload the page.")

        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if path == UPLOAD_PATH and method == "POST" and client is not None:
            # A file attached in the page's first seconds arrives before its chat session is up:
            # it waits for the session (its own browser's) instead of being refused.
            await _wait_for_session((query.get("session_id") or [""])[0], client, self.registry)
        for session_id in query.get("session_id", []):
            if problem := self._session_problem(session_id, client, path):
                return await _deny(scope, receive, send, 403, problem)

        if scope["type"] == "http" and method not in SAFE_METHODS and path in JSON_SESSION_PATHS:
            body = await _read_body(receive, MAX_JSON_BODY)
            if body is None:
                return await _deny(scope, receive, send, 413, "That request is too large.")
            for session_id in _session_ids_in_json(body):
                if problem := self._session_problem(session_id, client, path):
                    return await _deny(scope, receive, send, 403, problem)
            receive = _replay(body, receive)

        if path == LOGIN_PATH and method == "POST":
            return await self._login(scope, receive, send)
        if path == UPLOAD_PATH and method == "POST":
            return await self._upload(scope, receive, _with_cookie(send, token, scope), headers, query)
        return await self.app(scope, receive, _with_cookie(send, token, scope))

    def _session_problem(self, session_id: str, client: str | None, path: str) -> str | None:
        if not is_session_id(session_id):
            return "That is not a chat session."
        owner = self.registry.owner(session_id)
        if owner is None and path == "/set-session-cookie":
            return None  # the page names its new session before opening the socket: harmless
        if owner is None or owner != client:
            return "That chat session belongs to another browser."
        return None

    async def _login(self, scope, receive, send):
        address = (scope.get("client") or ("unknown", 0))[0]
        wait = self.throttle.wait_s(address)
        if wait > 0:
            return await _deny(scope, receive, send, 429,
                               f"Too many failed sign-ins. Wait {wait:.0f} s before trying again.")
        status: dict[str, int] = {}

        async def watch(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status.get("code") == 200:
            self.throttle.succeeded(address)
        elif status.get("code") in (401, 403):
            self.throttle.failed(address)

    async def _upload(self, scope, receive, send, headers, query):
        session_id = (query.get("session_id") or [""])[0]
        declared = headers.get("content-length")
        too_big = f"That file is over the {get_settings().max_file_mb:g} MB limit (TASTEMAKER_MAX_FILE_MB)."
        if declared is not None and (not declared.isdigit() or int(declared) > self.upload_limit):
            return await _deny(scope, receive, send, 413, too_big)
        if self.registry.pending_uploads(session_id) >= self.max_files:
            return await _deny(scope, receive, send, 429, f"At most {self.max_files} files per message: send this "
                               "message first, then attach the rest.")
        seen = {"bytes": 0, "over": False}

        async def counted_receive():
            message = await receive()
            if message["type"] == "http.request":
                seen["bytes"] += len(message.get("body", b""))
                if seen["bytes"] > self.upload_limit:  # stop reading: the rest is never held in memory
                    seen["over"] = True
                    return {"type": "http.disconnect"}
            return message

        replaced = {"sent": False, "started": False}

        async def checked_send(message):
            if message["type"] == "http.response.start":
                replaced["started"] = True
            if seen["over"]:
                if not replaced["sent"]:
                    replaced["sent"] = True
                    await _send_json(send, 413, too_big)
                return
            if message["type"] == "http.response.start" and message["status"] == 200:
                self.registry.count_upload(session_id)
            await send(message)

        try:
            await self.app(scope, counted_receive, checked_send)
        except Exception as exc:
            if not seen["over"]:
                if replaced["started"]:
                    raise
                # Chainlit answers an empty file with a 500 and a traceback in the log ("Either path or content
                # must be provided"): the page showed only "Upload failed"
                from tools.incidents import log_incident

                log_incident(exc, "upload")
                return await _send_json(send, 400, "That file could not be stored: it is empty or was cut short. "
                                        "Attach the audio file again.")
        if seen["over"] and not replaced["sent"]:
            await _send_json(send, 413, too_big)


SESSION_WAIT_S = 20.0


async def _wait_for_session(session_id: str, client: str, registry: SessionRegistry) -> None:
    import asyncio

    from chainlit.session import WebsocketSession

    if not is_session_id(session_id):
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SESSION_WAIT_S
    while loop.time() < deadline:
        owner = registry.owner(session_id)
        if owner is not None and (owner != client or WebsocketSession.get_by_id(session_id) is not None):
            return  # up (or someone else's: refused just after)
        await asyncio.sleep(0.1)


def _with_cookie(send, token: str | None, scope):
    """Give a browser without an identity cookie its own on this response."""
    if token is not None or scope["type"] != "http":
        return send
    header = identity.set_cookie_header(identity.new_token(), secure=scope.get("scheme") == "https")

    async def send_with_cookie(message):
        if message["type"] == "http.response.start":
            message = dict(message, headers=[*message.get("headers", []), (b"set-cookie", header)])
        await send(message)

    return send_with_cookie


async def _read_body(receive, limit: int) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive):
    sent = {"done": False}

    async def replay():
        if not sent["done"]:
            sent["done"] = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _session_ids_in_json(body: bytes) -> list[str]:
    try:
        value = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return []
    if not isinstance(value, dict):
        return []
    return [str(value[k]) for k in ("sessionId", "session_id") if k in value]


async def _send_json(send, status: int, message: str) -> None:
    body = json.dumps({"detail": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _deny(scope, receive, send, status: int, message: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": message[:120]})
        return
    await _send_json(send, status, message)


def install() -> None:
    """Defend the Chainlit app this process serves: call once, before the server starts."""
    from chainlit.config import config
    from chainlit.server import app, sio

    from agent.web.sessions import harden_session_end, install_socket_guard, own_upload_store

    settings = get_settings()
    own_upload_store(settings.ensure_home())
    if not any(m.cls is GuardMiddleware for m in app.user_middleware):
        # An app that already answered a request has built its middleware stack and Starlette refuses additions;
        # dropping the built stack makes it rebuild, guard included, on its next request.
        app.middleware_stack = None
        app.add_middleware(GuardMiddleware)
    install_socket_guard(sio)
    harden_session_end()
    # Chainlit's CORS middleware was built around this very list: same origin plus the configured ones.
    config.project.allow_origins[:] = list(settings.allowed_origins)
    config.project.session_timeout = int(settings.session_keep_s)
    uploads = config.features.spontaneous_file_upload
    if uploads is not None:  # the page's own checks follow the server's limits
        uploads.max_size_mb = int(settings.max_file_mb)
        uploads.max_files = settings.max_files_per_message
