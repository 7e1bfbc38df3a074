"""Get ready before the first message: load the models and start the library build in the background.

Without this the first "what is this song?" paid for loading both taggers and compiling librosa's
kernels (16-37 s), and the first "find something similar" waited minutes for the built-in library.
The browser app calls `start()` when it starts; the terminal chat does too.
"""

from __future__ import annotations

import threading

import numpy as np

_started = threading.Event()


def warm_models() -> None:
    """Load both taggers and the text model, and run each once (librosa compiles its kernels on first use)."""
    from tools.audio import clip_from_array
    from tools.embeddings import embed_text
    from tools.tagger import tag_full

    sr = 16000
    t = np.arange(3 * sr) / sr
    tone = (0.2 * np.sin(2 * np.pi * 220 * t) + 0.05 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    tag_full(clip_from_array(tone, sr, name="warm-up"))
    embed_text("warm up")


def start() -> None:
    """Warm the models, then start the default library's build if it is missing (once per process)."""
    if _started.is_set():
        return
    _started.set()

    def run() -> None:
        from tools.incidents import log_incident

        try:
            warm_models()
            from tools.library import open_library
            from tools.library.default import build_in_background

            build_in_background(open_library())
        except Exception as exc:  # noqa: BLE001 - warming up is an optimisation; the first request will say
            log_incident(exc, "warm-up")

    threading.Thread(target=run, name="warm-up", daemon=True).start()
