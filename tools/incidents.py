"""Unexpected failures: the whole traceback goes to a log file, the person gets one line.

No traceback ever reaches a user (CLI, terminal chat or browser). What they see
is a short reference they can quote; the details stay in
`<data directory>/logs/errors.log` for whoever runs the machine.
"""

from __future__ import annotations

import datetime as _dt
import secrets
import traceback

from tools.settings import get_settings


def log_incident(exc: BaseException, where: str) -> str:
    """Append `exc`'s traceback to the error log; return a short reference to show instead."""
    ref = secrets.token_hex(3)
    try:
        folder = get_settings().home / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        with open(folder / "errors.log", "a", encoding="utf-8") as log:
            log.write(f"--- {stamp} [{ref}] {where}\n{text}\n")
    except Exception:  # noqa: BLE001 - the log is a courtesy; never fail because of it
        pass
    return ref


def apology(exc: BaseException, where: str, doing: str = "that") -> str:
    """One clear line for an unexpected failure (the traceback is logged, not shown)."""
    ref = log_incident(exc, where)
    return (f"Sorry, something went wrong on my side while doing {doing} ({type(exc).__name__}); nothing you gave "
            f"me is lost and we can go on. Try again or rephrase. (Reference {ref} in the error log.)")
