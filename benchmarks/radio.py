"""Simulated listeners on the radio: does the station learn, stay varied, and keep ahead of playback?

    .venv/bin/python benchmarks/radio.py [--minutes 30] [--listeners 4] [--piece-seconds 30] [--json]

Each simulated listener has a hidden target taste (genre weights) and a starting point the station is told
about (nothing, words, or a stale saved taste that is not their target). The station plays; the listener
skips a piece that is far from its target (after 4-12 s), likes one close to it (now and then), listens
through the rest, and is a little fickle (3% of good pieces are skipped anyway).

**What judges what.** The station steers only from what the musicnn tagger *hears* in each piece (the
unified genres of both pretrained models). The listener never sees those: it judges a generated piece by
the genre blend the arranger actually composed it from (tools.generate's sidecar), and a library track by
the genre its catalogue declares. So the station cannot score itself by its own signal; if the tagger
mishears, the listener skips.

**Clock.** Playback is simulated (a 30-minute session takes a few minutes), generation is real: each
piece is generated and tagged for real, on this machine, pinned to 2 cores, and the wall time it took is
how long the station's single worker is busy in simulated time. Events (a piece ending, a skip, a like,
the worker finishing) are processed in time order through the same Station.plan/make/offer/take/steer
the app's worker thread uses, so a piece made for a taste that moved while it was being made is redone,
as in the app. A gap is silence: the next piece starting after the previous one ended.

Reports per listener and overall: skip rate by thirds of the session (should fall: target last third <=
half the first), profile-to-target distance (cosine distance, in the tagger's genre space) after N pieces,
diversity (consecutive pieces with the same recipe: genre blend, instrumentation, key and tempo within 5%; mean
consecutive genre similarity; distinct instrumentations per hour), gaps (target 0), and the generation
lead over playback (audio seconds made per wall second; target >= 3x). `--json` prints only
{"skip_rate_first_third", "skip_rate_last_third", "gaps", "lead_x", "minutes"}.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def pin_to_two_cores() -> str:
    """The target machine has 2 cores: use at most two here too."""
    import torch

    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(cores) > 2:
        os.sched_setaffinity(0, set(cores[:2]))
    torch.set_num_threads(min(2, torch.get_num_threads()))
    return f"{min(len(cores), 2) if cores else '?'} cores, torch threads {torch.get_num_threads()}"


@dataclass
class Listener:
    name: str
    target: dict[str, float]
    words: str = ""  # what they say when starting the station
    saved: dict[str, float] = field(default_factory=dict)  # a stale saved taste the station starts from


LISTENERS = [
    Listener("jazz fan, new (no taste saved)", {"jazz": 1.0, "blues": 0.5}, words="play my radio"),
    Listener("runner who likes electronic", {"electronic": 1.0, "techno": 0.7, "house": 0.5},
             words="radio for running"),
    Listener("classical lover with a stale pop taste", {"classical": 1.0, "folk": 0.4},
             saved={"pop": 0.8, "rock": 0.5}),
    Listener("rock fan who asked for a metal station", {"rock": 1.0, "punk": 0.6, "blues": 0.4},
             words="a metal station"),
    Listener("soul and funk, new", {"soul": 1.0, "funk": 0.8}, words="play my radio"),
    Listener("ambient, asked for calm music", {"ambient": 1.0, "new age": 0.6, "chillout": 0.5},
             words="something calm"),
]

SKIP_BELOW = 0.4  # affinity under which a listener skips
LIKE_FROM = 0.75
FICKLE = 0.03
CROSSFADE = 3.0


DECLARED: dict[str, str] = {}  # library track id -> the genre its catalogue declares


def truth(piece) -> dict[str, float]:
    """What the listener judges by: the composed blend (generated) or the declared genre (library)."""
    if piece.source == "generated":
        return dict(piece.blend)
    genre = DECLARED.get(piece.track_id, "")
    return {genre: 1.0} if genre else {}


def affinity(target: dict[str, float], genres: dict[str, float]) -> float:
    from tools.radio.choice import cosine

    return cosine(target, genres)


def recipe(piece) -> tuple:
    blend = tuple(sorted(truth(piece)))
    return blend, tuple(piece.instrumentation)


def too_alike(a, b) -> bool:
    """The same sound twice: the same genre blend and instruments, in the same key, within 5% of the tempo.
    (Neighbours are meant to share a key or tempo; all four at once is a repeat.)"""
    same_tempo = bool(a.tempo and b.tempo and abs(a.tempo - b.tempo) / b.tempo < 0.05)
    return recipe(a) == recipe(b) and same_tempo and a.key == b.key


def run_listener(listener: Listener, minutes: float, options, tracks, seed: int, folder: Path) -> dict:
    from tools.contracts import TasteProfile
    from tools.radio import Station, StationTaste, Steer
    from tools.radio.seeding import seed_profile
    from tools.radio.choice import cosine

    rng = np.random.default_rng(seed)
    profile = seed_profile(listener.words) if not listener.saved else TasteProfile(genres=dict(listener.saved))
    station = Station(StationTaste(profile), options, folder=folder, tracks=tracks, rng_seed=seed, keep_files=False)
    DECLARED.update({t.id: t.extra.get("declared_genre") or t.genre for t in tracks})
    session = minutes * 60.0
    events: list[tuple[float, int, str, object]] = []  # (time, order, kind, data)
    order = 0

    def push(at: float, kind: str, data=None) -> None:
        nonlocal order
        order += 1
        heapq.heappush(events, (at, order, kind, data))

    worker_busy_until = 0.0
    worker_busy = False

    def kick_worker(now: float) -> None:
        """If the worker is idle and the station wants a piece, make it (for real) and schedule its arrival."""
        nonlocal worker_busy, worker_busy_until
        if worker_busy:
            return
        spec = station.plan()
        if spec is None:
            return
        piece = station.make(spec)
        worker_busy = True
        worker_busy_until = max(now, worker_busy_until) + piece.make_seconds
        push(worker_busy_until, "made", piece)

    plays: list[dict] = []
    distances: dict[int, float] = {}
    gaps, gap_seconds, skip_waits = 0, 0.0, []
    current = None  # (piece, started, ends)
    waiting_since = None  # when the player asked for a piece and none was ready
    waiting_skip = False

    def start(piece, now: float) -> None:
        nonlocal current
        a = affinity(listener.target, truth(piece))
        ends = now + piece.seconds
        current = (piece, now, ends)
        plays.append({"piece": piece, "start": now, "affinity": a, "skipped": False, "liked": False})
        n = len(plays)
        if n in (10, 20, 40, 60, 80):
            distances[n] = round(1.0 - cosine(station.taste.profile.genres, listener.target), 3)
        fickle = rng.random() < FICKLE
        if a < SKIP_BELOW or fickle:
            push(now + float(rng.uniform(4, 12)), "skip", piece.id)
        else:
            if a >= LIKE_FROM and rng.random() < 0.5:
                push(now + float(rng.uniform(5, min(20, piece.seconds - 1))), "like", piece.id)
            push(ends - CROSSFADE, "need", piece.id)

    def ask(now: float, after_skip: bool) -> None:
        nonlocal waiting_since, waiting_skip, gaps, gap_seconds
        piece = station.take(fitting_only=after_skip and worker_busy)
        if piece is None:
            waiting_since, waiting_skip = now, after_skip
            return
        if current is not None and now > current[2] + 1e-6:
            gaps += 1
            gap_seconds += now - current[2]
        start(piece, now)

    kick_worker(0.0)
    # the first piece: the person waits for it once (start-up, not a gap)
    while not station.queue:
        at, _, kind, data = heapq.heappop(events)
        worker_busy = False
        station.offer(data)
        kick_worker(at)
    first_wait = at
    start(station.take(), at)
    kick_worker(at)
    while events:
        at, _, kind, data = heapq.heappop(events)
        if at >= first_wait + session:
            break
        piece = current[0] if current else None
        if kind == "made":
            worker_busy = False
            station.offer(data)
            if waiting_since is not None:
                w, waiting_since = waiting_since, None
                ask(at, waiting_skip and at < current[2])
                if waiting_since is None and waiting_skip:
                    skip_waits.append(at - w)
        elif kind == "skip" and piece is not None and data == piece.id:
            plays[-1]["skipped"] = True
            station.steer(Steer("skip"))
            ask(at, after_skip=True)
            if waiting_since is None:
                skip_waits.append(0.0)
            else:  # the skipped piece plays on until a fitting one is ready (or it ends)
                push(current[2], "ended", piece.id)
        elif kind == "like" and piece is not None and data == piece.id:
            plays[-1]["liked"] = True
            station.steer(Steer("like"))
        elif kind == "need" and piece is not None and data == piece.id:
            ask(at + CROSSFADE, after_skip=False)  # it starts when this one ends (crossfaded from `at`)
        elif kind == "ended" and piece is not None and data == piece.id and waiting_since is not None:
            waiting_since = None
            ask(at, after_skip=False)
        kick_worker(at)
    station.stop()

    def third(i: int) -> list[dict]:
        lo, hi = first_wait + i * session / 3, first_wait + (i + 1) * session / 3
        return [p for p in plays if lo <= p["start"] < hi]

    rates = [sum(p["skipped"] for p in third(i)) / max(1, len(third(i))) for i in range(3)]
    alike = sum(too_alike(a["piece"], b["piece"]) for a, b in zip(plays, plays[1:]))
    similarity = [cosine(a["piece"].genres, b["piece"].genres) for a, b in zip(plays, plays[1:])]
    hours = session / 3600.0
    instrumentations = {recipe(p["piece"])[1] for p in plays}
    made = station.stats
    return {
        "listener": listener.name, "pieces": len(plays), "skips": sum(p["skipped"] for p in plays),
        "likes": sum(p["liked"] for p in plays), "skip_rates": [round(r, 3) for r in rates],
        "distance": distances, "final_distance": round(1.0 - cosine(station.taste.profile.genres, listener.target), 3),
        "profile": station.taste.profile.genres, "alike_pairs": alike,
        "mean_consecutive_similarity": round(float(np.mean(similarity)) if similarity else 0.0, 3),
        "instrumentations_per_hour": round(len(instrumentations) / hours, 1),
        "library_share": round(sum(p["piece"].source == "library" for p in plays) / max(1, len(plays)), 3),
        "gaps": gaps, "gap_seconds": round(gap_seconds, 2), "first_piece_wait_s": round(first_wait, 2),
        "skip_wait_median_s": round(float(np.median(skip_waits)), 2) if skip_waits else 0.0,
        "made_seconds": made.made_seconds, "make_wall": made.make_wall, "redone": made.redone,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="session length per listener (default 30)")
    parser.add_argument("--listeners", type=int, default=4, help=f"how many of the {len(LISTENERS)} listeners")
    parser.add_argument("--piece-seconds", type=float, default=30.0)
    parser.add_argument("--adventurous", type=float, default=0.3)
    parser.add_argument("--library-share", type=float, default=0.25)
    parser.add_argument("--no-library", action="store_true", help="generated pieces only")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    cores = pin_to_two_cores()
    from tools.radio import StationOptions

    tracks = []
    if not args.no_library and args.library_share > 0:
        from tools.library import ensure_default_library, open_library

        with open_library() as lib:
            ensure_default_library(lib, progress=not args.json)
            tracks = lib.list()
    options = StationOptions(adventurous=args.adventurous, library_share=args.library_share if tracks else 0.0,
                             piece_seconds=args.piece_seconds, crossfade_seconds=CROSSFADE)
    results = []
    with tempfile.TemporaryDirectory(prefix="tastemaker-bench-radio-") as tmp:
        for i, listener in enumerate(LISTENERS[: args.listeners]):
            r = run_listener(listener, args.minutes, options, tracks, args.seed + i, Path(tmp) / str(i))
            results.append(r)
            if not args.json:
                print(f"{r['listener']}: {r['pieces']} pieces, {r['skips']} skips, {r['likes']} likes; skip rate by "
                      f"thirds {r['skip_rates']}; distance to target {r['distance']} -> {r['final_distance']} "
                      f"(profile {r['profile']}); alike pairs {r['alike_pairs']}, consecutive genre similarity "
                      f"{r['mean_consecutive_similarity']}, {r['instrumentations_per_hour']} instrumentations/h; "
                      f"library {r['library_share']:.0%}; gaps {r['gaps']} ({r['gap_seconds']} s); first piece "
                      f"after {r['first_piece_wait_s']} s; median wait after a skip {r['skip_wait_median_s']} s; "
                      f"redone {r['redone']}; lead {r['made_seconds'] / r['make_wall']:.1f}x", flush=True)
    first = float(np.mean([r["skip_rates"][0] for r in results]))
    last = float(np.mean([r["skip_rates"][2] for r in results]))
    lead = sum(r["made_seconds"] for r in results) / max(1e-9, sum(r["make_wall"] for r in results))
    summary = {"skip_rate_first_third": round(first, 3), "skip_rate_last_third": round(last, 3),
               "gaps": int(sum(r["gaps"] for r in results)), "lead_x": round(lead, 2), "minutes": float(args.minutes)}
    if args.json:
        print(json.dumps(summary))
        return
    print()
    print(f"{len(results)} listeners x {args.minutes:g} min, {args.piece_seconds:g} s pieces, adventurous "
          f"{args.adventurous}, library share {options.library_share} ({len(tracks)} library tracks), {cores}")
    print(f"skip rate first third {first:.1%} -> last third {last:.1%} (target: last <= half of first: "
          f"{'met' if last <= first / 2 else 'NOT met'})")
    print(f"gaps {summary['gaps']} (target 0); generation lead {lead:.1f}x playback (target >= 3x)")
    print(f"too-alike consecutive pairs {sum(r['alike_pairs'] for r in results)}; instrumentations per hour "
          f"{np.mean([r['instrumentations_per_hour'] for r in results]):.0f} (mean)")


if __name__ == "__main__":
    main()
