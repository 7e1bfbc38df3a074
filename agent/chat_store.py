"""A kept chat's state, so that reopening it from the sidebar picks up where it stopped.

After every turn of a kept chat (login on) the conversation's state is written to
`<home>/chats/<person>/<thread id>.json` (under TASTEMAKER_AUDIO_DIR when set, so that any app
server reopens it): its uploads (copies kept beside it), its pieces with the requests that made
them, the taste profile, what was shown last, which reply showed which pieces (their buttons come
back), and the conversation itself (LangChain's message dicts, so "it", "these" and "the second
one" still point where they did). JSON only, and only the project's own dataclasses are rebuilt
from it (an allow-list), so a kept file can never make the app run code.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

from langchain_core.messages import messages_from_dict, messages_to_dict

from agent.records import decode as _decode
from agent.records import encode as _encode
from agent.session import GeneratedPiece, Session, Upload
from tools.atomic import atomic_output, write_bytes
from tools.audio import load_clip
from tools.errors import TastemakerError
from tools.settings import get_settings

VERSION = 1
_THREAD = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def chat_dir(user: str, thread_id: str) -> Path:
    if not _THREAD.match(thread_id or ""):
        raise TastemakerError("That is not a chat of yours.")
    person = hashlib.sha256(user.encode()).hexdigest()[:16]
    settings = get_settings()
    settings.ensure_home()
    return settings.audio_home / "chats" / person / thread_id  # the shared folder, when set: any server reopens it


def keep_upload(user: str, thread_id: str, path: str | Path, name: str) -> Path:
    """A copy of an upload beside the kept chat (the upload store is cleared when the session ends)."""
    folder = chat_dir(user, thread_id) / "uploads"
    n = len(list(folder.glob("*"))) + 1 if folder.is_dir() else 1
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).strip("._") or "upload"
    kept = folder / f"{n:03d}-{safe}"
    with atomic_output(kept) as part:
        shutil.copyfile(path, part)
    return kept


def drop_upload(user: str, thread_id: str, path: str | Path) -> None:
    """Remove a kept copy of an upload whose turn was stopped (only a copy in this chat's own uploads folder)."""
    path = Path(path)
    if path.parent.resolve() == (chat_dir(user, thread_id) / "uploads").resolve():
        path.unlink(missing_ok=True)


def save(session: Session, thread_id: str, messages: list, shown: dict[str, list[str]]) -> Path:
    state = {
        "version": VERSION,
        "uploads": [{"id": u.id, "name": u.name, "path": u.path} for u in session.uploads.values()],
        "pieces": [{"id": p.id, "kind": p.kind, "liked": p.liked, "library_id": p.library_id,
                    "refined_from": p.refined_from, "change": p.change, "name": p.name,
                    "earlier_words": p.earlier_words, "earlier_why": p.earlier_why, "from_library": p.from_library,
                    "attempts": _encode(p.attempts), "generation": _encode(p.generation),
                    "request": _encode(p.request)} for p in session.pieces.values()],
        "profile": _encode(session.profile) if session.profile else None,
        "last_search": list(session.last_search),
        "messages": messages_to_dict(messages),
        "shown": shown,
    }
    path = chat_dir(session.user, thread_id).with_suffix(".json")
    write_bytes(path, json.dumps(state).encode())
    return path


def restore(session: Session, thread_id: str) -> tuple[list, dict[str, list[str]], list[str]]:
    """Fill `session` from the kept state; returns (messages, shown, notes about what could not come back)."""
    path = chat_dir(session.user, thread_id).with_suffix(".json")
    if not path.is_file():
        return [], {}, []
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [], {}, ["this chat's saved state could not be read, so I start from its text only"]
    notes = []
    for item in state.get("uploads", []):
        try:
            clip = load_clip(item["path"], name=item["name"])
        except TastemakerError:
            notes.append(f"{item['name']} is no longer on this machine")
            continue
        session.uploads[item["id"]] = Upload(id=item["id"], name=item["name"], path=item["path"], clip=clip)
    for item in state.get("pieces", []):
        generation = _decode(item["generation"])
        if not Path(generation.audio_path).is_file():
            notes.append(f"piece {item['id']} is no longer on this machine")
            continue
        session.pieces[item["id"]] = GeneratedPiece(
            id=item["id"], generation=generation, request=_decode(item["request"]), kind=item["kind"],
            liked=item.get("liked"), library_id=item.get("library_id"), attempts=_decode(item.get("attempts", [])),
            refined_from=item.get("refined_from"), change=item.get("change"), name=item.get("name"),
            earlier_words=list(item.get("earlier_words", [])), earlier_why=list(item.get("earlier_why", [])),
            from_library=bool(item.get("from_library")))
    session.profile = _decode(state["profile"]) if state.get("profile") else None
    session.last_search = list(state.get("last_search", []))
    return messages_from_dict(state.get("messages", [])), dict(state.get("shown", {})), notes
