"""Audio for the library tests (helpers, no tests): rock recordings made with pretty_midi, rendered by FluidSynth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 22050


def rock_audio(seed: int = 0, tempo: float = 140.0, root: int = 40, seconds: float = 9.0) -> np.ndarray:
    """Distortion-guitar power chords in eighths, bass on the root, kick/snare/hi-hat drums."""
    import pretty_midi

    from tools.render import render_midi

    rng = np.random.default_rng(seed)
    pm = pretty_midi.PrettyMIDI(initial_tempo=tempo)
    guitar = pretty_midi.Instrument(program=30, name="distortion guitar")
    bass = pretty_midi.Instrument(program=33, name="bass")
    drums = pretty_midi.Instrument(program=0, is_drum=True, name="drums")
    beat = 60.0 / tempo
    progression = [0, 0, 5, 3] if seed % 2 == 0 else [0, 3, 5, 7]
    t, bar = 0.0, 0
    while t < seconds:
        r = root + progression[bar % 4]
        for e in range(8):
            s = t + e * beat / 2
            v = int(rng.integers(95, 120))
            for p in (r, r + 7, r + 12):
                guitar.notes.append(pretty_midi.Note(velocity=v, pitch=p, start=s, end=s + beat * 0.45))
            bass.notes.append(pretty_midi.Note(velocity=100, pitch=r - 12, start=s, end=s + beat * 0.45))
            drums.notes.append(pretty_midi.Note(velocity=int(rng.integers(60, 90)), pitch=42, start=s, end=s + 0.05))
        for q in range(4):
            s = t + q * beat
            drums.notes.append(pretty_midi.Note(velocity=120, pitch=36 if q % 2 == 0 else 38, start=s, end=s + 0.1))
        t += 4 * beat
        bar += 1
    pm.instruments += [guitar, bass, drums]
    return render_midi(pm, RATE)[: int(seconds * RATE)]


def write_tagged_wav(path: Path, samples: np.ndarray, **tags: str) -> Path:
    """A WAV file with INFO tags (title, artist, genre, comment) as a music player would write them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sf.SoundFile(str(path), "w", samplerate=RATE, channels=1, subtype="PCM_16", format="WAV") as f:
        for key, value in tags.items():
            setattr(f, key, value)
        f.write(samples)
    return path
