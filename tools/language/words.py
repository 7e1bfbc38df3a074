"""The words the language layer knows: vocabulary labels, their other names, playable instruments.

Everything here is a table, so a new word is a new row. The unified vocabulary (tools.genres) is the source of
labels; this module adds the everyday forms people type ('jazzy', 'sax', 'bluesy') and the chat shorthand
('u', 'plz', 'gimme') that would otherwise stop a parser.
"""

from __future__ import annotations

import functools
import re

from tools.genres import ALL_LABELS, SYNONYMS

# Adjectives and other everyday names for labels (tools.genres.SYNONYMS has the rest).
MORE_NAMES: dict[str, str] = {
    "jazzy": "jazz", "jazzier": "jazz", "bluesy": "blues", "bluesier": "blues", "funky": "funk", "funkier": "funk",
    "folky": "folk", "folksy": "folk", "poppy": "pop", "soulful": "soul", "rocky": "rock", "rocking": "rock",
    "punky": "punk", "metallic": "metal", "techy": "techno", "housey": "house", "ambience": "ambient",
    "atmospheric": "ambient", "chillout": "chillout", "lofi": "chillout", "orchestra": "strings",
    "sad": "sad", "sadder": "sad", "happier": "happy", "darker": "dark", "calmer": "calm", "mellower": "mellow",
    "sleep": "calm", "sleeping": "calm", "sleepy": "calm", "peaceful": "calm", "soothing": "calm", "quiet": "calm",
    "energetic": "energetic", "upbeat": "energetic", "lively": "energetic",
    "drumkit": "drums", "drum kit": "drums", "vox": "vocals", "vocalist": "vocals", "sung": "vocals",
    "rapping": "hip-hop", "rapped": "hip-hop", "guitarist": "guitar", "pianist": "piano", "acoustic guitar": "acoustic guitar",
    "electric guitar": "guitar", "electric bass": "bass",  # 'electric' here is the instrument's, not electronic music
}
# Everyday words about music that are neither labels nor in the text model's word list: known, so that typo
# correction leaves them alone ('groovy' is not a typo of 'gloomy'); their meaning is matched like any word's.
DESCRIPTIVE_WORDS = frozenset({"groovy", "funkadelic", "bassy", "synthy", "twangy", "jangly", "crunchy", "glitchy"})

# Chat shorthand -> words, applied to whole tokens before anything else reads the text.
SHORTHAND: dict[str, str] = {
    "u": "you", "ur": "your", "r": "are", "n": "and", "plz": "please", "pls": "please", "thx": "thanks",
    "gimme": "give me", "wanna": "want to", "gonna": "going to", "sth": "something", "smth": "something",
    "sumthin": "something", "somethin": "something", "nuthin": "nothing", "cuz": "because", "abt": "about",
    "w/": "with", "w/o": "without", "wit": "with", "dis": "this", "dat": "that", "wat": "what", "wut": "what",
    "wy": "why", "y": "why", "les": "less", "ad": "add", "da": "the", "tha": "the", "ya": "you", "im": "i'm",
    "dont": "don't", "cant": "can't", "whats": "what's", "thats": "that's", "its": "it's", "ok": "okay",
    "k": "okay", "lil": "little", "tho": "though", "bc": "because",
}


@functools.lru_cache(maxsize=1)
def instruments() -> frozenset[str]:
    """Instrument names the arranger can play (General MIDI names), beyond the vocabulary's labels."""
    try:
        from tools.generate.sketch.styles import GM_PROGRAMS
    except ImportError:  # generation not installed: the vocabulary's instruments are still understood
        return frozenset()
    return frozenset(GM_PROGRAMS)


def label_of(phrase: str) -> tuple[str, str] | None:
    """(label, kind) for a phrase people use for a label or a playable instrument; kind is genre, mood or
    instrument. 'Hip Hop' -> ('hip-hop', 'genre'), 'sax' -> ('sax', 'instrument')."""
    w = " ".join(phrase.strip().lower().replace("_", " ").split())
    w = re.sub(r"-?ish$", "", w) if len(w) > 6 else w  # 'jazz-ish', 'rockish'
    for candidate in (w, w[:-1] if w.endswith("s") else None, w[:-2] if w.endswith("es") else None):
        if not candidate:
            continue
        if candidate in ALL_LABELS:
            return candidate, ALL_LABELS[candidate]
        label = MORE_NAMES.get(candidate) or SYNONYMS.get(candidate)
        if label and label in ALL_LABELS:
            return label, ALL_LABELS[label]
        if candidate in instruments():
            return candidate, "instrument"
    return None


@functools.lru_cache(maxsize=1)
def label_words() -> frozenset[str]:
    """Every single word that names a label or an instrument (what typo correction may correct toward)."""
    words: set[str] = set(DESCRIPTIVE_WORDS)
    for phrase in [*ALL_LABELS, *SYNONYMS, *MORE_NAMES, *instruments()]:
        words.update(w for w in re.split(r"[\s]+", phrase) if len(w) > 2)
    return frozenset(words)
