"""TasteProfile -> (a) a probability-weighted text prompt for MusicGen, (b) a Style for the sketch engine.

The wording lives in prompts/generation.yaml: strength words by weight band
("strongly" >= 0.7, "moderate" 0.4-0.7, "subtle" 0.2-0.4), then tempo, key,
energy, moods, instruments, negations, then the person's own words. Pure and
deterministic: the same profile always gives the same prompt.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from tools.contracts import Style, TasteProfile
from tools.genres import SOUND_TAGS

TEMPLATE_PATH = Path(__file__).resolve().parents[1] / "prompts" / "generation.yaml"
MAX_STYLE_GENRES = 3


@lru_cache(maxsize=1)
def template() -> dict:
    return yaml.safe_load(TEMPLATE_PATH.read_text())


def strength_word(weight: float) -> str | None:
    for band in template()["bands"]:
        if weight >= band["min"]:
            return band["word"]
    return None


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _ranked(weights: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))


def profile_to_prompt(profile: TasteProfile) -> str:
    t = template()
    parts: dict[str, list[str]] = {name: [] for name in t["order"]}
    for genre, weight in _ranked(profile.genres)[: t["max_genres"]]:
        word = strength_word(weight)
        if word:
            parts["genres"].append(t["genre"].format(strength=word, genre=genre, weight=weight))
    if profile.tempo:
        parts["tempo"].append(t["tempo"].format(tempo=profile.tempo))
    if profile.key and profile.mode:
        parts["key"].append(t["key"].format(key=profile.key, mode=profile.mode))
    elif profile.mode:
        parts["key"].append(t["mode_only"].format(mode=profile.mode))
    if profile.energy is not None and profile.energy >= 0.65:
        parts["energy"].append(t["energy_high"])
    elif profile.energy is not None and profile.energy <= 0.35:
        parts["energy"].append(t["energy_low"])
    moods = profile.moods_to_mention()
    if moods:
        parts["moods"].append(t["moods"].format(moods=_join(moods)))
    ranked = [i for i, w in _ranked(profile.instruments) if w >= 0.4 and i not in profile.avoid]
    # 'instrumental' and 'acoustic' describe the sound: after the players, never 'featuring ... and instrumental'
    instruments = [i for i in ranked if i not in SOUND_TAGS][:3]
    if instruments:
        parts["instruments"].append(t["instruments"].format(instruments=_join(instruments)))
    parts["instruments"] += [i for i in ranked if i in SOUND_TAGS]
    parts["avoid"] = [t["avoid"].format(label=label) for label in profile.avoid]
    prompt = ", ".join(p for name in t["order"] for p in parts[name])
    themes = "; ".join(profile.themes)
    if themes:
        prompt = f"{prompt}. {themes}" if prompt else themes
    return prompt


def profile_to_style(profile: TasteProfile) -> Style:
    genres = {g: w for g, w in _ranked(profile.genres)[:MAX_STYLE_GENRES] if w >= 0.2 and g not in profile.avoid}
    return Style(
        genres=genres,
        tempo=profile.tempo,
        key=profile.key,
        mode=profile.mode,
        energy=profile.energy,
        moods={m: w for m, w in profile.moods.items() if m not in profile.avoid},
        instruments={i: w for i, w in profile.instruments.items() if i not in profile.avoid},
        avoid=list(profile.avoid),
    )
