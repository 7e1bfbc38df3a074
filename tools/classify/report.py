"""Evaluation report: metrics.json, report.md and plots, from scikit-learn's metrics.

Single-label: accuracy (with chance levels), balanced accuracy, macro F1,
per-class precision/recall/F1, confusion matrix, most-confused pairs.
Multi-label: Hamming loss, Jaccard, micro/macro F1, subset accuracy, per-label
precision/recall/F1, ROC-AUC, PR-AUC, F1-vs-threshold curves with the tuned
thresholds, most frequent wrong labels per true label.
Both: learning curves from the training history and a t-SNE map of the
model's penultimate-layer embeddings coloured by true label.
"""

from __future__ import annotations

import json
import os
from itertools import combinations
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window
import matplotlib.pyplot as plt
import numpy as np
from sklearn import metrics as skm

from tools.classify.thresholds import GRID, f1_curve


def _r(x: float) -> float:
    return round(float(x), 4)


def single_label_metrics(labels: list[str], truth: np.ndarray, probs: np.ndarray) -> dict:
    y_true, y_pred = truth.argmax(axis=1), probs.argmax(axis=1)
    k = len(labels)
    p, r, f, s = skm.precision_recall_fscore_support(y_true, y_pred, labels=range(k), zero_division=0)
    cm = skm.confusion_matrix(y_true, y_pred, labels=range(k))
    pairs = [(int(cm[i, j]), labels[i], labels[j]) for i in range(k) for j in range(k) if i != j and cm[i, j]]
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    top2 = skm.top_k_accuracy_score(y_true, probs, k=2, labels=range(k)) if k > 2 else 1.0
    return {
        "accuracy": _r(skm.accuracy_score(y_true, y_pred)),
        "balanced_accuracy": _r(skm.balanced_accuracy_score(y_true, y_pred)),
        # over the labels present in truth or predictions: an evaluation set may hold only some of them
        "macro_f1": _r(skm.f1_score(y_true, y_pred, average="macro", zero_division=0)),
        "top2_accuracy": _r(top2),
        "chance_accuracy": _r(1.0 / k),
        "majority_accuracy": _r(np.bincount(y_true, minlength=k).max() / len(y_true)),
        "log_loss": _r(skm.log_loss(y_true, probs / probs.sum(axis=1, keepdims=True), labels=range(k))),
        "per_class": {labels[i]: {"precision": _r(p[i]), "recall": _r(r[i]), "f1": _r(f[i]), "support": int(s[i])}
                      for i in range(k)},
        "confusion_matrix": cm.tolist(),
        "most_confused": [{"true": a, "predicted": b, "count": n} for n, a, b in pairs[:10]],
    }


def _safe(fn, y: np.ndarray, score: np.ndarray) -> float | None:
    return _r(fn(y, score)) if 0 < y.sum() < len(y) else None  # undefined with one class present


def multi_label_metrics(labels: list[str], truth: np.ndarray, probs: np.ndarray, decisions: np.ndarray,
                        thresholds: list[float]) -> dict:
    p, r, f, s = skm.precision_recall_fscore_support(truth, decisions, zero_division=0)
    roc = [_safe(skm.roc_auc_score, truth[:, j], probs[:, j]) for j in range(len(labels))]
    ap = [_safe(skm.average_precision_score, truth[:, j], probs[:, j]) for j in range(len(labels))]
    wrong: list[tuple[int, str, str]] = []
    for i, j in combinations(range(len(labels)), 2):  # a true label, and another predicted but absent
        for a, b in ((i, j), (j, i)):
            n = int(((truth[:, a] == 1) & (truth[:, b] == 0) & (decisions[:, b] == 1)).sum())
            if n:
                wrong.append((n, labels[a], labels[b]))
    wrong.sort(key=lambda t: (-t[0], t[1], t[2]))
    defined_roc, defined_ap = [x for x in roc if x is not None], [x for x in ap if x is not None]
    return {
        "hamming_loss": _r(skm.hamming_loss(truth, decisions)),
        "jaccard_samples": _r(skm.jaccard_score(truth, decisions, average="samples", zero_division=0)),
        "micro_f1": _r(skm.f1_score(truth, decisions, average="micro", zero_division=0)),
        "macro_f1": _r(skm.f1_score(truth, decisions, average="macro", zero_division=0)),
        "subset_accuracy": _r(skm.accuracy_score(truth, decisions)),
        "macro_roc_auc": _r(np.mean(defined_roc)) if defined_roc else None,
        "macro_pr_auc": _r(np.mean(defined_ap)) if defined_ap else None,
        "label_cardinality_true": _r(truth.sum(axis=1).mean()),
        "label_cardinality_predicted": _r(decisions.sum(axis=1).mean()),
        "per_class": {labels[j]: {"precision": _r(p[j]), "recall": _r(r[j]), "f1": _r(f[j]), "support": int(s[j]),
                                  "roc_auc": roc[j], "pr_auc": ap[j], "threshold": _r(thresholds[j])}
                      for j in range(len(labels))},
        "most_confused": [{"true": a, "predicted": b, "count": n} for n, a, b in wrong[:10]],
    }


# ------------------------------------------------------------------ plots


def _save(fig: plt.Figure, path: Path) -> str:
    tmp = path.with_name(f".{path.stem}.part.png")
    fig.savefig(tmp, dpi=110, bbox_inches="tight")
    plt.close(fig)
    os.replace(tmp, path)
    return path.name


def plot_confusion(labels: list[str], cm: list[list[int]], path: Path) -> str:
    fig, ax = plt.subplots(figsize=(1.2 + 0.6 * len(labels), 1.0 + 0.55 * len(labels)))
    skm.ConfusionMatrixDisplay(np.array(cm), display_labels=labels).plot(ax=ax, colorbar=False, xticks_rotation=45)
    ax.set_title("Confusion matrix (rows: true label)")
    return _save(fig, path)


def plot_per_class(labels: list[str], per_class: dict, path: Path) -> str:
    x = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(max(5.0, 0.7 * len(labels) + 2), 3.6))
    for k, (name, offset) in enumerate((("precision", -0.27), ("recall", 0.0), ("f1", 0.27))):
        ax.bar(x + offset, [per_class[label][name] for label in labels], width=0.27, label=name, color=f"C{k}")
    ax.set_xticks(x, labels, rotation=45, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title("Per-class precision, recall and F1")
    ax.legend(loc="lower right", fontsize=8)
    return _save(fig, path)


def plot_threshold_curves(labels: list[str], truth: np.ndarray, probs: np.ndarray, thresholds: list[float],
                          path: Path) -> str:
    cols = min(4, len(labels))
    rows = int(np.ceil(len(labels) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.0 * cols, 2.4 * rows), squeeze=False, sharey=True)
    for j, label in enumerate(labels):
        ax = axes[j // cols][j % cols]
        ax.plot(GRID, f1_curve(truth[:, j], probs[:, j]), color="C0")
        ax.axvline(thresholds[j], color="C3", linestyle="--", linewidth=1)
        ax.set_title(f"{label} (t={thresholds[j]:.2f})", fontsize=9)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("threshold", fontsize=8)
    for j in range(len(labels), rows * cols):
        axes[j // cols][j % cols].axis("off")
    axes[0][0].set_ylabel("F1")
    fig.suptitle("F1 against the decision threshold (dashed: tuned on validation)", fontsize=10)
    return _save(fig, path)


def plot_learning_curves(history: list[dict], path: Path) -> str | None:
    if not history:
        return None
    epochs = [h["epoch"] for h in history]
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(epochs, [h["train_loss"] for h in history], label="training loss", color="C0")
    ax.plot(epochs, [h["val_loss"] for h in history], label="validation loss", color="C1")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax2 = ax.twinx()
    ax2.plot(epochs, [h["val_score"] for h in history], label=history[0].get("score_name", "validation score"),
             color="C2", linestyle=":")
    ax2.set_ylim(0, 1.05)
    ax2.set_ylabel(history[0].get("score_name", "validation score"))
    lines = ax.get_lines() + ax2.get_lines()
    ax.legend(lines, [ln.get_label() for ln in lines], fontsize=8, loc="center right")
    ax.set_title("Learning curves")
    return _save(fig, path)


def plot_tsne(embeddings: np.ndarray, colour_labels: list[str], path: Path, seed: int = 0) -> str | None:
    from sklearn.manifold import TSNE

    n = len(embeddings)
    if n < 5:
        return None  # t-SNE needs a handful of points to say anything
    points = TSNE(n_components=2, perplexity=float(min(30.0, max(2.0, (n - 1) / 3))), init="pca",
                  method="exact" if n <= 500 else "barnes_hut", random_state=seed).fit_transform(np.asarray(embeddings, dtype=np.float64))
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    for k, label in enumerate(sorted(set(colour_labels))):
        mask = np.array([c == label for c in colour_labels])
        ax.scatter(points[mask, 0], points[mask, 1], s=18, label=label, color=f"C{k % 10}",
                   marker="os^Dv<>ph*"[k // 10 % 10])
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("t-SNE of the model's embeddings, coloured by true label")
    ax.legend(fontsize=7, loc="best", markerscale=0.8)
    return _save(fig, path)


# ------------------------------------------------------------------ the folder


def _markdown(title: str, info: dict, metrics: dict, multi_label: bool, plots: list[str], skipped: list[dict]) -> str:
    lines = [f"# {title}", ""]
    lines += [f"- **{k}**: {v}" for k, v in info.items()]
    lines += ["", "## Headline", ""]
    headline = (["hamming_loss", "jaccard_samples", "micro_f1", "macro_f1", "subset_accuracy", "macro_roc_auc",
                 "macro_pr_auc"] if multi_label else
                ["accuracy", "balanced_accuracy", "macro_f1", "top2_accuracy", "chance_accuracy", "majority_accuracy"])
    lines += ["| metric | value |", "|---|---|"] + [f"| {k} | {metrics[k]} |" for k in headline]
    lines += ["", "## Per class", ""]
    cols = ["precision", "recall", "f1", "support"] + (["roc_auc", "pr_auc", "threshold"] if multi_label else [])
    lines += ["| label | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for label, row in metrics["per_class"].items():
        lines.append(f"| {label} | " + " | ".join(str(row[c]) for c in cols) + " |")
    lines += ["", "## Most confused", ""]
    what = "true label -> label predicted but absent" if multi_label else "true label -> predicted label"
    pairs = metrics["most_confused"]
    lines += [f"({what})", ""] + ([f"- {p['true']} -> {p['predicted']}: {p['count']}" for p in pairs] or ["- none"])
    if skipped:
        lines += ["", "## Skipped files", ""] + [f"- {s['file']}: {s['error']}" for s in skipped]
    lines += ["", "## Plots", ""] + [f"![{p}]({p})" for p in plots]
    return "\n".join(lines) + "\n"


def write_report(out_dir: str | os.PathLike, *, labels: list[str], multi_label: bool, truth: np.ndarray,
                 probs: np.ndarray, decisions: np.ndarray, thresholds: list[float] | None, embeddings: np.ndarray,
                 files: list[str], history: list[dict] | None = None, skipped: list[dict] | None = None,
                 info: dict | None = None, title: str = "Classifier evaluation") -> dict:
    """Compute the metrics, draw the plots, write metrics.json and report.md; returns the metrics."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    truth, probs, decisions = np.asarray(truth, int), np.asarray(probs, float), np.asarray(decisions, int)
    thresholds = list(thresholds or [0.5] * len(labels))
    plots: list[str | None] = []
    if multi_label:
        metrics = multi_label_metrics(labels, truth, probs, decisions, thresholds)
        plots.append(plot_threshold_curves(labels, truth, probs, thresholds, out / "threshold_curves.png"))
    else:
        metrics = single_label_metrics(labels, truth, probs)
        plots.append(plot_confusion(labels, metrics["confusion_matrix"], out / "confusion_matrix.png"))
    plots.append(plot_per_class(labels, metrics["per_class"], out / "per_class.png"))
    plots.append(plot_learning_curves(history or [], out / "learning_curves.png"))
    colour = [labels[int(np.argmax(t))] if t.sum() else "(none)" for t in truth]
    plots.append(plot_tsne(embeddings, colour, out / "tsne.png"))
    drawn = [p for p in plots if p]
    predictions = [
        {"file": f, "true": [labels[j] for j in np.flatnonzero(t)], "predicted": [labels[j] for j in np.flatnonzero(d)],
         "probabilities": {label: _r(p) for label, p in zip(labels, pr)}}
        for f, t, d, pr in zip(files, truth, decisions, probs)
    ]
    document = {"task": "multi-label" if multi_label else "single-label", "n_examples": len(truth),
                "labels": labels, **(info or {}), "metrics": metrics, "skipped": skipped or [], "plots": drawn,
                "history": history or [], "predictions": predictions}
    tmp = out / ".metrics.json.part"
    tmp.write_text(json.dumps(document, indent=2))
    os.replace(tmp, out / "metrics.json")
    md = _markdown(title, {"examples": len(truth), "labels": ", ".join(labels), **(info or {})}, metrics, multi_label,
                   drawn, skipped or [])
    (out / ".report.md.part").write_text(md)
    os.replace(out / ".report.md.part", out / "report.md")
    return metrics
