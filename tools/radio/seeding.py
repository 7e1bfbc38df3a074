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
    r"channel|playlist|mix|endless|non-?stop|nonstop|\d+(?:\.\d+)?\s*-?\s*(?:minutes?|mins?|hours?|h)|minutes?|long)\b",
    re.IGNORECASE,
)
GUESSED_WEIGHT = 0.5


def made_at(song: str) -> dict | None:
    """The tempo, key and mode a piece Tastemaker made was written at, from the record beside it in the
    generations folder (None for anything else). The audio's estimate can be far off: a 112 BPM piece was read
    as 208 BPM and a station of 205-214 BPM pieces followed it."""
    import json
    from pathlib import Path

    from tools.settings import get_settings

    path = Path(song).resolve()
    if (get_settings().audio_home / "generations").resolve() not in path.parents:
        return None  # an upload, a library track: only what the audio says
    try:
        arrangement = json.loads(path.with_suffix(".json").read_text(encoding="utf-8")).get("arrangement") or {}
    except (OSError, ValueError, AttributeError):
        return None
    tempo, key = arrangement.get("tempo"), str(arrangement.get("key") or "").split()
    if (not isinstance(tempo, (int, float)) or not 40 <= tempo <= 240 or len(key) != 2
            or not re.fullmatch(r"[A-G][#b]?", key[0]) or key[1] not in ("major", "minor")):
        return None  # not a record we wrote: the audio's estimate, as for any song
    return {"tempo": float(tempo), "key": key[0], "mode": key[1]}


def station_words(text: str) -> str:
    """The words that describe music, without those that ask for a station ('radio for running' -> 'for running';
    typos first read as meant, so 'strat a jaz staton' is 'jazz', not a station about 'start')."""
    from tools.language.spelling import correct

    return " ".join(_STATION_WORDS.sub(" ", correct(text or "")).split())


def named_genres(words: str) -> list[str]:
    """The genres the person's words name ('a jazz station' -> ['jazz']); not those only guessed from what the
    music is for or the sentence's meaning ('for a dinner party': its reason says '(no other genre named)')."""
    said = station_words(words)
    if not re.search(r"[a-z]{3,}", said.lower()):
        return []
    from tools.language import parse_text

    parsed = parse_text(said)
    return [g for g in parsed.style.genres if "(" not in parsed.reasons.get(g, "(")]


def seed_profile(words: str = "", user: str | None = None, song: str | None = None) -> TasteProfile:
    """The station's starting taste (an empty profile: a station that learns from scratch)."""
    from tools.taste import build_profile, load_profile, merge_text

    if song:
        from tools.audio import load_clip

        profile = build_profile([load_clip(song)])
        made = made_at(song)
        if made:  # our own piece: the tempo and key it was made at, not an estimate from its audio
            profile = replace(profile, **made)
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
