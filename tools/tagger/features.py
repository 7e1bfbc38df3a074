"""musicnn's input: log-compressed mel spectrogram patches, as the original computes them."""

from __future__ import annotations

import librosa
import numpy as np

SAMPLE_RATE = 16000
N_FFT = 512
HOP = 256
N_MELS = 96
PATCH_FRAMES = 187  # 3 s: librosa.time_to_frames(3, sr=16000, n_fft=512, hop_length=256) + 1


def log_mel(samples: np.ndarray) -> np.ndarray:
    """(frames, 96) float32: log10(10000 * mel + 1), computed in float32.

    The original casts the mel to float16 first, which overflows to inf for
    loud input; float32 keeps the same values where float16 did not overflow
    (to within float16 rounding).
    """
    mel = librosa.feature.melspectrogram(
        y=np.asarray(samples, dtype=np.float32), sr=SAMPLE_RATE, hop_length=HOP, n_fft=N_FFT, n_mels=N_MELS
    ).T
    return np.log10(10000.0 * mel + 1.0).astype(np.float32)


def patches(log_mel_frames: np.ndarray) -> np.ndarray:
    """Non-overlapping 187-frame patches from frame 0, the remainder dropped: (n, 187, 96)."""
    n = log_mel_frames.shape[0] // PATCH_FRAMES
    return log_mel_frames[: n * PATCH_FRAMES].reshape(n, PATCH_FRAMES, N_MELS)
