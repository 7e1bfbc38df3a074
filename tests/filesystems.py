"""Real file-system trouble for tests: a full disk, a read-only folder, a file nobody may read.

A full disk is a tiny tmpfs (needs root and mount, as in our containers; elsewhere those tests are skipped).
A read-only folder is a read-only tmpfs as root, a chmod 555 folder otherwise. An unreadable file is
chmod 000; root reads it anyway, so as root its opening is made to fail with the same PermissionError.
"""

from __future__ import annotations

import builtins
import os
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(target: Path, options: str) -> bool:
    if os.geteuid() != 0:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True)
    return done.returncode == 0


def _unmount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True)


@contextmanager
def tiny_disk(folder: Path, size_kb: int = 64):
    """A folder on a tmpfs of `size_kb` KiB, filled to the brim with `fill_disk`."""
    folder.mkdir(parents=True, exist_ok=True)
    if not _mount(folder, f"size={size_kb}k"):
        pytest.skip("needs root and mount to make a tiny disk")
    try:
        yield folder
    finally:
        _unmount(folder)


def fill_disk(folder: Path) -> None:
    """Write one file until the disk says ENOSPC."""
    try:
        with open(folder / "filler", "wb") as fh:
            while True:
                fh.write(b"\0" * 4096)
                fh.flush()
    except OSError:
        pass


@contextmanager
def read_only_dir(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        if not _mount(folder, "ro,size=64k"):
            pytest.skip("needs mount to make a read-only folder as root")
        try:
            yield folder
        finally:
            _unmount(folder)
        return
    folder.chmod(0o555)
    try:
        yield folder
    finally:
        folder.chmod(0o755)


@contextmanager
def unreadable(path: Path, monkeypatch):
    """`path` cannot be opened for reading: chmod 000, and for root the same PermissionError from open()."""
    path.chmod(0o000)
    if os.geteuid() == 0:
        real_open = builtins.open
        target = os.path.realpath(path)

        def guarded_open(file, *args, **kwargs):
            if isinstance(file, (str, os.PathLike)) and os.path.realpath(file) == target:
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", guarded_open)
    try:
        yield path
    finally:
        if os.geteuid() == 0:
            monkeypatch.setattr(builtins, "open", real_open)
        path.chmod(0o644)
