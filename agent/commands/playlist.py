"""`tastemaker playlist TEXT --minutes M --out DIR [--json] [--mix]`: an ordered playlist exported as M3U.

    tastemaker playlist "a dinner party" --minutes 30 --out ~/Music/dinner
    tastemaker playlist --list                 # saved playlists (resume one: tastemaker radio --playlist ID)
"""

from __future__ import annotations

import argparse
import json
import sys

from agent.commands.profile import default_user


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("playlist", help="an ordered playlist of library tracks and new pieces, exported as M3U")
    p.add_argument("text", nargs="?", default="", help='what it is for, e.g. "a dinner party", "jazz for studying"')
    p.add_argument("--minutes", type=float, default=30.0, metavar="M", help="how long (default 30)")
    p.add_argument("--out", metavar="DIR", help="folder to export into (the M3U and the generated files)")
    p.add_argument("--user", default=None, help="whose saved taste it starts from (default: your login name); with "
                   "--list, whose playlists")
    p.add_argument("--no-taste", action="store_true", help="ignore your saved taste; the words alone")
    p.add_argument("--library-share", type=float, default=None, metavar="X",
                   help="share of library tracks, 0 to 1 (default 0.4)")
    p.add_argument("--adventurous", type=float, default=None, metavar="X", help="0 (safe) to 1 (roams; default 0.3)")
    p.add_argument("--piece-seconds", type=float, default=None, metavar="S", help="length of new pieces (default 60)")
    p.add_argument("--mix", action="store_true", help="also write one crossfaded WAV of the whole playlist")
    p.add_argument("--list", action="store_true", help="list saved playlists")
    p.add_argument("--json", action="store_true", help='print {"tracks": [...], "m3u": ..., "minutes": ...}')
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from tools.errors import TastemakerError
    from tools.radio.playlist import PLAYLIST_OPTIONS, PlaylistRequest, build_playlist, list_playlists

    if args.list:
        found = list_playlists(owner=args.user)  # --user: that person's only
        if args.json:
            print(json.dumps({"playlists": found}, indent=2))
        for p in found:
            print(f"{p['id']}  {p['minutes']:.1f} min, {p['tracks']} pieces  {p['words']!r}  {p['m3u']}")
        if not found and not args.json:
            print('No playlists yet. Try: tastemaker playlist "a dinner party" --minutes 30 --out dinner/')
        return 0
    if not args.text.strip():
        raise TastemakerError('Say what the playlist is for, e.g. tastemaker playlist "a dinner party" --out DIR.')
    changes = {k: v for k, v in (("library_share", args.library_share), ("adventurous", args.adventurous),
                                 ("piece_seconds", args.piece_seconds)) if v is not None}
    options = replace(PLAYLIST_OPTIONS, **changes)
    request = PlaylistRequest(words=args.text, minutes=args.minutes, out=args.out or "",
                              user=None if args.no_taste else (args.user or default_user()), options=options,
                              mix=args.mix, owner=args.user or default_user())

    def progress(fraction: float, what: str) -> None:
        if not args.json:
            print(f"  [{fraction:4.0%}] {what}", file=sys.stderr, flush=True)

    playlist = build_playlist(request, progress)
    if args.json:
        print(json.dumps(playlist.as_json(), indent=2))
        return 0
    print(f"Playlist {playlist.id}: {len(playlist.tracks)} pieces, {playlist.minutes:.1f} minutes -> {playlist.m3u}")
    for n, t in enumerate(playlist.tracks, start=1):
        heard = ", ".join(list(t.genres)[:2])
        flow = f"{round(t.tempo)} BPM, {t.key}" if t.tempo and t.key else ""
        print(f"  {n:2d}. [{t.source}] {t.title}  ({t.seconds:.0f} s; {heard}{'; ' + flow if flow else ''})")
    if playlist.mix:
        print(f"Crossfaded mix: {playlist.mix}")
    print(f"Play on from it as a station: tastemaker radio --playlist {playlist.id}")
    return 0
