"""Sketch-engine quality and speed: 12 styles x 3 seeds, judged by the pretrained tagger.

For each (style, seed) the engine renders a piece; the tagger's unified top-5 genres must contain the
intended genre. Prints the table, the hit rate (target >= 80%) and the render speed (target: 30 s of
audio in <= 2 s). Run: .venv/bin/python benchmarks/generation.py [--seconds 30] [--seeds 0 1 2] [--styles ...]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import tools  # noqa: F401
from tools.audio import clip_from_array
from tools.contracts import Style
from tools.generate.sketch import render
from tools.generate.sketch.arranger import plan
from tools.generate.sketch.styles import STYLES
from tools.render import RENDER_RATE
from tools.tagger import tag_full

BENCH_STYLES = ["rock", "metal", "pop", "electronic", "house", "ambient", "jazz", "blues", "funk", "hip-hop",
                "folk", "classical"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--styles", nargs="+", default=BENCH_STYLES, help="default: the issue's 12 (house for house/techno, "
                    "funk for funk/soul, folk for folk/country)")
    ap.add_argument("--all", action="store_true", help="every style in the style book")
    ap.add_argument("--no-tag", action="store_true", help="only time the rendering")
    ap.add_argument("--top", type=int, default=5)
    args = ap.parse_args()
    if args.all:
        args.styles = list(STYLES)

    hits, total, render_times, cpu_times = 0, 0, [], []
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'style':<11} {'seed':>4}  {'hit':<3}  {'rank':>4}  {'render s':>8}  {'cpu s':>6}  top genres (tagger)")
    for name in args.styles:
        for seed in args.seeds:
            t0, c0 = time.perf_counter(), time.process_time()
            arrangement = plan(Style(genres={name: 1.0}), args.seconds, seed)
            audio = render(arrangement)
            render_times.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)  # FluidSynth runs in our thread: CPU time ~ an idle core
            if args.no_tag:
                print(f"{name:<11} {seed:>4}  {'-':<3}  {'-':>4}  {render_times[-1]:>8.2f}  {cpu_times[-1]:>6.2f}",
                      flush=True)
                continue
            genres = tag_full(clip_from_array(audio, RENDER_RATE)).genres
            ranked = [g for g, _ in genres.top(len(genres.probabilities))]
            rank = ranked.index(name) + 1 if name in ranked else 99
            hit = rank <= args.top
            hits += hit
            total += 1
            top = ", ".join(f"{g} {p:.2f}" for g, p in genres.top(args.top))
            print(f"{name:<11} {seed:>4}  {'yes' if hit else 'no':<3}  {rank:>4}  {render_times[-1]:>8.2f}  "
                  f"{cpu_times[-1]:>6.2f}  {top}", flush=True)
    if total:
        print(f"\nintended genre in tagger top {args.top}: {hits}/{total} = {hits / total:.0%} (target >= 80%)")
    scale = 30.0 / args.seconds
    wall, cpu = sum(render_times) / len(render_times), sum(cpu_times) / len(cpu_times)
    print(f"render per 30 s of audio: wall mean {wall * scale:.2f} s (max {max(render_times) * scale:.2f} s), "
          f"CPU mean {cpu * scale:.2f} s (max {max(cpu_times) * scale:.2f} s); target <= 2 s")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
