"""A scripted browser for the chat server: what the Chainlit page does, without the page.

It fetches the page (and so its identity cookie), opens the Socket.IO session,
uploads files and sends messages, and returns the assistant's replies. The load
benchmark drives many of these at once; the security tests use it to replay
attacks (a forged session id, a foreign Origin, a stolen session id).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import mimetypes
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import socketio

from agent.web.identity import COOKIE


@dataclass
class Turn:
    replies: list[dict] = field(default_factory=list)  # Chainlit step dicts of assistant messages
    elements: list[dict] = field(default_factory=list)  # players and charts sent with them
    seconds: float = 0.0

    @property
    def text(self) -> str:
        return "\n".join(r.get("output", "") for r in self.replies)


class ChatClient:
    def __init__(self, base_url: str, origin: str | None = None, cookie: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.origin = origin
        self.cookie = cookie  # the identity token; fetched from the page when None
        self.access_token: str | None = None  # Chainlit's login cookie, after `login`
        self.session_id = str(uuid.uuid4())
        self.thread_id: str | None = None
        self.sio: socketio.AsyncClient | None = None
        self._events: asyncio.Queue = asyncio.Queue()

    def headers(self) -> dict[str, str]:
        h = {}
        cookies = [f"{COOKIE}={self.cookie}"] if self.cookie else []
        if self.access_token:
            cookies.append(f"access_token={self.access_token}")
        if cookies:
            h["Cookie"] = "; ".join(cookies)
        if self.origin:
            h["Origin"] = self.origin
        return h

    async def open(self, session_id: str | None = None, timeout: float = 30.0) -> None:
        """Load the page (for the cookie) and connect; ConnectionError if the server refuses."""
        if session_id is not None:
            self.session_id = session_id
        if self.cookie is None:
            await self.load_page(timeout)
        self.sio = socketio.AsyncClient(reconnection=False)
        for name in ("new_message", "update_message", "element", "task_end", "task_start"):
            self.sio.on(name, self._recorder(name))
        # Exactly what the Chainlit page sends for a new chat (empty strings, not nulls).
        auth = {"clientType": "webapp", "sessionId": self.session_id, "threadId": self.thread_id or "",
                "userEnv": "{}", "chatProfile": ""}
        await self.sio.connect(self.base_url, socketio_path="/ws/socket.io", transports=["websocket"],
                               headers=self.headers(), auth=auth, wait_timeout=timeout)
        await self.sio.emit("connection_successful")
        if not self.thread_id:
            await self._wait_for_chat_start(timeout)

    async def _wait_for_chat_start(self, timeout: float) -> None:
        """A new chat's start (the app's on_chat_start, which may read the person's taste from a database) runs
        as a task of its own: a message sent before it ends would be answered by its end, with nothing."""
        loop = asyncio.get_running_loop()
        deadline, started = loop.time() + timeout, False
        while True:
            name, _ = await asyncio.wait_for(self._events.get(), timeout=max(0.1, deadline - loop.time()))
            if name == "task_start":
                started = True
            elif name == "task_end" and started:
                return

    async def load_page(self, timeout: float = 30.0) -> None:
        """What a browser does first: load the page, and with it get the identity cookie."""
        async with httpx.AsyncClient() as http:
            page = await http.get(self.base_url + "/", timeout=timeout)
            self.cookie = page.cookies.get(COOKIE)

    async def login(self, username: str, password: str, timeout: float = 30.0) -> httpx.Response:
        """Sign in as the page's login form does (with login on); the session cookie is kept for what follows."""
        async with httpx.AsyncClient() as http:
            answer = await http.post(self.base_url + "/login", data={"username": username, "password": password},
                                     headers=self.headers(), timeout=timeout)
            self.access_token = answer.cookies.get("access_token") or self.access_token
            return answer

    async def threads(self) -> list[dict]:
        """The signed-in person's past chats, newest first, as the page's sidebar lists them."""
        answer = await self.post_json("/project/threads", {"pagination": {"first": 20}, "filter": {}})
        answer.raise_for_status()
        return answer.json()["data"]

    def _recorder(self, name: str):
        async def record(data=None):
            await self._events.put((name, data))

        return record

    async def upload(self, path: str | Path, timeout: float = 60.0) -> httpx.Response:
        path = Path(path)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        async with httpx.AsyncClient() as http:
            with open(path, "rb") as f:
                return await http.post(f"{self.base_url}/project/file", params={"session_id": self.session_id},
                                       files={"file": (path.name, f, mime)}, headers=self.headers(), timeout=timeout)

    async def send(self, text: str, files: list[dict] | None = None, timeout: float = 300.0) -> Turn:
        """One message (with uploads: the `{"id", ...}` answers of `upload`); waits for the turn's end."""
        assert self.sio is not None, "open() first"
        while not self._events.empty():
            self._events.get_nowait()
        loop = asyncio.get_running_loop()
        start = loop.time()
        message = {"id": str(uuid.uuid4()), "threadId": self.thread_id or "", "name": "User",
                   "type": "user_message", "output": text,
                   "createdAt": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")}
        await self.sio.emit("client_message", {"message": message, "fileReferences": files or None})
        turn, started = Turn(), False
        while True:
            name, data = await asyncio.wait_for(self._events.get(), timeout=max(1.0, timeout - (loop.time() - start)))
            if name == "task_start":
                started = True
            elif name == "new_message" and isinstance(data, dict) and data.get("type") == "assistant_message":
                turn.replies.append(data)
            elif name == "element" and isinstance(data, dict):
                turn.elements.append(data)
            elif name == "task_end" and started:
                break
        turn.seconds = loop.time() - start
        return turn

    async def get(self, url_path: str, **params) -> httpx.Response:
        async with httpx.AsyncClient() as http:
            return await http.get(self.base_url + url_path, params=params, headers=self.headers(), timeout=30)

    async def post_json(self, url_path: str, body: dict) -> httpx.Response:
        async with httpx.AsyncClient() as http:
            return await http.post(self.base_url + url_path, content=json.dumps(body), timeout=30,
                                   headers={**self.headers(), "Content-Type": "application/json"})

    async def clear_and_close(self) -> None:
        """What closing a chat does: ask the server to clear the session, then disconnect."""
        if self.sio is not None and self.sio.connected:
            await self.sio.emit("clear_session")
            await asyncio.sleep(0.2)
            await self.sio.disconnect()

    async def close(self) -> None:
        if self.sio is not None and self.sio.connected:
            await self.sio.disconnect()
