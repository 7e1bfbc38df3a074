"""What a page reload (or a closed tab) leaves for the page that comes back: the turn it cut off, and (without a
login) the pieces the page had made.

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
from typing import Generic, TypeVar

FRESH_S = 15 * 60  # a note older than this is about another visit
T = TypeVar("T")


@dataclass(frozen=True)
class CutOff:
    words: str  # what the person asked for (their words, without the attachment note)
    files: tuple[str, ...] = ()  # the names of the files the turn had; they went with it


class ForNextPage(Generic[T]):
    """Per person, one thing their last page left for the next one: kept a while (FRESH_S), taken once, and
    withdrawn when that page turns out to be still there (a dropped connection, not a reload)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._notes: dict[str, tuple[T, float, str]] = {}  # person -> (what, when, the session that left it)

    def leave(self, person: str, what: T, session: str = "", now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock:
            # notes nobody came back for are dropped: a client opening and leaving pages must not grow this forever
            for stale in [p for p, (_, at, _) in self._notes.items() if now - at > FRESH_S]:
                del self._notes[stale]
            self._notes[person] = (what, now, session)

    def back(self, person: str, session: str) -> None:
        """The session that left the note is talking again: it was a dropped connection, not a reload."""
        with self._lock:
            if person in self._notes and self._notes[person][2] == session:
                del self._notes[person]

    def take(self, person: str, now: float | None = None) -> T | None:
        """The person's note, once (the next page has it; the one after does not)."""
        with self._lock:
            note = self._notes.pop(person, None)
        now = time.time() if now is None else now
        return note[0] if note is not None and now - note[1] <= FRESH_S else None


class CutOffTurns(ForNextPage[CutOff]):
    """Per person, the turn their last page was working on when it went away."""

    def note(self, person: str, words: str, files: tuple[str, ...] = (), now: float | None = None,
             session: str = "") -> None:
        self.leave(person, CutOff(words.strip(), tuple(files)), session, now)


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


@dataclass(frozen=True)
class PageLeft:
    """What a page without a login had: its pieces (id -> GeneratedPiece, in the order made), its conversation (the
    chat's messages: 'slower' is about the piece in hand) and the names of the files attached to it (they went)."""

    pieces: dict
    messages: list
    files: tuple[str, ...] = ()


# Without a login there is no data layer to bring a chat back (Chainlit's on_chat_resume needs one), so a reload
# emptied the page of the pieces made in it and of the conversation about them: the page that goes away leaves them
# for the person's next page, which shows the pieces again and goes on from them
PAGES_LEFT: ForNextPage[PageLeft] = ForNextPage()
