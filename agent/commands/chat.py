"""`tastemaker chat [--port P] [--host H]` (browser) or `tastemaker chat --terminal`."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tools.errors import TastemakerError

APP_ROOT = Path(__file__).resolve().parents[2]  # where .chainlit/ and chainlit.md live
APP_FILE = APP_ROOT / "agent" / "app.py"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="chat with Tastemaker in the browser (or --terminal)")
    p.add_argument("--terminal", action="store_true", help="chat in this terminal instead (reads stdin when piped)")
    # defaults come from the settings when the command runs, so a bad TASTEMAKER_PORT is one line, not a crash
    p.add_argument("--port", type=int, default=None, help="browser app port (default 8000, or TASTEMAKER_PORT)")
    p.add_argument("--host", default=None,
                   help="address to listen on (default 127.0.0.1, or TASTEMAKER_HOST; 0.0.0.0 to share on your network)")
    p.set_defaults(handler=run)


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


# The app loads its models before it opens its port: seconds on an idle machine, a minute or more on a busy one.
START_TIMEOUT_S = 300.0


def wait_for_port(host: str, port: int, process: subprocess.Popen, timeout_s: float = START_TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection((host if host != "0.0.0.0" else "127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def app_command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "chainlit", "run", str(APP_FILE), "--headless", "--host", host, "--port", str(port)]


def app_env() -> dict[str, str]:
    env = dict(os.environ, CHAINLIT_APP_ROOT=str(APP_ROOT))
    # `chainlit run` reads CI (set by most CI services and many containers) as its
    # --ci flag, which plants a fake OPENAI_API_KEY and so would switch the chat
    # from the offline planner to an OpenAI endpoint that rejects it.
    env.pop("CI", None)
    # Many threads (one per chat turn) each get their own malloc arena by default; the heap then keeps
    # what ended sessions freed. Two arenas hand memory back (measured in benchmarks/load.py).
    env.setdefault("MALLOC_ARENA_MAX", "2")
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    return env


def run_browser(host: str, port: int) -> int:
    if not port_free(host, port):
        raise TastemakerError(f"Port {port} on {host} is already in use. Choose another with --port, e.g. --port 8010.")
    print("Tastemaker is getting ready (loading its models)...", flush=True)
    process = subprocess.Popen(app_command(host, port), cwd=APP_ROOT, env=app_env())
    # Stopping `tastemaker chat` (Ctrl+C, kill, a timeout) stops the app with it.
    signal.signal(signal.SIGTERM, lambda *_: (process.terminate(), sys.exit(0)))
    try:
        if not wait_for_port(host, port, process):
            process.terminate()
            raise TastemakerError("The chat app did not start; see the messages above.")
        shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
        print(f"Tastemaker is running at http://{shown}:{port}  (Ctrl+C stops it)", flush=True)
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        process.wait(timeout=10)
        return 0


def run(args: argparse.Namespace) -> int:
    from tools.settings import get_settings

    settings = get_settings()  # every setting checked, and the data directory writable, before the chat starts
    settings.check_home()
    if args.terminal:
        from agent.terminal import run_terminal

        return run_terminal()
    if args.port is not None and not 1 <= args.port <= 65535:
        raise TastemakerError(f"--port {args.port} is not a port; use a number from 1 to 65535.")
    return run_browser(args.host or settings.host, args.port or settings.port)
