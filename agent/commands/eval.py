"""`tastemaker eval SCRIPT... [--report DIR] [--json] [--offline]`: run scripted conversations through the agent."""

from __future__ import annotations

import argparse
import json
import sys

from tools.evaluate.conversations import Script, TurnOutcome, load_script, run_scripts, write_report


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="run scripted conversations (YAML) through the chat agent and check expectations")
    p.add_argument("scripts", nargs="+", metavar="SCRIPT", help="conversation scripts, e.g. conversations/*.yaml")
    p.add_argument("--report", metavar="DIR", help="write report.json, report.md, latency.png and the audio here")
    p.add_argument("--json", action="store_true", help="print the whole report as JSON")
    p.add_argument("--offline", action="store_true",
                   help="use the offline planner even when an LLM endpoint is configured")
    p.set_defaults(handler=run)


def _progress(script: Script, i: int, outcome: TurnOutcome) -> None:
    mark = "ok  " if outcome.passed else "FAIL"
    print(f"  {mark} {script.name} #{i} ({outcome.latency_s:.1f} s) {outcome.user[:60]}", file=sys.stderr, flush=True)
    for failure in outcome.failures:
        print(f"         {failure}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from tools.library.default import auto_build_enabled, ensure_default_library

    for path in args.scripts:  # a wrong script is said before minutes of building the library
        load_script(path)
    if auto_build_enabled():  # scripts are scored on a ready library, not on how far its first build got
        print("Preparing the built-in music library first (once per data directory)...", file=sys.stderr)
        ensure_default_library()
    report = run_scripts(args.scripts, offline=args.offline, on_turn=_progress)
    s = report["summary"]
    if args.report:
        files = write_report(report, args.report)
        print(f"Report: {files['markdown']} (and {files['json'].name}, {files['chart'].name})", file=sys.stderr)
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        for script in report["scripts"]:
            print(f"{'PASS' if script['passed'] else 'FAIL'}  {script['name']}  ({len(script['turns'])} turns)")
        loop = (f"loop match rate {s['loop_match_rate']:.0%} over {s['loop_runs']} run(s), mean Jaccard "
                f"{s['mean_jaccard']:.2f}" if s["loop_runs"] else "no classifier loop ran")
        print(f"\n{s['passed']} of {s['scripts']} scripts passed; {s['expectations_passed']} of {s['expectations']} "
              f"expectations ({s['pass_rate']:.0%}); {loop}; mean latency {s['mean_latency_s']:.2f} s per turn "
              f"({', '.join(s['brains'])}).")
    return 0 if s["passed"] == s["scripts"] else 1
