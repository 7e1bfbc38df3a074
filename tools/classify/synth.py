"""Synthetic training data: generated clips per genre, as a folder dataset with a manifest.

Each clip's prompt is "A {genre} track. {description}." with descriptions
that vary mood, tempo, energy and instrumentation. With the sketch engine the
description is parsed into the Style (mood, energy, instruments, key) while the
genre is kept pure (weight 1.0, nothing blended in), so the label stays true;
MusicGen reads the prompt text as it is.

Layout: OUT/<genre>/<genre>_<nnn>.wav (+ the engine's .mid/.json beside it)
and OUT/manifest.csv (path, labels, prompt, description, engine, model, seed).
Clips already on disk are kept, so an interrupted run continues where it stopped.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from pathlib import Path

from tqdm import tqdm

from tools.errors import ModelMissingError, TastemakerError
from tools.genres import require_genre

ENGINES = ("sketch", "musicgen")

DESCRIPTIONS = (
    "Slow and melancholic, with soft piano",
    "Fast and energetic, driven by loud drums",
    "Calm and mellow, for late at night",
    "Bright and happy, with a catchy melody",
    "Dark and moody, with a heavy bass line",
    "Relaxed and warm, with acoustic guitar",
    "Upbeat and danceable, with a steady beat",
    "Gentle and beautiful, with lush strings",
    "Sad and slow, with a lonely melody",
    "Energetic and bright, with synth leads",
    "Laid-back groove with warm bass",
    "Dreamy and calm, with a flute melody",
)
MANIFEST_COLUMNS = ("path", "labels", "prompt", "description", "engine", "model", "seed")


def check_genres(genres: list[str], engine: str) -> list[str]:
    if not genres:
        raise TastemakerError("give at least two genres, e.g. --genres rock,jazz,classical,electronic.")
    labels = list(dict.fromkeys(require_genre(g) for g in genres))
    if len(labels) < 2:
        raise TastemakerError("a classifier needs at least two different genres.")
    if engine == "sketch":
        from tools.generate.sketch.styles import style_for

        missing = []
        for label in labels:
            try:
                style_for(label)
            except KeyError:
                missing.append(label)
        if missing:
            raise TastemakerError(f"the sketch engine has no style for {', '.join(missing)}; "
                                  "choose other genres or --engine musicgen.")
    return labels


def prompt_for(genre: str, index: int) -> tuple[str, str]:
    description = DESCRIPTIONS[index % len(DESCRIPTIONS)]
    return f"A {genre} track. {description}.", description


def _request(genre: str, prompt: str, engine: str, seconds: float, seed: int, output: Path, model: str | None):
    from tools.generate import GenerationRequest

    style = None
    if engine == "sketch":
        from tools.language import parse_text

        style = parse_text(prompt, use_embeddings=False).style
        style.genres = {genre: 1.0}  # the label must be the only genre in the piece
    return GenerationRequest(prompt=prompt, style=style, seconds=seconds, seed=seed, engine=engine,
                             output=str(output), model=model)


def _require_musicgen(model: str | None) -> None:
    """Fail before generating anything (and before loading the prompt parser) when MusicGen is absent."""
    from tools.generate.musicgen import weights_available
    from tools.settings import get_settings

    name = model or get_settings().musicgen_model
    if not weights_available(name):
        raise ModelMissingError(
            f"MusicGen weights '{name}' are not on this machine, so --engine musicgen cannot run offline. "
            "Put them in the Hugging Face cache or give a saved model folder with --model "
            "(or set TASTEMAKER_ALLOW_DOWNLOADS=1 where downloads are allowed), or use --engine sketch."
        )


def _recorded_model(wav: Path) -> str:
    """The model an earlier run recorded beside a clip (the engine's JSON sidecar), if any."""
    sidecar = wav.with_suffix(".json")
    try:
        return str(json.loads(sidecar.read_text()).get("model", "")) if sidecar.is_file() else ""
    except (OSError, ValueError):
        return ""


def synth_dataset(genres: list[str], per_genre: int, out_dir: str | os.PathLike, engine: str = "sketch",
                  seconds: float = 10.0, seed: int = 0, model: str | None = None, progress: bool = True) -> Path:
    """Generate `per_genre` clips for each genre into out_dir; returns the manifest's path."""
    if engine not in ENGINES:
        raise TastemakerError(f"unknown engine '{engine}'; choose {' or '.join(ENGINES)}.")
    if per_genre < 1:
        raise TastemakerError("--per-genre must be at least 1 (3 or more to train on).")
    labels = check_genres(genres, engine)
    if engine == "musicgen":
        _require_musicgen(model)
    from tools.generate import generate

    out = Path(out_dir)
    rows: list[dict] = []
    jobs = [(g, i) for g in labels for i in range(per_genre)]
    for genre, i in tqdm(jobs, desc=f"generating ({engine})", unit="clip", file=sys.stderr, disable=not progress):
        prompt, description = prompt_for(genre, i)
        clip_seed = seed + 100_000 * labels.index(genre) + i
        wav = out / genre.replace(" ", "_") / f"{genre.replace(' ', '_')}_{i:03d}.wav"
        model_name = _recorded_model(wav)
        if not wav.is_file():
            result = generate(_request(genre, prompt, engine, seconds, clip_seed, wav, model))[0]
            model_name = result.model
            if Path(result.audio_path) != wav:  # engines write where asked; keep the layout if one did not
                os.replace(result.audio_path, wav)
        rows.append({"path": str(wav.relative_to(out)), "labels": genre, "prompt": prompt,
                     "description": description, "engine": engine, "model": model_name, "seed": clip_seed})
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=MANIFEST_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    manifest = out / "manifest.csv"
    tmp = out / ".manifest.csv.part"
    tmp.write_text(buffer.getvalue())
    os.replace(tmp, manifest)
    return manifest
