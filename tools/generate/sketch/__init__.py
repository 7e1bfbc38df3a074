"""The sketch engine: Style -> arrangement -> MIDI -> stereo stems (FluidSynth) -> mix and master, 44.1 kHz
(offline, about a second of CPU per 30 s piece)."""

from __future__ import annotations

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
from tools.generate.sketch.production import produce
from tools.generate.sketch.rap import espeak, render_rap
from tools.render import RENDER_RATE, find_soundfont

ENGINE = "sketch"


def model_name() -> str:
    return f"sketch-2 ({find_soundfont().name})"


def render_audio(arrangement: Arrangement, pm) -> np.ndarray:
    """The arrangement as finished stereo float32 (frames, 2) at 44.1 kHz, exactly its duration long: every part
    rendered, mixed and mastered (production.py), with its rapped vocals when it has them."""
    return produce(arrangement, pm, rap_track(arrangement))


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
    """The arrangement without its vocals, finished like render_audio."""
    return produce(arrangement, pm, None)


def render(arrangement: Arrangement) -> np.ndarray:
    """The arrangement as finished stereo float32 (frames, 2) at 44.1 kHz, exactly its duration long."""
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
        if progress:  # the rendering is the long part: said, and a stopped turn stops before it
            progress((i + 0.2) / len(seeds), f"playing candidate {i + 1} of {len(seeds)}")
        audio = render_audio(arrangement, pm)
        render_s = time.perf_counter() - t0
        if progress:  # reported before any file is written: a turn stopped while it played leaves none behind
            progress((i + 0.9) / len(seeds), f"writing candidate {i + 1} of {len(seeds)}")
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
            # drums alone have no key to tell
            conditioning={**conditioning, "key": arrangement.key if arrangement.voices else None,
                          "tempo": arrangement.tempo, "groove": arrangement.groove,
                          "blend": arrangement.blend, "sidecar": str(Path(wav_path).with_suffix(".json")),
                          "notes": list(arrangement.notes), "parts": arrangement.parts(),
                          "rhythm": arrangement.rhythm(),  # 'what groove is it?'
                          "lyrics": [text for _, text in arrangement.vocals]},
            midi_path=str(midi_path), style=style,
        ))
    if progress:
        progress(1.0, "done")
    return results
