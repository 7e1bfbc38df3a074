"""Audio augmentation for training: pitch shift, time stretch and noise (random crops happen on features)."""

from __future__ import annotations

import librosa
import numpy as np

PITCH_SEMITONES = 2.0  # up or down, at most
STRETCH_RANGE = (0.9, 1.1)
SNR_DB_RANGE = (20.0, 40.0)


def augment(samples: np.ndarray, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """One randomly altered copy of the audio: each alteration applied with probability 0.7."""
    y = np.asarray(samples, dtype=np.float32)
    if rng.random() < 0.7:
        y = librosa.effects.pitch_shift(y, sr=sample_rate, n_steps=float(rng.uniform(-PITCH_SEMITONES, PITCH_SEMITONES)))
    if rng.random() < 0.7:
        y = librosa.effects.time_stretch(y, rate=float(rng.uniform(*STRETCH_RANGE)))
    if rng.random() < 0.7:
        power = float(np.mean(y**2)) or 1e-8
        snr = float(rng.uniform(*SNR_DB_RANGE))
        y = y + rng.standard_normal(len(y)).astype(np.float32) * np.sqrt(power / 10 ** (snr / 10))
    return y.astype(np.float32)


def random_crop(sequence: np.ndarray, length: int, rng: np.random.Generator) -> np.ndarray:
    """A random `length`-step window of a (T, D) feature sequence (looped first when shorter)."""
    seq = loop_to(sequence, length)
    start = int(rng.integers(0, seq.shape[0] - length + 1))
    return seq[start:start + length]


def loop_to(sequence: np.ndarray, length: int) -> np.ndarray:
    if sequence.shape[0] >= length:
        return sequence
    reps = int(np.ceil(length / max(sequence.shape[0], 1)))
    return np.concatenate([sequence] * reps, axis=0)
