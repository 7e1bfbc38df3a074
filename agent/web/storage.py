"""Where a kept chat's players, charts and panels live: a folder in the data directory, no cloud.

Chainlit's data layer stores each element of a kept chat through a storage client and asks it
for a URL when the chat is reopened. This one writes the files under `<home>/chat-files/` (or
under TASTEMAKER_AUDIO_DIR, which every app server shares) and hands out links signed with this
installation's key that expire (like a cloud store's signed URLs), served by
`/tastemaker/stored/...`; a link cannot be forged or guessed, and one for a path outside the
folder is refused.
"""

from __future__ import annotations

import mimetypes
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from chainlit.data.storage_clients.base import BaseStorageClient

from agent.web import signing
from tools.atomic import write_bytes
from tools.settings import get_settings

ROUTE = "/tastemaker/stored"
LINK_LIFETIME_S = 24 * 3600
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
_EXTENSIONS = {"audio/wav": ".wav", "audio/x-wav": ".wav", "audio/flac": ".flac", "audio/ogg": ".ogg"}  # not in mimetypes


def storage_root() -> Path:
    settings = get_settings()
    settings.ensure_home()
    return settings.audio_home / "chat-files"  # the shared folder, when set: every app server serves the links


def safe_key(object_key: str) -> str:
    """Chainlit's key is '<user id>/<element id>/<element name>': keep its parts, never a path out of the folder."""
    parts = [_UNSAFE.sub("_", p).strip(" .") for p in object_key.split("/")]
    parts = [p for p in parts if p and p not in (".", "..")]
    if not parts:
        raise ValueError(f"unusable storage key {object_key!r}")
    return "/".join(parts)


def signed_url(key: str, now: float | None = None) -> str:
    expires = int((now or time.time()) + LINK_LIFETIME_S)
    return f"{ROUTE}/{quote(key)}?expires={expires}&sig={signing.sign('stored', f'{key}|{expires}', 32)}"


def resolve(key: str, expires: str, sig: str, now: float | None = None) -> Path | None:
    """The file a signed link points at, or None when the link is forged, expired or points outside."""
    if not expires.isdigit() or int(expires) < (now or time.time()):
        return None
    if not signing.verify("stored", f"{key}|{expires}", sig, 32):
        return None
    root = storage_root().resolve()
    path = (root / key).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


class LocalStorageClient(BaseStorageClient):
    async def upload_file(self, object_key: str, data: bytes | str, mime: str = "application/octet-stream",
                          overwrite: bool = True, content_disposition: str | None = None) -> dict[str, Any]:
        key = safe_key(object_key)
        extension = mimetypes.guess_extension(mime or "") or _EXTENSIONS.get(mime or "", "")
        if extension and not key.endswith(extension):
            key += extension  # served back with the right type (element names carry no extension)
        path = storage_root() / key
        if overwrite or not path.exists():
            write_bytes(path, data.encode() if isinstance(data, str) else data)
        return {"object_key": key, "url": signed_url(key)}

    async def delete_file(self, object_key: str) -> bool:
        path = storage_root() / safe_key(object_key)
        if path.resolve().is_relative_to(storage_root().resolve()) and path.is_file():
            path.unlink()
            return True
        return False

    async def get_read_url(self, object_key: str) -> str:
        return signed_url(safe_key(object_key))

    async def close(self) -> None:
        pass


async def serve_stored(key: str, expires: str = "", sig: str = ""):
    from fastapi.responses import FileResponse, JSONResponse

    path = resolve(key, expires, sig)
    if path is None:
        return JSONResponse({"detail": "That link is not valid (or has expired): reopen the chat."}, status_code=404)
    return FileResponse(path, media_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream")


def install() -> None:
    """Serve stored elements from the chat app, ahead of Chainlit's catch-all page route."""
    from chainlit.server import app

    if any(getattr(r, "endpoint", None) is serve_stored for r in app.router.routes):
        return
    app.add_api_route(ROUTE + "/{key:path}", serve_stored, methods=["GET"])
    app.router.routes.insert(0, app.router.routes.pop())
