"""What a caller asks the generators for, checked up front.

- `GenerationRequest`: everything one generation needs (the engines' input).
- `MusicAsk`: what a person asks to be made, as typed fields: the one signature of `tastemaker generate`,
  the chat's generate/create tools (the LLM fills it as a JSON schema) and the offline planner (which fills it
  from tools.language). `fitted()` brings its numbers into range and says what it changed.
- `MusicChange`: a refinement of a piece ('more jazz', 'make the drums quieter', 'in D minor', 'faster').
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from tools.contracts import Style
from tools.errors import TastemakerError

ENGINES = ("auto", "musicgen", "sketch")
SHORTEST, LONGEST = 1.0, 120.0  # seconds a person may ask for: longer pieces take minutes to render and tag
MAX_SECONDS = LONGEST
MIN_TEMPO, MAX_TEMPO = 40.0, 240.0  # BPM a band can play (and the arranger's grid stays readable)
MAX_CANDIDATES = 8
SEED_SPACE = 2**32  # every seed is in 0..2**32-1, so any piece can be made again from its seed
KEYS = ("C", "C#", "Db", "D", "D#", "Eb", "E", "F", "F#", "Gb", "G", "G#", "Ab", "A", "A#", "Bb", "B")

# progress(fraction 0..1, what is happening now)
Progress = Callable[[float, str], None]


def candidate_seeds(seed: int, count: int) -> list[int]:
    """The seeds of `count` candidates from a first seed, wrapping inside 0..2**32-1."""
    return [(int(seed) + i) % SEED_SPACE for i in range(int(count))]


def next_seed(seed: int, step: int = 1) -> int:
    """A new seed `step` away from `seed`, inside 0..2**32-1 (a refinement's fresh take)."""
    return (int(seed) + int(step)) % SEED_SPACE


@dataclass
class GenerationRequest:
    """Everything one generation needs.

    prompt: free text (parsed into a Style when `style` is None);
    like: an audio file to continue (MusicGen) or to borrow tempo, key and chroma from (sketch);
    melody: an audio file whose melody conditions MusicGen-Melody (the sketch engine treats it like `like`);
    reference_midi: a MIDI file lending motifs, progression, tempo and key (sketch);
    output: where to write the (first) WAV; default under <home>/generations.
    """

    prompt: str = ""
    style: Style | None = None
    seconds: float = 15.0
    seed: int | None = None
    candidates: int = 1
    engine: str = "auto"
    like: str | None = None
    melody: str | None = None
    reference_midi: str | None = None
    output: str | None = None
    guidance_scale: float = 3.0
    model: str | None = None
    themes: list[str] = field(default_factory=list)

    def validate(self) -> None:
        """Raise a TastemakerError a user can act on for anything out of range."""
        if self.engine not in ENGINES:
            raise TastemakerError(f"Unknown engine '{self.engine}'. Choose one of: {', '.join(ENGINES)}.")
        if not (SHORTEST <= float(self.seconds) <= LONGEST):  # also refuses nan
            raise TastemakerError(
                f"Duration {self.seconds:g} s is out of range; ask for {SHORTEST:g} to {LONGEST:g} seconds."
            )
        if not (1 <= int(self.candidates) <= MAX_CANDIDATES):
            raise TastemakerError(f"Candidates must be 1 to {MAX_CANDIDATES} (got {self.candidates}).")
        if self.seed is not None and not (0 <= int(self.seed) < SEED_SPACE):
            raise TastemakerError(f"Seed must be a whole number from 0 to {SEED_SPACE - 1} (got {self.seed}).")
        if not (1.0 <= float(self.guidance_scale) <= 20.0):
            raise TastemakerError(f"Guidance scale must be 1 to 20 (got {self.guidance_scale:g}).")
        for label, path in (("--like", self.like), ("--melody", self.melody), ("reference MIDI", self.reference_midi)):
            if path and Path(path).is_dir():
                raise TastemakerError(f"{label} {path} is a folder, not a file: give one file in it.")
            if path and not Path(path).is_file():
                raise TastemakerError(f"{label} file {path} does not exist. Check the path and try again.")
        if self.reference_midi and Path(self.reference_midi).suffix.lower() not in (".mid", ".midi"):
            raise TastemakerError(f"{self.reference_midi} is not a MIDI file (.mid or .midi).")
        if self.output and Path(self.output).suffix.lower() != ".wav":
            raise TastemakerError(f"Output {self.output} must end in .wav.")
        if not self.prompt.strip() and self.style is None and not (self.like or self.melody or self.reference_midi):
            raise TastemakerError(
                "Say what to make: a description (\"calm piano for a rainy night\"), a style, or a reference file."
            )


# -- range checks a person's numbers go through (the same in the chat and the CLI) ---------------------------

FAR_LONGER = 86400.0  # a day or more (or infinity) is said as "far longer", not as 2.77778e+07 hours


def _spoken(seconds: float) -> str:
    """A length as a person said it: '10 minutes', '1.5 hours'; one that is no round number of either in seconds,
    with its size ('1000 s (about 17 minutes)', not '16.6667 minutes')."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if abs(seconds) >= size:
            n = seconds / size
            if n == round(n, 1):
                return f"{n:g} {unit}{'s' if n != 1 else ''}"
            return f"{seconds:g} s (about {round(n)} {unit}{'s' if round(n) != 1 else ''})"
    return f"{seconds:g} s"


def fit_seconds(seconds: float | None, default: float) -> tuple[float, list[str]]:
    """A length in range, and a note when it had to change; a length of zero or less is refused."""
    if seconds is None:
        return default, []
    seconds = float(seconds)
    if math.isnan(seconds):
        raise TastemakerError(f"'nan' is not a length: ask for {SHORTEST:g} to {LONGEST:g} seconds, "
                              "e.g. 'a 30 second jazz piece'.")
    if seconds >= FAR_LONGER:
        return LONGEST, [f"that is far longer than the {LONGEST:g} s limit, so it is {LONGEST:g} s (2 minutes)"]
    if seconds <= -FAR_LONGER:
        raise TastemakerError(f"A piece can't be a negative length: ask for {SHORTEST:g} to {LONGEST:g} seconds, "
                              "e.g. 'a 30 second jazz piece'.")
    if seconds <= 0:
        raise TastemakerError(f"A piece can't be {_spoken(seconds)} long (out of range): ask for {SHORTEST:g} to "
                              f"{LONGEST:g} seconds, e.g. 'a 30 second jazz piece'.")
    if seconds > LONGEST:
        return LONGEST, [f"you asked for {_spoken(seconds)}; {LONGEST:g} s (2 minutes) is the longest I make, "
                         "so it is that long"]
    if seconds < SHORTEST:
        return SHORTEST, [f"{_spoken(seconds)} is too short to hear; it is {SHORTEST:g} s"]
    return seconds, []


def fit_tempo(tempo: float | None) -> tuple[float | None, list[str]]:
    """A tempo in 40..240 BPM, and a note when it had to change."""
    if tempo is None:
        return None, []
    tempo = float(tempo)
    if round(tempo) < MIN_TEMPO:  # (a 'slower' of 48 BPM is 39.96: within a beat of the bound is the bound, unsaid)
        return MIN_TEMPO, [f"{round(tempo):g} BPM is slower than music moves; it plays at {MIN_TEMPO:g} BPM, the "
                           "slowest I make"]
    if round(tempo) > MAX_TEMPO:
        return MAX_TEMPO, [f"{round(tempo):g} BPM is faster than anyone can play; it plays at {MAX_TEMPO:g} BPM, the "
                           "fastest I make"]
    return min(max(tempo, MIN_TEMPO), MAX_TEMPO), []


def fit_candidates(candidates: int | None, default: int) -> tuple[int, list[str]]:
    if candidates is None:
        return default, []
    if int(candidates) < 1:
        return 1, [f"{candidates} versions is none at all; here is one"]
    if int(candidates) > MAX_CANDIDATES:
        return MAX_CANDIDATES, [f"{MAX_CANDIDATES} versions is the most I make at once"]
    return int(candidates), []


KEYS_LOOK_LIKE = "keys look like C, F# minor or B flat major"


def fit_key(key: str | None, mode: str | None) -> tuple[str | None, str | None]:
    """A key the arranger knows ('d' -> 'D', 'F sharp' -> 'F#') and 'major'/'minor', or None for either."""
    if key:
        k = key.strip().replace("♯", "#").replace("♭", "b").replace(" sharp", "#").replace(" flat", "b")
        k = k[:1].upper() + k[1:]
        key = k if k in KEYS else None
    mode = mode.lower() if mode and mode.lower() in ("major", "minor") else None
    return key, mode


def _help(text: str) -> dict[str, str]:
    return {"help": text}


GROOVE_HELP = ("a groove the person names, as they said it: 'bossa nova', 'trap', 'boom bap', 'blast beats', "
               "'breakbeat', 'shuffle', 'half-time', 'four on the floor', 'd-beat', 'train beat'")


def fit_groove(groove: str | None) -> tuple[str | None, list[str]]:
    """A groove the style book knows (tools.language.words.GROOVE_WORDS), or None and a note saying so."""
    from tools.language.words import GROOVE_WORDS

    if not groove:
        return None, []
    if not isinstance(groove, str):  # a tool call's argument, typed by a model
        return None, ["the groove asked for was not words, so the style chose one"]
    said = " ".join(groove.lower().split())
    if said in GROOVE_WORDS:
        return said, []
    return None, [f"'{groove[:40]}' is not a groove I know (grooves look like bossa nova, trap, boom bap, blast beats, "
                  "breakbeat or shuffle), so the style chose one"]


@dataclass(frozen=True)
class MusicAsk:
    """What a person asks to be made. Every field is optional; labels are tools.genres names (or an
    instrument the arranger plays, like 'saxophone')."""

    description: str = field(default="", metadata=_help(
        "the person's words about the music, kept as the prompt and its themes (not re-read for the fields below)"))
    genres: dict[str, float] = field(default_factory=dict, metadata=_help("genres with weights 0..1, e.g. {'jazz': 1.0}"))
    moods: list[str] = field(default_factory=list, metadata=_help("moods, e.g. ['calm']"))
    instruments: list[str] = field(default_factory=list, metadata=_help(
        "instruments to feature, e.g. ['saxophone']; add 'solo' when the person wants them alone, without a band "
        "('solo piano', 'a piece for cello and piano': ['piano', 'solo'], ['cello', 'piano', 'solo'])"))
    avoid: list[str] = field(default_factory=list, metadata=_help("labels to leave out, e.g. ['drums', 'vocals']"))
    tempo: float | None = field(default=None, metadata=_help("tempo in BPM (40-240)"))
    key: str | None = field(default=None, metadata=_help("key, e.g. 'D' or 'F#'"))
    mode: str | None = field(default=None, metadata=_help("'major' or 'minor'"))
    energy: float | None = field(default=None, metadata=_help("energy 0 (calm) to 1 (intense)"))
    vocals: bool | None = field(default=None, metadata=_help("true: with vocals; false: instrumental"))
    seconds: float | None = field(default=None, metadata=_help(f"length in seconds ({SHORTEST:g}-{LONGEST:g})"))
    candidates: int | None = field(default=None, metadata=_help(f"how many versions (1-{MAX_CANDIDATES})"))
    engine: str | None = field(default=None, metadata=_help("'auto', 'sketch' or 'musicgen'"))
    groove: str | None = field(default=None, metadata=_help(GROOVE_HELP))

    @classmethod
    def from_slots(cls, slots, description: str = "") -> "MusicAsk":
        """The ask a message's slots (tools.language.Slots) describe."""
        from tools.language.style import style_of

        style = style_of(slots)
        return cls(description=description, genres=style.genres, moods=list(style.moods),
                   instruments=list(style.instruments), avoid=list(style.avoid), tempo=slots.tempo,
                   key=slots.key, mode=slots.mode, energy=style.energy, seconds=slots.seconds,
                   candidates=slots.candidates, engine=slots.engine, groove=slots.groove)

    def fitted(self, default_seconds: float, default_candidates: int = 1) -> tuple["MusicAsk", list[str]]:
        """The ask with every number in range and known words only, and a note for each thing changed."""
        seconds, notes = fit_seconds(self.seconds, default_seconds)
        tempo, tempo_notes = fit_tempo(self.tempo)
        candidates, candidate_notes = fit_candidates(self.candidates, default_candidates)
        key, mode = fit_key(self.key, self.mode)
        if self.key and not key:
            notes.append(f"'{self.key}' is not a key I know ({KEYS_LOOK_LIKE}), so the style chose one")
        engine = self.engine if self.engine in ENGINES else "auto"
        energy = None if self.energy is None else min(1.0, max(0.0, float(self.energy)))
        genres = {g: min(1.0, max(0.0, float(w))) for g, w in self.genres.items()}
        groove, groove_notes = fit_groove(self.groove)
        return replace(self, seconds=seconds, tempo=tempo, candidates=candidates, key=key, mode=mode, engine=engine,
                       energy=energy, genres=genres, groove=groove), notes + tempo_notes + candidate_notes + groove_notes

    def style(self) -> Style:
        """The Style the generators play (named labels, the person's tempo, key and energy)."""
        from tools.genres import normalise

        def label(word: str) -> str:
            return normalise(word) or word.strip().lower()

        instruments = {label(i): 0.8 for i in self.instruments}
        avoid = sorted({label(a) for a in self.avoid})
        if self.vocals is True:
            instruments["vocals"] = 0.8
        elif self.vocals is False and "vocals" not in avoid:
            avoid.append("vocals")
        genres = {label(g): w for g, w in self.genres.items() if label(g) not in avoid}
        return Style(genres=genres, tempo=self.tempo, key=self.key, mode=self.mode, energy=self.energy,
                     moods={label(m): 0.8 for m in self.moods if label(m) not in avoid},
                     instruments={i: w for i, w in instruments.items() if i not in avoid}, avoid=avoid,
                     groove=self.groove)


@dataclass(frozen=True)
class MusicChange:
    """A refinement of a piece. `more` holds signed deltas: {'jazz': 0.3} is more jazz, {'drums': -0.3} quieter
    drums; `remove` leaves a label out altogether."""

    said: str = field(default="", metadata=_help("the person's words, for the reply (not re-read)"))
    more: dict[str, float] = field(default_factory=dict, metadata=_help(
        "labels to turn up (positive, up to 1) or down (negative), e.g. {'jazz': 0.3, 'drums': -0.3}"))
    remove: list[str] = field(default_factory=list, metadata=_help("labels to leave out, e.g. ['vocals']"))
    tempo: float | None = field(default=None, metadata=_help("a new tempo in BPM"))
    tempo_factor: float | None = field(default=None, metadata=_help("tempo times this: 1.2 faster, 0.83 slower"))
    key: str | None = field(default=None, metadata=_help("a new key, e.g. 'D'"))
    mode: str | None = field(default=None, metadata=_help("'major' or 'minor'"))
    energy_delta: float | None = field(default=None, metadata=_help("energy change -1..1: +0.25 livelier"))
    seconds: float | None = field(default=None, metadata=_help("a new length in seconds"))
    seconds_factor: float | None = field(default=None, metadata=_help("length times this: 1.5 longer"))
    seconds_delta: float | None = field(default=None, metadata=_help(
        "seconds added to the length (negative: taken off): '3 seconds longer' is 3"))
    like_last: bool = field(default=False, metadata=_help("true for 'more like this': keep its melody and chords"))
    different: bool = field(default=False, metadata=_help("true for 'a completely different take'"))
    levels: dict[str, float] = field(default_factory=dict, metadata=_help(
        "a part turned up (dB, positive) or down in the mix, by role: {'lead': 4.0} for 'I can't hear the melody'"))
    fade_out: bool = field(default=False, metadata=_help("true for 'fade it out at the end': a longer fade-out"))
    candidates: int | None = field(default=None, metadata=_help(
        f"how many new takes (1-{MAX_CANDIDATES}); one unless the person asks for more"))
    groove: str | None = field(default=None, metadata=_help(GROOVE_HELP))
    drop_groove: bool = field(default=False, metadata=_help(
        "true for 'no blast beats', 'remove the trap beat': the piece's style plays its own groove again"))

    def energy_change(self) -> float:
        """The energy delta to apply; quieter or busier drums come through the groove (energy): a drummer plays
        softer by playing less (`levels` turns the melody or the bass up in the mix). Drums taken out leave the pace
        as it was ('no drums' is not 'calmer')."""
        energy = float(self.energy_delta or 0.0)
        drums = float(self.more.get("drums", 0.0))
        if drums:
            energy += -0.2 if drums < 0 else 0.15
        return energy

    @classmethod
    def from_slots(cls, slots, said: str = "") -> "MusicChange":
        """The change a message's slots describe; labels it names without 'more' count as more of them."""
        more = dict(slots.more)
        for table in (slots.genres, slots.moods, slots.instruments):
            for label in table:
                if label == slots.groove_genre:  # 'make it a trap beat': the groove under this band, not hip-hop
                    continue
                more.setdefault(label, 1.0 if label == "solo" else 0.3)  # played alone or not: no degree of it
        return cls(said=said, more=more, remove=list(slots.avoid), tempo=slots.tempo,
                   tempo_factor=slots.tempo_factor, key=slots.key, mode=slots.mode, energy_delta=slots.energy_delta,
                   seconds=slots.seconds, seconds_factor=slots.seconds_factor, seconds_delta=slots.seconds_delta,
                   like_last=slots.like_last,
                   different=slots.different, levels=dict(slots.levels), fade_out=slots.fade_out,
                   candidates=slots.candidates, groove=slots.groove, drop_groove=slots.drop_groove)


def schema_fields(cls) -> list[tuple[str, object, object, str]]:
    """(name, type, default, help) of a request dataclass: what the tool schemas and CLI flags are built from."""
    import typing

    hints = typing.get_type_hints(cls)
    out = []
    for f in fields(cls):
        default = f.default_factory() if callable(f.default_factory) else f.default  # type: ignore[misc]
        out.append((f.name, hints[f.name], default, f.metadata.get("help", "")))
    return out
