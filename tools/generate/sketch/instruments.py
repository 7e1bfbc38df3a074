"""Which SoundFont preset plays each part: chosen part by part by measurement (benchmarks/realism.py, see
docs/sound.md), with the General MIDI SoundFont (FluidR3, or TASTEMAKER_SOUNDFONT) as the fallback for anything
not listed or not installed."""

from __future__ import annotations

from pathlib import Path

from tools.render import Source, default_source
from tools.settings import get_settings

# (is_drum, GM program) -> the preset that replaces the General MIDI one, where it measured better.
CHOSEN: dict[tuple[bool, int], Source] = {}


def source_for(program: int, is_drum: bool, style: str = "") -> Source:
    """The preset for a part; the default SoundFont's when none was chosen, its file is missing, or the person
    set TASTEMAKER_SOUNDFONT (their SoundFont plays everything)."""
    chosen = CHOSEN.get((is_drum, program))
    if chosen is None or get_settings().soundfont or not Path(chosen.soundfont).is_file():
        return default_source(program, is_drum)
    return chosen
