"""Audio budgets: what one chat turn, and one chat session, may render.

`working_for(owner, session)` marks everything inside as `owner`'s turn: its jobs are scheduled fairly under
that name and its audio is budgeted (TASTEMAKER_TURN_AUDIO_S per turn, drawing on the session's allowance,
TASTEMAKER_SESSION_AUDIO_S). `charge_audio` refuses work past either with a clear line. Outside a chat turn
(the CLI, tests) the owner is "local" and there is no budget.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from tools.errors import TastemakerError
from tools.settings import get_settings


class BudgetExceeded(TastemakerError):
    """A turn or a session asked for more audio than it may render."""


@dataclass
class Allowance:
    """Seconds of audio left to render; shared by the turns of one session (thread-safe)."""

    left_s: float
    limit_s: float

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def take(self, seconds: float) -> bool:
        with self._lock:
            if seconds > self.left_s + 1e-9:
                return False
            self.left_s -= seconds
            return True


@dataclass
class Work:
    owner: str
    turn: Allowance
    session: Allowance | None


_current: contextvars.ContextVar[Work | None] = contextvars.ContextVar("tastemaker_work", default=None)


def session_allowance() -> Allowance:
    limit = get_settings().session_audio_s
    return Allowance(left_s=limit, limit_s=limit)


@contextlib.contextmanager
def working_for(owner: str, session: Allowance | None = None) -> Iterator[Work]:
    """Everything inside is `owner`'s turn: its slots are scheduled fairly and its audio is budgeted."""
    limit = get_settings().turn_audio_s
    work = Work(owner=owner, turn=Allowance(left_s=limit, limit_s=limit), session=session)
    token = _current.set(work)
    try:
        yield work
    finally:
        _current.reset(token)


def owner() -> str:
    work = _current.get()
    return work.owner if work else "local"


def charge_audio(seconds: float) -> None:
    """Account for `seconds` of audio about to be rendered; BudgetExceeded if the turn or session is spent."""
    work = _current.get()
    if work is None:
        return
    if not work.turn.take(seconds):
        raise BudgetExceeded(
            f"That would make more than {work.turn.limit_s:g} s of audio for one message "
            f"({work.turn.limit_s - work.turn.left_s:g} s made so far). Ask for fewer versions, fewer rounds "
            "or shorter pieces.")
    if work.session is not None and not work.session.take(seconds):
        raise BudgetExceeded(
            f"This chat has made its {work.session.limit_s / 60:g} minutes of music. Start a new chat to go on.")
