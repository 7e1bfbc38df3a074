"""Two `tastemaker library add` processes at once on overlapping files, in one data directory.

    .venv/bin/python benchmarks/library_concurrency.py              # 100 distinct files, 20 given to both
    .venv/bin/python benchmarks/library_concurrency.py --files 40 --overlap 10

Writes short synthetic recordings, starts both processes together (each adds
its half plus the shared overlap), and reports each process's exit status and
time, how many tracks the library holds against the number of distinct files,
whether any content is stored twice, and SQLite's integrity check. Before the
library decided duplicates inside its write transaction, the slower process
died with sqlite3.IntegrityError and its pending batch was lost (92 of 100 stored).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
RATE = 22050


def tone(seed: int, seconds: float = 3.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    y = sum(np.sin(2 * np.pi * f * t) for f in rng.uniform(110, 880, 3)) + 0.1 * rng.standard_normal(len(t))
    return (0.3 * y / np.abs(y).max()).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100, help="distinct files in all")
    parser.add_argument("--overlap", type=int, default=20, help="files both processes add")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tastemaker-bench-concurrency-"))
    music = work / "music"
    music.mkdir()
    paths = []
    for n in range(args.files):
        paths.append(music / f"piece{n:03d}.wav")
        sf.write(str(paths[-1]), tone(n), RATE)
    half = (args.files + args.overlap) // 2
    first, second = paths[:half], paths[args.files - half:]
    env = dict(os.environ, TASTEMAKER_HOME=str(work / "home"), TASTEMAKER_DEFAULT_LIBRARY="0",
               PYTHONPATH=str(REPO))
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "agent.cli", "library", "add", *map(str, files)], env=env,
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for files in (first, second)]
    for n, (proc, files) in enumerate(zip(procs, (first, second)), start=1):
        out, err = proc.communicate()
        last = (out.strip().splitlines() or ["(no output)"])[-1]
        errors = [line for line in err.splitlines() if line.startswith("tastemaker:")]
        print(f"process {n}: {len(files)} files, exit {proc.returncode}, {time.perf_counter() - start:.0f} s: {last}"
              + (f"  {errors[-1]}" if errors else ""))
    with sqlite3.connect(work / "home" / "tastemaker.db") as db:
        stored = db.execute("SELECT COUNT(*) FROM tracks").fetchone()[0]
        distinct = db.execute("SELECT COUNT(DISTINCT content_hash) FROM tracks").fetchone()[0]
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    print(f"stored {stored} tracks for {args.files} distinct files ({distinct} distinct contents); "
          f"integrity check: {integrity}")


if __name__ == "__main__":
    main()
