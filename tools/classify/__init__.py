"""Train your own classifiers (single- and multi-label) and use them as judges.

    from tools.classify import load_dataset, train, TrainOptions, load_classifier
    result = train(load_dataset("data/gtzan", "folder"), "runs/gtzan", TrainOptions(model="head"))
    clf = load_classifier(result.best)
    clf.decide(clf.predict(clip))

Modules: datasets (formats, splits), features (cached model inputs),
augment, architectures (torchvision's CNNs), models, training, thresholds,
classifier (checkpoint -> judge), evaluate, report, synth (synthetic data).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tools.classify.classifier import Classifier, load_classifier
    from tools.classify.datasets import FORMATS, Dataset, Example, load_dataset, split_dataset
    from tools.classify.evaluate import evaluate_checkpoint
    from tools.classify.names import MODELS
    from tools.classify.training import TrainOptions, TrainResult, train

# Imported on first use: the CLI's argument parsing needs FORMATS and MODELS, not torch.
_LAZY = {
    "Classifier": "tools.classify.classifier", "load_classifier": "tools.classify.classifier",
    "FORMATS": "tools.classify.datasets", "Dataset": "tools.classify.datasets", "Example": "tools.classify.datasets",
    "load_dataset": "tools.classify.datasets", "split_dataset": "tools.classify.datasets",
    "evaluate_checkpoint": "tools.classify.evaluate", "MODELS": "tools.classify.names",
    "TrainOptions": "tools.classify.training", "TrainResult": "tools.classify.training",
    "train": "tools.classify.training",
}

__all__ = [
    "FORMATS", "MODELS", "Classifier", "Dataset", "Example", "TrainOptions", "TrainResult", "evaluate_checkpoint",
    "load_classifier", "load_dataset", "split_dataset", "train",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tools.classify' has no attribute {name!r}")
