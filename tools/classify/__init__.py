"""Train your own classifiers (single- and multi-label) and use them as judges.

    from tools.classify import load_dataset, train, TrainOptions, load_classifier
    result = train(load_dataset("data/gtzan", "folder"), "runs/gtzan", TrainOptions(model="head"))
    clf = load_classifier(result.best)
    clf.decide(clf.predict(clip))

Modules: datasets (formats, splits), features (cached model inputs),
augment, architectures (torchvision's CNNs), models, train, thresholds,
classifier (checkpoint -> judge), evaluate, report, synth (synthetic data).
"""

from tools.classify.classifier import Classifier, load_classifier
from tools.classify.datasets import FORMATS, Dataset, Example, load_dataset, split_dataset
from tools.classify.evaluate import evaluate_checkpoint
from tools.classify.models import MODELS
from tools.classify.train import TrainOptions, TrainResult, train

__all__ = [
    "FORMATS", "MODELS", "Classifier", "Dataset", "Example", "TrainOptions", "TrainResult", "evaluate_checkpoint",
    "load_classifier", "load_dataset", "split_dataset", "train",
]
