"""Heavy work shared fairly between people, within audio budgets (tools.jobs)."""

from __future__ import annotations

import threading
import time

import pytest

from tools import jobs
from tools.generate import GenerationRequest, generate


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.005)


def test_a_later_request_is_not_starved_by_a_heavy_one():
    scheduler = jobs.FairScheduler(slots=1)
    order: list[str] = []
    release = threading.Event()

    def job(owner: str, name: str, block: bool = False) -> None:
        with scheduler.slot(owner):
            order.append(name)
            if block:
                release.wait(10)

    heavy = [threading.Thread(target=job, args=("heavy", "h1", True))]
    heavy[0].start()
    wait_until(lambda: order == ["h1"])
    heavy += [threading.Thread(target=job, args=("heavy", f"h{i}")) for i in range(2, 6)]
    for t in heavy[1:]:
        t.start()
    wait_until(lambda: scheduler.waiting == 4)
    light = threading.Thread(target=job, args=("light", "l1"))
    light.start()
    wait_until(lambda: scheduler.waiting == 5)
    release.set()
    for t in [*heavy, light]:
        t.join(10)
    assert order == ["h1", "l1", "h2", "h3", "h4", "h5"]  # one slot each in turn, not four heavy ones first


def test_slots_bound_how_many_jobs_run_at_once():
    scheduler = jobs.FairScheduler(slots=2)
    running, peak, lock = [0], [0], threading.Lock()

    def job(owner: str) -> None:
        with scheduler.slot(owner):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            time.sleep(0.01)
            with lock:
                running[0] -= 1

    threads = [threading.Thread(target=job, args=(f"o{i % 3}",)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert peak[0] == 2 and running[0] == 0


def test_a_turn_cannot_render_more_audio_than_its_budget(monkeypatch):
    monkeypatch.setenv("TASTEMAKER_TURN_AUDIO_S", "5")
    with jobs.working_for("someone"):
        made = generate(GenerationRequest(prompt="calm piano", seconds=2, engine="sketch", seed=1))
        assert len(made) == 1
        with pytest.raises(jobs.BudgetExceeded, match="more than 5 s of audio for one message"):
            generate(GenerationRequest(prompt="calm piano", seconds=2, candidates=2, engine="sketch", seed=2))
    # Outside a chat turn (the CLI) there is no budget.
    assert len(generate(GenerationRequest(prompt="calm piano", seconds=2, candidates=3, engine="sketch", seed=3))) == 3


def test_a_session_allowance_spans_its_turns(monkeypatch):
    monkeypatch.setenv("TASTEMAKER_SESSION_AUDIO_S", "6")
    allowance = jobs.session_allowance()
    for _ in range(3):
        with jobs.working_for("someone", allowance):
            jobs.charge_audio(2)
    with jobs.working_for("someone", allowance), pytest.raises(jobs.BudgetExceeded, match="Start a new chat"):
        jobs.charge_audio(2)


def test_the_loop_keeps_its_best_piece_when_the_budget_runs_out(monkeypatch):
    from tools.contracts import TasteProfile
    from tools.loop import LoopConfig, TaggerJudge, create

    class NeverSatisfied(TaggerJudge):  # the real tagger listens, but nothing ever matches: the loop runs on
        def predicted(self, probs, target, rule):
            return []

    monkeypatch.setenv("TASTEMAKER_TURN_AUDIO_S", "9")
    with jobs.working_for("someone"):
        result = create(TasteProfile(genres={"jazz": 0.8}), ["jazz"],
                        LoopConfig(max_iters=6, candidates=2, seconds=4, engine="sketch"), judge=NeverSatisfied())
    assert result.best is not None and not result.matched
    assert len(result.attempts) == 2  # one round of two 4 s candidates fits in 9 s; a second would not
    assert result.stop_reason == "the audio budget for one message was reached"


def test_a_job_that_starts_a_job_runs_it_in_the_slot_it_holds(monkeypatch):
    """With one slot, a loop candidate (a render job) that is judged (a tagging job) must not wait for itself."""
    from tools.contracts import TasteProfile
    from tools.loop import LoopConfig, create

    monkeypatch.setenv("TASTEMAKER_WORKERS", "1")
    assert jobs.scheduler().slots == 1
    done: list = []
    loop = threading.Thread(target=lambda: done.append(
        create(TasteProfile(genres={"jazz": 0.8}), ["jazz"], LoopConfig(max_iters=1, candidates=2, seconds=2))),
        daemon=True)
    loop.start()
    loop.join(120)
    assert done and len(done[0].attempts) == 2


def test_the_in_process_engine_is_the_default_and_runs_jobs_here():
    engine = jobs.engine()
    assert engine.name == "in-process" and not engine.remote
    outcomes = list(jobs.stream([jobs.Job(pow, (n, 2)) for n in range(3)] + [jobs.Job(int, ("x",))]))
    assert [o.value for o in outcomes[:3]] == [0, 1, 4]
    assert isinstance(outcomes[3].error, ValueError)  # a failed job is its outcome, not the batch's end


def test_each_run_slot_gets_its_share_of_the_cpus_for_networks(monkeypatch):
    """A server runs one job per slot at once; torch's default (every CPU in every job) oversubscribes them."""
    import os

    import torch

    before = torch.get_num_threads()
    try:
        monkeypatch.setenv("TASTEMAKER_WORKERS", "1")
        assert jobs.share_cpus_between_jobs() == os.cpu_count() == torch.get_num_threads()  # one job: every CPU
        monkeypatch.setenv("TASTEMAKER_WORKERS", str(2 * os.cpu_count()))
        assert jobs.share_cpus_between_jobs() == 1 == torch.get_num_threads()  # more slots than CPUs: one each
    finally:
        torch.set_num_threads(before)
