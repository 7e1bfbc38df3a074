"""Steering rules: how a like, a skip, "calmer" or "less drums" moves a station's taste at once.

A station steers from what the tagger *hears* in each piece (the unified genres of both musicnn models),
not from what was asked of the generator: a like pulls the station's genre weights toward the piece's
heard genres, a skip or a dislike pushes them down and adds to an aversion that keeps exploration away
from that sound for a while (it fades as other pieces play). Words ("calmer", "less drums", "more jazz")
arrive as an `adjust` with label deltas, an energy delta and a tempo factor (agent/radio_chat.py turns
words into these; this module never reads text).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from tools.contracts import TasteProfile
from tools.errors import TastemakerError

ACTIONS = ("like", "dislike", "skip", "more_like_this", "adjust", "listened")
# "listened": played to its end without a skip, a weak like the station infers itself (never saved to taste)
RATES = {"like": 0.3, "more_like_this": 0.5, "listened": 0.1, "dislike": 0.4, "skip": 0.3}
HEARD_FLOOR = 0.3  # heard genres under 30% of the strongest one are tagger noise, not the piece's sound
KEEP = 6  # genre weights a station keeps
MIN_WEIGHT = 0.05
AVERSION_FADE = 0.95  # per piece played
RECENT = 8
REWARDS = {"like": 1.0, "more_like_this": 1.0, "listened": 0.6, "skip": 0.0, "dislike": 0.0}
SOUND_MEMORY = 0.5  # how fast the station updates what a style sounds like to the tagger
AVOID_AT = -0.5  # an instrument steered this far down ("no drums", or "less drums" twice) is left out
DEFAULT_ENERGY = 0.5


@dataclass(frozen=True)
class Steer:
    """One steering move. like/dislike/skip/more_like_this act on the piece playing; adjust carries deltas:
    genres/instruments/moods {label: delta}, energy delta, tempo factor (0.83 = slower)."""

    action: str
    genres: dict[str, float] = field(default_factory=dict)
    instruments: dict[str, float] = field(default_factory=dict)
    moods: dict[str, float] = field(default_factory=dict)
    energy: float = 0.0
    tempo_factor: float = 1.0
    # an energy change is slower or faster too ('calmer'), unless it only comes with the drums: 'less drums' keeps
    # the pace (it slowed a rock station 134 -> 104 BPM in two asks, unsaid)
    paced: bool = True

    def validate(self) -> "Steer":
        if self.action not in ACTIONS:
            raise TastemakerError(f"Unknown steering '{self.action}'. Use one of: {', '.join(ACTIONS)}.")
        if not 0.25 <= float(self.tempo_factor) <= 4.0:
            raise TastemakerError(f"A tempo change must be a factor of 0.25 to 4 (got {self.tempo_factor:g}).")
        return self


@dataclass(frozen=True)
class StationTaste:
    """What a station plays toward: a TasteProfile (genres, instruments, moods, energy, tempo, avoid), the
    aversions skips left behind, how much feedback it has had (exploration narrows as that grows), and a
    version that bumps on every change (a prefetched piece remembers the version it was planned for).

    `sounds` is what the station has learnt about its own generator: for each style it asks for, the genres
    the tagger then heard (a house piece is mostly heard as techno and electronic). Taste lives in the heard
    space, so the station picks the style whose *sound* fits, and a skip of a piece heard as techno makes it
    averse to every style that sounds like techno."""

    profile: TasteProfile
    aversion: dict[str, float] = field(default_factory=dict)
    feedback: int = 0
    version: int = 0
    adjusted: int = 0  # the version of the last explicit adjustment: pieces planned before it are redone
    sounds: dict[str, dict[str, float]] = field(default_factory=dict)
    recent: tuple[int, ...] = ()  # the last RECENT outcomes: 1 skipped or disliked, 0 listened or liked
    # what each style has earned on this station: {style: [mean reward, weight of evidence]}; a like is 1, a piece
    # played through 0.6, a skip or dislike 0 (a blend shares its reward by its genres' shares)
    rewards: dict[str, list[float]] = field(default_factory=dict)
    # genres the person named for the station ("a jazz station"): it stays in them; a skip means "not this
    # piece", not "not this genre"
    named: tuple[str, ...] = ()

    @property
    def missing(self) -> float:
        """The share of recent pieces skipped or disliked: a station that keeps missing explores wider."""
        return sum(self.recent) / len(self.recent) if self.recent else 0.0


def heard_shape(heard: dict[str, float]) -> dict[str, float]:
    """The piece's sound as genre weights: scaled so its strongest genre is 1, tagger noise dropped."""
    top = max(heard.values(), default=0.0)
    if top <= 0:
        return {}
    return {g: round(p / top, 3) for g, p in heard.items() if p / top >= HEARD_FLOOR}


def _tidy(weights: dict[str, float], keep: int = KEEP) -> dict[str, float]:
    ranked = sorted(((g, min(1.0, w)) for g, w in weights.items() if w >= MIN_WEIGHT), key=lambda kv: -kv[1])
    return {g: round(w, 3) for g, w in ranked[:keep]}


def _toward(weights: dict[str, float], target: dict[str, float], rate: float) -> dict[str, float]:
    out = dict(weights)
    for g, h in target.items():
        current = out.get(g, 0.0)
        out[g] = current + rate * (h - current) if h > current else current
    return out


def _away(weights: dict[str, float], target: dict[str, float], rate: float) -> dict[str, float]:
    return {g: w - rate * target.get(g, 0.0) for g, w in weights.items()}


def _add(weights: dict[str, float], deltas: dict[str, float]) -> dict[str, float]:
    out = dict(weights)
    for label, d in deltas.items():
        out[label] = out.get(label, 0.0) + float(d)
    return out


def heard_core(heard: dict[str, float]) -> dict[str, float]:
    """Only what clearly defines the piece's sound (>= 60% of its strongest genre): what a skip is blamed on.
    The tagger hears a little 'electronic' in most synthesised pieces; a skip of a pop piece must not make
    the station averse to electronic music."""
    return {g: w for g, w in heard_shape(heard).items() if w >= 0.6}


def rate_piece(taste: StationTaste, action: str, heard_genres: dict[str, float],
               heard_instruments: dict[str, float] | None = None,
               asked: dict[str, float] | None = None, rewarded: dict[str, float] | None = None) -> StationTaste:
    """A like, dislike, skip, "more like this" or a full listen of a piece the tagger heard as
    `heard_genres`; `asked` is the genre blend the generator was asked for (None for a library track);
    `rewarded`: what earns the piece's reward (default: `asked`; a library track's genre in the library).

    A skip or a dislike moves the taste away from what clearly defines the piece's sound (gently for a skip:
    half the rate), and leaves an aversion on the styles that made it (a blend's partner in proportion to its
    share: "blues with some country" skipped is partly country's fault). Only a library track, which no style made,
    leaves its aversion on the genres it is heard as: the tagger hears soul and funk pieces as jazz, and
    skipping soul must not make a jazz station averse to jazz."""
    shape = heard_shape(heard_genres)
    rate = RATES[action]
    p = taste.profile
    aversion = dict(taste.aversion)
    instruments = dict(p.instruments)
    if action in ("like", "more_like_this", "listened"):
        genres = _toward(p.genres, shape, rate)
        for g in {*shape, *(asked or {})}:  # a liked sound is no longer one to steer clear of
            aversion.pop(g, None)
        if action == "more_like_this" and heard_instruments:
            instruments = _toward(instruments, dict(list(heard_shape(heard_instruments).items())[:2]), rate)
    else:
        core = heard_core(heard_genres)
        genres = _away(p.genres, core, rate if action == "dislike" else rate / 2)
        top = max((asked or {}).values(), default=0.0)
        blamed = {g: w / top for g, w in asked.items()} if asked and top > 0 else core
        for g, h in blamed.items():
            aversion[g] = round(min(1.0, aversion.get(g, 0.0) + rate * h), 3)
    profile = replace(p, genres=_tidy(genres), instruments=_tidy(instruments, keep=8))
    rewards = dict(taste.rewards)
    rewarded = asked if rewarded is None else rewarded
    top = max((rewarded or {}).values(), default=0.0)
    for g, w in (rewarded or {}).items():
        share = w / top if top > 0 else 0.0
        mean, weight = rewards.get(g, [0.0, 0.0])
        weight += share
        rewards[g] = [round(mean + (REWARDS[action] - mean) * share / weight, 4), round(weight, 3)]
    missed = 0 if action in ("like", "more_like_this", "listened") else 1
    return replace(taste, profile=profile, aversion=aversion, feedback=taste.feedback + 1, version=taste.version + 1,
                   adjusted=taste.version + 1 if action == "more_like_this" else taste.adjusted,
                   recent=(*taste.recent, missed)[-RECENT:], rewards=rewards)


def adjust(taste: StationTaste, steer: Steer, last_tempo: float | None = None) -> StationTaste:
    """Words that change the sound: label deltas, an energy delta, a tempo factor."""
    p = taste.profile
    genres = _add(p.genres, steer.genres)
    instruments = _add(p.instruments, steer.instruments)
    avoid = list(p.avoid)
    for label, weight in instruments.items():
        if weight <= AVOID_AT and label not in avoid:
            avoid.append(label)
        elif weight > 0 and label in avoid:
            avoid.remove(label)
    for g, d in steer.genres.items():
        if d > 0 and g in avoid:
            avoid.remove(g)
    energy = p.energy
    if steer.energy:
        energy = round(min(1.0, max(0.0, (p.energy if p.energy is not None else DEFAULT_ENERGY) + steer.energy)), 3)
    tempo = p.tempo
    factor = steer.tempo_factor
    if factor == 1.0 and steer.energy and steer.paced:  # "calmer" is slower too ('calmer' left a station at 125 BPM)
        factor = 1.0 + 0.6 * steer.energy
    elif factor == 1.0 and steer.energy and not tempo and last_tempo:  # the pace it had, not one the energy picks
        tempo = round(float(last_tempo), 1)
    if factor != 1.0 and (p.tempo or last_tempo):
        tempo = round(min(220.0, max(50.0, float(p.tempo or last_tempo) * factor)), 1)
    aversion = {g: a for g, a in taste.aversion.items() if steer.genres.get(g, 0.0) <= 0}
    profile = replace(p, genres=_tidy(genres), moods=_tidy(_add(p.moods, steer.moods)),
                      instruments={k: round(v, 3) for k, v in instruments.items() if v > -1.0 and abs(v) >= MIN_WEIGHT},
                      energy=energy, tempo=tempo, avoid=avoid)
    return replace(taste, profile=profile, aversion=aversion, version=taste.version + 1, adjusted=taste.version + 1)


def fade_aversions(taste: StationTaste) -> StationTaste:
    """One more piece played: old skips weigh a little less."""
    faded = {g: round(a * AVERSION_FADE, 3) for g, a in taste.aversion.items() if a * AVERSION_FADE >= 0.02}
    return replace(taste, aversion=faded)


def learn_sound(taste: StationTaste, style: str, heard: dict[str, float]) -> StationTaste:
    """Remember what a piece asked for as `style` sounded like to the tagger (a running average)."""
    shape = heard_shape(heard)
    if not style or not shape:
        return taste
    old = taste.sounds.get(style, {style: 1.0})
    mixed = {g: (1 - SOUND_MEMORY) * old.get(g, 0.0) + SOUND_MEMORY * shape.get(g, 0.0) for g in set(old) | set(shape)}
    sounds = dict(taste.sounds)
    sounds[style] = {g: round(w, 3) for g, w in sorted(mixed.items(), key=lambda kv: -kv[1])[:4] if w >= 0.1}
    return replace(taste, sounds=sounds)


def steer_taste(taste: StationTaste, steer: Steer, heard_genres: dict[str, float] | None = None,
                heard_instruments: dict[str, float] | None = None, last_tempo: float | None = None,
                asked: dict[str, float] | None = None, rewarded: dict[str, float] | None = None) -> StationTaste:
    """The station's taste after one steering move (rating moves need what the piece was heard as)."""
    steer.validate()
    if steer.action == "adjust":
        return adjust(taste, steer, last_tempo)
    return rate_piece(taste, steer.action, heard_genres or {}, heard_instruments, asked, rewarded)
