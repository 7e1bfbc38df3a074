"""The embedded default library: scores from music21's corpus, rendered with FluidSynth, tagged and indexed.

Built once, on first use, in the data directory (home/library/default/: one
.mid and one .flac per piece, beside each other, so generation can reuse the
MIDI). Scores are converted to MIDI directly from music21's note objects
(much faster than music21's own MIDI writer, and free of its 10080
ticks-per-beat that pretty_midi refuses), capped at MAX_SECONDS; short folk
tunes are played through again until they last MIN_SECONDS, as they are at a
dance. Rendering runs in a pool of worker processes while the main process
tags what is ready. Finished files are reused, so an interrupted build picks
up where it stopped (and clears the temp files it was writing); the library is
marked built once every piece has been tried (a piece that fails is reported).
The render workers end with the build: killing it never leaves them waiting.

TASTEMAKER_DEFAULT_LIBRARY=0 stops the automatic build (for an empty library).
"""

from __future__ import annotations

import atexit
import fcntl
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from tqdm import tqdm

from tools.atomic import sweep_parts
from tools.errors import TastemakerError
from tools.library.catalogue import PIECES, Piece
from tools.library.ingest import IngestReport, Source, ingest
from tools.library.scores import Rendered, render_piece
from tools.library.store import Library
from tools.settings import get_settings
from tools.workers import die_with_parent

DEFAULT_LIBRARY_VERSION = "2"  # 2: FluidSynth rendered in stereo, both channels averaged (was the left only)
ANALYSE_SECONDS = 15.0  # five 3 s tagger patches: enough for retrieval, and tagging is most of the build time
_META_KEY = "default_library"
# pieces tagged together: a stop waits for the batch in hand (8 held a quitting command ~60 s on a busy machine)
TAG_BATCH = 4
# how long the build waits for the next render: a killed worker's piece never comes back (a pool replaces the worker,
# not its task), and a build that waited for it would never end; the longest piece renders in well under a minute
RENDER_SILENCE_S = 600.0
Progress = Callable[[int, int], None]  # (pieces done, pieces in all)


def default_dir(library: Library) -> Path:
    return library.files_dir / "default"


def auto_build_enabled() -> bool:
    return get_settings().default_library


def _source(piece: Piece, rendered: Rendered) -> Source:
    keywords = ", ".join(piece.keywords)
    return Source(
        path=Path(rendered.audio), id=piece.id, title=rendered.title, artist=piece.composer,
        description=f"{piece.description}. {piece.period}; {piece.instrumentation}." + (f" {keywords}." if keywords else ""),
        genre=piece.genre, midi_path=rendered.midi, analyse_seconds=ANALYSE_SECONDS,
        extra={"period": piece.period, "instrumentation": piece.instrumentation, "origin": "default library",
               "corpus_path": piece.corpus_path + (f"#{piece.number}" if piece.number else "")},
    )


def _render_job(job: tuple[Piece, str]) -> tuple[Piece, Rendered | None, str]:
    """render_piece in a worker: (the piece, what it rendered or None, why not)."""
    piece, out_dir = job
    try:
        return piece, render_piece(piece, out_dir), ""
    except Exception as exc:  # noqa: BLE001  (music21 raises many kinds; one bad score must not stop the build)
        return piece, None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def build_default_library(library: Library, progress: bool = True, workers: int | None = None,
                          pieces: list[Piece] | None = None, on_piece: Progress | None = None,
                          stop: threading.Event | None = None) -> IngestReport:
    """Render and add every catalogue piece not yet in the library (parallel rendering, tagging as they finish).
    on_piece(done, total) is called as pieces are added (for a status line). `stop`, once set, ends the build
    after the tagging under way (renders under way are dropped): pieces not added are left for the next build, which picks up where this one
    stopped."""
    catalogue = pieces if pieces is not None else PIECES
    todo = [p for p in catalogue if not library.has_id(p.id)]
    report = IngestReport()
    done_before = len(catalogue) - len(todo)
    if on_piece:
        on_piece(done_before, len(catalogue))
    if not todo:
        return report
    out_dir = default_dir(library)
    out_dir.mkdir(parents=True, exist_ok=True)
    sweep_parts(out_dir, older_than_s=0)  # only one build runs at a time (the lock), so these are a dead one's
    workers = workers or min(2, get_settings().worker_count)
    bar = tqdm(total=len(todo), desc="building the default library", unit="piece", disable=not progress,
               file=sys.stderr)
    batch: list[Source] = []

    def add(sources: list[Source]) -> None:
        done = ingest(library, sources, progress=False)
        report.added.extend(done.added)
        report.duplicates.extend(done.duplicates)
        report.failed.extend(done.failed)

    # spawn: the workers need music21 and FluidSynth, not this process's torch threads
    pool = get_context("spawn").Pool(workers, initializer=die_with_parent, initargs=(os.getpid(),))
    try:
        results = pool.imap_unordered(_render_job, [(p, str(out_dir)) for p in todo])
        left, waited = len(todo), 0.0
        while left:
            if stop is not None and stop.is_set():
                break
            try:
                piece, rendered, why = results.next(timeout=0.5)
            except multiprocessing.TimeoutError:
                waited += 0.5
                if waited >= RENDER_SILENCE_S:  # a worker that died took its piece with it: the pool never answers
                    raise TastemakerError(f"no piece of the built-in library finished rendering in "
                                          f"{RENDER_SILENCE_S:g} s; the next start builds the rest")
                continue
            left, waited = left - 1, 0.0
            if rendered is None:
                report.failed.append((piece.corpus_path, f"could not render: {why}"))
            else:
                batch.append(_source(piece, rendered))
            bar.update(1)
            if len(batch) >= TAG_BATCH or (not left and batch):
                add(batch)  # tag and index while the workers render the next pieces
                batch = []
                if on_piece:
                    on_piece(len(catalogue) - left, len(catalogue))
    finally:
        # a stopped build drops the renders under way (each writes atomically; the next build sweeps their part
        # files) instead of waiting for them: waiting on them held a quitting `tastemaker radio` for minutes
        pool.terminate()
        pool.join()
    bar.close()
    return report


def is_ready(library: Library) -> bool:
    """True when the default library is built (or the automatic build is switched off)."""
    return library.meta(_META_KEY) == DEFAULT_LIBRARY_VERSION or not auto_build_enabled()


def needs_build(library: Library) -> bool:
    """Whether ensure_default_library would build now (this data directory's first build, or a new version)."""
    return library.meta(_META_KEY) != DEFAULT_LIBRARY_VERSION and auto_build_enabled()


def ensure_default_library(library: Library | None = None, progress: bool = True,
                           force: bool = False, on_piece: Progress | None = None,
                           stop: threading.Event | None = None) -> IngestReport | None:
    """Build the default library once per data directory. None if it was already built (or auto-build is off)."""
    from tools.library import open_library

    library = library if library is not None else open_library()  # an empty Library is falsy
    if not force and (library.meta(_META_KEY) == DEFAULT_LIBRARY_VERSION or not auto_build_enabled()):
        return None
    library.files_dir.mkdir(parents=True, exist_ok=True)
    with open(library.files_dir / ".default-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second process waits, then finds it built
        if not force and library.meta(_META_KEY) == DEFAULT_LIBRARY_VERSION:
            return None
        report = build_default_library(library, progress=progress, on_piece=on_piece, stop=stop)
        if stop is None or not stop.is_set():  # a stopped build is not a built library: the next start resumes it
            library.set_meta(_META_KEY, DEFAULT_LIBRARY_VERSION)
        return report


@dataclass
class BuildStatus:
    state: str = "idle"  # idle | building | ready | failed
    done: int = 0
    total: int = len(PIECES)
    problem: str = ""

    def describe(self) -> str:
        if self.state == "building":
            return f"building your music library: {self.done}/{self.total}"
        if self.state == "failed":
            return f"the music library could not be built ({self.problem})"
        return "your music library is ready"


_status: dict[str, BuildStatus] = {}  # per data directory
_status_lock = threading.Lock()
_stop = threading.Event()  # set when the process is about to end: the background builds stop at a safe point
_builders: list[threading.Thread] = []


def build_in_background(library: Library) -> BuildStatus:
    """Start building the default library in a thread if it is not built yet; returns its live status.

    The chat (browser and terminal) calls this at start, so the first search does not wait minutes
    behind a spinner: until the build is done, answers say how far it is."""
    key = str(library.home)
    with _status_lock:
        status = _status.get(key)
        if status is not None and status.state in ("building", "ready"):
            return status
        status = _status[key] = BuildStatus()
        if _stop.is_set():  # the process is ending
            return status
        if is_ready(library):
            status.state, status.done = "ready", status.total
            return status
        status.state = "building"

    def progress(done: int, total: int) -> None:
        status.done, status.total = done, total

    def run() -> None:
        from tools.library import open_library

        try:
            ensure_default_library(open_library(library.home), progress=False, on_piece=progress, stop=_stop)
            status.state = "idle" if _stop.is_set() else "ready"
        except Exception as exc:  # noqa: BLE001 - the chat says what went wrong; the log has the rest
            from tools.incidents import log_incident

            log_incident(exc, "default library build")
            status.state, status.problem = "failed", str(exc).splitlines()[0] if str(exc) else type(exc).__name__

    builder = threading.Thread(target=run, name="default-library-build", daemon=True)
    _builders.append(builder)
    builder.start()
    return status


def building() -> bool:
    """Whether a background build of this process is under way."""
    return any(b.is_alive() for b in _builders)


def stop_background_builds(wait_s: float | None = 120.0) -> None:
    """Stop this process's background builds after the step under way (tagging the batch in hand; renders are dropped)
    and wait for them (`wait_s` None: only ask, and start no new one): a process that ends while the build's
    thread is inside the tagger or FluidSynth aborts ("terminate called without an active exception"). What was
    added stays; the next start builds the rest."""
    _stop.set()
    if wait_s is None:
        return
    if building():  # the wait can take a while: say why the command has not ended yet
        print("Stopping the music library's background build (the next start goes on with it)...", file=sys.stderr,
              flush=True)
    try:
        for builder in _builders:
            builder.join(wait_s)
    except KeyboardInterrupt:  # a second Ctrl-C: the person will not wait (no traceback for it)
        return
    if not building():  # stopped: a later start in this process (a test, a new chat) builds again
        _builders.clear()
        _stop.clear()


atexit.register(stop_background_builds)  # whatever ends the process (the browser app, `tastemaker eval`)
