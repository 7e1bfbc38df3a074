"""One conversation's state: uploads, profile, generations, the last request and loop result.

Tools see files only through this object, by id ("u1" for an upload, "g1" for
a generation): the model never chooses a file-system path. What a turn
produces for the screen (players, charts) goes to `outbox`; long work reports
to `reporter` (Chainlit steps in the browser, lines or tqdm in the terminal).
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools import jobs
from tools.audio import load_clip
from tools.contracts import Clip, Generation, LoopResult, TasteProfile
from tools.errors import AudioError, TastemakerError
from tools.settings import get_settings


@dataclass
class Upload:
    id: str
    name: str
    path: str
    clip: Clip
    analysis: Any = None  # tools.tagger.FullTags, computed on first use
    taste: Any = None  # tools.taste.ClipAnalysis, computed on first use

    @property
    def duration(self) -> float:
        return self.clip.duration


@dataclass
class GeneratedPiece:
    id: str
    generation: Generation
    request: Any  # what was asked (a GenerationRequest, or agent.compose.LoopRequest), so refinements start from it
    kind: str = "generate"  # or "create" (made by the classifier loop)
    liked: bool | None = None
    library_id: str | None = None
    attempts: list[dict[str, Any]] = field(default_factory=list)  # the loop's tries, for "why did you choose that?"
    refined_from: str | None = None  # the piece this one changed, for "what did you change?"
    change: str | None = None  # the change asked, in the person's words
    name: str | None = None  # the name the person gave it ('name it Blue Morning'), also its library title
    # a piece saved in an earlier chat and played again in this one ('play Blue Morning'): the words that made it there
    # (the first request, then each change asked) and why it plays as it does, as said when it was saved
    earlier_words: list[str] = field(default_factory=list)
    earlier_why: list[str] = field(default_factory=list)
    from_library: bool = False


@dataclass
class AudioResult:
    """A player to show: a generation, or a library track."""

    path: str
    title: str
    caption: str
    generation_id: str | None = None
    heard: list[tuple[str, float]] = field(default_factory=list)  # a generated piece's top genres, for its picture
    midi_path: str | None = None  # a sketch piece's MIDI, offered beside its player in the browser


@dataclass
class GenreChart:
    """Bar chart of an upload's (or a generation's) top genres."""

    title: str
    genres: list[tuple[str, float]]


@dataclass
class LoopChart:
    """The classifier loop's rounds: each candidate's probability of each target genre, by round."""

    target: list[str]
    points: list[tuple[int, dict[str, float]]]  # (round, {target genre: probability}) per candidate
    best_round: int


@dataclass
class TastePanel:
    """The person's taste, to show and edit: top genres, the songs it is made of (key, name, their top genres),
    how many pieces they liked and disliked, and the words they said."""

    genres: list[tuple[str, float]]
    songs: list[tuple[str, str, list[tuple[str, float]]]]
    ratings: dict[str, int]
    words: list[str] = field(default_factory=list)


class TurnStopped(BaseException):
    """The person stopped the turn in progress (the browser's stop button, or the page closed). Raised where the work
    next reports, so that a stopped piece stops costing CPU; a BaseException, like Ctrl-C, so that no tool's
    `except Exception` turns it into an answer."""


class Reporter:
    """Where tools report progress. This one reports nowhere; the apps subclass it."""

    @contextlib.contextmanager
    def step(self, name: str, detail: str = "") -> Iterator[Reporter]:
        yield self

    def progress(self, text: str, fraction: float | None = None) -> None:
        pass


class Session:
    """State shared by the tools of one conversation."""

    def __init__(self, session_id: str | None = None, reporter: Reporter | None = None, user: str = "local"):
        self.id = session_id or uuid.uuid4().hex[:12]
        self.user = user  # whose taste profile and feedback (the login name in the browser)
        self.reporter = reporter or Reporter()
        self.uploads: dict[str, Upload] = {}
        self.pieces: dict[str, GeneratedPiece] = {}
        self.profile: TasteProfile | None = None
        self.taste_forgotten = False  # 'forget my taste' in this chat: its songs attached before stay out of it
        self.last_loop: LoopResult | None = None
        self.stop_requested = threading.Event()  # set from another thread: the turn in progress ends, keeping nothing
        self.last_search: list[str] = []  # library ids shown last
        self.outbox: list[AudioResult | GenreChart | TastePanel | LoopChart] = []
        self.audio_allowance = jobs.session_allowance()  # seconds of music this chat may still have made

    # -- whose library -------------------------------------------------------------------------
    @property
    def library_owner(self) -> str:
        """Whom library additions belong to: this person, or '' (the shared library) for the local user."""
        return "" if self.user == "local" else self.user

    @property
    def library_viewer(self) -> str | None:
        """Whose tracks a search may show besides the shared ones (None: all, for the local user)."""
        return None if self.user == "local" else self.user

    # -- uploads ---------------------------------------------------------------------------------
    def attach(self, path: str | Path, name: str | None = None) -> Upload:
        """Validate and keep an audio file the person gave us; AudioError (a clear message) if it is unusable."""
        try:
            clip = load_clip(path)
        except AudioError as exc:  # name the file as the person knows it, not our upload store's path
            raise AudioError(name or Path(path).name, exc.problem, exc.advice) from None
        uid = f"u{len(self.uploads) + 1}"
        upload = Upload(id=uid, name=name or Path(path).name, path=str(path), clip=clip)
        self.uploads[uid] = upload
        return upload

    def upload(self, uid: str) -> Upload:
        if uid not in self.uploads:
            known = ", ".join(self.uploads) or "none yet"
            raise TastemakerError(
                f"There is no upload called '{uid}' in this chat (uploads: {known}). "
                "I can only use files you attach; I never open paths on this machine."
            )
        return self.uploads[uid]

    # -- generations -----------------------------------------------------------------------------
    def keep(self, generation: Generation, request: Any, kind: str = "generate") -> GeneratedPiece:
        gid = f"g{len(self.pieces) + 1}"
        piece = GeneratedPiece(id=gid, generation=generation, request=request, kind=kind)
        self.pieces[gid] = piece
        return piece

    def piece(self, gid: str | None = None) -> GeneratedPiece:
        if gid is None:
            if not self.pieces:
                raise TastemakerError("There is nothing generated yet. Ask me to make something first, e.g. 'make me a rock track'.")
            return list(self.pieces.values())[-1]
        if gid not in self.pieces:
            known = ", ".join(self.pieces) or "none yet"
            raise TastemakerError(f"There is no generated piece called '{gid}' in this chat (pieces: {known}).")
        return self.pieces[gid]

    @property
    def last_piece(self) -> GeneratedPiece | None:
        return list(self.pieces.values())[-1] if self.pieces else None

    def work_dir(self) -> Path:
        """Where this chat's generated files go (inside the data directory)."""
        folder = get_settings().home / "chats" / self.id
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def check_stopped(self) -> None:
        """Raise TurnStopped if the person stopped this turn; called wherever long work reports progress."""
        if self.stop_requested.is_set():
            raise TurnStopped()

    def take_outbox(self) -> list[AudioResult | GenreChart | TastePanel | LoopChart]:
        items, self.outbox = self.outbox, []
        return items
