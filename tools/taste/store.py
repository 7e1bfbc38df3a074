"""Taste profiles and feedback, kept per user in the data directory's SQLite database.

Liked results pull the profile toward their genres, disliked ones push away
(LEARNING_RATE per rating); every rating is also kept as a row of its own.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from dataclasses import asdict

from tools.contracts import Generation, TasteProfile
from tools.settings import get_settings

LEARNING_RATE = 0.15

_SCHEMA = """
CREATE TABLE IF NOT EXISTS taste_profiles (
    user TEXT PRIMARY KEY,
    profile TEXT NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    audio_path TEXT NOT NULL,
    engine TEXT,
    prompt TEXT,
    liked INTEGER NOT NULL,
    genres TEXT,
    created REAL NOT NULL
);
"""


def _connect() -> sqlite3.Connection:
    home = get_settings().ensure_home()
    db = sqlite3.connect(str(home / "tastemaker.db"), timeout=30)
    db.executescript(_SCHEMA)
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
    genres = dict(profile.genres)
    heard = _generation_genres(generation)
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
        row = db.execute("SELECT profile FROM taste_profiles WHERE user = ?", (user,)).fetchone()
        profile = profile_from_dict(json.loads(row[0])) if row else TasteProfile()
        updated = apply_feedback(profile, generation, liked, strength)
        db.execute(
            "INSERT INTO feedback(user, audio_path, engine, prompt, liked, genres, created) VALUES (?,?,?,?,?,?,?)",
            (user, generation.audio_path, generation.engine, generation.prompt, int(liked),
             json.dumps(_generation_genres(generation)), time.time()),
        )
        db.execute(
            "INSERT INTO taste_profiles(user, profile, updated) VALUES (?, ?, ?) "
            "ON CONFLICT(user) DO UPDATE SET profile = excluded.profile, updated = excluded.updated",
            (user, json.dumps(profile_to_dict(updated)), time.time()),
        )
    return updated


def feedback_count(user: str) -> dict[str, int]:
    with closing(_connect()) as db:
        rows = db.execute("SELECT liked, COUNT(*) FROM feedback WHERE user = ? GROUP BY liked", (user,)).fetchall()
    counts = {"liked": 0, "disliked": 0}
    for liked, n in rows:
        counts["liked" if liked else "disliked"] = n
    return counts
