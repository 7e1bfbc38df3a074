"""`tastemaker create [TEXT] [--like FILE ...] [--target g1,g2] ...`: the classifier in the loop."""

from __future__ import annotations

import argparse
import json
import sys

from agent.commands.profile import default_user
from tools.audio import load_clip
from tools.errors import TastemakerError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("create", help="make music for your taste, re-tag it and refine until the genres match")
    p.add_argument("text", nargs="?", default="", help='what to make, e.g. "something for the gym"')
    p.add_argument("--like", action="append", default=[], metavar="FILE", help="a song you like (repeatable)")
    p.add_argument("--target", default="", help="target genres, comma-separated (default: from your profile)")
    p.add_argument("--engine", choices=["auto", "musicgen", "sketch"], default="sketch")
    p.add_argument("--max-iters", type=int, default=4)
    p.add_argument("--max-seconds", type=float, default=300.0, help="time budget for the whole loop")
    p.add_argument("--candidates", type=int, default=2, help="pieces per iteration")
    p.add_argument("--seconds", type=float, default=10.0, help="length of each piece")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--judge", default="", metavar="CHECKPOINT", help="a trained classifier (default: TASTEMAKER_CLASSIFIER, else the tagger)")
    p.add_argument("--no-reference", action="store_true", help="do not condition on the nearest library piece")
    p.add_argument("--user", default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run)


# what the loop can do in a run: -1 iterations read 'no match after -1 iterations' with exit code 0
LIMITS = {"max_iters": (1, 20), "candidates": (1, 8), "seconds": (1.0, 120.0), "max_seconds": (1.0, 3600.0)}


def check_limits(args: argparse.Namespace) -> None:
    for name, (low, high) in LIMITS.items():
        value = getattr(args, name)
        if not low <= value <= high:  # NaN fails too
            raise TastemakerError(f"--{name.replace('_', '-')} must be between {low:g} and {high:g} (got {value:g}).")


def run(args: argparse.Namespace) -> int:
    check_limits(args)
    # torch-backed modules load when the command runs, not for `tastemaker --help`
    from tools.loop import ClassifierJudge, LoopConfig, TaggerJudge, create, result_to_json
    from tools.prompting import profile_to_prompt
    from tools.taste import build_profile, explain, load_profile, save_profile

    out = sys.stderr if args.json else sys.stdout
    user = args.user or default_user()
    clips = [load_clip(path) for path in args.like]
    if clips or args.text:
        profile = build_profile(clips, args.text)
        save_profile(user, profile)
    else:
        profile = load_profile(user)
        if profile is None and not args.target:
            print("Tell me what you like (text or --like FILE), or give --target genres.", file=sys.stderr)
            return 2
        from tools.contracts import TasteProfile

        profile = profile or TasteProfile()
    print(f"Profile: {explain(profile)}", file=out)
    print(f"Prompt:  {profile_to_prompt(profile)}", file=out)

    config = LoopConfig(max_iters=args.max_iters, max_seconds=args.max_seconds, candidates=args.candidates,
                        seconds=args.seconds, engine=args.engine, seed=args.seed)
    if not args.no_reference and (clips or args.text):
        from tools.reference import choose_reference

        reference = choose_reference(clips, args.text)
        if reference is not None:
            config.reference_midi, config.like = reference.midi_path or None, reference.audio_path or None
            print(f"Reference: {reference.title} by {reference.artist} (from the library)", file=out)
    from tools.settings import get_settings

    checkpoint = args.judge or get_settings().classifier  # --judge, else TASTEMAKER_CLASSIFIER, else the tagger
    judge = ClassifierJudge(checkpoint) if checkpoint else TaggerJudge()

    def show(kind: str, info: dict) -> None:
        if kind == "iteration":
            print(f"iteration {info['iteration']}: {info['prompt']}", file=out, flush=True)
        elif kind == "attempt":
            a = info["attempt"]
            heard = ", ".join(f"{g} {a.predicted[g]:.2f}" for g in a.predicted_labels)
            mark = "match" if info["matched"] else "no match"
            print(f"  {a.generation.audio_path}\n    heard: {heard}  jaccard {a.jaccard:.2f}  "
                  f"hamming {a.hamming:.3f}  margin {a.margin:+.2f}  ({mark})", file=out, flush=True)

    targets = [t for t in (s.strip() for s in args.target.split(",")) if t]
    result = create(profile, targets or None, config, judge=judge, on_event=show)
    if args.json:
        print(json.dumps(result_to_json(result), indent=2))
    else:
        best = result.best
        print(f"{'Matched' if result.matched else 'Did not match'} {', '.join(result.target)}: {result.stop_reason}.")
        if best:
            print(f"Best: {best.generation.audio_path} (iteration {best.iteration}, jaccard {best.jaccard:.2f}, "
                  f"{best.generation.engine} / {best.generation.model})")
    return 0
