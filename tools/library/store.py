"""The library's store: tracks in SQLite (the source of truth) plus the two FAISS indexes derived from it.

Each track row keeps its text and audio embeddings as float32 blobs, so the
FAISS index files are caches that can always be rebuilt from the database.
Every write runs in one SQLite transaction that also bumps `library_meta.version`;
an index file carries the version it was built from, and an index whose
version differs from the database's is rebuilt before it is used. So a build
killed at any point leaves a library that is consistent: the database has
either all of a batch or none of it, and a stale index is never searched.

Several processes may write at once (two `tastemaker library add`, the chat):
SQLite in WAL mode with a busy timeout serialises the writers, and each write
decides inside its own transaction which of its tracks are already there, so a
track is stored exactly once and nobody's pending tracks are lost.

Tracks have an owner: '' is the shared library everyone sees (the default
library, `tastemaker library add` without --user); a person's own tracks are
seen by them alone. The same recording is stored once per owner.

A damaged database is a LibraryDamagedError naming `tastemaker library repair`
(tools.library.repair); a damaged index file is rebuilt from the database and
noted in `Library.notices`.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar

import numpy as np

from tools.atomic import sweep_parts
from tools.contracts import Track
from tools.embeddings import DIM as TEXT_DIM
from tools.errors import StorageError, TastemakerError
from tools.library.index import APPROX_THRESHOLD, IndexDamagedError, VectorIndex, normalise_rows
from tools.tagger import EMBEDDING_DIM as AUDIO_DIM

if TYPE_CHECKING:
    from tools.library.ingest import IngestReport

DB_NAME = "tastemaker.db"
KINDS = {"text": TEXT_DIM, "audio": AUDIO_DIM}
BUSY_TIMEOUT_S = 60.0
SHARED = ""  # the owner of tracks everyone sees
log = logging.getLogger("tastemaker.library")

_TRACKS = """
CREATE TABLE IF NOT EXISTS tracks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    artist TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    audio_path TEXT NOT NULL DEFAULT '',
    midi_path TEXT NOT NULL DEFAULT '',
    source_path TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL,
    duration REAL NOT NULL DEFAULT 0,
    tags TEXT NOT NULL DEFAULT '{}',
    raw_tags TEXT NOT NULL DEFAULT '{}',
    genre TEXT NOT NULL DEFAULT '',
    predicted_genre TEXT NOT NULL DEFAULT '',
    extra TEXT NOT NULL DEFAULT '{}',
    added_at REAL NOT NULL,
    text_vec BLOB NOT NULL,
    audio_vec BLOB NOT NULL,
    UNIQUE (owner, content_hash)
)"""
_INDEXES = "CREATE INDEX IF NOT EXISTS tracks_genre ON tracks(genre)"
_META = "CREATE TABLE IF NOT EXISTS library_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
_COPIED = ("id, title, artist, description, audio_path, midi_path, source_path, content_hash, duration, tags, "
           "raw_tags, genre, predicted_genre, extra, added_at, text_vec, audio_vec")

_TRACK_COLUMNS = (
    "rowid, id, title, artist, description, audio_path, midi_path, source_path, content_hash, duration, "
    "tags, raw_tags, genre, predicted_genre, extra, owner"
)

# SQLite result codes (sqlite3.Error.sqlite_errorcode & 0xff)
_CORRUPT, _NOTADB, _FULL, _READONLY, _CANTOPEN, _PERM, _BUSY, _LOCKED, _IOERR = 11, 26, 13, 8, 14, 3, 5, 6, 10
REPAIR_ADVICE = ("Run `tastemaker library repair`: it keeps a copy of the damaged file, saves every track it can "
                 "still read and rebuilds the search indexes.")


class LibraryError(TastemakerError):
    """A problem of the whole library (not of one file being added)."""


class LibraryDamagedError(LibraryError):
    """The database file is damaged; `tastemaker library repair` salvages it."""


def _disk_full(folder: Path | None) -> bool:
    try:
        stats = os.statvfs(folder) if folder is not None else None
    except OSError:
        return False
    return stats is not None and stats.f_bavail * stats.f_frsize < 1 << 20


def database_problem(exc: sqlite3.Error, folder: Path | None = None) -> TastemakerError | None:
    """The user-facing error for an SQLite failure (in the data directory `folder`), or None for a bug of ours."""
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    text = str(exc)
    if code in (_CORRUPT, _NOTADB) or "malformed" in text or "not a database" in text:
        return LibraryDamagedError(f"The library database ({DB_NAME} in the data directory) is damaged ({text}). "
                                   + REPAIR_ADVICE)
    if code == _FULL or (code == _IOERR and _disk_full(folder)):  # SQLite says "disk I/O error" for some full disks
        return StorageError(DB_NAME, "the disk is full. Free some space and try again.")
    if code in (_READONLY, _CANTOPEN, _PERM):
        return LibraryError(f"The library database ({DB_NAME} in the data directory) cannot be written ({text}). "
                            "Make the data directory writable, or set TASTEMAKER_HOME to another folder.")
    if code in (_BUSY, _LOCKED):
        return LibraryError(f"The library is busy: another tastemaker process kept it locked for over "
                            f"{BUSY_TIMEOUT_S:.0f} s. Try again when it has finished.")
    if code == _IOERR:
        return LibraryError(f"The disk failed while reading or writing the library database ({text}). Check the "
                            "disk; if the error stays, " + REPAIR_ADVICE[0].lower() + REPAIR_ADVICE[1:])
    return None


F = TypeVar("F", bound=Callable[..., Any])


def _guarded(method: F) -> F:
    """SQLite failures leave a Library method as a user-facing error (damage, full disk, busy), not a traceback."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            problem = database_problem(exc, self.home)
            if problem is None:
                raise
            raise problem from None

    return wrapper  # type: ignore[return-value]


@dataclass
class NewTrack:
    """A fully analysed track, ready to be written (vectors need not be normalised)."""

    id: str
    title: str
    content_hash: str
    text_vec: np.ndarray
    audio_vec: np.ndarray
    artist: str = ""
    description: str = ""
    audio_path: str = ""
    midi_path: str = ""
    source_path: str = ""
    duration: float = 0.0
    tags: dict[str, float] = field(default_factory=dict)
    raw_tags: dict[str, dict[str, float]] = field(default_factory=dict)
    genre: str = ""
    predicted_genre: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    fixed_id: bool = False  # the id was given (a manifest): never renamed, refused if taken


@dataclass
class Written:
    """What one `Library.insert` did with each item."""

    added: list[Track] = field(default_factory=list)
    duplicates: list[tuple[NewTrack, str]] = field(default_factory=list)  # (item, id of the track already there)
    refused: list[tuple[NewTrack, str]] = field(default_factory=list)  # (item, why)


def _blob(vector: np.ndarray) -> bytes:
    return normalise_rows(vector)[0].tobytes()


def _track(row: tuple) -> Track:
    (_rowid, tid, title, artist, description, audio_path, midi_path, source_path, content_hash, duration,
     tags, raw_tags, genre, predicted_genre, extra, owner) = row
    more = json.loads(extra)
    more.update({"predicted_genre": predicted_genre, "source_path": source_path, "raw_tags": json.loads(raw_tags),
                 "owner": owner})
    return Track(
        id=tid, title=title, artist=artist, description=description, audio_path=audio_path,
        tags=json.loads(tags), genre=genre, duration=float(duration), midi_path=midi_path,
        content_hash=content_hash, extra=more,
    )


def _visible(viewer: str | None) -> tuple[str, tuple]:
    """SQL condition and parameters: every track (viewer None) or the shared ones plus the viewer's own."""
    if viewer is None:
        return "1", ()
    return "owner IN ('', ?)", (viewer,)


class Library:
    """The track library in one data directory. Open it with `tools.library.open_library()`."""

    def __init__(self, home: Path):
        from tools.settings import home_error

        self.home = Path(home)
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise home_error(self.home, exc) from None
        self.db_path = self.home / DB_NAME
        self.files_dir = self.home / "library"
        self.index_dir = self.files_dir / "index"
        self.notices: list[str] = []  # things the person should know (an index rebuilt because it was damaged)
        self._lock = threading.RLock()
        self._indexes: dict[str, VectorIndex] = {}
        self._conn = None
        try:
            self._conn = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                         check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._create_or_migrate()
        except sqlite3.Error as exc:
            if self._conn is not None:
                self._conn.close()
            problem = database_problem(exc, self.home)
            if problem is None:
                raise
            raise problem from None
        sweep_parts(self.index_dir)  # temp files of a writer that was killed

    def _create_or_migrate(self) -> None:
        columns = [r[1] for r in self._conn.execute("PRAGMA table_info(tracks)")]
        if not columns:
            self._conn.execute(_TRACKS)
        elif "owner" not in columns:
            self._migrate_to_owners()
        self._conn.execute(_INDEXES)
        self._conn.execute(_META)

    def _migrate_to_owners(self) -> None:
        """Tracks from before owners: content_hash was unique on its own; now it is unique per owner."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            if "owner" in [r[1] for r in self._conn.execute("PRAGMA table_info(tracks)")]:
                self._conn.execute("ROLLBACK")  # another process migrated it while we waited
                return
            self._conn.execute("ALTER TABLE tracks RENAME TO tracks_before_owners")
            self._conn.execute(_TRACKS)
            self._conn.execute(f"INSERT INTO tracks (rowid, {_COPIED}) SELECT rowid, {_COPIED} FROM tracks_before_owners")
            self._conn.execute("DROP TABLE tracks_before_owners")
            self._conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        if self._conn.in_transaction:  # SQLite may have rolled back already (a failed COMMIT on a full disk)
            self._conn.execute("ROLLBACK")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- reading ---------------------------------------------------------------------------------------------
    @_guarded
    def version(self) -> int:
        row = self._conn.execute("SELECT value FROM library_meta WHERE key='version'").fetchone()
        return int(row[0]) if row else 0

    @_guarded
    def meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM library_meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    @_guarded
    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO library_meta(key, value) VALUES (?, ?)", (key, value))

    @_guarded
    def __len__(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM tracks").fetchone()[0])

    @_guarded
    def count(self, viewer: str | None = None) -> int:
        """How many tracks `viewer` sees (None: all of them)."""
        where, params = _visible(viewer)
        return int(self._conn.execute(f"SELECT COUNT(*) FROM tracks WHERE {where}", params).fetchone()[0])

    @_guarded
    def list(self, genre: str | None = None, viewer: str | None = None) -> list[Track]:
        """The tracks `viewer` sees (None: all; a name: the shared ones and theirs), optionally one genre's,
        in the order they were added."""
        where, params = _visible(viewer)
        if genre:
            where, params = f"{where} AND genre=?", (*params, genre)
        with self._lock:
            rows = self._conn.execute(f"SELECT {_TRACK_COLUMNS} FROM tracks WHERE {where} ORDER BY rowid",
                                      params).fetchall()
        return [_track(r) for r in rows]

    @_guarded
    def get(self, track_id: str, viewer: str | None = None) -> Track:
        where, params = _visible(viewer)
        with self._lock:
            row = self._conn.execute(f"SELECT {_TRACK_COLUMNS} FROM tracks WHERE id=? AND {where}",
                                     (track_id, *params)).fetchone()
        if row is None:
            raise TastemakerError(f"No track with id '{track_id}' in the library. `tastemaker library list` shows the ids.")
        return _track(row)

    @_guarded
    def has_id(self, track_id: str) -> bool:
        return self._conn.execute("SELECT 1 FROM tracks WHERE id=?", (track_id,)).fetchone() is not None

    @_guarded
    def id_for_hash(self, content_hash: str, owner: str = SHARED) -> str | None:
        """The id of the track with this content that `owner` already has (theirs or shared)."""
        row = self._conn.execute("SELECT id FROM tracks WHERE content_hash=? AND owner IN ('', ?) ORDER BY owner",
                                 (content_hash, owner)).fetchone()
        return row[0] if row else None

    @_guarded
    def tracks_by_rowid(self, rowids: Iterable[int]) -> dict[int, Track]:
        ids = [int(r) for r in rowids]
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self._conn.execute(f"SELECT {_TRACK_COLUMNS} FROM tracks WHERE rowid IN ({marks})", ids).fetchall()
        return {int(r[0]): _track(r) for r in rows}

    @_guarded
    def rowids_for_genre(self, genre: str) -> np.ndarray:
        rows = self._conn.execute("SELECT rowid FROM tracks WHERE genre=?", (genre,)).fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64)

    @_guarded
    def searchable_rowids(self, genre: str | None = None, viewer: str | None = None) -> np.ndarray | None:
        """Row ids a search may return (a genre's, those `viewer` sees), or None when every row may be returned."""
        clauses, params = [], []
        if genre:
            clauses.append("genre=?")
            params.append(genre)
        if viewer is not None and self._conn.execute(
                "SELECT 1 FROM tracks WHERE owner NOT IN ('', ?) LIMIT 1", (viewer,)).fetchone():
            clauses.append("owner IN ('', ?)")
            params.append(viewer)
        if not clauses:
            return None
        rows = self._conn.execute(f"SELECT rowid FROM tracks WHERE {' AND '.join(clauses)}", params).fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64)

    @_guarded
    def genres(self) -> dict[str, int]:
        rows = self._conn.execute("SELECT genre, COUNT(*) FROM tracks GROUP BY genre ORDER BY 2 DESC").fetchall()
        return {g: int(n) for g, n in rows}

    @_guarded
    def vectors(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """(row ids, unit vectors) of every track for 'text' or 'audio'."""
        column = {"text": "text_vec", "audio": "audio_vec"}[kind]
        with self._lock:
            rows = self._conn.execute(f"SELECT rowid, {column} FROM tracks ORDER BY rowid").fetchall()
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), KINDS[kind])
        return ids, vecs

    # ---- writing ---------------------------------------------------------------------------------------------
    def add_paths(self, paths: list, progress: bool = True, owner: str = SHARED) -> IngestReport:
        """Add audio files and folders (recursive) for `owner` ('' = shared). Duplicates and unreadable files
        are reported, not fatal."""
        from tools.library.ingest import IngestReport, Source, expand_paths, ingest

        files, problems = expand_paths(list(paths))
        report = ingest(self, [Source(path=f) for f in files], progress=progress, owner=owner) if files \
            else IngestReport()
        report.failed[:0] = problems
        return report

    def add_manifest(self, manifest: str | Path, progress: bool = True, owner: str = SHARED) -> IngestReport:
        """Add the tracks a CSV/JSON manifest lists (see tools.library.ingest.read_manifest)."""
        from tools.library.ingest import ingest, read_manifest

        return ingest(self, read_manifest(manifest), progress=progress, owner=owner)

    @_guarded
    def insert(self, items: list[NewTrack], owner: str = SHARED) -> Written:
        """Write a batch for `owner` in one transaction, then bring the indexes up to date.

        Inside the transaction (which holds SQLite's write lock) each item is checked against what is
        stored now, so content that another process stored meanwhile is a duplicate, not an error, and
        an id another process took is replaced by a free one (or refused, for a given id).
        """
        written = Written()
        if not items:
            return written
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                old = self.version()
                rowids, stored = [], []
                now = time.time()
                for it in items:
                    existing = self.id_for_hash(it.content_hash, owner)
                    if existing:
                        written.duplicates.append((it, existing))
                        continue
                    track_id = self._free_id(it)
                    if track_id is None:
                        written.refused.append((it, f"the id '{it.id}' is already used by another track; choose another."))
                        continue
                    cur = self._conn.execute(
                        "INSERT INTO tracks (id, owner, title, artist, description, audio_path, midi_path, "
                        "source_path, content_hash, duration, tags, raw_tags, genre, predicted_genre, extra, added_at, "
                        "text_vec, audio_vec) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (track_id, owner, it.title, it.artist, it.description, it.audio_path, it.midi_path,
                         it.source_path, it.content_hash, float(it.duration), json.dumps(it.tags),
                         json.dumps(it.raw_tags), it.genre, it.predicted_genre, json.dumps(it.extra), now,
                         _blob(it.text_vec), _blob(it.audio_vec)),
                    )
                    rowids.append(cur.lastrowid)
                    stored.append(it)
                if rowids:
                    self._set_version(old + 1)
                self._conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
            if not rowids:
                return written
            ids = np.array(rowids, dtype=np.int64)
            vectors = {
                "text": np.stack([normalise_rows(it.text_vec)[0] for it in stored]),
                "audio": np.stack([normalise_rows(it.audio_vec)[0] for it in stored]),
            }
            for kind in KINDS:
                self._update_index(kind, old, old + 1, ids, vectors[kind])
            by_rowid = self.tracks_by_rowid(rowids)
            written.added = [by_rowid[r] for r in rowids]
            return written

    def _free_id(self, item: NewTrack) -> str | None:
        """The item's id if free; else (for a made-up id) the first free variant; None for a given id that is taken."""
        if not self.has_id(item.id):
            return item.id
        if item.fixed_id:
            return None
        candidates = [f"{item.id}-{item.content_hash[6:12]}"] + [f"{item.id}-{n}" for n in range(2, 10_000)]
        return next(c for c in candidates if not self.has_id(c))

    @_guarded
    def remove(self, track_id: str, viewer: str | None = None) -> Track:
        """Delete one track (its rendered files under the data folder too) and rebuild the indexes.

        With a `viewer`, only that person's own tracks can be removed (not the shared ones)."""
        with self._lock:
            track = self.get(track_id, viewer)
            if viewer is not None and track.extra.get("owner") != viewer:
                raise TastemakerError(f"'{track_id}' is in the shared library; you can remove only tracks you added.")
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute("DELETE FROM tracks WHERE id=?", (track_id,))
                self._set_version(self.version() + 1)
                self._conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
            for path in (track.audio_path, track.midi_path):
                # only files the library made itself; a user's own recordings are never deleted
                if path and Path(path).resolve().is_relative_to(self.files_dir.resolve()) \
                        and not self._conn.execute("SELECT 1 FROM tracks WHERE audio_path=? OR midi_path=?",
                                                   (path, path)).fetchone():
                    Path(path).unlink(missing_ok=True)
            self.rebuild()
            return track

    @_guarded
    def rebuild(self) -> None:
        """Rebuild both FAISS indexes from the database and save them."""
        with self._lock:
            for kind in KINDS:
                self._build_index(kind)

    def _set_version(self, version: int) -> None:
        self._conn.execute("INSERT OR REPLACE INTO library_meta(key, value) VALUES ('version', ?)", (str(version),))

    # ---- indexes ---------------------------------------------------------------------------------------------
    def index_path(self, kind: str) -> Path:
        return self.index_dir / f"{kind}.faiss"

    @_guarded
    def index(self, kind: str) -> VectorIndex:
        """The index for 'text' or 'audio' at the database's current version (loaded or rebuilt)."""
        with self._lock:
            version = self.version()
            current = self._indexes.get(kind)
            if current is not None and current.version == version:
                return current
            loaded = self._load_index(kind)
            if loaded is not None and loaded.version == version:
                self._indexes[kind] = loaded
                return loaded
            return self._build_index(kind)

    def _load_index(self, kind: str) -> VectorIndex | None:
        """The saved index (None if missing or from an older format); a damaged one is noted and ignored."""
        try:
            return VectorIndex.load(self.index_path(kind), holds=kind, dim=KINDS[kind])
        except IndexDamagedError as exc:
            notice = (f"The {kind} search index was damaged ({exc.reason}) and has been rebuilt from the database. "
                      "If this happens again, check the disk and run `tastemaker library repair`.")
            log.warning(notice)
            self.notices.append(notice)
            return None

    def _build_index(self, kind: str) -> VectorIndex:
        # One read transaction: the vectors and the version stamped on them come from the same snapshot,
        # even while another process commits.
        self._conn.execute("BEGIN")
        try:
            version = self.version()
            ids, vecs = self.vectors(kind)
        finally:
            self._conn.execute("COMMIT")
        built = VectorIndex.build(ids, vecs, KINDS[kind], version, holds=kind)
        self._save_index(kind, built)
        return built

    def _save_index(self, kind: str, index: VectorIndex) -> None:
        """Save (a cache: a failed save, e.g. on a full disk, is noted; the index is rebuilt on next use)."""
        self._indexes[kind] = index
        try:
            index.save(self.index_path(kind))
        except StorageError as exc:
            notice = f"The {kind} search index could not be saved ({exc.why}) It will be rebuilt when next used."
            log.warning(notice)
            self.notices.append(notice)

    def _update_index(self, kind: str, old_version: int, new_version: int, ids: np.ndarray,
                      vectors: np.ndarray) -> None:
        """After an insert: add to the index at `old_version` if there is one, else rebuild from the database."""
        current = self._indexes.get(kind)
        if current is None or current.version != old_version:
            current = self._load_index(kind)
        grows_past_flat = current is not None and current.kind == "flat" and current.count + len(ids) >= APPROX_THRESHOLD
        if current is None or current.version != old_version or grows_past_flat:
            self._build_index(kind)
            return
        current.add(ids, vectors)
        current.version = new_version
        self._save_index(kind, current)
