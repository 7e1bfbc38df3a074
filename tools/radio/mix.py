"""One crossfaded file from a list of pieces (a playlist's mix): equal-power fades, written as it goes.

Each piece is brought to one loudness first (a library track mastered at -10 LUFS next to our pieces at -14 was
a jump of 4 dB at the join), in stereo at the pieces' own 44.1 kHz. Only one piece and one crossfade's worth of
audio are in memory at a time, so an hour's mix costs what one piece costs. Written to a temp file and renamed: an
interrupted mix leaves nothing half-written.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import soundfile as sf

MIX_RATE = 44100
MIX_LOUDNESS = -14.0  # LUFS: what the sketch engine masters to
PEAK = 10 ** (-1.0 / 20)  # a quiet piece is brought up only as far as its peaks allow (-1 dBFS)


def _fades(n: int) -> tuple[np.ndarray, np.ndarray]:
    t = np.linspace(0.0, np.pi / 2, n, dtype=np.float32)[:, None]
    return np.cos(t), np.sin(t)  # equal power: the sum of squares stays 1 through the fade


def _piece(path: str, sample_rate: int, loudness: float | None) -> np.ndarray:
    """A piece as (frames, 2) float32 at `sample_rate`, at `loudness` LUFS (None: as it is)."""
    from tools.audio import read_stereo

    y, rate = read_stereo(path)
    if rate != sample_rate:
        import librosa

        y = np.ascontiguousarray(librosa.resample(y.T, orig_sr=rate, target_sr=sample_rate).T, dtype=np.float32)
    if loudness is not None and len(y) > sample_rate // 2:
        from tools.mixing.master import loudness as measured

        now = measured(y, sample_rate)
        peak = float(np.abs(y).max())
        if np.isfinite(now) and peak > 0:
            y = y * np.float32(min(10 ** ((loudness - now) / 20), PEAK / peak))
    return y


def crossfade_mix(paths: list[str], out: str | os.PathLike, crossfade_seconds: float = 3.0,
                  sample_rate: int = MIX_RATE, loudness: float | None = MIX_LOUDNESS) -> Path:
    """Write the pieces one after another, each overlapping the next by `crossfade_seconds`, each at `loudness`
    LUFS (None: as they are)."""
    out = Path(out)
    tmp = out.with_name(f".{out.name}.part")
    fade = int(crossfade_seconds * sample_rate)
    tail = np.zeros((0, 2), dtype=np.float32)
    try:
        with sf.SoundFile(str(tmp), "w", samplerate=sample_rate, channels=2, subtype="PCM_16", format="WAV") as f:
            for path in paths:
                y = _piece(path, sample_rate, loudness)
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
