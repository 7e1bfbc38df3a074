"""The `tastemaker` command line. Each sub-command lives in agent/commands/.

Errors a user can act on (TastemakerError) are printed as one line, never a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

import tools  # noqa: F401  (switches model hubs off unless allowed)
from agent.commands.chat import APP_ROOT
from tools.errors import TastemakerError
from tools.incidents import apology
from tools.settings import get_settings
from tools.settings import load_env_file as _load_env_file

# Sub-command modules, in the order `tastemaker --help` lists them.
COMMAND_MODULES = [
    "agent.commands.chat",
    "agent.commands.tag",
    "agent.commands.library",
    "agent.commands.generate",
    "agent.commands.profile",
    "agent.commands.create",
    "agent.commands.radio",
    "agent.commands.playlist",
    "agent.commands.train",
    "agent.commands.synth_dataset",
    "agent.commands.eval",
    "agent.commands.metrics",
    "agent.commands.study",
    "agent.commands.models",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tastemaker", description="Tell us the music you like, and we'll create it."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        if importlib.util.find_spec(name) is None:
            continue
        importlib.import_module(name).register(sub)
    return parser


def load_env_file() -> None:
    """Read the repository's `.env`, as the browser app (Chainlit) does at start.

    So `tastemaker chat --terminal`, `eval` and the rest see the same settings
    as the browser. CHAINLIT_ENV_FILE names another file (relative to the
    repository root); variables already set in the environment win.
    """
    _load_env_file(APP_ROOT)


def main(argv: list[str] | None = None) -> int:
    load_env_file()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        # every setting checked once, before any work: a bad one is one line, not a failure per file; and the data
        # directory made usable, or said as unusable (its error log cannot be written there either)
        get_settings().ensure_home()
        from tools.render import import_fluidsynth_quietly

        import_fluidsynth_quietly()  # stdout carries only what the command prints (--json)
        return int(args.handler(args) or 0)
    except TastemakerError as exc:
        print(f"tastemaker: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tastemaker: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug of ours: one line here, the traceback in the error log
        print(f"tastemaker: {apology(exc, 'tastemaker ' + str(args.command), 'tastemaker ' + str(args.command))}",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
