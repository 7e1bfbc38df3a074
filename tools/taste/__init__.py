"""Taste profiles: from clips and words, explained, stored per user, updated by feedback."""

from tools.taste.analysis import ClipAnalysis, analyse_clip, estimate_key, estimate_tempo
from tools.taste.profile import build_profile, explain, merge_text, profile_from_analyses
from tools.taste.store import (
    TasteSong,
    apply_feedback,
    feedback_count,
    forget_song,
    liked_genres,
    load_profile,
    record_feedback,
    remember_song,
    remember_words,
    reset_taste,
    save_profile,
    taste_songs,
)

__all__ = [
    "ClipAnalysis", "analyse_clip", "estimate_key", "estimate_tempo", "build_profile", "explain", "merge_text",
    "profile_from_analyses", "apply_feedback", "feedback_count", "load_profile", "record_feedback", "save_profile",
    "TasteSong", "forget_song", "liked_genres", "remember_song", "remember_words", "reset_taste", "taste_songs",
]
