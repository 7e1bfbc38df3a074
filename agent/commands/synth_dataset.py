"""`tastemaker synth-dataset --genres rock,jazz --per-genre N --engine sketch|musicgen --out DIR`."""

from __future__ import annotations

import argparse

from tools.classify.synth import ENGINES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("synth-dataset", help="generate a labelled training set, one folder per genre")
    p.add_argument("--genres", required=True, help="comma-separated genres, e.g. rock,jazz,classical,electronic")
    p.add_argument("--per-genre", type=int, required=True, metavar="N", help="clips per genre")
    p.add_argument("--engine", choices=ENGINES, default="sketch", help="sketch (offline, default) or musicgen")
    p.add_argument("--seconds", type=float, default=10.0, help="length of each clip (default 10)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--model", help="MusicGen model id or folder (default TASTEMAKER_MUSICGEN_MODEL)")
    p.add_argument("--out", required=True, help="dataset folder (clips kept there are reused)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tools.classify.synth import synth_dataset

    genres = [g for g in args.genres.split(",") if g.strip()]
    manifest = synth_dataset(genres, args.per_genre, args.out, engine=args.engine, seconds=args.seconds,
                             seed=args.seed, model=args.model)
    print(f"{args.per_genre} clips for each of {len(genres)} genres in {args.out}")
    print(f"manifest: {manifest}")
    print(f"train on it: tastemaker train --data {args.out} --format folder --model head --out runs/synthetic")
    return 0
