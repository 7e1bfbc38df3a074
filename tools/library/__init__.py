"""The music library: tracks in SQLite, FAISS indexes over their text and audio embeddings.

Public API (everything lives in the data directory, `get_settings().home`):

    from tools.library import open_library, ensure_default_library

    lib = open_library()                      # Library at TASTEMAKER_HOME (created if new)
    report = lib.add_paths(["~/Music/x.flac", "some/folder"])   # IngestReport(added, duplicates, failed)
    report = lib.add_manifest("collection.csv")                 # columns: path, id, title, artist, description...
    lib.list(genre=None) -> list[Track];  lib.get(id) -> Track;  lib.remove(id) -> Track;  lib.rebuild()
    ensure_default_library(lib, progress=True)  # renders + indexes the built-in music21 collection once
    tools.library.repair.repair_library(home)   # salvage a damaged database, rebuild the indexes

Per person: `add_paths(..., owner="alice")` adds her own tracks ('' = the shared library, the default);
`list(viewer="alice")`, `get(id, viewer=)`, `remove(id, viewer=)` and tools.retrieve's `viewer=` see the
shared tracks plus hers (viewer None, the default: every track). `Track.extra["owner"]` says whose a track is.
Whole-library problems are `LibraryError`s (a damaged database: `LibraryDamagedError`, naming the repair).

Search with tools.retrieve (`search_text`, `similar_to_clip`). A Track's `genre` is the unified
genre used for the genre partition (the genre a file or manifest declares, if it is one we know, else
the tagger's top genre); `extra["predicted_genre"]` is always the tagger's. Its `tags` are the unified
genre/instrument/mood probabilities; `midi_path` is set for pieces that have a score (the default library).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.library.default import ensure_default_library
    from tools.library.ingest import IngestReport, Source
    from tools.library.store import Library

__all__ = ["IngestReport", "Library", "Source", "ensure_default_library", "open_library"]

# Imported on first use, so that rendering workers (tools.library.scores) need not load torch.
_LAZY = {
    "ensure_default_library": "tools.library.default",
    "IngestReport": "tools.library.ingest",
    "Source": "tools.library.ingest",
    "Library": "tools.library.store",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tools.library' has no attribute {name!r}")


def open_library(home=None) -> Library:
    """The library in `home` (default: the settings' data directory)."""
    from tools.library.store import Library
    from tools.settings import get_settings

    return Library(home or get_settings().ensure_home())
