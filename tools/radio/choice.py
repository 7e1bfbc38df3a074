"""What plays next: library or generated, exploit the station's taste or explore next to it.

Exploration vs exploitation is one explicit setting, `adventurous` (0..1):
- the chance of an exploring piece starts at 0.1 + 0.4 x adventurous and narrows as feedback accumulates
  (likes and skips make the station surer), down to a floor of 0.03 + 0.17 x adventurous, so a station
  never collapses onto one sound (a higher rate while it keeps missing was tried: exploring wide is what
  makes it miss, so it fed itself; see docs/radio.md);
- an exploring piece takes a *neighbour* of the station's strongest genres (jazz -> blues, soul, funk...),
  now and then any genre (more often while most of the last 8 pieces were skipped: the neighbours of a sound
  that keeps missing are likely to miss too), never one a recent skip made it averse to;
  that keeps it from wandering off;
- an exploiting piece draws its genre from the station's weights with a softmax whose temperature grows
  with adventurousness, sometimes blended with a second liked genre, and varies the lead instrument
  within the genre's own palette so that neighbours never sound the same.
Library tracks come in at the share the person set (`library_share`), when one fits the taste (cosine of
the taste's genres and the genre the library files the track under, what the tagger heard beside it; blended with what that genre of the library has earned on the station, >= LIBRARY_FIT: a share
is a ceiling, not a quota of tracks the person keeps skipping), never one played within the no-repeat window, preferring tracks whose tempo
and key follow the previous piece's. Generated pieces follow the previous piece's key (the same tonic or a
fifth away) and, within a genre, its tempo.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from tools.contracts import Style, Track
from tools.genres import GENRES
from tools.radio.flow import NAMES as NOTE_NAMES
from tools.radio.flow import parse_key, transition_cost
from tools.radio.options import StationOptions
from tools.radio.pieces import PieceSpec, RadioPiece, library_genres, library_key, track_tempo_key
from tools.radio.steering import StationTaste, heard_core, heard_shape

LIBRARY_FIT = 0.45
AVERSE = 0.25  # genres with an aversion above this are not explored
FLOW_WEIGHT = 0.15
HEARD_INSTRUMENT = 0.2  # a library track whose tags hear an instrument this strongly has it (as in its instrumentation)
LEARNING_PIECES = 8.0
EVIDENCE = 3.0  # pieces of a style after which its own rewards weigh as much as how it sounds  # feedback events over which exploration narrows from its start to its floor

NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "rock": ("metal", "punk", "blues", "pop"), "metal": ("rock", "punk"), "punk": ("rock", "metal"),
    "pop": ("rock", "soul", "electronic", "folk"), "electronic": ("house", "techno", "ambient", "chillout"),
    "house": ("electronic", "techno", "funk"), "techno": ("electronic", "house"),
    "ambient": ("chillout", "new age", "classical"), "chillout": ("ambient", "hip-hop", "jazz"),
    "jazz": ("blues", "soul", "funk"), "blues": ("jazz", "rock", "soul", "country"),
    "funk": ("soul", "jazz", "hip-hop"), "soul": ("funk", "jazz", "blues"), "hip-hop": ("funk", "soul", "chillout"),
    "folk": ("country", "classical", "pop"), "country": ("folk", "blues", "rock"),
    "classical": ("new age", "ambient", "folk"), "new age": ("ambient", "classical", "chillout"),
    "indie": ("rock", "pop", "folk"), "dance": ("house", "electronic", "pop"), "easy listening": ("jazz", "soul"),
}

# Styles that suit each mood: a station asked for only by mood ("a calm station") plays these (it played rock and
# dance at 125 BPM for "calm" when every style scored the same).
MOOD_STYLES: dict[str, tuple[str, ...]] = {
    "calm": ("ambient", "new age", "chillout", "classical", "jazz", "folk"),
    "mellow": ("chillout", "jazz", "soul", "folk", "ambient"),
    "sad": ("blues", "classical", "folk", "soul", "ambient", "new age"),
    "beautiful": ("classical", "new age", "ambient", "folk", "jazz"),
    "happy": ("pop", "funk", "country", "dance", "soul", "folk"),
    "energetic": ("rock", "punk", "metal", "dance", "techno", "house", "electronic"),
    "party": ("dance", "house", "hip-hop", "pop", "funk", "techno"),
    "dark": ("metal", "techno", "electronic", "ambient"),
    "sexy": ("soul", "funk", "jazz", "chillout"),
    "catchy": ("pop", "dance", "rock", "funk"),
}


def mood_fit(moods: dict[str, float], style: str) -> float:
    """How well a style suits a station known only by its moods: the weight of the moods it suits (0 for a style
    that suits none of them: only exploring reaches it), 0.5 for every style when no mood is known."""
    said = {m: w for m, w in moods.items() if m in MOOD_STYLES and w > 0}
    if not said:
        return 0.5
    return max((w for m, w in said.items() if style in MOOD_STYLES[m]), default=0.0)


# Lead instruments that suit each genre: exploiting pieces vary their colour within these.
COLOURS: dict[str, tuple[str, ...]] = {
    "jazz": ("piano", "saxophone", "vibraphone", "trumpet", "jazz guitar"),
    "blues": ("guitar", "harmonica", "piano", "organ"), "rock": ("guitar", "overdriven guitar", "organ"),
    "metal": ("distortion guitar", "overdriven guitar"), "punk": ("overdriven guitar", "guitar"),
    "pop": ("piano", "guitar", "synth", "electric piano"), "electronic": ("synth", "electric piano", "marimba"),
    "house": ("synth", "electric piano", "organ"), "techno": ("synth", "synth lead"),
    "ambient": ("strings", "synth", "harp", "celesta"), "chillout": ("electric piano", "vibraphone", "synth"),
    "classical": ("strings", "piano", "flute", "clarinet", "violin", "harp"),
    "new age": ("harp", "flute", "strings", "celesta"), "folk": ("acoustic guitar", "violin", "flute", "accordion"),
    "country": ("acoustic guitar", "violin", "harmonica"), "funk": ("electric piano", "guitar", "organ", "trumpet"),
    "soul": ("organ", "electric piano", "saxophone"), "hip-hop": ("electric piano", "piano", "synth"),
}


def renderable_genres() -> list[str]:
    """Genres the offline generator has a style for."""
    from tools.generate.sketch.styles import STYLES

    return list(STYLES)


def genre_vector(weights: dict[str, float]) -> np.ndarray:
    v = np.array([max(0.0, float(weights.get(g, 0.0))) for g in GENRES], dtype=np.float64)
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    return float(genre_vector(a) @ genre_vector(b))


def exploration_rate(options: StationOptions, taste: StationTaste) -> float:
    floor = 0.03 + 0.17 * options.adventurous
    start = 0.1 + 0.4 * options.adventurous
    return floor + (start - floor) * math.exp(-taste.feedback / LEARNING_PIECES)


def sound_of(taste: StationTaste, style: str) -> dict[str, float]:
    """What the tagger hears when the generator is asked for `style` (learnt; at first, the style itself)."""
    return taste.sounds.get(style) or {style: 1.0}


def aversion_to(taste: StationTaste, style: str) -> float:
    """How much recent skips weigh against a style: against the style itself, or against what it sounds like."""
    sound = sound_of(taste, style)
    total = sum(sound.values())
    heard = sum(taste.aversion.get(g, 0.0) * w for g, w in sound.items()) / total if total > 0 else 0.0
    return max(taste.aversion.get(style, 0.0), heard)


def preferences(taste: StationTaste, genres: list[str]) -> dict[str, float]:
    """How well each style the generator knows fits the station: the cosine between the station's genre
    weights and what the style sounds like to the tagger, less the aversion skips left on that sound, blended
    with what the style has earned on this station (its mean reward) as evidence for it accumulates. The
    heard taste generalises (a like of one jazz piece speaks for every style that sounds like jazz); the
    rewards correct it where the tagger's names mislead (it hears the blues pieces as country, but the person
    skips country). A station with no genres yet rates the styles that suit its moods higher (MOOD_STYLES), and
    with no moods either every style 0.5 (less its aversions)."""
    scores = {}
    for g in genres:
        if g in taste.profile.avoid:
            continue
        sound = sound_of(taste, g)
        fit = cosine(taste.profile.genres, sound) if taste.profile.genres else mood_fit(taste.profile.moods, g)
        score = fit - aversion_to(taste, g)
        mean, weight = taste.rewards.get(g, (0.0, 0.0))
        trust = weight / (weight + EVIDENCE)
        scores[g] = (1 - trust) * score + trust * mean
    kept = {g: s for g, s in scores.items() if s > 0.02}
    if kept:
        return kept
    best = max(scores.values(), default=0.0)
    return {g: 0.05 for g, s in scores.items() if s >= best - 0.05} or {g: 0.05 for g in genres}


def _softmax_pick(weights: dict[str, float], temperature: float, rng: np.random.Generator) -> str:
    names = list(weights)
    w = np.array([weights[n] for n in names], dtype=np.float64)
    p = np.exp((w - w.max()) / max(temperature, 1e-3))
    return names[int(rng.choice(len(names), p=p / p.sum()))]


def _explore_genre(taste: StationTaste, prefs: dict[str, float], genres: list[str],
                   rng: np.random.Generator) -> tuple[str, str] | None:
    top = [g for g, _ in sorted(prefs.items(), key=lambda kv: -kv[1])[:3]]
    open_ = [g for g in genres if aversion_to(taste, g) < AVERSE and g not in taste.profile.avoid
             and g not in top]
    near = [g for t in top for g in NEIGHBOURS.get(t, ()) if g in open_]
    if near and rng.random() < 0.75 - 0.5 * taste.missing:  # neighbours first, unless they keep missing too
        g = str(rng.choice(sorted(set(near))))
        anchor = next(t for t in top if g in NEIGHBOURS.get(t, ()))
        return g, f"exploring {g}, a neighbour of {anchor}"
    if open_:
        g = str(rng.choice(open_))
        return g, f"exploring {g}"
    return None


def _lead(primary: str, taste: StationTaste, prev: RadioPiece | None, options: StationOptions,
          rng: np.random.Generator) -> str:
    """A lead instrument: one the station likes, else (often) another colour from the genre's palette."""
    palette = [c for c in COLOURS.get(primary, ()) if c not in taste.profile.avoid]
    liked = [i for i, w in sorted(taste.profile.instruments.items(), key=lambda kv: -kv[1])
             if w >= 0.3 and i not in ("drums", "instrumental", "acoustic", "vocals")]
    previous = prev.style.instruments if prev is not None and prev.style is not None else {}
    prev_lead = next((i for i, w in previous.items() if w >= 0.9), "")
    if liked:
        return liked[0]
    same_sound = prev is not None and prev.source == "generated" and prev.blend and next(iter(prev.blend)) == primary
    if palette and (same_sound or rng.random() < 0.5 + 0.3 * options.adventurous):
        choices = [c for c in palette if c != prev_lead] or palette
        return str(rng.choice(choices))
    return ""


SKIPS_TO_WANDER = 3  # skips among the recent pieces after which a station named for a genre tries a neighbour
ASKED_TO_WANDER = 0.5  # adventurousness the person raised ('more adventurous') that lets it explore at once


def wander_reason(taste: StationTaste, options: StationOptions) -> str | None:
    """Why a station the person named genres for may leave them now ('after 3 skips'), or None: it stays."""
    if not taste.named:
        return ""
    if options.adventurous >= ASKED_TO_WANDER:
        return "as you asked for more adventure"
    skips = sum(taste.recent)
    return f"after {skips} skips" if skips >= SKIPS_TO_WANDER else None


def plan_generated(taste: StationTaste, options: StationOptions, prev: RadioPiece | None,
                   rng: np.random.Generator, seconds: float) -> PieceSpec:
    genres = renderable_genres()
    prefs = preferences(taste, genres)
    if taste.named:  # a station named for a genre plays that genre, however a skip moved its weights
        prefs = {g: max(prefs.get(g, 0.0), 0.05) for g in taste.named if g in genres} or prefs
    wander = wander_reason(taste, options)
    # the first piece plays what was asked for: exploring starts once the station has been heard
    explore = bool(rng.random() < exploration_rate(options, taste)) and prev is not None and wander is not None
    picked = _explore_genre(taste, prefs, genres, rng) if explore else None
    if picked is None:
        explore = False
        primary = _softmax_pick(prefs, 0.08 + 0.3 * options.adventurous, rng)
        reason = f"your station's {primary} ({prefs[primary]:.2f})"
    else:
        primary, reason = picked
        reason += f", {wander}" if wander else ""
    blend = {primary: 1.0}
    # a partner only among the station's strongest styles: a blend with a weak one is mostly a miss
    others = {g: w for g, w in prefs.items() if g != primary and w >= max(0.25, 0.6 * prefs.get(primary, 0.0))}
    if others and not explore and rng.random() < 0.35:
        second = _softmax_pick(others, 0.15, rng)
        blend[second] = round(float(min(0.6, max(0.3, others[second]))), 2)
        reason += f" with some {second}"
    p = taste.profile
    energy = None
    if p.energy is not None:
        energy = round(float(np.clip(p.energy + rng.normal(0, 0.05 + 0.08 * options.adventurous), 0.05, 0.95)), 2)
    tempo = None
    if p.tempo:
        tempo = round(float(p.tempo * rng.uniform(0.97, 1.03)), 1)
    elif prev is not None and prev.tempo and prev.blend and next(iter(prev.blend), "") == primary:
        tempo = round(float(prev.tempo * rng.uniform(0.96, 1.04)), 1)  # same genre: keep the pulse
    key = None
    prev_key = parse_key(prev.key) if prev is not None else None
    if prev_key is not None:  # the same tonic or a fifth away: neighbours share most of their notes
        same_genre = prev is not None and prev.asked == primary
        steps = [7, 5] if same_genre else [0, 0, 7, 5]  # the same genre again moves by a fifth: not a repeat
        key = NOTE_NAMES[(prev_key[0] + int(rng.choice(steps))) % 12]
    lead = _lead(primary, taste, prev, options, rng)
    instruments = {i: round(w, 2) for i, w in p.instruments.items() if w >= 0.3}
    if lead:
        instruments[lead] = 1.0
    style = Style(genres=blend, tempo=tempo, key=key, energy=energy, moods=dict(p.moods),
                  instruments=instruments, avoid=list(p.avoid))
    return PieceSpec("generated", reason + (f", {lead} lead" if lead else ""), taste.version, explore, style,
                     int(rng.integers(0, 2**31 - 1)), seconds, lead=lead)


def library_shape(track: Track) -> dict[str, float]:
    """A library track as genre weights for the fit: the genre the library files it under (the built-in
    collection's Chopin is classical) first, what the tagger heard beside it at a quarter. The tagger's hearing of
    music it was not trained for is too flat to lead: it hears a solo-piano mazurka as folk, rock and indie at
    0.08-0.13, which fitted a rock and techno playlist (cosine 0.54, LIBRARY_FIT 0.45)."""
    genres, _, _ = library_genres(track)
    shape = heard_shape(genres)
    if track.genre in GENRES:
        shape = {g: 0.25 * w for g, w in shape.items()} | {track.genre: 1.0}
    return shape


def plan_library(taste: StationTaste, options: StationOptions, prev: RadioPiece | None, tracks: list[Track],
                 recent_ids: set[str], rng: np.random.Generator) -> PieceSpec | None:
    """The library track that best fits the taste and follows the previous piece, or None if none fits."""
    candidates = [t for t in tracks if t.id not in recent_ids and t.audio_path]
    if not candidates:
        return None
    cold = not taste.profile.genres
    scored = []
    for t in candidates:
        shape = library_shape(t)
        core = heard_core(shape)
        if taste.named and not set(core) & set(taste.named) and wander_reason(taste, options) is None:
            continue  # a jazz station plays jazz from the library too
        averse = sum(taste.aversion.get(g, 0.0) * h for g, h in core.items()) / max(sum(core.values()), 1e-9)
        fit = (0.6 if cold else cosine(taste.profile.genres, shape)) - averse
        if any(a in shape for a in taste.profile.avoid):
            fit -= 0.5
        _, heard_instruments, _ = library_genres(t)
        if any(heard_instruments.get(a, 0.0) >= HEARD_INSTRUMENT for a in taste.profile.avoid):
            continue  # 'no drums' on the station: a library track with drums is not played (a rock one came next)
        mean, weight = taste.rewards.get(library_key(t.genre), (0.0, 0.0))  # what this part of the library earned
        trust = weight / (weight + EVIDENCE)
        fit = (1 - trust) * fit + trust * mean
        scored.append((fit + 0.1 * options.adventurous * float(rng.gumbel()), fit, t))
    scored.sort(key=lambda s: -s[0])
    best = None
    for noisy, fit, t in scored[:8]:  # flow is costly to know (tempo/key), so only for the leaders
        tempo, key = track_tempo_key(t)
        flow = transition_cost(prev.tempo, prev.key, tempo, key) if prev is not None else 0.0
        score = noisy - FLOW_WEIGHT * flow
        if fit >= LIBRARY_FIT and (best is None or score > best[0]):
            best = (score, fit, t)
    if best is None:
        return None
    _, fit, track = best
    return PieceSpec("library", f"from your library: {track.title} (fits {fit:.2f})", taste.version,
                     bool(options.adventurous and fit < 0.7), track=track, seconds=float(track.duration))


def wants_library(options: StationOptions, recent_sources: list[str]) -> bool:
    """Holds the library share over the last 20 pieces: library when one more brings the share closer to it."""
    if options.library_share <= 0:
        return False
    if options.library_share >= 1:
        return True
    recent = recent_sources[-20:]
    return (recent.count("library") + 0.5) / (len(recent) + 1) < options.library_share


def plan_next(taste: StationTaste, options: StationOptions, recent: list[RadioPiece], tracks: list[Track],
              rng: np.random.Generator) -> PieceSpec:
    """The plan for the piece after `recent` (played and queued pieces, oldest first)."""
    prev = recent[-1] if recent else None
    if tracks and wants_library(options, [p.source for p in recent]):
        window = {p.track_id for p in recent[-options.no_repeat:] if p.track_id} if options.no_repeat else set()
        spec = plan_library(taste, options, prev, tracks, window, rng)
        if spec is not None:
            return spec
    spec = plan_generated(taste, options, prev, rng, options.piece_seconds)
    if tracks and wants_library(options, [p.source for p in recent]):
        spec = replace(spec, reason=spec.reason + " (nothing in your library fits right now)")
    return spec
