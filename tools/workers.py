"""Worker processes that end with the process that started them.

A process pool's workers wait on a pipe that every worker also holds open, so
when the parent is killed outright (SIGKILL, the OOM killer) they never see it
close and wait forever. `die_with_parent` is a pool initializer that prevents
that: on Linux the kernel sends the worker SIGKILL when its parent dies
(PR_SET_PDEATHSIG), and everywhere a watchdog thread ends the worker once its
parent process id changes.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
WATCH_INTERVAL_S = 1.0


def die_with_parent(parent_pid: int) -> None:
    """Pool initializer: `initializer=die_with_parent, initargs=(os.getpid(),)`.

    Ctrl-C in a terminal reaches the whole process group: the worker leaves it to the parent (the terminal chat
    cancels a turn on it, and the library build must go on), which ends the workers when it ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass  # the watchdog below still ends it
    if os.getppid() != parent_pid:  # the parent died before we got here
        os._exit(1)
    threading.Thread(target=_watch, args=(parent_pid,), name="die-with-parent", daemon=True).start()


def _watch(parent_pid: int) -> None:
    while True:
        time.sleep(WATCH_INTERVAL_S)
        if os.getppid() != parent_pid:
            os._exit(1)


def process_running(pid: int) -> bool:
    """Whether a process with this id is alive (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
