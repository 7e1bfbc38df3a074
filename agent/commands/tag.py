"""`tastemaker tag FILE_OR_DIR... [--model msd|mtt|all] [--top K] [--json]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tqdm import tqdm

from tools.audio import is_audio_name, load_clip
from tools.errors import TastemakerError
from tools.genres import to_unified
from tools.incidents import log_incident


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tag", help="tag audio files with the pretrained musicnn models")
    p.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", help="audio files, or folders searched recursively")
    p.add_argument("--model", choices=["msd", "mtt", "all"], default="msd", help="which tagger (default msd)")
    p.add_argument("--top", type=int, default=5, metavar="K", help="tags to show per file (default 5)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run)


def expand_paths(paths: list[str]) -> list[Path]:
    """Files as given (whatever their extension), and audio files found inside folders."""
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        try:
            found = sorted(f for f in p.rglob("*") if f.is_file() and is_audio_name(f)) if p.is_dir() else [p]
        except OSError:  # a folder we may not list: load_clip reports it
            found = [p]
        files.extend(found if found else [p])  # an empty folder is reported as an error
    return files


def tag_files(files: list[Path], models: tuple[str, ...], progress: bool = True) -> dict:
    from tools.tagger import tag_full  # torch: imported when tagging, not for `tastemaker --help`

    results, errors = [], []
    for f in tqdm(files, desc="tagging", unit="file", disable=not progress or len(files) < 2, file=sys.stderr):
        try:
            clip = load_clip(f)
            full = tag_full(clip, models)
        except TastemakerError as exc:
            errors.append({"file": str(f), "error": str(exc)})
            continue
        except Exception as exc:  # noqa: BLE001 - one file must not stop the others; the details go to the log
            ref = log_incident(exc, f"tagging {f}")
            errors.append({"file": str(f), "error": f"{f}: could not be tagged ({type(exc).__name__}; reference "
                                                    f"{ref} in the error log)."})
            continue
        for model in models:
            probs = full.raw[model].probabilities
            results.append(
                {
                    "file": str(f),
                    "model": model,
                    "duration_s": round(clip.duration, 3),
                    "tags": {k: round(v, 6) for k, v in probs.items()},
                    "genres": {k: round(v, 6) for k, v in sorted(
                        to_unified({model: probs})["genres"].items(), key=lambda kv: -kv[1])},
                }
            )
    return {"results": results, "errors": errors}


def check_top(top: int) -> None:
    """--top below 1 was a slice from the end (-1: every tag but one), said as nothing wrong."""
    if top < 1:
        raise TastemakerError(f"--top must be at least 1 (got {top}).")


def run(args: argparse.Namespace) -> int:
    check_top(args.top)
    models = ("msd", "mtt") if args.model == "all" else (args.model,)
    report = tag_files(expand_paths(args.paths), models, progress=not args.json)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for r in report["results"]:
            top = sorted(r["tags"].items(), key=lambda kv: -kv[1])[: args.top]
            genres = list(r["genres"].items())[: args.top]
            print(f"{r['file']}  ({r['duration_s']:.1f} s, {r['model'].upper()})")
            print("  tags:   " + ", ".join(f"{t} {p:.2f}" for t, p in top))
            print("  genres: " + ", ".join(f"{g} {p:.2f}" for g, p in genres))
        for e in report["errors"]:
            print(f"error: {e['error']}", file=sys.stderr)
    return 1 if report["errors"] else 0
