"""`tastemaker radio [TEXT]`: an endless station in the terminal, steered from the keyboard or a script.

    tastemaker radio "a jazz station"                 # writes each piece to a folder; plays it if it can
    tastemaker radio --like song.mp3 --out radio/     # seeded by a song
    printf 'like\\nskip\\ncalmer\\n' | tastemaker radio "radio for running" --pieces 6 --speed 0

Commands (one a line): skip, next, like, dislike, more like this, calmer, less drums, faster, more jazz...,
more/less adventurous, adventurous 0.6, more library, library 50%, status, help, quit.

There is no sound device on a server: pieces are written to a folder (--out, else the station's folder in
the data directory) and played with the first player found (ffplay, mpv, paplay, aplay, afplay) unless
--no-play. Without a player a piece "plays" for its length (times --speed; 0 = do not wait). From a
terminal, commands apply while a piece plays; from a pipe, lines are read one after another (a skip or
next moves on at once), and after the last line the station plays on until --pieces or --minutes.
"""

from __future__ import annotations

import argparse
import queue
import shutil
import subprocess
import sys
import threading
import time
from typing import IO

from agent.commands.profile import default_user

PLAYERS = (["ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"], ["mpv", "--no-video", "--really-quiet"],
           ["paplay"], ["aplay", "-q"], ["afplay"])
HELP = ("Commands: skip, next, like, dislike, more like this, calmer, less drums, faster, more <genre>, "
        "more/less adventurous, adventurous 0.6, more library, library 50%, status, help, quit.")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("radio", help="an endless station in the terminal, steered by skips, likes and words")
    p.add_argument("text", nargs="?", default="", help='what to play, e.g. "a jazz station", "radio for running"')
    p.add_argument("--like", metavar="FILE", help="seed the station from a song")
    p.add_argument("--user", default=None, help="whose taste seeds it and learns from it (default: your login)")
    p.add_argument("--resume", metavar="ID", help="play on a saved station")
    p.add_argument("--playlist", metavar="ID", help="play on from a saved playlist")
    p.add_argument("--out", metavar="DIR", help="write the pieces here (kept); default: the data directory")
    p.add_argument("--pieces", type=int, default=None, metavar="N", help="stop after N pieces")
    p.add_argument("--minutes", type=float, default=None, metavar="M", help="stop after M minutes of music")
    p.add_argument("--adventurous", type=float, default=0.3, metavar="X", help="0 (safe) to 1 (roams); default 0.3")
    p.add_argument("--library-share", type=float, default=0.25, metavar="X",
                   help="share of library tracks, 0 to 1 (default 0.25)")
    p.add_argument("--piece-seconds", type=float, default=30.0, metavar="S", help="length of new pieces (default 30)")
    p.add_argument("--speed", type=float, default=1.0, metavar="X",
                   help="without a player: how long a piece 'plays' (1 = its length, 0 = no waiting)")
    p.add_argument("--no-play", action="store_true", help="only write the pieces, never start a player")
    p.set_defaults(handler=run)


def find_player() -> list[str] | None:
    for argv in PLAYERS:
        if shutil.which(argv[0]):
            return argv
    return None


class Commands:
    """Lines from stdin: from a terminal, as they are typed (while pieces play); from a pipe, one after
    another, then nothing (the station plays on)."""

    def __init__(self, stream: IO[str]):
        self.stream = stream
        self.interactive = stream.isatty()
        self.ended = False
        self.lines: queue.Queue[str | None] = queue.Queue()
        if self.interactive:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.stream:
            self.lines.put(line)
        self.lines.put(None)

    @property
    def scripted(self) -> bool:
        """Lines still to come from a pipe: they, not the clock, move the station on."""
        return not self.interactive and not self.ended

    def get(self, timeout: float) -> str | None:
        """The next line: from a pipe at once (None at its end); from a terminal, or after a pipe ended,
        the line typed before `timeout` passes (None if none)."""
        if self.scripted:
            line = self.stream.readline()
            if line:
                return line
            self.ended = True
            return None
        if self.ended:
            time.sleep(max(0.0, timeout))
            return None
        try:
            line = self.lines.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None
        if line is None:
            self.ended = True
            return "quit"  # end of input at the keyboard (Ctrl-D)
        return line


def announce(n: int, piece, out: IO[str]) -> None:
    heard = ", ".join(f"{g} {p:.2f}" for g, p in piece.top_genres(3).items())
    print(f"▶ {n}. {piece.title} [{piece.source}, {piece.seconds:.0f} s] heard as {heard}; {piece.reason}\n"
          f"   {piece.path}", file=out, flush=True)


def run(args: argparse.Namespace, stdin: IO[str] = sys.stdin, stdout: IO[str] = sys.stdout) -> int:
    from pathlib import Path

    from agent.radio_chat import _WHY, RadioChat, _pieces, parse_radio
    from tools.errors import TastemakerError
    from tools.radio import Station, StationOptions, StationRequest, Steer
    from tools.taste import explain

    options = StationOptions(adventurous=args.adventurous, library_share=args.library_share,
                             piece_seconds=args.piece_seconds,
                             crossfade_seconds=min(3.0, max(0.0, args.piece_seconds) / 4)).validate()
    if args.pieces is not None and args.pieces < 1:
        raise TastemakerError("--pieces must be 1 or more.")
    if args.minutes is not None and not args.minutes > 0:  # nan too: it played on without end
        raise TastemakerError("--minutes must be more than 0.")
    if not 0 <= args.speed < float("inf"):  # nan or inf: no piece would ever end
        raise TastemakerError("--speed must be 0 or more (1 plays in real time, 0 as fast as pieces come).")
    user = args.user or default_user()
    if args.resume:
        station = Station.resume(args.resume, user=user)
    elif args.playlist:
        from tools.radio.playlist import load_playlist, resume_playlist

        # the command line runs as the machine's owner, who may play any playlist kept here (the terminal
        # chat's are "local"'s); --user still picks one person's
        owner = args.user or load_playlist(args.playlist).get("owner") or user
        station = resume_playlist(args.playlist, user=owner)
    else:
        station = Station.start(StationRequest(words=args.text, user=user, song=args.like, options=options),
                                run_worker=False)
        if args.out:
            out = Path(args.out).expanduser()
            if out.exists() and not out.is_dir():
                raise TastemakerError(f"{out} is a file; --out takes a folder.")
            out.mkdir(parents=True, exist_ok=True)
            station.folder, station.keep_files = out, True
        station.run_worker()
    chat = RadioChat(user=user, options=station.options)
    chat.station = station
    player = None if args.no_play else find_player()
    print(f"Station {station.id}: {explain(station.taste.profile)}. "
          f"{'Playing with ' + player[0] if player else 'No player: pieces are written, not played'}. {HELP}",
          file=stdout, flush=True)
    commands = Commands(stdin)
    played_seconds, count, process = 0.0, 0, None
    try:
        piece = station.next()
        while True:
            count += 1
            announce(count, piece, stdout)
            started = time.monotonic()
            length = piece.seconds if player else piece.seconds * args.speed
            if player:
                process = subprocess.Popen([*player, piece.path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            skip = False
            while True:
                left = length - (time.monotonic() - started)
                if process is not None and process.poll() is not None:
                    left = 0.0
                if left <= 0 and not commands.scripted:
                    break
                line = commands.get(timeout=min(left, 0.5) if player else left)
                if line is None:
                    continue
                text = line.strip()
                if not text:
                    continue
                print(f"> {text}", file=stdout, flush=True)
                if text.lower() in ("quit", "exit", "q", "/quit", "stop"):
                    raise KeyboardInterrupt
                if text.lower() in ("help", "?", "/help"):
                    print(HELP, file=stdout, flush=True)
                    continue
                if text.lower() == "status":
                    print(f"  station leans: {explain(station.taste.profile)}; adventurous "
                          f"{station.options.adventurous:.2f}, library share {station.options.library_share:.0%}; "
                          f"{station.stats.made} made, {station.stats.lead_x:.1f}x ahead of playback", file=stdout,
                          flush=True)
                    continue
                if text.lower() == "next":
                    break
                if _WHY.match(text):  # 'why this one?': the reason the station picked it ('not a station command')
                    print(f"  {chat.why().text}", file=stdout, flush=True)
                    continue
                command = parse_radio(text, playing=True, options=station.options)
                if command is not None and command.kind == "keep":  # 'keep the music coming': it does (no new one)
                    print("  (the station plays on)", file=stdout, flush=True)
                    continue
                if command is None or command.kind in ("start", "playlist", "resume_playlist", "resume_station"):
                    print(f"  (not a station command) {HELP}", file=stdout, flush=True)
                    continue
                try:
                    if command.kind == "steer" and command.steer.action == "skip":
                        skip = True
                        break
                    reply = chat.handle(text)
                except TastemakerError as exc:
                    print(f"  {exc}", file=stdout, flush=True)
                    continue
                print(f"  {reply.text}", file=stdout, flush=True)
            if process is not None and process.poll() is None:
                process.terminate()
            played_seconds += min(piece.seconds, time.monotonic() - started) if length else piece.seconds
            done = (args.pieces is not None and count >= args.pieces) or \
                   (args.minutes is not None and played_seconds >= args.minutes * 60) or \
                   (commands.ended and args.pieces is None and args.minutes is None)
            if done:
                if skip:
                    station.steer(Steer("skip"))
                break
            piece = chat.next_piece(skip=skip)
            if skip:
                print("  skipped", file=stdout, flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
        station.stop()
    liked = sum(1 for p in station.played if p.liked)
    skipped = sum(1 for p in station.played if p.skipped)
    print(f"Station {station.id} stopped after {_pieces(count)} ({liked} liked, {skipped} skipped); it now leans: "
          f"{explain(station.taste.profile)}. Resume it: tastemaker radio --resume {station.id}", file=stdout,
          flush=True)
    return 0
