"""The library's store: tracks in SQLite (the source of truth) plus the two FAISS indexes derived from it.

Each track row keeps its text and audio embeddings as float32 blobs, so the
FAISS index files are caches that can always be rebuilt from the database.
Every write runs in one SQLite transaction that also bumps `library_meta.version`;
an index file carries the version it was built from, and an index whose
version differs from the database's is rebuilt before it is used. So a build
killed at any point leaves a library that is consistent: the database has
either all of a batch or none of it, and a stale index is never searched.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import numpy as np

from tools.contracts import Track
from tools.embeddings import DIM as TEXT_DIM
from tools.errors import TastemakerError
from tools.library.index import APPROX_THRESHOLD, VectorIndex, normalise_rows
from tools.tagger import EMBEDDING_DIM as AUDIO_DIM

if TYPE_CHECKING:
    from tools.library.ingest import IngestReport

DB_NAME = "tastemaker.db"
KINDS = {"text": TEXT_DIM, "audio": AUDIO_DIM}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tracks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    artist TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    audio_path TEXT NOT NULL DEFAULT '',
    midi_path TEXT NOT NULL DEFAULT '',
    source_path TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL UNIQUE,
    duration REAL NOT NULL DEFAULT 0,
    tags TEXT NOT NULL DEFAULT '{}',
    raw_tags TEXT NOT NULL DEFAULT '{}',
    genre TEXT NOT NULL DEFAULT '',
    predicted_genre TEXT NOT NULL DEFAULT '',
    extra TEXT NOT NULL DEFAULT '{}',
    added_at REAL NOT NULL,
    text_vec BLOB NOT NULL,
    audio_vec BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS tracks_genre ON tracks(genre);
CREATE TABLE IF NOT EXISTS library_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_TRACK_COLUMNS = (
    "rowid, id, title, artist, description, audio_path, midi_path, source_path, content_hash, duration, "
    "tags, raw_tags, genre, predicted_genre, extra"
)


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


def _blob(vector: np.ndarray) -> bytes:
    return normalise_rows(vector)[0].tobytes()


def _track(row: tuple) -> Track:
    (_rowid, tid, title, artist, description, audio_path, midi_path, source_path, content_hash, duration,
     tags, raw_tags, genre, predicted_genre, extra) = row
    more = json.loads(extra)
    more.update({"predicted_genre": predicted_genre, "source_path": source_path, "raw_tags": json.loads(raw_tags)})
    return Track(
        id=tid, title=title, artist=artist, description=description, audio_path=audio_path,
        tags=json.loads(tags), genre=genre, duration=float(duration), midi_path=midi_path,
        content_hash=content_hash, extra=more,
    )


class Library:
    """The track library in one data directory. Open it with `tools.library.open_library()`."""

    def __init__(self, home: Path):
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.db_path = self.home / DB_NAME
        self.files_dir = self.home / "library"
        self.index_dir = self.files_dir / "index"
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(self.db_path, timeout=60, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        self._indexes: dict[str, VectorIndex] = {}

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- reading ---------------------------------------------------------------------------------------------
    def version(self) -> int:
        row = self._conn.execute("SELECT value FROM library_meta WHERE key='version'").fetchone()
        return int(row[0]) if row else 0

    def meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM library_meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO library_meta(key, value) VALUES (?, ?)", (key, value))

    def __len__(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM tracks").fetchone()[0])

    def list(self, genre: str | None = None) -> list[Track]:
        """All tracks (optionally one genre's), in the order they were added."""
        with self._lock:
            if genre:
                rows = self._conn.execute(
                    f"SELECT {_TRACK_COLUMNS} FROM tracks WHERE genre=? ORDER BY rowid", (genre,)
                ).fetchall()
            else:
                rows = self._conn.execute(f"SELECT {_TRACK_COLUMNS} FROM tracks ORDER BY rowid").fetchall()
        return [_track(r) for r in rows]

    def get(self, track_id: str) -> Track:
        with self._lock:
            row = self._conn.execute(f"SELECT {_TRACK_COLUMNS} FROM tracks WHERE id=?", (track_id,)).fetchone()
        if row is None:
            raise TastemakerError(f"No track with id '{track_id}' in the library. `tastemaker library list` shows the ids.")
        return _track(row)

    def has_id(self, track_id: str) -> bool:
        return self._conn.execute("SELECT 1 FROM tracks WHERE id=?", (track_id,)).fetchone() is not None

    def id_for_hash(self, content_hash: str) -> str | None:
        row = self._conn.execute("SELECT id FROM tracks WHERE content_hash=?", (content_hash,)).fetchone()
        return row[0] if row else None

    def tracks_by_rowid(self, rowids: Iterable[int]) -> dict[int, Track]:
        ids = [int(r) for r in rowids]
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self._conn.execute(f"SELECT {_TRACK_COLUMNS} FROM tracks WHERE rowid IN ({marks})", ids).fetchall()
        return {int(r[0]): _track(r) for r in rows}

    def rowids_for_genre(self, genre: str) -> np.ndarray:
        rows = self._conn.execute("SELECT rowid FROM tracks WHERE genre=?", (genre,)).fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64)

    def genres(self) -> dict[str, int]:
        rows = self._conn.execute("SELECT genre, COUNT(*) FROM tracks GROUP BY genre ORDER BY 2 DESC").fetchall()
        return {g: int(n) for g, n in rows}

    def vectors(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """(row ids, unit vectors) of every track for 'text' or 'audio'."""
        column = {"text": "text_vec", "audio": "audio_vec"}[kind]
        with self._lock:
            rows = self._conn.execute(f"SELECT rowid, {column} FROM tracks ORDER BY rowid").fetchall()
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), KINDS[kind])
        return ids, vecs

    # ---- writing ---------------------------------------------------------------------------------------------
    def add_paths(self, paths: list, progress: bool = True) -> IngestReport:
        """Add audio files and folders (recursive). Duplicates and unreadable files are reported, not fatal."""
        from tools.library.ingest import IngestReport, Source, expand_paths, ingest

        files, problems = expand_paths(list(paths))
        report = ingest(self, [Source(path=f) for f in files], progress=progress) if files else IngestReport()
        report.failed[:0] = problems
        return report

    def add_manifest(self, manifest: str | Path, progress: bool = True) -> IngestReport:
        """Add the tracks a CSV/JSON manifest lists (see tools.library.ingest.read_manifest)."""
        from tools.library.ingest import ingest, read_manifest

        return ingest(self, read_manifest(manifest), progress=progress)

    def insert(self, items: list[NewTrack]) -> list[Track]:
        """Write a batch in one transaction (all or nothing), then bring the indexes up to date."""
        if not items:
            return []
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                old = self.version()
                rowids = []
                now = time.time()
                for it in items:
                    cur = self._conn.execute(
                        "INSERT INTO tracks (id, title, artist, description, audio_path, midi_path, source_path, "
                        "content_hash, duration, tags, raw_tags, genre, predicted_genre, extra, added_at, text_vec, "
                        "audio_vec) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (it.id, it.title, it.artist, it.description, it.audio_path, it.midi_path, it.source_path,
                         it.content_hash, float(it.duration), json.dumps(it.tags), json.dumps(it.raw_tags), it.genre,
                         it.predicted_genre, json.dumps(it.extra), now, _blob(it.text_vec), _blob(it.audio_vec)),
                    )
                    rowids.append(cur.lastrowid)
                self._set_version(old + 1)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            ids = np.array(rowids, dtype=np.int64)
            vectors = {
                "text": np.stack([normalise_rows(it.text_vec)[0] for it in items]),
                "audio": np.stack([normalise_rows(it.audio_vec)[0] for it in items]),
            }
            for kind in KINDS:
                self._update_index(kind, old, ids, vectors[kind])
            by_rowid = self.tracks_by_rowid(rowids)
            return [by_rowid[r] for r in rowids]

    def remove(self, track_id: str) -> Track:
        """Delete one track (its rendered files under the data folder too) and rebuild the indexes."""
        with self._lock:
            track = self.get(track_id)
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute("DELETE FROM tracks WHERE id=?", (track_id,))
                self._set_version(self.version() + 1)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            for path in (track.audio_path, track.midi_path):
                # only files the library made itself; a user's own recordings are never deleted
                if path and Path(path).resolve().is_relative_to(self.files_dir.resolve()):
                    Path(path).unlink(missing_ok=True)
            self.rebuild()
            return track

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

    def index(self, kind: str) -> VectorIndex:
        """The index for 'text' or 'audio' at the database's current version (loaded or rebuilt)."""
        with self._lock:
            version = self.version()
            current = self._indexes.get(kind)
            if current is not None and current.version == version:
                return current
            loaded = VectorIndex.load(self.index_path(kind))
            if loaded is not None and loaded.version == version and loaded.dim == KINDS[kind]:
                self._indexes[kind] = loaded
                return loaded
            return self._build_index(kind)

    def _build_index(self, kind: str) -> VectorIndex:
        ids, vecs = self.vectors(kind)
        built = VectorIndex.build(ids, vecs, KINDS[kind], self.version())
        built.save(self.index_path(kind))
        self._indexes[kind] = built
        return built

    def _update_index(self, kind: str, old_version: int, ids: np.ndarray, vectors: np.ndarray) -> None:
        """After an insert: add to the index at `old_version` if there is one, else rebuild from the database."""
        current = self._indexes.get(kind)
        if current is None or current.version != old_version:
            current = VectorIndex.load(self.index_path(kind))
        new_version = self.version()
        grows_past_flat = current is not None and current.kind == "flat" and current.count + len(ids) >= APPROX_THRESHOLD
        if current is None or current.version != old_version or grows_past_flat:
            self._build_index(kind)
            return
        current.add(ids, vectors)
        current.version = new_version
        current.save(self.index_path(kind))
        self._indexes[kind] = current
