"""A drum sampler: one-shot samples (a Hydrogen drum kit's files) played at a drum part's MIDI notes.

FluidSynth plays the SoundFonts; a kit that comes as loose samples (Debian's `hydrogen-drumkits`) needs only this:
each hit is its sample, scaled by velocity, and an open hi-hat is cut off by the closed hat that shuts it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tools.errors import AudioError, TastemakerError

# a hi-hat pedal closing or a closed hat struck stops the open hat still ringing (General MIDI keys)
OPEN_HAT, CLOSING_HATS = 46, (42, 44)
CHOKE_S = 0.005  # how fast a choked hat dies: quick, without a click


@dataclass(frozen=True)
class SampleKit:
    """Which sample plays each General MIDI drum key, and at what gain (the kit's balance at full velocity)."""

    name: str
    folder: str
    hits: tuple[tuple[int, str, float], ...]  # (key, file in the folder, gain)

    def keys(self) -> frozenset[int]:
        return frozenset(key for key, _, _ in self.hits)

    def installed(self) -> bool:
        return all((Path(self.folder) / file).is_file() for _, file, _ in self.hits)


@functools.lru_cache(maxsize=64)
def load_sample(path: str, rate: int) -> np.ndarray:
    """A sample file as (frames, 2) float32 at `rate` (a mono sample in both channels); loaded once. A file that
    cannot be read is an AudioError naming it (a damaged package: one line, not a traceback)."""
    from tools.audio import read_stereo  # the one place that reads audio files

    audio, sr = read_stereo(path)
    if sr != rate:
        from scipy.signal import resample_poly

        g = np.gcd(int(sr), int(rate))
        audio = resample_poly(audio, rate // g, sr // g, axis=0).astype(np.float32)
    audio.flags.writeable = False  # shared by every piece: nobody writes into the cache
    return audio


def velocity_gain(velocity: int) -> float:
    """Amplitude for a MIDI velocity: the square law a General MIDI synth's default velocity curve follows."""
    return (max(0, min(127, velocity)) / 127) ** 2


def play(notes, kit: SampleKit, frames: int, rate: int) -> np.ndarray:
    """The notes (pretty_midi notes on keys the kit has) as a (frames, 2) float32 stem."""
    out = np.zeros((frames, 2), dtype=np.float32)
    gains = {key: (str(Path(kit.folder) / file), gain) for key, file, gain in kit.hits}
    closing = np.array(sorted(round(n.start * rate) for n in notes if n.pitch in CLOSING_HATS), dtype=np.int64)
    for note in notes:
        start = round(note.start * rate)
        if start >= frames or note.pitch not in gains:
            continue
        path, gain = gains[note.pitch]
        try:
            hit = load_sample(path, rate)
        except AudioError as exc:  # a damaged install: say which file, and what puts it right
            raise TastemakerError(f"The {kit.name} drum kit's sample {path} {exc.problem} Reinstall the package it "
                                  "came with (scripts/setup.sh installs it).") from None
        length = min(len(hit), frames - start)
        if note.pitch == OPEN_HAT and len(closing):
            later = closing[closing > start]
            if len(later) and later[0] - start < length:
                length = int(later[0] - start)
        sound = hit[:length] * np.float32(gain * velocity_gain(note.velocity))
        if length < len(hit):  # cut short (the piece's end or a choke): faded, not clicked off
            fade = min(length, max(1, round(CHOKE_S * rate)))
            sound[length - fade:] *= np.linspace(1, 0, fade, dtype=np.float32)[:, None]
        out[start:start + length] += sound
    return out
