"""What the agent can do in a session, as plain functions over `Session` returning JSON-ready dicts.

agent.toolbox exposes these to the model as LangChain tools; tests and the
evaluation harness may call them directly. Each one calls the same tool
functions the CLI calls: the agent adds conversation, not capability.
"""

from __future__ import annotations

from typing import Any

from agent.session import AudioResult, GenreChart, Session
from tools.errors import TastemakerError


def _rounded(pairs: list[tuple[str, float]]) -> list[tuple[str, float]]:
    return [(label, round(float(p), 3)) for label, p in pairs]


def analyse_upload(session: Session, uid: str):
    """The upload's tags (tools.tagger.tag_full), computed once per upload."""
    from tools.tagger import tag_full

    upload = session.upload(uid)
    if upload.analysis is None:
        upload.analysis = tag_full(upload.clip)
    return upload.analysis


def describe_uploads(session: Session, upload_ids: list[str] | None = None) -> dict[str, Any]:
    """Genres, moods, instruments and raw tags of each upload, with a genre chart for the screen."""
    ids = list(upload_ids or session.uploads)
    if not ids:
        raise TastemakerError("No song has been uploaded yet. Attach an audio file (wav, flac, ogg or mp3) and ask again.")
    results = []
    for i, uid in enumerate(ids):
        upload = session.upload(uid)
        session.reporter.progress(f"tagging {upload.name} ({upload.duration:.0f} s)", i / len(ids))
        full = analyse_upload(session, uid)
        genres = _rounded(full.genres.top(5))
        session.outbox.append(GenreChart(title=f"{upload.name}: top genres", genres=genres))
        results.append({
            "upload_id": uid,
            "name": upload.name,
            "duration_s": round(upload.duration, 1),
            "genres": genres,
            "moods": _rounded(full.moods.top(3)),
            "instruments": _rounded(full.instruments.top(3)),
            "tags": _rounded(full.raw["msd"].top(5)) if "msd" in full.raw else [],
            "model": "musicnn MSD + MTT (pretrained)",
        })
    return {"uploads": results}


def _taste_analysis(session: Session, uid: str):
    """tools.taste's analysis of an upload (tags, tempo, key, energy), computed once per upload."""
    from tools.taste import analyse_clip

    upload = session.upload(uid)
    if upload.taste is None:
        upload.taste = analyse_clip(upload.clip)
    return upload.taste


def taste_profile(session: Session, text: str = "", upload_ids: list[str] | None = None) -> dict[str, Any]:
    """The person's taste from their uploads and words (words outrank clips), saved for next time."""
    from tools.taste import explain, load_profile, merge_text, profile_from_analyses, save_profile

    ids = list(upload_ids or session.uploads)
    if ids:
        analyses = []
        for i, uid in enumerate(ids):
            session.reporter.progress(f"listening to {session.upload(uid).name}", i / len(ids))
            analyses.append(_taste_analysis(session, uid))
        profile = profile_from_analyses(analyses)
    else:
        profile = session.profile or load_profile(session.user)
        if profile is None and not text.strip():
            raise TastemakerError(
                "I don't know your taste yet. Upload a few songs you love (or tell me what you like, e.g. "
                "'I like mellow jazz with piano') and ask again."
            )
        profile = profile or profile_from_analyses([])
    profile = merge_text(profile, text)
    session.profile = profile
    save_profile(session.user, profile)
    if profile.genres:
        session.outbox.append(GenreChart(title="Your taste: top genres", genres=list(profile.genres.items())[:5]))
    return {
        "explanation": explain(profile),
        "genres": profile.genres, "moods": profile.moods, "instruments": profile.instruments,
        "tempo": profile.tempo, "key": profile.key, "mode": profile.mode, "energy": profile.energy,
        "shared_genres": profile.shared, "from_clips": profile.clips, "avoid": profile.avoid,
    }


def record_feedback(session: Session, liked: bool, generation_id: str | None = None) -> dict[str, Any]:
    """Remember a like or dislike of a generated piece; the saved taste profile moves toward or away from it."""
    from tools.taste import apply_feedback, explain
    from tools.taste import record_feedback as store_feedback

    piece = session.piece(generation_id)
    piece.liked = bool(liked)
    stored = store_feedback(session.user, piece.generation, bool(liked))
    if session.profile is not None:
        session.profile = apply_feedback(session.profile, piece.generation, bool(liked))
    return {"generation_id": piece.id, "liked": bool(liked), "profile": explain(session.profile or stored)}


def _library():
    """The person's library; the built-in collection is rendered and indexed on first use (minutes, once)."""
    from tools.library import ensure_default_library, open_library

    lib = open_library()
    ensure_default_library(lib)
    return lib


def _tracks(session: Session, results: list) -> dict[str, Any]:
    found = []
    for r in results:
        t = r.track
        if t.audio_path:
            session.outbox.append(AudioResult(path=t.audio_path, title=f"{t.title} ({t.artist})".replace(" ()", ""),
                                              caption=f"library track {t.id}, {t.genre}; {r.why}"))
        found.append({"id": t.id, "title": t.title, "artist": t.artist, "genre": t.genre,
                      "score": round(float(r.score), 3), "why": r.why})
    session.last_search = [f["id"] for f in found]
    return {"tracks": found}


def search_library(session: Session, query: str, genre: str | None = None, k: int = 5) -> dict[str, Any]:
    """Library tracks whose words and tags match the query (tools.retrieve.search_text)."""
    from tools.retrieve import search_text

    session.reporter.progress("opening the library", 0.1)
    lib = _library()
    return _tracks(session, search_text(query, k=max(1, min(int(k), 20)), genre=genre, library=lib))


def find_similar(session: Session, upload_id: str | None = None, generation_id: str | None = None,
                 k: int = 5) -> dict[str, Any]:
    """Library tracks that sound like an upload or a generated piece (tools.retrieve.similar_to_clip)."""
    from tools.audio import load_clip
    from tools.retrieve import similar_to_clip

    if upload_id:
        clip = session.upload(upload_id).clip
    elif generation_id or session.pieces:
        clip = load_clip(session.piece(generation_id).generation.audio_path)
    else:
        raise TastemakerError("Similar to what? Attach a song, or make something first.")
    session.reporter.progress("opening the library", 0.1)
    lib = _library()
    return _tracks(session, similar_to_clip(clip, k=max(1, min(int(k), 20)), library=lib))
