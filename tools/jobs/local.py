"""The embedded engine: jobs run in this process, one after another per caller (no extra services).

This is what a single person runs, and it does what the product did before there was a job interface:
the calling thread runs the job itself, holding a run-slot of the fair scheduler (one per CPU).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tools.jobs.job import Job, Outcome, T


class LocalEngine:
    name = "in-process"
    remote = False

    def __init__(self, capacity: int):
        self.capacity = max(1, int(capacity))

    def call(self, job: Job[T]) -> T:
        return job()

    def stream(self, jobs: Iterable[Job[T]], window: int | None = None) -> Iterator[Outcome[T]]:
        """Each job in turn, in order (`window` does not matter in one thread)."""
        for index, job in enumerate(jobs):
            try:
                yield Outcome(index, job, value=job())
            except Exception as exc:  # noqa: BLE001 - the caller decides what a failed job means
                yield Outcome(index, job, error=exc)

    def close(self) -> None:
        pass
