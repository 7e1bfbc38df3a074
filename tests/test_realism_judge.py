"""The realism judge's detector on clip statistics: held out one style or song at a time."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import realism  # noqa: E402  (benchmarks/ is not a package)


def excerpts(n: int, genre: str, real: bool, shift: float, rng: np.random.Generator) -> list:
    return [realism.Excerpt(genre=genre, group=f"{genre}-{i // 2}" if real else genre, real=real,
                            stereo=np.zeros((4, 2)), frames=rng.normal(shift, 1.0, size=(50, 39)))
            for i in range(n)]


def test_the_detector_tells_shifted_features_apart_and_reads_nan_for_a_single_style():
    rng = np.random.default_rng(0)
    real = excerpts(12, "classical", True, 0.0, rng)
    two_styles = excerpts(4, "classical", False, 1.0, rng) + excerpts(4, "rock", False, 1.0, rng)
    scores = realism.detector_scores(real, two_styles)
    assert realism.auc([scores[id(e)] for e in real], [scores[id(e)] for e in two_styles]) > 0.9
    # `--styles classical` crashed ("only one class"): held out, the one style leaves nothing generated to fit
    one_style = two_styles[:4]
    scores = realism.detector_scores(real, one_style)
    assert np.isnan(realism.auc([scores[id(e)] for e in real], [scores[id(e)] for e in one_style]))


def test_variety_without_chroma_ignores_a_piece_that_only_changed_key():
    """Two seeds that differ only in chroma (the key they were played in) are apart on all statistics and the same
    sound on the timbre ones (MFCC and contrast)."""
    rng = np.random.default_rng(1)
    frames = rng.normal(0.0, 1.0, size=(50, 39))
    other_key = frames.copy()
    other_key[:, 27:] = np.roll(frames[:, 27:], 5, axis=1) + 1.0  # the chroma bins moved, the rest as it was
    seeds = [realism.Excerpt(genre="pop", group="pop", real=False, stereo=np.zeros((4, 2)), frames=f)
             for f in (frames, other_key)]
    scale = np.ones(78)
    assert realism.variety(seeds, scale) > 1.0
    assert realism.variety(seeds, scale, realism.TIMBRE) == 0.0


def test_the_detector_without_the_level_does_not_tell_apart_pieces_that_are_only_louder():
    """Generated pieces that differ from the real ones only in MFCC 0 (the level: a louder master) are caught on all
    statistics and not once that one is left out."""
    rng = np.random.default_rng(2)
    real = excerpts(60, "classical", True, 0.0, rng)
    louder = [e for style in ("classical", "rock", "pop", "jazz") for e in excerpts(15, style, False, 0.0, rng)]
    for e in louder:
        e.frames[:, 0] += 3.0
    scores = realism.detector_scores(real, louder)
    assert realism.auc([scores[id(e)] for e in real], [scores[id(e)] for e in louder]) > 0.9
    levelless = realism.detector_scores(real, louder, realism.WITHOUT_LEVEL)
    assert realism.auc([levelless[id(e)] for e in real], [levelless[id(e)] for e in louder]) < 0.6


def test_real_music_of_a_genre_missing_from_the_real_set_reads_as_generated_in_the_control():
    """The control behind the styles without a reference: real rock, when the real set holds only classical, is told
    from it as surely as generated music is (the generated rock sounds like it), though every rock excerpt is real;
    with rock in the real set the generated rock is not told from it."""
    rng = np.random.default_rng(3)
    real = excerpts(20, "classical", True, 0.0, rng) + excerpts(20, "rock", True, 0.0, rng)
    fake = excerpts(10, "rock", False, 0.0, rng) + excerpts(10, "pop", False, 0.0, rng)
    for e in real + fake:
        if e.genre == "rock":
            e.frames[:, :5] += 2.0  # rock sounds unlike classical, generated or not
        if e.genre == "pop":
            e.frames[:, 10:15] += 2.0
    floor = realism.unseen_genre_auc(real, fake)
    assert floor["rock"] > 0.9, floor
    scores = realism.detector_scores(real, fake)
    rock = [e for e in real if e.genre == "rock"]
    assert realism.auc([scores[id(e)] for e in rock], [scores[id(e)] for e in fake if e.genre == "rock"]) < 0.75
