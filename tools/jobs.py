"""Heavy work (rendering, tagging), shared fairly between the people one server serves, within budgets.

Two things keep one person from slowing everyone else down:
- `slot(owner)`: at most `workers` heavy jobs run at once (TASTEMAKER_WORKERS, default one per CPU),
  and when a slot frees up the next owner in turn gets it (round-robin by owner), so a request for
  eight versions interleaves with the one-piece request someone else sent after it.
- `working_for(...)`: a chat turn runs inside an audio budget (seconds of audio it may render, all
  candidates and loop rounds together; TASTEMAKER_TURN_AUDIO_S) and draws on its session's
  allowance (TASTEMAKER_SESSION_AUDIO_S). `charge_audio` refuses work past either with a clear line.
Outside a chat turn (the CLI, tests) the owner is "local" and there is no budget.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections import OrderedDict, deque
from collections.abc import Iterator
from collections.abc import Iterator
from dataclasses import dataclass

from tools.errors import TastemakerError
from tools.settings import get_settings


class BudgetExceeded(TastemakerError):
    """A turn or a session asked for more audio than it may render."""


class FairScheduler:
    """Run-slots for heavy jobs, shared fairly: the next slot goes to the waiting owner with the fewest
    jobs running, then the one served longest ago, then the one waiting longest."""

    def __init__(self, slots: int):
        self.slots = max(1, int(slots))
        self._cond = threading.Condition()
        self._running: dict[str, int] = {}
        self._served = 0
        self._last_served: dict[str, int] = {}
        self._waiting: OrderedDict[str, deque[object]] = OrderedDict()

    def _next(self) -> object | None:
        if not self._waiting:
            return None
        owner = min(self._waiting, key=lambda o: (self._running.get(o, 0), self._last_served.get(o, -1)))
        return self._waiting[owner][0]

    @contextlib.contextmanager
    def slot(self, owner: str) -> Iterator[None]:
        ticket = object()
        with self._cond:
            self._waiting.setdefault(owner, deque()).append(ticket)
            while not (sum(self._running.values()) < self.slots and self._next() is ticket):
                self._cond.wait()
            tickets = self._waiting[owner]
            tickets.popleft()
            if not tickets:
                del self._waiting[owner]
            self._running[owner] = self._running.get(owner, 0) + 1
            self._last_served[owner] = self._served
            self._served += 1
        try:
            yield
        finally:
            with self._cond:
                self._running[owner] -= 1
                if not self._running[owner]:
                    del self._running[owner]
                if owner not in self._waiting and owner not in self._running:
                    self._last_served.pop(owner, None)  # forget owners who are done: the map stays small
                self._cond.notify_all()

    @property
    def waiting(self) -> int:
        with self._cond:
            return sum(len(t) for t in self._waiting.values())


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
_scheduler: FairScheduler | None = None
_scheduler_lock = threading.Lock()


def scheduler() -> FairScheduler:
    global _scheduler
    with _scheduler_lock:
        if _scheduler is None:
            _scheduler = FairScheduler(get_settings().worker_count)
        return _scheduler


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


@contextlib.contextmanager
def slot() -> Iterator[None]:
    """A run-slot for one heavy job of the current owner (waits its turn)."""
    with scheduler().slot(owner()):
        yield


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
