"""Get ready before the first message: load the models and start the library build in the background.

Without this the first "what is this song?" paid for loading both taggers and compiling librosa's
kernels (16-37 s), and the first "find something similar" waited minutes for the built-in library.
The browser app warms the models before it opens its port (so "running at" means ready) and then starts
the library build; the terminal chat does both in the background while the person types.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import numpy as np

_started = threading.Event()
_thread: list[threading.Thread] = []  # the warm-up under way, if any


def warm_models() -> None:
    """Load both taggers and the text model, and run each once, with the taste analysis (librosa compiles its
    kernels on first use: beat tracking alone took 11 s the first time in a process)."""
    from tools import jobs
    from tools.audio import clip_from_array
    from tools.embeddings import embed_text
    from tools.taste import analyse_clip

    jobs.share_cpus_between_jobs()  # several people's turns at once: one network thread per run-slot

    sr = 16000
    t = np.arange(3 * sr) / sr
    tone = (0.2 * np.sin(2 * np.pi * 220 * t) + 0.05 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    analyse_clip(clip_from_array(tone, sr, name="warm-up"))
    embed_text("warm up")


def warm_sketch_and_pictures() -> None:
    """Render and draw one short piece: the first one in a process paid ~1 s of imports and sound loading, and
    its picture another 0.3 s, in the first person's turn (and, under load, in everyone's queued behind it).
    The browser app only: in the terminal's background warm-up, a quick /quit ended the process mid-render
    (FluidSynth's thread: "terminate called without an active exception")."""
    from agent import pictures
    from tools.generate import render_request
    from tools.generate.request import GenerationRequest

    with tempfile.TemporaryDirectory() as folder:
        piece = str(Path(folder) / "warm-up.wav")
        render_request(GenerationRequest(prompt="jazz", seconds=2, seed=0, output=piece, engine="sketch"))
        pictures.png(pictures.piece_thumbnail(piece, [("jazz", 1.0)], "warm-up"))


def start_library_build() -> None:
    """Start building the built-in library in the background if this data directory has none yet."""
    from tools.incidents import log_incident

    try:
        from tools.library import open_library
        from tools.library.default import build_in_background

        build_in_background(open_library())
    except Exception as exc:  # noqa: BLE001 - the first search will say what is wrong
        log_incident(exc, "library build")


def start() -> None:
    """In the background: warm the models, then start the library's build if it is missing (once per process)."""
    if _started.is_set():
        return
    _started.set()

    def run() -> None:
        from tools.incidents import log_incident

        try:
            warm_models()
        except Exception as exc:  # noqa: BLE001 - warming up is an optimisation; the first request will say
            log_incident(exc, "warm-up")
        start_library_build()

    thread = threading.Thread(target=run, name="warm-up", daemon=True)
    _thread.append(thread)
    thread.start()


def finish(timeout_s: float = 60.0) -> None:
    """Let the warm-up's model loading end, and the library build it started stop at a safe point, before the
    process does: a process that exits while a native thread is still loading or tagging aborts ("terminate
    called without an active exception"). The build picks up where it stopped at the next start."""
    from tools.library.default import stop_background_builds

    stop_background_builds(wait_s=None)  # a warm-up still loading starts no build now
    for thread in _thread:
        thread.join(timeout_s)
    stop_background_builds()
