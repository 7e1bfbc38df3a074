"""Taste profiles and feedback, kept per user in the data directory's SQLite database.

A person's taste is made of three things they gave us, each kept as rows of its own: the songs
they uploaded (their analyses: tags, tempo, key, energy), the words they said about their taste,
and their likes and dislikes of pieces. The saved profile is rebuilt from those rows (songs
averaged, words laid over them, each rating nudging the genres by LEARNING_RATE), so it follows the
person from chat to chat and can be edited: remove one song, or reset everything.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from dataclasses import asdict, dataclass

from tools.contracts import Generation, TasteProfile
from tools.taste.analysis import ClipAnalysis
from tools.settings import get_settings

LEARNING_RATE = 0.15

_SCHEMA = """
CREATE TABLE IF NOT EXISTS taste_profiles (
    user TEXT PRIMARY KEY,
    profile TEXT NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS taste_songs (
    user TEXT NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    analysis TEXT NOT NULL,
    added REAL NOT NULL,
    PRIMARY KEY (user, key)
);
CREATE TABLE IF NOT EXISTS taste_words (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    text TEXT NOT NULL,
    added REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    audio_path TEXT NOT NULL,
    engine TEXT,
    prompt TEXT,
    liked INTEGER NOT NULL,
    genres TEXT,
    created REAL NOT NULL,
    strength REAL NOT NULL DEFAULT 1.0
);
"""


def _connect() -> sqlite3.Connection:
    home = get_settings().ensure_home()
    db = sqlite3.connect(str(home / "tastemaker.db"), timeout=30)
    db.executescript(_SCHEMA)
    if "strength" not in {row[1] for row in db.execute("PRAGMA table_info(feedback)")}:  # databases made before
        db.execute("ALTER TABLE feedback ADD COLUMN strength REAL NOT NULL DEFAULT 1.0")
    return db


def profile_to_dict(profile: TasteProfile) -> dict:
    return asdict(profile)


def profile_from_dict(data: dict) -> TasteProfile:
    known = TasteProfile.__dataclass_fields__
    return TasteProfile(**{k: v for k, v in data.items() if k in known})


def save_profile(user: str, profile: TasteProfile) -> None:
    with closing(_connect()) as db, db:  # `with db`: one transaction, committed or rolled back
        db.execute(
            "INSERT INTO taste_profiles(user, profile, updated) VALUES (?, ?, ?) "
            "ON CONFLICT(user) DO UPDATE SET profile = excluded.profile, updated = excluded.updated",
            (user, json.dumps(profile_to_dict(profile)), time.time()),
        )


def load_profile(user: str) -> TasteProfile | None:
    with closing(_connect()) as db:
        row = db.execute("SELECT profile FROM taste_profiles WHERE user = ?", (user,)).fetchone()
    return profile_from_dict(json.loads(row[0])) if row else None


def _generation_genres(generation: Generation) -> dict[str, float]:
    if generation.tags is not None and generation.tags.probabilities:
        return dict(generation.tags.probabilities)
    if generation.style is not None:
        return dict(generation.style.genres)
    return {}


def apply_feedback(profile: TasteProfile, generation: Generation, liked: bool, strength: float = 1.0) -> TasteProfile:
    """A new profile nudged toward (liked) or away from (disliked) the result's genres; `strength` scales the
    nudge (a radio skip is a mild dislike)."""
    return _nudge(profile, _generation_genres(generation), liked, strength)


def _nudge(profile: TasteProfile, heard: dict[str, float], liked: bool, strength: float = 1.0) -> TasteProfile:
    genres = dict(profile.genres)
    top = max(heard.values(), default=0.0) or 1.0
    sign = 1.0 if liked else -1.0
    for genre, p in sorted(heard.items(), key=lambda kv: -kv[1])[:3]:
        current = genres.get(genre, 0.0)
        updated = current + sign * strength * LEARNING_RATE * (p / top)
        genres[genre] = round(min(1.0, max(0.0, updated)), 3)
    genres = {g: w for g, w in sorted(genres.items(), key=lambda kv: -kv[1]) if w > 0.05}
    return TasteProfile(**{**asdict(profile), "genres": genres})


def record_feedback(user: str, generation: Generation, liked: bool, strength: float = 1.0) -> TasteProfile:
    """Store the rating and update the user's saved profile in one transaction."""
    with closing(_connect()) as db, db:
        db.execute(
            "INSERT INTO feedback(user, audio_path, engine, prompt, liked, genres, created, strength) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (user, generation.audio_path, generation.engine, generation.prompt, int(liked),
             json.dumps(_generation_genres(generation)), time.time(), float(strength)),
        )
        made_of_rows = db.execute("SELECT 1 FROM taste_songs WHERE user = ? UNION SELECT 1 FROM taste_words "
                                  "WHERE user = ? LIMIT 1", (user, user)).fetchone()
        row = db.execute("SELECT profile FROM taste_profiles WHERE user = ?", (user,)).fetchone()
        if made_of_rows or row is None:
            return _rebuild(db, user)
        # A profile saved before songs and words were kept as rows: nudge it as it is, keep what it knew.
        updated = apply_feedback(profile_from_dict(json.loads(row[0])), generation, liked, strength)
        db.execute("UPDATE taste_profiles SET profile = ?, updated = ? WHERE user = ?",
                   (json.dumps(profile_to_dict(updated)), time.time(), user))
    return updated


def feedback_count(user: str) -> dict[str, int]:
    with closing(_connect()) as db:
        rows = db.execute("SELECT liked, COUNT(*) FROM feedback WHERE user = ? GROUP BY liked", (user,)).fetchall()
    counts = {"liked": 0, "disliked": 0}
    for liked, n in rows:
        counts["liked" if liked else "disliked"] = n
    return counts


# -- the songs and words a taste is made of ----------------------------------------------------------------


@dataclass(frozen=True)
class TasteSong:
    key: str
    name: str
    genres: list[tuple[str, float]]  # its top genres, for showing


def _analysis_to_json(analysis: ClipAnalysis) -> str:
    data = {f: getattr(analysis, f) for f in ClipAnalysis.__dataclass_fields__ if f != "embedding"}
    return json.dumps(data)


def _analysis_from_json(text: str) -> ClipAnalysis:
    import numpy as np

    data = json.loads(text)
    return ClipAnalysis(**data, embedding=np.zeros(0, dtype=np.float32))


def _rebuild(db: sqlite3.Connection, user: str) -> TasteProfile:
    """The profile from the person's songs, then their words, then their ratings, in the order given."""
    from tools.taste.profile import merge_text, profile_from_analyses

    songs = [_analysis_from_json(r[0]) for r in db.execute(
        "SELECT analysis FROM taste_songs WHERE user = ? ORDER BY added", (user,))]
    profile = profile_from_analyses(songs)
    for (text,) in db.execute("SELECT text FROM taste_words WHERE user = ? ORDER BY id", (user,)):
        profile = merge_text(profile, text)
    for liked, genres, strength in db.execute(
            "SELECT liked, genres, strength FROM feedback WHERE user = ? ORDER BY id", (user,)):
        profile = _nudge(profile, json.loads(genres or "{}"), bool(liked), strength)
    db.execute(
        "INSERT INTO taste_profiles(user, profile, updated) VALUES (?, ?, ?) "
        "ON CONFLICT(user) DO UPDATE SET profile = excluded.profile, updated = excluded.updated",
        (user, json.dumps(profile_to_dict(profile)), time.time()),
    )
    return profile


def remember_song(user: str, key: str, analysis: ClipAnalysis) -> TasteProfile:
    """A song the person gave us becomes part of their taste (once per song); returns the new profile."""
    with closing(_connect()) as db, db:
        db.execute("INSERT OR IGNORE INTO taste_songs(user, key, name, analysis, added) VALUES (?, ?, ?, ?, ?)",
                   (user, key, analysis.name, _analysis_to_json(analysis), time.time()))
        return _rebuild(db, user)


def remember_words(user: str, text: str) -> TasteProfile:
    """What the person said about their taste ('I love mellow jazz') is kept and laid over their songs."""
    with closing(_connect()) as db, db:
        if text.strip():
            db.execute("INSERT INTO taste_words(user, text, added) VALUES (?, ?, ?)", (user, text.strip(), time.time()))
        return _rebuild(db, user)


def forget_song(user: str, key: str) -> TasteProfile:
    """Take one song out of the person's taste; returns the rebuilt profile."""
    with closing(_connect()) as db, db:
        db.execute("DELETE FROM taste_songs WHERE user = ? AND key = ?", (user, key))
        return _rebuild(db, user)


def reset_taste(user: str) -> None:
    """Forget everything the person's taste was made of: songs, words, ratings and the profile."""
    with closing(_connect()) as db, db:
        for table in ("taste_songs", "taste_words", "feedback", "taste_profiles"):
            db.execute(f"DELETE FROM {table} WHERE user = ?", (user,))


def taste_songs(user: str) -> list[TasteSong]:
    with closing(_connect()) as db:
        rows = db.execute("SELECT key, name, analysis FROM taste_songs WHERE user = ? ORDER BY added",
                          (user,)).fetchall()
    songs = []
    for key, name, analysis in rows:
        genres = json.loads(analysis).get("genres", {})
        top = sorted(genres.items(), key=lambda kv: -kv[1])[:3]
        songs.append(TasteSong(key=key, name=name, genres=[(g, round(float(p), 3)) for g, p in top]))
    return songs
