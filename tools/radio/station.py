"""A station: its taste, the pieces played and the ones made ahead, steering, and a prefetching worker.

    station = Station.start(StationRequest(words="a jazz station", user="ana"))   # worker thread running
    piece = station.next()            # the next piece (made ahead while the last one played)
    station.steer(Steer("skip"))      # moves the taste at once; a queued piece that no longer fits is redone
    station.stop()

The queue-keeping steps (`plan`, `make`, `offer`, `take`) are public so a caller can drive a station
without the thread (playlists do; the benchmark replays them on a simulated clock). Stations are saved
in the data directory (<home>/radio/<id>/station.json, pieces beside it) and can be resumed.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from tools.contracts import Style, Track
from tools.errors import TastemakerError
from tools.radio.choice import AVERSE, cosine, plan_next
from tools.radio.options import StationOptions
from tools.radio.pieces import PieceSpec, RadioPiece, make_piece
from tools.radio.steering import (
    StationTaste,
    Steer,
    fade_aversions,
    heard_shape,
    learn_sound,
    rate_piece,
    steer_taste,
)
from tools.settings import get_settings

FIT_FLOOR = 0.35  # a queued piece whose sound is further than this from a changed taste is redone
SKIP_STRENGTH = 0.4  # a skip reaches the person's saved taste as a mild dislike
KEEP_FILES = 12  # generated files kept for the pieces played last (liked ones are always kept)
_ID_CHARS = set("0123456789abcdef")


def stations_dir() -> Path:
    return get_settings().home / "radio"


def check_id(station_id: str) -> str:
    if not station_id or len(station_id) > 32 or set(station_id) - _ID_CHARS:
        raise TastemakerError(f"'{station_id}' is not a station id (they look like 3f9a0c12b4d5e6f7).")
    return station_id


@dataclass(frozen=True)
class StationRequest:
    """Everything a new station needs: words ("radio for running", "a jazz station"), whose saved taste
    seeds it and receives its likes and skips (None: nobody's), an optional song to seed it from, options."""

    words: str = ""
    user: str | None = None
    song: str | None = None
    options: StationOptions = field(default_factory=StationOptions)
    use_saved_taste: bool = True


@dataclass
class StationStats:
    made: int = 0
    made_seconds: float = 0.0  # audio seconds made
    make_wall: float = 0.0  # wall seconds spent making them
    redone: int = 0  # made pieces dropped because the taste moved
    waits: int = 0  # times next() found nothing ready
    errors: list[str] = field(default_factory=list)

    @property
    def lead_x(self) -> float:
        """How many times faster than playback the station makes pieces."""
        return self.made_seconds / self.make_wall if self.make_wall > 0 else 0.0


def _piece_dict(piece: RadioPiece) -> dict:
    d = asdict(piece)
    d["style"] = asdict(piece.style) if piece.style is not None else None
    return d


def piece_from_dict(d: dict) -> RadioPiece:
    known = RadioPiece.__dataclass_fields__
    data = {k: v for k, v in d.items() if k in known}
    if data.get("style"):
        data["style"] = Style(**{k: v for k, v in data["style"].items() if k in Style.__dataclass_fields__})
    return RadioPiece(**data)


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(json.dumps(data, indent=1, default=str))
    os.replace(tmp, path)


class Station:
    """One endless station. Thread-safe: the worker makes pieces while callers take and steer."""

    def __init__(self, taste: StationTaste, options: StationOptions | None = None, *, words: str = "",
                 user: str | None = None, station_id: str | None = None, folder: Path | None = None,
                 tracks: list[Track] | None = None, rng_seed: int | None = None, keep_files: bool = False):
        self.options = (options or StationOptions()).validate()
        self.id = check_id(station_id) if station_id else secrets.token_hex(8)
        self.folder = Path(folder) if folder else stations_dir() / self.id
        self.folder.mkdir(parents=True, exist_ok=True)
        self.words = words
        self.user = user
        self.taste = taste
        self.seed_profile = taste.profile
        self.tracks: list[Track] = list(tracks or [])
        self.played: list[RadioPiece] = []
        self.queue: list[RadioPiece] = []
        # pieces that play first, in this order, before anything the station makes (a playlist played back)
        self.upcoming: list[RadioPiece] = []
        self.current: RadioPiece | None = None
        self.stats = StationStats()
        self.keep_files = keep_files
        self.listened_counts = True  # a piece taken after one that was not skipped: that one was heard through
        self.rng = np.random.default_rng(rng_seed)
        self._cond = threading.Condition(threading.RLock())
        self._making = 0
        self._worker: threading.Thread | None = None
        self._stopping = False

    # ------------------------------------------------------------------------------------ starting
    @classmethod
    def start(cls, request: StationRequest, run_worker: bool = True, load_library: bool = True) -> "Station":
        """A new station seeded by the person's saved taste, words and/or a song; the worker starts at once
        and the library is read in the background (the first pieces are generated meanwhile)."""
        from tools.radio.seeding import named_genres, seed_profile

        options = request.options.validate()
        profile = seed_profile(request.words, request.user if request.use_saved_taste else None, request.song)
        named = tuple(g for g in named_genres(request.words) if g in profile.genres)
        station = cls(StationTaste(profile, named=named), options, words=request.words, user=request.user)
        if load_library and options.library_share > 0:
            station.load_library_in_background()
        if run_worker:
            station.run_worker()
        station.save()
        return station

    def load_library_in_background(self) -> None:
        def load() -> None:
            try:
                from tools.library import open_library
                from tools.library.default import build_in_background

                # the chat's own background build, which stops at a safe point when the process ends (a thread of
                # our own was still inside FluidSynth or the tagger at exit: "terminate called without an active
                # exception", exit 134, on a fresh data directory)
                with open_library() as lib:
                    status = build_in_background(lib)
                while status.state == "building":
                    time.sleep(0.5)
                with open_library() as lib:
                    tracks = lib.list()
                with self._cond:
                    self.tracks = tracks
                    self._cond.notify_all()
            except Exception as exc:  # noqa: BLE001 - without a library the station plays generated pieces
                from tools.incidents import log_incident

                self.stats.errors.append(f"library not available (reference {log_incident(exc, 'radio library')})")

        threading.Thread(target=load, name=f"radio-library-{self.id}", daemon=True).start()

    # ---------------------------------------------------------------------------- the queue's steps
    def fits(self, piece: RadioPiece) -> bool:
        """Whether a piece made for an earlier taste still belongs after the taste moved."""
        taste = self.taste
        if piece.version >= taste.version:
            return True
        if piece.version < taste.adjusted:
            return False  # planned before "calmer", "less drums" or "more like this"
        shape = heard_shape(piece.genres)
        if max(taste.aversion.get(piece.primary, 0.0), taste.aversion.get(piece.asked, 0.0)) >= AVERSE:
            return False
        if any(label in shape for label in taste.profile.avoid):
            return False
        return piece.explore or not taste.profile.genres or cosine(taste.profile.genres, shape) >= FIT_FLOOR

    def _recent(self) -> list[RadioPiece]:
        return self.played[-max(self.options.no_repeat, 1):] + self.upcoming + [p for p in self.queue if self.fits(p)]

    def plan(self) -> PieceSpec | None:
        """The next piece to make, or None while the queue is full of pieces that fit."""
        with self._cond:
            fresh = [p for p in self.queue if self.fits(p)]
            if len(fresh) + len(self.upcoming) + self._making >= self.options.prefetch:
                return None
            return plan_next(self.taste, self.options, self._recent(), self.tracks, self.rng)

    def make(self, spec: PieceSpec) -> RadioPiece:
        """Make the planned piece (slow; no lock held)."""
        return make_piece(spec, secrets.token_hex(8), self.folder, self.options.engine)

    def offer(self, piece: RadioPiece) -> bool:
        """Queue a made piece. Pieces that no longer fit (the taste moved while they waited, or while this one
        was made) give way to it; one is kept while nothing that fits is ready, so that a run of skips can
        never leave the player with silence. Returns whether the piece fits the taste now."""
        with self._cond:
            self.stats.made += 1
            self.stats.made_seconds += piece.seconds
            self.stats.make_wall += piece.make_seconds
            if piece.asked:
                self.taste = learn_sound(self.taste, piece.asked, piece.genres)
            fits = self.fits(piece)
            self.queue.append(piece)
            stale = [p for p in self.queue if not self.fits(p)]
            keep_one = not any(self.fits(p) for p in self.queue)
            for p in stale[:-1] if keep_one else stale:  # the newest stale piece is the best stand-in
                self.queue.remove(p)
                self.stats.redone += 1
                self._discard(p)
            self._cond.notify_all()
            return fits

    def take(self, fitting_only: bool = False) -> RadioPiece | None:
        """The next piece to play now: the first that fits, else (rather than silence) the first ready;
        `fitting_only` (a skip, while the skipped piece still plays) waits for one that fits instead."""
        with self._cond:
            if self.upcoming:  # a playlist's own pieces play in its order, whatever the taste does meanwhile
                piece = self.upcoming.pop(0)
            else:
                piece = next((p for p in self.queue if self.fits(p)), None)
                if piece is None and not fitting_only and self.queue:
                    piece = self.queue[0]
                if piece is None:
                    return None
                self.queue.remove(piece)
            done = self.current
            if self.listened_counts and done is not None and not done.skipped and done.liked is None:
                # played through without a skip: a weak like
                self.taste = rate_piece(self.taste, "listened", done.genres, asked=done.asked_blend,
                                        rewarded=done.reward_keys)
            self.current = piece
            self.played.append(piece)
            self.taste = fade_aversions(self.taste)
            self._prune()
            self._cond.notify_all()
            return piece

    def next(self, timeout: float = 120.0, wait_for_fit: float = 0.0) -> RadioPiece:
        """The next piece, waiting for the worker if nothing is ready (or making it here without a worker).

        `wait_for_fit`: seconds to wait for a piece that fits the current taste before taking one made for
        an earlier taste (after a skip the skipped piece plays on meanwhile, so waiting costs no silence)."""
        start = time.monotonic()
        with self._cond:
            piece = self.take(fitting_only=True)
            if piece is None and not self.queue:
                self.stats.waits += 1
            while piece is None and self.running:
                waited = time.monotonic() - start
                if waited >= timeout:
                    raise TastemakerError("The station could not make its next piece in time; try again, or "
                                          "ask for shorter pieces.")
                piece = self.take(fitting_only=waited < wait_for_fit)
                if piece is None:
                    self._cond.wait(timeout=0.25)
            if piece is not None:
                return piece
        spec = self.plan() or plan_next(self.taste, self.options, self._recent(), self.tracks, self.rng)
        self.offer(self.make(spec))
        piece = self.take()
        assert piece is not None
        return piece

    def previous(self, playing: str | None = None) -> RadioPiece:
        """Play the piece before `playing` (default: the last taken) again; it and any piece fetched ahead of
        it come back after it, in order."""
        with self._cond:
            ids = [p.id for p in self.played]
            at = ids.index(playing) if playing in ids else len(ids) - 1
            if at < 1 or not Path(self.played[at - 1].path).is_file():
                raise TastemakerError("There is no earlier piece to go back to.")
            self.upcoming[:0] = self.played[at - 1:]
            del self.played[at - 1:]
            self.current = None  # going back is not listening through
            piece = self.take()
            assert piece is not None
            return piece

    def jump(self, piece_id: str) -> RadioPiece:
        """Play `piece_id`, a piece of this station's order (played or still to come), now; what follows it in
        that order plays after it (a playlist's track clicked in its list)."""
        with self._cond:
            sequence = self.played + self.upcoming
            at = next((n for n, p in enumerate(sequence) if p.id == piece_id), None)
            if at is None or not Path(sequence[at].path).is_file():
                raise TastemakerError("That track is not on this playlist any more.")
            self.played, self.upcoming = sequence[:at], sequence[at:]
            self.current = None  # jumping away is not listening through
            piece = self.take()
            assert piece is not None
            return piece

    # ------------------------------------------------------------------------------------ steering
    def piece(self, piece_id: str | None = None) -> RadioPiece:
        with self._cond:
            if piece_id is None:
                if self.current is None:
                    raise TastemakerError("Nothing is playing on this station yet.")
                return self.current
            for p in reversed(self.played):
                if p.id == piece_id:
                    return p
        raise TastemakerError(f"There is no piece '{piece_id}' on this station.")

    def steer(self, steer: Steer, piece_id: str | None = None) -> StationTaste:
        """Move the station's taste now (likes, dislikes and skips also reach the person's saved taste)."""
        steer.validate()
        target = self.piece(piece_id) if steer.action != "adjust" else None
        with self._cond:
            last_tempo = self.current.tempo if self.current is not None else None
            self.taste = steer_taste(self.taste, steer, target.genres if target else None,
                                     target.instruments if target else None, last_tempo,
                                     target.asked_blend if target else None,
                                     target.reward_keys if target else None)
            if target is not None and steer.action in ("like", "more_like_this"):
                target.liked = True
            elif target is not None and steer.action == "dislike":
                target.liked = False
            elif target is not None and steer.action == "skip":
                target.skipped = True
            self._cond.notify_all()
            taste = self.taste
        if target is not None and self.user and steer.action in ("like", "dislike", "skip", "more_like_this"):
            from tools.taste import record_feedback

            liked = steer.action in ("like", "more_like_this")
            record_feedback(self.user, target.as_generation(), liked,
                            strength=SKIP_STRENGTH if steer.action == "skip" else 1.0)
        self.save()
        return taste

    def set_options(self, **changes) -> StationOptions:
        """Change a setting (adventurous, library_share...); queued pieces are re-planned under it."""
        with self._cond:
            self.options = replace(self.options, **changes).validate()
            self.taste = replace(self.taste, version=self.taste.version + 1, adjusted=self.taste.version + 1)
            self._cond.notify_all()
            options = self.options
        self.save()
        return options

    # -------------------------------------------------------------------------------------- worker
    def run_worker(self) -> None:
        if self._worker is not None and self._worker.is_alive():
            return
        self._stopping = False
        self._worker = threading.Thread(target=self._work, name=f"radio-{self.id}", daemon=True)
        self._worker.start()

    def _work(self) -> None:
        failures = 0
        while not self._stopping:
            with self._cond:
                spec = self.plan()
                if spec is None:
                    self._cond.wait(timeout=1.0)
                    continue
                self._making += 1
            try:
                piece = self.make(spec)
            except Exception as exc:  # noqa: BLE001 - one failed piece must not stop the music
                from tools.incidents import log_incident

                failures += 1
                message = str(exc) if isinstance(exc, TastemakerError) else \
                    f"{type(exc).__name__} (reference {log_incident(exc, 'radio worker')})"
                self.stats.errors.append(message)
                with self._cond:
                    self._making -= 1
                if failures >= 5:
                    self._stopping = True
                    with self._cond:
                        self._cond.notify_all()
                    return
                time.sleep(0.5)
                continue
            failures = 0
            with self._cond:
                self._making -= 1
            self.offer(piece)

    def stop(self) -> None:
        self._stopping = True
        with self._cond:
            self._cond.notify_all()
        if self._worker is not None:
            self._worker.join(timeout=30)
        self.save()

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    # ---------------------------------------------------------------------------------- keeping
    def _discard(self, piece: RadioPiece) -> None:
        if piece.source == "generated":
            for suffix in (".wav", ".mid", ".json"):
                Path(piece.path).with_suffix(suffix).unlink(missing_ok=True)

    def _prune(self) -> None:
        """Endless means bounded disk: generated files of pieces played long ago go (unless liked or kept)."""
        if self.keep_files:
            return
        for p in self.played[:-KEEP_FILES]:
            # only the station's own files: a playlist's exported pieces are the person's to keep
            if p.source == "generated" and not p.liked and Path(p.path).resolve().parent == self.folder.resolve() \
                    and Path(p.path).exists():
                self._discard(p)

    def snapshot(self) -> dict:
        with self._cond:
            return {
                "id": self.id, "words": self.words, "user": self.user, "options": asdict(self.options),
                "taste": {"profile": asdict(self.taste.profile), "aversion": self.taste.aversion,
                          "feedback": self.taste.feedback, "version": self.taste.version,
                          "adjusted": self.taste.adjusted, "sounds": self.taste.sounds,
                          "recent": list(self.taste.recent), "rewards": self.taste.rewards,
                          "named": list(self.taste.named)},
                "seed_profile": asdict(self.seed_profile),
                "played": [_piece_dict(p) for p in self.played[-200:]],
                "saved": time.time(),
            }

    def save(self) -> Path:
        path = self.folder / "station.json"
        _write_json(path, self.snapshot())
        return path

    @classmethod
    def resume(cls, station_id: str, user: str | None = None, run_worker: bool = True) -> "Station":
        """A saved station, where it left off (its taste, settings and no-repeat history)."""
        folder = stations_dir() / check_id(station_id)
        try:
            data = json.loads((folder / "station.json").read_text())
        except (OSError, ValueError):
            raise TastemakerError(f"There is no saved station '{station_id}'.") from None
        return cls.from_snapshot(data, folder, user=user, run_worker=run_worker)

    @classmethod
    def from_snapshot(cls, data: dict, folder: Path, user: str | None = None, run_worker: bool = True,
                      station_id: str | None = None) -> "Station":
        from tools.taste.store import profile_from_dict

        t = data["taste"]
        taste = StationTaste(profile_from_dict(t["profile"]), dict(t.get("aversion", {})), int(t.get("feedback", 0)),
                             int(t.get("version", 0)), int(t.get("adjusted", 0)), dict(t.get("sounds", {})),
                             tuple(int(x) for x in t.get("recent", ()))[-8:],
                             {g: [float(m), float(w)] for g, (m, w) in t.get("rewards", {}).items()},
                             tuple(str(g) for g in t.get("named", ())))
        options = StationOptions(**{k: v for k, v in data.get("options", {}).items()
                                    if k in StationOptions.__dataclass_fields__})
        station = cls(taste, options, words=data.get("words", ""), user=user or data.get("user"),
                      station_id=station_id or data.get("id"), folder=folder)
        station.seed_profile = profile_from_dict(data.get("seed_profile") or t["profile"])
        station.played = [piece_from_dict(p) for p in data.get("played", [])]
        if options.library_share > 0:
            station.load_library_in_background()
        if run_worker:
            station.run_worker()
        return station
