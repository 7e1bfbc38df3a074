"""Adding tracks: audio files (found recursively in folders) or a CSV/JSON manifest, analysed and written in batches.

Each file is hashed (sha256 of its bytes: the same content twice is added
once), read with tools.audio, tagged with both musicnn models (first
ANALYSE_SECONDS only, enough for stable tags), and described in words for the
text index. Title/artist/genre/comment come from the file's own tags where
libsndfile can read them (WAV INFO, FLAC/Ogg Vorbis comments), else from the
file name. A file that cannot be read (bad audio, no permission, an I/O error)
is skipped and reported with its reason; the rest go in. Tracks are written
BATCH_SIZE at a time, each batch one SQLite transaction, so an interrupted
ingest keeps every finished batch and nothing half-written; a track that
another process stored meanwhile is reported as already present.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import soundfile as sf
from tqdm import tqdm

from tools.audio import is_audio_name, load_clip, unreadable
from tools.contracts import Track
from tools.embeddings import embed_texts
from tools.errors import StorageError, TastemakerError, without_name
from tools.genres import ALL_LABELS, GENRES, INSTRUMENTS, MOODS, normalise
from tools.incidents import log_incident
from tools.library.store import SHARED, Library, LibraryError, NewTrack
from tools.tagger import tag_full

ANALYSE_SECONDS = 120.0
BATCH_SIZE = 16
_ID_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


@dataclass
class Source:
    """One thing to add: an audio file and whatever is already known about it."""

    path: Path
    id: str = ""
    title: str = ""
    artist: str = ""
    description: str = ""
    genre: str = ""
    midi_path: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    analyse_seconds: float = ANALYSE_SECONDS
    name: str = ""  # how reports and errors call the file (default: its path), e.g. the name it was uploaded as

    @property
    def shown(self) -> str:
        return self.name or str(self.path)


@dataclass
class IngestReport:
    """What an ingest did: tracks added, files already present, files that failed (with the reason)."""

    added: list[Track] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file, id of the track already there)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, why)

    def summary(self) -> str:
        text = f"added {len(self.added)}, already present {len(self.duplicates)}, failed {len(self.failed)}"
        return text + "".join(f"\n  skipped {f}: {why}" for f, why in self.failed)


def slug(text: str, limit: int = 40) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (s[:limit].rstrip("-")) or "track"


def content_hash(path: Path, name: object = None) -> str:
    """sha256 of the file's bytes (an unreadable file is an AudioError naming it)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise unreadable(path if name is None else name, exc) from None
    return digest.hexdigest()


def file_metadata(path: Path) -> dict[str, str]:
    """title/artist/genre/comment from the file's own tags (those libsndfile reads), empty where absent."""
    try:
        with open(path, "rb") as fh, sf.SoundFile(fh) as f:
            found = {key: (getattr(f, key, "") or "").strip() for key in ("title", "artist", "genre", "comment")}
    except (RuntimeError, TypeError, ValueError, OSError):  # unreadable: load_clip reports it better
        return {}
    return {k: v for k, v in found.items() if v}


def expand_paths(paths: list[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Audio files given or found recursively in folders, and (path, why) for paths that are not usable."""
    files: list[Path] = []
    problems: list[tuple[str, str]] = []
    for raw in paths:
        p = Path(raw)
        try:
            if p.is_dir():
                found = sorted(f for f in p.rglob("*") if f.is_file() and is_audio_name(f) and not f.name.startswith("."))
                if not found:
                    problems.append((str(p), "this folder has no audio files (wav, flac, ogg, mp3, aiff) in it."))
                files.extend(found)
            elif p.exists():
                files.append(p)
            else:
                problems.append((str(p), "no such file or folder."))
        except OSError as exc:  # a folder we may not list
            problems.append((str(p), f"cannot be read ({exc.strerror or type(exc).__name__})."))
    return files, problems


def _pick(row: dict[str, Any], *names: str) -> str:
    for n in names:
        value = row.get(n)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def read_manifest(manifest: str | Path) -> list[Source]:
    """Sources from a CSV (header row) or JSON (a list, or {"tracks": [...]}) manifest.

    Columns/keys: path (required; relative to the manifest's folder), id, title, artist or composer,
    description and/or keywords, genre, midi_path. Any other keys are kept as extra metadata.
    """
    m = Path(manifest)
    if not m.is_file():
        raise TastemakerError(f"{m}: no such manifest file. Give a .csv or .json file listing the tracks.")
    try:
        if m.suffix.lower() == ".json":
            data = json.loads(m.read_text(encoding="utf-8"))
            rows = data.get("tracks") if isinstance(data, dict) else data
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise TastemakerError(f"{m}: a JSON manifest must be a list of objects (or {{\"tracks\": [...]}}).")
        elif m.suffix.lower() == ".csv":
            with open(m, newline="", encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
        else:
            raise TastemakerError(f"{m}: a manifest must be a .csv or .json file.")
    except (json.JSONDecodeError, UnicodeDecodeError, csv.Error) as exc:
        raise TastemakerError(f"{m}: cannot read this manifest ({exc}). Check that it is valid CSV or JSON.") from None
    known = {"path", "id", "title", "artist", "composer", "description", "keywords", "genre", "midi_path"}
    sources = []
    for number, row in enumerate(rows, start=1):
        raw_path = _pick(row, "path")
        if not raw_path:
            raise TastemakerError(f"{m}: entry {number} has no 'path'. Every entry needs the audio file's path.")
        path = Path(raw_path).expanduser()
        if not path.is_absolute():
            path = m.parent / path
        description = ". ".join(x for x in (_pick(row, "description"), _pick(row, "keywords")) if x)
        midi = _pick(row, "midi_path")
        sources.append(Source(
            path=path, id=_pick(row, "id"), title=_pick(row, "title"), artist=_pick(row, "artist", "composer"),
            description=description, genre=_pick(row, "genre"),
            midi_path=str((m.parent / midi) if midi and not Path(midi).is_absolute() else midi),
            extra={k: v for k, v in row.items() if k not in known and v not in (None, "")},
        ))
    return sources


def top_labels(tags: dict[str, float], table: dict, k: int, floor: float = 0.1) -> list[str]:
    ranked = sorted(((p, t) for t, p in tags.items() if t in table and p >= floor), reverse=True)
    return [t for _, t in ranked[:k]]


def describe_sound(tags: dict[str, float]) -> list[str]:
    """The few label words that say what a track sounds like (top genres, instruments, moods)."""
    return top_labels(tags, GENRES, 3) + top_labels(tags, INSTRUMENTS, 3) + top_labels(tags, MOODS, 2)


def text_document(title: str, artist: str, description: str, tags: dict[str, float]) -> str:
    """The text that is embedded for text search: title, artist, description and tag words."""
    parts = [title, f"by {artist}" if artist else "", description, "sounds: " + ", ".join(describe_sound(tags))]
    return ". ".join(p for p in parts if p)


def declared_genre(word: str) -> str:
    """A genre given by a file or manifest, as a unified label ('' if it is not one we know)."""
    label = normalise(word) if word else None
    return label if label and ALL_LABELS.get(label) == "genre" else ""


def analyse(source: Source, digest: str) -> NewTrack:
    """Read, tag and describe one file (raises TastemakerError for unreadable audio). text_vec is filled later."""
    clip = load_clip(source.path, sample_rate=16000, max_seconds=source.analyse_seconds, name=source.shown)
    try:
        with open(source.path, "rb") as fh:
            info = sf.info(fh)
        duration = info.frames / info.samplerate
    except (RuntimeError, TypeError, ValueError, OSError, ZeroDivisionError):
        duration = clip.duration
    full = tag_full(clip)
    tags = {**full.genres.probabilities, **full.instruments.probabilities, **full.moods.probabilities}
    tags = {k: round(v, 4) for k, v in tags.items()}
    predicted = full.genres.top(1)[0][0]
    meta = file_metadata(source.path)
    title = source.title or meta.get("title") or source.path.stem.replace("_", " ").strip()
    artist = source.artist or meta.get("artist", "")
    description = source.description or meta.get("comment", "")
    given_genre = source.genre or meta.get("genre", "")
    extra = dict(source.extra)
    if given_genre:
        extra["declared_genre"] = given_genre
    return NewTrack(
        id=source.id or f"{slug(title)}-{digest[:6]}",
        title=title, artist=artist, description=description, content_hash=digest,
        text_vec=None, audio_vec=full.embedding,  # type: ignore[arg-type]
        audio_path=str(source.path.resolve()), midi_path=source.midi_path, source_path=str(source.path),
        duration=float(duration), tags=tags,
        raw_tags={m: dict(t.top(10)) for m, t in full.raw.items()},
        genre=declared_genre(given_genre) or predicted, predicted_genre=predicted, extra=extra,
        fixed_id=bool(source.id),
    )


def analyse_file(source: Source, digest: str = "", embed: bool = False) -> NewTrack:
    """One file, analysed: hashed (unless `digest` is given), read, tagged, described and, with `embed`, its text
    embedded (a job: in this process, or on a Ray worker, which then does all the work a file needs)."""
    track = analyse(source, digest or content_hash(source.path, source.shown))
    if embed:
        track.text_vec = embed_texts([text_document(track.title, track.artist, track.description, track.tags)])[0]
    return track


def _failure_words(name: str, exc: BaseException) -> str:
    from tools.jobs.job import JobFailed

    if isinstance(exc, TastemakerError) and (not isinstance(exc, JobFailed) or exc.user_facing):
        return without_name(str(exc), name)
    ref = log_incident(exc, f"adding {name} to the library")  # a bug of ours: details to the log, one line here
    return f"could not be analysed ({type(exc).__name__}; reference {ref} in the error log)."


def ingest(library: Library, sources: list[Source], progress: bool = True, desc: str = "adding",
           owner: str = SHARED) -> IngestReport:
    """Analyse and add sources for `owner` ('' = the shared library); duplicates and bad files are reported,
    not fatal. A problem of the whole library (damaged, busy) stops it with a LibraryError.

    Files are analysed by the job engine (tools.jobs: in this process, or fanned out over a Ray cluster) and
    written BATCH_SIZE at a time. In this process each file is hashed first and skipped if already stored;
    on Ray the workers read the files (this process reads none) and a file whose path is already stored is
    skipped, so a run that was stopped picks up where it was. Either way the insert's transaction decides
    duplicates, so nothing is stored twice. An ingest of more than one batch brings the search indexes up
    to date once, at the end."""
    from tools import jobs

    report = IngestReport()
    remote = jobs.engine().remote
    defer_index = len(sources) > BATCH_SIZE
    pending: list[tuple[str, NewTrack]] = []
    bar = tqdm(total=len(sources), desc=desc, unit="track", disable=not progress, file=sys.stderr)
    repeated: list[tuple[str, str]] = []  # (file, content hash) of a file met twice in this run

    def flush() -> None:
        if not pending:
            return
        shown = {id(track): name for name, track in pending}
        items = [track for _, track in pending]
        pending.clear()
        try:
            missing = [t for t in items if t.text_vec is None]
            documents = [text_document(t.title, t.artist, t.description, t.tags) for t in missing]
            for track, vec in zip(missing, embed_texts(documents)):
                track.text_vec = vec
            written = library.insert(items, owner=owner, update_indexes=not defer_index)
        except StorageError as exc:  # the disk filled up: these files were analysed but not stored
            report.failed.extend((shown[id(t)], str(exc)) for t in items)
            return
        report.added.extend(written.added)
        report.duplicates.extend((shown[id(t)], existing) for t, existing in written.duplicates)
        report.failed.extend((shown[id(t)], why) for t, why in written.refused)

    def work() -> Iterator[jobs.Job[NewTrack]]:
        """The files still to analyse, as jobs; what can be decided without analysing is reported here."""
        seen: set[str] = set()
        given_ids: set[str] = set()
        stored_paths = library.ids_for_paths([s.path for s in sources], owner) if remote else {}
        for source in sources:
            name = source.shown
            try:
                if source.id and not _ID_OK.match(source.id):
                    raise TastemakerError(f"the id '{source.id}' may use only letters, digits, '.', '_' and '-'.")
                digest = ""
                if remote:
                    existing = stored_paths.get(str(source.path.resolve()))
                else:
                    digest = content_hash(source.path, name) if source.path.is_file() else ""
                    existing = library.id_for_hash(digest, owner) if digest else None
                    if digest in seen:
                        repeated.append((name, digest))
                        bar.update()
                        continue
                if existing:
                    report.duplicates.append((name, existing))
                    bar.update()
                    continue
                if source.id and (library.has_id(source.id) or source.id in given_ids):
                    raise TastemakerError(f"the id '{source.id}' is already used by another track; choose another.")
            except LibraryError:
                raise
            except TastemakerError as exc:
                report.failed.append((name, without_name(str(exc), name)))
                bar.update()
                continue
            seen.add(digest)
            given_ids.add(source.id)
            if remote:  # a worker's folder is not ours: it gets the file's full path, and its name for messages
                source = replace(source, path=source.path.resolve(), name=name)
            yield jobs.Job(analyse_file, (source, digest, remote), name=f"adding {name}")

    try:
        for outcome in jobs.stream(work()):
            name = outcome.job.args[0].shown
            bar.update()
            if outcome.error is not None:
                report.failed.append((name, _failure_words(name, outcome.error)))
                continue
            pending.append((name, outcome.value))
            if len(pending) >= BATCH_SIZE:
                flush()
        flush()
    finally:
        bar.close()
    if defer_index and report.added:
        library.rebuild()  # once, at the end (a run that was stopped leaves them stale: rebuilt on next use)
    for name, digest in repeated:
        report.duplicates.append((name, library.id_for_hash(digest, owner) or ""))
    return report
