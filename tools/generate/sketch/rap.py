"""Rapped vocals for the sketch engine's hip-hop: lyrics on the bars, spoken by espeak-ng, fitted to the beat.

The pretrained tagger hears hip-hop by its rap vocals: an instrumental boom-bap sketch scored MSD
hip-hop 0.006, the same beat with a line rapped on each bar 0.20 (its top tag). espeak-ng is Debian's
offline text-to-speech program (`apt-get install espeak-ng`); without it the piece stays instrumental
and its notes say why.
"""

from __future__ import annotations

import io
import shutil
import subprocess

import numpy as np
import soundfile as sf

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
HOOKS = (
    "this is how we do it one more time",
    "turn it up turn it up let the music play",
    "hands up high and feel the beat tonight",
)
INTRO_ADLIBS = ("yeah, check it out", "uh, one two, one two", "yeah, come on", "uh, let's go")
OUTRO_ADLIBS = ("yeah, that's it", "uh, peace out", "yeah, one more time")
VOICE = "en-us"
SPEED_WPM = 175  # espeak-ng's speaking rate; a line that runs long is spoken again, faster
MAX_SPEED_WPM = 320  # past this the words blur; a line still too long is cut at the end of its bar
PITCH = 35  # espeak-ng pitch 0-99: lower than its default 50, nearer a rapper's register
FILL = 0.92  # a line may take this share of its bar, leaving a breath before the next
LEVEL = 0.8  # the voice's peak against the band's


def espeak() -> str | None:
    """The espeak-ng program (or the older espeak), if this machine has it."""
    return shutil.which("espeak-ng") or shutil.which("espeak")


def write_lyrics(sections: list[tuple[str, int, int]], themes: list[str], rng: np.random.Generator) -> list[tuple[int, str]]:
    """(bar, line) for every bar: ad-libs on the intro and outro, stock verse lines, and a chorus hook that
    names the themes (the tagger hears hip-hop by the voice, so no bar is left without one)."""
    words = [t for t in themes if t.isalpha()][:4]
    hook = f"{', '.join(words)}, that is what we talk about" if words else str(rng.choice(HOOKS))
    verses = list(rng.permutation(VERSE_LINES))
    lines: list[tuple[int, str]] = []
    has_chorus = any(kind == "chorus" for kind, _, _ in sections)
    for kind, first, n in sections:
        for i, bar in enumerate(range(first, first + n)):
            if kind == "intro":
                line = INTRO_ADLIBS[i % len(INTRO_ADLIBS)]
            elif kind == "outro":
                line = OUTRO_ADLIBS[i % len(OUTRO_ADLIBS)]
            elif kind == "chorus" or (i == 0 and not has_chorus):  # a piece too short for a chorus opens on the hook
                line = hook
            else:
                line = verses[len(lines) % len(verses)]
            lines.append((bar, line))
    return lines


def speak(text: str, sample_rate: int, speed: int = SPEED_WPM) -> np.ndarray:
    """One line spoken by espeak-ng at `speed` words a minute, silence trimmed, as mono float32 at `sample_rate`."""
    import soxr  # librosa's resampler, called directly: librosa's first call costs ~1.5 s of imports

    program = espeak()
    if program is None:
        raise FileNotFoundError("espeak-ng")
    wav = subprocess.run([program, "-v", VOICE, "-s", str(speed), "-p", str(PITCH), "--stdout", text],
                         capture_output=True, check=True, timeout=30).stdout
    voice, rate = sf.read(io.BytesIO(wav), dtype="float32")
    voiced = np.flatnonzero(np.abs(voice) > 0.03 * np.abs(voice).max()) if voice.size else []
    if len(voiced):
        voice = voice[voiced[0] : voiced[-1] + 1]
    return soxr.resample(voice, rate, sample_rate, quality="HQ").astype(np.float32)


def fit_line(text: str, room_s: float, sample_rate: int) -> np.ndarray:
    """The line spoken fast enough to fit `room_s` seconds (faster speech, never a time-stretch's smear)."""
    voice = speak(text, sample_rate)
    if len(voice) > room_s * sample_rate:
        speed = min(MAX_SPEED_WPM, int(SPEED_WPM * len(voice) / (room_s * sample_rate) * 1.05) + 1)
        voice = speak(text, sample_rate, speed)
    n = int(room_s * sample_rate)
    if len(voice) > n:  # even the fastest reading runs over: cut it with a short fade
        voice = voice[:n].copy()
        fade = min(n, int(0.02 * sample_rate))
        voice[n - fade :] *= np.linspace(1, 0, fade, dtype=np.float32)
    return voice


def render_rap(lines: list[tuple[int, str]], bar_seconds: float, total_seconds: float, sample_rate: int) -> np.ndarray:
    """The lines on their bars as one vocal track (peak 1), each fitted into its bar."""
    out = np.zeros(round(total_seconds * sample_rate), dtype=np.float32)
    spoken: dict[str, np.ndarray] = {}  # the hook repeats: speak it once
    for bar, text in lines:
        if text not in spoken:
            spoken[text] = fit_line(text, FILL * bar_seconds, sample_rate)
        start = round(bar * bar_seconds * sample_rate)
        n = max(0, min(len(spoken[text]), len(out) - start))
        out[start : start + n] += spoken[text][:n]
    return out / max(float(np.abs(out).max()), 1e-9)
