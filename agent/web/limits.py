"""Bounds on what one client can make the server do: sign-in attempts and upload sizes.

Sign-ins: after `login_max_failures` failures in a row from one address, that
address must wait before trying again, twice as long after each further failure
(1 s, 2 s, 4 s ... up to 15 minutes); a success clears it. Uploads: the size is
checked from the request's declared length before anything is read, and counted
while the body streams in, so an oversized upload is refused without ever being
held in memory.
"""

from __future__ import annotations

import threading
import time

MAX_BACKOFF_S = 15 * 60.0
MULTIPART_OVERHEAD = 1024 * 1024  # form boundaries and headers around the file itself


class LoginThrottle:
    """Failed sign-ins per client address, with exponential backoff."""

    def __init__(self, max_failures: int, clock=time.monotonic):
        self.max_failures = max_failures
        self.clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, int] = {}
        self._until: dict[str, float] = {}

    def wait_s(self, address: str) -> float:
        """Seconds this address must still wait before its next attempt (0 when it may try now)."""
        with self._lock:
            return max(0.0, self._until.get(address, 0.0) - self.clock())

    def failed(self, address: str) -> None:
        with self._lock:
            n = self._failures.get(address, 0) + 1
            self._failures[address] = n
            if n >= self.max_failures:
                self._until[address] = self.clock() + min(MAX_BACKOFF_S, 2.0 ** (n - self.max_failures))

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)
            self._until.pop(address, None)


def upload_limit_bytes(max_file_mb: float) -> int:
    return int(max_file_mb * 1024 * 1024) + MULTIPART_OVERHEAD


class BodyTooLarge(Exception):
    """The request body passed its limit while streaming in."""
