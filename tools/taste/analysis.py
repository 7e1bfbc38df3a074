"""What one clip says about taste: unified tags plus tempo, key, energy and brightness."""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np

from tools.contracts import Clip
from tools.tagger import tag_full

NOTE_NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
# Krumhansl-Kessler key profiles (probe-tone ratings), C major / C minor.
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


@dataclass
class ClipAnalysis:
    name: str
    duration: float
    genres: dict[str, float]
    moods: dict[str, float]
    instruments: dict[str, float]
    tempo: float
    key: str
    mode: str
    key_clarity: float  # correlation of the chroma with the best key profile, -1..1
    energy: float  # 0..1: how energetic the tagger hears it, plus a little loudness (see energy_of)
    brightness: float  # 0..1 from the spectral centroid (0 -> 0 Hz, 1 -> 4 kHz and above)
    embedding: np.ndarray


def estimate_key(samples: np.ndarray, sample_rate: int) -> tuple[str, str, float]:
    """Key and mode by correlating mean chroma with the 24 rotated key profiles."""
    chroma = librosa.feature.chroma_cqt(y=samples, sr=sample_rate).mean(axis=1)
    best = ("C", "major", -1.0)
    for tonic in range(12):
        for mode, profile in (("major", MAJOR_PROFILE), ("minor", MINOR_PROFILE)):
            r = float(np.corrcoef(chroma, np.roll(profile, tonic))[0, 1])
            if r > best[2]:
                best = (NOTE_NAMES[tonic], mode, r)
    return best


def estimate_tempo(samples: np.ndarray, sample_rate: int) -> float:
    tempo, _ = librosa.beat.beat_track(y=samples, sr=sample_rate)
    return float(np.atleast_1d(tempo)[0])


def loudness_of(samples: np.ndarray) -> float:
    """0..1 from RMS level: -60 dBFS -> 0, -6 dBFS -> 1."""
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)) + 1e-12)
    db = 20 * np.log10(rms)
    return float(np.clip((db + 60) / 54, 0.0, 1.0))


def energy_of(samples: np.ndarray, moods: dict[str, float]) -> float:
    """0..1, mostly the tagger's 'energetic' (fast, loud) against 'calm' (quiet, soft, slow), 30% loudness.

    Loudness alone says little about a recording: mastered music sits near the same level whether it is a
    lament or a battle (Wesnoth's 41 orchestral soundtrack pieces: 27 of them 0.65 or more, 'sad' included).
    """
    loud = loudness_of(samples)
    energetic, calm = moods.get("energetic", 0.0), moods.get("calm", 0.0)
    if energetic + calm < 0.05:  # the tagger has no opinion: loudness is all there is
        return loud
    return float(np.clip(0.7 * energetic / (energetic + calm) + 0.3 * loud, 0.0, 1.0))


def brightness_of(samples: np.ndarray, sample_rate: int) -> float:
    centroid = float(np.mean(librosa.feature.spectral_centroid(y=samples, sr=sample_rate)))
    return float(np.clip(centroid / 4000.0, 0.0, 1.0))


def analyse_clip(clip: Clip, full=None, name: str | None = None) -> ClipAnalysis:
    """Tags (reusing `full`, a tools.tagger.FullTags, when the clip was already tagged), tempo, key, energy."""
    full = full if full is not None else tag_full(clip)
    key, mode, clarity = estimate_key(clip.samples, clip.sample_rate)
    return ClipAnalysis(
        name=name or clip.name,
        duration=clip.duration,
        genres=full.genres.probabilities,
        moods=full.moods.probabilities,
        instruments=full.instruments.probabilities,
        tempo=estimate_tempo(clip.samples, clip.sample_rate),
        key=key,
        mode=mode,
        key_clarity=clarity,
        energy=energy_of(clip.samples, full.moods.probabilities),
        brightness=brightness_of(clip.samples, clip.sample_rate),
        embedding=full.embedding,
    )
