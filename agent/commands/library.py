"""`tastemaker library add|search|similar|list|remove|rebuild|repair`: the music library from the command line.

    tastemaker library add PATH... [--manifest FILE] [--user NAME] [--ray]
    tastemaker library search "TEXT" [--k 5] [--genre G] [--user NAME] [--json]
    tastemaker library similar FILE [--k 5] [--genre G] [--user NAME] [--json]
    tastemaker library list [--genre G] [--user NAME] [--json]
    tastemaker library remove ID [--user NAME]
    tastemaker library rebuild [--default]
    tastemaker library repair

The default library (music21 corpus pieces) is built the first time the library is used.
Without --user, `add` adds to the shared library and the others see every track; with it,
`add` adds that person's own tracks and the others see the shared tracks plus theirs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from tools.errors import TastemakerError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("library", help="the music library: add, search, find similar, list, remove")
    cmds = p.add_subparsers(dest="library_command", metavar="ACTION", required=True)

    add = cmds.add_parser("add", help="add audio files or folders (recursive), or a CSV/JSON manifest")
    add.add_argument("paths", nargs="*", metavar="PATH", help="audio files or folders, or CSV/JSON manifests")
    add.add_argument("--manifest", metavar="FILE", help="CSV or JSON listing path, id, title, artist, description")
    add.add_argument("--json", action="store_true", help="print the report as JSON")
    add.add_argument("--user", metavar="NAME", default="", help="add as this person's own tracks (default: shared)")
    add.add_argument("--ray", action="store_true",
                     help="tag on a Ray cluster (TASTEMAKER_RAY_ADDRESS; without it, Ray on this machine); a run "
                          "that was stopped picks up where it was")
    add.set_defaults(handler=run_add)

    search = cmds.add_parser("search", help="find tracks by description")
    search.add_argument("text", metavar="TEXT")
    search.add_argument("--k", type=int, default=5, help="how many results (default 5)")
    search.add_argument("--genre", help="search only this genre's tracks")
    search.add_argument("--json", action="store_true", help='print {"results": [...]}')
    search.add_argument("--user", metavar="NAME", help=_SEES)
    search.set_defaults(handler=run_search)

    similar = cmds.add_parser("similar", help="find tracks that sound like an audio file")
    similar.add_argument("file", metavar="FILE")
    similar.add_argument("--k", type=int, default=5, help="how many results (default 5)")
    similar.add_argument("--genre", help="search only this genre's tracks")
    similar.add_argument("--json", action="store_true", help='print {"results": [...]}')
    similar.add_argument("--user", metavar="NAME", help=_SEES)
    similar.set_defaults(handler=run_similar)

    lst = cmds.add_parser("list", help="list the tracks")
    lst.add_argument("--genre", help="only this genre's tracks")
    lst.add_argument("--json", action="store_true")
    lst.add_argument("--user", metavar="NAME", help=_SEES)
    lst.set_defaults(handler=run_list)

    rm = cmds.add_parser("remove", help="remove a track by id")
    rm.add_argument("id", metavar="ID")
    rm.add_argument("--user", metavar="NAME", help="remove only if it is this person's own track")
    rm.set_defaults(handler=run_remove)

    rb = cmds.add_parser("rebuild", help="rebuild the search indexes from the database")
    rb.add_argument("--default", action="store_true", help="also add any missing default-library pieces")
    rb.set_defaults(handler=run_rebuild)

    pr = cmds.add_parser("prepare", help="build the built-in collection now, with a progress bar (the set-up does "
                                         "this; the chat builds it in the background otherwise)")
    pr.set_defaults(handler=run_prepare)

    rp = cmds.add_parser("repair", help="check the database; salvage a damaged one (keeping a copy) and rebuild "
                                        "the search indexes")
    rp.set_defaults(handler=run_repair)


_SEES = "only what this person sees: the shared tracks and their own (default: every track)"


def _notices(lib) -> None:
    for notice in lib.notices:
        print(f"note: {notice}", file=sys.stderr)
    lib.notices.clear()


def _open(progress: bool = True):
    from tools.library import ensure_default_library, open_library
    from tools.library.default import needs_build

    lib = open_library()
    if needs_build(lib):  # minutes of work on a fresh data directory: say so before the bar starts
        print("Preparing the built-in music library first (once per data directory; a few minutes)...",
              file=sys.stderr, flush=True)
    report = ensure_default_library(lib, progress=progress)
    if report is not None and report.failed:
        print("default library: " + report.summary(), file=sys.stderr)
    _notices(lib)
    return lib


def _check_k(k: int) -> None:
    if k < 1:
        raise TastemakerError(f"--k must be at least 1 (got {k}).")


def _print_results(results, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"results": [r.as_dict() for r in results]}, indent=2))
        return
    if not results:
        print("No tracks found. Add some with `tastemaker library add PATH`.")
    for n, r in enumerate(results, start=1):
        t = r.track
        print(f"{n}. {t.title}" + (f" - {t.artist}" if t.artist else "") + f"  [{t.genre}]  score {r.score:.3f}")
        print(f"   id {t.id}  {t.audio_path}")
        print(f"   why: {r.why}")


def run_search(args: argparse.Namespace) -> int:
    from tools.retrieve import search_text

    _check_k(args.k)
    lib = _open()
    _print_results(search_text(args.text, k=args.k, genre=args.genre, library=lib, viewer=args.user), args.json)
    _notices(lib)
    return 0


def run_similar(args: argparse.Namespace) -> int:
    from tools.audio import probe_file
    from tools.retrieve import similar_to_file

    _check_k(args.k)
    probe_file(args.file)  # a missing or unreadable file is said at once, not after the built-in library is built
    lib = _open()
    _print_results(similar_to_file(args.file, k=args.k, genre=args.genre, library=lib, viewer=args.user), args.json)
    _notices(lib)
    return 0


def _checked_files(paths: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """The audio files among `paths` (folders searched), and (path, why) for the rest: each file's header is
    opened here, so a bad file is said in a moment, not after the built-in library is built."""
    from tools.audio import probe_file
    from tools.errors import AudioError
    from tools.library.ingest import expand_paths

    found, problems = expand_paths(paths)
    files = []
    for f in found:
        try:
            files.append(str(probe_file(f, name=f)))
        except AudioError as exc:
            problems.append((str(f), f"{exc.problem} {exc.advice}".strip()))
    return files, problems


def run_add(args: argparse.Namespace) -> int:
    if not args.paths and not args.manifest:
        raise TastemakerError("Give audio files or folders to add, or --manifest FILE.")
    if args.ray:
        from tools import jobs

        jobs.use_ray("")
        print(f"tagging on Ray: {jobs.engine().capacity} workers", file=sys.stderr)
    manifests = [args.manifest] if args.manifest else []
    paths = []
    for path in args.paths:  # a .csv or .json file given among the paths is a manifest
        (manifests if path.lower().endswith((".csv", ".json")) and os.path.isfile(path) else paths).append(path)
    files, problems = _checked_files(paths)
    if not files and not manifests:  # nothing to add: say why now, before any library is opened or built
        if args.json:
            print(json.dumps({"added": [], "duplicates": [],
                              "failed": [{"file": f, "error": e} for f, e in problems]}, indent=2))
        else:
            for f, e in problems:
                print(f"skipped {f}: {e}", file=sys.stderr)
            print(f"0 added, {len(problems)} skipped.")
        return 2  # what was given could not be used: a user error, as everywhere in the CLI
    lib = _open()
    reports = []
    if files:
        reports.append(lib.add_paths(files, progress=True, owner=args.user))
    if problems:
        from tools.library.ingest import IngestReport

        reports.append(IngestReport(failed=problems))
    for manifest in manifests:
        reports.append(lib.add_manifest(manifest, progress=True, owner=args.user))
    _notices(lib)
    added = [t for r in reports for t in r.added]
    duplicates = [d for r in reports for d in r.duplicates]
    failed = [f for r in reports for f in r.failed]
    if args.json:
        print(json.dumps({
            "added": [{"id": t.id, "title": t.title, "artist": t.artist, "genre": t.genre, "path": t.audio_path}
                      for t in added],
            "duplicates": [{"file": f, "id": i} for f, i in duplicates],
            "failed": [{"file": f, "error": e} for f, e in failed],
        }, indent=2))
    else:
        for t in added:
            print(f"added {t.id}: {t.title}" + (f" - {t.artist}" if t.artist else "") + f"  [{t.genre}]")
        for f, i in duplicates:
            print(f"already in the library: {f} (id {i})")
        for f, e in failed:
            print(f"skipped {f}: {e}", file=sys.stderr)
        print(f"{len(added)} added, {len(duplicates)} already present, {len(failed)} skipped; "
              f"{lib.count(args.user or None)} tracks in all.")
    if any("in the error log" in e for _, e in failed):  # a fault of ours (tools.library.ingest._failure_words)
        return 1
    return 2 if failed else 0  # a file given could not be read: a user error


def run_list(args: argparse.Namespace) -> int:
    from tools.genres import require_genre

    lib = _open()
    tracks = lib.list(genre=require_genre(args.genre) if args.genre else None, viewer=args.user)
    if args.json:
        print(json.dumps({"tracks": [
            {"id": t.id, "title": t.title, "artist": t.artist, "genre": t.genre, "duration": round(t.duration, 2),
             "path": t.audio_path, "midi_path": t.midi_path, "owner": t.extra.get("owner", "")}
            for t in tracks]}, indent=2))
        return 0
    for t in tracks:
        print(f"{t.id:36s} {t.genre:12s} {t.duration:6.1f}s  {t.title}" + (f" - {t.artist}" if t.artist else ""))
    print(f"{len(tracks)} tracks")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from tools.library import open_library

    lib = open_library()
    track = lib.remove(args.id, viewer=args.user)
    _notices(lib)
    print(f"removed {track.id}: {track.title}")
    return 0


def run_rebuild(args: argparse.Namespace) -> int:
    from tools.library import ensure_default_library, open_library

    lib = open_library()
    if args.default:
        report = ensure_default_library(lib, force=True)
        if report is not None:
            print("default library: " + report.summary())
    lib.rebuild()
    _notices(lib)
    print(f"rebuilt the indexes over {len(lib)} tracks")
    return 0


def run_prepare(args: argparse.Namespace) -> int:
    from tools.library import ensure_default_library, open_library
    from tools.library.default import needs_build

    lib = open_library()
    if needs_build(lib):  # minutes of work on a fresh data directory: say so before the bar starts
        print("Preparing the built-in music library first (once per data directory; a few minutes)...",
              file=sys.stderr, flush=True)
    report = ensure_default_library(lib, progress=True)
    print("the built-in collection is ready" + (f" ({report.summary()})" if report is not None else "")
          + f": {len(lib)} tracks")
    return 0


def run_repair(args: argparse.Namespace) -> int:
    from tools.library.repair import repair_library
    from tools.settings import get_settings

    print(repair_library(get_settings().check_home()).summary())
    return 0
