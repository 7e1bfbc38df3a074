"""A trained checkpoint as a judge: Clip -> probabilities over its labels -> decided labels.

    clf = load_classifier("runs/genres/best.pt")
    tags = clf.predict(clip)      # Tags(vocabulary="classifier:<name>", {label: probability})
    clf.decide(tags)              # single-label: [the most probable]; multi-label: labels over their tuned thresholds

Long clips are judged window by window (each model's crop length) and the
logits averaged, so a clip of any length gives one answer.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import torch

from tools.audio import load_clip
from tools.classify.augment import loop_to
from tools.classify.features import SAMPLE_RATE, clip_sequence
from tools.classify.models import LabelModel, rebuild_model
from tools.contracts import Clip, Tags
from tools.errors import ModelMissingError, TastemakerError

CHECKPOINT_VERSION = 1


def pick_device(requested: str | None = None) -> torch.device:
    if requested:
        return torch.device(requested)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class Classifier:
    """A model plus everything needed to use it: labels, features, input scaling, thresholds."""

    def __init__(self, model: LabelModel, meta: dict, device: torch.device | None = None):
        self.model = model
        self.meta = meta
        self.labels: list[str] = list(meta["labels"])
        self.multi_label: bool = bool(meta["multi_label"])
        self.feature_spec: dict = meta["features"]
        self.thresholds: list[float] = list(meta.get("thresholds") or [0.5] * len(self.labels))
        self.name: str = meta.get("name", meta["model"])
        self.device = device or pick_device()
        self.model.to(self.device)
        mean, std = meta.get("input_mean"), meta.get("input_std")
        self._mean = torch.tensor(mean, dtype=torch.float32, device=self.device) if mean is not None else None
        self._std = torch.tensor(std, dtype=torch.float32, device=self.device) if std is not None else None

    # ---- features to numbers
    def scale(self, x: torch.Tensor) -> torch.Tensor:
        if self._mean is None:
            return x
        return (x - self._mean) / self._std

    def _windows(self, seq: np.ndarray) -> np.ndarray:
        """Non-overlapping crop-length windows (the head sees the whole sequence at once)."""
        if self.model.crop <= 0 or self.meta["model"] == "head":
            return seq.mean(axis=0, keepdims=True)[None]  # (1, 1, D): the head averages over time anyway
        length = self.model.crop
        seq = loop_to(seq, length)
        n = seq.shape[0] // length
        return seq[: n * length].reshape(n, length, seq.shape[1])

    @torch.inference_mode()
    def logits_and_embeddings(self, sequences: list[np.ndarray], batch_size: int = 16) -> tuple[np.ndarray, np.ndarray]:
        """Per sequence: mean logits over its windows (n, labels), and mean penultimate activations."""
        self.model.eval()
        windows = [self._windows(s) for s in sequences]
        owner = np.concatenate([np.full(len(w), i) for i, w in enumerate(windows)])
        flat = np.concatenate(windows).astype(np.float32)
        captured: list[torch.Tensor] = []
        hook = self.model.final_layer().register_forward_pre_hook(lambda _m, inp: captured.append(inp[0].detach()))
        try:
            logits = [self.model(self.scale(torch.from_numpy(flat[i:i + batch_size]).to(self.device))).float().cpu()
                      for i in range(0, len(flat), batch_size)]
        finally:
            hook.remove()
        all_logits = torch.cat(logits).numpy()
        all_emb = torch.cat([c.float().cpu() for c in captured]).numpy()
        n = len(sequences)
        out_l = np.stack([all_logits[owner == i].mean(axis=0) for i in range(n)])
        out_e = np.stack([all_emb[owner == i].mean(axis=0) for i in range(n)])
        return out_l, out_e

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        t = torch.from_numpy(np.asarray(logits, dtype=np.float32))
        return (torch.sigmoid(t) if self.multi_label else torch.softmax(t, dim=-1)).numpy()

    def decisions(self, probs: np.ndarray) -> np.ndarray:
        """Binary (n, labels) decisions: argmax for single-label, per-label thresholds for multi-label."""
        probs = np.atleast_2d(probs)
        if self.multi_label:
            return (probs >= np.asarray(self.thresholds)[None, :]).astype(int)
        out = np.zeros_like(probs, dtype=int)
        out[np.arange(len(probs)), probs.argmax(axis=1)] = 1
        return out

    # ---- the judge's face
    def predict(self, clip: Clip) -> Tags:
        logits, _ = self.logits_and_embeddings([clip_sequence(clip, self.feature_spec)])
        probs = self.probabilities(logits)[0]
        return Tags(f"classifier:{self.name}", {label: float(p) for label, p in zip(self.labels, probs)})

    def predict_file(self, path: str | os.PathLike) -> Tags:
        return self.predict(load_clip(path, SAMPLE_RATE))

    def decide(self, tags: Tags) -> list[str]:
        probs = np.array([tags.probabilities.get(label, 0.0) for label in self.labels])
        chosen = self.decisions(probs)[0]
        order = np.argsort(-probs, kind="stable")
        return [self.labels[i] for i in order if chosen[i]]


def save_checkpoint(path: Path, payload: dict) -> Path:
    """torch.save to a temp file beside `path`, then rename: never a half-written checkpoint."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    torch.save(payload, tmp)
    os.replace(tmp, path)
    return path


def read_checkpoint(path: str | os.PathLike) -> dict:
    p = Path(path).expanduser()
    if p.is_dir():
        p = p / "best.pt"
    if not p.is_file():
        raise ModelMissingError(f"{p}: no such checkpoint. Train one with `tastemaker train ... --out DIR`; "
                                "its best model is DIR/best.pt.")
    try:
        payload = torch.load(p, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - corrupt, truncated or not a checkpoint at all: torch's unpickler
        # raises whatever the bytes lead it to (a text file named .wav: KeyError), never a traceback for the person
        told = isinstance(exc, (pickle.UnpicklingError, RuntimeError, EOFError, OSError, ValueError))
        reason = (str(exc).splitlines() or [""])[0][:120] if told else "its contents are not a saved model"
        raise TastemakerError(f"{p}: not a readable checkpoint ({reason}).") from None
    if not isinstance(payload, dict) or payload.get("tastemaker_classifier") != CHECKPOINT_VERSION:
        raise TastemakerError(f"{p}: not a Tastemaker classifier checkpoint (made by `tastemaker train`).")
    return payload


def classifier_from_payload(payload: dict, device: torch.device | None = None) -> Classifier:
    meta = payload["meta"]
    model = rebuild_model(meta["model"], len(meta["labels"]), meta["model_options"])
    model.load_state_dict(payload["state_dict"])
    return Classifier(model, meta, device)


def load_classifier(path: str | os.PathLike, device: str | None = None) -> Classifier:
    """The classifier a checkpoint file (or a training output folder) holds."""
    return classifier_from_payload(read_checkpoint(path), pick_device(device))
