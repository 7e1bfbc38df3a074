"""How the notes are played: per-style timing and dynamics, vibrato on held notes, expression swells.

Written into the MIDI (note times and velocities, pitch bends, CC11), so the file carries the performance.
"""

from __future__ import annotations

import numpy as np
import pretty_midi

# How loose each style plays: the spread of note times in milliseconds (machine styles: none), and how much
# louder the downbeat is than the offbeats.
TIMING_MS = {"jazz": 9.0, "blues": 8.0, "soul": 7.0, "folk": 8.0, "country": 6.0, "classical": 10.0,
             "new age": 8.0, "rock": 6.0, "punk": 5.0, "metal": 3.0, "funk": 4.0, "pop": 4.0, "hip-hop": 7.0,
             "chillout": 6.0, "ambient": 8.0, "dance": 2.0, "electronic": 0.0, "house": 0.0, "techno": 0.0}
ACCENT = {0: 8, 8: 4, 4: 2, 12: 2}  # 16th step in the bar -> velocity added (beats 1, 3, then 2 and 4)
OFFBEAT = -4  # 16ths between the beats
SUSTAINED = set(range(40, 48)) | set(range(52, 55)) | set(range(56, 80))  # strings, voices, brass, reeds, pipes
VIBRATO_HZ, VIBRATO_CENTS, VIBRATO_DELAY_S = 5.5, 22.0, 0.22
BEND_RANGE_CENTS = 200.0  # General MIDI's default pitch-bend range


def timing_spread_s(style: str) -> float:
    return TIMING_MS.get(style, 5.0) / 1000


def accent(step: int) -> int:
    return ACCENT.get(step % 16, 0 if step % 4 == 0 else OFFBEAT)


def vibrato(inst: pretty_midi.Instrument, rng: np.random.Generator) -> None:
    """Pitch-bend vibrato on the held notes of a sustained, single-line instrument: it starts after the attack,
    fades in, and its rate wanders a little from note to note, as a player's does."""
    if inst.is_drum or inst.program not in SUSTAINED:
        return
    for note in sorted(inst.notes, key=lambda n: n.start):
        held = note.end - note.start - VIBRATO_DELAY_S
        if held < 0.15:
            continue
        rate = VIBRATO_HZ * float(rng.uniform(0.9, 1.1))
        times = np.arange(0.0, held, 1 / 40)  # 40 bends a second
        depth = VIBRATO_CENTS * np.minimum(1.0, times / 0.3)
        cents = depth * np.sin(2 * np.pi * rate * times)
        for t, c in zip(times, cents):
            inst.pitch_bends.append(pretty_midi.PitchBend(int(8191 * c / BEND_RANGE_CENTS),
                                                          note.start + VIBRATO_DELAY_S + float(t)))
        inst.pitch_bends.append(pretty_midi.PitchBend(0, note.end))


def swells(inst: pretty_midi.Instrument, sections: list[tuple[float, float, float]]) -> None:
    """CC11 expression across each (start s, end s, gain) section: a sustained part rises through a section
    towards its gain and breathes back at the turn (crescendo into the chorus, softer bridge)."""
    if inst.is_drum:
        return
    for start, end, gain in sections:
        low, high = int(np.clip(88 * gain, 40, 127)), int(np.clip(118 * gain, 60, 127))
        for k, t in enumerate(np.linspace(start, end, 9)[:-1]):
            inst.control_changes.append(pretty_midi.ControlChange(11, int(low + (high - low) * k / 7), float(t)))


PEDALLED = set(range(0, 6))  # acoustic, bright and electric grands, honky-tonk and the electric pianos
SUSTAIN = 64  # the sustain pedal's controller


def pedal(inst: pretty_midi.Instrument, bar_seconds: float, end_s: float) -> None:
    """The sustain pedal as a pianist works it: down just after the first note, changed with the harmony (lifted
    just before a bar whose notes name other pitch classes than the last bar's, put down again just after its first
    note sounds, so that the old chord does not blur into the new), lifted at the end. Arpeggios and broken chords
    then ring as one harmony instead of stopping at each key's release."""
    if inst.is_drum or inst.program not in PEDALLED or not inst.notes:
        return
    by_bar: dict[int, set[int]] = {}
    for n in inst.notes:
        by_bar.setdefault(int(n.start / bar_seconds + 1e-6), set()).add(n.pitch % 12)
    changes, held = [], None
    for bar in sorted(by_bar):
        if by_bar[bar] != held:
            t = bar * bar_seconds
            if held is not None:
                changes.append(pretty_midi.ControlChange(SUSTAIN, 0, max(0.0, t - 0.01)))
            changes.append(pretty_midi.ControlChange(SUSTAIN, 127, t + 0.04))
            held = by_bar[bar]
    changes.append(pretty_midi.ControlChange(SUSTAIN, 0, end_s))
    inst.control_changes += changes
