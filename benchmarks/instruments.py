"""Which SoundFont should play each part? Measured against real recordings, part group by part group.

For each group of General MIDI programs (drum kit, driven guitars, bass, orchestra, synths) and each candidate
SoundFont preset for it, the sketch engine renders the styles that use that group (several seeds) with only that
group swapped, and each piece's long-term average spectrum (1/3-octave bands, 40 Hz to 8 kHz, level-normalised)
is compared with the real recordings of its genre (benchmarks/real_music.py): the mean absolute difference in dB.
Lower is closer to real. The spectrum is what is tuned here; the realism judge's detector and real-only classifier
(benchmarks/realism.py) are not used for the choice and stay the verdict. tools/generate/sketch/instruments.py
holds the winners.

Candidates: FluidR3 (Debian fluid-soundfont-gm, the fallback), MuseScore General (Debian
musescore-general-soundfont-lossless), the AVL drum kits (Debian avldrums.lv2-soundfont).
Run: .venv/bin/python benchmarks/instruments.py [--seeds 0 1 2] [--seconds 15] [--groups drums guitars ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
import real_music  # noqa: E402

MUSESCORE = "/usr/share/sounds/sf2/MuseScore_General_Full.sf2"
BLACK_PEARL = "/usr/share/sounds/sf2/Black_Pearl_4_LV2.sf2"
RED_ZEPPELIN = "/usr/share/sounds/sf2/Red_Zeppelin_4_LV2.sf2"
# group -> (the (is_drum, program) keys it swaps, the styles that judge it)
GROUPS = {
    "drums": ([(True, k) for k in (0, 8, 16)], ["rock", "metal", "punk"]),
    "guitars": ([(False, p) for p in (25, 27, 28, 29, 30)], ["rock", "metal", "punk"]),
    "bass": ([(False, p) for p in (32, 33, 34, 36, 38)], ["rock", "metal", "punk"]),
    "orchestra": ([(False, p) for p in (40, 41, 42, 43, 45, 46, 48, 56, 57, 60, 61, 68, 71, 73)], ["classical"]),
    "synths": ([(False, p) for p in (38, 80, 81, 87, 88, 89, 90, 94, 95)], ["electronic", "techno", "house"]),
}
REFERENCE_OF = {"rock": "rock", "metal": "metal", "punk": "rock", "classical": "classical",
                "electronic": "electronic", "techno": "electronic", "house": "electronic"}
BANDS = 40.0 * 2 ** (np.arange(0, 24) / 3)  # 1/3-octave centres, 40 Hz .. 8 kHz (the excerpts are at 22.05 kHz)


def ltas_db(stereo: np.ndarray, rate: int) -> np.ndarray:
    """Long-term average spectrum in 1/3-octave bands, dB, with the mean band level removed."""
    mono = stereo.mean(axis=1) if stereo.ndim == 2 else stereo
    n = 8192
    frames = np.lib.stride_tricks.sliding_window_view(mono, n)[:: n // 2]
    power = (np.abs(np.fft.rfft(frames * np.hanning(n), axis=1)) ** 2).mean(axis=0)
    freqs = np.fft.rfftfreq(n, 1 / rate)
    bands = np.array([power[(freqs >= c / 2 ** (1 / 6)) & (freqs < c * 2 ** (1 / 6))].sum() for c in BANDS])
    db = 10 * np.log10(bands + 1e-12)
    return db - db.mean()


def candidates(group: str) -> dict[str, object]:
    from tools.render import Source

    keys, _ = GROUPS[group]
    out: dict[str, object] = {"FluidR3": {}}
    if Path(MUSESCORE).is_file():
        out["MuseScore General"] = {k: Source(MUSESCORE, 128 if k[0] else 0, k[1]) for k in keys}
    if group == "drums":
        for name, path in (("AVL Black Pearl", BLACK_PEARL), ("AVL Red Zeppelin", RED_ZEPPELIN)):
            if Path(path).is_file():
                out[name] = {k: Source(path, 0, 0) for k in keys}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=real_music.DEFAULT_CACHE)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--groups", nargs="+", default=list(GROUPS))
    args = ap.parse_args()

    import tools.generate.sketch.instruments as instruments
    from tools.contracts import Style
    from tools.generate import GenerationRequest, generate

    real: dict[str, list[np.ndarray]] = {}
    for path in sorted(real_music.excerpt_root(args.cache).rglob("*.flac")):
        y, sr = sf.read(str(path), dtype="float32", always_2d=True)
        real.setdefault(path.parent.name, []).append(ltas_db(y, sr))
    target = {g: np.mean(v, axis=0) for g, v in real.items()}
    spread = {g: float(np.mean([np.abs(x - target[g]).mean() for x in v])) for g, v in real.items()}
    print("real songs' own distance from their genre's mean spectrum (dB): "
          + ", ".join(f"{g} {d:.2f}" for g, d in sorted(spread.items())))
    keep = dict(instruments.CHOSEN)
    folder = Path(tempfile.mkdtemp(prefix="instruments-"))
    print(f"{'group':<10} {'candidate':<18} " + " ".join(f"{s:>10}" for s in ["mean"]) + "  per style")
    for group in args.groups:
        keys, styles = GROUPS[group]
        results = {}
        for name, swap in candidates(group).items():
            instruments.CHOSEN = {k: v for k, v in keep.items() if k not in keys} | swap
            per_style = {}
            for style in styles:
                d = []
                for seed in args.seeds:
                    [g] = generate(GenerationRequest(style=Style(genres={style: 1.0}), prompt=style, seed=seed,
                                                     seconds=args.seconds, engine="sketch",
                                                     output=str(folder / f"{style}-{seed}.wav")))
                    y, sr = sf.read(g.audio_path, dtype="float32", always_2d=True)
                    d.append(float(np.abs(ltas_db(y, sr) - target[REFERENCE_OF[style]]).mean()))
                per_style[style] = float(np.mean(d))
            results[name] = float(np.mean(list(per_style.values())))
            print(f"{group:<10} {name:<18} {results[name]:>10.2f}  "
                  + ", ".join(f"{s} {v:.2f}" for s, v in per_style.items()), flush=True)
        print(f"{group:<10} closest to real: {min(results, key=results.get)}")
    instruments.CHOSEN = keep
    return 0


if __name__ == "__main__":
    sys.exit(main())
