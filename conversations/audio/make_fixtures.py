"""Render the small audio files the example conversations attach (run from the repository root):

    .venv/bin/python conversations/audio/make_fixtures.py

Each is 6 s of the offline sketch engine at a fixed seed, stored as 22.05 kHz mono FLAC (~100 KB), and
tagged afterwards so you can see the tagger hears the genre it was made in.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import soundfile as sf

HERE = Path(__file__).resolve().parent
RATE = 22050
FIXTURES = {  # file name: (prompt, seed)
    "jazz_piano.flac": ("a jazz piece with piano", 11),
    "rock_band.flac": ("a rock track with electric guitar and drums", 23),
    "classical_strings.flac": ("a classical piece for strings", 5),
}


def main() -> None:
    from tools.audio import load_clip
    from tools.generate import GenerationRequest, generate
    from tools.tagger import tag_full

    with tempfile.TemporaryDirectory() as tmp:
        for name, (prompt, seed) in FIXTURES.items():
            wav = Path(tmp) / (Path(name).stem + ".wav")
            generate(GenerationRequest(prompt=prompt, seconds=6.0, seed=seed, engine="sketch", output=str(wav)))
            clip = load_clip(wav, sample_rate=RATE)
            part = HERE / f".{name}.part"
            sf.write(str(part), clip.samples, RATE, format="FLAC")
            os.replace(part, HERE / name)
            top = tag_full(load_clip(HERE / name)).genres.top(3)
            print(f"{name}: {', '.join(f'{g} {p:.2f}' for g, p in top)}")


if __name__ == "__main__":
    main()
