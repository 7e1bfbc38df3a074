"""Training a classifier on a labelled dataset, with checkpoints, early stopping and a report.

Single-label: cross-entropy with class weights (rare classes count more).
Multi-label: independent sigmoids, BCE with positive weights for rare labels,
then per-label thresholds tuned on validation and stored in the checkpoint.
Adam (lr 1e-4, weight decay 1e-4 by default); early stopping on validation
loss; augmentation (pitch shift, time stretch, noise copies made once and
cached; a random crop every step); seeded; the GPU when there is one.

An output folder holds best.pt (lowest validation loss), last.pt (the
latest epoch, with the optimizer: `resume=True` continues from it),
split.json and report/ (the test split's evaluation).
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from tools.classify.augment import random_crop
from tools.classify.classifier import CHECKPOINT_VERSION, Classifier, pick_device, read_checkpoint, save_checkpoint
from tools.classify.datasets import SPLITS, Dataset, split_dataset
from tools.classify.features import dataset_sequences, make_spec
from tools.classify.models import FEATURE_KIND, build_model, rebuild_model
from tools.classify.report import write_report
from tools.classify.thresholds import tune_thresholds
from tools.errors import TastemakerError

DEFAULT_EPOCHS = {"head": 300, "resnet50": 30, "googlenet": 30, "vgg16": 30, "ast": 30}
DEFAULT_BATCH = {"head": 32, "resnet50": 16, "googlenet": 16, "vgg16": 8, "ast": 16}
MAX_POS_WEIGHT = 50.0  # cap on a rare label's positive weight, so one example cannot dominate


@dataclass
class TrainOptions:
    model: str = "head"
    multi_label: bool = False
    epochs: int | None = None  # None: the model's default (DEFAULT_EPOCHS)
    batch_size: int | None = None
    lr: float = 1e-4
    weight_decay: float = 1e-4
    patience: int = 20
    seed: int = 0
    augment_copies: int = 2
    val_fraction: float = 0.15
    test_fraction: float = 0.15
    group_by_artist: bool = False
    pretrained: str | None = None
    max_seconds: float = 30.0
    device: str | None = None
    max_steps_per_epoch: int | None = None  # for smoke runs and benchmarks
    model_options: dict = field(default_factory=dict)


@dataclass
class TrainResult:
    out_dir: Path
    best: Path
    last: Path
    report_dir: Path
    metrics: dict
    history: list[dict]
    skipped: list[dict]
    stop_reason: str
    best_epoch: int


def truth_matrix(label_sets: list[tuple[str, ...]], labels: list[str]) -> np.ndarray:
    index = {label: j for j, label in enumerate(labels)}
    out = np.zeros((len(label_sets), len(labels)), dtype=int)
    for i, ls in enumerate(label_sets):
        for label in ls:
            out[i, index[label]] = 1
    return out


def _criterion(multi_label: bool, truth: np.ndarray, device: torch.device) -> nn.Module:
    counts = truth.sum(axis=0).astype(np.float64)
    if multi_label:
        pos_weight = np.clip((len(truth) - counts) / np.maximum(counts, 1), 1.0, MAX_POS_WEIGHT)
        return nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight, dtype=torch.float32, device=device))
    weights = len(truth) / (len(counts) * np.maximum(counts, 1))
    return nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32, device=device))


def _targets(truth: np.ndarray, multi_label: bool, device: torch.device) -> torch.Tensor:
    if multi_label:
        return torch.tensor(truth, dtype=torch.float32, device=device)
    return torch.tensor(truth.argmax(axis=1), dtype=torch.long, device=device)


def _score(truth: np.ndarray, probs: np.ndarray, multi_label: bool) -> float:
    from sklearn.metrics import accuracy_score, f1_score

    if multi_label:
        return float(f1_score(truth, probs >= 0.5, average="micro", zero_division=0))
    return float(accuracy_score(truth.argmax(axis=1), probs.argmax(axis=1)))


def _feature_spec(name: str, model_options: dict, max_seconds: float) -> dict:
    kind = FEATURE_KIND[name]
    if kind != "fbank":
        return make_spec(kind, max_seconds)
    fbank = dict(model_options.get("fbank") or {})
    fbank.pop("max_length", None)
    fbank.setdefault("num_mel_bins", model_options["config"]["num_mel_bins"])
    return make_spec("fbank", max_seconds, **fbank)


def _payload(meta: dict, model: nn.Module, training: dict, optimizer: torch.optim.Optimizer | None) -> dict:
    out = {"tastemaker_classifier": CHECKPOINT_VERSION, "meta": meta,
           "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()}, "training": dict(training)}
    if optimizer is not None:
        out["training"]["optimizer"] = optimizer.state_dict()
    return out


def _split_from_paths(dataset: Dataset, saved: dict[str, list[str]]) -> dict[str, list[int]]:
    where = {str(e.path): i for i, e in enumerate(dataset.examples)}
    missing = [p for s in SPLITS for p in saved[s] if p not in where]
    if missing:
        raise TastemakerError(f"cannot resume: {len(missing)} files of the saved split are not in this dataset "
                              f"(e.g. {missing[0]}). Resume with the same --data.")
    return {s: [where[p] for p in saved[s]] for s in SPLITS}


def train(dataset: Dataset, out_dir: str | os.PathLike, options: TrainOptions | None = None, resume: bool = False,
          progress: bool = True) -> TrainResult:
    opts = options or TrainOptions()
    started = time.perf_counter()
    out = Path(out_dir)
    last_path, best_path = out / "last.pt", out / "best.pt"
    labels = list(dataset.labels)
    epochs = opts.epochs or DEFAULT_EPOCHS.get(opts.model, 30)
    batch_size = opts.batch_size or DEFAULT_BATCH.get(opts.model, 16)
    device = pick_device(opts.device)

    state = None
    if resume:
        if not last_path.is_file():
            raise TastemakerError(f"{last_path}: nothing to resume; train without --resume first.")
        state = read_checkpoint(last_path)
        meta = state["meta"]
        if meta["model"] != opts.model or meta["labels"] != labels or meta["multi_label"] != opts.multi_label:
            raise TastemakerError(
                f"{last_path} was trained as {meta['model']} ({'multi' if meta['multi_label'] else 'single'}-label) "
                f"on labels {', '.join(meta['labels'])}; resume with the same --model, --multi-label and --data."
            )
        split = _split_from_paths(dataset, state["training"]["split"])
        model = rebuild_model(meta["model"], len(labels), meta["model_options"])
        model.load_state_dict(state["state_dict"])
        model_options = meta["model_options"]
    else:
        if last_path.exists():
            raise TastemakerError(f"{out} already holds a training run; continue it with --resume, "
                                  "or choose another --out folder.")
        split = split_dataset(dataset, opts.val_fraction, opts.test_fraction, opts.seed, opts.group_by_artist)
        torch.manual_seed(opts.seed)
        model_options = {**opts.model_options, "pretrained": opts.pretrained} if opts.pretrained else opts.model_options
        model, model_options = build_model(opts.model, len(labels), model_options)
    spec = state["meta"]["features"] if state else _feature_spec(opts.model, model_options, opts.max_seconds)
    out.mkdir(parents=True, exist_ok=True)

    # Features: augmented copies for training only; unreadable files are skipped and reported.
    paths = {s: [dataset.examples[i].path for i in split[s]] for s in SPLITS}
    seqs, skipped = {}, []
    for s in SPLITS:
        copies = opts.augment_copies if s == "train" else 0
        feats, bad = dataset_sequences(paths[s], spec, copies, opts.seed, progress, desc=f"features ({s})")
        seqs[s] = feats
        skipped += bad
    kept = {s: [split[s][j] for j in sorted(seqs[s])] for s in SPLITS}
    variants = {s: [seqs[s][j] for j in sorted(seqs[s])] for s in SPLITS}  # per example: original, copies...
    plain = {s: [v[0] for v in variants[s]] for s in SPLITS}
    truth = {s: truth_matrix([dataset.examples[i].labels for i in kept[s]], labels) for s in SPLITS}
    if not kept["val"] or not kept["test"]:
        raise TastemakerError("after skipping unreadable files, the validation or test split is empty; "
                              "fix or remove the files listed above.")
    absent = [label for j, label in enumerate(labels) if truth["train"][:, j].sum() == 0]
    if absent:
        raise TastemakerError(f"no readable training example for {', '.join(absent)} "
                              f"({len(skipped)} files were skipped as unreadable).")

    if state:
        meta = state["meta"]
    else:
        meta = {"model": opts.model, "name": out.name, "labels": labels, "multi_label": opts.multi_label,
                "features": spec, "model_options": model_options, "thresholds": None,
                "input_mean": None, "input_std": None, "dataset": dataset.source, "format": dataset.format}
        if not opts.pretrained:  # pretrained networks keep the input scale they were trained on
            stacked = np.concatenate(plain["train"])
            meta["input_mean"] = stacked.mean(axis=0).tolist()
            std = stacked.std(axis=0)
            # Dimensions (near-)constant in training (dead ReLUs) must not blow up unseen values elsewhere.
            meta["input_std"] = np.maximum(std, 0.1 * float(np.median(std)) + 1e-6).tolist()
    clf = Classifier(model, meta, device)
    optimizer = torch.optim.Adam(model.parameters(), lr=opts.lr, weight_decay=opts.weight_decay)
    criterion = _criterion(opts.multi_label, truth["train"], device)
    training = {"epoch": 0, "best_epoch": 0, "best_val_loss": float("inf"), "bad_epochs": 0, "history": [],
                "split": {s: [str(dataset.examples[i].path) for i in split[s]] for s in SPLITS},
                "options": asdict(opts), "stop_reason": ""}
    if state:
        optimizer.load_state_dict(state["training"]["optimizer"])
        training.update({k: state["training"][k] for k in ("epoch", "best_epoch", "best_val_loss", "bad_epochs",
                                                            "history", "stop_reason")})
    _write_split(out / "split.json", training["split"])

    y_train = _targets(truth["train"], opts.multi_label, device)
    y_val = _targets(truth["val"], opts.multi_label, device)
    score_name = "validation micro-F1" if opts.multi_label else "validation accuracy"
    stop_reason = training["stop_reason"] or f"reached {epochs} epochs"
    bar = tqdm(range(training["epoch"] + 1, epochs + 1), desc=f"training {opts.model}", unit="epoch",
               file=sys.stderr, disable=not progress, initial=training["epoch"], total=epochs)
    for epoch in bar:
        if training["bad_epochs"] >= opts.patience:
            break
        t0 = time.perf_counter()
        rng = np.random.default_rng([opts.seed, epoch])  # per-epoch streams: a resumed run repeats them
        torch.manual_seed(opts.seed * 100_003 + epoch)
        model.train()
        order = rng.permutation(len(variants["train"]))
        batches = [order[b:b + batch_size] for b in range(0, len(order), batch_size)]
        if len(batches) > 1 and len(batches[-1]) < 2:
            batches = batches[:-1]  # batch norm cannot train on one example
        if opts.max_steps_per_epoch:
            batches = batches[: opts.max_steps_per_epoch]
        losses = []
        for batch in tqdm(batches, desc=f"epoch {epoch}", unit="batch", file=sys.stderr, leave=False,
                          disable=not progress or len(batches) < 5):
            crops = [random_crop(variants["train"][i][rng.integers(len(variants["train"][i]))], model.crop, rng)
                     for i in batch]
            x = clf.scale(torch.from_numpy(np.stack(crops)).to(device))
            loss = sum(w * criterion(logits, y_train[torch.as_tensor(batch, device=device)])
                       for w, logits in model.training_logits(x))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        val_logits, _ = clf.logits_and_embeddings(plain["val"], batch_size)
        with torch.no_grad():
            val_loss = float(criterion(torch.from_numpy(val_logits).to(device), y_val))
        val_score = _score(truth["val"], clf.probabilities(val_logits), opts.multi_label)
        training["history"].append({"epoch": epoch, "train_loss": float(np.mean(losses)), "val_loss": val_loss,
                                    "val_score": val_score, "score_name": score_name,
                                    "seconds": round(time.perf_counter() - t0, 3)})
        training["epoch"] = epoch
        if val_loss < training["best_val_loss"] - 1e-6:
            training.update(best_val_loss=val_loss, best_epoch=epoch, bad_epochs=0)
            save_checkpoint(best_path, _payload(meta, model, training, None))
        else:
            training["bad_epochs"] += 1
        if training["bad_epochs"] >= opts.patience:
            stop_reason = f"early stop: validation loss did not improve for {opts.patience} epochs"
            training["stop_reason"] = stop_reason
        save_checkpoint(last_path, _payload(meta, model, training, optimizer))
        bar.set_postfix(loss=f"{np.mean(losses):.3f}", val_loss=f"{val_loss:.3f}", val=f"{val_score:.2f}")
        if training["stop_reason"]:
            break
    bar.close()
    if not best_path.is_file():
        raise TastemakerError("training ran no epoch; raise --epochs.")

    # The best epoch's weights, with thresholds tuned on validation, are the product.
    best = read_checkpoint(best_path)
    model.load_state_dict(best["state_dict"])
    if opts.multi_label:
        val_logits, _ = clf.logits_and_embeddings(plain["val"], batch_size)
        meta["thresholds"] = tune_thresholds(truth["val"], clf.probabilities(val_logits))
        clf.thresholds = list(meta["thresholds"])
    best["meta"] = meta
    best["training"].update(history=training["history"], stop_reason=stop_reason)
    save_checkpoint(best_path, best)
    last = read_checkpoint(last_path)
    last["meta"] = meta
    save_checkpoint(last_path, last)

    test_logits, test_emb = clf.logits_and_embeddings(plain["test"], batch_size)
    probs = clf.probabilities(test_logits)
    info = {"model": opts.model, "dataset": dataset.source, "split": "test",
            "sizes": {s: len(kept[s]) for s in SPLITS}, "best_epoch": best["training"]["best_epoch"],
            "epochs_run": training["epoch"], "stop_reason": stop_reason, "device": str(device),
            "seconds": round(time.perf_counter() - started, 1)}
    metrics = write_report(out / "report", labels=labels, multi_label=opts.multi_label, truth=truth["test"],
                           probs=probs, decisions=clf.decisions(probs), thresholds=meta["thresholds"],
                           embeddings=test_emb, files=[str(dataset.examples[i].path) for i in kept["test"]],
                           history=training["history"], skipped=skipped, info=info,
                           title=f"{opts.model} classifier: test split")
    return TrainResult(out, best_path, last_path, out / "report", metrics, training["history"], skipped,
                       stop_reason, best["training"]["best_epoch"])


def _write_split(path: Path, split: dict[str, list[str]]) -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(json.dumps(split, indent=1))
    os.replace(tmp, path)
