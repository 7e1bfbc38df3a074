"""Which SoundFont preset plays each part: chosen part group by part group by measurement (benchmarks/instruments.py,
docs/sound.md), with the General MIDI SoundFont (FluidR3, or TASTEMAKER_SOUNDFONT) as the fallback for anything not
listed, not installed, or not covered.

Measured (mean distance in dB of the long-term spectrum from the real recordings of the genre, lower is closer;
rock, metal and punk pieces for the kit, guitars and bass, classical for the orchestra, electronic/techno/house
for the synths): the AVL "Red Zeppelin" acoustic kit 2.74 against FluidR3's 3.09 (MuseScore General 2.88, AVL
"Black Pearl" 2.88); for guitars, bass, orchestra and synths MuseScore General did not beat FluidR3 (3.13 vs
3.09, 3.09 vs 3.09, 2.81 vs 2.68, 5.03 vs 4.87), so FluidR3 keeps them.
"""

from __future__ import annotations

from pathlib import Path

from tools.render import Source, default_source
from tools.settings import get_settings

RED_ZEPPELIN = "/usr/share/sounds/sf2/Red_Zeppelin_4_LV2.sf2"  # Debian avldrums.lv2-soundfont
BLACK_PEARL = "/usr/share/sounds/sf2/Black_Pearl_4_LV2.sf2"  # the same package's other kit
# Keys an acoustic kit has (kick, snare, toms, hats, cymbals); a groove with hand claps, tambourine, shakers or
# cowbell stays on the General MIDI kit, which has them all.
KIT_KEYS = frozenset(range(35, 54)) | {55, 57, 59}

# (is_drum, program; for drums the General MIDI kit) -> the preset that replaces the General MIDI one.
CHOSEN: dict[tuple[bool, int], Source] = {
    (True, 0): Source(RED_ZEPPELIN, 0, 0),  # Standard
    (True, 8): Source(BLACK_PEARL, 0, 0),  # Room: the other acoustic kit (2.88, also closer than FluidR3's 3.09),
    # so that two drummers of one style do not always bring the same kit
    (True, 16): Source(RED_ZEPPELIN, 0, 0),  # Power
}


def source_for(program: int, is_drum: bool, keys: set[int] | frozenset[int] = frozenset()) -> Source:
    """The preset for a part (`keys`: the drum notes it plays). The default SoundFont's when none was chosen, its
    file is missing, a drum part needs keys the chosen kit lacks, or the person set TASTEMAKER_SOUNDFONT (their
    SoundFont plays everything)."""
    chosen = CHOSEN.get((is_drum, program))
    if chosen is None or get_settings().soundfont or not Path(chosen.soundfont).is_file() or \
            (is_drum and not set(keys) <= KIT_KEYS):
        return default_source(program, is_drum)
    return chosen
