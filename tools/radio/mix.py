"""One crossfaded file from a list of pieces (a playlist's mix): equal-power fades, written as it goes.

Only one piece and one crossfade's worth of audio are in memory at a time, so an hour's mix costs what one
piece costs. Written to a temp file and renamed: an interrupted mix leaves nothing half-written.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import soundfile as sf

MIX_RATE = 32000


def _fades(n: int) -> tuple[np.ndarray, np.ndarray]:
    t = np.linspace(0.0, np.pi / 2, n, dtype=np.float32)
    return np.cos(t), np.sin(t)  # equal power: the sum of squares stays 1 through the fade


def crossfade_mix(paths: list[str], out: str | os.PathLike, crossfade_seconds: float = 3.0,
                  sample_rate: int = MIX_RATE) -> Path:
    """Write the pieces one after another, each overlapping the next by `crossfade_seconds`."""
    from tools.audio import load_clip

    out = Path(out)
    tmp = out.with_name(f".{out.name}.part")
    fade = int(crossfade_seconds * sample_rate)
    tail = np.zeros(0, dtype=np.float32)
    try:
        with sf.SoundFile(str(tmp), "w", samplerate=sample_rate, channels=1, subtype="PCM_16", format="WAV") as f:
            for path in paths:
                y = load_clip(path, sample_rate=sample_rate).samples.astype(np.float32)
                n = min(fade, len(tail), len(y) // 2)
                f.write(np.clip(tail[: len(tail) - n], -1, 1))
                if n > 0:
                    fade_out, fade_in = _fades(n)
                    f.write(np.clip(tail[len(tail) - n:] * fade_out + y[:n] * fade_in, -1, 1))
                    y = y[n:]
                keep = min(fade, len(y) // 2)
                f.write(np.clip(y[: len(y) - keep], -1, 1))
                tail = y[len(y) - keep:]
            f.write(np.clip(tail, -1, 1))
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
