"""Build a TasteProfile from clips and words, and explain it in one line.

Clips: each clip's unified genres, moods and instruments (both pretrained
taggers), tempo, key, energy and brightness, averaged with duration weights.
Tagger probabilities are modest (a clearly rock song may score rock 0.4), so a
profile rescales them: the strongest clip label becomes 0.8 and the others keep
their ratio to it; labels under 0.2 after rescaling are dropped.

Words: parsed by tools.language (genres, moods, instruments, tempo, energy,
negations, themes). What the person says outranks the clips: a label they name
takes their weight, clip labels they did not name are scaled down when they
named any of that kind, and anything they negate ("no vocals") is removed.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from tools.contracts import Clip, TasteProfile
from tools.genres import SOUND_TAGS
from tools.taste.analysis import ClipAnalysis, analyse_clip

NO_PREFERENCES = "no preferences yet"  # what explain() says of an empty taste
CLIP_TOP = 0.8  # the strongest label heard in the clips
MIN_WEIGHT = 0.2
KEEP = 5
TEXT_OUTRANKS = 0.6  # clip labels the person did not name, when they named others of the kind


def _rescale(weights: dict[str, float]) -> dict[str, float]:
    if not weights:
        return {}
    top = max(weights.values())
    if top <= 0:
        return {}
    scaled = {k: CLIP_TOP * v / top for k, v in weights.items()}
    ranked = sorted(scaled.items(), key=lambda kv: -kv[1])[:KEEP]
    return {k: round(v, 3) for k, v in ranked if v >= MIN_WEIGHT}


def _weighted_mean(dicts: list[dict[str, float]], weights: list[float]) -> dict[str, float]:
    total = sum(weights) or 1.0
    out: dict[str, float] = {}
    for d, w in zip(dicts, weights):
        for k, v in d.items():
            out[k] = out.get(k, 0.0) + v * w / total
    return out


def profile_from_analyses(analyses: list[ClipAnalysis]) -> TasteProfile:
    if not analyses:
        return TasteProfile()
    w = [a.duration for a in analyses]
    keys = Counter()
    for a in analyses:
        keys[(a.key, a.mode)] += max(a.key_clarity, 0.0) * a.duration
    (key, mode), _ = keys.most_common(1)[0] if keys else ((None, None), 0)
    shared = set.intersection(*[{g for g, _ in sorted(a.genres.items(), key=lambda kv: -kv[1])[:3]} for a in analyses])
    return TasteProfile(
        genres=_rescale(_weighted_mean([a.genres for a in analyses], w)),
        moods=_rescale(_weighted_mean([a.moods for a in analyses], w)),
        instruments=_rescale(_weighted_mean([a.instruments for a in analyses], w)),
        tempo=round(float(np.median([a.tempo for a in analyses])), 1),
        key=key,
        mode=mode,
        energy=round(float(np.average([a.energy for a in analyses], weights=w)), 3),
        brightness=round(float(np.average([a.brightness for a in analyses], weights=w)), 3),
        shared=sorted(shared) if len(analyses) > 1 else [],
        clips=[a.name for a in analyses],
    )


def _merge_kind(clip: dict[str, float], said: dict[str, float], avoid: set[str]) -> dict[str, float]:
    factor = TEXT_OUTRANKS if said else 1.0
    merged = {k: round(v * factor, 3) for k, v in clip.items() if k not in said}
    merged.update({k: round(float(v), 3) for k, v in said.items()})
    merged = {k: v for k, v in merged.items() if k not in avoid and v >= MIN_WEIGHT / 2}
    return dict(sorted(merged.items(), key=lambda kv: -kv[1]))


def _guessed(reason: str) -> bool:
    """A genre the words implied without naming it (tools.language.slots' reasons say which)."""
    return reason.startswith("whole text") or "(no other genre named)" in reason or reason.endswith("(what it is for)")


def merge_text(profile: TasteProfile, text: str) -> TasteProfile:
    """Fold what the person said into a profile (their words outrank the clips)."""
    if not text or not text.strip():
        return profile
    from tools.language import parse_text

    parsed = parse_text(text)
    style = parsed.style
    avoid = set(profile.avoid) | set(style.avoid)
    said_genres = style.genres
    if profile.genres and all(_guessed(parsed.reasons.get(g, "")) for g in said_genres):
        # No word named a genre; the sentence's nearest genres by meaning, or what the music is for ('something
        # for the gym': dance), are a guess, which must not outrank what the clips were heard as.
        said_genres = {}
    return TasteProfile(
        genres=_merge_kind(profile.genres, said_genres, avoid),
        moods=_merge_kind(profile.moods, style.moods, avoid),
        instruments=_merge_kind(profile.instruments, style.instruments, avoid),
        tempo=style.tempo if style.tempo else profile.tempo,
        key=style.key or profile.key,
        mode=style.mode or profile.mode,
        energy=style.energy if style.energy is not None else profile.energy,
        brightness=profile.brightness,
        themes=list(dict.fromkeys(profile.themes + theme_phrases(text, list(parsed.themes)))),
        avoid=sorted(avoid),
        shared=profile.shared,
        clips=profile.clips,
        words=profile.words + [text.strip()],
    )


def theme_phrases(text: str, words: list[str]) -> list[str]:
    """Theme words side by side in what was said, as one theme: 'rainy evenings' is one, not 'rainy; evenings'."""
    said = " ".join(re.findall(r"[a-z0-9&'\-]+", text.lower()))
    phrases: list[str] = []
    for word in words:
        if phrases and re.search(rf"\b{re.escape(phrases[-1])} {re.escape(word)}\b", said):
            phrases[-1] += f" {word}"
        else:
            phrases.append(word)
    return phrases


def build_profile(clips: list[Clip] | None = None, text: str = "") -> TasteProfile:
    """A profile from any number of clips plus free text."""
    profile = profile_from_analyses([analyse_clip(c) for c in clips or []])
    return merge_text(profile, text)


def _band(weight: float) -> str:
    """The weight as the taste chart prints it (two decimals), a trailing zero dropped: 0.35 was said '0.3' beside
    a chart bar labelled 0.35."""
    text = f"{weight:.2f}"
    return text[:-1] if text.endswith("0") else text


def explain(profile: TasteProfile) -> str:
    """One readable line: 'rock 0.8, indie 0.5, around 120 BPM, A minor, energetic; no vocals'."""
    parts = [f"{g} {_band(w)}" for g, w in list(profile.genres.items())[:4]]
    if profile.tempo:
        parts.append(f"around {round(profile.tempo)} BPM")
    if profile.key and profile.mode:
        parts.append(f"{profile.key} {profile.mode}")
    elif profile.mode:
        parts.append(f"{profile.mode} keys")
    if profile.energy is not None:
        parts.append("energetic" if profile.energy >= 0.65 else "calm" if profile.energy <= 0.35 else "medium energy")
    moods = profile.moods_to_mention()
    # 'instrumental' and 'acoustic' are tags of the sound, not players: said as such, never in the 'with' list
    instruments = [i for i, w in profile.instruments.items() if w >= 0.4 and i not in SOUND_TAGS][:3]
    sound = [t for t in SOUND_TAGS if profile.instruments.get(t, 0.0) >= 0.4]
    if moods:
        parts.append(" and ".join(moods))
    parts += sound
    if instruments:
        parts.append("with " + ", ".join(instruments))
    line = ", ".join(parts) if parts else NO_PREFERENCES
    if profile.avoid:
        line += "; no " + ", no ".join(profile.avoid)
    if profile.themes:
        line += "; about " + ", ".join(profile.themes)
    return line
