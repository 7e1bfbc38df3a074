"""`tastemaker generate "TEXT" [--engine auto|musicgen|sketch] [--seconds S] [--seed N] [--like FILE]
[--melody FILE] [--midi FILE] [--candidates N] [-o OUT.wav] [--json]`."""

from __future__ import annotations

import argparse
import json
import sys

from tqdm import tqdm

from tools.atomic import check_writable
from tools.generate import ENGINES, GenerationRequest, generate


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("generate", help="make music from a description (MusicGen, or the offline sketch engine)")
    p.add_argument("text", nargs="?", default="", help='what to make, e.g. "heavy metal with fast drums"')
    p.add_argument("--engine", choices=ENGINES, default="auto",
                   help="auto (MusicGen when its weights are here, else sketch), musicgen or sketch")
    p.add_argument("--seconds", type=float, default=15.0, metavar="S", help="duration in seconds (default 15)")
    p.add_argument("--seed", type=int, default=None, metavar="N", help="random seed (same seed, same music)")
    p.add_argument("--like", metavar="FILE", help="audio to continue (MusicGen) or borrow tempo, key, chords from")
    p.add_argument("--melody", metavar="FILE", help="audio whose melody to follow (MusicGen-Melody)")
    p.add_argument("--midi", metavar="FILE", help="MIDI whose motif, chords, tempo and key to borrow (sketch)")
    p.add_argument("--candidates", type=int, default=1, metavar="N", help="how many versions to make (default 1)")
    p.add_argument("--guidance", type=float, default=3.0, help="MusicGen classifier-free guidance (default 3)")
    p.add_argument("-o", "--output", metavar="OUT.wav", help="where to write the (first) WAV")
    p.add_argument("--json", action="store_true", help="print JSON (a list when there are several candidates)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.output:  # an output that cannot be written is one line now, not a traceback after the work
        check_writable(args.output, shown=args.output)
    request = GenerationRequest(
        prompt=args.text, seconds=args.seconds, seed=args.seed, candidates=args.candidates, engine=args.engine,
        like=args.like, melody=args.melody, reference_midi=args.midi, output=args.output,
        guidance_scale=args.guidance,
    )
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
               for g in results]
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
