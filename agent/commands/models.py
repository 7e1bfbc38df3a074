"""`tastemaker models fetch|status`: the embedded model files."""

from __future__ import annotations

import argparse
from pathlib import Path

from tools.model_files import fetch_musicnn, musicnn_dir, musicnn_installed


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="install or check the embedded model files")
    p.add_argument("action", choices=["fetch", "status"])
    p.add_argument("--wheel", type=Path, help="use this musicnn-0.1.0 wheel instead of downloading it")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.action == "fetch":
        print(f"musicnn checkpoints: {fetch_musicnn(wheel=args.wheel)}")
        return 0
    ok = musicnn_installed()
    print(f"musicnn checkpoints: {'installed' if ok else 'missing'} ({musicnn_dir()})")
    return 0 if ok else 1
