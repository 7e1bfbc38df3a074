"""What a reference lends the sketch engine.

A MIDI file lends its motif, progression, tempo and key; audio lends tempo, key and chroma.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from pathlib import Path

import librosa
import numpy as np

from tools.audio import load_clip
from tools.errors import TastemakerError
from tools.generate.sketch.theory import NOTE_NAMES, best_chord, estimate_key, scale_pitches

MAX_BARS = 8  # the progression borrowed from a reference: its first bars
ANALYSIS_RATE = 22050


@dataclass
class Reference:
    source: str
    kind: str  # midi | audio
    tempo: float | None = None
    tonic: int | None = None
    mode: str | None = None
    progression: list[str] = field(default_factory=list)
    motif: list[tuple[int, int, int]] | None = None  # (onset step, length steps, scale steps from the first note)
    chroma: list[float] = field(default_factory=list)

    def summary(self) -> dict:
        d = asdict(self)
        d["key"] = f"{NOTE_NAMES[self.tonic]} {self.mode}" if self.tonic is not None else None
        d["motif_notes"] = len(self.motif) if self.motif else 0
        d.pop("motif")
        return d


def _collapse(chords: list[str]) -> list[str]:
    """Bar-by-bar chords as a loop: drop a repeated tail ('i i i i' -> 'i')."""
    for n in (1, 2, 4):
        if len(chords) > n and all(chords[i] == chords[i % n] for i in range(len(chords))):
            return chords[:n]
    return chords


def from_midi(path: str | Path) -> Reference:
    import pretty_midi

    try:
        pm = pretty_midi.PrettyMIDI(str(path))
    except Exception as exc:  # noqa: BLE001 (mido/pretty_midi raise many types for a bad file)
        raise TastemakerError(f"{path} is not a MIDI file we can read ({exc}). Use a standard .mid file.") from None
    pitched = [inst for inst in pm.instruments if not inst.is_drum and inst.notes]
    if not pitched:
        raise TastemakerError(f"{path} has no pitched notes to borrow (only drums or nothing).")
    _, tempi = pm.get_tempo_changes()
    tempo = float(tempi[0]) if len(tempi) else float(pm.estimate_tempo())
    histogram = np.zeros(12)
    for inst in pitched:
        for n in inst.notes:
            histogram[n.pitch % 12] += (n.end - n.start) * n.velocity
    tonic, mode, _ = estimate_key(histogram)

    bar_s = 4 * 60.0 / tempo
    end = min(pm.get_end_time(), MAX_BARS * bar_s)
    chords = []
    for b in range(max(1, round(end / bar_s))):
        lo, hi = b * bar_s, (b + 1) * bar_s
        profile = np.zeros(12)
        for inst in pitched:
            for n in inst.notes:
                overlap = min(n.end, hi) - max(n.start, lo)
                if overlap > 0:
                    profile[n.pitch % 12] += overlap
        if profile.sum() > 0:
            chords.append(best_chord(profile, tonic, mode))

    # motif: the top voice of the highest melodic instrument over its first two bars
    melody = max(pitched, key=lambda i: (len(i.notes) >= 4, np.mean([n.pitch for n in i.notes])))
    step_s = bar_s / 16
    first = min(n.start for n in melody.notes)
    phrase_start = np.floor(first / bar_s) * bar_s
    top: dict[int, tuple[int, int]] = {}
    for n in melody.notes:
        onset = round((n.start - phrase_start) / step_s)
        if 0 <= onset < 32:
            length = max(1, round((n.end - n.start) / step_s))
            if onset not in top or n.pitch > top[onset][0]:
                top[onset] = (n.pitch, length)
    motif = None
    if len(top) >= 3:
        scale = scale_pitches(tonic, mode, 0, 127)
        degree = {p: i for i, p in enumerate(scale)}

        def nearest(p: int) -> int:
            return degree.get(p) if p in degree else degree[min(scale, key=lambda s: abs(s - p))]

        onsets = sorted(top)
        base = nearest(top[onsets[0]][0])
        motif = []
        for i, s in enumerate(onsets):
            nxt = onsets[i + 1] if i + 1 < len(onsets) else 32
            motif.append((s, max(1, min(top[s][1], nxt - s)), int(np.clip(nearest(top[s][0]) - base, -7, 9))))
    return Reference(source=str(path), kind="midi", tempo=round(tempo, 2), tonic=tonic, mode=mode,
                     progression=_collapse(chords), motif=motif, chroma=list(np.round(histogram / histogram.sum(), 4)))


def from_audio(path: str | Path, max_seconds: float = 60.0) -> Reference:
    clip = load_clip(path, ANALYSIS_RATE, max_seconds=max_seconds)
    y, sr = clip.samples, clip.sample_rate
    tempo, beats = librosa.beat.beat_track(y=y, sr=sr)
    tempo = float(np.atleast_1d(tempo)[0])
    chroma = librosa.feature.chroma_stft(y=y, sr=sr, hop_length=512)
    profile = chroma.mean(axis=1)
    if profile.sum() <= 0:
        raise TastemakerError(f"{path}: no pitched content to take a key from.")
    tonic, mode, _ = estimate_key(profile)
    chords = []
    if len(beats) >= 8 and tempo > 0:
        bar_frames = [beats[i] for i in range(0, len(beats), 4)]
        for a, b in itertools.pairwise(bar_frames[: MAX_BARS + 1]):
            chords.append(best_chord(chroma[:, a:b].sum(axis=1), tonic, mode))
    return Reference(source=str(path), kind="audio", tempo=round(tempo, 2) if tempo > 0 else None, tonic=tonic,
                     mode=mode, progression=_collapse(chords), chroma=list(np.round(profile / profile.sum(), 4)))
