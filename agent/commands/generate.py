"""`tastemaker generate "TEXT" [--genres jazz=1,rock=0.5] [--tempo BPM] [--key D --mode minor] [--seconds S]
[--candidates N] [--engine auto|musicgen|sketch] [--seed N] [--like FILE] [--melody FILE] [--midi FILE]
[-o OUT.wav] [--json]`.

The words are read by the same parser as the chat (tools.language), into the same typed request
(tools.generate.request.MusicAsk) whose fields are also the flags below; a flag outranks the words. Numbers
out of range are brought into range with a note, the same note the chat gives.
"""

from __future__ import annotations

import argparse
import json
import sys
import types
import typing
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from tools.atomic import check_writable
from tools.generate.request import MusicAsk, schema_fields

DEFAULT_SECONDS = 15.0


def _parse_genres(text: str) -> dict[str, float]:
    """'jazz=1,rock=0.5', 'jazz,rock' or the help's own {'jazz': 1.0} (JSON or Python's quotes)."""
    if text.strip().startswith("{"):
        import ast

        try:
            table = ast.literal_eval(text.strip())
            return {str(k): float(v) for k, v in table.items()}
        except (ValueError, SyntaxError, TypeError, AttributeError):
            raise argparse.ArgumentTypeError(f"'{text}' is not a genre table (e.g. jazz=1,rock=0.5)") from None
    out = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        name, _, weight = item.partition("=")
        try:
            out[name.strip()] = float(weight) if weight else 1.0
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{item}' is not genre=weight (e.g. jazz=1,rock=0.5)") from None
    return out


def _flag_type(kind: object):
    """argparse type for a MusicAsk field: lists and the genre table are comma-separated."""
    # 'float | None' is a union: its member that is not None; 'dict[str, float]' is itself (its args are its keys'
    # and values' types: taken for a union, the flag was read as a plain string, and every --genres crashed)
    union = typing.get_origin(kind) in (typing.Union, types.UnionType)
    args = [a for a in typing.get_args(kind) if a is not type(None)] if union else [kind]
    base = typing.get_origin(args[0]) or args[0]
    if base is dict:
        return _parse_genres
    if base is list:
        return lambda text: [p.strip() for p in text.split(",") if p.strip()]
    if base is bool:
        return _yes_no
    return base


def _yes_no(text: str) -> bool:
    """--vocals yes/no (a word that is neither was read as no: '--vocals maybe')."""
    word = text.strip().lower()
    if word not in ("1", "yes", "true", "on", "0", "no", "false", "off"):
        raise argparse.ArgumentTypeError(f"'{text}' is not yes or no")
    return word in ("1", "yes", "true", "on")


def _energy(text: str) -> float:
    """--energy 0..1 (5 and -1 were dropped without a word)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number from 0 (calm) to 1 (intense)") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not from 0 (calm) to 1 (intense)")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("generate", help="make music from a description (MusicGen, or the offline sketch engine)")
    p.add_argument("text", nargs="?", default="", help='what to make, e.g. "heavy metal with fast drums"')
    for name, kind, _default, help_text in schema_fields(MusicAsk):
        if name == "description":
            continue
        # default None: a flag that is not given leaves what the words said
        p.add_argument(f"--{name}", type=_energy if name == "energy" else _flag_type(kind), default=None,
                       help=help_text, choices={"engine": ("auto", "musicgen", "sketch"),
                                                "mode": ("major", "minor")}.get(name))
    p.add_argument("--seed", type=int, default=None, metavar="N", help="random seed (same seed, same music)")
    p.add_argument("--like", metavar="FILE", help="audio to continue (MusicGen) or borrow tempo, key, chords from")
    p.add_argument("--melody", metavar="FILE", help="audio whose melody to follow (MusicGen-Melody)")
    p.add_argument("--midi", metavar="FILE", help="MIDI whose motif, chords, tempo and key to borrow (sketch)")
    p.add_argument("--guidance", type=float, default=3.0, help="MusicGen classifier-free guidance (default 3)")
    p.add_argument("-o", "--output", metavar="OUT.wav", help="where to write the (first) WAV")
    p.add_argument("--json", action="store_true", help="print JSON (a list when there are several candidates)")
    p.set_defaults(handler=run)


def ask_from(args: argparse.Namespace) -> MusicAsk:
    """The words' reading, with every flag given laid over it."""
    from tools.language import read_slots

    ask = MusicAsk.from_slots(read_slots(args.text, meaning=True), args.text) if args.text.strip() else MusicAsk()
    given = {name: getattr(args, name) for name, *_ in schema_fields(MusicAsk)
             if name != "description" and getattr(args, name, None) is not None}
    return replace(ask, **given)


def run(args: argparse.Namespace) -> int:
    made_folder = None
    if args.output:  # an output that cannot be written is one line now, not a traceback after the work
        folder = Path(args.output).expanduser().parent
        made_folder = None if folder.is_dir() else folder
        check_writable(args.output, shown=args.output)  # makes a missing folder (mkdir -p), which is said below
    from tools.generate import GenerationRequest, generate
    from tools.language import read_slots

    ask, notes = ask_from(args).fitted(DEFAULT_SECONDS)
    style = ask.style()
    has_style = bool(style.genres or style.moods or style.instruments or style.avoid or style.tempo or style.key)
    request = GenerationRequest(
        prompt=args.text, style=style if has_style else None, seconds=ask.seconds, seed=args.seed,
        candidates=ask.candidates, engine=ask.engine, like=args.like, melody=args.melody, reference_midi=args.midi,
        output=args.output, guidance_scale=args.guidance,
        themes=read_slots(args.text).themes if args.text.strip() else [],
    )
    request.validate()  # a request that cannot be made is one line, before any progress bar is drawn
    out = sys.stderr if args.json else sys.stdout
    if made_folder is not None:
        print(f"Made folder {made_folder}", file=out)
    for note in notes:
        print(f"Note: {note}.", file=out)
    bar = tqdm(total=100, desc="generating", unit="%", file=sys.stderr, disable=args.json, leave=False)

    def progress(fraction: float, what: str) -> None:
        bar.set_postfix_str(what, refresh=False)
        bar.update(max(0, int(fraction * 100) - bar.n))

    try:
        results = generate(request, progress=progress)
    finally:
        bar.close()
    records = [{"engine": g.engine, "model": g.model, "path": g.audio_path, "sample_rate": g.sample_rate,
                "duration_s": round(g.duration, 3), "seed": g.seed, "prompt": g.prompt, "midi_path": g.midi_path}
               | ({"notes": notes} if notes else {}) for g in results]
    if args.json:
        print(json.dumps(records[0] if len(records) == 1 else records, indent=2))
        return 0
    first = results[0]
    print(f"Made {len(results)} piece{'s' if len(results) > 1 else ''} with the {first.engine} engine "
          f"({first.model}). {first.conditioning.get('engine_choice', '')}.")
    for g in results:
        extra = f"  MIDI {g.midi_path}" if g.midi_path else ""
        about = ", ".join(f"{k} {v}" for k, v in g.conditioning.items() if k in ("key", "tempo"))
        print(f"  {g.audio_path}  ({g.duration:.1f} s, seed {g.seed}{', ' + about if about else ''}){extra}")
    return 0
