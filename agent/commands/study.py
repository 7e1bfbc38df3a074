"""`tastemaker study create|list|serve|results`: blind listening studies (tools.evaluate.study)."""

from __future__ import annotations

import argparse
import json

from tools.evaluate import study as studies

DEFAULT_PORT = 8765


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("study", help="blind listening studies: create, serve in the browser, summarise")
    actions = p.add_subparsers(dest="study_command", metavar="ACTION", required=True)

    c = actions.add_parser("create", help="make a study from two folders of audio")
    c.add_argument("--a", required=True, metavar="DIR", help="condition A's audio (e.g. generated pieces)")
    c.add_argument("--b", required=True, metavar="DIR", help="condition B's audio (e.g. human-made references)")
    c.add_argument("--kind", choices=studies.KINDS, default="rating",
                   help="rating: each clip rated 1-5 (default); choice: pairs, 'which one is machine-made?'")
    c.add_argument("--question", help="what raters are asked (default depends on --kind)")
    c.add_argument("--machine", choices=["a", "b"], default="a", help="which folder is machine-made (choice studies)")
    c.add_argument("--max-seconds", type=float, default=studies.DEFAULT_MAX_SECONDS,
                   help=f"play at most this much of each clip (default {studies.DEFAULT_MAX_SECONDS:g})")
    c.add_argument("--seed", type=int, help="seed for the pairing of clips (choice studies)")
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c.set_defaults(handler=run_create)

    ls = actions.add_parser("list", help="the studies in the data directory")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=run_list)

    s = actions.add_parser("serve", help="serve the study pages in the browser (http://HOST:PORT/study/ID)")
    s.add_argument("id", nargs="?", help="a study id, to print its link")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=DEFAULT_PORT)
    s.set_defaults(handler=run_serve)

    r = actions.add_parser("results", help="means per condition with CIs and Mann-Whitney U (or binomial test)")
    r.add_argument("id")
    r.add_argument("--plot", metavar="PNG", help="also draw the results as a bar chart")
    r.add_argument("--json", action="store_true")
    r.set_defaults(handler=run_results)


def run_create(args: argparse.Namespace) -> int:
    study = studies.create_study(args.a, args.b, kind=args.kind, question=args.question, machine=args.machine,
                                 max_seconds=args.max_seconds, seed=args.seed)
    from agent.study_web import invitation_link

    invite = invitation_link("", study.id)
    info = {"id": study.id, "kind": study.kind, "question": study.question, "trials": len(study.trials),
            "folder": str(study.folder), "path": invite}
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        print(f"Created study {study.id} ({study.kind}, {len(study.trials)} trials): {study.question}")
        print(f"Serve it with `tastemaker study serve {study.id}` and send raters to "
              f"http://127.0.0.1:{DEFAULT_PORT}{invite} (or {invite} on the chat app; with login on, only "
              "this invitation link admits raters who are not signed in).")
        print(f"Summarise with `tastemaker study results {study.id}`.")
    return 0


def run_list(args: argparse.Namespace) -> int:
    rows = studies.list_studies()
    if args.json:
        print(json.dumps(rows, indent=2))
    elif not rows:
        print("No studies yet: `tastemaker study create --a DIR --b DIR`.")
    for r in [] if args.json else rows:
        print(f"{r['id']}  {r['kind']:<6} {r['trials']:>3} trials  {r['raters']:>3} raters  {r['question']}")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from agent.study_web import create_app, invitation_link

    base = f"http://{args.host}:{args.port}"
    if args.id:
        studies.load_study(args.id)  # an unknown id fails now, with the known ones listed
        print(f"Raters: {invitation_link(base, args.id)}", flush=True)
    else:  # say what is served, or the command sits there silent
        rows = studies.list_studies()
        for r in rows:
            print(f"{r['id']} ({r['kind']}, {r['trials']} trials): {invitation_link(base, r['id'])}")
        if not rows:
            print("No studies yet: create one with `tastemaker study create --a DIR --b DIR`; this server serves it "
                  "as soon as it exists.")
        print(f"Serving the listening studies at {base}/study/ID; Ctrl-C stops.", flush=True)
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning")
    return 0


def run_results(args: argparse.Namespace) -> int:
    summary = studies.results(args.id)
    if args.plot:
        summary["plot"] = str(studies.plot_results(summary, args.plot))
    print(json.dumps(summary, indent=2) if args.json else studies.format_results(summary))
    return 0
