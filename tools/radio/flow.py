"""Neighbours that flow: tempo and key distances between pieces, and an order that keeps them small.

Keys are compared on the circle of fifths (a relative major/minor counts as the same place: C major and
A minor share every note), tempo by ratio, allowing for half and double time (a 70 BPM ballad sits well
after a 140 BPM piece).
"""

from __future__ import annotations

import math
import re

NOTES = {"C": 0, "C#": 1, "DB": 1, "D": 2, "D#": 3, "EB": 3, "E": 4, "F": 5, "F#": 6, "GB": 6, "G": 7,
         "G#": 8, "AB": 8, "A": 9, "A#": 10, "BB": 10, "B": 11}
NAMES = ["C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
_KEY_RE = re.compile(r"^\s*([A-Ga-g])([#b♯♭]?)\s*(major|minor|maj|min|m)?\s*$", re.IGNORECASE)


def parse_key(text: str | None) -> tuple[int, str] | None:
    """'A minor' / 'Eb major' / 'F#m' -> (pitch class, mode), or None."""
    if not text:
        return None
    m = _KEY_RE.match(text)
    if not m:
        return None
    note = (m.group(1) + m.group(2).replace("♯", "#").replace("♭", "b")).upper()
    mode_word = (m.group(3) or "major").lower()
    return NOTES[note], "minor" if mode_word in ("minor", "min", "m") else "major"


def key_name(pitch: int, mode: str) -> str:
    return f"{NAMES[pitch % 12]} {mode}"


def fifths_position(pitch: int, mode: str) -> int:
    """Place on the circle of fifths, 0..11 (minor keys sit with their relative major)."""
    major = (pitch + 3) % 12 if mode == "minor" else pitch % 12
    return (major * 7) % 12


def key_distance(a: str | None, b: str | None) -> float:
    """0 (same or relative key) .. 1 (a tritone apart on the circle of fifths); 0.3 when either is unknown."""
    ka, kb = parse_key(a), parse_key(b)
    if ka is None or kb is None:
        return 0.3
    d = abs(fifths_position(*ka) - fifths_position(*kb))
    return min(d, 12 - d) / 6.0


def tempo_distance(a: float | None, b: float | None) -> float:
    """0 (same tempo, or half/double time) .. 1 (a ratio of 1.4: as far from both as tempos get); 0.3 when either
    is unknown."""
    if not a or not b:
        return 0.3
    ratio = abs(math.log2(a / b))
    ratio = min(ratio, abs(ratio - 1.0))  # half and double time flow too
    return min(1.0, ratio / math.log2(1.4))


def transition_cost(prev_tempo: float | None, prev_key: str | None, tempo: float | None, key: str | None) -> float:
    """How abrupt one piece is after another: 0 smooth .. 1 jarring (tempo counts a little more than key)."""
    return 0.6 * tempo_distance(prev_tempo, tempo) + 0.4 * key_distance(prev_key, key)


def neighbour_keys(key: str | None) -> list[str]:
    """Keys that follow `key` smoothly: itself, its relative, and a fifth either way (same mode)."""
    k = parse_key(key)
    if k is None:
        return []
    pitch, mode = k
    relative = (pitch + 3) % 12 if mode == "minor" else (pitch - 3) % 12
    other = "major" if mode == "minor" else "minor"
    return [key_name(pitch, mode), key_name(relative, other), key_name(pitch + 7, mode), key_name(pitch + 5, mode)]


def order_for_flow(items: list, tempo_of, key_of, cost_of_pair=None) -> list:
    """A greedy nearest-neighbour order that starts from the first item and keeps each step smooth.

    `tempo_of(item)` and `key_of(item)` read an item's tempo and key; `cost_of_pair(a, b)` may add a cost
    of its own (e.g. genre distance) to the tempo/key transition cost.
    """
    if len(items) <= 2:
        return list(items)
    rest = list(items[1:])
    order = [items[0]]
    while rest:
        last = order[-1]

        def cost(item):
            c = transition_cost(tempo_of(last), key_of(last), tempo_of(item), key_of(item))
            return c + (cost_of_pair(last, item) if cost_of_pair else 0.0)

        best = min(rest, key=cost)
        rest.remove(best)
        order.append(best)
    return order
