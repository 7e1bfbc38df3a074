"""Where a station starts: the person's saved taste, their words, or a song.

Words outrank the saved taste (tools.taste.merge_text: "a jazz station" makes jazz the station's genre and
scales the saved genres down); a song replaces the saved taste with what the tagger hears in it. Words
about the station itself ("radio", "station", "play my") are dropped before parsing, and genres that
the parser only *guessed* from the sentence's meaning (no word named them: "for a dinner party" lands near
dance) start at half weight, so the first skips can move them.
"""

from __future__ import annotations

import re
from dataclasses import replace

from tools.contracts import TasteProfile

_STATION_WORDS = re.compile(
    r"\b(?:please|start|play|put on|begin|resume|make|me|my|your|own|a|an|the|some|radio|station|stream|"
    r"channel|playlist|mix|endless|\d+(?:\.\d+)?\s*-?\s*(?:minutes?|mins?|hours?|h)|minutes?|long)\b",
    re.IGNORECASE,
)
GUESSED_WEIGHT = 0.5


def station_words(text: str) -> str:
    """The words that describe music, without those that ask for a station ('radio for running' -> 'for running';
    typos first read as meant, so 'strat a jaz staton' is 'jazz', not a station about 'start')."""
    from tools.language.spelling import correct

    return " ".join(_STATION_WORDS.sub(" ", correct(text or "")).split())


def seed_profile(words: str = "", user: str | None = None, song: str | None = None) -> TasteProfile:
    """The station's starting taste (an empty profile: a station that learns from scratch)."""
    from tools.taste import build_profile, load_profile, merge_text

    if song:
        from tools.audio import load_clip

        profile = build_profile([load_clip(song)])
    else:
        profile = (load_profile(user) if user else None) or TasteProfile()
    said = station_words(words)
    if not said or not re.search(r"[a-z]{3,}", said.lower()):
        return profile
    from tools.language import parse_text

    parsed = parse_text(said)
    guessed = {g for g, why in parsed.reasons.items() if "similar" in why and g in parsed.style.genres}
    merged = merge_text(profile, said)
    genres = {g: round(w * GUESSED_WEIGHT, 3) if g in guessed and g not in profile.genres else w
              for g, w in merged.genres.items()}
    return replace(merged, genres=dict(sorted(genres.items(), key=lambda kv: -kv[1])))
