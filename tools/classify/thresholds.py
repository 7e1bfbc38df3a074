"""Per-label decision thresholds for multi-label classifiers, tuned on validation data."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score

GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)


def f1_curve(truth: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """F1 of one label at every threshold of GRID."""
    return np.array([f1_score(truth, probs >= t, zero_division=0) for t in GRID])


def tune_thresholds(truth: np.ndarray, probs: np.ndarray) -> list[float]:
    """For each label, the threshold with the best validation F1 (ties: the one nearest 0.5).

    A label with no positive example in validation keeps 0.5: there is nothing to tune it on.
    """
    truth, probs = np.atleast_2d(truth), np.atleast_2d(probs)
    out = []
    for j in range(truth.shape[1]):
        if truth[:, j].sum() == 0:
            out.append(0.5)
            continue
        curve = f1_curve(truth[:, j], probs[:, j])
        best = np.flatnonzero(curve >= curve.max() - 1e-12)
        out.append(float(GRID[best[np.argmin(np.abs(GRID[best] - 0.5))]]))
    return out
