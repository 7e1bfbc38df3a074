"""What a job is: a module-level function and its arguments, run by whichever engine is configured.

The function and its arguments must be picklable (a Ray worker receives them): module-level functions,
dataclasses and numpy arrays, never a lambda or an open file. A job returns a value or raises; a
TastemakerError is the job's own answer (a bad file) and is never retried, while a worker that dies
under a job is an engine matter (Ray retries it elsewhere).
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from tools.errors import TastemakerError

T = TypeVar("T")
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Job(Generic[T]):
    """One unit of heavy work: `fn(*args)`, named for error messages."""

    fn: Callable[..., T]
    args: tuple[Any, ...] = ()
    name: str = ""
    # Called with (fraction, words) by jobs that report progress, when they run in this process; a job on
    # a Ray worker cannot call back, and its progress is reported when it ends.
    progress: Progress | None = field(default=None, compare=False)

    def shippable(self) -> Job[T]:
        """This job without what cannot leave this process (its progress callback)."""
        return self if self.progress is None else replace(self, progress=None)

    def __call__(self, in_process: bool = True) -> T:
        if self.progress is not None and in_process:
            return self.fn(*self.args, progress=self.progress)
        return self.fn(*self.args)


@dataclass
class Outcome(Generic[T]):
    """How one job of a batch ended: its value, or the error it raised. `index` is its place in the batch."""

    index: int
    job: Job[T]
    value: T | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def result(self) -> T:
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


class JobFailed(TastemakerError):
    """A job's error that could not travel back from a worker as itself (an exception whose class takes other
    arguments than its message): its words, and whether it was one a person can act on."""

    def __init__(self, message: str, kind: str = "", user_facing: bool = True):
        super().__init__(message)
        self.kind, self.user_facing = kind, user_facing

    def __reduce__(self):
        return JobFailed, (str(self), self.kind, self.user_facing)


def portable(exc: Exception) -> Exception:
    """`exc` if it survives pickling (it then reaches the caller as itself), else a JobFailed with its words."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - any class that cannot be rebuilt from its pickle
        return JobFailed(str(exc), type(exc).__name__, isinstance(exc, TastemakerError))
