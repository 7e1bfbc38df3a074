"""What a station plays: a RadioPiece, made from a plan (PieceSpec) by the generator or taken from the library.

Every piece carries what the tagger hears in it (the unified genres, instruments and moods of both musicnn
models), which is what the station steers from, plus its tempo, key and instrumentation for the flow
between neighbours. A generated piece is tagged on a 9 s excerpt from its middle: three tagger patches
cost a third of the whole piece's and are what keeps generation far ahead of playback.
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools.contracts import Generation, Style, Tags, Track

TAG_EXCERPT_SECONDS = 9.0
TAG_RATE = 16000


def library_key(genre: str) -> str:
    """The reward key of a library genre ('library classical'), kept apart from the generator's styles."""
    return f"library {genre}"


@dataclass(frozen=True)
class PieceSpec:
    """A plan for the next piece: a Style to generate (with its seed) or a library Track, and why."""

    source: str  # "library" | "generated"
    reason: str
    version: int = 0  # the station taste version it was planned for
    explore: bool = False
    style: Style | None = None
    seed: int = 0
    seconds: float = 30.0
    track: Track | None = None
    lead: str = ""  # the lead instrument asked for ("" = the style's own)


@dataclass
class RadioPiece:
    """One piece a station plays."""

    id: str
    source: str  # "library" | "generated"
    path: str
    title: str
    seconds: float
    genres: dict[str, float]  # what the tagger hears (unified genres): the station's steering signal
    instruments: dict[str, float] = field(default_factory=dict)
    moods: dict[str, float] = field(default_factory=dict)
    tempo: float | None = None
    key: str | None = None
    energy: float | None = None
    instrumentation: list[str] = field(default_factory=list)
    reason: str = ""
    version: int = 0
    explore: bool = False
    make_seconds: float = 0.0  # wall time it took to make (and tag)
    track_id: str = ""
    library_genre: str = ""  # a library track's genre in the library (declared, else the tagger's top)
    seed: int | None = None
    blend: dict[str, float] = field(default_factory=dict)  # generated: the arranger's genre blend
    style: Style | None = None
    liked: bool | None = None
    skipped: bool = False

    @property
    def asked(self) -> str:
        """The genre the generator was asked for ('' for a library track)."""
        return next(iter(self.style.genres), "") if self.style is not None and self.style.genres else ""

    @property
    def asked_blend(self) -> dict[str, float] | None:
        """The genre blend the generator was asked for (None for a library track)."""
        return dict(self.style.genres) if self.style is not None and self.style.genres else None

    @property
    def reward_keys(self) -> dict[str, float]:
        """What earns this piece's reward on the station: the styles asked for, or the library's genre."""
        if self.source == "library":
            return {library_key(self.library_genre): 1.0} if self.library_genre else {}
        return self.asked_blend or {}

    @property
    def primary(self) -> str:
        return max(self.genres, key=self.genres.get) if self.genres else ""

    def top_genres(self, k: int = 5) -> dict[str, float]:
        ranked = sorted(self.genres.items(), key=lambda kv: -kv[1])[:k]
        return {g: round(p, 3) for g, p in ranked}

    def as_generation(self) -> Generation:
        """The piece as the Generation contract tools.taste's feedback store takes (a library track too:
        its engine is 'library' and its model the track id)."""
        return Generation(
            audio_path=self.path, sample_rate=0, engine="sketch" if self.source == "generated" else "library",
            model=self.track_id or "radio", prompt=f"radio: {self.title}", seed=int(self.seed or 0),
            duration=self.seconds, style=self.style, tags=Tags("genres", dict(self.genres)),
        )


def _heard(path: str, seconds: float) -> tuple[dict, dict, dict]:
    """(genres, instruments, moods) the tagger hears in a 9 s excerpt from the middle of the file."""
    from tools.audio import clip_from_array, load_clip
    from tools.tagger import tag_full

    clip = load_clip(path, sample_rate=TAG_RATE)
    n = int(TAG_EXCERPT_SECONDS * TAG_RATE)
    start = max(0, (len(clip.samples) - n) // 2)
    excerpt = clip_from_array(clip.samples[start:start + n], TAG_RATE, name=Path(path).name)
    full = tag_full(excerpt)
    return full.genres.probabilities, full.instruments.probabilities, full.moods.probabilities


def _instrumentation(generation: Generation) -> list[str]:
    """The instruments the arranger used ('Tenor Sax', 'Acoustic Bass'...), from the sidecar."""
    sidecar = generation.conditioning.get("sidecar")
    try:
        data = json.loads(Path(sidecar).read_text()) if sidecar else {}
    except (OSError, ValueError):
        return []
    lines = data.get("arrangement", {}).get("instruments", [])
    names = [str(line).split(": ", 1)[-1].rsplit(" (", 1)[0] for line in lines]
    return sorted(set(names))


def make_generated(spec: PieceSpec, piece_id: str, folder: Path, engine: str = "sketch") -> RadioPiece:
    """Generate the planned piece into `folder` and tag it."""
    from tools.generate import GenerationRequest, generate

    assert spec.style is not None
    started = time.perf_counter()
    words = ", ".join(list(spec.style.genres)[:2]) or "music"
    out = folder / f"{piece_id}.wav"
    generation = generate(GenerationRequest(prompt=f"radio: {words}", style=spec.style, seconds=spec.seconds,
                                            seed=spec.seed, engine=engine, output=str(out)))[0]
    genres, instruments, moods = _heard(generation.audio_path, generation.duration)
    blend = dict(generation.conditioning.get("blend", {}))
    energy = None
    try:
        sidecar = json.loads(Path(generation.conditioning["sidecar"]).read_text())
        energy = sidecar.get("arrangement", {}).get("energy")
    except (KeyError, OSError, ValueError):
        pass
    lead = f" with {spec.lead}" if spec.lead else ""
    return RadioPiece(
        id=piece_id, source="generated", path=generation.audio_path,
        title=f"{' + '.join(blend) or words}{lead} ({generation.conditioning.get('key', '?')}, "
              f"{round(float(generation.conditioning.get('tempo') or 0))} BPM)",
        seconds=float(generation.duration), genres=genres, instruments=instruments, moods=moods,
        tempo=generation.conditioning.get("tempo"), key=generation.conditioning.get("key"), energy=energy,
        instrumentation=_instrumentation(generation), reason=spec.reason, version=spec.version,
        explore=spec.explore, make_seconds=time.perf_counter() - started, seed=generation.seed, blend=blend,
        style=spec.style,
    )


@functools.lru_cache(maxsize=4096)
def _track_tempo_key(audio_path: str, midi_path: str) -> tuple[float | None, str | None]:
    """A library track's tempo and key: from its MIDI when it has one (the tempo it was rendered at, and its key
    signature), what the MIDI does not say estimated from 20 s of audio. The built-in collection's MIDI files carry
    no key signature: every one of its tracks had no key, so the key could not help a playlist's order."""
    from tools.generate.output import score_tempo_and_key

    tempo, key = score_tempo_and_key(midi_path)
    if tempo is not None and key is not None:
        return tempo, key
    try:
        from tools.audio import load_clip
        from tools.taste.analysis import estimate_key, estimate_tempo

        clip = load_clip(audio_path, sample_rate=22050, max_seconds=20.0)
        if key is None:
            tonic, mode, _ = estimate_key(clip.samples, clip.sample_rate)
            key = f"{tonic} {mode}"
        if tempo is None:
            tempo = round(estimate_tempo(clip.samples, clip.sample_rate), 1)
    except Exception:  # noqa: BLE001 - unknown tempo and key: the flow treats them as neutral
        pass
    return tempo, key


def track_tempo_key(track: Track) -> tuple[float | None, str | None]:
    return _track_tempo_key(track.audio_path, track.midi_path)


def library_genres(track: Track) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """(genres, instruments, moods) the tagger heard in a library track (stored when it was added)."""
    from tools.genres import GENRES, INSTRUMENTS, MOODS

    tags = track.tags or {}
    return ({g: p for g, p in tags.items() if g in GENRES}, {i: p for i, p in tags.items() if i in INSTRUMENTS},
            {m: p for m, p in tags.items() if m in MOODS})


def library_piece(spec: PieceSpec, piece_id: str) -> RadioPiece:
    """A library track as a RadioPiece (nothing to make: its tags were stored when it was added)."""
    track = spec.track
    assert track is not None
    started = time.perf_counter()
    genres, instruments, moods = library_genres(track)
    tempo, key = track_tempo_key(track)
    what = track.extra.get("instrumentation") if isinstance(track.extra, dict) else None
    title = f"{track.title} ({track.artist})" if track.artist else track.title
    return RadioPiece(
        id=piece_id, source="library", path=track.audio_path, title=title, seconds=float(track.duration),
        genres=genres, instruments=instruments, moods=moods, tempo=tempo, key=key,
        instrumentation=[str(what)] if what else sorted(i for i, p in instruments.items() if p >= 0.2),
        reason=spec.reason, version=spec.version, explore=spec.explore,
        make_seconds=time.perf_counter() - started, track_id=track.id, library_genre=track.genre,
    )


def make_piece(spec: PieceSpec, piece_id: str, folder: Path, engine: str = "sketch") -> RadioPiece:
    """Make (or fetch) the planned piece."""
    if spec.source == "library":
        return library_piece(spec, piece_id)
    return make_generated(spec, piece_id, folder, engine)
