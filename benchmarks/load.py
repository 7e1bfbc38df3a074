"""Soak and load benchmark: many chat sessions at once, in waves, against one `tastemaker chat` server.

    .venv/bin/python benchmarks/load.py [--sessions 20] [--waves 4] [--seconds 6] [--json]

Each session is a scripted browser (agent.web.client.ChatClient: the page's cookie, its Socket.IO
session, HTTP uploads) that uploads a 20 s song, asks "what is this song?", asks for a piece, refines
it ("faster"), and closes its chat. A wave starts all sessions together; waves follow one another.
Reported: errors (a refused connection or upload, a turn without an answer, an error reply), p50/p95
time per kind of turn, the server's resident memory (RSS) sampled every 0.5 s, its peak per wave and
its level after each wave's sessions have ended, and the server's CPU seconds per session (a figure that other
work on the machine hardly moves, unlike the times). Targets (issue 14): 20 sessions with 0 errors and
generation p95 <= 15 s on 2 cores; RSS after each wave within 20% of the first wave's (no leak);
5 sessions at once <= 1.5 GB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from agent.web.client import ChatClient  # noqa: E402
from tests.conftest import tone_mix  # noqa: E402

TURNS = [("describe", "what is this song?"), ("generate", "make me a {seconds} second jazz track"),
         ("refine", "faster")]
ERROR_WORDS = ("went wrong on my side", "Traceback", "did not answer")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def start_server(home: Path, port: int, **more_env: str) -> subprocess.Popen:
    """The Chainlit app itself (not the `tastemaker chat` launcher), so its pid is the process to measure."""
    from agent.commands.chat import app_command, app_env

    env = dict(app_env(), TASTEMAKER_HOME=str(home), TASTEMAKER_DEFAULT_LIBRARY="0",
               TASTEMAKER_SESSION_KEEP_S="1", **more_env)
    proc = subprocess.Popen(app_command("127.0.0.1", port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the chat server did not start")


async def one_session(url: str, song: Path, seconds: float, times: dict[str, list[float]], errors: list[str]):
    client = ChatClient(url)
    try:
        await client.open(timeout=60)
        upload = await client.upload(song)
        if upload.status_code != 200:
            errors.append(f"upload {upload.status_code}: {upload.text[:80]}")
            return
        files = [{"id": upload.json()["id"]}]
        for kind, text in TURNS:
            turn = await client.send(text.format(seconds=int(seconds)), files=files if kind == "describe" else None,
                                     timeout=600)
            times.setdefault(kind, []).append(turn.seconds)
            if not turn.replies:
                errors.append(f"{kind}: no answer")
            elif any(word in turn.text for word in ERROR_WORDS):
                errors.append(f"{kind}: {turn.text[:100]}")
            elif kind != "describe" and not any(e.get("type") == "audio" for e in turn.elements):
                errors.append(f"{kind}: no player in the reply")
        await client.clear_and_close()
    except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the benchmark
        errors.append(f"{type(exc).__name__}: {exc}"[:120])
        await client.close()


def cpu_s(pid: int) -> float:
    """CPU seconds the process has used (user + system): what a wave cost, whatever else the machine ran."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


async def sample_rss(pid: int, samples: list[tuple[float, float]], stop: asyncio.Event, start: float):
    while not stop.is_set():
        samples.append((time.monotonic() - start, rss_mb(pid)))
        await asyncio.sleep(0.5)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def run(sessions: int, waves: int, seconds: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        song = tmp / "song.wav"
        sf.write(str(song), tone_mix(20.0, sr=44100, seed=3), 44100)
        port = free_port()
        server = start_server(tmp / "home", port)
        url = f"http://127.0.0.1:{port}"
        start = time.monotonic()
        samples: list[tuple[float, float]] = []
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_rss(server.pid, samples, stop, start))
        try:
            warm = ChatClient(url)  # models load on the first tagging: not part of any wave
            await warm.open(timeout=60)
            up = await warm.upload(song)
            await warm.send("what is this song?", files=[{"id": up.json()["id"]}], timeout=600)
            await warm.clear_and_close()
            await asyncio.sleep(3)
            baseline = rss_mb(server.pid)
            report_waves = []
            for wave in range(1, waves + 1):
                times: dict[str, list[float]] = {}
                errors: list[str] = []
                t0, cpu0 = time.monotonic() - start, cpu_s(server.pid)
                await asyncio.gather(*(one_session(url, song, seconds, times, errors) for _ in range(sessions)))
                t1, cpu1 = time.monotonic() - start, cpu_s(server.pid)
                await asyncio.sleep(4)  # ended sessions are cleared after TASTEMAKER_SESSION_KEEP_S (1 s here)
                report_waves.append({
                    "wave": wave, "wall_s": round(t1 - t0, 1), "errors": errors,
                    "server_cpu_s_per_session": round((cpu1 - cpu0) / sessions, 2),
                    "p50": {k: round(statistics.median(v), 2) for k, v in times.items()},
                    "p95": {k: round(pct(v, 0.95), 2) for k, v in times.items()},
                    "peak_rss_mb": round(max((r for t, r in samples if t0 <= t <= t1), default=0.0)),
                    "rss_after_mb": round(rss_mb(server.pid)),
                })
        finally:
            stop.set()
            await sampler
            server.terminate()
            server.wait(timeout=30)
    first_after = report_waves[0]["rss_after_mb"]
    return {
        "sessions": sessions, "waves": report_waves, "rss_baseline_mb": round(baseline),
        "errors": sum(len(w["errors"]) for w in report_waves),
        "generation_p95_s": max(w["p95"].get("generate", float("nan")) for w in report_waves),
        "max_rss_growth_vs_first_wave": round(max(w["rss_after_mb"] for w in report_waves) / first_after - 1, 3),
        "peak_rss_mb": max(w["peak_rss_mb"] for w in report_waves),
        "rss_timeline": [(round(t, 1), round(r)) for t, r in samples[::4]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--waves", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each generated piece")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args.sessions, args.waves, args.seconds))
    if args.json:
        print(json.dumps(result))
        return
    print(f"{args.sessions} sessions x {args.waves} waves on {os.cpu_count()} CPUs; server RSS after warm-up "
          f"{result['rss_baseline_mb']} MB")
    for w in result["waves"]:
        print(f"  wave {w['wave']}: {w['wall_s']} s, server CPU {w['server_cpu_s_per_session']} s a session, "
              f"{len(w['errors'])} errors, p50 {w['p50']}, p95 {w['p95']}, "
              f"peak RSS {w['peak_rss_mb']} MB, after {w['rss_after_mb']} MB")
        for e in w["errors"][:5]:
            print(f"      {e}")
    print(f"errors {result['errors']} (target 0); generation p95 {result['generation_p95_s']} s (target <= 15); "
          f"RSS after waves vs first: +{result['max_rss_growth_vs_first_wave']:.0%} (target <= 20%); "
          f"peak {result['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
