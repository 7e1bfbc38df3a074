"""The embedded default library: scores from music21's corpus, rendered with FluidSynth, tagged and indexed.

Built once, on first use, in the data directory (home/library/default/: one
.mid and one .flac per piece, beside each other, so generation can reuse the
MIDI). Scores are converted to MIDI directly from music21's note objects
(much faster than music21's own MIDI writer, and free of its 10080
ticks-per-beat that pretty_midi refuses), capped at MAX_SECONDS; short folk
tunes are played through again until they last MIN_SECONDS, as they are at a
dance. Rendering runs in a pool of worker processes while the main process
tags what is ready. Finished files are reused, so an interrupted build picks
up where it stopped; the library is marked built once every piece has been tried
(a piece that fails is reported).

TASTEMAKER_DEFAULT_LIBRARY=0 stops the automatic build (for an empty library).
"""

from __future__ import annotations

import fcntl
import os
import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import soundfile as sf
from tqdm import tqdm

from tools.errors import TastemakerError
from tools.library.catalogue import PIECES, Piece
from tools.library.ingest import IngestReport, Source, ingest
from tools.library.store import Library

DEFAULT_LIBRARY_VERSION = "1"
MAX_SECONDS = 45.0
MIN_SECONDS = 30.0
RENDER_RATE = 22050
ANALYSE_SECONDS = 15.0  # five 3 s tagger patches: enough for retrieval, and tagging is most of the build time
_META_KEY = "default_library"


@dataclass
class Rendered:
    piece_id: str
    audio: str
    midi: str
    title: str


def default_dir(library: Library) -> Path:
    return library.files_dir / "default"


def auto_build_enabled() -> bool:
    return os.environ.get("TASTEMAKER_DEFAULT_LIBRARY", "1").strip().lower() not in {"0", "false", "no", "off"}


def _score_title(score, piece: Piece) -> str:
    md = score.metadata
    found = ""
    if md is not None:
        found = (md.title or md.movementName or "").strip()
        if found.isupper():
            found = found.title()  # ABC collections shout their titles
    if piece.corpus_path.startswith("bach/"):
        number = piece.corpus_path.split("/")[-1].removesuffix(".mxl").removeprefix("bwv")
        return f"Chorale BWV {number}" + (f": {found}" if found and not found.startswith("bwv") else "")
    return found or Path(piece.corpus_path).stem


def score_to_midi(score, piece: Piece):
    """A pretty_midi.PrettyMIDI of the score's first MAX_SECONDS (ties joined, one instrument per part)."""
    import pretty_midi
    from music21 import harmony, tempo

    qpm = None
    for mark in score.recurse().getElementsByClass(tempo.MetronomeMark):
        qpm = mark.getQuarterBPM()
        if qpm:
            break
    qpm = float(qpm or piece.tempo)
    spb = 60.0 / qpm
    cap = MAX_SECONDS / spb  # in quarter notes
    pm = pretty_midi.PrettyMIDI(initial_tempo=qpm)
    parts = list(score.parts) if score.hasPartLikeStreams() else [score]
    for number, part in enumerate(parts):
        program = piece.programs[min(number, len(piece.programs) - 1)]
        inst = pretty_midi.Instrument(program=program, name=f"part {number + 1}")
        velocity = 90 if number == 0 else 74  # the top part carries the tune
        held: dict[int, pretty_midi.Note] = {}
        for element in part.recurse().notes:
            if isinstance(element, harmony.ChordSymbol):
                continue  # lead-sheet chord names are not notes to play
            start = float(element.getOffsetInHierarchy(part))
            if start >= cap:
                break
            length = float(element.duration.quarterLength)
            if length <= 0:
                continue  # grace notes
            tie = element.tie.type if element.tie is not None else None
            end = min(start + length, cap) * spb
            for pitch in element.pitches:
                if tie in ("stop", "continue") and pitch.midi in held:
                    held[pitch.midi].end = end
                    continue
                note = pretty_midi.Note(velocity=velocity, pitch=int(pitch.midi), start=start * spb, end=end)
                inst.notes.append(note)
                if tie in ("start", "continue"):
                    held[pitch.midi] = note
                else:
                    held.pop(pitch.midi, None)
        if inst.notes:
            pm.instruments.append(inst)
    if not pm.instruments:
        raise TastemakerError(f"{piece.corpus_path}: the score has no notes to play.")
    return pm


def _repeat_to(pm, seconds: float):
    """Play a short tune through again (after a one-beat breath) until it lasts `seconds`."""
    import copy

    length = pm.get_end_time()
    if length <= 0 or length >= seconds:
        return pm
    gap = 0.5
    rounds = int(np.ceil(seconds / (length + gap)))
    for inst in pm.instruments:
        first = list(inst.notes)
        for r in range(1, rounds):
            shift = r * (length + gap)
            for n in first:
                if n.start + shift < MAX_SECONDS:
                    moved = copy.copy(n)
                    moved.start, moved.end = n.start + shift, min(n.end + shift, MAX_SECONDS)
                    inst.notes.append(moved)
    return pm


def render_piece(piece: Piece, out_dir: str) -> Rendered:
    """Parse, convert and render one piece; writes <id>.mid and <id>.flac atomically (a worker-process job)."""
    import warnings

    from music21 import corpus

    from tools.render import render_midi

    warnings.filterwarnings("ignore")  # music21's notes on irregular measures are not the user's business

    out = Path(out_dir)
    audio, midi = out / f"{piece.id}.flac", out / f"{piece.id}.mid"
    score = corpus.parse(piece.corpus_path, number=piece.number) if piece.number else corpus.parse(piece.corpus_path)
    title = piece.title or _score_title(score, piece)
    if audio.is_file() and midi.is_file():
        return Rendered(piece.id, str(audio), str(midi), title)
    pm = _repeat_to(score_to_midi(score, piece), MIN_SECONDS)
    samples = render_midi(pm, sample_rate=RENDER_RATE)
    samples = samples[: int((MAX_SECONDS + 2.0) * RENDER_RATE)]  # keep the release of the last notes
    out.mkdir(parents=True, exist_ok=True)
    tmp_midi, tmp_audio = out / f".{piece.id}.mid.part", out / f".{piece.id}.flac.part"
    pm.write(str(tmp_midi))
    sf.write(str(tmp_audio), samples, RENDER_RATE, format="FLAC", subtype="PCM_16")
    os.replace(tmp_midi, midi)
    os.replace(tmp_audio, audio)  # the audio last: its presence means the pair is complete
    return Rendered(piece.id, str(audio), str(midi), title)


def _source(piece: Piece, rendered: Rendered) -> Source:
    keywords = ", ".join(piece.keywords)
    return Source(
        path=Path(rendered.audio), id=piece.id, title=rendered.title, artist=piece.composer,
        description=f"{piece.description}. {piece.period}; {piece.instrumentation}." + (f" {keywords}." if keywords else ""),
        genre=piece.genre, midi_path=rendered.midi, analyse_seconds=ANALYSE_SECONDS,
        extra={"period": piece.period, "instrumentation": piece.instrumentation, "origin": "default library",
               "corpus_path": piece.corpus_path + (f"#{piece.number}" if piece.number else "")},
    )


def build_default_library(library: Library, progress: bool = True, workers: int | None = None,
                          pieces: list[Piece] | None = None) -> IngestReport:
    """Render and add every catalogue piece not yet in the library (parallel rendering, tagging as they finish)."""
    todo = [p for p in (pieces if pieces is not None else PIECES) if not library.has_id(p.id)]
    report = IngestReport()
    if not todo:
        return report
    out_dir = default_dir(library)
    out_dir.mkdir(parents=True, exist_ok=True)
    workers = workers or max(1, min(2, os.cpu_count() or 1))
    bar = tqdm(total=len(todo), desc="building the default library", unit="piece", disable=not progress,
               file=sys.stderr)
    batch: list[Source] = []

    def add(sources: list[Source]) -> None:
        done = ingest(library, sources, progress=False)
        report.added.extend(done.added)
        report.duplicates.extend(done.duplicates)
        report.failed.extend(done.failed)

    # spawn: the workers need music21 and FluidSynth, not this process's torch threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(render_piece, p, str(out_dir)): p for p in todo}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                piece = futures[fut]
                try:
                    batch.append(_source(piece, fut.result()))
                except Exception as exc:  # noqa: BLE001  (music21 raises many kinds; one bad score must not stop the build)
                    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                    report.failed.append((piece.corpus_path, f"could not render: {reason}"))
                bar.update(1)
            if len(batch) >= 8 or (not pending and batch):
                add(batch)  # tag and index while the workers render the next pieces
                batch = []
    bar.close()
    return report


def ensure_default_library(library: Library | None = None, progress: bool = True,
                           force: bool = False) -> IngestReport | None:
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
        report = build_default_library(library, progress=progress)
        library.set_meta(_META_KEY, DEFAULT_LIBRARY_VERSION)
        return report
