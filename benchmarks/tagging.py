"""Tagging throughput and memory: our PyTorch musicnn against the original TF implementation.

    .venv/bin/python benchmarks/tagging.py [--clips 100] [--original-clips 20]

Measures, in one run: (1) one 30 s clip, decoded from a 44.1 kHz stereo file and
tagged, warm; (2) audio seconds tagged per wall second over many 30 s clips;
(3) peak resident memory. The original musicnn runs in its scratch environment
(MUSICNN_REFERENCE_PYTHON, default /tmp/musicnn-ref/bin/python; recipe in
tests/fixtures/musicnn_reference/make_reference.py) on the same files, in a
subprocess, and the script prints ours / original as ratios. Targets: >= 3x the
original's throughput; one 30 s clip decoded and tagged in <= 0.5 s warm.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import tone_mix  # noqa: E402
from tools.audio import load_clip  # noqa: E402
from tools.tagger import get_tagger  # noqa: E402

ORIGINAL = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
from musicnn.extractor import extractor
files = sys.argv[1:]
extractor(files[0], model="MSD_musicnn", input_length=3, input_overlap=False, extract_features=False)  # warm-up
t = time.perf_counter()
extractor(files[0], model="MSD_musicnn", input_length=3, input_overlap=False, extract_features=False)
one = time.perf_counter() - t
t = time.perf_counter()
for f in files:
    extractor(f, model="MSD_musicnn", input_length=3, input_overlap=False, extract_features=False)
many = time.perf_counter() - t
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(json.dumps({"one_s": one, "many_s": many, "peak_mb": int(hwm) / 1024}))
"""


def make_clips(folder: Path, n: int, seconds: float = 30.0) -> list[Path]:
    paths = []
    for i in range(n):
        y = tone_mix(seconds=seconds, sr=44100, seed=i)
        path = folder / f"clip{i:03d}.wav"
        sf.write(str(path), np.stack([y, 0.9 * y], axis=1), 44100)
        paths.append(path)
    return paths


def ours(files: list[Path]) -> dict:
    tagger = get_tagger("msd")
    tagger.tag(load_clip(files[0]))  # warm-up
    t = time.perf_counter()
    tagger.tag(load_clip(files[0]))
    one = time.perf_counter() - t
    t = time.perf_counter()
    for f in files:
        tagger.tag(load_clip(f))
    many = time.perf_counter() - t
    return {"one_s": one, "many_s": many, "peak_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's own high-water mark (VmHWM; ru_maxrss would carry a parent's across exec)."""
    with open("/proc/self/status") as status:
        hwm = next(line for line in status if line.startswith("VmHWM"))
    return int(hwm.split()[1]) / 1024


def original(files: list[Path]) -> dict | None:
    python = os.environ.get("MUSICNN_REFERENCE_PYTHON", "/tmp/musicnn-ref/bin/python")
    if not Path(python).exists():
        return None
    done = subprocess.run([python, "-c", ORIGINAL, *map(str, files)], capture_output=True, text=True)
    if done.returncode != 0:
        print("original failed:", done.stderr[-2000:], file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clips", type=int, default=100)
    parser.add_argument("--original-clips", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = make_clips(Path(tmp), max(args.clips, args.original_clips))
        b = original(files[: args.original_clips])
        a = ours(files[: args.clips])
    seconds = 30.0
    rate_a = args.clips * seconds / a["many_s"]
    print(f"torch threads: {__import__('torch').get_num_threads()}, cpus: {os.cpu_count()}")
    print(f"ours:     one 30 s clip decoded+tagged warm {a['one_s']:.3f} s (target <= 0.5 s); "
          f"{args.clips} clips: {rate_a:.1f} audio s / wall s; peak RSS {a['peak_mb']:.0f} MB")
    if b is None:
        print("original: not measured (no scratch environment; see the docstring)")
        return
    rate_b = args.original_clips * seconds / b["many_s"]
    print(f"original: one 30 s clip warm {b['one_s']:.3f} s; {args.original_clips} clips: "
          f"{rate_b:.1f} audio s / wall s; peak RSS {b['peak_mb']:.0f} MB")
    print(f"ratio ours/original: throughput {rate_a / rate_b:.2f}x (target >= 3x), "
          f"one-clip latency {b['one_s'] / a['one_s']:.2f}x faster, memory {a['peak_mb'] / b['peak_mb']:.2f}x")


if __name__ == "__main__":
    main()
