"""The sketch engine: Style -> arrangement -> MIDI -> FluidSynth audio at 32 kHz (offline, seconds per piece)."""

from __future__ import annotations

import copy
import subprocess
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from tools.audio import write_wav
from tools.contracts import Generation, Style
from tools.generate.output import output_paths, write_json, write_midi
from tools.generate.request import GenerationRequest, Progress
from tools.generate.sketch.arranger import Arrangement, plan, to_midi
from tools.generate.sketch.conditioning import Reference, from_audio, from_midi
from tools.generate.sketch.rap import LEVEL as RAP_LEVEL
from tools.generate.sketch.rap import espeak, render_rap
from tools.render import RENDER_RATE, find_soundfont, render_midi

ENGINE = "sketch"
DRIVEN_LEVEL = 0.8  # driven guitars against the (peak-normalised) rest of the band


def model_name() -> str:
    return f"sketch-1 ({find_soundfont().name})"


def fit(audio: np.ndarray, seconds: float, sample_rate: int = RENDER_RATE) -> np.ndarray:
    """Exactly `seconds` long: cut, or padded with silence."""
    n = round(seconds * sample_rate)
    out = np.zeros(n, dtype=np.float32)
    out[: min(n, len(audio))] = audio[:n]
    return out


def finish(audio: np.ndarray, seconds: float, sample_rate: int = RENDER_RATE) -> np.ndarray:
    """Exactly `seconds` long, DC and sub-sonic rumble removed (a 20 Hz high-pass: some SoundFont samples carry
    an offset), with a short fade-in and a fade-out over the last 1.5 s (or tenth)."""
    from scipy.signal import butter, sosfilt

    out = fit(sosfilt(butter(4, 20, "highpass", fs=sample_rate, output="sos"), audio).astype(np.float32),
              seconds, sample_rate)
    n = len(out)
    fade_in = min(n, int(0.005 * sample_rate))
    out[:fade_in] *= np.linspace(0, 1, fade_in, dtype=np.float32)
    fade_out = min(n, int(min(1.5, 0.1 * seconds) * sample_rate))
    if fade_out:
        out[-fade_out:] *= np.linspace(1, 0, fade_out, dtype=np.float32) ** 2
    return out


def amp(audio: np.ndarray, drive: float, sample_rate: int = RENDER_RATE) -> np.ndarray:
    """A guitar amp in two lines: tanh clipping (harmonics, sustain) and a 5 kHz cabinet roll-off."""
    from scipy.signal import butter, lfilter

    b, a = butter(2, 5000, fs=sample_rate)
    return lfilter(b, a, np.tanh(drive * audio)).astype(np.float32)


def render_audio(arrangement: Arrangement, pm) -> np.ndarray:
    """The arrangement as mono float32 at 32 kHz, exactly its duration long: the MIDI (driven voices through
    amp()) and its rapped vocals."""
    band = render_band(arrangement, pm)
    voice = rap_track(arrangement)
    if voice is None:
        return finish(band, arrangement.seconds)
    band = fit(band, arrangement.seconds)
    mixed = band + RAP_LEVEL * float(np.abs(band).max()) * voice
    return finish(0.89 * mixed / max(float(np.abs(mixed).max()), 1e-9), arrangement.seconds)


def rap_track(arrangement: Arrangement) -> np.ndarray | None:
    """The rapped vocals, or None when there are none or espeak-ng is missing or fails (a note says which)."""
    if not arrangement.vocals:
        return None
    if espeak() is None:
        arrangement.notes.append("rap vocals left out: espeak-ng is not installed (sudo apt-get install espeak-ng)")
        return None
    try:
        return render_rap(arrangement, RENDER_RATE)
    except (OSError, subprocess.SubprocessError, RuntimeError) as exc:  # RuntimeError: soundfile's unreadable output
        arrangement.notes.append(f"rap vocals left out: espeak-ng failed ({type(exc).__name__}: {exc})")
        return None


def render_band(arrangement: Arrangement, pm) -> np.ndarray:
    """The arrangement's MIDI as mono float32 at 32 kHz as rendered (not yet cut to length or faded); driven
    voices go through amp()."""
    driven = [i for i in pm.instruments if i.name.endswith(" driven")]
    if not driven:
        return render_midi(pm, sample_rate=RENDER_RATE)
    drive = max(v.drive for v in arrangement.voices)
    clean = copy.copy(pm)
    clean.instruments = [i for i in pm.instruments if i not in driven]
    loud = copy.copy(pm)
    loud.instruments = driven
    mixed = [render_midi(clean, sample_rate=RENDER_RATE) if clean.instruments else np.zeros(1, np.float32),
             DRIVEN_LEVEL * amp(render_midi(loud, sample_rate=RENDER_RATE), drive)]
    out = np.zeros(max(len(m) for m in mixed), dtype=np.float32)
    for m in mixed:
        out[: len(m)] += m
    out *= 0.89 / max(float(np.abs(out).max()), 1e-9)
    return out


def render(arrangement: Arrangement) -> np.ndarray:
    """The arrangement as mono float32 audio at 32 kHz, exactly its duration long."""
    return render_audio(arrangement, to_midi(arrangement))


def load_reference(request: GenerationRequest) -> Reference | None:
    """The request's MIDI reference first, else its audio reference (--like, or --melody for this engine)."""
    if request.reference_midi:
        return from_midi(request.reference_midi)
    audio = request.like or request.melody
    return from_audio(audio) if audio else None


def generate_sketch(request: GenerationRequest, style: Style, seeds: list[int],
                    progress: Progress | None = None) -> list[Generation]:
    reference = load_reference(request)
    paths = output_paths(request.output, request.prompt or " ".join(style.genres), ENGINE, seeds)
    model = model_name()
    results = []
    for i, (seed, wav_path) in enumerate(zip(seeds, paths)):
        if progress:
            progress(i / len(seeds), f"arranging candidate {i + 1} of {len(seeds)}")
        t0 = time.perf_counter()
        arrangement = plan(style, request.seconds, seed, reference, request.themes)
        pm = to_midi(arrangement)
        audio = render_audio(arrangement, pm)
        render_s = time.perf_counter() - t0
        midi_path = write_midi(Path(wav_path).with_suffix(".mid"), pm)
        write_wav(wav_path, audio, RENDER_RATE)
        conditioning = {"reference": reference.summary()} if reference else {}
        write_json(Path(wav_path).with_suffix(".json"), {
            "engine": ENGINE, "model": model, "prompt": request.prompt, "seed": seed,
            "style": asdict(style), "themes": request.themes, "conditioning": conditioning,
            "arrangement": arrangement.to_dict(), "render_seconds": round(render_s, 3),
        })
        results.append(Generation(
            audio_path=str(wav_path), sample_rate=RENDER_RATE, engine=ENGINE, model=model, prompt=request.prompt,
            seed=seed, duration=len(audio) / RENDER_RATE,
            conditioning={**conditioning, "key": arrangement.key, "tempo": arrangement.tempo,
                          "blend": arrangement.blend, "sidecar": str(Path(wav_path).with_suffix(".json")),
                          "notes": list(arrangement.notes), "lyrics": [text for _, text in arrangement.vocals]},
            midi_path=str(midi_path), style=style,
        ))
    if progress:
        progress(1.0, "done")
    return results
