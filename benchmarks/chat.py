"""Chat benchmark: a fresh install's first replies, reply time for "what is this song?", app memory,
5 concurrent browser sessions.

    .venv/bin/python benchmarks/chat.py [--sessions 5] [--skip-browser] [--skip-first-run]

First run: a new data directory with the built-in library prepared as the README's set-up does it
(`tastemaker library prepare`), then a fresh `tastemaker chat` server; the clock starts when the page is
opened (a scripted browser: agent/web/client.ChatClient) and stops at the reply to "what is this song?" with a
30 s upload (target <= 3 s), then at the reply to "find something similar" (target <= 5 s).

Prints: the time from sending "what is this song?" with a fresh 30 s upload to the reply (warm: models
loaded; target <= 2 s), the resident memory of a process holding the agent, the taggers, the text model
and Chainlit (target <= 1.5 GB), and N browser sessions at once (Playwright + Debian Chromium) each
uploading, tagging and generating, with their errors (target: none).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.conftest import tone_mix  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reply_time(folder: Path, runs: int = 5) -> list[float]:
    from agent.graph import ChatAgent

    agent = ChatAgent()
    warm = folder / "warm.wav"
    sf.write(str(warm), tone_mix(30.0, sr=44100, seed=99), 44100)
    agent.send("what is this song?", [warm])  # loads the taggers, compiles librosa's kernels
    times = []
    for i in range(runs):
        song = folder / f"song{i}.wav"
        sf.write(str(song), tone_mix(30.0, sr=44100, seed=i), 44100)  # a new upload each time: nothing cached
        start = time.perf_counter()
        reply = agent.send("what is this song?", [song])
        times.append(time.perf_counter() - start)
        assert reply.tools == ["describe_uploads"] and "sounds like" in reply.text, reply.text
    return times


def memory_with_everything_loaded() -> float:
    import chainlit  # noqa: F401  (the app process imports it)

    from tools.embeddings import text_model
    from tools.tagger import get_tagger

    get_tagger("msd"), get_tagger("mtt"), text_model()
    try:
        from tools.library import open_library

        lib = open_library()
        if lib.list():
            lib.index("text"), lib.index("audio")
    except Exception as exc:  # the library is optional for this figure
        print(f"  (library not loaded: {exc})")
    return rss_mb()


async def one_browser_session(browser, url: str, song: Path, n: int) -> tuple[float, str | None]:
    page = await browser.new_page()
    start = time.perf_counter()
    try:
        # uploads are refused until the page's websocket session is up
        async with page.expect_response(lambda r: "/ws/socket.io/" in r.url and "sid=" in r.url, timeout=60000):
            await page.goto(url)
        await page.wait_for_selector("#chat-input", timeout=60000)
        for _ in range(40):
            await page.set_input_files("#upload-button-input", [])  # the same file again fires no change event
            async with page.expect_response(lambda r: "/project/file" in r.url) as response:
                await page.set_input_files("#upload-button-input", str(song))
            if (await response.value).ok:
                break
            await page.wait_for_timeout(500)
        replies = page.locator('[data-step-type="assistant_message"]')
        for i, text in enumerate(["what is this song?", f"make me a 5 second rock track, seed {n}"]):
            await page.fill("#chat-input", text)
            await page.click("#chat-submit")
            await replies.nth(i).wait_for(timeout=180000)
        await replies.nth(1).locator("audio").first.wait_for(timeout=30000)
        content = await page.inner_text("body")
        if "Sorry" in content or "error" in content.lower():
            return time.perf_counter() - start, "an error reply"
        return time.perf_counter() - start, None
    except Exception as exc:  # counted, reported
        return time.perf_counter() - start, f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    finally:
        await page.close()


async def browser_sessions(n: int, folder: Path) -> list[tuple[float, str | None]]:
    from playwright.async_api import async_playwright

    port = 8790
    env = dict(os.environ, TASTEMAKER_HOME=str(folder / "home"))
    app = subprocess.Popen([sys.executable, "-m", "agent.cli", "chat", "--port", str(port)], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        while "running at" not in (app.stdout.readline() or "running at"):
            pass
        songs = []
        for i in range(n):
            songs.append(folder / f"browser{i}.wav")
            sf.write(str(songs[-1]), tone_mix(30.0, sr=44100, seed=100 + i), 44100)
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
            results = await asyncio.gather(*[one_browser_session(browser, f"http://127.0.0.1:{port}", songs[i], i)
                                             for i in range(n)])
            await browser.close()
        return results
    finally:
        app.terminate()
        app.wait(timeout=20)


async def first_run(folder: Path) -> tuple[float, float, str, str]:
    """(seconds from opening the page to the describe reply, seconds for the first 'find something similar')."""
    from agent.commands.chat import app_command, app_env
    from agent.web.client import ChatClient

    home = folder / "first-run-home"
    env = dict(app_env(), TASTEMAKER_HOME=str(home))
    subprocess.run([sys.executable, "-m", "agent.cli", "library", "prepare"], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # what the set-up does once
    song = folder / "first.wav"
    sf.write(str(song), tone_mix(30.0, sr=44100, seed=7), 44100)
    port = 8791
    server = subprocess.Popen(app_command("127.0.0.1", port), cwd=Path(__file__).resolve().parents[1], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        import socket

        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                await asyncio.sleep(0.2)
        await asyncio.sleep(3)  # a person reads the page for a moment before attaching a song
        client = ChatClient(url)
        start = time.perf_counter()
        await client.open()
        upload = (await client.upload(song)).json()["id"]
        described = await client.send("what is this song?", files=[{"id": upload}])
        to_describe = time.perf_counter() - start
        similar = await client.send("find something similar")
        await client.close()
        return to_describe, similar.seconds, described.text[:80], similar.text[:80]
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--skip-first-run", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.skip_first_run:
            to_describe, to_similar, said, found = asyncio.run(first_run(folder))
            print(f"fresh install: page opened -> 'what is this song?' answered in {to_describe:.2f} s (target <= 3 s; "
                  f"\"{said}...\"); first 'find something similar' {to_similar:.2f} s (target <= 5 s; \"{found}...\")")
        os.environ.setdefault("TASTEMAKER_HOME", str(folder / "home"))
        times = reply_time(folder)
        print(f"'what is this song?' on a fresh 30 s upload, warm: median {statistics.median(times):.2f} s, "
              f"max {max(times):.2f} s over {len(times)} runs (target <= 2 s)")
        print(f"memory with agent, both taggers, text model, Chainlit (and library if built): "
              f"{memory_with_everything_loaded():.0f} MB RSS (target <= 1536 MB)")
        if not args.skip_browser:
            start = time.perf_counter()
            results = asyncio.run(browser_sessions(args.sessions, folder))
            errors = [e for _, e in results if e]
            print(f"{args.sessions} browser sessions at once (upload + tag + generate): "
                  f"{time.perf_counter() - start:.1f} s wall, per session "
                  f"{', '.join(f'{t:.1f}' for t, _ in results)} s; errors: {len(errors)}")
            for e in errors:
                print(f"  error: {e}")


if __name__ == "__main__":
    main()
