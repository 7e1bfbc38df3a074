"""Find tracks in the library: by words (dense text retrieval) or by sound (audio-embedding similarity).

    from tools.retrieve import search_text, similar_to_clip, similar_to_file
    for r in search_text("string quartet by Beethoven", k=5, genre=None):
        print(r.track.title, r.score, r.why)
    similar_to_clip(clip, k=5, genre="rock")   # Clip from tools.audio

Both return `Result(track: Track, score: float, why: str)`, best first.
Without `library=`, the library in the data directory is opened and the
default library is built first if it never was (see tools.library.default).

Scores:
- text: cosine between the query and each track's text embedding (title,
  artist, description, tag words), plus a hybrid bonus of LABEL_WEIGHT x the
  track's tagger probability for each genre/mood/instrument the query names
  ("rock", "piano"), so words that the tagger heard count as well as words
  that were written down, plus NAME_WEIGHT when a query word is one of the
  track's artist/composer names (dense embeddings blur proper names:
  "Beethoven" alone would rank Schumann's quartets level with his);
- clip: cosine between musicnn audio embeddings, plus LABEL_WEIGHT x the
  cosine of the unified genre-probability vectors (the embedding alone also
  reflects recording texture; the genre vector keeps the style in view).
`genre=` restricts the search to that genre's partition of the library.
`viewer=` restricts it to what one person sees: the shared tracks and their own
(None, the default, searches every track).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from tools.contracts import Clip, Track
from tools.embeddings import embed_text
from tools.genres import ALL_LABELS, GENRES, INSTRUMENTS, MOODS, normalise, require_genre
from tools.library import Library, ensure_default_library, open_library

LABEL_WEIGHT = 0.25
NAME_WEIGHT = 0.15
CANDIDATES = 50  # nearest neighbours re-ranked by the hybrid score
_STOP = {
    "a", "an", "the", "by", "of", "and", "or", "in", "on", "for", "with", "to", "me", "some", "something", "like",
    "music", "song", "songs", "piece", "pieces", "track", "tracks", "play", "find", "want", "i", "my", "that", "is",
}


@dataclass
class Result:
    track: Track
    score: float
    why: str
    genre_similarity: float | None = None  # similar_to_clip: cosine of the clip's and the track's genre profiles

    def as_dict(self) -> dict:
        """The shape `tastemaker library search --json` prints."""
        t = self.track
        return {"id": t.id, "title": t.title, "artist": t.artist, "genre": t.genre, "score": round(self.score, 4),
                "path": t.audio_path, "why": self.why}


def _library(library: Library | None) -> Library:
    if library is not None:
        return library
    lib = open_library()
    ensure_default_library(lib)
    return lib


def _allowed(lib: Library, genre: str | None, viewer: str | None) -> np.ndarray | None:
    return lib.searchable_rowids(genre=require_genre(genre) if genre else None, viewer=viewer)


def query_labels(text: str) -> list[str]:
    """Unified genre/mood/instrument labels a query names, from single words and word pairs."""
    words = re.findall(r"[a-z0-9&'-]+", text.lower())
    found: list[str] = []
    for n in (2, 1):
        for i in range(len(words) - n + 1):
            label = normalise(" ".join(words[i : i + n]))
            if label and label in ALL_LABELS and label not in found:
                found.append(label)
    return found


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP and len(w) > 1}


def _why_text(query: str, track: Track, labels: list[str], cosine: float) -> str:
    written = f"{track.title} {track.artist} {track.description}".lower()
    matched = sorted(w for w in _content_words(query) if re.search(rf"\b{re.escape(w)}", written))
    parts = []
    if matched:
        parts.append("matched words: " + ", ".join(matched))
    heard = [f"{label} {track.tags[label]:.2f}" for label in labels if track.tags.get(label, 0.0) >= 0.1]
    if heard:
        parts.append("tagger hears: " + ", ".join(heard))
    parts.append(f"text similarity {cosine:.2f}")
    return "; ".join(parts)


def search_text(text: str, k: int = 5, genre: str | None = None, library: Library | None = None,
                viewer: str | None = None) -> list[Result]:
    """Tracks whose words (and tags) best match `text`, best first."""
    from tools.errors import TastemakerError

    if not text or not text.strip():
        raise TastemakerError("The search text is empty. Describe the music, e.g. 'string quartet by Beethoven'.")
    lib = _library(library)
    allowed = _allowed(lib, genre, viewer)
    hits = lib.index("text").search(embed_text(text), max(k, CANDIDATES), allowed)
    tracks = lib.tracks_by_rowid(r for r, _ in hits)
    labels = query_labels(text)
    words = {w for w in _content_words(text) if len(w) >= 3}
    results = []
    for rowid, cosine in hits:
        track = tracks[rowid]
        bonus = LABEL_WEIGHT * float(np.mean([track.tags.get(label, 0.0) for label in labels])) if labels else 0.0
        if words & _content_words(track.artist):
            bonus += NAME_WEIGHT
        results.append(Result(track, cosine + bonus, _why_text(text, track, labels, cosine)))
    results.sort(key=lambda r: -r.score)
    return results[:k]


def _genre_vector(tags: dict[str, float]) -> np.ndarray:
    v = np.array([tags.get(g, 0.0) for g in GENRES], dtype=np.float32)
    return v / max(float(np.linalg.norm(v)), 1e-9)


def _shared_labels(query: dict[str, float], track: dict[str, float], k: int = 4) -> list[str]:
    both = [(min(query.get(t, 0.0), p), t) for t, p in track.items() if t in GENRES or t in INSTRUMENTS or t in MOODS]
    return [t for s, t in sorted(both, reverse=True)[:k] if s >= 0.1]


def similar_to_clip(clip: Clip, k: int = 5, genre: str | None = None, library: Library | None = None,
                    viewer: str | None = None) -> list[Result]:
    """Tracks that sound most like `clip` (musicnn embedding + genre profile), best first."""
    from tools.tagger import tag_full

    lib = _library(library)
    full = tag_full(clip)
    query_tags = {**full.genres.probabilities, **full.instruments.probabilities, **full.moods.probabilities}
    allowed = _allowed(lib, genre, viewer)
    hits = lib.index("audio").search(full.embedding, max(k, CANDIDATES), allowed)
    tracks = lib.tracks_by_rowid(r for r, _ in hits)
    qg = _genre_vector(query_tags)
    results = []
    for rowid, cosine in hits:
        track = tracks[rowid]
        style = float(qg @ _genre_vector(track.tags))
        shared = _shared_labels(query_tags, track.tags)
        why = (f"sounds alike (audio similarity {cosine:.2f}, genre profile {style:.2f})"
               + (f"; both: {', '.join(shared)}" if shared else "") + f"; its genre: {track.genre}")
        results.append(Result(track, cosine + LABEL_WEIGHT * style, why, genre_similarity=style))
    results.sort(key=lambda r: -r.score)
    return results[:k]


def similar_to_file(path: str, k: int = 5, genre: str | None = None, library: Library | None = None,
                    viewer: str | None = None) -> list[Result]:
    """similar_to_clip for an audio file (read with tools.audio; the first two minutes are used)."""
    from tools.audio import load_clip

    return similar_to_clip(load_clip(path, sample_rate=16000, max_seconds=120.0), k=k, genre=genre, library=library,
                           viewer=viewer)
