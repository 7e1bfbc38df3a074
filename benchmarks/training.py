"""Training throughput per classifier model, and the synthetic-to-real experiment.

    python benchmarks/training.py throughput [--steps 3] [--threads N]
        training steps/s and examples/s per model on batches of its real input shape
        (head: 3 embedding patches; CNNs: 3 s of 96-band log-mel; AST: the small config's 3 s fbank),
        and feature extraction time per 10 s clip for each feature kind.

    python benchmarks/training.py synthetic-to-real --work DIR [--per-genre 24] [--seconds 10] [--real FOLDER]
        trains the head on sketch-generated clips (classical, folk, jazz, rock) and evaluates it on
        the music21 corpus pieces of the default library (classical and folk scores, rendered with
        FluidSynth: human-composed music, but synthesised, not recorded), next to the pretrained
        musicnn tagger's zero-shot answer on the same pieces. Prints the figures; the reports land in DIR.
        With --real FOLDER (recordings, one subfolder per genre, GTZAN-style) it trains on sketch clips
        of the folder's genres and evaluates on the recordings instead.

Figures depend on the machine and its load: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _music(seconds: float, sr: int = 16000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    y = sum(np.sin(2 * np.pi * f * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 0.5 * t + k)) for k, f in
            enumerate((220.0, 277.18, 329.63, 440.0)))
    y = y + 0.05 * rng.standard_normal(len(t))
    return (0.3 * y / np.abs(y).max()).astype(np.float32)


def throughput(steps: int, batch: int) -> None:
    from tools.classify.features import sequence_from_samples
    from tools.classify.models import AST_SMALL, build_model
    from tools.classify.training import _feature_spec

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, load average {_load()}")
    y = _music(10.0)
    print("\nfeatures per 10 s clip (after one warm-up call):")
    for name in ("head", "resnet50", "ast"):
        _, options = build_model(name, 4, {"config": AST_SMALL} if name == "ast" else {})
        spec = _feature_spec(name, options, 30.0)
        sequence_from_samples(y, spec)
        t0 = time.perf_counter()
        seq = sequence_from_samples(y, spec)
        print(f"  {spec['kind']:<10} {time.perf_counter() - t0:6.3f} s  -> {seq.shape}")

    print(f"\ntraining (batch {batch}, Adam, {steps} timed steps after one warm-up):")
    print(f"  {'model':<10} {'params':>12} {'s/step':>8} {'examples/s':>11}")
    for name in ("head", "googlenet", "resnet50", "vgg16", "ast"):
        torch.manual_seed(0)
        model, _ = build_model(name, 10, {})
        dims = {"head": 200, "ast": AST_SMALL["num_mel_bins"]}.get(name, 96)
        x = torch.randn(batch, model.crop, dims)
        y_true = torch.randint(0, 10, (batch,))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=1e-4)
        model.train()
        times = []
        for step in range(steps + 1):
            t0 = time.perf_counter()
            loss = sum(w * torch.nn.functional.cross_entropy(out, y_true) for w, out in model.training_logits(x))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step:
                times.append(time.perf_counter() - t0)
        per_step = float(np.median(times))
        params = sum(p.numel() for p in model.parameters())
        print(f"  {name:<10} {params:>12,} {per_step:>8.3f} {batch / per_step:>11.1f}")
    print(f"\nload average after: {_load()}")


def _real_pieces(work: Path) -> Path:
    """The default library's classical and folk scores, rendered (cached in work/real) into a manifest."""
    from tools.library.catalogue import PIECES
    from tools.library.default import render_piece

    chosen = [p for p in PIECES if p.genre in ("classical", "folk")]
    out = work / "real"
    rows = []
    for n, piece in enumerate(chosen, 1):
        print(f"\r  rendering corpus pieces {n}/{len(chosen)}", end="", file=sys.stderr)
        rendered = render_piece(piece, str(out))
        rows.append({"path": Path(rendered.audio).name, "labels": piece.genre, "artist": piece.composer})
    print(file=sys.stderr)
    manifest = out / "manifest.csv"
    with open(manifest, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["path", "labels", "artist"])
        writer.writeheader()
        writer.writerows(rows)
    return manifest


def _zero_shot(ds, labels: list[str]) -> dict:
    """The pretrained musicnn tagger's unified genres, restricted to `labels`, as a baseline."""
    from sklearn.metrics import accuracy_score

    from tools.audio import load_clip
    from tools.tagger import tag_full

    truth, pred = [], []
    for e in ds.examples:
        genres = tag_full(load_clip(e.path, 16000, max_seconds=60)).genres.probabilities
        pred.append(max(labels, key=lambda g: genres.get(g, 0.0)))
        truth.append(e.labels[0])
    return {"accuracy": round(float(accuracy_score(truth, pred)), 4), "n": len(truth),
            "predicted": {g: pred.count(g) for g in labels}}


def synthetic_to_real(work: Path, per_genre: int, seconds: float, epochs: int, real_dir: Path | None) -> None:
    from tools.classify import TrainOptions, evaluate_checkpoint, load_dataset, train
    from tools.classify.synth import synth_dataset

    real = load_dataset(real_dir, "folder") if real_dir else None
    genres = sorted(real.counts()) if real else ["classical", "folk", "jazz", "rock"]
    print(f"load average {_load()}")
    t0 = time.perf_counter()
    synth_dataset(genres, per_genre, work / "synthetic", engine="sketch", seconds=seconds)
    print(f"generated {per_genre} x {len(genres)} sketch clips of {seconds:g} s in {time.perf_counter() - t0:.0f} s")
    run = work / "run-head"
    if (run / "best.pt").is_file():
        print(f"using the model already trained in {run}")
        best = run / "best.pt"
    else:
        t0 = time.perf_counter()
        result = train(load_dataset(work / "synthetic", "folder"), run,
                       TrainOptions(model="head", epochs=epochs, test_fraction=0.2, val_fraction=0.15))
        best = result.best
        m = result.metrics
        print(f"trained in {time.perf_counter() - t0:.0f} s (best epoch {result.best_epoch}); synthetic test split: "
              f"accuracy {m['accuracy']} (chance {m['chance_accuracy']}), macro F1 {m['macro_f1']}")
    if real is None:
        real = load_dataset(_real_pieces(work), "csv")
    counts = real.counts()
    what = f"recordings in {real_dir}" if real_dir else "corpus pieces"
    print(f"{what}: {dict(counts)} (majority baseline {max(counts.values()) / sum(counts.values()):.3f})")
    metrics = evaluate_checkpoint(best, real, work / "eval-real")
    per = metrics["per_class"]
    recalls = ", ".join(f"{g} {per[g]['recall']}" for g in sorted(counts))
    print(f"synthetic -> real: accuracy {metrics['accuracy']}, balanced accuracy {metrics['balanced_accuracy']}, "
          f"macro F1 {metrics['macro_f1']}; recall {recalls}")
    print(f"  most confused: {metrics['most_confused'][:4]}")
    print(f"  report: {work / 'eval-real' / 'report.md'}")
    print(f"zero-shot musicnn tagger (argmax over the same {len(genres)} genres): {_zero_shot(real, genres)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    t = sub.add_parser("throughput")
    t.add_argument("--steps", type=int, default=3)
    t.add_argument("--batch", type=int, default=8)
    t.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    s = sub.add_parser("synthetic-to-real")
    s.add_argument("--work", type=Path, required=True)
    s.add_argument("--per-genre", type=int, default=24)
    s.add_argument("--seconds", type=float, default=10.0)
    s.add_argument("--epochs", type=int, default=300)
    s.add_argument("--real", type=Path, help="recordings to test on, one subfolder per genre (default: corpus renders)")
    args = parser.parse_args()
    if getattr(args, "threads", None):
        torch.set_num_threads(args.threads)
    if args.what == "throughput":
        throughput(args.steps, args.batch)
    else:
        synthetic_to_real(args.work, args.per_genre, args.seconds, args.epochs, args.real)


if __name__ == "__main__":
    main()
