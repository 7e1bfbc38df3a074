"""`tastemaker tag FILE_OR_DIR... [--model msd|mtt|all] [--top K] [--json]`."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from tools.audio import is_audio_name, load_clip
from tools.errors import TastemakerError
from tools.genres import to_unified
from tools.incidents import log_incident


# a folder with more audio files than this is tagged only with --all: `tag /tmp` found 7,472 and began an hour of
# work without a word
MANY_FILES = 500


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tag", help="tag audio files with the pretrained musicnn models")
    p.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", help="audio files, or folders searched recursively")
    p.add_argument("--model", choices=["msd", "mtt", "all"], default="msd", help="which tagger (default msd)")
    p.add_argument("--top", type=int, default=5, metavar="K", help="tags to show per file (default 5)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--all", action="store_true",
                   help=f"tag every audio file found, even more than {MANY_FILES} (without it, so many is refused)")
    p.set_defaults(handler=run)


@dataclass(frozen=True)
class Found:
    """The files to tag: those named, then the audio files inside the folders named (found), and how many other
    files those folders hold (skipped: not audio by their names)."""

    files: list[Path]
    folders: list[str]
    in_folders: int
    skipped: int


def find_files(paths: list[str]) -> Found:
    """Files as given (whatever their extension), and audio files found inside folders."""
    files: list[Path] = []
    folders: list[str] = []
    in_folders = skipped = 0
    for raw in paths:
        p = Path(raw)
        try:
            if p.is_dir():
                everything = [f for f in p.rglob("*") if f.is_file()]
                found = sorted(f for f in everything if is_audio_name(f))
                folders.append(raw)
                in_folders += len(found)
                skipped += len(everything) - len(found)
            else:
                found = [p]
        except OSError:  # a folder we may not list: load_clip reports it
            found = [p]
        files.extend(found if found else [p])  # an empty folder is reported as an error
    return Found(files, folders, in_folders, skipped)


def expand_paths(paths: list[str]) -> list[Path]:
    """Files as given (whatever their extension), and audio files found inside folders."""
    return find_files(paths).files


def announce(found: Found, allow_many: bool, do: str = "tag", doing: str = "tagging") -> None:
    """One line before the work on folders: how many audio files were found and what else was skipped; more than
    MANY_FILES without --all is refused (exit 2) rather than silently starting hours of work."""
    if not found.folders:
        return
    where = ", ".join(found.folders)
    n = found.in_folders
    others = f" ({found.skipped} other file{'s' * (found.skipped != 1)} skipped: not audio)" if found.skipped else ""
    if not n:  # nothing to do: said by the error for the empty folder, not as 'found 0; tagging them'
        return
    if n > MANY_FILES and not allow_many:
        raise TastemakerError(f"Found {n} audio files under {where}{others}: more than {MANY_FILES}, a long run. "
                              f"Add --all to {do} them all, or give a smaller folder.")
    print(f"Found {n} audio file{'s' * (n != 1)} under {where}{others}; {doing} {'them' if n != 1 else 'it'}.",
          file=sys.stderr)


def say_errors(errors: list[dict], named: set[str]) -> None:
    """One line per file named on the command line; the files found in folders that could not be read are one
    line, a count and the first reason (a walk of /tmp meets many files that only look like audio)."""
    found = [e for e in errors if e["file"] not in named]
    for e in errors:
        if e["file"] in named:
            print(f"tastemaker: {e['error']}", file=sys.stderr)
    if len(found) == 1:
        print(f"tastemaker: {found[0]['error']}", file=sys.stderr)
    elif found:
        print(f"tastemaker: skipped {len(found)} files that could not be read (the first: {found[0]['error']}); "
              "--json lists each.", file=sys.stderr)


def exit_status(errors: list[dict]) -> int:
    """0; 2 when a file given could not be read (a user error, as everywhere in the CLI); 1 when one failed by a
    fault of ours (it has a reference in the error log)."""
    if any("reference" in e for e in errors):
        return 1
    return 2 if errors else 0


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
                                                    f"{ref} in the error log).", "reference": ref})
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
    found = find_files(args.paths)
    announce(found, args.all)
    report = tag_files(found.files, models)  # the bar on stderr, with --json too (stdout is the JSON alone)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for r in report["results"]:
            top = sorted(r["tags"].items(), key=lambda kv: -kv[1])[: args.top]
            genres = list(r["genres"].items())[: args.top]
            print(f"{r['file']}  ({r['duration_s']:.1f} s, {r['model'].upper()})")
            print("  tags:   " + ", ".join(f"{t} {p:.2f}" for t, p in top))
            print("  genres: " + ", ".join(f"{g} {p:.2f}" for g, p in genres))
        say_errors(report["errors"], {str(Path(p)) for p in args.paths})
    return exit_status(report["errors"])
