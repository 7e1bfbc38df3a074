"""Chat sessions bound to the browser that opened them.

Chainlit 2.12 takes the session id from the client: it names the session's
upload folder (`.files/<id>`, removed with `rmtree` when the session ends) and
anyone who presents a known id takes the session over. Here a session id must
be a plain UUID4 and is bound, on first sight, to the browser's identity cookie
(and, with login, Chainlit binds it to the user too); another browser presenting
it is refused. When a session ends its binding goes, its folder is removed only
if it really is inside the upload store, and the memory it held is returned.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import os
import re
import shutil
import threading
from pathlib import Path
from typing import Any

from agent.web.identity import client_key, token_from_cookie_header
from tools.workers import process_running

_UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def is_session_id(value: Any) -> bool:
    """What a Chainlit page mints for a session: a lowercase UUID4, and nothing else (no paths)."""
    return isinstance(value, str) and bool(_UUID4.match(value))


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


class SessionRegistry:
    """Which browser (the hash of its identity token) owns each live session id, and its pending uploads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: dict[str, str] = {}
        self._uploads: dict[str, int] = {}

    def claim(self, session_id: str, client: str) -> str:
        """Bind a session to a browser: 'new', 'same' (its own again, e.g. a reconnect) or 'other' (refuse)."""
        with self._lock:
            owner = self._owner.get(session_id)
            if owner is None:
                self._owner[session_id] = client
                return "new"
        return "same" if owner == client else "other"

    def owner(self, session_id: str) -> str | None:
        with self._lock:
            return self._owner.get(session_id)

    def release(self, session_id: str) -> None:
        with self._lock:
            self._owner.pop(session_id, None)
            self._uploads.pop(session_id, None)

    def pending_uploads(self, session_id: str) -> int:
        with self._lock:
            return self._uploads.get(session_id, 0)

    def count_upload(self, session_id: str) -> None:
        with self._lock:
            self._uploads[session_id] = self._uploads.get(session_id, 0) + 1

    def uploads_used(self, session_id: str) -> None:
        """A message took the pending uploads with it: the next message may bring new ones."""
        with self._lock:
            self._uploads.pop(session_id, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._owner)


REGISTRY = SessionRegistry()  # one per server process, like Chainlit's own session maps


def install_socket_guard(sio, registry: SessionRegistry = REGISTRY) -> None:
    """Put our checks in front of Chainlit's socket `connect` handler (once)."""
    handlers = sio.handlers.setdefault("/", {})
    original = handlers.get("connect")
    if original is None or getattr(original, "tastemaker_guarded", False):
        return

    async def connect(sid: str, environ: dict, auth: dict | None = None):
        auth = auth if isinstance(auth, dict) else {}
        session_id = auth.get("sessionId")
        if not is_session_id(session_id):
            raise ConnectionRefusedError("invalid session")
        thread_id = auth.get("threadId")  # the page sends "" for a new chat
        if thread_id and not is_uuid(thread_id):
            raise ConnectionRefusedError("invalid thread")
        token = token_from_cookie_header(environ.get("HTTP_COOKIE"))
        if token is None:
            raise ConnectionRefusedError("this browser has no Tastemaker cookie yet: reload the page")
        claim = registry.claim(session_id, client_key(token))
        if claim == "other":
            raise ConnectionRefusedError("this chat belongs to another browser")
        try:
            return await original(sid, environ, auth)
        except BaseException:
            if claim == "new":  # Chainlit refused it (e.g. login): nothing to keep bound
                registry.release(session_id)
            raise

    connect.tastemaker_guarded = True  # type: ignore[attr-defined]
    sio.on("connect", connect)


def own_upload_store(home: Path) -> Path:
    """Give this server process its own upload folder in the data directory.

    Chainlit keeps every session's files under `<app root>/.files` and removes that whole folder
    when a server stops, so a second server started from the same checkout (or a test) deleted
    the first one's uploads. Each process gets `<home>/uploads/<pid>` instead; folders of
    processes that no longer run are removed.
    """
    import chainlit.config
    import chainlit.server

    root = home / "uploads"
    root.mkdir(parents=True, exist_ok=True)
    for old in root.iterdir():
        if old.is_dir() and old.name.isdigit() and not process_running(int(old.name)):
            shutil.rmtree(old, ignore_errors=True)
    mine = root / str(os.getpid())
    mine.mkdir(exist_ok=True)
    chainlit.config.FILES_DIRECTORY = mine  # read by every session when it stores a file
    chainlit.server.FILES_DIRECTORY = mine  # removed by the server when it stops
    return mine


def harden_session_end(registry: SessionRegistry = REGISTRY) -> None:
    """Wrap Chainlit's session deletion: unbind, never rmtree outside the upload store, return memory."""
    import chainlit.config
    from chainlit.chat_context import chat_contexts
    from chainlit.session import WebsocketSession, ws_sessions_id, ws_sessions_sid

    original = WebsocketSession.delete
    if getattr(original, "tastemaker_guarded", False):
        return

    async def delete(self) -> None:
        registry.release(self.id)
        inside = self.files_dir.resolve().parent == chainlit.config.FILES_DIRECTORY.resolve()
        if inside:
            await original(self)
        else:  # cannot happen past the connect guard; if it ever does, drop the session, touch no folder
            ws_sessions_sid.pop(self.socket_id, None)
            ws_sessions_id.pop(self.id, None)
        # Chainlit keeps every message a session sent (its pictures too) in a module dict
        # that nothing empties (Chainlit issue #2951): ~14 MB a session, for the life of the server.
        chat_contexts.pop(self.id, None)
        release_memory_soon()

    delete.tastemaker_guarded = True  # type: ignore[attr-defined]
    WebsocketSession.delete = delete


_release_scheduled: list[asyncio.AbstractEventLoop] = []  # the loop a release waits on, if one does


def release_memory_soon(delay_s: float = 2.0) -> None:
    """One collection for sessions that end together (a full collection blocks every chat for a moment)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no event loop: nothing waits on this thread
        release_memory()
        return
    if _release_scheduled and not _release_scheduled[0].is_closed():
        return

    def release() -> None:
        _release_scheduled.clear()
        release_memory()

    _release_scheduled[:] = [loop]
    loop.call_later(delay_s, release)


def release_memory() -> None:
    """Collect what an ended session held and hand freed heap pages back to the system (glibc)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the allocator keeps its pages, nothing is lost
        pass
