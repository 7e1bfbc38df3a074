"""Just enough music theory for the arranger: keys, scales, roman-numeral chords, key finding."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def midi_key_name(key_number: int) -> str:
    """A MIDI key signature's key (pretty_midi's numbers: 0-11 major, 12-23 minor) spelt as the arranger spells keys:
    'C# major', not pretty_midi's 'Db Major' (a saved piece read back from its score named another key)."""
    return f"{NOTE_NAMES[int(key_number) % 12]} {'minor' if int(key_number) >= 12 else 'major'}"
_PITCH = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
SCALES = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
}
# Krumhansl-Kessler key profiles (probe-tone ratings), the usual template for key finding.
_KK_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_KK_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
_ROMAN = {"i": 0, "ii": 1, "iii": 2, "iv": 3, "v": 4, "vi": 5, "vii": 6}
_CHORD_RE = re.compile(r"^(b|#)?(vii|iii|ii|iv|vi|v|i|VII|III|II|IV|VI|V|I)(maj7|m7b5|dim|sus4|sus2|add9|7|5|9)?$")


def pitch_class(name: str) -> int:
    """'C#' / 'db' / 'Bb' -> 0..11; ValueError for anything else."""
    n = name.strip().lower().replace("♯", "#").replace("♭", "b")
    if not n or n[0] not in _PITCH:
        raise ValueError(f"not a note name: {name!r}")
    pc = _PITCH[n[0]]
    for ch in n[1:]:
        if ch == "#":
            pc += 1
        elif ch == "b":
            pc -= 1
        else:
            raise ValueError(f"not a note name: {name!r}")
    return pc % 12


def key_name(tonic: int, mode: str) -> str:
    return f"{NOTE_NAMES[tonic % 12]} {mode}"


@dataclass(frozen=True)
class Chord:
    """A chord as a root pitch class and intervals above it."""

    root: int
    intervals: tuple[int, ...]
    symbol: str

    def pitch_classes(self) -> list[int]:
        return [(self.root + i) % 12 for i in self.intervals]


def parse_roman(symbol: str, tonic: int, mode: str) -> Chord:
    """'bVII', 'iv7', 'Imaj7', 'V5' in a key -> Chord.

    Upper case is major, lower case minor; the suffix picks 7ths, power chords (5), sus and add9.
    A plain numeral's root is the degree of the key's scale; 'b'/'#' shift it a semitone.
    """
    m = _CHORD_RE.match(symbol)
    if not m:
        raise ValueError(f"not a roman-numeral chord: {symbol!r}")
    accidental, numeral, suffix = m.groups()
    degree = _ROMAN[numeral.lower()]
    # Accidentals are relative to the MAJOR scale (bVII in C is Bb whatever the mode); plain numerals follow the mode.
    base = SCALES["major"] if accidental else SCALES[mode]
    root = (tonic + base[degree] + {"b": -1, "#": 1, None: 0}[accidental]) % 12
    major = numeral.isupper()
    third = 4 if major else 3
    intervals: tuple[int, ...]
    if suffix == "5":
        intervals = (0, 7)
    elif suffix == "dim":
        intervals = (0, 3, 6)
    elif suffix == "m7b5":
        intervals = (0, 3, 6, 10)
    elif suffix == "maj7":
        intervals = (0, third, 7, 11)
    elif suffix == "7":
        intervals = (0, third, 7, 10)
    elif suffix == "9":
        intervals = (0, third, 7, 10, 14)
    elif suffix == "sus4":
        intervals = (0, 5, 7)
    elif suffix == "sus2":
        intervals = (0, 2, 7)
    elif suffix == "add9":
        intervals = (0, third, 7, 14)
    else:
        intervals = (0, third, 7)
    return Chord(root=root, intervals=intervals, symbol=symbol)


def scale_pitches(tonic: int, mode: str, low: int, high: int) -> list[int]:
    """MIDI pitches of the key's scale between low and high inclusive."""
    pcs = {(tonic + s) % 12 for s in SCALES[mode]}
    return [p for p in range(low, high + 1) if p % 12 in pcs]


def estimate_key(chroma: np.ndarray) -> tuple[int, str, float]:
    """(tonic, mode, correlation) of a 12-bin pitch-class profile, by Krumhansl-Kessler templates."""
    profile = np.asarray(chroma, dtype=float)
    if profile.shape != (12,) or not np.isfinite(profile).all() or profile.sum() <= 0:
        raise ValueError("a key needs a 12-bin profile with some energy")
    best = (0, "major", -2.0)
    for mode, template in (("major", _KK_MAJOR), ("minor", _KK_MINOR)):
        for tonic in range(12):
            r = float(np.corrcoef(profile, np.roll(template, tonic))[0, 1])
            if r > best[2]:
                best = (tonic, mode, r)
    return best


def best_chord(chroma: np.ndarray, tonic: int, mode: str) -> str:
    """The diatonic triad (as a roman numeral) that best explains a 12-bin profile."""
    profile = np.asarray(chroma, dtype=float)
    numerals = ("I", "ii", "iii", "IV", "V", "vi", "viidim") if mode == "major" else (
        "i", "iidim", "III", "iv", "v", "V", "VI", "VII")  # V: the harmonic minor's dominant
    best, best_score = numerals[0], -1.0
    for sym in numerals:
        chord = parse_roman(sym, tonic, mode)
        # diminished triads are rare as the chord of a whole bar: make them win only clearly
        score = sum(profile[pc] for pc in chord.pitch_classes()) - 0.3 * profile.sum() * sym.endswith("dim")
        if score > best_score:
            best, best_score = sym, score
    return best
