"""The realism judge's real references (benchmarks/real_music.py): summed stems are not clipped."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import real_music  # noqa: E402  (benchmarks/ is not a package; realism.py imports it the same way)


def _song(folder: Path, rate: int, seconds: float, amplitude: float) -> list[Path]:
    """A Frets on Fire song folder: a backing stem and a guitar stem, each under full scale."""
    folder.mkdir(parents=True)
    t = np.arange(int(seconds * rate)) / rate
    envelope = np.where(t < seconds / 2, 1.0, 0.25)  # a loud half and a quiet half: the dynamics to keep
    paths = []
    for name, hz in (("song", 110.0), ("guitar", 220.0)):
        stem = amplitude * envelope * np.sin(2 * np.pi * hz * t)
        paths.append(folder / f"{name}.ogg")
        sf.write(str(paths[-1]), np.stack([stem, stem], axis=1), rate, format="OGG", subtype="VORBIS")
    return paths


def test_summed_stems_past_full_scale_are_scaled_per_song_not_clipped(tmp_path):
    cache, rate = tmp_path / "cache", real_music.RATE
    # fetch() finds its packages and the unpack already done, so cut() runs on these songs alone
    (cache / "debs").mkdir(parents=True)
    for package in real_music.PACKAGES:
        (cache / "debs" / f"{package}_1_all.deb").touch()
    (cache / "unpacked").mkdir()
    (cache / "unpacked" / ".done").touch()
    songs = cache / "unpacked" / "usr" / "share" / "games" / "fretsonfire" / "data" / "songs"
    loud = _song(songs / "sectoid" / "loud", rate, 42.0, 0.8)   # the sum peaks near 1.6
    quiet = _song(songs / "muldjord" / "quiet", rate, 42.0, 0.3)  # the sum peaks near 0.6
    # an excerpt cut by the old rule (clipped) must not be reused
    old = cache / "excerpts" / "rock"
    old.mkdir(parents=True)
    for k in range(2):
        sf.write(str(old / f"sectoid-loud--{k}.flac"), np.ones((rate, 2)), rate, subtype="PCM_16")

    written = real_music.cut(cache, 2.0, 2)

    by_song = {p.stem: p for p in written}
    assert set(by_song) == {"sectoid-loud--0", "sectoid-loud--1", "muldjord-quiet--0", "muldjord-quiet--1"}
    for stems, name in ((loud, "sectoid-loud"), (quiet, "muldjord-quiet")):
        summed = sum(sf.read(str(p), dtype="float32", always_2d=True)[0] for p in stems)
        gain = 0.99 / np.abs(summed).max() if np.abs(summed).max() > 1 else 1.0
        length = len(summed) / rate
        for k, start in enumerate(np.linspace(0.1 * length, length - 2.0 - 0.05 * length, 2)):
            excerpt = sf.read(str(by_song[f"{name}--{k}"]), dtype="float32", always_2d=True)[0]
            a = int(start * rate)
            expected = gain * summed[a:a + len(excerpt)]
            assert np.abs(excerpt).max() <= 1.0
            # the sum's shape is kept sample for sample (16-bit quantisation aside): nothing is clipped
            assert np.abs(excerpt - expected).max() < 1e-3, name
    # one gain for the whole song: the loud half's first excerpt peaks ~4x the quiet half's second, as in the stems
    first, second = (np.abs(sf.read(str(by_song[f"sectoid-loud--{k}"]))[0]).max() for k in range(2))
    assert 3.5 < first / second < 4.5 and first > 0.9
