"""The line a chat message carries for the files attached to it: 'Attached: u1 (song.wav, 30.0 s)'.

Both brains read uploads from it (an LLM by the ids it names, the offline planner by `uploads_in`), and
what the person said is the message without it (`strip_note`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools.errors import TastemakerError

_NOTE_RE = re.compile(r"^Attached: (.*)$", re.MULTILINE)
_NOTE_ITEM_RE = re.compile(r"\b(u\d+) \((.+?), [\d.]+ s\)")


def attachment_note(items: list[tuple[str, str, float]]) -> str:
    """The line added to a user's message naming what they attached: [(upload id, file name, seconds)]."""
    return "Attached: " + "; ".join(f"{uid} ({name}, {secs:.1f} s)" for uid, name, secs in items)


def uploads_in(text: str) -> list[tuple[str, str]]:
    """(upload id, file name) of each upload a message's attachment note names."""
    found: list[tuple[str, str]] = []
    for line in _NOTE_RE.findall(text):
        found.extend(_NOTE_ITEM_RE.findall(line))
    return found


def upload_ids_in(text: str) -> list[str]:
    return [uid for uid, _ in uploads_in(text)]


def strip_note(text: str) -> str:
    """The user's own words, without the attachment note."""
    return _NOTE_RE.sub("", text).strip()


def take_files(attach: Callable[[str, str], Any], files: list[tuple[str, str]],
               keep: Callable[[str, str], Path] | None = None) -> tuple[list[Any], list[tuple[int, str]]]:
    """The uploads a message's files (path, name) become through `attach`, checked before anything shows or keeps
    them, and (index, one clear line) for each that is not audio we can read ('song.wav' that holds text).

    `keep` (path, name) -> a kept copy (a chat kept beside its history) is made first and the copy attached; a
    rejected file's copy is removed, so nothing half-written is left: no upload, no stored file."""
    uploads: list[Any] = []
    problems: list[tuple[int, str]] = []
    for i, (path, name) in enumerate(files):
        kept = keep(path, name) if keep is not None else None
        try:
            uploads.append(attach(str(kept or path), name))
        except TastemakerError as exc:
            if kept is not None:
                Path(kept).unlink(missing_ok=True)
            problems.append((i, str(exc)))
    return uploads, problems
