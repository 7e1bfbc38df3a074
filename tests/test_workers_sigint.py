"""Pool workers leave Ctrl-C to their parent (tools.workers.die_with_parent)."""

from __future__ import annotations

import os
import signal
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from tools.workers import die_with_parent


def _ctrl_c_then_work() -> int:
    os.kill(os.getpid(), signal.SIGINT)  # what a Ctrl-C in the terminal sends every process of the group
    return 42


def test_a_ctrl_c_in_the_terminal_does_not_break_the_pool():
    """The terminal chat cancels a turn on Ctrl-C; the built-in library's build in its pool must go on."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"), initializer=die_with_parent,
                             initargs=(os.getpid(),)) as pool:
        for _ in range(2):  # .exception(): a KeyboardInterrupt from the worker fails this test, not all of pytest
            job = pool.submit(_ctrl_c_then_work)
            assert job.exception(timeout=60) is None and job.result() == 42
