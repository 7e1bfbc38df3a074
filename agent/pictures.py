"""What the browser shows as pictures: genre bars, a thumbnail of each piece, the loop's rounds.

Drawn with matplotlib in the colours of the app's theme. Each function returns a figure; `png` draws it.
The figures are plain `Figure` objects, not pyplot's: pyplot keeps a global list of open figures, and
these are drawn in worker threads so that a picture never holds up the other chats' sockets.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from agent.session import GenreChart, LoopChart

PURPLE, TEAL, GREY = "#6c5ce7", "#3fb6a8", "#8a87a0"
LINE_COLOURS = [PURPLE, TEAL, "#e17055", "#fdcb6e"]


def png(fig: Figure, dpi: int = 150) -> bytes:
    """The figure as PNG bytes (sharp on a high-density screen, a third of the pixels of Chainlit's 200 dpi)."""
    out = BytesIO()
    fig.savefig(out, dpi=dpi, bbox_inches="tight", format="png")
    return out.getvalue()


def genre_chart(chart: GenreChart):
    labels = [g for g, _ in chart.genres][::-1]
    values = [p for _, p in chart.genres][::-1]
    fig = Figure(figsize=(5, 0.45 * len(labels) + 0.8))
    ax = fig.subplots()
    ax.barh(labels, values, color=PURPLE)
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability")
    ax.set_title(chart.title, fontsize=10)
    for y, v in enumerate(values):
        ax.text(min(v + 0.02, 0.9), y, f"{v:.2f}", va="center", fontsize=8)
    fig.tight_layout()
    return fig


def piece_thumbnail(path: str, heard: list[tuple[str, float]], title: str):
    """A glance at a piece: its waveform (both channels when stereo), its spectrogram, and what it sounds like.
    A file that cannot be read is an AudioError naming it (its file name, not the server's folders)."""
    import librosa

    from tools.audio import read_stereo  # the one place that reads audio files

    audio, sr = read_stereo(path, name=Path(path).name)
    channels = 1 if np.array_equal(audio[:, 0], audio[:, 1]) else 2  # a mono file comes back in both channels
    mono = audio.mean(axis=1)
    fig = Figure(figsize=(6, 2.2))
    grid = fig.add_gridspec(2, 2, width_ratios=[3, 1.3], height_ratios=[1, 1.6], wspace=0.35, hspace=0.15)
    wave, spec, bars = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[:, 1])
    t = np.arange(len(mono)) / sr
    step = max(1, len(mono) // 4000)  # enough points to draw, not every sample
    for channel, colour in zip(range(channels), (PURPLE, TEAL)):
        wave.plot(t[::step], audio[::step, channel], color=colour, linewidth=0.5, alpha=0.8)
    wave.set_xlim(0, t[-1] if len(t) else 1)
    wave.set_ylim(-1, 1)
    wave.axis("off")
    wave.set_title(title, fontsize=8, loc="left")
    mel = librosa.power_to_db(librosa.feature.melspectrogram(y=mono, sr=sr, n_mels=64, hop_length=1024), ref=np.max)
    spec.imshow(mel, origin="lower", aspect="auto", cmap="magma", extent=(0, t[-1] if len(t) else 1, 0, 64))
    spec.set_yticks([])
    spec.set_xlabel("seconds", fontsize=7)
    spec.tick_params(labelsize=7)
    labels = [g for g, _ in heard][::-1]
    values = [p for _, p in heard][::-1]
    if heard:
        bars.barh(labels, values, color=TEAL)
        bars.set_xlim(0, max([0.5, *values]))
        bars.set_title("heard as", fontsize=8)
        bars.tick_params(labelsize=7)
    else:  # not tagged: no empty axes beside the spectrogram
        bars.axis("off")
    fig.subplots_adjust(left=0.03, right=0.98, top=0.88, bottom=0.18)
    return fig


def loop_chart(chart: LoopChart):
    """Each round's candidates: how strongly the judge heard each target genre; the chosen round marked."""
    fig = Figure(figsize=(5, 2.4))
    ax = fig.subplots()
    rounds = sorted({r for r, _ in chart.points})
    for i, genre in enumerate(chart.target):
        colour = LINE_COLOURS[i % len(LINE_COLOURS)]
        xs = [r for r, probs in chart.points]
        ys = [probs.get(genre, 0.0) for _, probs in chart.points]
        ax.scatter(xs, ys, color=colour, s=18, alpha=0.7)
        best = [max(p.get(genre, 0.0) for r2, p in chart.points if r2 == r) for r in rounds]
        ax.plot(rounds, best, color=colour, label=genre, linewidth=1.5)
    ax.axvline(chart.best_round, color=GREY, linestyle=":", linewidth=1)
    ax.set_xticks(rounds)
    ax.set_xlabel("round")
    ax.set_ylabel("probability")
    ax.set_ylim(0, max(0.5, max((max(p.values(), default=0) for _, p in chart.points), default=0) + 0.1))
    ax.set_title("What the judge heard, round by round (dots: candidates)", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig
