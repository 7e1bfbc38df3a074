"""Look by proxy: spectrograms, chromagrams and chroma self-similarity of pieces side by side, as a PNG.

Each column is one audio file (e.g. the engine before, after, and a real recording of the genre); the rows are a
mel spectrogram (with the left-minus-right 'side' level, which is silence for mono), a chromagram, the chroma
self-similarity matrix (a loop shows as bright diagonals), and the level over time (how far soft and loud sections
lie apart). Used for the figures under docs/.
Run: .venv/bin/python benchmarks/realism_figures.py OUT.png "label=path.wav" "label=path.flac" ... [--seconds 20]
"""

from __future__ import annotations

import argparse
import sys

import librosa
import librosa.display
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

RATE = 22050


def load(path: str, seconds: float) -> np.ndarray:
    y, sr = sf.read(path, dtype="float32", always_2d=True)
    y = np.repeat(y, 2, axis=1) if y.shape[1] == 1 else y[:, :2]
    y = librosa.resample(y.T, orig_sr=sr, target_sr=RATE)
    return y[:, : int(seconds * RATE)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("pieces", nargs="+", help="label=path")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--title", default="")
    args = ap.parse_args()
    pieces = [p.split("=", 1) for p in args.pieces]
    fig, axes = plt.subplots(4, len(pieces), figsize=(5.2 * len(pieces), 12.5), squeeze=False,
                             gridspec_kw={"height_ratios": (1, 1, 1, 0.5)})
    for col, (label, path) in enumerate(pieces):
        stereo = load(path, args.seconds)
        mono = stereo.mean(axis=0)
        side = 0.5 * (stereo[0] - stereo[1])
        mel = librosa.power_to_db(librosa.feature.melspectrogram(y=mono, sr=RATE, n_mels=96), ref=np.max)
        librosa.display.specshow(mel, sr=RATE, x_axis="time", y_axis="mel", ax=axes[0, col], vmin=-80, vmax=0)
        side_db = 20 * np.log10(np.sqrt(np.mean(side ** 2)) / (np.sqrt(np.mean(mono ** 2)) + 1e-12) + 1e-12)
        lr = np.corrcoef(stereo)[0, 1] if side.any() else 1.0
        axes[0, col].set_title(f"{label}\nmel spectrogram; side {side_db:.0f} dB, L/R corr {lr:.2f}", fontsize=9)
        chroma = librosa.feature.chroma_stft(y=mono, sr=RATE, hop_length=2205, n_fft=8192)
        librosa.display.specshow(chroma, sr=RATE, hop_length=2205, x_axis="time", y_axis="chroma", ax=axes[1, col])
        axes[1, col].set_title("chromagram", fontsize=9)
        z = (chroma - chroma.mean(axis=1, keepdims=True)) / (chroma.std(axis=1, keepdims=True) + 1e-9)
        z /= np.linalg.norm(z, axis=0, keepdims=True) + 1e-9
        axes[2, col].imshow(z.T @ z, origin="lower", cmap="magma", vmin=-0.2, vmax=1.0,
                            extent=(0, z.shape[1] / 10, 0, z.shape[1] / 10))
        axes[2, col].set_title("chroma self-similarity (s x s): diagonals = repeats", fontsize=9)
        window = int(0.4 * RATE)  # 400 ms: a momentary loudness meter's window
        frames = len(mono) // window
        rms = np.sqrt(np.mean(mono[: frames * window].reshape(frames, window) ** 2, axis=1))
        level = 20 * np.log10(rms / (rms.max() + 1e-12) + 1e-6)
        axes[3, col].plot(np.arange(frames) * 0.4, level)
        axes[3, col].set_ylim(-40, 1)
        axes[3, col].set_title(f"level, 400 ms RMS, dB under its loudest (spread {np.std(level):.1f} dB)", fontsize=9)
        axes[3, col].set_xlabel("s")
    if args.title:
        fig.suptitle(args.title)
    fig.tight_layout()
    fig.savefig(args.out, dpi=80)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
