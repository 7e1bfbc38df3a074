"""`tastemaker train`, `tastemaker evaluate` and `tastemaker classify`: classifiers of your own.

  tastemaker train --data DIR --format folder --model head --out runs/genres
  tastemaker evaluate --checkpoint runs/genres/best.pt --data other/ --out runs/genres/other
  tastemaker classify song.mp3 --checkpoint runs/genres/best.pt [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tqdm import tqdm

from agent.commands.tag import MANY_FILES, announce, check_top, exit_status, find_files, say_errors
from tools.classify.datasets import FORMATS
from tools.classify.names import MODELS
from tools.errors import TastemakerError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a genre (or any label) classifier on a labelled dataset")
    p.add_argument("--data", required=True, help="the dataset: a folder, FMA folder, MuMu CSV or manifest")
    p.add_argument("--format", choices=FORMATS, default="folder", help="dataset layout (default folder)")
    p.add_argument("--model", choices=MODELS, default="head", help="head (fast, default), a CNN, or ast")
    p.add_argument("--multi-label", action="store_true", help="several labels per example (sigmoids, thresholds)")
    p.add_argument("--epochs", type=int, help="most epochs to train (default: 300 for head, 30 otherwise)")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float, default=1e-4, help="Adam learning rate (default 1e-4)")
    p.add_argument("--weight-decay", type=float, default=1e-4, help="default 1e-4")
    p.add_argument("--patience", type=int, default=20, help="epochs without a better validation loss before stopping")
    p.add_argument("--augment", type=int, default=2, metavar="N",
                   help="augmented copies per training clip (pitch, tempo, noise; default 2)")
    p.add_argument("--val-fraction", type=float, default=0.15)
    p.add_argument("--test-fraction", type=float, default=0.15)
    p.add_argument("--group-by-artist", action="store_true", help="keep each artist's songs in one split")
    p.add_argument("--pretrained", nargs="?", const="1", metavar="SOURCE",
                   help="start from local pretrained weights (ImageNet file for CNNs; AST id or folder)")
    p.add_argument("--max-seconds", type=float, default=30.0, help="seconds of each clip used (its middle)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", help="cpu, cuda, cuda:1 ... (default: the GPU when there is one)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its last.pt")
    p.add_argument("--out", required=True, help="output folder: best.pt, last.pt, split.json, report/")
    p.set_defaults(handler=run_train)

    e = sub.add_parser("evaluate", help="evaluate a trained classifier on a dataset and write a report")
    e.add_argument("--checkpoint", required=True, help="a best.pt (or its folder)")
    e.add_argument("--data", required=True)
    e.add_argument("--format", choices=FORMATS, default="folder")
    e.add_argument("--out", required=True, help="report folder (metrics.json, report.md, plots)")
    e.add_argument("--device")
    e.set_defaults(handler=run_evaluate)

    c = sub.add_parser("classify", help="classify audio files with a trained classifier")
    c.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
    c.add_argument("--checkpoint", required=True)
    c.add_argument("--top", type=int, default=3, metavar="K", help="probabilities to show per file (default 3)")
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c.add_argument("--device")
    c.add_argument("--all", action="store_true",
                   help=f"classify every audio file found, even more than {MANY_FILES} (without it, so many is refused)")
    c.set_defaults(handler=run_classify)


def _headline(metrics: dict) -> str:
    keys = ("accuracy", "macro_f1", "chance_accuracy") if "accuracy" in metrics else (
        "micro_f1", "macro_f1", "jaccard_samples", "hamming_loss", "macro_roc_auc")
    return ", ".join(f"{k} {metrics[k]}" for k in keys if metrics.get(k) is not None)


def _report_skipped(skipped: list[dict]) -> None:
    for s in skipped:
        print(f"skipped: {s['error']}", file=sys.stderr)


def run_train(args: argparse.Namespace) -> int:
    from tools.classify import TrainOptions, load_dataset, train

    dataset = load_dataset(args.data, args.format, multi_label=args.multi_label)
    for problem in dataset.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    options = TrainOptions(
        model=args.model, multi_label=args.multi_label, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
        weight_decay=args.weight_decay, patience=args.patience, seed=args.seed, augment_copies=args.augment,
        val_fraction=args.val_fraction, test_fraction=args.test_fraction, group_by_artist=args.group_by_artist,
        pretrained=args.pretrained, max_seconds=args.max_seconds, device=args.device,
    )
    result = train(dataset, args.out, options, resume=args.resume)
    _report_skipped(result.skipped)
    print(f"trained {args.model} on {len(dataset.examples)} files, labels: {', '.join(dataset.labels)}")
    print(f"stopped: {result.stop_reason}; best epoch {result.best_epoch}")
    print(f"test split: {_headline(result.metrics)}")
    print(f"checkpoint: {result.best}")
    print(f"report: {result.report_dir / 'report.md'}")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from tools.classify import evaluate_checkpoint, load_dataset

    # Read rows with several labels too: a single-label checkpoint reports them as skipped, not fatal.
    dataset = load_dataset(args.data, args.format, multi_label=True)
    metrics = evaluate_checkpoint(args.checkpoint, dataset, args.out, device=args.device)
    report = json.loads((Path(args.out) / "metrics.json").read_text())
    _report_skipped(report["skipped"])
    print(f"{report['n_examples']} examples: {_headline(metrics)}")
    print(f"report: {Path(args.out) / 'report.md'}")
    return 0


def classify_files(files: list[Path], checkpoint: str, device: str | None = None, progress: bool = True) -> dict:
    from tools.classify import load_classifier

    clf = load_classifier(checkpoint, device)
    results, errors = [], []
    for f in tqdm(files, desc="classifying", unit="file", file=sys.stderr, disable=not progress or len(files) < 2):
        try:
            tags = clf.predict_file(f)
        except TastemakerError as exc:
            errors.append({"file": str(f), "error": str(exc)})
            continue
        probs = {k: round(v, 6) for k, v in sorted(tags.probabilities.items(), key=lambda kv: -kv[1])}
        results.append({"file": str(f), "label": next(iter(probs)), "probabilities": probs,
                        "labels": clf.decide(tags)})
    return {"results": results, "errors": errors}


def run_classify(args: argparse.Namespace) -> int:
    check_top(args.top)
    found = find_files(args.paths)
    announce(found, args.all, "classify", "classifying")
    report = classify_files(found.files, args.checkpoint, args.device)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for r in report["results"]:
            top = list(r["probabilities"].items())[: args.top]
            print(f"{r['file']}: {', '.join(r['labels']) or '(no label over its threshold)'}")
            print("  " + ", ".join(f"{label} {p:.2f}" for label, p in top))
        say_errors(report["errors"], {str(Path(p)) for p in args.paths})
    return exit_status(report["errors"])
