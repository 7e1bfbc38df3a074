"""Fetch real, produced music from Debian's game-soundtrack packages and cut excerpts grouped by genre.

The realism judge (benchmarks/realism.py) compares the sketch engine with these. Nothing is committed: the packages,
the unpacked files and the excerpts live in a cache folder (default ~/.cache/tastemaker/real-music).

Genres, by what each soundtrack is (its package description and liner notes, not a tagger's opinion):
  classical   Wesnoth 1.16 (41 orchestral pieces, GPL-2+)
  electronic  Nexuiz (18 electronic/industrial arena tracks, GPL-2+) and Endgame: Singularity (16 tracker
              pieces by Max McCracken, CC BY-SA 3.0)
  metal       Muldjord's four death-metal songs from Frets on Fire (CC BY-SA 3.0; backing + guitar stems summed)
  rock        Sectoid's four instrumental hard-rock songs from Frets on Fire (CC BY-SA 3.0; stems summed)
No Debian package we found holds jazz, blues, funk, soul, hip-hop, pop, folk, country, house or ambient recordings
with a clear genre (`apt-cache search music`, November 2026), so those genres have no real reference here.

Run: .venv/bin/python benchmarks/real_music.py [--cache DIR] [--seconds 20] [--per-song 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import zipfile
from pathlib import Path

import librosa
import numpy as np
import soundfile as sf

PACKAGES = ("wesnoth-1.16-music", "nexuiz-music", "singularity-music", "fretsonfire-songs-muldjord",
            "fretsonfire-songs-sectoid")
RATE = 22050  # the judge's analysis rate; excerpts stay stereo
DEFAULT_CACHE = Path.home() / ".cache" / "tastemaker" / "real-music"
# Versioned so that a re-run re-cuts rather than reusing excerpts cut by an older rule. v2: summed stems are scaled
# under full scale instead of clipped (the folder `excerpts` holds v1's clipped rock and metal).
EXCERPTS = "excerpts-v2"
PEAK = 0.99  # where a song whose summed stems pass full scale is scaled to
SHORTEST_SONG_S = 40.0  # jingles and stingers are not songs


def fetch(cache: Path) -> Path:
    """apt-get download + dpkg-deb -x each package (once); Nexuiz's music.pk3 unzipped. Returns the unpack root."""
    debs, root = cache / "debs", cache / "unpacked"
    debs.mkdir(parents=True, exist_ok=True)
    for package in PACKAGES:
        if not list(debs.glob(f"{package}_*.deb")):
            subprocess.run(["apt-get", "download", package], cwd=debs, check=True)
    if not (root / ".done").exists():
        root.mkdir(parents=True, exist_ok=True)
        for deb in sorted(debs.glob("*.deb")):
            subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        for pk3 in root.rglob("music.pk3"):
            with zipfile.ZipFile(pk3) as z:
                z.extractall(pk3.parent / "music.pk3.d")
        (root / ".done").touch()
    return root


def songs(root: Path) -> list[tuple[str, str, list[Path]]]:
    """(genre, song name, the files to sum) for every song."""
    games = root / "usr" / "share" / "games"
    out: list[tuple[str, str, list[Path]]] = []
    out += [("classical", f"wesnoth-{p.stem}", [p]) for p in sorted((games / "wesnoth").rglob("music/*.ogg"))]
    out += [("electronic", f"nexuiz-{p.stem}", [p]) for p in sorted((games / "nexuiz").rglob("cdtracks/*.ogg"))]
    out += [("electronic", f"singularity-{p.stem}", [p]) for p in sorted((games / "singularity" / "music").glob("*.ogg"))]
    for band, genre in (("muldjord", "metal"), ("sectoid", "rock")):
        for folder in sorted((games / "fretsonfire").rglob(f"songs/{band}/*")):
            stems = sorted(folder.glob("*.ogg"))  # song.ogg (backing) + guitar.ogg (+ rhythm.ogg)
            if stems:
                out.append((genre, f"{band}-{folder.name}", stems))
    return out


def excerpt_root(cache: Path) -> Path:
    """Where the excerpts of the current rule live: <cache>/excerpts-v2/<genre>/<song>--<k>.flac."""
    return cache / EXCERPTS


def load_stereo(paths: list[Path]) -> np.ndarray:
    """The stems summed, as (samples, 2) at RATE, scaled under full scale if the sum passes it."""
    mixed = None
    for path in paths:
        y, sr = sf.read(str(path), dtype="float32", always_2d=True)
        y = np.repeat(y, 2, axis=1) if y.shape[1] == 1 else y[:, :2]
        y = librosa.resample(y.T, orig_sr=sr, target_sr=RATE).T
        if mixed is None:
            mixed = y
        else:
            n = max(len(mixed), len(y))
            mixed = np.pad(mixed, ((0, n - len(mixed)), (0, 0))) + np.pad(y, ((0, n - len(y)), (0, 0)))
    assert mixed is not None
    # The game mixes its stems in float; written as 16-bit PCM, a sum past full scale would clip (Frets on Fire's
    # summed peaks reach 1.4-2.0), and the clipping's splatter is not the real music (docs/sound.md, round 6). One
    # gain for the whole song, not per excerpt, so the song's own dynamics are kept.
    peak = float(np.abs(mixed).max())
    return mixed * (PEAK / peak) if peak > 1.0 else mixed


def cut(cache: Path, seconds: float, per_song: int) -> list[Path]:
    """`per_song` excerpts of `seconds` from each song, evenly placed after its first 10%, as
    <cache>/excerpts-v2/<genre>/<song>--<k>.flac. Songs shorter than 40 s are skipped."""
    root = fetch(cache)
    written = []
    for genre, name, paths in songs(root):
        folder = excerpt_root(cache) / genre
        targets = [folder / f"{name.replace(' ', '_')}--{k}.flac" for k in range(per_song)]
        if all(t.exists() for t in targets):
            written += targets
            continue
        audio = load_stereo(paths)
        length = len(audio) / RATE
        if length < SHORTEST_SONG_S:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        starts = np.linspace(0.1 * length, length - seconds - 0.05 * length, per_song)
        for target, start in zip(targets, starts):
            a = int(start * RATE)
            sf.write(str(target), audio[a:a + int(seconds * RATE)], RATE, subtype="PCM_16")
            written.append(target)
        print(f"{genre:<11} {name}", flush=True)
    return written


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--per-song", type=int, default=2)
    args = ap.parse_args()
    written = cut(args.cache, args.seconds, args.per_song)
    by_genre: dict[str, int] = {}
    for path in written:
        by_genre[path.parent.name] = by_genre.get(path.parent.name, 0) + 1
    print("excerpts:", ", ".join(f"{g} {n}" for g, n in sorted(by_genre.items())), "in", excerpt_root(args.cache))
    return 0


if __name__ == "__main__":
    sys.exit(main())
