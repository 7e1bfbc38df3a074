"""Slots -> a Style the generators play, and a Style -> a text prompt (MusicGen, explanations).

    parse_text("a dreamy synth track for a rainy night, not too fast, no vocals")
    -> TextStyle(style=Style(genres={'ambient': .., 'electronic': ..}, instruments={'synth': 1.0}, energy=0.35,
                             avoid=['vocals'], ...), themes=['rainy', 'night'], ...)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tools.contracts import Style
from tools.language.slots import TEMPO_WORDS, Slots, read_slots

TEMPO_RANGE = (40.0, 240.0)  # BPM the generators play; the request says so when a tempo is outside
ASKED_WEIGHT = 0.8  # a label asked for with 'more X' in a request for a new piece


@dataclass
class TextStyle:
    """What the text asked for: the Style, the words left over as themes, and why each label was chosen."""

    style: Style
    themes: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)


def style_of(slots: Slots) -> Style:
    """The Style a request's slots describe ('more drums' in a request for a new piece is drums, wanted)."""
    tables = {"genres": dict(slots.genres), "moods": dict(slots.moods), "instruments": dict(slots.instruments)}
    from tools.genres import ALL_LABELS

    for label, delta in slots.more.items():
        kind = ALL_LABELS.get(label, "instrument")
        table = tables[kind + "s"]
        if delta > 0:
            table[label] = max(table.get(label, 0.0), ASKED_WEIGHT)
    energy = slots.energy
    if energy is None and slots.tempo_factor:  # 'slower' asked of a new piece: a slow one (energy places the tempo)
        energy = TEMPO_WORDS["slow"] if slots.tempo_factor < 1 else TEMPO_WORDS["fast"]
    if slots.energy_delta:
        energy = min(1.0, max(0.0, (energy if energy is not None else 0.5) + slots.energy_delta))
    tempo = slots.tempo if slots.tempo and TEMPO_RANGE[0] <= slots.tempo <= TEMPO_RANGE[1] else None
    return Style(genres=tables["genres"], tempo=tempo, key=slots.key, mode=slots.mode, energy=energy,
                 moods=tables["moods"], instruments=tables["instruments"], avoid=list(slots.avoid), groove=slots.groove)


def parse_text(text: str, use_embeddings: bool = True) -> TextStyle:
    """Understand a request like 'heavy metal with fast drums' or 'a dreamy synth track for a rainy night'."""
    slots = read_slots(text, meaning=use_embeddings)
    return TextStyle(style=style_of(slots), themes=list(slots.themes), reasons=dict(slots.reasons))


def describe(style: Style, themes: list[str] | None = None) -> str:
    """A Style as a MusicGen-style text prompt ('ambient, electronic, dreamy, synth, slow, 70 bpm, rainy night')."""
    parts: list[str] = []
    parts += [g for g, _ in sorted(style.genres.items(), key=lambda kv: -kv[1])]
    parts += [m for m, _ in sorted(style.moods.items(), key=lambda kv: -kv[1])]
    parts += [i for i, _ in sorted(style.instruments.items(), key=lambda kv: -kv[1])]
    if style.energy is not None:
        parts.append("high energy" if style.energy > 0.7 else "low energy" if style.energy < 0.3 else "")
    if style.tempo:
        parts.append(f"{style.tempo:.0f} bpm")
    if style.key:
        parts.append(f"in {style.key} {style.mode or ''}".strip())
    elif style.mode:
        parts.append(style.mode)
    parts += [f"no {a}" for a in style.avoid]
    parts += themes or []
    return ", ".join(p for p in parts if p)
