"""Retrieval-augmented generation: pick the library piece that a "like this" request should borrow from.

Clips: the track most similar across all the clips (summed similarity scores), among tracks whose
genre profile is close to the clip's (cosine >= MIN_GENRE_SIMILARITY). Without that floor a metal
clip borrowed a Beethoven quartet from a library of classical and folk pieces: the nearest piece, but
not one to take a progression, tempo and key from. Then nothing is borrowed.
Words only: the best text match. The chosen Track's MIDI conditions the sketch
engine (motifs, progression, tempo, key) and its audio conditions MusicGen
(continuation, or melody with the melody models).
"""

from __future__ import annotations

from tools.contracts import Clip, Track

# Measured on the default library: true matches (strings -> quartets, orchestral -> classical, jazz piano
# -> folk tunes) have genre-profile cosines 0.74-1.0; metal and electronic-rock clips against it 0.27-0.53.
MIN_GENRE_SIMILARITY = 0.6


def choose_reference(clips: list[Clip], text: str = "", k: int = 5, library=None) -> Track | None:
    """The library Track to borrow from, or None (`library`: a tools.library.Library; default: the user's)."""
    from tools.retrieve import search_text, similar_to_clip

    if clips:
        totals: dict[str, float] = {}
        tracks: dict[str, Track] = {}
        for clip in clips:
            for r in similar_to_clip(clip, k=k, library=library):
                if r.genre_similarity is not None and r.genre_similarity < MIN_GENRE_SIMILARITY:
                    continue
                totals[r.track.id] = totals.get(r.track.id, 0.0) + r.score
                tracks[r.track.id] = r.track
        if not totals:
            return None
        return tracks[max(totals, key=totals.get)]
    if text.strip():
        results = search_text(text, k=1, library=library)
        return results[0].track if results else None
    return None
