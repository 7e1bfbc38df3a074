"""Run-slots for heavy jobs, granted fairly between the people one server serves.

At most `slots` jobs run at once; when a slot frees up, the next one goes to the waiting owner with the fewest
jobs running, then the one served longest ago, then the one waiting longest (round-robin by owner). So a
request for eight versions interleaves with the one-piece request someone else sent after it. With a Ray
cluster the slots are the jobs this server keeps in flight on it: the same fairness, and back-pressure.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict, deque
from collections.abc import Iterator


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
