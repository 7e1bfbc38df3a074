"""The realism judge: the sketch engine's pieces against real recordings of the same genres.

Independent of the musicnn tagger the loop steers by: standard frame features (20 MFCCs, 7 spectral-contrast bands,
12 chroma bins; librosa, 22.05 kHz, hop 512) and simple, fitted-here models. Real recordings come from Debian game
soundtracks (benchmarks/real_music.py fetches and cuts them). Per genre it reports:

  FD        Fréchet distance between the frame-feature distributions (each feature standardised by its spread over
            all real frames, so that no one feature's units rule) of generated and real excerpts, and its
            ratio to the real-vs-real baseline (two halves of the genre's songs; mean of 5 random halvings)
  AUC       a real-vs-generated detector (logistic regression on clip statistics: feature means and deviations),
            each song or request held out in turn (0.5: cannot tell them apart)
  clf       a genre classifier trained on real excerpts only (same features): its accuracy on generated pieces
            (and, leave one song out, on the real excerpts themselves)
  loop      loop-ness: the highest correlation of the (z-scored) chroma with itself at lags of 1.5 to 12.5 s
  LR        correlation of the left and right channels (1.00: mono)
  LUFS      integrated loudness (ITU-R BS.1770, pyloudnorm); TP true peak (4x oversampled), crest factor
  variety   timbre distance between seeds of one request, against the distance between two excerpts of one song
            (the summary also gives it without chroma: the sound alone, not the key the seed picked)
  CPU       render CPU seconds per 30 s of music (the arrangement, MIDI, synthesis, mix and files; this process
            only; after one untimed warm-up piece, so that the first import of the libraries is not counted)
  gaps      share of 0.5 s windows 40 dB under the piece's level (not counting the fade-out)

Genres without real recordings get the measures that need none (loop, LR, LUFS, gaps, variety, CPU), and count in the
overall detector AUC; the summary's control says what that costs real music: each real genre's recordings, scored by
the detector trained without them as real, against the rest of the real set.
Run the same command on two checkouts to compare engines: PYTHONPATH=<checkout> python benchmarks/realism.py.
Run: .venv/bin/python benchmarks/realism.py [--seeds 0 1 2 3] [--seconds 20] [--cache DIR] [--styles ...] (the detector needs
two styles or more: with one, its AUC reads nan)
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import librosa
import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
import real_music  # noqa: E402  (benchmarks/ is not a package)

RATE = real_music.RATE
HOP = 512
# the sketch styles each real genre stands for
REFERENCE_OF = {"classical": "classical", "electronic": "electronic", "techno": "electronic", "house": "electronic",
                "metal": "metal", "rock": "rock"}
STYLES = ["classical", "electronic", "techno", "house", "metal", "rock", "punk", "pop", "dance", "ambient",
          "chillout", "jazz", "blues", "funk", "soul", "hip-hop", "folk", "country", "new age"]
LAGS_S = (1.5, 12.5)


@dataclass
class Excerpt:
    genre: str  # the real genre, or the style asked for
    group: str  # the song (real) or the request (generated): what a fold holds out
    real: bool
    stereo: np.ndarray  # (samples, 2) at RATE
    frames: np.ndarray | None = None  # (frames, 39)
    cpu_per_30s: float | None = None
    loudness: float | None = None  # LUFS, measured at the file's own rate
    true_peak: float | None = None

    @property
    def mono(self) -> np.ndarray:
        return self.stereo.mean(axis=1)


# -------------------------------------------------------------------------------------------- measures

def frame_features(y: np.ndarray) -> np.ndarray:
    mfcc = librosa.feature.mfcc(y=y, sr=RATE, n_mfcc=20, hop_length=HOP)
    contrast = librosa.feature.spectral_contrast(y=y, sr=RATE, hop_length=HOP)
    chroma = librosa.feature.chroma_stft(y=y, sr=RATE, hop_length=HOP)
    n = min(mfcc.shape[1], contrast.shape[1], chroma.shape[1])
    return np.vstack([mfcc[:, :n], contrast[:, :n], chroma[:, :n]]).T


def clip_stats(frames: np.ndarray) -> np.ndarray:
    return np.concatenate([frames.mean(axis=0), frames.std(axis=0)])


def frechet(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.linalg import sqrtm

    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = sqrtm(ca @ cb)
    root = root.real if np.iscomplexobj(root) else root
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(ca + cb - 2 * root))


def loopness(y: np.ndarray) -> float:
    hop = 2205  # 0.1 s
    chroma = librosa.feature.chroma_stft(y=y, sr=RATE, hop_length=hop, n_fft=8192)
    z = (chroma - chroma.mean(axis=1, keepdims=True)) / (chroma.std(axis=1, keepdims=True) + 1e-9)
    best = -1.0
    for lag in range(int(LAGS_S[0] * 10), int(LAGS_S[1] * 10) + 1):
        if lag >= z.shape[1] - 10:
            break
        a, b = z[:, :-lag].ravel(), z[:, lag:].ravel()
        best = max(best, float(np.corrcoef(a, b)[0, 1]))
    return best


def lr_correlation(stereo: np.ndarray) -> float:
    left, right = stereo[:, 0], stereo[:, 1]
    if np.allclose(left, right):
        return 1.0
    return float(np.corrcoef(left, right)[0, 1])


def gaps(y: np.ndarray, fade_s: float = 2.0) -> float:
    w = RATE // 2
    body = y[: max(w, len(y) - int(fade_s * RATE))]
    rms = np.array([np.sqrt(np.mean(body[i:i + w] ** 2)) for i in range(0, len(body) - w + 1, w)])
    level = np.sqrt(np.mean(body ** 2))
    return float(np.mean(rms < level * 10 ** (-40 / 20)))


def crest_db(y: np.ndarray) -> float:
    return float(20 * np.log10(np.abs(y).max() / (np.sqrt(np.mean(y ** 2)) + 1e-12) + 1e-12))


def loudness_and_peak(stereo: np.ndarray, rate: int) -> tuple[float, float]:
    import pyloudnorm
    from scipy.signal import resample_poly

    lufs = float(pyloudnorm.Meter(rate).integrated_loudness(stereo))
    peak = float(np.abs(resample_poly(stereo, 4, 1, axis=0)).max())
    return lufs, 20 * np.log10(peak + 1e-12)


# -------------------------------------------------------------------------------------------- data

def load_real(cache: Path) -> list[Excerpt]:
    out = []
    for path in sorted(real_music.excerpt_root(cache).rglob("*.flac")):
        y, sr = sf.read(str(path), dtype="float32", always_2d=True)
        lufs, tp = loudness_and_peak(y, sr)
        out.append(Excerpt(genre=path.parent.name, group=path.stem.split("--")[0], real=True, stereo=y,
                           loudness=lufs, true_peak=tp))
    return out


def as_stored(stereo: np.ndarray) -> np.ndarray:
    """A (samples, 2) excerpt at RATE as benchmarks/real_music.py stores a real one: 16-bit PCM at RATE.

    The real excerpts are quantised after their resampling to RATE, so their noise floor runs flat up to the Nyquist
    frequency; a generated piece quantised at 44.1 kHz and resampled here had none in the resampler's transition
    band (10-11 kHz), where spectral contrast's top band takes its valley. Stored alike, that difference is gone
    (docs/sound.md, round 3: the figures with and without)."""
    buffer = io.BytesIO()
    sf.write(buffer, stereo, RATE, subtype="PCM_16", format="WAV")
    buffer.seek(0)
    return sf.read(buffer, dtype="float32", always_2d=True)[0]


def generate_pieces(styles: list[str], seeds: list[int], seconds: float) -> list[Excerpt]:
    from tools.contracts import Style
    from tools.generate import GenerationRequest, generate

    out = []
    folder = Path(tempfile.mkdtemp(prefix="realism-"))
    # one short piece first, untimed: the CPU column is the rendering, not the libraries' first import (about
    # 1 s, once per process; the chat's process has paid it before anyone asks)
    generate(GenerationRequest(style=Style(genres={"pop": 1.0}), prompt="warm-up", seconds=2, seed=0,
                               engine="sketch", output=str(folder / "warm-up.wav")))
    for name in styles:
        for seed in seeds:
            c0 = time.process_time()
            [g] = generate(GenerationRequest(style=Style(genres={name: 1.0}), prompt=name, seconds=seconds, seed=seed,
                                             engine="sketch", output=str(folder / f"{name}-{seed}.wav")))
            cpu = time.process_time() - c0
            y, sr = sf.read(g.audio_path, dtype="float32", always_2d=True)
            y = np.repeat(y, 2, axis=1) if y.shape[1] == 1 else y[:, :2]
            lufs, tp = loudness_and_peak(y, sr)
            stereo = as_stored(librosa.resample(y.T, orig_sr=sr, target_sr=RATE).T if sr != RATE else y)
            out.append(Excerpt(genre=name, group=name, real=False, stereo=stereo, cpu_per_30s=cpu * 30 / seconds,
                               loudness=lufs, true_peak=tp))
            print(f"  generated {name} seed {seed}: {cpu:.2f} s CPU", file=sys.stderr, flush=True)
    return out


# -------------------------------------------------------------------------------------------- judges

def _detector():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))


def detector_scores(real: list[Excerpt], fake: list[Excerpt], dims: np.ndarray | None = None) -> dict[int, float]:
    """Leave-one-group-out probability of 'generated' for every excerpt (keyed by id), from all the clip statistics
    or only `dims`."""
    items = real + fake
    x = np.array([clip_stats(e.frames) for e in items])
    x = x if dims is None else x[:, dims]
    y = np.array([0 if e.real else 1 for e in items])
    groups = np.array([("real:" if e.real else "gen:") + e.group for e in items])
    scores: dict[int, float] = {}
    for g in np.unique(groups):
        test = groups == g
        if len(np.unique(y[~test])) < 2:  # one style asked for (--styles classical): nothing generated to learn from
            for i in np.flatnonzero(test):
                scores[id(items[i])] = float("nan")
            continue
        model = _detector().fit(x[~test], y[~test])
        for i in np.flatnonzero(test):
            scores[id(items[i])] = float(model.predict_proba(x[i:i + 1])[0, 1])
    return scores


def unseen_genre_auc(real: list[Excerpt], fake: list[Excerpt]) -> dict[str, float]:
    """The control for the styles without a real reference: for each real genre, the detector trained without it
    (the rest of the real set against every generated piece) scores that genre's real recordings, and its AUC
    against the rest of the real set (their leave-one-group-out scores) is what being absent from the real set
    alone reads as, for recordings that are real."""
    out = {}
    for genre in sorted({e.genre for e in real}):
        rest, unseen = [e for e in real if e.genre != genre], [e for e in real if e.genre == genre]
        scores = detector_scores(rest, fake)
        model = _detector().fit(np.array([clip_stats(e.frames) for e in rest + fake]),
                                np.array([0] * len(rest) + [1] * len(fake)))
        unseen_scores = model.predict_proba(np.array([clip_stats(e.frames) for e in unseen]))[:, 1]
        out[genre] = auc([scores[id(e)] for e in rest], [float(p) for p in unseen_scores])
    return out


def auc(real_scores: list[float], fake_scores: list[float]) -> float:
    from sklearn.metrics import roc_auc_score

    if not real_scores or not fake_scores or not np.isfinite(fake_scores).all():
        return float("nan")  # (a detector needs two generated styles or more: one is held out at a time)
    return float(roc_auc_score([0] * len(real_scores) + [1] * len(fake_scores), real_scores + fake_scores))


def real_only_classifier(real: list[Excerpt], fake: list[Excerpt]) -> tuple[dict[str, float], float]:
    """Accuracy per style of a genre classifier trained on real excerpts, and its own leave-one-song-out accuracy."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def model():
        return make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000, class_weight="balanced"))

    x = np.array([clip_stats(e.frames) for e in real])
    y = np.array([e.genre for e in real])
    groups = np.array([e.group for e in real])
    right = 0
    for g in np.unique(groups):
        test = groups == g
        right += int((model().fit(x[~test], y[~test]).predict(x[test]) == y[test]).sum())
    full = model().fit(x, y)
    per_style: dict[str, float] = {}
    for name in sorted({e.genre for e in fake if e.genre in REFERENCE_OF}):
        pieces = [e for e in fake if e.genre == name]
        guess = full.predict(np.array([clip_stats(e.frames) for e in pieces]))
        per_style[name] = float(np.mean(guess == REFERENCE_OF[name]))
    return per_style, right / len(real)


# every clip statistic but MFCC 0's mean, the level: ours are mastered to -14 LUFS, the soundtracks to their own
# (-19 to -11), and a track turned up is not less real
WITHOUT_LEVEL = np.r_[1:78]
# the clip statistics of MFCC and spectral contrast (means, then deviations): the sound, without chroma's key and chords
TIMBRE = np.r_[0:27, 39:66]


def variety(excerpts: list[Excerpt], scale: np.ndarray, dims: np.ndarray | None = None) -> float:
    """Mean distance (standardised clip statistics, all of them or `dims`) between excerpts of the same group."""
    dims = np.arange(len(scale)) if dims is None else dims
    by_group: dict[str, list[np.ndarray]] = {}
    for e in excerpts:
        by_group.setdefault(e.group, []).append(clip_stats(e.frames)[dims] / scale[dims])
    d = [np.linalg.norm(a - b) for v in by_group.values() for i, a in enumerate(v) for b in v[i + 1:]]
    return float(np.mean(d)) if d else float("nan")


# -------------------------------------------------------------------------------------------- report

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=real_music.DEFAULT_CACHE)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--styles", nargs="+", default=STYLES)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    warnings.filterwarnings("ignore", message="Trying to estimate tuning")  # silent frames (intros, breaks)

    if not real_music.excerpt_root(args.cache).is_dir():
        print("no real excerpts yet: run benchmarks/real_music.py first", file=sys.stderr)
        return 2
    import tools

    print(f"engine: {Path(tools.__file__).resolve().parent.parent}; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    real = load_real(args.cache)
    fake = generate_pieces(args.styles, args.seeds, args.seconds)
    for e in real + fake:
        e.frames = frame_features(e.mono)
    every_real_frame = np.vstack([e.frames for e in real])
    centre, spread = every_real_frame.mean(axis=0), every_real_frame.std(axis=0) + 1e-9
    for e in real + fake:
        e.frames = (e.frames - centre) / spread

    scores = detector_scores(real, fake)
    per_style_clf, real_clf = real_only_classifier(real, fake)
    scale = np.array([clip_stats(e.frames) for e in real]).std(axis=0) + 1e-9
    real_by_genre: dict[str, list[Excerpt]] = {}
    for e in real:
        real_by_genre.setdefault(e.genre, []).append(e)

    print(f"\nreal excerpts: " + ", ".join(f"{g} {len(v)} ({len({e.group for e in v})} songs)"
                                        for g, v in sorted(real_by_genre.items())))
    print(f"real-only genre classifier, leave one song out on the real excerpts: {real_clf:.0%}")
    header = (f"{'style':<11} {'ref':<10} {'FD':>6} {'base':>5} {'ratio':>5} {'AUC':>5} {'clf':>5} {'loop':>5} "
              f"{'LR':>5} {'LUFS':>6} {'TP':>5} {'crest':>5} {'gaps':>5} {'seedvar':>7} {'CPU/30s':>7}")
    print(header)
    rows = []
    for name in args.styles:
        pieces = [e for e in fake if e.genre == name]
        ref = REFERENCE_OF.get(name)
        fd = base = ratio = detect = clf = float("nan")
        if ref in real_by_genre:
            reals = real_by_genre[ref]
            fd = frechet(np.vstack([e.frames for e in pieces]), np.vstack([e.frames for e in reals]))
            songs = sorted({e.group for e in reals})
            halves = []
            for _ in range(5):
                pick = set(rng.permutation(songs)[: len(songs) // 2])
                a = np.vstack([e.frames for e in reals if e.group in pick])
                b = np.vstack([e.frames for e in reals if e.group not in pick])
                halves.append(frechet(a, b))
            base = float(np.mean(halves))
            ratio = fd / base
            detect = auc([scores[id(e)] for e in reals], [scores[id(e)] for e in pieces])
            clf = per_style_clf[name]
        row = dict(style=name, ref=ref or "-", fd=fd, base=base, ratio=ratio, auc=detect, clf=clf,
                   loop=float(np.median([loopness(e.mono) for e in pieces])),
                   lr=float(np.max([lr_correlation(e.stereo) for e in pieces])),
                   lufs=float(np.mean([e.loudness for e in pieces])), tp=float(np.max([e.true_peak for e in pieces])),
                   crest=float(np.mean([crest_db(e.mono) for e in pieces])),
                   gaps=float(np.mean([gaps(e.mono) for e in pieces])), seedvar=variety(pieces, scale),
                   cpu=float(np.mean([e.cpu_per_30s for e in pieces])))
        rows.append(row)
        print(f"{name:<11} {row['ref']:<10} {fd:>6.1f} {base:>5.1f} {ratio:>5.2f} {detect:>5.2f} {clf:>5.0%} "
              f"{row['loop']:>5.2f} {row['lr']:>5.2f} {row['lufs']:>6.1f} {row['tp']:>5.1f} {row['crest']:>5.1f} "
              f"{row['gaps']:>5.0%} {row['seedvar']:>7.2f} {row['cpu']:>7.2f}", flush=True)

    print("\nreal recordings, per genre:")
    for g, reals in sorted(real_by_genre.items()):
        print(f"{g:<11} loop {np.median([loopness(e.mono) for e in reals]):.2f}  "
              f"LR {np.median([lr_correlation(e.stereo) for e in reals]):.2f}  "
              f"LUFS {np.mean([e.loudness for e in reals]):.1f}  crest {np.mean([crest_db(e.mono) for e in reals]):.1f}"
              f"  within-song variety {variety(reals, scale):.2f}")

    all_real = [scores[id(e)] for e in real]
    all_fake = [scores[id(e)] for e in fake]
    judged = [e for e in fake if e.genre in REFERENCE_OF]
    clf_all = np.mean([per_style_clf[e.genre] for e in judged]) if judged else float("nan")
    ratios = [r["ratio"] for r in rows if np.isfinite(r["ratio"])]
    within = variety(real, scale)
    print("\nsummary (targets in brackets)")
    print(f"  detector AUC, all generated vs all real: {auc(all_real, all_fake):.2f} (<= 0.65); genres with a "
          f"reference: {auc(all_real, [scores[id(e)] for e in judged]):.2f}")
    unjudged = [scores[id(e)] for e in fake if e.genre not in REFERENCE_OF]
    if unjudged and len(real_by_genre) > 1:
        floor = unseen_genre_auc(real, fake)
        print(f"  the styles without a reference: {auc(all_real, unjudged):.2f}; control: real recordings of a genre the "
              f"detector never saw as real, against the rest: " + ", ".join(f"{g} {a:.2f}" for g, a in floor.items())
              + f" (mean {np.mean(list(floor.values())):.2f}): what having no reference reads as, for real music")
    levelless = detector_scores(real, fake, WITHOUT_LEVEL)
    print(f"  the same detector without the level (MFCC 0's mean): "
          f"{auc([levelless[id(e)] for e in real], [levelless[id(e)] for e in fake]):.2f}")
    print(f"  real-only classifier names the genre: {clf_all:.0%} of {len(judged)} pieces (>= 85%)")
    if ratios:
        print(f"  Fréchet ratio to real-vs-real: worst {max(ratios):.2f}, median {np.median(ratios):.2f} (<= 1.5)")
    print(f"  loop-ness median: {np.median([loopness(e.mono) for e in fake]):.2f} (<= 0.45); "
          f"real {np.median([loopness(e.mono) for e in real]):.2f}")
    print(f"  seed variety {np.mean([r['seedvar'] for r in rows]):.2f} vs within-song variety {within:.2f} (>=)")
    # a seed that only moves the key moves chroma: the sound alone, without it, says whether the band changed
    timbre_seeds = np.mean([variety([e for e in fake if e.genre == r["style"]], scale, TIMBRE) for r in rows])
    print(f"  without chroma (the sound alone): seed variety {timbre_seeds:.2f} vs within-song "
          f"{variety(real, scale, TIMBRE):.2f}")
    print(f"  L/R correlation: max {max(lr_correlation(e.stereo) for e in fake):.3f} (< 0.95 for every piece)")
    lufs = [e.loudness for e in fake]
    print(f"  loudness {min(lufs):.1f} to {max(lufs):.1f} LUFS (-14 +- 1); true peak max "
          f"{max(e.true_peak for e in fake):.1f} dBTP (<= -1)")
    print(f"  |DC| max {max(float(np.abs(e.stereo.mean(axis=0)).max()) for e in fake):.4f}; pieces with gaps: "
          f"{sum(gaps(e.mono) > 0 for e in fake)} of {len(fake)}")
    cpu = [e.cpu_per_30s for e in fake]
    slowest = max(rows, key=lambda r: r["cpu"])
    print(f"  render CPU per 30 s: mean {np.mean(cpu):.2f} s, max {max(cpu):.2f} s (<= 2); slowest style "
          f"{slowest['style']}: mean {slowest['cpu']:.2f} s, max "
          f"{max(e.cpu_per_30s for e in fake if e.genre == slowest['style']):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
