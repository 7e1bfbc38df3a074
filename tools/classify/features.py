"""What each model sees of a clip, as a (time steps, dims) sequence, with an on-disk cache.

Kinds:
  embedding  the pretrained musicnn (MSD) penultimate layer, 200-d, for 3 s
             patches every ~1 s (the head model averages them)
  logmel     96-band log-mel frames at 16 kHz, 16 ms hop (musicnn's input; the CNNs)
  fbank      the Audio Spectrogram Transformer's Kaldi-style filterbank, 10 ms hop

Features are computed on at most `max_seconds` from the middle of a clip and
cached under TASTEMAKER_HOME/cache/classify, keyed by the file's path, size,
mtime, the feature spec and the augmentation copy; a second run reads them back.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import librosa
import numpy as np
from tqdm import tqdm

from tools.audio import load_clip
from tools.classify.augment import augment
from tools.contracts import Clip
from tools.errors import AudioError, TastemakerError
from tools.settings import get_settings
from tools.tagger.features import PATCH_FRAMES, SAMPLE_RATE, log_mel

CACHE_VERSION = 1
EMBEDDING_HOP_FRAMES = 62  # ~1 s between overlapping 3 s musicnn patches


def make_spec(kind: str, max_seconds: float = 30.0, **params) -> dict:
    if kind not in ("embedding", "logmel", "fbank"):
        raise ValueError(f"unknown feature kind {kind!r}")
    spec = {"kind": kind, "max_seconds": float(max_seconds)}
    if kind == "embedding":
        spec["hop_frames"] = int(params.get("hop_frames", EMBEDDING_HOP_FRAMES))
    if kind == "fbank":
        spec.update(num_mel_bins=int(params.get("num_mel_bins", 128)), mean=float(params.get("mean", -4.2677393)),
                    std=float(params.get("std", 4.5689974)))
    return spec


def _middle(y: np.ndarray, seconds: float) -> np.ndarray:
    n = int(seconds * SAMPLE_RATE)
    if len(y) <= n:
        return y
    start = (len(y) - n) // 2
    return y[start:start + n]


def _embedding_sequence(y: np.ndarray, hop_frames: int) -> np.ndarray:
    from tools.tagger import get_tagger

    frames = log_mel(y)
    if frames.shape[0] < PATCH_FRAMES:
        frames = np.concatenate([frames] * int(np.ceil(PATCH_FRAMES / max(frames.shape[0], 1))), axis=0)
    starts = range(0, frames.shape[0] - PATCH_FRAMES + 1, hop_frames)
    batch = np.stack([frames[s:s + PATCH_FRAMES] for s in starts])
    tagger = get_tagger("msd")
    return np.concatenate([tagger.run(batch[i:i + 64])[1] for i in range(0, len(batch), 64)]).astype(np.float32)


def _fbank_sequence(y: np.ndarray, spec: dict) -> np.ndarray:
    from transformers import ASTFeatureExtractor

    if len(y) < 400:
        y = np.pad(y, (0, 400 - len(y)))
    frames = 1 + (len(y) - 400) // 160  # 25 ms windows every 10 ms, as Kaldi computes them
    extractor = ASTFeatureExtractor(num_mel_bins=spec["num_mel_bins"], max_length=frames, mean=spec["mean"],
                                    std=spec["std"], do_normalize=True)
    values = extractor(y, sampling_rate=SAMPLE_RATE, return_tensors="np")["input_values"][0]
    return np.asarray(values, dtype=np.float32)


def sequence_from_samples(samples_16k: np.ndarray, spec: dict) -> np.ndarray:
    """(T, D) features of 16 kHz mono samples."""
    y = _middle(np.asarray(samples_16k, dtype=np.float32), spec["max_seconds"])
    if spec["kind"] == "embedding":
        return _embedding_sequence(y, spec["hop_frames"])
    if spec["kind"] == "logmel":
        return log_mel(y)
    return _fbank_sequence(y, spec)


def clip_sequence(clip: Clip, spec: dict) -> np.ndarray:
    y = clip.samples
    if clip.sample_rate != SAMPLE_RATE:
        y = librosa.resample(y, orig_sr=clip.sample_rate, target_sr=SAMPLE_RATE, res_type="soxr_hq")
    return sequence_from_samples(y, spec)


def cache_dir() -> Path:
    return get_settings().home / "cache" / "classify"


def _cache_path(path: Path, spec: dict, copy: int, seed: int) -> Path:
    st = path.stat()
    key = json.dumps([CACHE_VERSION, str(path.resolve()), st.st_size, st.st_mtime_ns, spec, copy,
                      seed if copy else 0], sort_keys=True)
    return cache_dir() / spec["kind"] / f"{hashlib.sha1(key.encode()).hexdigest()}.npy"


def file_sequences(path: Path, spec: dict, copies: int = 0, seed: int = 0) -> list[np.ndarray]:
    """Features of a file and of `copies` augmented versions of it (cached). Raises AudioError."""
    targets = [_cache_path(path, spec, c, seed) for c in range(copies + 1)]
    if all(t.is_file() for t in targets):
        return [np.load(t) for t in targets]
    clip = load_clip(path, SAMPLE_RATE)
    out = []
    for c, target in enumerate(targets):
        if target.is_file():
            out.append(np.load(target))
            continue
        y = clip.samples
        if c:
            digest = int(hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:8], 16)
            y = augment(y, SAMPLE_RATE, np.random.default_rng([seed, digest, c]))
        seq = sequence_from_samples(y, spec)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp.npy")
        np.save(tmp, seq)
        os.replace(tmp, target)
        out.append(seq)
    return out


def dataset_sequences(paths: list[Path], spec: dict, copies: int = 0, seed: int = 0, progress: bool = True,
                      desc: str = "features") -> tuple[dict[int, list[np.ndarray]], list[dict]]:
    """Features per file index; unreadable files are skipped and returned as {"file", "error"}."""
    features: dict[int, list[np.ndarray]] = {}
    skipped: list[dict] = []
    for i, path in enumerate(tqdm(paths, desc=desc, unit="file", file=sys.stderr, disable=not progress)):
        try:
            features[i] = file_sequences(Path(path), spec, copies, seed)
        except AudioError as exc:
            skipped.append({"file": str(path), "error": str(exc)})
        except TastemakerError:
            raise  # a missing model is not a property of one file
    return features, skipped
