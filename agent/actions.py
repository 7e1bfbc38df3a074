"""What the agent can do in a session, as plain functions over `Session` returning JSON-ready dicts.

agent.toolbox exposes these to the model as LangChain tools; tests and the
evaluation harness may call them directly. Each one calls the same tool
functions the CLI calls: the agent adds conversation, not capability.
"""

from __future__ import annotations

from typing import Any

from agent.session import GenreChart, Session
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
