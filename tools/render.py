"""MIDI to audio with FluidSynth and a General MIDI SoundFont (offline).

The SoundFont comes from Debian's fluid-soundfont-gm (FluidR3_GM.sf2) unless
TASTEMAKER_SOUNDFONT names another .sf2 file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tools.errors import ModelMissingError
from tools.settings import get_settings

SOUNDFONT_CANDIDATES = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",
)
RENDER_RATE = 32000


def find_soundfont() -> Path:
    configured = get_settings().soundfont
    candidates = [configured] if configured else list(SOUNDFONT_CANDIDATES)
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    raise ModelMissingError(
        f"No General MIDI SoundFont found (looked for {', '.join(candidates)}). "
        "Run `make setup` (it installs Debian's fluid-soundfont-gm) or set TASTEMAKER_SOUNDFONT to an .sf2 file."
    )


def render_midi(midi, sample_rate: int = RENDER_RATE) -> np.ndarray:
    """Render a pretty_midi.PrettyMIDI (or a .mid path) to mono float32, peak-normalised to -1 dBFS."""
    import pretty_midi

    pm = midi if isinstance(midi, pretty_midi.PrettyMIDI) else pretty_midi.PrettyMIDI(str(midi))
    try:
        audio = pm.fluidsynth(fs=sample_rate, synthesizer=str(find_soundfont()))
    except ImportError as exc:
        raise ModelMissingError(
            f"FluidSynth is not available ({exc}). Run `make setup` (Debian package fluidsynth)."
        ) from None
    audio = np.asarray(audio, dtype=np.float32)
    peak = float(np.abs(audio).max()) if audio.size else 0.0
    if peak > 0:
        audio *= 0.89 / peak
    return audio
