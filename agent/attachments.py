"""The line a chat message carries for the files attached to it: 'Attached: u1 (song.wav, 30.0 s)'.

Both brains read uploads from it (an LLM by the ids it names, the offline planner by `uploads_in`), and
what the person said is the message without it (`strip_note`).
"""

from __future__ import annotations

import re

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
