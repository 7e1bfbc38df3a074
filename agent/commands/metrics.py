"""`tastemaker metrics`: generated audio against reference audio, or an automated A/B experiment.

  tastemaker metrics --generated DIR --reference DIR [--targets FILE] [--json]
  tastemaker metrics --ab plain loop [--requests FILE] [--seeds 0 1] [--seconds 6] [--reference DIR]
                     [--report DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys

from tools.errors import TastemakerError


def register(sub: argparse._SubParsersAction) -> None:
    from tools.evaluate.ab import SETUPS

    p = sub.add_parser("metrics", help="FAD, label alignment and descriptors of generated audio; A/B experiments")
    # 'tastemaker metrics song.wav': a file named where a folder is asked for; read only to say so in one line
    # (argparse printed the top-level usage for it, and nothing about a file that is not there)
    p.add_argument("paths", nargs="*", metavar="FILE", help=argparse.SUPPRESS)
    p.add_argument("--generated", metavar="DIR", help="folder of generated audio")
    p.add_argument("--reference", metavar="DIR", help="folder of reference audio (FAD is measured against it)")
    p.add_argument("--targets", metavar="FILE", help="YAML/JSON {file name: [intended genres]} ('*' for all files)")
    p.add_argument("--ab", nargs=2, metavar=("A", "B"), choices=list(SETUPS),
                   help=f"A/B experiment between two generation set-ups ({', '.join(SETUPS)})")
    p.add_argument("--requests", metavar="FILE", help="A/B requests: YAML list of {prompt, genres} (default: 10 built in)")
    p.add_argument("--seeds", nargs="+", type=int, default=[0], metavar="SEED", help="A/B seeds per request (default 0)")
    p.add_argument("--seconds", type=float, default=6.0, help="A/B length of each piece (default 6)")
    p.add_argument("--engine", default="sketch", help="A/B generation engine (default sketch)")
    p.add_argument("--report", metavar="DIR", help="A/B: where the audio and ab.json/ab.md/ab.png go")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tools.errors import AudioError

    for path in args.paths:
        if not Path(path).expanduser().exists():
            raise AudioError(path, "no such file.", "Check the path and try again.")
    if args.paths:
        raise TastemakerError("metrics compares two folders of audio: give --generated DIR --reference DIR (or "
                              "--ab A B); for one file's genres, use 'tastemaker tag FILE'.")
    if args.ab:
        return run_ab(args)
    if not (args.generated and args.reference):
        raise TastemakerError("Give --generated DIR and --reference DIR (or --ab A B for an A/B experiment).")
    from tools.evaluate.metrics import evaluate_sets, format_metrics

    result = evaluate_sets(args.generated, args.reference, args.targets)
    print(json.dumps(result, indent=2) if args.json else format_metrics(result))
    return 0


def run_ab(args: argparse.Namespace) -> int:
    from tools.evaluate.ab import format_ab, load_requests, run_ab, write_ab_report

    if not args.report:
        raise TastemakerError("An A/B run writes audio and a report: give --report DIR.")
    report = run_ab(args.ab[0], args.ab[1], load_requests(args.requests), args.seeds, args.report,
                    seconds=args.seconds, engine=args.engine, reference=args.reference,
                    progress=lambda line: print(line, file=sys.stderr, flush=True))
    files = write_ab_report(report, args.report)
    print(json.dumps(report, indent=2) if args.json else format_ab(report))
    print(f"Report: {files['markdown']}", file=sys.stderr)
    return 0
