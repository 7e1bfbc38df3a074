"""Evaluating a trained checkpoint on a dataset (every example in it), with a report folder."""

from __future__ import annotations

import os
from pathlib import Path

from tools.classify.classifier import classifier_from_payload, read_checkpoint
from tools.classify.datasets import Dataset
from tools.classify.features import dataset_sequences
from tools.classify.report import write_report
from tools.classify.training import truth_matrix
from tools.errors import TastemakerError


def evaluate_checkpoint(checkpoint: str | os.PathLike, dataset: Dataset, out_dir: str | os.PathLike,
                        progress: bool = True, device: str | None = None) -> dict:
    """Metrics of the checkpoint on `dataset`; examples with labels it does not know are skipped and reported."""
    payload = read_checkpoint(checkpoint)
    clf = classifier_from_payload(payload, None if device is None else __import__("torch").device(device))
    known = set(clf.labels)
    usable, skipped = [], []
    for e in dataset.examples:
        unknown = [label for label in e.labels if label not in known]
        if unknown:
            skipped.append({"file": str(e.path), "error": f"label {', '.join(unknown)} is not one the classifier knows"})
        elif not clf.multi_label and len(e.labels) != 1:
            skipped.append({"file": str(e.path), "error": "several labels, but the classifier is single-label"})
        else:
            usable.append(e)
    if not usable:
        raise TastemakerError(
            f"no example of {dataset.source} has labels the classifier knows ({', '.join(clf.labels)}); "
            f"the dataset's labels are {', '.join(dataset.labels)}."
        )
    feats, bad = dataset_sequences([e.path for e in usable], clf.feature_spec, progress=progress, desc="features")
    skipped += bad
    order = sorted(feats)
    if not order:
        raise TastemakerError(f"none of the {len(usable)} audio files of {dataset.source} could be read.")
    examples = [usable[i] for i in order]
    logits, embeddings = clf.logits_and_embeddings([feats[i][0] for i in order])
    probs = clf.probabilities(logits)
    info = {"model": clf.meta["model"], "checkpoint": str(Path(checkpoint)), "dataset": dataset.source,
            "trained_on": clf.meta.get("dataset", "")}
    return write_report(out_dir, labels=clf.labels, multi_label=clf.multi_label,
                        truth=truth_matrix([e.labels for e in examples], clf.labels), probs=probs,
                        decisions=clf.decisions(probs), thresholds=clf.thresholds, embeddings=embeddings,
                        files=[str(e.path) for e in examples], history=payload["training"].get("history"),
                        skipped=skipped, info=info, title=f"{clf.meta['model']} classifier on {dataset.source}")
