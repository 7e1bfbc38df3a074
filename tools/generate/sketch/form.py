"""The form of a piece: which sections, how long, and the chords of each.

A real song does not loop one four-chord cycle: its verse, chorus and bridge have their own progressions, the
chorus lifts, the bridge drops back, the last chorus is the biggest and the outro lands on the tonic. The seed
picks among layouts; every choice is data in the Arrangement.
"""

from __future__ import annotations

import numpy as np

# Layouts: the order of the sections between the intro and the outro (the seed picks one; a piece plays as much
# of it as fits, so a short piece is verse + chorus and a long one reaches the bridge and the final chorus).
LAYOUTS = (
    ("verse", "chorus", "verse", "chorus", "bridge", "chorus"),
    ("verse", "verse", "chorus", "bridge", "chorus", "chorus"),
    ("verse", "chorus", "bridge", "chorus", "verse", "chorus"),
    ("chorus", "verse", "chorus", "bridge", "chorus"),
)
SECTION_GAIN = {"intro": 0.74, "verse": 0.88, "chorus": 1.0, "bridge": 0.8, "outro": 0.8}
FINAL_CHORUS_GAIN = 1.06
# An orchestra's sections differ in level more than a band's: a soft opening, a tutti climax. The real orchestral
# recordings' frame loudness (MFCC 0) spreads almost twice as wide as our classical pieces' did (deviation ratio 0.55-
# 0.59); with these and its players uncompressed (production.strip_for) the Fréchet distance on seeds 4-7 fell from
# 1.51 to 1.41 times the real-vs-real baseline. Wider still (opening 0.55, verse 0.75: 1.39) put a 20 s "epic
# orchestral" piece's first half 15 dB under its second, and its level spread past most real excerpts' (docs/sound.md,
# round 16)
STYLE_SECTION_GAIN = {"classical": ({"intro": 0.64, "verse": 0.82, "chorus": 1.0, "bridge": 0.7, "outro": 0.7}, 1.08)}
PLAYS_AS = {"bridge": "verse"}  # the parts a bridge uses are the verse's (a style book names four sections)

# How the band builds through the piece, the seed's choice: which roles rest in which section (kind, how many of
# that kind came before). A real song's two halves differ by who plays, not only by level; two seeds of a style
# should too. Something always plays: the chords never rest.
ARCS: dict[str, dict[tuple[str, int], tuple[str, ...]]] = {
    "the band together": {},
    "the drums come in after the first verse": {("verse", 0): ("drums",)},
    "a breakdown: the second verse without drums and bass": {("verse", 1): ("drums", "bass"),
                                                              ("bridge", 0): ("drums", "bass")},
    "the first verse without the melody, the bridge without drums": {("verse", 0): ("lead",),
                                                                     ("bridge", 0): ("drums",)},
}


def layout(bars: int, rng: np.random.Generator) -> list[tuple[str, int, int]]:
    """(kind, first bar, bars) covering `bars`: an intro and an outro around sections of 4 (or 8) bars."""
    if bars < 6:
        return [("verse", 0, bars)]
    if bars < 10:
        half = bars // 2
        return [("verse", 0, half), ("chorus", half, bars - half)]
    intro = 2 if bars < 24 or rng.random() < 0.5 else 4
    outro = 2
    block = 4 if bars < 28 else 8
    order = LAYOUTS[int(rng.integers(len(LAYOUTS)))]
    out = [("intro", 0, intro)]
    bar, i = intro, 0
    end = bars - outro
    while bar < end:
        kind = order[i % len(order)]
        n = min(block if kind != "bridge" else 4, end - bar)
        if end - (bar + n) < 2:  # no one- or zero-bar scrap before the outro: this section takes it
            n = end - bar
        out.append((kind, bar, n))
        bar += n
        i += 1
    out.append(("outro", end, outro))
    return out


# The most of a piece a role may sit out: half for the drums or the bass, a third for the melody (a 20 s blues
# whose lead guitar rested for its first half was heard as jazz by the tagger: rank 11; the guitar is its blues).
MOST_RESTING = {"lead": 1 / 3}


# A piece too short to reach any section an arc names (a 20 s piece is an intro, a verse, a chorus and an outro: no
# second verse, no bridge) still builds as the seed chose: its breakdown falls on the first verse, the drums and bass
# coming in at the chorus (without this, a 20 s piece's breakdown was the band together from the first bar)
SHORT_ARCS: dict[str, dict[tuple[str, int], tuple[str, ...]]] = {
    "a breakdown: the second verse without drums and bass": {("verse", 0): ("drums", "bass")},
}


def arc_rests(arc: str, sections: list[tuple[str, int, int]]) -> dict[tuple[str, int], tuple[str, ...]]:
    """Which roles rest in which section (kind, how many of that kind came before) for this piece's sections."""
    rests = ARCS.get(arc, {})
    seen: dict[str, int] = {}
    present = set()
    for kind, _, _ in sections:
        present.add((kind, seen.get(kind, 0)))
        seen[kind] = seen.get(kind, 0) + 1
    if rests and not set(rests) & present and arc in SHORT_ARCS:
        return SHORT_ARCS[arc]
    return rests


def arc_fits(arc: str, sections: list[tuple[str, int, int]]) -> bool:
    """Whether a piece this short can take the arc: no role sits out more of it than MOST_RESTING allows (half when
    not named: a 12 s piece that is one verse keeps its drums)."""
    rests = arc_rests(arc, sections)
    seen: dict[str, int] = {}
    resting: dict[str, int] = {}
    for kind, _, n in sections:
        for role in rests.get((kind, seen.get(kind, 0)), ()):
            resting[role] = resting.get(role, 0) + n
        seen[kind] = seen.get(kind, 0) + 1
    bars = sum(b for _, _, b in sections)
    return all(n <= MOST_RESTING.get(role, 0.5) * bars for role, n in resting.items())


def _rotate(progression: list[str], k: int) -> list[str]:
    k %= len(progression)
    return progression[k:] + progression[:k]


def progressions(chosen: list[str], others: list[list[str]], tonic_chord: str,
                 rng: np.random.Generator) -> dict[str, list[str]]:
    """Chords for each section kind: the verse plays `chosen`, the chorus another progression of the style (or the
    verse's turned around), the bridge a third one started away from the tonic, the outro ends on the tonic."""
    pool = [p for p in others if p != chosen]
    order = rng.permutation(len(pool)) if pool else []
    chorus = list(pool[order[0]]) if len(pool) >= 1 else _rotate(chosen, len(chosen) // 2)
    if len(pool) >= 2:
        bridge = _rotate(list(pool[order[1]]), 1)
    else:
        bridge = _rotate(chosen, 1 + len(chosen) // 2) if len(chosen) > 1 else chosen
    outro = list(chosen)
    if len(outro) >= 2:
        outro[-1] = tonic_chord
    return {"intro": list(chosen), "verse": list(chosen), "chorus": chorus, "bridge": bridge, "outro": outro}
