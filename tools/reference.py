"""Retrieval-augmented generation: pick the library piece that a "like this" request should borrow from.

Clips: the track most similar across all the clips (summed similarity scores).
Words only: the best text match. The chosen Track's MIDI conditions the sketch
engine (motifs, progression, tempo, key) and its audio conditions MusicGen
(continuation, or melody with the melody models).
"""

from __future__ import annotations

from tools.contracts import Clip, Track


def choose_reference(clips: list[Clip], text: str = "", k: int = 5, library=None) -> Track | None:
    """The library Track to borrow from, or None (`library`: a tools.library.Library; default: the user's)."""
    from tools.retrieve import search_text, similar_to_clip

    if clips:
        totals: dict[str, float] = {}
        tracks: dict[str, Track] = {}
        for clip in clips:
            for r in similar_to_clip(clip, k=k, library=library):
                totals[r.track.id] = totals.get(r.track.id, 0.0) + r.score
                tracks[r.track.id] = r.track
        if not totals:
            return None
        return tracks[max(totals, key=totals.get)]
    if text.strip():
        results = search_text(text, k=1, library=library)
        return results[0].track if results else None
    return None
