"""Style -> Arrangement (every choice, as data) -> a multi-track pretty_midi.PrettyMIDI.

`plan()` makes all the decisions (blend, tempo, key, progression, sections, instruments) from the
request and a seeded random generator; `to_midi()` writes the notes. Same inputs and seed, same notes.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pretty_midi

from tools.contracts import Style
from tools.errors import TastemakerError
from tools.genres import is_plural
from tools.generate.sketch import form
from tools.generate.sketch import performance as P
from tools.generate.sketch import styles as S
from tools.generate.sketch.conditioning import Reference
from tools.generate.sketch.rap import write_lyrics
from tools.generate.sketch.theory import NOTE_NAMES, Chord, parse_roman, pitch_class, scale_pitches
from tools.language.words import GROOVE_WORDS

VELOCITY = {"X": 118, "x": 96, "o": 72, "g": 42}
BLEND_MIN_WEIGHT = 0.15  # a genre below this share of the blend lends nothing audible
QUANTISED = {"electronic", "house", "techno"}  # machine-tight styles get no timing humanisation
RAP_MIN_WEIGHT = 0.35  # hip-hop's share of the blend from which the piece is rapped over
VOCAL_LABELS = ("vocals", "male vocals", "female vocals")  # asked for by name: a lo-fi piece rapped over after all
VOCAL_PROGRAMS = {52, 53, 54, 85, 91}
BASS_PROGRAMS = range(32, 40)  # General MIDI's basses: acoustic, electric, fretless, slap, synth
FORWARD_DB = 4.0  # a bass asked for is turned up this much in the mix (it stays the bass line)
ASKED_FADE_SHARE = 0.3  # a fade-out asked for takes at most this share of the piece (the band must be heard first)
ORCHESTRAL = {"classical", "ambient", "new age"}  # styles whose percussion is an orchestra's, or none
SOLO = "solo"  # the sound tag of a piece the instruments named play alone (tools.language.slots)
NOT_PLAYERS = ("drums", "instrumental", "acoustic", SOLO)  # instrument labels that name no melodic player
PART_NAMES = {"lead": "melody", "bass": "bass", "comp": "accompaniment", "pad": "pad"}  # roles, as people say them
_SUFFIX_RE = re.compile(r"^(b|#)?([ivIV]+)(.*)$")
# Triad quality by scale degree: which numerals are upper case in each mode.
_MAJOR_DEGREES = {"major": (True, False, False, True, True, False, False),
                  "minor": (False, False, True, False, False, True, True)}
_ROMAN_INDEX = {"i": 0, "ii": 1, "iii": 2, "iv": 3, "v": 4, "vi": 5, "vii": 6}


@dataclass
class Voice:
    """One instrument track of the arrangement."""

    role: str
    program: int
    pattern: str
    low: int
    voicing: str
    velocity: int
    sections: list[str]
    octave_double: bool
    density: float
    style: str
    drive: float = 0.0
    pan: float = 0.0  # -1 left .. 1 right (MIDI CC10)
    double: bool = False  # double-tracked: played left and right by the mix (a second take, ADT)
    send: float = 0.2  # into the room (MIDI CC91)
    level_db: float = 0.0  # the part turned up (or down) in the mix, as the person asked ('more bass')


@dataclass
class Arrangement:
    """Every decision the arranger took; written to the JSON sidecar."""

    seed: int
    seconds: float
    blend: dict[str, float]
    primary: str
    tempo: float
    tonic: int
    mode: str
    beats: int
    swing: float
    swing_unit: int
    energy: float
    progression: list[str]
    chord_bars: int
    sections: list[tuple[str, int, int]]  # (kind, first bar, bars)
    voices: list[Voice]
    drums: dict[str, dict[int, str]]
    lead_scale: str
    fills: bool
    humanise: bool
    motif: list[tuple[int, int, int]] | None = None  # (onset step, length steps, scale steps from the first note)
    section_chords: dict[str, list[str]] = field(default_factory=dict)  # each section kind's progression
    kit: int = 0  # the General MIDI drum kit (bank 128 program)
    lineup: str = ""  # the band the seed chose (styles.LINEUPS), when the style has line-ups
    groove: str = ""  # how the band lays the time down (styles.GROOVES), when the style has grooves
    groove_asked: bool = False  # the groove is the one the person named ('a bossa nova'), not the seed's choice
    arc: str = ""  # how the band builds through the piece (form.ARCS): who rests where
    notes: list[str] = field(default_factory=list)  # what was honoured or could not be
    vocals: list[tuple[int, str]] = field(default_factory=list)  # (bar, rapped line)
    fade_out_s: float | None = None  # the ending's fade as asked (None: the style's master decides)
    tone_hz: float | None = None  # how dark the record is: the master's low-pass corner (RECORD_TONES; None: none)
    solo: bool = False  # played by the instruments named alone: a pianist's two hands are one part, not two

    @property
    def key(self) -> str:
        return f"{NOTE_NAMES[self.tonic]} {self.mode}"

    @property
    def bar_seconds(self) -> float:
        return self.beats * 60.0 / self.tempo

    @property
    def bars(self) -> int:
        return sum(n for _, _, n in self.sections)

    @property
    def step_seconds(self) -> float:
        """One 16th note."""
        return 60.0 / self.tempo / 4

    def grid_time(self, bar: int, step: float) -> float:
        """When a 16th-note step of a bar sounds, swing included (every part and the rapper keep this grid)."""
        offset = 0.0
        s = int(step)
        if self.swing > 0 and s == step:
            if self.swing_unit == 8 and s % 4 == 2:
                offset = self.swing * 4 * self.step_seconds / 6
            elif self.swing_unit == 16 and s % 2 == 1:
                offset = self.swing * self.step_seconds / 3
        return (bar * self.beats * 4 + step) * self.step_seconds + offset

    def parts(self) -> list[dict]:
        """Who plays in it, in plain words, for questions like 'does it have drums?': each part's name, family and
        program, the drum kit first (a voice written only for sections the piece does not have never sounds, so it
        is not a part: a 10 s string quartet has no chorus for its oboe and timpani)."""
        out = []
        kinds = {kind for kind, _, _ in self.sections}
        if "bridge" in kinds:
            kinds.add("intro")  # a bridge drops back to the intro's drums (_Writer.drum_pattern)
        if any(p for kind, pattern in self.drums.items() if kind in kinds for p in pattern.values()):
            kit = KIT_NAMES.get(self.kit)
            out.append({"name": "drums", "family": "drums", "program": None,
                        "detail": f"{'an' if kit[0] in 'aeiou' else 'a'} {kit} kit" if kit else ""})
        players: set[int] = set()
        for v in self.voices:
            if set(v.sections) & kinds and not (self.solo and v.program in players):
                players.add(v.program)
                out.append({"name": spoken_name(v.program),  # 'electric bass', not 'electric bass (finger)'
                            "family": _family(v.program), "program": v.program, "detail": ""})
        return out

    def rhythm(self) -> dict:
        """How it lays the time down, in plain words, for 'what groove is it?': its meter, the groove the seed chose
        (styles.GROOVES; '' where the style has one beat of its own), swung or straight, and whether drums play."""
        drums = any(p["family"] == "drums" for p in self.parts())
        feel = "straight"
        if self.swing >= 0.1:
            feel = f"swung {'eighths' if self.swing_unit == 8 else 'sixteenths'}"
        # whose groove it is: another style's drums may play under this band ('jazz with a trap beat')
        owners = [name for name, grooves in S.GROOVES.items() if any(g.name == self.groove for g in grooves)]
        owner = self.primary if self.primary in owners else owners[0] if owners and self.groove else ""
        return {"meter": f"{self.beats}/4", "style": self.primary, "groove": self.groove, "feel": feel,
                "drums": drums, "groove_of": owner,
                "asked": self.groove_asked}

    def to_dict(self) -> dict:
        d = asdict(self)
        d["key"] = self.key
        d["bars"] = self.bars
        d["drums"] = {kind: {str(k): p for k, p in pat.items()} for kind, pat in self.drums.items()}
        d["instruments"] = [f"{v.role}: {pretty_midi.program_to_instrument_name(v.program)} ({v.style})"
                            for v in self.voices]
        return d


def spoken_name(program: int) -> str:
    """A General MIDI program as people say it: 'electric bass' (not 'Electric Bass (finger)'), 'warm pad' and
    'square synth lead' (not 'pad 2', 'lead 1')."""
    full = pretty_midi.program_to_instrument_name(program)
    numbered = re.match(r"(Pad|Lead|FX) \d+ \((.+)\)", full)
    if numbered:
        kind = {"Pad": "pad", "Lead": "synth lead", "FX": "synth effect"}[numbered.group(1)]
        if numbered.group(2) == "bass + lead":
            return "bass-and-lead synth"
        return f"{numbered.group(2)} {kind}".lower()
    return re.sub(r"\s*\(.*\)|\s+\d+$", "", full).lower()  # 'string ensemble', not 'string ensemble 1'


# the General MIDI drum kits (bank 128) as a drummer would name them (styles.KITS lists each style's)
KIT_NAMES = {0: "standard", 8: "room", 16: "power", 24: "electronic", 25: "TR-808", 32: "jazz", 40: "brush",
             48: "orchestra"}


# ----------------------------------------------------------------------------------------------- planning

def blend_weights(genres: dict[str, float]) -> dict[str, float]:
    """Requested genres -> {style name: share} over the style book (shares sum to 1)."""
    shares: dict[str, float] = {}
    for genre, weight in genres.items():
        if weight <= 0:
            continue
        try:
            name = S.style_for(genre).name
        except KeyError:
            continue
        shares[name] = shares.get(name, 0.0) + float(weight)
    total = sum(shares.values())
    if total <= 0:
        return {}
    shares = {k: v / total for k, v in shares.items()}
    kept = {k: v for k, v in shares.items() if v >= BLEND_MIN_WEIGHT}
    total = sum(kept.values())
    return dict(sorted(((k, v / total) for k, v in kept.items()), key=lambda kv: -kv[1]))


def default_genres(style: Style) -> dict[str, float]:
    """When nothing names a genre: calm words lean ambient, lively ones pop."""
    calm = style.moods.get("calm", 0) + style.moods.get("mellow", 0) + style.moods.get("sad", 0)
    if (style.energy is not None and style.energy < 0.35) or calm > 0.5:
        return {"ambient": 1.0}
    if "synth" in style.instruments:
        return {"electronic": 1.0}
    if {"strings", "violin", "cello", "harp"} & set(style.instruments):
        return {"classical": 1.0}
    return {"pop": 1.0}


def fit_to_mode(symbol: str, mode: str) -> str:
    """Re-case a diatonic numeral for another mode ('vi' in minor -> 'VI'); borrowed chords stay."""
    m = _SUFFIX_RE.match(symbol)
    if not m or m.group(1):
        return symbol
    numeral, suffix = m.group(2), m.group(3)
    degree = _ROMAN_INDEX.get(numeral.lower())
    if degree is None or suffix in ("5", "dim", "m7b5"):
        return symbol
    if mode == "minor" and degree == 4 and numeral.isupper():
        return symbol  # the dominant stays major in minor keys
    upper = _MAJOR_DEGREES[mode][degree]
    was_upper = numeral.isupper()
    if mode == "major" and degree == 6:
        return "viim7b5" if suffix in ("7", "maj7") else "viidim"
    if mode == "minor" and degree == 1:
        return "iim7b5" if suffix in ("7", "maj7") else "iidim"
    new = numeral.upper() if upper else numeral.lower()
    if suffix == "maj7" and not upper:
        suffix = "7"
    elif suffix == "7" and upper and not was_upper:
        suffix = "7" if degree in (4, 6) else "maj7"
    return new + suffix


def _tonic_chord(progression: list[str], mode: str) -> str:
    """The home chord in the progression's own idiom ('i5' among power chords, 'I7' in a blues)."""
    for chord in progression:
        m = _SUFFIX_RE.match(chord)
        if m and not m.group(1) and m.group(2) in ("i", "I"):
            return chord
    suffix = "5" if progression and all(c.endswith("5") for c in progression) else ""
    return ("i" if mode == "minor" else "I") + suffix


def _native_mode(progression: list[str], default: str) -> str:
    """The mode a progression is written in: a tonic 'i' is minor, 'I' major; otherwise the style's."""
    m = _SUFFIX_RE.match(progression[0]) if progression else None
    if m and not m.group(1) and m.group(2) in ("i", "I"):
        return "minor" if m.group(2) == "i" else "major"
    return default


# How a mood word moves the energy the genres suggest (calm, sad and sleepy pieces are slow and sparse).
MOOD_ENERGY = {"calm": -0.3, "mellow": -0.2, "sad": -0.25, "dark": -0.05, "beautiful": -0.05,
               "energetic": 0.25, "party": 0.2, "happy": 0.05, "catchy": 0.05}
CALM_ENERGY = 0.35  # at or below: the style's slow tempo range, thinned drums


def _energy(style: Style, blend: dict[str, float]) -> float:
    if style.energy is not None:
        return float(np.clip(style.energy, 0.0, 1.0))
    base = {"metal": 0.85, "punk": 0.85, "rock": 0.7, "techno": 0.75, "electronic": 0.7, "house": 0.7,
            "dance": 0.75, "funk": 0.65, "ambient": 0.2, "new age": 0.25, "chillout": 0.35, "classical": 0.45,
            "folk": 0.45}
    e = sum(w * base.get(name, 0.55) for name, w in blend.items())
    e += sum(shift * style.moods.get(mood, 0.0) for mood, shift in MOOD_ENERGY.items())
    return float(np.clip(e, 0.05, 0.95))


# how far a sad mood pulls a calm piece down its ballad range: 'a sad piano ballad' at energy 0.25 sat at
# 0.71 of pop's 62-96 and came out at 84-88 BPM; sad ballads are sung at 60-76
SAD_PULL = 0.6


def _tempo(blend: dict[str, float], energy: float, rng: np.random.Generator,
           moods: dict[str, float] | None = None, groove_range: tuple[int, int] | None = None) -> float:
    """A tempo in the blend's range placed by energy; calm pieces take the styles' slow (ballad) range,
    sad ones its lower part (sleepy ones are slow by their energy alone: 'sleepy' sets 0.1); a groove with a
    range of its own is placed in that."""
    specs = [(S.STYLES[n], w) for n, w in blend.items()]
    if groove_range is not None:
        lo, hi = groove_range
        pos = 0.2 + 0.6 * energy + rng.uniform(-0.15, 0.15)
    elif energy <= CALM_ENERGY:
        lo = sum(w * spec.slow_range[0] for spec, w in specs)
        hi = sum(w * spec.slow_range[1] for spec, w in specs)
        pos = energy / CALM_ENERGY * (1.0 - SAD_PULL * min((moods or {}).get("sad", 0.0), 1.0))
    else:
        lo = sum(w * spec.tempo[0] for spec, w in specs)
        hi = sum(w * spec.tempo[1] for spec, w in specs)
        pos = 0.2 + 0.6 * energy + rng.uniform(-0.15, 0.15)  # bands of one style play it faster or slower
    pos = np.clip(pos + rng.uniform(-0.15, 0.15), 0, 1)
    return float(round(lo + (hi - lo) * pos))


def _thin(pattern: str) -> str:
    """A calm version of a cymbal or shaker pattern: its hits on the beat only."""
    return "".join(ch if i % 4 == 0 else "." for i, ch in enumerate(pattern))


THINNED = (S.HAT, S.RIDE, S.SHAKER, S.TAMBOURINE, S.OPEN_HAT, S.PEDAL_HAT)


def _program_of(label: str) -> int | None:
    if label in S.GM_PROGRAMS:
        return S.GM_PROGRAMS[label]
    if label.endswith("vocals") or label == "choir":
        return 52 if label == "choir" else 53
    return None


def _family(program: int) -> str:
    """The instrument family a GM program belongs to, in the unified vocabulary's words."""
    if 24 <= program <= 31:
        return "guitar"
    if program <= 7:
        return "piano"
    if program in VOCAL_PROGRAMS:
        return "vocals"
    if 40 <= program <= 51:
        return "strings"
    if 80 <= program <= 103 or program in (38, 39, 87):
        return "synth"
    if program in (73, 74, 75):
        return "flute"
    return pretty_midi.program_to_instrument_class(program).lower()


def _apply_instruments(voices: list[Voice], style: Style, notes: list[str]) -> list[Voice]:
    """Requested instruments take the lead (then a pad); avoided ones are swapped out."""
    avoid = {a.lower() for a in style.avoid}
    if avoid & {"vocals", "voice", "singing", "female vocals", "male vocals", "choir"}:
        avoid.add("vocals")
    kept: list[Voice] = []
    for v in voices:
        fam = _family(v.program)
        if fam in avoid or (fam == "vocals" and "instrumental" in style.instruments):
            substitute = 0 if fam != "piano" else 11  # piano stands in; vibraphone for an unwanted piano
            # the truth about why: 'instrumental' often comes from a song's tags, not from the person's words
            why = style.left_out.get(fam) or (f"asked for no {fam}" if fam in avoid else "the piece is instrumental")
            if v.role == "lead" or len([x for x in voices if x.role == v.role]) == 1:
                notes.append(f"{spoken_name(v.program)} swapped out ({why})")
                v.program = substitute
            else:
                notes.append(f"{spoken_name(v.program)} left out ({why})")
                continue
        kept.append(v)
    wanted = [(w, label) for label, w in style.instruments.items()
              if w >= 0.3 and label not in NOT_PLAYERS and _program_of(label) is not None]
    wanted.sort(reverse=True)
    # a bass asked for ('more bass', 'funk with slap bass') is the bass line up front, not the melody: handed the
    # lead, 'more bass' as a first message made a piece whose tune a bass played
    for _, label in [(w, label) for w, label in wanted if _program_of(label) in BASS_PROGRAMS]:
        kept = _bass_forward(kept, label, notes)
    wanted = [(w, label) for w, label in wanted if _program_of(label) not in BASS_PROGRAMS]
    for label, w in style.instruments.items():
        if w >= 0.3 and label not in NOT_PLAYERS and _program_of(label) is None:
            notes.append(f"no instrument for '{label}' in the sound set; left out")
    present = {_family(v.program) for v in kept} | {pretty_midi.program_to_instrument_name(v.program) for v in kept}
    leads = [v for v in kept if v.role == "lead"]
    for i, (_, label) in enumerate(wanted):
        program = _program_of(label)
        assert program is not None
        if i == 0 and not leads and not _chordal(program) and label not in ("vocals", "choir"):
            # a style with no melody part (funk's band plays riffs and stabs): the instrument named takes one ('a
            # saxophone solo over a funk band' put the sax among the horn stabs)
            leads = [Voice("lead", program, MELODY, 60, "single", 85, ["verse", "chorus", "outro"], False, 0.85,
                           "request")]
            kept.append(leads[0])
            notes.append(f"the {label} {'play' if is_plural(label) else 'plays'} the melody")
            continue
        if _family(program) in present and label not in ("vocals", "choir"):
            # the style already has one: the first instrument named still plays the melody (a lent synth lead
            # does not take it from the guitar asked for), in the style's own version of it
            # a piano named is the acoustic one, though the band keeps its electric piano for the chords ('a sad
            # piano ballad' had its tune on a Rhodes)
            acoustic_piano = program in ACOUSTIC_PIANOS and leads and leads[0].program not in ACOUSTIC_PIANOS
            if i == 0 and leads and (_family(leads[0].program) != _family(program) or acoustic_piano):
                own = program if program in ACOUSTIC_PIANOS else \
                    next(v.program for v in kept if _family(v.program) == _family(program))
                leads[0].program = own
                leads[0].drive = 0.0
                notes.append(f"the {label} {'play' if is_plural(label) else 'plays'} the melody")
            continue
        if i == 0 and leads:
            for lead in leads[:1]:
                lead.program = program
            notes.append(f"the {label} {'play' if is_plural(label) else 'plays'} the melody")
        else:
            role = "pad" if _family(program) in ("strings", "synth", "vocals", "brass", "organ") else "comp"
            pattern = "C---------------" if role == "pad" else "a.a.a.a.a.a.a.a."
            kept.append(Voice(role, program, pattern, 55, "open" if role == "pad" else "triad", 70,
                              ["intro", "verse", "chorus", "outro"], False, 0.7, "request"))
            notes.append(f"{label} added as a {role}")
    return kept


ACOUSTIC_PIANOS = (0, 1, 2)  # GM's grand, bright and electric grand: what 'piano' names


MELODY = "n---n-n-n-n-n---"  # a tune's rhythm for an instrument brought in to play one


def _chordal(program: int) -> bool:
    """Whether one player of this instrument plays the chords and the bass as well as the tune (a pianist's two
    hands, a guitarist's fingers): keyboards, tuned percussion, organs, guitars and the harp."""
    return program < 32 or program == 46


def _solo(voices: list[Voice], style: Style, notes: list[str]) -> tuple[list[Voice], str] | None:
    """'solo piano', 'a cello piece', 'just an acoustic guitar': the instruments named play the piece alone, and
    the name of that line-up. A keyboard or guitar plays the tune, the chords and the bass itself; an instrument
    that plays one note at a time takes the tune, with a keyboard or guitar named beside it accompanying (violin
    and piano) and a cello or bass named taking the bass line; strings or a pad named beside them hold the chords.
    None when the request is not for a solo piece."""
    if style.instruments.get(SOLO, 0.0) < 0.5:
        return None
    ranked = sorted(((w, label) for label, w in style.instruments.items()
                     if w >= 0.3 and label not in NOT_PLAYERS), key=lambda wl: -wl[0])
    said = {_solo_program(label): label for _, label in reversed(ranked)}
    named = [p for p in dict.fromkeys(_solo_program(label) for _, label in ranked)
             if p is not None and p not in VOCAL_PROGRAMS]
    if not named:
        if style.instruments.get("drums", 0.0) < 0.5:
            return None
        # 'a drum solo', 'just drums': the kit alone, its groove and fills from the first bar to the last
        notes[:] = [n for n in notes if n != "drums added as asked"]
        notes.append("played by the drums alone, as asked")
        return [], "solo drums"
    melodic = [p for p in named if not _chordal(p) and p not in BASS_PROGRAMS and p not in PAD_PROGRAMS]
    chordal = [p for p in named if _chordal(p)]
    lead = melodic[0] if melodic else chordal[0] if chordal else named[0]  # a bass leads only when alone
    accompanist = next((p for p in chordal if p != lead), lead if _chordal(lead) else None)
    low = next((p for p in named if (p in BASS_PROGRAMS or p in (42, 43)) and p != lead), accompanist)
    everywhere = ["intro", "verse", "chorus", "bridge", "outro"]

    def first(*roles: str) -> Voice | None:  # the style's part for the job, else one that can do it
        return next((v for role in roles for v in voices if v.role == role), None)

    kept: list[Voice] = []
    lone = accompanist is None  # a melody with nobody beside it plays throughout, and seldom rests
    for role, program in (("lead", lead), ("comp", accompanist), ("bass", low)):
        # a style without a chord part (ambient's pads, which a pianist plays as held chords) or without a bass
        # (the pianist's left hand, on the roots)
        v = first(role, "pad") if role == "comp" else first(role)
        if v is None and role == "bass" and program is not None and kept:
            v = Voice("bass", program, "R-------R-------", 36, "single", 80, everywhere, False, 0.7, kept[0].style)
        if v is None or program is None:
            continue
        if role == "comp" and v.role == "pad" and _chordal(program):  # a pad's held chord is a pianist's broken one
            v = replace(v, pattern=BROKEN_CHORD, voicing="open", low=max(v.low, 48))
        kept.append(replace(v, role=role, program=program, drive=0.0,
                            # the tune after the accompanist's opening bars (the style's own lead sections
                            # left a 10 s flute and guitar duet without its flute: its lead was the chorus's)
                            sections=everywhere[1:] if role == "lead" and not lone else everywhere,
                            # a soloist's tune is the piece: it seldom rests (ambient's sparse lead left a calm
                            # piano piece three notes in twelve seconds)
                            density=1.0 if role == "lead" and lone else max(v.density, 0.85) if role == "lead"
                            else v.density,
                            low=max(v.low, 36) if role == "bass" and _chordal(program) else v.low,
                            # a guitar alone is recorded in stereo: its chords double-tracked (a piano's
                            # samples are stereo already)
                            double=role == "comp" and 24 <= program <= 31))
    if not any(v.role in ("lead", "comp") for v in kept):
        return None
    for program in named:  # the others named (strings under a piano): holding the chords
        if program not in {v.program for v in kept}:
            v = first("pad", "comp")
            kept.append(Voice("pad", program, "C---------------", 55, "open", 60, everywhere, False, 0.7,
                              v.style if v else kept[0].style))
    names = [said[p] for p in named] + (["drums"] if style.instruments.get("drums", 0.0) >= 0.3 else [])
    spoken = ", ".join(f"the {n}" for n in names[:-1]) + f" and the {names[-1]}" if len(names) > 1 else names[0]
    # who plays the melody is said here, once ('the piano plays the melody' before would be the band's news)
    # and the band's players left out or swapped for what was avoided are no news: nobody but the named plays
    notes[:] = [n for n in notes if not n.endswith(("plays the melody", "play the melody", " as a comp", " as a pad"))
                and not re.search(r" (?:left|swapped) out \(", n)]
    notes.append(f"played by {spoken} alone, as asked; the {said[lead]} "
                 f"{'play' if is_plural(said[lead]) else 'plays'} the melody" if len(names) > 1 else
                 f"played by the {spoken} alone, as asked")
    return kept, ("solo " + names[0]) if len(names) == 1 else " and ".join(names)


BROKEN_CHORD = "a---a---a---a---"  # a chord played a note a beat, low to high (new age's harp)


# where each instrument's tune sits (MIDI notes: the lowest and highest it plays a melody in), so that a cello's tune
# is not written in a violin's register
SOLO_RANGES = {40: (55, 93), 41: (48, 86), 42: (36, 76), 43: (28, 60), 57: (40, 72), 58: (28, 58), 70: (34, 72),
               71: (50, 89), 68: (58, 91), 73: (60, 96), 56: (54, 82), 65: (49, 80), 66: (44, 75),
               **{bass: (28, 60) for bass in range(32, 40)}}  # 'just a bass line': a bass's register, not F4-G5
TUNE_SPAN = 21  # how far above its lowest note the writer takes a tune (_Writer.lead_scale)


def _fit_register(v: Voice) -> Voice:
    """A solo tune moved by octaves into its instrument's range (SOLO_RANGES)."""
    lo, hi = SOLO_RANGES.get(v.program, (0, 127))
    low = v.low
    while low + TUNE_SPAN > hi and low - 12 >= lo:
        low -= 12
    while low < lo:
        low += 12
    return replace(v, low=low)


# ensembles, choirs and synth pads hold the chords under a solo (piano and strings), they do not take its tune
PAD_PROGRAMS = set(range(48, 56)) | set(range(88, 96))


def _solo_program(label: str) -> int | None:
    """The instrument a label names, played alone: a guitar on its own is an acoustic one."""
    return S.GM_PROGRAMS["acoustic guitar"] if label == "guitar" else _program_of(label)


def _solo_seats(voices: list[Voice]) -> list[Voice]:
    """Where a solo's players sit: one instrument in the middle (a piano's low notes a little left, its high ones
    a little right, as it is recorded), two or three side by side across the middle."""
    players = list(dict.fromkeys(v.program for v in voices))
    seats = {p: 0.0 if len(players) == 1 else -0.3 + 0.6 * i / (len(players) - 1) for i, p in enumerate(players)}
    hands = {"bass": -0.2, "comp": 0.0, "lead": 0.15, "pad": 0.0}
    return [replace(v, pan=round(seats[v.program] + (hands.get(v.role, 0.0) if _chordal(v.program) else 0.0), 2))
            for v in voices]


def _bass_forward(voices: list[Voice], label: str, notes: list[str]) -> list[Voice]:
    """The bass line turned up (played by the bass named, when a particular one is: 'slap bass'); a style without a
    bass part gets one, on the chords' roots."""
    program = _program_of(label)
    assert program is not None
    basses = [v for v in voices if v.role == "bass"]
    if not basses:
        basses = [Voice("bass", program, "R-------R-------", 28, "single", 90, ["intro", "verse", "chorus", "outro"],
                        False, 0.7, "request")]
        voices = voices + basses
        notes.append(f"{label} added")
    elif label != "bass" and basses[0].program != program:
        basses[0].program = program
        notes.append(f"{label} plays the bass line")
    for v in basses:
        v.level_db += FORWARD_DB
    notes.append(f"the bass brought forward in the mix (+{FORWARD_DB:g} dB)")
    return voices


def _levels(voices: list[Voice], style: Style, notes: list[str], rapped: bool = False) -> None:
    """The parts the person asked to hear more (or less) of, turned up (or down) in the mix."""
    for role, db in style.levels.items():
        if not db:
            continue
        parts = [v for v in voices if v.role == role]
        name = PART_NAMES.get(role, role)
        if not parts:
            rap = " (the rapped voice carries the tune here, and I can't set its level yet)" if role == "lead" and \
                rapped else ""
            notes.append(f"this piece has no {name} part to turn {'up' if db > 0 else 'down'}{rap}")
            continue
        for v in parts:
            v.level_db += float(db)
        notes.append(f"the {name} {'up' if db > 0 else 'down'} {abs(db):g} dB in the mix")


def _place(voices: list[Voice], rng: np.random.Generator) -> list[Voice]:
    """Where each part sits in the stereo field, as a mix engineer would put it: bass and melody in the middle,
    driven rhythm guitars double-tracked hard left and right, other accompaniment spread to alternating sides,
    pads near the middle (their samples are wide already)."""
    out: list[Voice] = []
    side = 1 if rng.random() < 0.5 else -1
    for v in voices:
        if v.role == "bass":
            out.append(replace(v, pan=0.0, send=0.02))
        elif v.role == "lead":
            out.append(replace(v, pan=round(float(rng.uniform(-0.12, 0.12)), 2), send=0.25))
        elif v.role == "comp" and (v.drive > 0 or v.program in (29, 30)) and not any(x.double for x in out):
            # the rhythm guitar double-tracked hard left and right (the mix makes the second take), instead of
            # one guitar doubled at the octave
            out.append(replace(v, pan=0.0, send=0.1, octave_double=False, double=True))
        elif v.role == "pad":
            out.append(replace(v, pan=round(side * float(rng.uniform(0.15, 0.35)), 2), send=0.35))
            side = -side
        else:
            out.append(replace(v, pan=round(side * float(rng.uniform(0.45, 0.75)), 2), send=0.2))
            side = -side
    return out


def _band_member(part: S.Part, rng: np.random.Generator) -> int | None:
    """Who plays a part in this piece: a seed's choice among the style's players for it (the style book's own
    player half the time), or None when the part is one some bands have and this one has not."""
    if part.optional and rng.random() >= part.optional:
        return None
    choices = part.programs or S.ALTERNATIVES.get(part.program, (part.program,))
    return choices[0] if rng.random() < 0.5 else int(rng.choice(choices))


def _lineup(style: str, seed: int) -> S.Lineup | None:
    """The band that plays this piece (None: the style chooses player by player). Consecutive seeds take the
    style's line-ups in turn, so the loop's successive takes and a 'something different' (a far seed) meet another
    band rather than, by chance, the same one again."""
    bands = S.LINEUPS.get(style)
    return bands[int(seed) % len(bands)] if bands else None


def _groove(style: str, seed: int) -> S.Groove | None:
    """How the band lays the time down (None: the style book's own drums). Taken in turn like the line-ups, shifted
    by one each time the line-ups come round, so a band does not always meet the same groove."""
    grooves = S.GROOVES.get(style)
    if not grooves:
        return None
    bands = len(S.LINEUPS.get(style, ())) or 1
    # (band + rounds), not (seed + rounds): with five bands and three grooves the latter gave band b groove b % 3
    # on every round, so an electronic, house or funk band only ever met one groove
    return grooves[(int(seed) % bands + int(seed) // bands) % len(grooves)]


def _groove_for(style: str, seed: int, asked: str | None, notes: list[str]) -> tuple[S.Groove | None, bool]:
    """The groove asked for by name (and the notes say so): the style's own when its drummer has it, else another
    style's drums under this style's band ('jazz with a trap beat'; its parts keep their own figures, which are
    written for that style's band); else the seed's groove. And whether it is the one asked for."""
    own = _groove(style, seed)
    asked = (asked or "").lower()
    if asked not in GROOVE_WORDS:  # none asked (requests are fitted first: tools.generate.request)
        return own, False
    found = S.groove_asked(asked, style)
    if found is None:  # the style's own playing is that groove (a blues shuffle)
        return own, False
    if found is False:
        found = next((g for other in GROOVE_WORDS.get(asked, {}) if (g := S.groove_asked(asked, other))), None)
        if found is None:
            notes.append(f"no {asked} groove for {style} here; it keeps its own")
            return own, False
        found = replace(found, patterns=())
    notes.append(f"the {found.name.split(':')[0].split(',')[0]} groove, as asked")
    return found, True


REGISTERS = (0, 7, -5)  # semitones the chords sit above the book's (or band's) register


def _register(seed: int) -> int:
    return REGISTERS[(2 * int(seed)) % len(REGISTERS)]


def _arc(seed: int) -> str:
    """How the band builds (form.ARCS), in turn over successive seeds (3 is prime to the four arcs, so seeds 0-3
    take all four, in another order than the line-ups and grooves)."""
    names = list(form.ARCS)
    return names[(3 * int(seed) + int(seed) // len(names)) % len(names)]


# How dark an electronic or techno record is (the master's first-order low-pass, 6 dB an octave: a tilt, not a
# muffle; None: as mixed). The real electronic soundtracks run from bright to very dark (their spectral centroid
# 220-4200 Hz over 31 songs, nine of them under 1200 Hz); ours ran 2000-3400 Hz. With a tone of its own for each
# seed the detector tells these styles from the real music a little less well (docs/sound.md, round 14). Darker
# than 1500 Hz, a techno band that plays near the middle came within a hair of mono (L/R 0.949). House keeps the
# book's tone: darker, the tagger heard two of four house seeds as techno, electronic and chillout, not house.
RECORD_TONES = (None, 5000.0, 2500.0, 1500.0)
TONED = frozenset({"electronic", "techno"})


def _record_tone(primary: str, style: Style, seed: int, notes: list[str]) -> float | None:
    """The record's low-pass corner (Hz; None: as mixed): dark or sad asks for the darkest, happy for none (and the
    notes say so), and otherwise successive seeds take the tones in turn, shifted every round of four so that a band
    that comes back with every fourth seed (techno's four line-ups) is not always the same record."""
    if primary not in TONED:
        return None
    dark = style.moods.get("dark", 0) + style.moods.get("sad", 0)
    happy = style.moods.get("happy", 0)
    if max(dark, happy) >= 0.3 and dark != happy:
        darkest = RECORD_TONES[-1]
        notes.append(f"a dark record: the master low-passed at {darkest / 1000:g} kHz" if dark > happy else
                     "a bright record: no low-pass on the master")
        return darkest if dark > happy else None
    n = len(RECORD_TONES)
    return RECORD_TONES[(int(seed) + int(seed) // n) % n]


CYMBALS = (S.HAT, S.RIDE, S.OPEN_HAT)


def _regroove(drums: dict[str, dict[int, str]], rng: np.random.Generator) -> dict[str, dict[int, str]]:
    """The drummer's own feel for the style's grooves: the time kept as written, twice as busy (soft notes between
    the hats), on the beats only, or moved from the hi-hat to the ride (8ths or fewer: a 16th-note line on the ride
    is not how funk or disco keep time, and the tagger heard it as techno)."""
    feel = int(rng.integers(4))
    if feel == 0:
        return drums
    out = {}
    for kind, pattern in drums.items():
        groove = dict(pattern)
        for key in [k for k in groove if k in CYMBALS]:
            if feel == 1:
                groove[key] = "".join("o" if ch == "." and i % 2 else ch for i, ch in enumerate(groove[key]))
            elif feel == 2 and groove[key].count(".") < len(groove[key]) - 4:
                groove[key] = _thin(groove[key])
            elif feel == 3 and key == S.HAT and S.RIDE not in groove and \
                    groove[key].count(".") >= len(groove[key]) / 2:  # 16th hats (funk, disco) stay on the hat
                groove[S.RIDE] = groove.pop(key)
        out[kind] = groove
    return out


def _intro_band(voices: list[Voice], drums: dict[str, dict[int, str]],
                rng: np.random.Generator) -> tuple[list[Voice], dict[str, dict[int, str]]]:
    """Who plays the intro, the seed's choice: everyone the style book puts there, the held chords alone (a pad:
    no drums, no bass), or the drums and bass alone. Something always plays, without gaps."""
    start = int(rng.integers(3))
    harmony = [v for v in voices if v.role == "pad"]
    rhythm = [v for v in voices if v.role == "bass"]
    if start == 1 and harmony:
        drums = {**drums, "intro": {}}
        voices = [replace(v, sections=[k for k in v.sections if k != "intro"]) if v.role in ("bass", "lead") else
                  replace(v, sections=sorted(set(v.sections) | {"intro"})) if v is harmony[0] else v for v in voices]
    elif start == 2 and drums.get("verse") and rhythm:
        drums = {**drums, "intro": drums["verse"]}
        voices = [v if v.role == "bass" else replace(v, sections=[k for k in v.sections if k != "intro"])
                  for v in voices]
        voices = [replace(v, sections=sorted(set(v.sections) | {"intro"})) if v.role == "bass" else v
                  for v in voices]
    return voices, drums


def _raps(style: Style, blend: dict[str, float], notes: list[str]) -> bool:
    """Hip-hop is rapped over unless the person asked for no vocals or an instrumental."""
    if blend.get("hip-hop", 0.0) < RAP_MIN_WEIGHT:
        return False
    if "vocals" in {a.lower() for a in style.avoid} or style.instruments.get("instrumental", 0.0) >= 0.5:
        notes.append("no rap vocals, as asked")
        return False
    if blend.get("chillout", 0.0) >= RAP_MIN_WEIGHT and not any(v in style.instruments for v in VOCAL_LABELS):
        # lo-fi hip-hop ('lofi hip hop beat': chillout and hip-hop) is an instrumental: no robot rapper with a
        # party hook over a study beat
        notes.append("no rap: lo-fi hip-hop is an instrumental")
        return False
    return True


def plan(style: Style, seconds: float, seed: int, reference: Reference | None = None,
         themes: list[str] | tuple[str, ...] = ()) -> Arrangement:
    """Every decision for one piece, from the style, the duration, the seed, an optional reference and the
    request's theme words (a rapped hook names them)."""
    rng = np.random.default_rng(seed)
    notes: list[str] = []
    genres = {g: w for g, w in style.genres.items() if g not in set(style.avoid)}
    blend = blend_weights(genres)
    if not blend:
        blend = blend_weights(default_genres(style))
        notes.append(f"no genre given; chose {next(iter(blend))}")
    primary = S.STYLES[next(iter(blend))]
    energy = _energy(style, blend)

    groove, asked_groove = _groove_for(primary.name, seed, style.groove, notes) if reference is None else (None, False)
    groove_note = notes[-1] if asked_groove else ""  # 'the bossa nova groove, as asked'

    # tempo: asked > reference > the blend's range, placed by energy (and within the groove's own range)
    if style.tempo:
        tempo = float(np.clip(style.tempo, 40, 240))
    elif reference is not None and reference.tempo:
        tempo = float(np.clip(reference.tempo, 40, 240))
    else:
        # a groove with a pace of its own is played there (a bossa nova at 150 BPM, jazz's pace, is a samba); a calm
        # piece whose seed chose it keeps its ballad pace ('relaxed jazz' stays near 80)
        paced = groove is not None and groove.tempo and (style.groove or energy > CALM_ENERGY)
        tempo = _tempo(blend, energy, rng, style.moods, groove.tempo if paced else None)

    # harmony: the reference's progression, else one of the primary style's
    if reference is not None and reference.progression:
        progression, chord_bars = list(reference.progression), 1
        native = reference.mode or primary.mode
    else:
        progression = list(primary.progressions[int(rng.integers(len(primary.progressions)))])
        chord_bars = primary.chord_bars
        native = _native_mode(progression, primary.mode)

    # key and mode: asked > reference > the mood > the progression's own
    mode = style.mode or (reference.mode if reference and reference.mode else None)
    if mode is None:
        sad = style.moods.get("sad", 0) + style.moods.get("dark", 0)
        happy = style.moods.get("happy", 0)
        mode = "minor" if sad > happy + 0.2 else "major" if happy > sad + 0.2 else native
    if mode not in ("major", "minor"):
        raise TastemakerError(f"Mode must be major or minor (got {mode!r}).")
    if mode != native:
        progression = [fit_to_mode(c, mode) for c in progression]
    if style.key:
        try:
            tonic = pitch_class(style.key)
        except ValueError:
            raise TastemakerError(f"'{style.key}' is not a key name; use a note like C, F# or Bb.") from None
    elif reference is not None and reference.tonic is not None:
        tonic = reference.tonic
    else:
        tonic = pitch_class(str(rng.choice(primary.keys)))
        if primary.name in S.KEYS_IN_TURN:  # (the draw above stays: the seed's later choices do not move)
            tonic = pitch_class(primary.keys[int(seed) % len(primary.keys)])

    if reference is not None and reference.progression:
        others: list[list[str]] = []
    else:
        others = [[fit_to_mode(c, mode) for c in p] if _native_mode(list(p), primary.mode) != mode else list(p)
                  for p in primary.progressions]
    section_chords = form.progressions(progression, others, _tonic_chord(progression, mode), rng)

    seconds = float(seconds)
    bar_seconds = primary.beats * 60.0 / tempo
    bars = max(1, int(np.ceil(seconds / bar_seconds)))

    # voices: the primary style's parts, plus what the other genres lend (their signature roles)
    voices: list[Voice] = []
    lineup = _lineup(primary.name, seed)
    groove_patterns = dict(groove.patterns) if groove is not None else {}
    for name, weight in blend.items():
        spec = S.STYLES[name]
        lent_lead = False
        for index, part in enumerate(spec.parts):
            if name != primary.name and part.role not in spec.signature:
                continue
            if name != primary.name and part.role == "lead":
                # one melody at a time: a strong secondary genre takes it over with its first (main) melody
                # voice, not a counter-line (classical lends its violin, not the horn that answers it)
                if weight < 0.35 or lent_lead:
                    continue
                lent_lead = True
                voices = [v for v in voices if v.role != "lead"]
            # a lent part plays softer the smaller its genre's share is next to the primary's
            gain = 1.0 if name == primary.name else 0.5 + 0.5 * min(1.0, weight / blend[primary.name])
            if lineup is not None and name == primary.name:
                program = lineup.players[index]
                lift = lineup.lift if part.role in ("comp", "pad") else 0
            else:
                program, lift = _band_member(part, rng), 0
            if program is None:
                continue
            pattern = str(rng.choice(part.patterns))
            if name == primary.name:  # the groove's own figure for this part, where it has one
                pattern = groove_patterns.get(index, pattern)
            voices.append(Voice(
                role=part.role, program=program, pattern=pattern, low=part.low + lift,
                voicing=part.voicing, velocity=int(part.velocity * gain), sections=list(part.sections),
                octave_double=part.octave_double, density=part.density, style=name, drive=part.drive,
            ))
    if reference is None and primary.name not in S.STEADY and primary.name not in QUANTISED:
        # this band's keyboard player or guitarist voices the chords higher or lower (a machine style's chords sit
        # where its patch is programmed: on the judge's seeds, shifting them moved electronic further from the real
        # electronic music, Fréchet 10.1 -> 10.6; docs/sound.md, round 8b)
        shift = _register(seed)
        for v in voices:
            if v.role in ("comp", "pad") and v.style == primary.name and not v.drive and v.voicing != "power":
                v.low += shift
    voices = _apply_instruments(voices, style, notes)
    solo = _solo(voices, style, notes)
    if solo is not None:
        voices = solo[0]
    raps = _raps(style, blend, notes) if solo is None else False
    if raps:
        # the rapper is the melody: hip-hop's own lead steps aside, unless it plays an instrument asked for
        own = {p.program for p in S.STYLES["hip-hop"].parts if p.role == "lead"}
        voices = [v for v in voices if not (v.role == "lead" and v.style == "hip-hop" and v.program in own)]

    if energy <= CALM_ENERGY:  # calm: no timpani or brass coming in for the chorus
        voices = [v for v in voices if not (v.sections == ["chorus"] and v.program in (47, 56, 57, 60, 61))]
    voices = _place(voices, rng) if solo is None else _solo_seats(_place(voices, rng))
    _levels(voices, style, notes, rapped=bool(raps))
    fade = round(min(float(style.fade_out_s), ASKED_FADE_SHARE * seconds), 1) if style.fade_out_s else None
    if fade:
        notes.append(f"it fades out over its last {fade:g} s")
    if primary.name in S.SEATS and solo is None:  # an orchestra sits where its sections sit on the stage
        voices = [replace(v, pan=S.SEATS[primary.name].get(v.program, v.pan)) for v in voices]

    drums = {k: dict(v) for k, v in (groove.drums if groove is not None and groove.drums else primary.drums).items()}
    if not drums:
        drummers = [n for n in blend if S.STYLES[n].drums and blend[n] >= 0.3]
        if drummers:
            drums = {k: dict(v) for k, v in S.STYLES[drummers[0]].drums.items()}
        elif style.instruments.get("drums", 0) >= 0.3:
            drums = {k: dict(v) for k, v in S.STYLES["pop"].drums.items()}
            notes.append("drums added as asked")
    if solo is not None and style.instruments.get("drums", 0.0) < 0.3:
        drums = {}  # nobody but the instruments named
    elif solo is not None and primary.name in ORCHESTRAL:  # a drummer beside the soloist, not the timpanist
        drums = {k: dict(v) for k, v in S.STYLES["pop"].drums.items()}
    if "drums" in {a.lower() for a in style.avoid} and drums:
        drums = {}
        why = style.left_out.get("drums")
        notes.append(f"no drums: {why}" if why else "no drums, as asked")
    if energy > 0.75 and "chorus" in drums:
        drums["verse"] = drums["chorus"]  # high energy: the busy groove throughout
    if energy <= CALM_ENERGY and primary.name in ("classical", "ambient", "new age") and \
            style.instruments.get("drums", 0) < 0.3 and not asked_groove:
        drums = {}  # calm orchestral and ambient music: no percussion at all
    elif energy <= CALM_ENERGY and drums:
        # calm: no busy cymbals, no ghost notes
        drums = {kind: {k: _thin(p) if k in THINNED else p.replace("g", ".") for k, p in pattern.items()}
                 for kind, pattern in drums.items()}

    if asked_groove and not any(p for pattern in drums.values() for p in pattern.values()):
        # 'a solo piano bossa nova', 'a bossa nova without drums': nobody plays the groove asked for
        if groove_note in notes:  # (a solo's notes are rewritten by _solo)
            notes.remove(groove_note)
        notes.append(f"no drums play in it, so no {style.groove} groove")
        asked_groove = False
    if reference is None and not style.avoid:
        if energy > CALM_ENERGY:  # a calm piece keeps its thinned, quiet time
            regrooved = _regroove(drums, rng)
            drums = drums if asked_groove else regrooved  # a groove asked for is played as written (trap's hats)
        voices, drums = _intro_band(voices, drums, rng)
        for v in voices:  # the tune an octave up or down from the book's, as this band's singer or player has it
            if v.role == "lead" and rng.random() < 0.35:
                v.low += 12 if v.low < 66 else -12
    if solo is not None:
        voices = [_fit_register(v) if v.role == "lead" else v for v in voices]
    swing = sum(w * (groove.swing if n == primary.name and groove is not None and groove.swing is not None else
                     S.STYLES[n].swing) for n, w in blend.items())
    motif = reference.motif if reference is not None and reference.motif else None
    if motif:
        notes.append("its tune grows from the melody of the piece it is based on")
    sections = form.layout(bars, rng)
    # the arcs rest a band's players in turn; a solo player plays throughout
    # (a groove asked for is heard from the first bar: no arc that rests the drums, the intro on the groove)
    arc = _arc(seed) if reference is None and primary.name not in S.STEADY and solo is None and not asked_groove else ""
    if asked_groove and drums.get("verse"):
        drums = {**drums, "intro": drums["verse"]}
    if arc and not form.arc_fits(arc, sections):
        arc = ""
    if arc and primary.name in S.GROOVE_FIRST and form.arc_rests(arc, sections) == form.SHORT_ARCS.get(arc):
        arc = ""
    kit = int(rng.choice(lineup.kits if lineup is not None and lineup.kits else S.KITS.get(primary.name, (0,))))
    if groove is not None and groove.kit is not None:  # the groove's own kit (the draw above stays all the same)
        kit = groove.kit
    if solo is not None and primary.name in ORCHESTRAL:
        kit = 8  # the room kit: the drums asked for beside a solo, not an orchestra's bass drum
    # lyrics draw from their own generator, so the rest of a seed's piece is the same with or without them
    vocals = write_lyrics(sections, list(themes), np.random.default_rng([seed, 1])) if raps else []
    return Arrangement(
        seed=int(seed), seconds=seconds, blend={k: round(v, 3) for k, v in blend.items()}, primary=primary.name,
        tempo=round(tempo, 2), tonic=tonic, mode=mode, beats=primary.beats, swing=round(float(swing), 3),
        swing_unit=primary.swing_unit, energy=round(energy, 3), progression=progression, chord_bars=chord_bars,
        sections=sections, voices=voices, drums=drums, lead_scale=primary.lead_scale,
        fills=primary.fills or (solo is not None and not voices), humanise=primary.name not in QUANTISED,
        motif=motif, notes=notes, vocals=vocals,
        section_chords=section_chords, kit=kit,
        lineup=solo[1] if solo is not None else lineup.name if lineup is not None else "",
        groove=groove.name if groove is not None else "", groove_asked=asked_groove,
        arc=arc, fade_out_s=fade, tone_hz=_record_tone(primary.name, style, seed, notes), solo=solo is not None,
    )


# ------------------------------------------------------------------------------------------ writing notes

class _Writer:
    """Turns an Arrangement into notes on pretty_midi instruments."""

    def __init__(self, arr: Arrangement):
        self.arr = arr
        self.rng = np.random.default_rng(arr.seed + 7919)  # separate stream: planning changes don't shift notes
        self.steps = arr.beats * 4
        self.step_s = arr.step_seconds
        chords = arr.section_chords or {"verse": arr.progression}
        self.chords = {kind: [parse_roman(c, arr.tonic, arr.mode) for c in prog] for kind, prog in chords.items()}
        self.section_of_bar: list[str] = []
        self.section_start: list[int] = []  # the first bar of each bar's section
        self.occurrence: list[int] = []  # how many sections of this kind came before (0: the first)
        self.arc_rests = form.arc_rests(arr.arc, arr.sections)
        self.final_chorus = -1
        seen: dict[str, int] = {}
        for kind, first, n in arr.sections:
            self.section_of_bar += [kind] * n
            self.section_start += [first] * n
            self.occurrence += [seen.get(kind, 0)] * n
            seen[kind] = seen.get(kind, 0) + 1
            if kind == "chorus":
                self.final_chorus = first
        self.spread = P.timing_spread_s(arr.primary) if arr.humanise else 0.0

    # time and dynamics
    def time(self, bar: int, step: float) -> float:
        t = self.arr.grid_time(bar, step)
        if self.spread:
            t += float(self.rng.normal(0, self.spread))
        return max(0.0, t)

    def gain(self, bar: int) -> float:
        """The section's level (the final chorus the biggest) on the piece's energy."""
        kind = self.section_of_bar[bar]
        gains, final = form.STYLE_SECTION_GAIN.get(self.arr.primary, (form.SECTION_GAIN, form.FINAL_CHORUS_GAIN))
        g = final if kind == "chorus" and self.section_start[bar] == self.final_chorus else gains[kind]
        return g * (0.8 + 0.3 * self.arr.energy)

    def velocity(self, base: float, bar: int, step: int | None = None) -> int:
        jitter = self.rng.integers(-5, 6) if self.arr.humanise else 0
        lilt = P.accent(step) if (step is not None and self.arr.humanise) else 0
        return int(np.clip(base * self.gain(bar) + jitter + lilt, 1, 127))

    def rests(self, role: str, bar: int) -> bool:
        """Whether the piece's arc has this role sit out the bar's section."""
        return role in self.arc_rests.get((self.section_of_bar[bar], self.occurrence[bar]), ())

    def plays(self, v: Voice, bar: int) -> bool:
        kind = self.section_of_bar[bar]
        return form.PLAYS_AS.get(kind, kind) in v.sections and not self.rests(v.role, bar)

    def chord_at(self, bar: int) -> Chord:
        if bar >= len(self.section_of_bar):  # past the end: the outro's home chord
            chords = self.chords.get("outro") or self.chords["verse"]
            return chords[-1]
        kind = self.section_of_bar[bar]
        chords = self.chords.get(kind) or self.chords["verse"]
        return chords[((bar - self.section_start[bar]) // self.arr.chord_bars) % len(chords)]

    def next_chord(self, bar: int) -> Chord:
        return self.chord_at(bar + self.arr.chord_bars - ((bar - self.section_start[bar]) % self.arr.chord_bars))

    # pattern helpers
    def events(self, pattern: str, bar: int) -> list[tuple[int, str, int]]:
        """(step, char, length in steps) for the bar's slice of a pattern; '-' extends the previous onset.

        A pattern longer than a bar holds its notes across the bar lines (a two-bar pad is one long chord), up to
        the next chord change; a hold that reaches into a new chord strikes again on its first step.
        """
        n = self.steps
        into = 0
        if len(pattern) < n:
            full, offset, reach = (pattern * int(np.ceil(n / len(pattern))))[:n], 0, n
        else:
            bars_in_pattern = len(pattern) // n
            full, offset = pattern[: bars_in_pattern * n], (bar % bars_in_pattern) * n
            chord_bars = self.arr.chord_bars
            into = (bar - self.section_start[bar]) % chord_bars if bar < len(self.section_start) else bar % chord_bars
            reach = (chord_bars - into) * n  # steps from this bar's start to the next chord change
        out: list[tuple[int, str, int]] = []
        for i in range(n):
            ch = full[(offset + i) % len(full)]
            if ch == "." or (ch == "-" and not (i == 0 and len(pattern) > n and into == 0)):
                continue
            if ch == "-":  # a held chord meets a new one at the bar line: strike the held onset again
                back = next((full[(offset - k) % len(full)] for k in range(1, len(full))
                             if full[(offset - k) % len(full)] not in "-."), None)
                if back is None:
                    continue
                ch = back
            length = 1
            while i + length < reach and full[(offset + i + length) % len(full)] == "-":
                length += 1
            out.append((i, ch, length))
        return out

    @staticmethod
    def _place(pc: int, low: int) -> int:
        """The pitch with pitch class pc in [low, low + 11]."""
        return low + (pc - low) % 12

    def voicing(self, chord: Chord, v: Voice, previous: list[int] | None) -> list[int]:
        root = self._place(chord.root, v.low)
        iv = chord.intervals
        third = next((i for i in iv if i in (3, 4)), None)
        seventh = next((i for i in iv if i in (10, 11)), None)
        if v.voicing == "power":
            return [root, root + 7, root + 12]
        if v.voicing == "single":
            return [root]
        if v.voicing == "open":
            top = root + 12 + (third if third is not None else 7)
            return [root, root + 7, top] + ([root + 14] if 14 in iv else [])
        if v.voicing == "shell":
            # rootless 3-5-7-9 voicing, the jazz pianist's left hand
            base = [third if third is not None else 5, 7, seventh if seventh is not None else 9, 14]
            return sorted(self._place((chord.root + i) % 12, v.low) for i in base)
        tones = [i for i in iv if i != 14] if v.voicing == "triad" else list(iv)
        if v.voicing == "seventh" and seventh is None and len(tones) < 4:
            tones = tones + [12]
        tones = [i for i in tones if i < 12] + ([12] if 12 in tones else [])
        # choose the inversion closest to the previous chord (smooth voice leading)
        candidates = []
        for inv in range(len(tones)):
            pcs = [(chord.root + i) % 12 for i in tones[inv:] + tones[:inv]]
            pitches, p = [], v.low - 1
            for pc in pcs:
                p = p + 1 + (pc - p - 1) % 12
                pitches.append(p)
            candidates.append(pitches)
        if previous:
            centre = float(np.mean(previous))
            return min(candidates, key=lambda ps: abs(float(np.mean(ps)) - centre))
        return candidates[0]

    def add(self, inst: pretty_midi.Instrument, pitch: int, start: float, end: float, vel: int) -> None:
        if 0 <= pitch <= 127 and end > start:
            inst.notes.append(pretty_midi.Note(velocity=vel, pitch=int(pitch), start=start, end=end))

    # parts
    def write_chords(self, v: Voice, inst: pretty_midi.Instrument) -> None:
        previous: list[int] | None = None
        for bar in range(self.arr.bars):
            if not self.plays(v, bar):
                continue
            chord = self.chord_at(bar)
            if bar == self.section_start[bar] and previous:
                # a new section, a new place on the keyboard: repeats of a section are voiced differently
                drift = (3, -3, 5, 0)[(self.occurrence[bar] + ("chorus" == self.section_of_bar[bar])) % 4]
                previous = [p + drift for p in previous]
            pitches = self.voicing(chord, v, previous)
            previous = pitches
            arp = sorted(pitches) + [p + 12 for p in sorted(pitches)]
            arp_i = 0
            for step, ch, length in self.events(v.pattern, bar):
                start = self.time(bar, step)
                end = self.time(bar, step + length) - 0.01
                if ch == "a":
                    up_down = arp + arp[-2:0:-1]
                    self.add(inst, up_down[arp_i % len(up_down)], start, end + 0.05,
                             self.velocity(v.velocity, bar, step))
                    arp_i += 1
                    continue
                vel = self.velocity(v.velocity * (1.0 if ch == "C" else 0.8 if ch == "c" else 0.85), bar, step)
                if ch == "m":
                    end = start + self.step_s * 0.6
                    chord_pitches = pitches[:2]
                else:
                    chord_pitches = pitches
                for p in chord_pitches:
                    self.add(inst, p, start, end, vel)
                    if v.octave_double:
                        self.add(inst, p + 12, start, end, int(vel * 0.8))

    def write_bass(self, v: Voice, inst: pretty_midi.Instrument) -> None:
        scale = scale_pitches(self.arr.tonic, self.arr.mode, v.low, v.low + 24)
        for bar in range(self.arr.bars):
            if not self.plays(v, bar):
                continue
            chord, nxt = self.chord_at(bar), self.next_chord(bar)
            root = self._place(chord.root, v.low)
            target = self._place(nxt.root, v.low)
            third = next((i for i in chord.intervals if i in (3, 4)), 4)
            seventh = next((i for i in chord.intervals if i in (10, 11)), 10)
            events = self.events(v.pattern, bar)
            walkers = [e for e in events if e[1] == "w"]
            walk_i = 0
            for step, ch, length in events:
                if ch == "R":
                    p = root
                elif ch in "35678":
                    p = root + {"3": third, "5": 7, "6": 9, "7": seventh, "8": 12}[ch]
                elif ch == "w":
                    walk_i += 1
                    aim = root + (target - root) * walk_i / (len(walkers) + 1)
                    if target == root:
                        aim = root + 2 * walk_i
                    p = min(scale, key=lambda s: abs(s - aim)) if scale else int(aim)
                elif ch == "c":
                    p = target - 1 if target > root else target + 1
                else:
                    continue
                start = self.time(bar, step)
                self.add(inst, p, start, self.time(bar, step + length) - 0.02, self.velocity(v.velocity, bar, step))

    def lead_scale(self, v: Voice) -> list[int]:
        tonic, mode = self.arr.tonic, self.arr.mode
        if self.arr.lead_scale == "blues":
            pcs = {(tonic + i) % 12 for i in (0, 3, 5, 6, 7, 10)}
        elif self.arr.lead_scale == "pentatonic":
            pcs = {(tonic + i) % 12 for i in ((0, 2, 4, 7, 9) if mode == "major" else (0, 3, 5, 7, 10))}
        else:
            return scale_pitches(tonic, mode, v.low, v.low + 21)
        return [p for p in range(v.low, v.low + 22) if p % 12 in pcs]

    def make_motif(self, v: Voice, bars: int = 2) -> list[tuple[int, int, int]]:
        """A phrase as (onset step, length, scale steps relative to its first note): a seeded random walk."""
        out: list[tuple[int, int, int]] = []
        degree = 0
        for b in range(bars):
            for step, _, length in self.events(v.pattern, b):
                if out and self.rng.random() > v.density:
                    continue
                out.append((b * self.steps + step, length, degree))
                degree += int(self.rng.choice([-2, -1, -1, 1, 1, 2, 0, 3, -3]))
                degree = int(np.clip(degree, -4, 7))
        return out

    def vary(self, motif: list[tuple[int, int, int]], repeat: int) -> list[tuple[int, int, int]]:
        """A repeat of a phrase as a player would vary it: some notes moved a step or two, a long note split,
        the odd note left out, every third time the whole phrase a step higher (a sequence). The first time is
        the phrase itself."""
        if repeat == 0 or len(motif) < 2:
            return motif
        shift = 2 if repeat % 3 == 2 else 0
        out = [(motif[0][0], motif[0][1], motif[0][2] + shift)]
        for onset, length, deg in motif[1:]:
            r = self.rng.random()
            if r < 0.1:
                continue
            if r < 0.4:
                deg += int(self.rng.choice([-2, -1, 1, 2]))
            if length >= 4 and self.rng.random() < 0.35:
                half = length // 2
                out += [(onset, half, deg + shift), (onset + half, length - half, deg + shift + 1)]
                continue
            out.append((onset, length, int(np.clip(deg, -5, 9)) + shift))
        return out

    def write_lead(self, v: Voice, inst: pretty_midi.Instrument) -> None:
        scale = self.lead_scale(v)
        if not scale:
            return
        phrase_bars = 2
        motifs: dict[str, list[tuple[int, int, int]]] = {}
        repeats: dict[str, int] = {}
        if self.arr.motif:
            phrase_bars = max(1, int(np.ceil((max(s + n for s, n, _ in self.arr.motif)) / self.steps)))
        for bar in range(0, self.arr.bars, phrase_bars):
            kind = self.section_of_bar[bar]
            if not self.plays(v, bar):
                continue
            if kind not in motifs:
                motifs[kind] = self.arr.motif if self.arr.motif else self.make_motif(v, phrase_bars)
            motif = self.vary(motifs[kind], repeats.get(kind, 0))
            repeats[kind] = repeats.get(kind, 0) + 1
            chord = self.chord_at(bar)
            # anchor the phrase on a chord tone in the middle of the range, higher in the chorus
            centre = scale[len(scale) // 2] + (3 if kind == "chorus" else 0)
            anchors = [p for p in scale if p % 12 in chord.pitch_classes()] or scale
            start_idx = scale.index(min(anchors, key=lambda p: abs(p - centre)))
            for onset, length, deg in motif:
                b = bar + onset // self.steps
                if b >= self.arr.bars or not self.plays(v, b):
                    continue
                step = onset % self.steps
                idx = int(np.clip(start_idx + deg, 0, len(scale) - 1))
                pitch = scale[idx]
                if step % 4 == 0:  # strong beats land on the chord of the moment
                    tones = [p for p in scale if p % 12 in self.chord_at(b).pitch_classes()]
                    if tones:
                        pitch = min(tones, key=lambda p: abs(p - pitch))
                start = self.time(b, step)
                end = self.time(b, step + length) - 0.02
                self.add(inst, pitch, start, end, self.velocity(v.velocity, b, step))

    FILLS = (
        ((12, S.SNARE), (13, S.HIGH_TOM), (14, S.MID_TOM), (15, S.LOW_TOM)),
        ((12, S.SNARE), (13, S.SNARE), (14, S.SNARE), (15, S.SNARE)),
        ((8, S.HIGH_TOM), (10, S.HIGH_TOM), (12, S.MID_TOM), (14, S.LOW_TOM)),
        ((12, S.SNARE), (14, S.MID_TOM), (15, S.LOW_TOM)),
    )

    def drum_pattern(self, bar: int) -> dict[int, str]:
        """The bar's groove: its section's; a bridge drops back to the intro's (a breakdown)."""
        kind = self.section_of_bar[bar]
        if kind == "bridge":
            return self.arr.drums.get("intro") or self.arr.drums.get("verse") or {}
        return self.arr.drums.get(kind) or {}

    def write_drums(self, inst: pretty_midi.Instrument) -> None:
        arr = self.arr
        if not arr.drums:
            return
        lively = arr.energy > CALM_ENERGY and arr.humanise
        # a drummer alone (a drum solo) fills every other bar, whole fills, where a band's drummer marks a phrase
        phrase = 2 if arr.solo and not arr.voices else 4
        for bar in range(arr.bars):
            kind = self.section_of_bar[bar]
            pattern = self.drum_pattern(bar)
            if self.rests("drums", bar):
                continue
            in_section = bar - self.section_start[bar]
            last_of_section = bar + 1 < arr.bars and self.section_of_bar[bar + 1] != kind
            fill = None
            if arr.fills and kind in ("verse", "chorus", "bridge") and \
                    (last_of_section or in_section % phrase == phrase - 1):
                fill = self.FILLS[int(self.rng.integers(len(self.FILLS)))]
                if not last_of_section and phrase == 4:  # a phrase end inside a section: only the last beat
                    fill = tuple(f for f in fill if f[0] >= 14) or fill[-1:]
            fill_from = min(step for step, _ in fill) if fill else None
            for key, pat in pattern.items():
                for step, ch, _ in self.events(pat, bar):
                    if fill_from is not None and step >= fill_from and key not in (S.KICK, S.CRASH):
                        continue
                    start = self.time(bar, step)
                    self.add(inst, key, start, start + 0.1, self.velocity(VELOCITY.get(ch, 90), bar, step))
                # a drummer's small changes: a ghost note or a pick-up kick here and there
                if lively and key == S.SNARE and self.rng.random() < 0.3:
                    step = int(self.rng.choice([3, 7, 9, 15]))
                    if fill_from is None or step < fill_from:
                        self.add(inst, S.SNARE, self.time(bar, step), self.time(bar, step) + 0.08,
                                 self.velocity(40, bar))
                if lively and key == S.KICK and self.rng.random() < 0.2:
                    step = int(self.rng.choice([7, 10, 14]))
                    self.add(inst, S.KICK, self.time(bar, step), self.time(bar, step) + 0.1, self.velocity(80, bar))
            for step, drum in fill or ():
                start = self.time(bar, step)
                self.add(inst, drum, start, start + 0.1, self.velocity(88 + 4 * (step - 12), bar))
            if bar > 0 and self.section_of_bar[bar - 1] != kind and kind in ("chorus", "outro", "verse") \
                    and pattern:
                self.add(inst, S.CRASH, self.time(bar, 0), self.time(bar, 0) + 0.5, self.velocity(110, bar))


def voice_name(index: int, v: Voice) -> str:
    """The MIDI track name of a voice (the renderer finds driven voices by it)."""
    return f"{index + 1}. {v.role} ({v.style}){' driven' if v.drive > 0 else ''}"


def to_midi(arr: Arrangement) -> pretty_midi.PrettyMIDI:
    """The arrangement's notes, one instrument per voice plus a drum kit."""
    pm = pretty_midi.PrettyMIDI(initial_tempo=arr.tempo)
    pm.time_signature_changes.append(pretty_midi.TimeSignature(arr.beats, 4, 0.0))
    pm.key_signature_changes.append(
        pretty_midi.KeySignature(pretty_midi.key_name_to_key_number(f"{NOTE_NAMES[arr.tonic]} {arr.mode}"), 0.0))
    writer = _Writer(arr)
    for i, v in enumerate(arr.voices):
        inst = pretty_midi.Instrument(program=v.program, name=voice_name(i, v))
        inst.control_changes += [pretty_midi.ControlChange(10, int(np.clip(round(64 + 63 * v.pan), 0, 127)), 0.0),
                                 pretty_midi.ControlChange(91, int(round(127 * v.send)), 0.0)]
        if v.role == "bass":
            writer.write_bass(v, inst)
        elif v.role == "lead":
            writer.write_lead(v, inst)
            P.vibrato(inst, writer.rng)
        else:
            writer.write_chords(v, inst)
        if arr.solo and v.role in ("comp", "bass"):  # a pianist alone holds the harmony with the pedal
            P.pedal(inst, arr.bar_seconds, arr.seconds)
        if v.role in ("pad", "lead") and inst.program in P.SUSTAINED | set(range(88, 96)):
            P.swells(inst, [(first * arr.bar_seconds, (first + n) * arr.bar_seconds, writer.gain(first))
                            for _, first, n in arr.sections])
        if inst.notes:
            pm.instruments.append(inst)
    drums = pretty_midi.Instrument(program=arr.kit, is_drum=True, name="drums")
    drums.control_changes += [pretty_midi.ControlChange(10, 64, 0.0), pretty_midi.ControlChange(91, 15, 0.0)]
    writer.write_drums(drums)
    if drums.notes:
        pm.instruments.append(drums)
    # the rapped lines travel in the MIDI as lyric events on their bars
    pm.lyrics.extend(pretty_midi.Lyric(text, bar * arr.bar_seconds) for bar, text in arr.vocals)
    return pm
