"""Fréchet Audio Distance (FAD) between two sets of audio.

Each set is summarised by the mean and covariance of its embeddings (one per
3 s patch of every file); FAD is the Fréchet distance between the two
Gaussians:  |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^1/2).

Embedders: `musicnn` (the tagger's 200-d penultimate layer, per patch; always
available offline) and `clap` (LAION-CLAP audio embeddings through
transformers, only when its weights are on this machine: a local folder or
the Hugging Face cache). Values from different embedders are not comparable,
and neither are values from sets of very different sizes: with fewer
embeddings than dimensions the covariance is rank-deficient and FAD is biased
upward, so compare like with like (the result reports the counts).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import linalg

from tools.audio import is_audio_name, load_clip
from tools.errors import ModelMissingError, TastemakerError

EMBEDDERS = ("musicnn", "clap")
DEFAULT_CLAP = "laion/clap-htsat-unfused"
CLAP_RATE = 48000
EPS = 1e-6  # added to the diagonals when the product of covariances has no finite square root


@dataclass
class FadResult:
    fad: float
    embedder: str
    files_a: int
    files_b: int
    embeddings_a: int
    embeddings_b: int
    dims: int

    @property
    def rank_deficient(self) -> bool:
        return min(self.embeddings_a, self.embeddings_b) <= self.dims


def audio_files(folder: str | Path) -> list[Path]:
    """The audio files in a folder (recursively), or a clear error if there are none."""
    p = Path(folder)
    if not p.is_dir():
        raise TastemakerError(f"{p} is not a folder. Give a folder of audio files (wav, flac, ogg or mp3).")
    files = sorted(f for f in p.rglob("*") if f.is_file() and is_audio_name(f))
    if not files:
        raise TastemakerError(f"{p} has no audio files (wav, flac, ogg or mp3) in it.")
    return files


def gaussian(embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of (n, d) embeddings; n >= 2 is needed for a covariance."""
    x = np.asarray(embeddings, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2:
        raise TastemakerError(
            f"FAD needs at least 2 embeddings per set (got {x.shape[0] if x.ndim == 2 else 0}): "
            "give more or longer audio files (each 3 s of audio gives one embedding)."
        )
    return x.mean(axis=0), np.cov(x, rowvar=False)


def frechet_distance(mu_a: np.ndarray, sigma_a: np.ndarray, mu_b: np.ndarray, sigma_b: np.ndarray) -> float:
    """Fréchet distance between N(mu_a, sigma_a) and N(mu_b, sigma_b), as the published FID/FAD code computes it."""
    diff = mu_a - mu_b
    with warnings.catch_warnings():
        # Fewer embeddings than dimensions make the product singular; sqrtm warns, but its result is still
        # the square root (checked below, and against an eigenvalue computation in the tests).
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(sigma_a @ sigma_b)
        if not np.isfinite(covmean).all():
            offset = np.eye(sigma_a.shape[0]) * EPS
            covmean = linalg.sqrtm((sigma_a + offset) @ (sigma_b + offset))
    covmean = np.real(covmean)  # rounding leaves tiny imaginary parts
    value = float(diff @ diff + np.trace(sigma_a) + np.trace(sigma_b) - 2.0 * np.trace(covmean))
    return max(value, 0.0)  # a true distance is never negative; rounding can make it -1e-12


def musicnn_embeddings(files: list[Path], model: str = "msd") -> np.ndarray:
    """The tagger's per-patch (3 s) penultimate-layer embeddings of every file, stacked: (patches, 200)."""
    from tools.tagger import get_tagger

    tagger = get_tagger(model)
    return np.concatenate([tagger.analyse(load_clip(f)).patch_embeddings for f in files], axis=0)


def clap_embeddings(files: list[Path], model: str = DEFAULT_CLAP) -> np.ndarray:
    """LAION-CLAP audio embeddings (one per file, 10 s windows averaged by the model), from local weights only."""
    try:
        import torch
        from transformers import ClapFeatureExtractor, ClapModel
    except ImportError as exc:
        raise ModelMissingError(f"CLAP needs transformers and torch ({exc}).") from None
    try:
        extractor = ClapFeatureExtractor.from_pretrained(model, local_files_only=True)
        net = ClapModel.from_pretrained(model, local_files_only=True).eval()
    except OSError as exc:
        raise ModelMissingError(
            f"CLAP weights '{model}' are not on this machine ({str(exc).splitlines()[0]}). "
            "Use the default musicnn embedder, or put a CLAP model folder on disk and pass its path."
        ) from None
    rows = []
    with torch.inference_mode():
        for f in files:
            clip = load_clip(f, sample_rate=CLAP_RATE)
            inputs = extractor(clip.samples, sampling_rate=CLAP_RATE, return_tensors="pt")
            features = net.get_audio_features(**inputs)
            rows.append(getattr(features, "pooler_output", features).reshape(-1).numpy())
    return np.stack(rows)


def embed_files(files: list[Path], embedder: str = "musicnn", model: str | None = None) -> np.ndarray:
    if embedder == "musicnn":
        return musicnn_embeddings(files, model or "msd")
    if embedder == "clap":
        return clap_embeddings(files, model or DEFAULT_CLAP)
    raise TastemakerError(f"Unknown embedder '{embedder}'. Choose one of: {', '.join(EMBEDDERS)}.")


def fad_between(files_a: list[Path], files_b: list[Path], embedder: str = "musicnn",
                model: str | None = None) -> FadResult:
    """FAD between two lists of audio files."""
    emb_a = embed_files(files_a, embedder, model)
    emb_b = embed_files(files_b, embedder, model)
    return fad_of_embeddings(emb_a, emb_b, embedder, len(files_a), len(files_b))


def fad_of_embeddings(emb_a: np.ndarray, emb_b: np.ndarray, embedder: str = "musicnn", files_a: int = 0,
                      files_b: int = 0) -> FadResult:
    mu_a, sigma_a = gaussian(emb_a)
    mu_b, sigma_b = gaussian(emb_b)
    return FadResult(fad=frechet_distance(mu_a, sigma_a, mu_b, sigma_b), embedder=embedder, files_a=files_a,
                     files_b=files_b, embeddings_a=len(emb_a), embeddings_b=len(emb_b), dims=emb_a.shape[1])


def fad(folder_a: str | Path, folder_b: str | Path, embedder: str = "musicnn", model: str | None = None) -> FadResult:
    """FAD between the audio files of two folders."""
    return fad_between(audio_files(folder_a), audio_files(folder_b), embedder, model)
