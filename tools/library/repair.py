"""`tastemaker library repair`: check the database, salvage a damaged one, rebuild the search indexes.

A healthy database (SQLite's integrity check says ok) keeps every row; only the
FAISS index files are rebuilt from it. A damaged one is moved aside as
`tastemaker.db.damaged-<time>` (with its -wal file, so nothing it holds is
lost), and a fresh database is filled with every row that can still be read,
table by table (tracks, taste profiles, studies...): a whole-table copy first,
then row by row around the damaged pages. The default library is marked for a
rebuild, so pieces that were lost come back on next use. Stop the chat app
before repairing: a process that still has the damaged file open keeps using it.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools.library.store import DB_NAME, Library

_GIVE_UP_AFTER = 10_000  # unreadable row ids in a row before the salvage of a table stops looking further


@dataclass
class RepairReport:
    healthy: bool
    backup: Path | None = None
    salvaged: dict[str, int] = field(default_factory=dict)  # table -> rows saved
    unreadable: dict[str, int] = field(default_factory=dict)  # table -> rows (or ranges) that could not be read
    lost_tables: list[str] = field(default_factory=list)
    tracks: int = 0

    def summary(self) -> str:
        if self.healthy:
            return f"The database is healthy. Rebuilt the search indexes over {self.tracks} tracks."
        saved = ", ".join(f"{n} {table}" for table, n in self.salvaged.items()) or "nothing"
        lines = [f"The database was damaged. Kept it as {self.backup.name} in the data directory; saved {saved}."]
        if any(self.unreadable.values()):
            lines.append("Could not read: " + ", ".join(f"{n} rows of {t}" for t, n in self.unreadable.items() if n)
                         + ".")
        if self.lost_tables:
            lines.append("Tables that could not be read at all: " + ", ".join(self.lost_tables) + ".")
        lines.append(f"Rebuilt the search indexes over {self.tracks} tracks; missing default-library pieces are "
                     "added again on next use.")
        return "\n".join(lines)


def integrity_problems(db_path: Path) -> list[str]:
    """SQLite's integrity check of the file ([] when healthy)."""
    try:
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=60)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        rows = [r[0] for r in db.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        db.close()
    return [] if rows == ["ok"] else rows


def repair_library(home: Path) -> RepairReport:
    """Check and salvage the SQLite file in `home`. With TASTEMAKER_DATABASE_URL the catalogue is PostgreSQL's to
    keep whole (its own write-ahead log and checks): this machine's search indexes are rebuilt from it."""
    db_path = Path(home) / DB_NAME
    if Library.shared_database() or not db_path.exists() or not integrity_problems(db_path):
        with Library(home) as lib:
            lib.rebuild()
            return RepairReport(healthy=True, tracks=len(lib))
    backup = db_path.with_name(f"{DB_NAME}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    for suffix in ("", "-wal", "-shm"):  # the -wal file holds committed rows that are not in the main file yet
        if Path(f"{db_path}{suffix}").exists():
            os.replace(f"{db_path}{suffix}", f"{backup}{suffix}")
    report = RepairReport(healthy=False, backup=backup)
    with Library(home) as lib:
        _salvage(backup, lib, report)
        lib._conn.execute("DELETE FROM library_meta WHERE key IN ('version', 'default_library')")
        lib._conn.execute("INSERT INTO library_meta(key, value) VALUES ('version', ?)", (str(int(time.time())),))
        lib.rebuild()
        report.tracks = len(lib)
    return report


def _salvage(source: Path, lib: Library, report: RepairReport) -> None:
    try:
        old = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        tables = old.execute("SELECT name, sql FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                             ).fetchall()
    except sqlite3.DatabaseError:
        report.lost_tables.append("all (the file's table list cannot be read)")
        return
    new = lib._conn
    for name, sql in tables:
        try:
            known = [r[1] for r in new.execute(f'PRAGMA table_info("{name}")')]
            if not known:
                new.execute(sql)
                known = [r[1] for r in new.execute(f'PRAGMA table_info("{name}")')]
            columns = [r[1] for r in old.execute(f'PRAGMA table_info("{name}")') if r[1] in known]
        except sqlite3.DatabaseError:
            report.lost_tables.append(name)
            continue
        report.salvaged[name], report.unreadable[name] = _copy_rows(old, new, name, columns)
    old.close()


def _copy_rows(old: sqlite3.Connection, new: sqlite3.Connection, table: str, columns: list[str]) -> tuple[int, int]:
    """Copy every readable row (keeping row ids, so FAISS ids stay the tracks' own); (saved, unreadable)."""
    names = ", ".join(f'"{c}"' for c in columns)
    insert = f'INSERT OR IGNORE INTO "{table}" (rowid, {names}) VALUES ({", ".join("?" * (len(columns) + 1))})'
    saved = unreadable = 0
    last = 0
    new.execute("BEGIN")
    try:
        try:  # the whole table in order, as far as it can be read
            for row in old.execute(f'SELECT rowid, {names} FROM "{table}" ORDER BY rowid'):
                saved += new.execute(insert, row).rowcount
                last = row[0]
            return saved, 0
        except sqlite3.DatabaseError:
            pass
        try:  # then row by row past the damage
            high = old.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()[0] or last
        except sqlite3.DatabaseError:
            high = None
        rowid, misses = last + 1, 0
        while (high is None and misses < _GIVE_UP_AFTER) or (high is not None and rowid <= high):
            try:
                row = old.execute(f'SELECT rowid, {names} FROM "{table}" WHERE rowid=?', (rowid,)).fetchone()
            except sqlite3.DatabaseError:
                row, unreadable = None, unreadable + 1
            if row is None:
                misses += 1
            else:
                misses = 0
                saved += new.execute(insert, row).rowcount
            rowid += 1
        return saved, unreadable
    finally:
        new.execute("COMMIT")
