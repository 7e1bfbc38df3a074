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
