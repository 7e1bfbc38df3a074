"""The classifier in the loop over many target label sets, with the sketch engine.

    .venv/bin/python benchmarks/loop.py [--max-iters 4] [--candidates 2] [--seconds 10]

For each of 21 targets (single genres and pairs) it runs tools.loop.create and
prints: whether it matched within the iteration budget (target: >= 80% match
within 4 iterations), the iterations used, the wall time (target: median <= 20 s
for 10 s pieces on 2 cores), and the Jaccard of a single generation (the first
candidate of the first iteration) against the loop's best: the loop's gain.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TASTEMAKER_HOME", tempfile.mkdtemp(prefix="tastemaker-bench-loop-"))

from tools.contracts import TasteProfile  # noqa: E402
from tools.loop import LoopConfig, create  # noqa: E402

TARGETS = [
    ["rock"], ["metal"], ["punk"], ["pop"], ["electronic"], ["house"], ["techno"], ["ambient"], ["jazz"],
    ["blues"], ["funk"], ["hip-hop"], ["folk"], ["country"], ["classical"],
    ["rock", "indie"], ["electronic", "dance"], ["jazz", "blues"], ["folk", "country"], ["pop", "electronic"],
    ["classical", "jazz"],
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-iters", type=int, default=4)
    parser.add_argument("--candidates", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    rows = []
    print(f"{'target':<22} {'matched':<8} {'iters':>5} {'wall s':>7} {'single J':>9} {'loop J':>7}  best heard")
    for target in TARGETS:
        config = LoopConfig(max_iters=args.max_iters, candidates=args.candidates, seconds=args.seconds,
                            max_seconds=600, seed=11)
        t = time.perf_counter()
        result = create(TasteProfile(), target, config)
        wall = time.perf_counter() - t
        iters = max(a.iteration for a in result.attempts)
        single = result.attempts[0].jaccard
        rows.append((result.matched, iters, wall, single, result.best.jaccard))
        heard = ", ".join(result.best.predicted_labels)
        print(f"{'+'.join(target):<22} {str(result.matched):<8} {iters:>5} {wall:>7.1f} {single:>9.2f} "
              f"{result.best.jaccard:>7.2f}  {heard}", flush=True)
    matched = sum(r[0] for r in rows)
    print()
    print(f"matched within {args.max_iters} iterations: {matched}/{len(rows)} = {matched / len(rows):.0%} (target >= 80%)")
    print(f"median iterations: {statistics.median(r[1] for r in rows):.1f}; "
          f"median wall time: {statistics.median(r[2] for r in rows):.1f} s (target <= 20 s for "
          f"{args.seconds:g} s pieces, {args.candidates} candidates per iteration)")
    single, loop = statistics.mean(r[3] for r in rows), statistics.mean(r[4] for r in rows)
    print(f"mean Jaccard: single generation {single:.3f} -> loop {loop:.3f} (x{loop / max(single, 1e-9):.2f}, "
          f"+{loop - single:.3f})")


if __name__ == "__main__":
    main()
