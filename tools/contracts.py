"""Data contracts that cross module boundaries (see shared/DESIGN.md).

Plain, typed dataclasses with no framework inside. A tool's public function
takes and returns these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class Clip:
    """Mono float32 audio at a known sample rate. Built only by tools.audio."""

    samples: np.ndarray
    sample_rate: int
    path: str = ""

    @property
    def duration(self) -> float:
        return len(self.samples) / float(self.sample_rate)

    @property
    def name(self) -> str:
        return Path(self.path).name if self.path else "<memory>"


@dataclass
class Tags:
    """Multi-label probabilities from one vocabulary (e.g. 'msd', 'mtt', 'genres').

    `taggram` is optional: (time steps x tags), rows in `labels` order.
    """

    vocabulary: str
    probabilities: dict[str, float]
    taggram: np.ndarray | None = None
    hop_seconds: float | None = None

    @property
    def labels(self) -> list[str]:
        return list(self.probabilities)

    def top(self, k: int = 5) -> list[tuple[str, float]]:
        ranked = sorted(self.probabilities.items(), key=lambda kv: (-kv[1], kv[0]))
        return ranked[:k]

    def above(self, threshold: float) -> dict[str, float]:
        return {t: p for t, p in self.probabilities.items() if p >= threshold}


@dataclass
class Track:
    """One piece in the music library."""

    id: str
    title: str
    artist: str = ""
    description: str = ""
    audio_path: str = ""
    tags: dict[str, float] = field(default_factory=dict)
    genre: str = ""
    duration: float = 0.0
    midi_path: str = ""
    content_hash: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Style:
    """The structured description of music to make (the sketch engine's input).

    genres: {genre: weight in 0..1}; tempo in BPM (None: the style decides);
    mode 'major'/'minor'/None; energy 0..1; instruments/moods weighted 0..1;
    avoid: labels the person negated ("no vocals"); left_out: labels in `avoid` that someone else left out (the
    loop's refine), with why, so that the piece's notes do not say the person asked.
    levels: dB a part of the arrangement is turned up (or down) by in the mix, by role ({'lead': 4.0}: "I can't
    hear the melody"); fade_out_s: the ending's fade as asked ("fade it out at the end"; None: the style's own);
    groove: a groove asked for by name ("bossa nova", "a trap beat"; the style book's GROOVE_WORDS say whose).
    """

    genres: dict[str, float] = field(default_factory=dict)
    tempo: float | None = None
    key: str | None = None
    mode: str | None = None
    energy: float | None = None
    moods: dict[str, float] = field(default_factory=dict)
    instruments: dict[str, float] = field(default_factory=dict)
    avoid: list[str] = field(default_factory=list)
    left_out: dict[str, str] = field(default_factory=dict)
    levels: dict[str, float] = field(default_factory=dict)
    fade_out_s: float | None = None
    groove: str | None = None


@dataclass
class TasteProfile:
    """What a person likes, from their clips and their words."""

    genres: dict[str, float] = field(default_factory=dict)
    moods: dict[str, float] = field(default_factory=dict)
    instruments: dict[str, float] = field(default_factory=dict)
    tempo: float | None = None
    key: str | None = None
    mode: str | None = None
    energy: float | None = None
    brightness: float | None = None
    themes: list[str] = field(default_factory=list)
    avoid: list[str] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)  # genres every clip has in its top 3
    clips: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)

    def moods_to_mention(self, limit: int = 2, minimum: float = 0.4) -> list[str]:
        """The strongest moods worth saying in words (explanations, prompts).

        'energetic' and 'calm' are left to the energy figure when there is one: as moods they would repeat it
        or contradict it ('calm and energetic' from one calm clip and one lively one).
        """
        said_by_energy = {"energetic", "calm"} if self.energy is not None else set()
        ranked = sorted(self.moods.items(), key=lambda kv: (-kv[1], kv[0]))
        return [m for m, w in ranked if w >= minimum and m not in self.avoid and m not in said_by_energy][:limit]


@dataclass
class Generation:
    """One piece of generated audio and how it was made."""

    audio_path: str
    sample_rate: int
    engine: str
    model: str
    prompt: str
    seed: int
    duration: float = 0.0
    conditioning: dict[str, Any] = field(default_factory=dict)
    midi_path: str = ""
    style: Style | None = None
    tags: Tags | None = None
    score: float | None = None


@dataclass
class Attempt:
    """One try inside the classifier-in-the-loop."""

    iteration: int
    prompt: str
    generation: Generation
    predicted: dict[str, float]
    predicted_labels: list[str]
    jaccard: float
    hamming: float
    margin: float


@dataclass
class LoopResult:
    """Every attempt of the loop, the best one, and why it stopped."""

    target: list[str]
    attempts: list[Attempt]
    best: Attempt | None
    matched: bool
    stop_reason: str
