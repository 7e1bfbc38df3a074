"""Many listeners, many machines, measured on this one: the in-process engine against Ray with 1 and 2 workers.

    .venv/bin/python benchmarks/scale.py [--tracks 24] [--track-seconds 30] [--sessions 4] [--json]
    .venv/bin/python benchmarks/scale.py --only local     # the embedded default alone (to compare two checkouts)

Ingestion: a folder of synthesised tracks goes through `library add`'s ingest (tools.library.ingest) with each
engine: the in-process default, then a local Ray cluster (tests.services.ray_cluster: a head and 1, then 2,
worker nodes of one CPU each). Reported: the wall time of the whole ingest (workers starting up included) and
the steady rate once every worker has finished its first track (what a long ingest runs at).
Chat: `--sessions` scripted browser sessions at once (benchmarks/load.py's: upload and describe a song, make
a piece, refine it) against one `tastemaker chat` server per engine, after one warm-up session; p50/p95 per
kind of turn.
"in-process, 1 thread" is the default engine with torch limited to one thread per job, as Ray runs each worker
(OMP_NUM_THREADS=1): on a busy machine torch's default (a thread per core, for each of several jobs at once)
fights for the cores, so this row tells the engine's cost from the threads' cost.
The capacity model printed at the end (README, "Running for many people") uses the costs measured on one Ray
worker: a track's analysis (scaled to the ANALYSE_SECONDS a real song is tagged for) and one person's music
request (describe a song, make a piece, refine it) on an idle server.
Ratios are within this one run; on one machine Ray's workers share its cores with everything else, so what
this shows is Ray's overhead and that the paths work, not the speed-up of more machines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.load import one_session, pct, start_server  # noqa: E402
from tests.conftest import tone_mix  # noqa: E402
from tests.services import free_port, ray_cluster  # noqa: E402

# (name, Ray worker nodes (0: in-process), torch threads per job (0: torch's default, one per core))
ENGINES = [("in-process", 0, 0), ("in-process, 1 thread", 0, 1), ("ray, 1 worker", 1, 0), ("ray, 2 workers", 2, 0)]
THINK_S = 60.0  # a listener's pause between two music requests, for the capacity model
TARGET_LOAD = 0.7  # how busy a worker may be before replies queue up


def make_folder(folder: Path, tracks: int, seconds: float) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for n in range(tracks):
        path = folder / f"track{n:03d}.wav"
        sf.write(str(path), tone_mix(seconds=seconds, sr=22050, seed=1000 + n), 22050)
        paths.append(path)
    return paths


def ingest_once(home: Path, paths: list[Path], threads: int = 0) -> dict:
    """The ingest `library add` runs, timed; the steady rate from when the last worker delivered its first track."""
    from tools import jobs
    from tools.library.store import Library

    finished: list[float] = []
    real_stream = getattr(jobs, "stream", None)  # None: a checkout from before the job interface (--only local)

    def timed_stream(batch, window=None):
        for outcome in real_stream(batch, window):
            finished.append(time.perf_counter())
            yield outcome

    if real_stream is not None:
        jobs.stream = timed_stream  # the same jobs and engine; only the moments they finish are noted
    import torch

    default_threads = torch.get_num_threads()
    torch.set_num_threads(threads or default_threads)
    try:
        library = Library(home)
        start = time.perf_counter()
        report = library.add_paths(paths, progress=False)
        wall = time.perf_counter() - start
    finally:
        torch.set_num_threads(default_threads)
        if real_stream is not None:
            jobs.stream = real_stream
    workers = jobs.engine().capacity if real_stream is not None and jobs.engine().remote else 1
    if finished:
        steady_from = finished[min(workers, len(finished)) - 1]
        steady = (len(finished) - min(workers, len(finished))) / max(finished[-1] - steady_from, 1e-9)
    else:
        steady = len(paths) / wall
    assert len(report.added) == len(paths) and not report.failed, report.summary()
    return {"wall_s": round(wall, 2), "tracks_per_s": round(len(paths) / wall, 3),
            "steady_tracks_per_s": round(steady, 3)}


async def chat_wave(url: str, song: Path, sessions: int, seconds: float) -> dict:
    await one_session(url, song, seconds, {}, [])  # models load (here, or on the workers) before the wave
    alone: dict[str, list[float]] = {}
    await one_session(url, song, seconds, alone, [])  # one person's turns on an idle server
    times: dict[str, list[float]] = {}
    errors: list[str] = []
    start = time.perf_counter()
    await asyncio.gather(*(one_session(url, song, seconds, times, errors) for _ in range(sessions)))
    return {"wall_s": round(time.perf_counter() - start, 1), "errors": errors,
            "p50": {k: round(statistics.median(v), 2) for k, v in times.items()},
            "p95": {k: round(pct(v, 0.95), 2) for k, v in times.items()},
            "alone": {k: round(v[0], 2) for k, v in alone.items()}}


def chat_once(tmp: Path, name: str, ray_address: str, sessions: int, seconds: float, threads: int = 0) -> dict:
    song = tmp / "song.wav"
    if not song.exists():
        sf.write(str(song), tone_mix(20.0, sr=44100, seed=3), 44100)
    port = free_port()
    more = {"TASTEMAKER_RAY_ADDRESS": ray_address} if ray_address else {}
    if threads:
        more["OMP_NUM_THREADS"] = str(threads)  # torch's threads per operation, read when it starts
    server = start_server(tmp / f"chat-{name}", port, PYTHONPATH=str(ROOT), **more)
    try:
        return asyncio.run(chat_wave(f"http://127.0.0.1:{port}", song, sessions, seconds))
    finally:
        server.terminate()
        server.wait(timeout=60)


def job_costs(tmp: Path, paths: list[Path], seconds: float) -> dict:
    """Seconds of one job of each kind, in this process, warm: the capacity model's inputs."""
    from tools.audio import load_clip
    from tools.embeddings import embed_texts
    from tools.generate import GenerationRequest, generate
    from tools.library.ingest import ANALYSE_SECONDS, Source, analyse, content_hash, text_document

    def one_track(path: Path) -> None:  # what a worker does for one file of `library add`
        track = analyse(Source(path=path), content_hash(path))
        embed_texts([text_document(track.title, track.artist, track.description, track.tags)])

    one_track(paths[0])  # models loaded
    start = time.perf_counter()
    for p in paths[1:5]:
        one_track(p)
    track_s = (time.perf_counter() - start) / 4
    generate(GenerationRequest(prompt="jazz", seconds=seconds, engine="sketch", seed=0, output=str(tmp / "w.wav")))
    start = time.perf_counter()
    for seed in range(1, 4):
        generate(GenerationRequest(prompt="rock with guitar", seconds=seconds, engine="sketch", seed=seed,
                                   output=str(tmp / f"r{seed}.wav")))
    render_s = (time.perf_counter() - start) / 3
    clip = load_clip(paths[1])
    return {"track_s": round(track_s, 3), "track_audio_s": round(min(clip.duration, ANALYSE_SECONDS), 1),
            "render_s": round(render_s, 3), "render_audio_s": seconds}


def capacity(results: dict) -> dict:
    """Workers needed, from costs measured on one worker (one CPU core running one job at a time)."""
    from tools.library.ingest import ANALYSE_SECONDS

    one = results["engines"].get("ray, 1 worker") or results["engines"]["in-process"]
    # A real song is tagged for its first ANALYSE_SECONDS; the analysis is linear in the audio it reads.
    scale = ANALYSE_SECONDS / results["track_seconds"]
    track_s = scale / one["ingest"]["steady_tracks_per_s"]
    library = 10_000_000 * track_s / 3600  # worker-hours
    # One listener's music request: describe their song, make a piece, refine it (the turns of one session
    # on an idle server, each a few jobs: tagging, rendering, the loop's judge).
    chat = one.get("chat")
    request_s = sum(chat["alone"].values()) if chat else 2 * results["costs"]["render_s"] + 3 * track_s / scale
    busy = request_s / THINK_S  # share of one worker a listener keeps busy
    return {
        "measured_on": "ray, 1 worker" if "ray, 1 worker" in results["engines"] else "in-process",
        "song_analysis_s": round(track_s, 2),
        "tracks_per_worker_hour": round(3600 / track_s),
        "library_10m_worker_hours": round(library),
        "library_10m_days_on_100_workers": round(library / 100 / 24, 1),
        "listener_request_s": round(request_s, 2),
        "listeners_per_worker": round(TARGET_LOAD / busy, 1),
        "workers_for_1000_listeners": int(-(-1000 * busy // TARGET_LOAD)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=24)
    parser.add_argument("--track-seconds", type=float, default=30.0)
    parser.add_argument("--sessions", type=int, default=4, help="chat sessions at once (0: no chat part)")
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each generated piece")
    parser.add_argument("--only", choices=["local"], help="the in-process engine alone")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("TASTEMAKER_DEFAULT_LIBRARY", "0")
    from tools import jobs

    results: dict = {"cpus": os.cpu_count(), "tracks": args.tracks, "track_seconds": args.track_seconds,
                     "sessions": args.sessions, "engines": {}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ["TASTEMAKER_HOME"] = str(tmp / "home")
        paths = make_folder(tmp / "music", args.tracks, args.track_seconds)
        results["costs"] = job_costs(tmp, paths, args.seconds)
        for name, workers, threads in ENGINES[:2] if args.only else ENGINES:
            print(f"{name} ...", file=sys.stderr, flush=True)
            if not workers:
                entry = {"ingest": ingest_once(tmp / f"lib-{name}", paths, threads)}
                if args.sessions:
                    entry["chat"] = chat_once(tmp, f"local{threads}", "", args.sessions, args.seconds, threads)
            else:
                with ray_cluster(workers=workers) as address:
                    jobs.use_ray(address)
                    try:
                        entry = {"ingest": ingest_once(tmp / f"lib-{name}", paths)}
                    finally:
                        jobs.use_ray(None)
                        jobs.engine()  # leave the cluster before it stops
                    if args.sessions:
                        entry["chat"] = chat_once(tmp, f"ray{workers}", address, args.sessions, args.seconds)
            results["engines"][name] = entry
    base = results["engines"]["in-process"]
    for name, entry in results["engines"].items():
        entry["ingest_ratio"] = round(base["ingest"]["wall_s"] / entry["ingest"]["wall_s"], 2)
        entry["steady_ratio"] = round(entry["ingest"]["steady_tracks_per_s"] / base["ingest"]["steady_tracks_per_s"], 2)
        if "chat" in entry:
            entry["chat_p95_ratio"] = {k: round(v / base["chat"]["p95"][k], 2) for k, v in entry["chat"]["p95"].items()
                                       if base["chat"]["p95"].get(k)}
    results["capacity"] = capacity(results)
    if args.json:
        print(json.dumps(results))
        return
    c = results["costs"]
    print(f"{args.tracks} tracks of {args.track_seconds:g} s, {args.sessions} chat sessions at once, "
          f"{results['cpus']} CPUs")
    print(f"per job, in-process: a track {c['track_s']} s ({c['track_audio_s']:g} s of audio tagged and embedded); "
          f"a {c['render_audio_s']:g} s piece {c['render_s']} s")
    for name, entry in results["engines"].items():
        ing = entry["ingest"]
        line = (f"  {name:15s} ingest {ing['wall_s']:6.1f} s ({ing['tracks_per_s']:.2f} tracks/s, x{entry['ingest_ratio']}"
                f" of in-process), steady {ing['steady_tracks_per_s']:.2f} tracks/s (x{entry['steady_ratio']})")
        if "chat" in entry:
            ch = entry["chat"]
            line += (f"; chat p95 {ch['p95']} (x{entry.get('chat_p95_ratio')} of in-process), "
                     f"{len(ch['errors'])} errors")
        print(line)
    cap = results["capacity"]
    print(f"capacity (costs on {cap['measured_on']}): a song's analysis {cap['song_analysis_s']} s, "
          f"{cap['tracks_per_worker_hour']} tracks per worker-hour; a 10-million-track library takes "
          f"{cap['library_10m_worker_hours']} worker-hours ({cap['library_10m_days_on_100_workers']} days on 100); "
          f"a listener's request {cap['listener_request_s']} s every {THINK_S:g} s: {cap['listeners_per_worker']} "
          f"listeners per worker, {cap['workers_for_1000_listeners']} workers for 1,000 listeners at "
          f"{TARGET_LOAD:.0%} load")


if __name__ == "__main__":
    main()
