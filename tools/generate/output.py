"""Where generated files go, and writing them atomically (temp file, then rename; nothing left if it fails)."""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path
from typing import Any

from tools.atomic import write_bytes
from tools.settings import get_settings


def slug(text: str, limit: int = 40) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:limit].rstrip("-") or "piece"


def output_paths(output: str | None, prompt: str, engine: str, seeds: list[int]) -> list[Path]:
    """One .wav path per candidate: the requested one (then -2, -3...), or a fresh name under
    <audio folder>/generations (TASTEMAKER_AUDIO_DIR, else the data directory)."""
    if output:
        first = Path(output).expanduser()
        return [first] + [first.with_name(f"{first.stem}-{i + 1}{first.suffix}") for i in range(1, len(seeds))]
    folder = get_settings().audio_home / "generations"  # the shared audio folder, when a Ray cluster renders
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    paths = []
    for seed in seeds:
        base = f"{stamp}-{slug(prompt)}-{engine}-s{seed}"
        p, n = folder / f"{base}.wav", 1
        while p.exists() or p in paths:  # candidates with one seed (a MusicGen batch) get -2, -3...
            n += 1
            p = folder / f"{base}-{n}.wav"
        paths.append(p)
    return paths


def write_json(path: Path, data: Any) -> Path:
    return write_bytes(path, json.dumps(data, indent=2, default=str).encode())


def write_midi(path: Path, pm) -> Path:
    buffer = io.BytesIO()
    pm.write(buffer)
    return write_bytes(path, buffer.getvalue())


def score_tempo_and_key(midi_path: str | None) -> tuple[float | None, str | None]:
    """The tempo and key a MIDI file was written in (None where it says nothing, or is not there, or is damaged);
    the key spelt as the arranger spells keys."""
    if not midi_path or not Path(midi_path).is_file():
        return None, None
    import pretty_midi

    try:
        pm = pretty_midi.PrettyMIDI(midi_path)
    except Exception:  # noqa: BLE001 - mido and pretty_midi raise many kinds for a damaged file: nothing known
        return None, None
    _, tempi = pm.get_tempo_changes()
    tempo = round(float(tempi[0]), 1) if len(tempi) else None
    key = None
    if pm.key_signature_changes:
        from tools.generate.sketch.theory import midi_key_name

        key = midi_key_name(pm.key_signature_changes[0].key_number)
    return tempo, key
