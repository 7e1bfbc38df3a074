"""Musical descriptors of a piece of audio, from librosa: tempo, tempo stability, key clarity, onset density.

- tempo_bpm: librosa's beat tracker's global tempo.
- tempo_stability: 1 - coefficient of variation of the local tempo (the
  tempogram's tempo frame by frame), clipped to 0..1: 1 = a steady pulse,
  lower = the tempo drifts or there is no pulse to follow. (Inter-beat
  intervals are not used: the beat tracker forces a regular grid, so they look
  steady even for noise.)
- key / key_clarity: the best of the 24 Krumhansl-Kessler key profiles and its
  correlation with the mean chroma (tools.taste's estimate, -1..1; higher =
  clearer tonality).
- onset_density: note onsets per second (how busy the piece is).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import librosa
import numpy as np

from tools.audio import load_clip
from tools.contracts import Clip

ANALYSIS_RATE = 22050


@dataclass
class Descriptors:
    duration_s: float
    tempo_bpm: float
    tempo_stability: float
    key: str
    key_clarity: float
    onset_density: float

    def as_dict(self) -> dict:
        return asdict(self)


def tempo_stability(onset_envelope: np.ndarray, sample_rate: int) -> float:
    """1 - CV of the frame-wise local tempo, clipped to 0..1."""
    local = librosa.feature.tempo(onset_envelope=onset_envelope, sr=sample_rate, aggregate=None)
    return float(np.clip(1.0 - local.std() / local.mean(), 0.0, 1.0))


def describe_clip(clip: Clip) -> Descriptors:
    from tools.taste.analysis import estimate_key

    y, sr = clip.samples, clip.sample_rate
    envelope = librosa.onset.onset_strength(y=y, sr=sr)
    tempo, _ = librosa.beat.beat_track(onset_envelope=envelope, sr=sr)
    onsets = librosa.onset.onset_detect(onset_envelope=envelope, sr=sr, units="time")
    tonic, mode, clarity = estimate_key(y, sr)
    return Descriptors(
        duration_s=round(clip.duration, 3),
        tempo_bpm=float(np.atleast_1d(tempo)[0]),
        tempo_stability=tempo_stability(envelope, sr),
        key=f"{tonic} {mode}",
        key_clarity=float(clarity),
        onset_density=len(onsets) / clip.duration,
    )


def describe_file(path: str | Path) -> Descriptors:
    return describe_clip(load_clip(path, sample_rate=ANALYSIS_RATE))
