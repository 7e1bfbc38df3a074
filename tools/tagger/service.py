"""Tag a Clip with the pretrained musicnn models: Tags, taggram and embeddings.

All 3 s patches of a clip go through the network in one batch. Weights are
read from musicnn 0.1.0's TF checkpoints (installed by scripts/setup.sh into
the models folder, see tools.settings) and cached per process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import librosa
import numpy as np
import torch

from tools.contracts import Clip, Tags
from tools.errors import ModelMissingError
from tools.genres import to_unified
from tools.settings import get_settings
from tools.tagger.checkpoint import read_checkpoint
from tools.tagger.features import HOP, PATCH_FRAMES, SAMPLE_RATE, log_mel, patches
from tools.tagger.labels import LABELS
from tools.tagger.musicnn import MusicnnNet, load_musicnn_weights

CHECKPOINTS = {"msd": "MSD_musicnn", "mtt": "MTT_musicnn"}
PATCH_SECONDS = PATCH_FRAMES * HOP / SAMPLE_RATE
EMBEDDING_DIM = 200
_MIN_SAMPLES = (PATCH_FRAMES - 1) * HOP  # what one full patch needs (centred frames)
# Patches go through the network a few at a time: the front-end's activations for
# 3 patches (~40 MB) stay in cache, for 10 (~130 MB) they do not. Measured on
# 2 cores, one 30 s clip: 0.44 s in one batch, 0.24 s in chunks of 3; same output.
_CHUNK = 3


def checkpoint_dir(model: str) -> Path:
    """Where a model's checkpoint lives, or a ModelMissingError saying how to get it."""
    name = CHECKPOINTS[model]
    candidates = [get_settings().models_dir / "musicnn" / name]
    try:  # a musicnn package installed by hand also works
        import importlib.util

        spec = importlib.util.find_spec("musicnn")
        if spec and spec.submodule_search_locations:
            candidates.append(Path(list(spec.submodule_search_locations)[0]) / name)
    except (ImportError, ValueError):
        pass
    for folder in candidates:
        if (folder / ".index").is_file() and (folder / ".data-00000-of-00001").is_file():
            return folder
    raise ModelMissingError(
        f"The pretrained musicnn weights ({name}) are not installed; looked in "
        f"{', '.join(str(c) for c in candidates)}. Run `make setup` (or `tastemaker models fetch`), "
        "which takes them from the musicnn 0.1.0 wheel on PyPI, or set TASTEMAKER_MODELS_DIR."
    )


@dataclass
class Analysis:
    """Everything one pass of a model gives for a clip."""

    tags: Tags
    embedding: np.ndarray  # (200,) mean of the penultimate layer over patches
    patch_embeddings: np.ndarray  # (patches, 200)


class MusicnnTagger:
    """One pretrained musicnn model (msd or mtt), ready to tag clips."""

    def __init__(self, model: str = "msd"):
        if model not in CHECKPOINTS:
            raise ValueError(f"unknown musicnn model {model!r}; choose msd or mtt")
        self.model = model
        self.labels = LABELS[model]
        self.net = MusicnnNet(num_classes=len(self.labels))
        load_musicnn_weights(self.net, read_checkpoint(str(checkpoint_dir(model)) + "/"))
        self.net.eval()

    @staticmethod
    def prepare(clip: Clip) -> np.ndarray:
        """The clip's log-mel patches, (n, 187, 96). Short clips are looped to fill one patch."""
        y = clip.samples
        if clip.sample_rate != SAMPLE_RATE:
            y = librosa.resample(y, orig_sr=clip.sample_rate, target_sr=SAMPLE_RATE, res_type="soxr_hq")
        if len(y) < _MIN_SAMPLES:
            y = np.tile(y, int(np.ceil(_MIN_SAMPLES / max(len(y), 1))) + 1)[: _MIN_SAMPLES + HOP]
        return patches(log_mel(y))

    def run(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(probabilities (n, 50), penultimate (n, 200)) for log-mel patches."""
        x = torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32))
        with torch.inference_mode():
            outputs = [self.net(x[i : i + _CHUNK]) for i in range(0, len(x), _CHUNK)]
            logits = torch.cat([o[0] for o in outputs])
            penultimate = torch.cat([o[1] for o in outputs])
            return torch.sigmoid(logits).numpy(), penultimate.numpy()

    def analyse(self, clip: Clip) -> Analysis:
        taggram, penultimate = self.run(self.prepare(clip))
        probs = taggram.mean(axis=0)
        tags = Tags(
            vocabulary=self.model,
            probabilities={label: float(p) for label, p in zip(self.labels, probs)},
            taggram=taggram,
            hop_seconds=PATCH_SECONDS,
        )
        return Analysis(tags=tags, embedding=penultimate.mean(axis=0), patch_embeddings=penultimate)

    def tag(self, clip: Clip) -> Tags:
        return self.analyse(clip).tags

    def embed(self, clip: Clip) -> np.ndarray:
        return self.analyse(clip).embedding


_cache: dict[str, MusicnnTagger] = {}
_lock = threading.Lock()


def get_tagger(model: str = "msd") -> MusicnnTagger:
    """A process-wide tagger per model (weights load once, ~0.1 s)."""
    with _lock:
        if model not in _cache:
            _cache[model] = MusicnnTagger(model)
        return _cache[model]


def tag(clip: Clip, model: str = "msd") -> Tags:
    return get_tagger(model).tag(clip)


def embed(clip: Clip, model: str = "msd") -> np.ndarray:
    """A fixed-size (200,) vector for similarity search and training heads."""
    return get_tagger(model).embed(clip)


@dataclass
class FullTags:
    """Both models' raw tags plus the unified genre/mood/instrument view."""

    raw: dict[str, Tags]
    genres: Tags
    moods: Tags
    instruments: Tags
    embedding: np.ndarray  # MSD penultimate mean


def network_outputs(clip: Clip, models: tuple[str, ...]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(probabilities per patch, penultimate per patch) of each model, the log-mel computed once (a job)."""
    batch = MusicnnTagger.prepare(clip)
    return {model: get_tagger(model).run(batch) for model in models}


def tag_full(clip: Clip, models: tuple[str, ...] = ("msd", "mtt")) -> FullTags:
    """Tag with several models (the log-mel is computed once) and unify the labels."""
    from tools import jobs

    # a heavy job: shared fairly with the other people this server serves (in this process, or on Ray)
    runs = jobs.run(jobs.Job(network_outputs, (clip, tuple(models)), name=f"tagging {clip.name}"))
    raw: dict[str, Tags] = {}
    embedding = None
    for model in models:
        tagger = get_tagger(model)
        taggram, penultimate = runs[model]
        raw[model] = Tags(
            vocabulary=model,
            probabilities={label: float(p) for label, p in zip(tagger.labels, taggram.mean(axis=0))},
            taggram=taggram,
            hop_seconds=PATCH_SECONDS,
        )
        if embedding is None or model == "msd":
            embedding = penultimate.mean(axis=0)
    unified = to_unified({m: t.probabilities for m, t in raw.items()})
    return FullTags(
        raw=raw,
        genres=Tags("genres", unified["genres"]),
        moods=Tags("moods", unified["moods"]),
        instruments=Tags("instruments", unified["instruments"]),
        embedding=embedding,
    )
