"""The Ray engine: the same jobs on a Ray cluster (TASTEMAKER_RAY_ADDRESS, or `--ray`).

- One job from a chat turn (a render, a tagging) is a Ray task: Ray places it on a free CPU of the
  cluster, retries it elsewhere if its worker process dies (MAX_RETRIES), and keeps worker processes
  between tasks, so a model's weights load once per worker process. The caller holds a run-slot of its
  server's fair scheduler meanwhile: the slots bound what this server keeps in flight (back-pressure) and
  share them fairly between its people.
- A batch (library ingestion) runs on a set of actors, one per CPU, each loading the models once; at most
  WINDOW_PER_ACTOR jobs wait per actor, so a million-file folder never floods the cluster's memory. An
  actor whose process dies is restarted and its job retried (MAX_RETRIES).
- Arguments and results travel through Ray's object store (a clip's samples by reference); audio files
  are written to, and read from, paths every node sees (the shared audio folder, TASTEMAKER_AUDIO_DIR).

Workers get this process's settings (the data and audio folders, model files, limits: Settings.for_workers),
but not its secrets nor the Ray address: a job that starts a job runs it where it is.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
from collections.abc import Iterable, Iterator
from typing import Any

from tools.errors import TastemakerError
from tools.jobs.job import Job, Outcome, T, portable

MAX_RETRIES = 3
WINDOW_PER_ACTOR = 2
CONNECT_TIMEOUT_S = 5.0
_HUB_POLICY = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")  # tools.settings.apply_hub_policy


class RayUnavailableError(TastemakerError):
    """The Ray cluster named by the settings cannot be reached or started."""


def worker_env() -> dict[str, str]:
    """What workers must see as this process does: its settings (no secrets, no Ray address) and hub policy."""
    from tools.settings import get_settings

    env = get_settings().for_workers()
    env.update({k: os.environ[k] for k in _HUB_POLICY if k in os.environ})
    return env


def _check_reachable(address: str) -> None:
    """Ray waits minutes on an address nobody answers; say so in seconds instead."""
    host_port = address.removeprefix("ray://")
    host, _, port = host_port.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S):
            return
    except (OSError, ValueError) as exc:
        raise RayUnavailableError(
            f"No Ray cluster answers at {address} (TASTEMAKER_RAY_ADDRESS): {getattr(exc, 'strerror', None) or exc}. "
            "Start one with `ray start --head` (see the README, 'Running for many people'), or unset the "
            "variable to run everything in this process.") from None


def connect(address: str, cpus: int) -> None:
    """Join the cluster at `address` ('local': start Ray on this machine for this process, `cpus` CPUs)."""
    import ray

    if ray.is_initialized():
        return
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    options: dict[str, Any] = dict(namespace="tastemaker", runtime_env={"env_vars": worker_env()},
                                   logging_level=logging.ERROR, log_to_driver=False)
    try:
        if address == "local":
            ray.init(num_cpus=cpus, include_dashboard=False, **options)
        else:
            if address != "auto":
                _check_reachable(address)
            ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise RayUnavailableError(f"Could not join the Ray cluster at {address} (TASTEMAKER_RAY_ADDRESS): "
                                  f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}.") from None


def _run_in_worker(job: Job[T]) -> T:
    from tools import jobs

    jobs.mark_inside_worker()
    try:
        return job(in_process=False)
    except Exception as exc:
        raise portable(exc) from None  # Ray sends it back pickled: it must unpickle on the other side


class _Worker:
    """An actor: one process that keeps its models loaded between the jobs it is given."""

    def __init__(self) -> None:
        from tools import jobs

        jobs.mark_inside_worker()

    def run(self, index: int, job: Job[T]) -> tuple[int, T | None, BaseException | None]:
        try:
            return index, job(in_process=False), None
        except Exception as exc:  # noqa: BLE001 - the job's own answer (a bad file): returned, never retried
            return index, None, portable(exc)


class RayEngine:
    name = "ray"
    remote = True

    def __init__(self, address: str, workers: int = 0):
        import ray

        self.address = address
        connect(address, workers or (os.cpu_count() or 1))
        self._task = ray.remote(num_cpus=1, max_retries=MAX_RETRIES)(_run_in_worker)
        self._actor = ray.remote(num_cpus=1, max_restarts=MAX_RETRIES, max_task_retries=MAX_RETRIES)(_Worker)
        self.capacity = max(1, workers or int(ray.cluster_resources().get("CPU", 1)))

    def _failure(self, job: Job, exc: BaseException) -> BaseException:
        """A job's own error as it was raised; a lost worker as one line."""
        import ray.exceptions as rex

        if isinstance(exc, rex.RayTaskError) and isinstance(exc.cause, Exception):
            return exc.cause
        what = f" while {job.name}" if job.name else ""
        return TastemakerError(f"A worker of the Ray cluster failed{what} and the job failed again after "
                               f"{MAX_RETRIES} retries ({type(exc).__name__}). Check the cluster with `ray status`.")

    def call(self, job: Job[T]) -> T:
        import ray
        import ray.exceptions as rex

        try:
            value = ray.get(self._task.remote(job.shippable()))
        except rex.RayError as exc:
            raise self._failure(job, exc) from None
        if job.progress is not None:
            job.progress(1.0, "done")
        return value

    def stream(self, jobs: Iterable[Job[T]], window: int | None = None) -> Iterator[Outcome[T]]:
        """Outcomes as jobs finish (not in order), at most `window` jobs submitted and not yet collected.

        A batch bigger than the cluster gets actors, one per CPU, for as long as it lasts; a few jobs (a song
        added from the chat) run as tasks, on worker processes that may have their models loaded already."""
        todo = iter(jobs)
        first = list(itertools.islice(todo, self.capacity + 1))
        if len(first) <= self.capacity:
            return self._as_tasks(first)
        return self._on_actors(itertools.chain(first, todo), window)

    def _as_tasks(self, jobs: list[Job[T]]) -> Iterator[Outcome[T]]:
        import ray
        import ray.exceptions as rex

        refs = [self._task.remote(job.shippable()) for job in jobs]
        for index, (job, ref) in enumerate(zip(jobs, refs)):
            try:
                yield Outcome(index, job, value=ray.get(ref))
            except rex.RayError as exc:
                yield Outcome(index, job, error=self._failure(job, exc))

    def _on_actors(self, jobs: Iterator[Job[T]], window: int | None) -> Iterator[Outcome[T]]:
        import ray
        import ray.exceptions as rex

        actors = [self._actor.remote() for _ in range(self.capacity)]
        window = window or WINDOW_PER_ACTOR * len(actors)
        load = [0] * len(actors)
        pending: dict[Any, tuple[int, Job, int]] = {}
        todo = iter(enumerate(jobs))
        try:
            while True:
                for index, job in todo if len(pending) < window else ():
                    which = min(range(len(actors)), key=load.__getitem__)
                    pending[actors[which].run.remote(index, job.shippable())] = (index, job, which)
                    load[which] += 1
                    if len(pending) >= window:
                        break
                if not pending:
                    return
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    index, job, which = pending.pop(ref)
                    load[which] -= 1
                    try:
                        _, value, error = ray.get(ref)
                    except rex.RayError as exc:
                        value, error = None, self._failure(job, exc)
                    yield Outcome(index, job, value=value, error=error)
        finally:
            for actor in actors:
                ray.kill(actor)

    def close(self) -> None:
        import ray

        if ray.is_initialized():
            ray.shutdown()
