"""Writing files so that nothing half-written is ever left behind.

Each write goes to a uniquely named `.part` file beside the target, which is
renamed over the target only when complete. Any failure (a full disk, a
read-only folder, an interrupt) removes the `.part` file, and a failed write is
a StorageError naming the file, not its folder. `sweep_parts` clears `.part`
files left by a process that was killed outright.
"""

from __future__ import annotations

import errno
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tools.errors import StorageError, storage_error
from tools.workers import process_running

PART = ".part"


def part_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(3)}{PART}")


@contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temp path to write; on success it replaces `path`, on any failure it is removed."""
    target = Path(path)
    tmp = part_path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        _discard(tmp)
        raise storage_error(exc, target.name) from None
    except BaseException:
        _discard(tmp)
        raise


def write_bytes(path: str | os.PathLike, data: bytes, durable: bool = False) -> Path:
    """Write `data` to `path` atomically; `durable` also fsyncs before the rename (survives a power cut,
    at the cost of a disk flush: for files that are expensive to lose, not for every generated clip)."""
    with atomic_output(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
    return Path(path)


def check_writable(path: str | os.PathLike, shown: str | None = None) -> Path:
    """Make sure a file can be written at `path` (its folder made if missing) before any work is spent on it.

    `shown` is how the error names the file (default: its name only).
    """
    target = Path(path).expanduser()
    name = shown or target.name
    if target.is_dir():
        raise storage_error(IsADirectoryError(errno.EISDIR, "Is a directory"), name)
    probe = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(3)}.probe")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(probe, "wb"):
            pass
    except OSError as exc:
        if exc.errno == errno.ENOENT and target.parent.is_dir():  # e.g. /proc: the folder is there, files are not
            raise StorageError(name, "files cannot be created in its folder. Choose another folder.") from None
        raise storage_error(exc, name) from None
    finally:
        _discard(probe)
    return target


def sweep_parts(folder: Path, older_than_s: float = 3600.0) -> int:
    """Remove `.part` files in `folder` that no live writer can still own (older than `older_than_s`)."""
    removed = 0
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than_s
    for leftover in folder.glob(f".*{PART}"):
        try:
            if leftover.stat().st_mtime < cutoff or not _writer_alive(leftover):
                leftover.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def _writer_alive(part: Path) -> bool:
    """Whether the process named in a .part file's name (".NAME.PID-xxxxxx.part") is still running."""
    try:
        pid = int(part.name.rsplit(".", 2)[-2].split("-")[0])
    except (ValueError, IndexError):
        return True  # not ours to judge by name: only age removes it
    return pid == os.getpid() or process_running(pid)


def _discard(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
