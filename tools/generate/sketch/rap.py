"""Rapped vocals for the sketch engine's hip-hop: a line on every bar, spoken by espeak-ng, each word on the beat.

The pretrained tagger hears hip-hop by its rap vocals: an instrumental boom-bap sketch scored MSD
hip-hop 0.006, the same beat with a line rapped on each bar about 0.2 (often its top tag). espeak-ng is
Debian's offline text-to-speech program (`apt-get install espeak-ng`); without it the piece stays
instrumental and its notes say why.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf

if TYPE_CHECKING:
    from tools.generate.sketch.arranger import Arrangement

# Stock verse lines, about eight syllables each so one fills a bar at 84-100 BPM.
VERSE_LINES = (
    "we ride through the city late at night",
    "never stop never drop keep it tight",
    "got the rhythm in my soul and the bass in my chest",
    "microphone check one two let it roll",
    "step to the beat and we never look back",
    "the snare go crack and the kick hit deep",
    "from the bottom of the block to the top of the sky",
    "every word that I say is a part of the song",
    "dusty records spinning round and round",
    "head nod slow when the beat comes in",
    "write it in the notebook read it on the mic",
    "all my people in the back put your hands up high",
    "cold coffee warm lights and a late train home",
    "keep it moving keep it real keep it true",
    "the city never sleeps and neither do I",
    "one more verse then we take it from the top",
)
# Verse lines about the request's themes, alternating with the stock ones ({w}: a theme word).
THEME_LINES = (
    "{w} on my mind every day and night",
    "talking bout the {w} and you know it's right",
    "{w} in the air when the beat comes in",
    "all about the {w} let the night begin",
)
HOOKS = (
    "this is how we do it one more time",
    "turn it up turn it up let the music play",
    "hands up high and feel the beat tonight",
)
INTRO_ADLIBS = ("yeah, check it out", "uh, one two, one two", "yeah, come on", "uh, let's go")
OUTRO_ADLIBS = ("yeah, that's it", "uh, peace out", "yeah, one more time")
VOICE = "en-us"
SPEED_WPM = 175  # espeak-ng's speaking rate; a line that runs long is spoken again, faster
MAX_SPEED_WPM = 320  # past this the words blur; a word still too long is cut (with a fade) past its slot
# An SSML break between words, so they can be cut apart (espeak-ng's own -g word gap leaves none inside
# "of the" or "in the": it speaks those as one word).
WORD_BREAK_MS = 250
MIN_GAP_S = 0.15  # a silence this long separates two words (stop consonants are far shorter)
OVERHANG = 1.25  # a word may ring on a quarter past its slot into the next word's
PITCH = 35  # espeak-ng pitch 0-99: lower than its default 50, nearer a rapper's register
# Who raps, in turn over successive seeds like the band (styles.LINEUPS): (espeak-ng voice, pitch). A crew's MCs
# differ in voice more than anything else on the record: the book's, a deeper one, a woman's, a higher, nasal one.
MCS = ((VOICE, PITCH), (VOICE + "+m3", 28), (VOICE + "+f2", 45), ("en+m7", 40))
FILL = 0.9  # a line may take this share of its bar (14 of 16 sixteenths), leaving a breath before the next
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")  # letters (any script) and inner apostrophes: safe inside SSML


def espeak() -> str | None:
    """The espeak-ng program (or the older espeak), if this machine has it."""
    return shutil.which("espeak-ng") or shutil.which("espeak")


def write_lyrics(sections: list[tuple[str, int, int]], themes: list[str],
                 rng: np.random.Generator) -> list[tuple[int, str]]:
    """(bar, line) for every bar: ad-libs on the intro and outro, stock verse lines, and a chorus hook that
    names the themes (the tagger hears hip-hop by the voice, so no bar is left without one)."""
    words = [w for t in themes for w in t.split() if w.isalpha()][:4]  # a taste's theme can be two words
    hook = f"{', '.join(words)}, that is what we talk about" if words else str(rng.choice(HOOKS))
    stock = list(rng.permutation(VERSE_LINES))
    verses = stock
    if words:  # every other verse line is about a theme word, in turn
        about = [THEME_LINES[i % len(THEME_LINES)].format(w=words[i % len(words)]) for i in range(len(stock))]
        verses = [line for pair in zip(about, stock) for line in pair]
    lines: list[tuple[int, str]] = []
    has_chorus = any(kind == "chorus" for kind, _, _ in sections)
    sung_verses = 0
    for kind, first, n in sections:
        for i, bar in enumerate(range(first, first + n)):
            if kind == "intro":
                line = INTRO_ADLIBS[i % len(INTRO_ADLIBS)]
            elif kind == "outro":
                line = OUTRO_ADLIBS[i % len(OUTRO_ADLIBS)]
            elif kind == "chorus" or (i == 0 and not has_chorus):  # a piece too short for a chorus opens on the hook
                line = hook
            else:
                line = verses[sung_verses % len(verses)]
                sung_verses += 1
            lines.append((bar, line))
    return lines


def mc_for(seed: int) -> tuple[str, int]:
    """The MC of a piece: (espeak-ng voice, pitch)."""
    return MCS[int(seed) % len(MCS)]


def speak(text: str, sample_rate: int, speed: int = SPEED_WPM, ssml: bool = False,
          mc: tuple[str, int] = MCS[0]) -> np.ndarray:
    """`text` (SSML when `ssml`) spoken by espeak-ng's `mc` (voice, pitch) at `speed` words a minute, silence
    trimmed, as mono float32 at `sample_rate`."""
    import soxr  # librosa's resampler, called directly: librosa's first call costs ~1.5 s of imports

    program = espeak()
    if program is None:
        raise FileNotFoundError("espeak-ng")
    command = [program, *(["-m"] if ssml else []), "-v", mc[0], "-s", str(speed), "-p", str(mc[1]), "--stdout",
               text]
    wav = subprocess.run(command, capture_output=True, check=True, timeout=30).stdout
    voice, rate = sf.read(io.BytesIO(wav), dtype="float32")
    voiced = np.flatnonzero(np.abs(voice) > 0.03 * np.abs(voice).max()) if voice.size else []
    if len(voiced):
        voice = voice[voiced[0] : voiced[-1] + 1]
    return soxr.resample(voice, rate, sample_rate, quality="HQ").astype(np.float32)


def speak_words(words: list[str], sample_rate: int, speed: int, mc: tuple[str, int] = MCS[0]) -> list[np.ndarray]:
    """Each word's audio, from one reading of the line with a break after every word (words are letters and
    apostrophes only, so they are safe inside SSML)."""
    breath = f' <break time="{WORD_BREAK_MS}ms"/> '
    return split_words(speak(f"<speak>{breath.join(words)}</speak>", sample_rate, speed, ssml=True, mc=mc),
                       sample_rate)


def split_words(voice: np.ndarray, sample_rate: int) -> list[np.ndarray]:
    """The stretches of `voice` between silences longer than MIN_GAP_S."""
    envelope = np.convolve(np.abs(voice), np.ones(sample_rate // 200) / (sample_rate // 200), mode="same")
    loud = np.flatnonzero(envelope > 0.02 * envelope.max()) if voice.size else np.array([], int)
    if not len(loud):
        return []
    breaks = np.flatnonzero(np.diff(loud) > MIN_GAP_S * sample_rate)
    starts = [loud[0], *loud[breaks + 1]]
    ends = [*loud[breaks], loud[-1]]
    return [voice[a : b + 1] for a, b in zip(starts, ends)]


def syllables(word: str) -> int:
    """A syllable count good enough for placing words: vowel groups, a silent final e not counted."""
    w = word.lower().strip("'")
    if len(w) > 2 and w.endswith("e") and not w.endswith(("le", "ee")):
        w = w[:-1]
    return max(1, len(re.findall(r"[aeiouy]+", w)))


def flow(words: list[str], room: int) -> list[tuple[float, float]]:
    """(first 16th, 16ths) of each word in a bar: a syllable on each 8th when the line is short enough, else
    on each 16th; a line longer still is spread evenly over `room` 16ths (its words between the grid lines)."""
    if not words:
        return []
    counts = [syllables(w) for w in words]
    total = sum(counts)
    unit = 2 if 2 * total <= room else 1
    scale = min(1.0, room / (unit * total))
    starts = [unit * sum(counts[:i]) * scale for i in range(len(words))]
    return [(a, b - a) for a, b in zip(starts, starts[1:] + [unit * total * scale])]


def fit_line(text: str, room_s: float, sample_rate: int, mc: tuple[str, int] = MCS[0]) -> np.ndarray:
    """The line spoken fast enough to fit `room_s` seconds (faster speech, never a time-stretch's smear)."""
    voice = speak(text, sample_rate, mc=mc)
    if len(voice) > room_s * sample_rate:
        speed = min(MAX_SPEED_WPM, int(SPEED_WPM * len(voice) / (room_s * sample_rate) * 1.05) + 1)
        voice = speak(text, sample_rate, speed, mc=mc)
    return _cut(voice, room_s, sample_rate)


def _cut(voice: np.ndarray, seconds: float, sample_rate: int) -> np.ndarray:
    """At most `seconds` long; a cut ends in a 20 ms fade, not a click."""
    n = int(seconds * sample_rate)
    if len(voice) <= n:
        return voice
    voice = voice[:n].copy()
    fade = min(n, int(0.02 * sample_rate))
    voice[n - fade :] *= np.linspace(1, 0, fade, dtype=np.float32)
    return voice


def on_the_beat(text: str, steps: int, step_s: float, sample_rate: int,
                mc: tuple[str, int] = MCS[0]) -> list[tuple[float, np.ndarray]]:
    """(16th, audio) for each word of a line, so every word starts on the grid; the whole line at the first
    16th when its words cannot be cut apart."""
    words = WORD.findall(text)
    room = int(FILL * steps)
    slots = flow(words, room)
    speed = SPEED_WPM
    for _ in range(2):  # a second, faster reading when the words run past their slots
        spoken = speak_words(words, sample_rate, speed, mc)
        if len(spoken) != len(words):
            return [(0, fit_line(text, room * step_s, sample_rate, mc))]
        overrun = max(len(w) / (n * step_s * sample_rate) for w, (_, n) in zip(spoken, slots))
        if overrun <= OVERHANG or speed >= MAX_SPEED_WPM:
            break
        speed = min(MAX_SPEED_WPM, int(speed * overrun / OVERHANG) + 1)
    return [(a, _cut(w, n * step_s * OVERHANG, sample_rate)) for w, (a, n) in zip(spoken, slots)]


def render_rap(arrangement: "Arrangement", sample_rate: int) -> np.ndarray:
    """The arrangement's lines as one vocal track (peak 1), rapped by the piece's MC: every word on its 16th of its
    bar, swing included."""
    steps = arrangement.beats * 4
    out = np.zeros(round(arrangement.seconds * sample_rate), dtype=np.float32)
    placed: dict[str, list[tuple[float, np.ndarray]]] = {}  # the hook repeats: speak it once
    for bar, text in arrangement.vocals:
        if text not in placed:
            placed[text] = on_the_beat(text, steps, arrangement.step_seconds, sample_rate, mc_for(arrangement.seed))
        for step, word in placed[text]:
            start = round(arrangement.grid_time(bar, step) * sample_rate)
            n = max(0, min(len(word), len(out) - start))
            out[start : start + n] += word[:n]
    return out / max(float(np.abs(out).max()), 1e-9)
