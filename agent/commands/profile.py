"""`tastemaker profile [TEXT] [--like FILE ...] [--json]`: build, save and show a taste profile."""

from __future__ import annotations

import argparse
import getpass
import json
from dataclasses import asdict

from tools.audio import load_clip
from tools.errors import TastemakerError


def default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "local"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("profile", help="build (or show) your taste profile from words and songs you like")
    p.add_argument("text", nargs="?", default="", help='what you like, e.g. "energetic rock, no vocals"')
    p.add_argument("--like", action="append", default=[], metavar="FILE", help="a song you like (repeatable)")
    p.add_argument("--user", default=None, help="whose profile (default: your login name)")
    p.add_argument("--add", action="store_true", help="fold the words into the saved profile instead of replacing it")
    p.add_argument("--json", action="store_true", help="print the profile as JSON")
    p.set_defaults(handler=run)


def profile_json(profile, user: str) -> dict:
    from tools.prompting import profile_to_prompt
    from tools.taste import explain

    return {"user": user, "profile": asdict(profile), "explanation": explain(profile),
            "prompt": profile_to_prompt(profile)}


def run(args: argparse.Namespace) -> int:
    # torch-backed modules load when the command runs, not for `tastemaker --help`
    from tools.prompting import profile_to_prompt
    from tools.taste import build_profile, explain, load_profile, merge_text, save_profile

    user = args.user or default_user()
    if not args.text and not args.like:
        profile = load_profile(user)
        if profile is None:  # a user error (exit 2), said as one line like the others
            raise TastemakerError(f"No saved profile for {user} yet. Try: tastemaker profile \"energetic rock\" "
                                  "--like song.mp3")
    elif args.add and (saved := load_profile(user)) is not None and not args.like:
        profile = merge_text(saved, args.text)
        save_profile(user, profile)
    else:
        clips = [load_clip(path) for path in args.like]
        profile = build_profile(clips, args.text)
        save_profile(user, profile)
    if args.json:
        print(json.dumps(profile_json(profile, user), indent=2))
    else:
        print(f"Your taste ({user}): {explain(profile)}")
        print(f"Prompt: {profile_to_prompt(profile)}")
    return 0
