"""A turn cut off by a page reload (or a closed tab), told to the page that comes back.

A reload is a new Chainlit session: the old one ends (on_chat_end stops its turn, which keeps nothing) and the
new page starts empty. Without a word the person sees their conversation vanish. So the ending session leaves a
note for its person (the login name, else the guest name from the browser's cookie: the same across a reload),
and the next chat that person starts says what happened, what they still have, and offers to make it again.
A note is for the next page only, and only for a while: a person who comes back tomorrow is not told.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

FRESH_S = 15 * 60  # a note older than this is about another visit


@dataclass(frozen=True)
class CutOff:
    words: str  # what the person asked for (their words, without the attachment note)
    files: tuple[str, ...] = ()  # the names of the files the turn had; they went with it
    at: float = 0.0
    session: str = ""  # the Chainlit session that went away


class CutOffTurns:
    """Per person, the turn their last page was working on when it went away."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._notes: dict[str, CutOff] = {}

    def note(self, person: str, words: str, files: tuple[str, ...] = (), now: float | None = None,
             session: str = "") -> None:
        now = time.time() if now is None else now
        with self._lock:
            # notes nobody came back for are dropped: a client opening and leaving pages must not grow this forever
            for stale in [p for p, cut in self._notes.items() if now - cut.at > FRESH_S]:
                del self._notes[stale]
            self._notes[person] = CutOff(words.strip(), tuple(files), now, session)

    def back(self, person: str, session: str) -> None:
        """The session that left the note is talking again: it was a dropped connection, not a reload."""
        with self._lock:
            if person in self._notes and self._notes[person].session == session:
                del self._notes[person]

    def take(self, person: str, now: float | None = None) -> CutOff | None:
        """The person's note, once (the next page tells it; the one after does not)."""
        with self._lock:
            cut = self._notes.pop(person, None)
        now = time.time() if now is None else now
        return cut if cut is not None and now - cut.at <= FRESH_S else None


def told(cut: CutOff, kept_chats: bool) -> str:
    """The one line the new page opens with."""
    asked = f"“{_short(cut.words)}”" if cut.words else "your request"
    files = f" (attach {', '.join(cut.files)} again with it)" if cut.files else ""
    where = "the chat before is in the sidebar, and " if kept_chats else ""
    return (f"The page was reloaded while I was working on {asked}, so I stopped it and nothing was made; "
            f"{where}your taste and the pieces you saved to your library are still yours. "
            f"Press **Make it again**, or ask anew{files}.")


def _short(words: str, limit: int = 80) -> str:
    words = " ".join(words.split())
    return words if len(words) <= limit else words[:limit - 1].rstrip() + "…"


CUT_OFF = CutOffTurns()  # one per server process, like the session registry
