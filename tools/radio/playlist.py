"""Playlists: an ordered set of library tracks and new pieces for some words and a length, exported as M3U.

    playlist = build_playlist(PlaylistRequest("a dinner party", minutes=30, out="~/Music/dinner"))
    playlist.m3u          # <out>/<name>.m3u: generated files copied beside it, library tracks by full path
    station = resume_playlist(playlist.id, user="ana")   # plays its tracks in order, then plays on like them

A playlist is made by a station with no worker (the same choices, library share and no-repeat window as
the radio), then ordered so neighbours flow (tempo, key, and genre, greedily from the piece that fits the
taste best). It is saved in the data directory (<home>/playlists/<id>.json) with the station's state, so
it can be resumed as a station. Everything is written to a staging folder first and moved into place at
the end: a failed build leaves nothing half-written in the output folder.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from tools.errors import TastemakerError
from tools.radio.choice import cosine
from tools.radio.flow import order_for_flow
from tools.radio.options import StationOptions
from tools.radio.pieces import RadioPiece
from tools.radio.station import Station, _piece_dict, _write_json, check_id
from tools.radio.steering import StationTaste
from tools.settings import get_settings

MAX_MINUTES = 240.0
MAX_TRACKS = 100
# Nobody skips while a playlist is made, so exploring would only be guessing: it stays close to the taste and
# gets its variety from blends and lead instruments.
PLAYLIST_OPTIONS = StationOptions(adventurous=0.1, library_share=0.4, piece_seconds=60.0, crossfade_seconds=3.0)

# progress(fraction 0..1, what is happening now)
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class PlaylistRequest:
    """words: what it is for ("a dinner party", "jazz for studying"); minutes: how long; tracks: how many
    pieces instead ("3 songs like it"; None: as many as the minutes hold); out: the folder to export into; user:
    whose saved taste it starts from (None: words only); song: an audio file it starts from instead of the saved
    taste ("a playlist like this one"); owner: who may play it back (default: user); mix: also one crossfaded WAV;
    own_folder: export into a new folder of its own under `out` (its name and id), as the chat does."""

    words: str
    minutes: float = 30.0
    out: str = ""
    user: str | None = None
    options: StationOptions = field(default_factory=lambda: PLAYLIST_OPTIONS)
    mix: bool = False
    owner: str | None = None
    tracks: int | None = None
    song: str | None = None
    own_folder: bool = False

    def validate(self) -> "PlaylistRequest":
        if self.tracks is not None and not 1 <= int(self.tracks) <= MAX_TRACKS:
            raise TastemakerError(f"A playlist can hold 1 to {MAX_TRACKS} pieces (got {self.tracks}).")
        if not 0.5 <= float(self.minutes) <= MAX_MINUTES:
            raise TastemakerError(f"A playlist can last 0.5 to {MAX_MINUTES:g} minutes (got {self.minutes:g}).")
        if not self.out:
            raise TastemakerError("Say where to export the playlist: an output folder (--out DIR).")
        out = Path(self.out).expanduser()
        if out.exists() and not out.is_dir():
            raise TastemakerError(f"{out} is a file; the playlist goes into a folder. Choose a folder name.")
        self.options.validate()
        return self


@dataclass
class PlaylistTrack:
    file: str
    title: str
    source: str  # "library" | "generated"
    seconds: float
    genres: dict[str, float]
    tempo: float | None = None
    key: str | None = None


@dataclass
class Playlist:
    id: str
    words: str
    tracks: list[PlaylistTrack]
    m3u: str
    mix: str = ""

    @property
    def minutes(self) -> float:
        return round(sum(t.seconds for t in self.tracks) / 60.0, 2)

    def as_json(self) -> dict:
        """The shape `tastemaker playlist --json` prints."""
        return {"tracks": [{"file": t.file, "title": t.title, "source": t.source, "seconds": round(t.seconds, 2),
                            "genres": t.genres} for t in self.tracks],
                "m3u": self.m3u, "minutes": self.minutes} | ({"mix": self.mix} if self.mix else {})


def playlists_dir() -> Path:
    return get_settings().home / "playlists"


def _library_tracks(options: StationOptions) -> list:
    if options.library_share <= 0:
        return []
    from tools.library import ensure_default_library, open_library

    with open_library() as lib:
        ensure_default_library(lib, progress=False)
        return lib.list()


def _safe_name(text: str, limit: int = 60, default: str = "piece") -> str:
    name = " ".join(re.sub(r"[^A-Za-z0-9 +#,()-]+", " ", text).split())[:limit].strip()
    return name if re.search(r"[A-Za-z0-9]", name) else default  # not "-" for "a -10 minute playlist"


def _unused(path: Path) -> Path:
    """`path`, or "name (2).ext", "(3)"... if a file of that name is there (another playlist exported into the same
    folder: its M3U and tracks were overwritten)."""
    n = 2
    found = path
    while found.exists():
        found = path.with_name(f"{path.stem} ({n}){path.suffix}")
        n += 1
    return found


def _order(pieces: list[RadioPiece], taste: StationTaste) -> list[RadioPiece]:
    """Neighbours that flow, starting from the piece closest to the taste."""
    if not pieces:
        return []
    first = max(pieces, key=lambda p: cosine(taste.profile.genres, p.genres) if taste.profile.genres else 0.0)
    rest = [p for p in pieces if p is not first]
    return order_for_flow([first, *rest], lambda p: p.tempo, lambda p: p.key,
                          lambda a, b: 0.5 * (1.0 - cosine(a.genres, b.genres)))


def track_file_name(position: int, title: str, suffix: str = ".wav") -> str:
    """A track's file name in an exported playlist: its place, then its title ("03 Night drive.wav")."""
    return f"{position:02d} {_safe_name(title)}{suffix.lower() or '.wav'}"


def m3u_text(entries: list[tuple[str, str, float]]) -> str:
    """An extended M3U of (path or name, title, seconds) in order."""
    lines = ["#EXTM3U"]
    for path, title, seconds in entries:
        lines += [f"#EXTINF:{round(seconds)},{title}", path]
    return "\n".join(lines) + "\n"


def build_playlist(request: PlaylistRequest, progress: Progress | None = None) -> Playlist:
    """Make, order and export a playlist; save it (resumable as a station) in the data directory."""
    from tools.radio.seeding import seed_profile, station_words

    request.validate()
    playlist_id = secrets.token_hex(8)
    name = _safe_name(re.sub(r"^(?:for|of|with)\s+", "", station_words(request.words)), 40, default="playlist")
    out = Path(request.out).expanduser()
    if request.own_folder:
        out = out / f"{name} {playlist_id}"
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".tastemaker-playlist-", dir=out))
    except OSError as exc:
        raise TastemakerError(f"Cannot write to {out}: {exc.strerror or exc}. Choose a folder you can write "
                              "to.") from None
    try:
        if progress:
            progress(0.0, "reading your library")
        tracks = _library_tracks(request.options)
        taste = StationTaste(seed_profile(request.words, request.user, request.song))
        station = Station(taste, request.options, words=request.words, user=None, folder=staging, tracks=tracks,
                          keep_files=True)
        station.listened_counts = False  # nobody listens while a playlist is made: no taste to infer
        target = request.minutes * 60.0
        pieces: list[RadioPiece] = []
        total = 0.0

        def wanted() -> bool:
            if request.tracks is not None:
                return len(pieces) < request.tracks
            return total < target - min(15.0, request.options.piece_seconds / 2)

        while wanted():
            if progress and request.tracks:
                progress(min(0.95, len(pieces) / request.tracks), f"piece {len(pieces) + 1} of {request.tracks}")
            elif progress:
                progress(min(0.95, total / target), f"piece {len(pieces) + 1}: {total / 60:.1f} of "
                                                    f"{request.minutes:g} minutes")
            piece = station.next()
            if piece.source == "library" and not Path(piece.path).is_file():
                continue
            pieces.append(piece)
            total += piece.seconds
        ordered = _order(pieces, station.taste)
        entries, listed = [], []
        for n, piece in enumerate(ordered, start=1):
            if piece.source == "generated":
                final = _unused(out / track_file_name(n, piece.title))
                os.replace(piece.path, final)
                path_in_m3u, file = final.name, str(final.resolve())
            else:
                path_in_m3u = file = str(Path(piece.path).resolve())
            entries.append((path_in_m3u, piece.title, piece.seconds))
            listed.append(PlaylistTrack(file, piece.title, piece.source, piece.seconds, piece.top_genres(5),
                                        piece.tempo, piece.key))
        m3u = _unused(out / f"{name}.m3u")
        part = m3u.with_name(f".{m3u.name}.part")
        part.write_text(m3u_text(entries), encoding="utf-8")
        os.replace(part, m3u)
        mix = ""
        if request.mix:
            if progress:
                progress(0.97, "mixing one crossfaded file")
            from tools.radio.mix import crossfade_mix

            mix = str(crossfade_mix([t.file for t in listed], _unused(out / f"{name} (mix).wav"),
                                    request.options.crossfade_seconds).resolve())
        playlist = Playlist(playlist_id, request.words, listed, str(m3u.resolve()), mix)
        snapshot = station.snapshot()
        snapshot["played"] = [_piece_dict(replace(p, path=t.file)) for p, t in zip(ordered, listed)]
        _write_json(playlists_dir() / f"{playlist_id}.json", {
            "id": playlist_id, "owner": request.owner or request.user, "words": request.words, "minutes": playlist.minutes, "m3u": playlist.m3u,
            "mix": mix, "tracks": [asdict(t) for t in listed], "station": snapshot,
        })
        if progress:
            progress(1.0, "done")
        return playlist
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if request.own_folder and not any(out.iterdir()):  # a playlist that failed leaves no empty folder of its own
            out.rmdir()


def load_playlist(playlist_id: str) -> dict:
    path = playlists_dir() / f"{check_id(playlist_id)}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        raise TastemakerError(f"There is no saved playlist '{playlist_id}'. `tastemaker playlist --list` shows "
                              "them.") from None


def list_playlists(owner: str | None = None) -> list[dict]:
    """The saved playlists, oldest first; only `owner`'s when one is given (the command line's owner sees all)."""
    folder = playlists_dir()
    found = []
    for path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if owner is not None and data.get("owner") != owner:
            continue
        found.append({"id": data.get("id"), "owner": data.get("owner"), "words": data.get("words"),
                      "minutes": data.get("minutes"), "tracks": len(data.get("tracks", [])), "m3u": data.get("m3u")})
    return found


def resume_playlist(playlist_id: str, user: str | None = None, run_worker: bool = True) -> Station:
    """A station that plays a playlist's tracks in its order, then plays on in its spirit (its taste, with
    its tracks in the no-repeat window). Only the playlist's owner may play it."""
    try:
        data = load_playlist(playlist_id)
    except TastemakerError:
        data = {}
    if not user or data.get("owner") != user:  # someone else's reads as missing: ids are not to be probed
        raise TastemakerError(f"You have no playlist '{playlist_id}'. Ask for a new one, e.g. 'make me a "
                              "30-minute playlist for a dinner party'.")
    station_id = secrets.token_hex(8)
    from tools.radio.station import stations_dir

    station = Station.from_snapshot(data["station"], stations_dir() / station_id, user=user, run_worker=False,
                                    station_id=station_id)
    tracks = [p for p in station.played if Path(p.path).is_file()]
    if not tracks:
        raise TastemakerError(f"The files of playlist {playlist_id} are gone (moved or deleted); make a new one.")
    station.upcoming, station.played = tracks, []
    if run_worker:
        station.run_worker()
    station.save()
    return station
