"""Heavy work (tagging, rendering, the loop's candidates, library ingestion): one job interface, two engines.

    from tools import jobs
    value = jobs.run(jobs.Job(fn, (arg,), name="tagging x.wav"))   # one job, inside a fair run-slot
    for outcome in jobs.stream(many_jobs): ...                      # a batch, outcomes as they finish
    outcomes = jobs.run_each(few_jobs)                              # a few jobs of one turn, side by side

Engines (tools.jobs.local, tools.jobs.ray_engine):
- in-process (the default): the calling thread runs the job; no extra services, what one person runs;
- Ray (TASTEMAKER_RAY_ADDRESS, or `--ray` for one command): the same jobs as Ray tasks and actors.

Either way a job of a chat turn runs inside a run-slot of the fair scheduler (tools.jobs.fair): at most
`capacity` at once per server (TASTEMAKER_WORKERS; 0 = one per CPU of this machine, or of the cluster),
granted round-robin between the people waiting, and inside the turn's audio budget (tools.jobs.budget).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from tools.jobs.budget import (
    Allowance,
    BudgetExceeded,
    Work,
    charge_audio,
    owner,
    session_allowance,
    working_for,
)
from tools.jobs.fair import FairScheduler
from tools.jobs.job import Job, Outcome, Progress, T
from tools.settings import get_settings

__all__ = [
    "Allowance", "BudgetExceeded", "Engine", "FairScheduler", "Job", "Outcome", "Progress", "Work", "charge_audio",
    "engine", "mark_inside_worker", "owner", "run", "run_each", "scheduler", "session_allowance", "slot", "stream",
    "use_ray", "working_for",
]


class Engine(Protocol):
    name: str
    remote: bool  # jobs run in other processes (their files must be on paths those processes see)
    capacity: int  # jobs that can run at once

    def call(self, job: Job[T]) -> T: ...

    def stream(self, jobs: Iterable[Job[T]], window: int | None = None) -> Iterator[Outcome[T]]: ...

    def close(self) -> None: ...


_lock = threading.RLock()
_engine: Engine | None = None
_engine_key: tuple[str, int] | None = None  # (Ray address or "", TASTEMAKER_WORKERS) the engine was made for
_scheduler: FairScheduler | None = None
_inside_worker = False
_ray_override: str | None = None
# Set while this thread runs a job: a job that starts a job (a candidate that is tagged) runs it in the slot
# it holds, so that a nested job never waits for a slot its parent holds.
_in_job: contextvars.ContextVar[bool] = contextvars.ContextVar("tastemaker_in_job", default=False)


def mark_inside_worker() -> None:
    """This process is a Ray worker: the jobs its jobs start run right here."""
    global _inside_worker
    _inside_worker = True


def use_ray(address: str | None) -> None:
    """Run this process's jobs on Ray (`--ray`): at `address`, else TASTEMAKER_RAY_ADDRESS, else a Ray started
    on this machine ('local'). None goes back to the settings."""
    global _ray_override
    with _lock:
        _ray_override = address


def _wanted_address() -> str:
    if _inside_worker:
        return ""
    if _ray_override is not None:
        return _ray_override or get_settings().ray_address or "local"
    return get_settings().ray_address


def engine() -> Engine:
    """The engine the settings ask for (made on first use; a change of TASTEMAKER_RAY_ADDRESS or
    TASTEMAKER_WORKERS makes a new one)."""
    global _engine, _engine_key, _scheduler
    with _lock:
        address = _wanted_address()
        workers = get_settings().workers
        if _engine is None or (address, workers) != _engine_key:
            if _engine is not None:
                _engine.close()
            if address:
                from tools.jobs.ray_engine import RayEngine

                _engine = RayEngine(address, workers)
            else:
                from tools.jobs.local import LocalEngine

                _engine = LocalEngine(get_settings().worker_count)
            _engine_key = (address, workers)
            _scheduler = None
        return _engine


def share_cpus_between_jobs() -> int:
    """Give each in-process job's networks CPU threads / run-slots threads (a server runs a job per slot at once).
    Torch's default, a thread per CPU in every job, made the threads of two jobs spin against each other on
    2 cores: tagging a 20 s song took 1.3-7x as long (docs/robustness.md). Returns the threads per job."""
    import torch

    capacity = engine().capacity if not _wanted_address() else 1  # on Ray each worker is one process
    threads = max(1, (os.cpu_count() or 1) // capacity)
    torch.set_num_threads(threads)
    return threads


def scheduler() -> FairScheduler:
    """The fair scheduler of this server's run-slots, sized to the engine's capacity."""
    global _scheduler
    with _lock:
        slots = engine().capacity
        if _scheduler is None or _scheduler.slots != slots:
            _scheduler = FairScheduler(slots)
        return _scheduler


@contextlib.contextmanager
def slot() -> Iterator[None]:
    """A run-slot for one heavy job of the current owner (waits its turn)."""
    with scheduler().slot(owner()):
        yield


def run(job: Job[T]) -> T:
    """Run one job on the configured engine, inside a fair run-slot; its error is raised here."""
    if _inside_worker:
        return job(in_process=False)
    if _in_job.get():
        return job()
    chosen = engine()
    with scheduler().slot(owner()):
        token = _in_job.set(True)
        try:
            return chosen.call(job)
        finally:
            _in_job.reset(token)


def run_each(jobs: list[Job[T]]) -> list[Outcome[T]]:
    """A few jobs of one turn (the loop's candidates), each in its own slot, in order. In-process they run
    one after another, as before; on Ray side by side, on as many workers as the slots allow."""
    chosen = engine()
    if not chosen.remote or len(jobs) < 2:
        return list(_each_here(jobs))
    who = owner()

    def one(index: int, job: Job[T]) -> Outcome[T]:
        try:
            with scheduler().slot(who):
                return Outcome(index, job, value=chosen.call(job))
        except Exception as exc:  # noqa: BLE001 - the caller decides what a failed candidate means
            return Outcome(index, job, error=exc)

    with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="tastemaker-job") as pool:
        return list(pool.map(one, range(len(jobs)), jobs))


def _each_here(jobs: list[Job[T]]) -> Iterator[Outcome[T]]:
    for index, job in enumerate(jobs):
        try:
            yield Outcome(index, job, value=run(job))
        except Exception as exc:  # noqa: BLE001
            yield Outcome(index, job, error=exc)


def stream(jobs: Iterable[Job[T]], window: int | None = None) -> Iterator[Outcome[T]]:
    """A batch (library ingestion): outcomes as jobs finish, at most `window` in flight. In-process: in order,
    each job taking the run-slots it takes itself; on Ray: on every CPU of the cluster."""
    return engine().stream(jobs, window)
