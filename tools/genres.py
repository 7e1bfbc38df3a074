"""The unified vocabulary: one set of lowercase genre, mood and instrument names.

The rest of the product speaks these names. Each label lists its source tags
in the two pretrained taggers (MSD: Million Song Dataset, MTT: MagnaTagATune).

How a label's probability is computed from a tagger's 50 tag probabilities:
  1. per model, the label's probability is the MAX over its source tags in that
     model (a track tagged 'hard rock' at 0.6 is rock at least 0.6);
  2. with both models, the label's probability is the MEAN over the models that
     have at least one source tag for it (a label only one model knows takes
     that model's value, instead of being diluted by a model that cannot see it).
"""

from __future__ import annotations

from difflib import get_close_matches

from tools.errors import UnknownLabelError

# label -> {model: [source tags]}
GENRES: dict[str, dict[str, list[str]]] = {
    "rock": {"msd": ["rock", "alternative rock", "classic rock", "indie rock", "hard rock", "Progressive rock"], "mtt": ["rock"]},
    "metal": {"msd": ["metal", "heavy metal"], "mtt": ["metal"]},
    "punk": {"msd": ["punk"]},
    "pop": {"msd": ["pop", "indie pop"], "mtt": ["pop"]},
    "indie": {"msd": ["indie", "indie rock", "indie pop", "alternative"]},
    "electronic": {"msd": ["electronic", "electronica", "electro"], "mtt": ["electronic", "techno"]},
    "dance": {"msd": ["dance", "House"], "mtt": ["dance"]},
    "house": {"msd": ["House"]},
    "techno": {"mtt": ["techno"]},
    "ambient": {"msd": ["ambient"], "mtt": ["ambient"]},
    "chillout": {"msd": ["chillout", "chill"]},
    "jazz": {"msd": ["jazz"]},
    "blues": {"msd": ["blues"]},
    "soul": {"msd": ["soul"]},
    "rnb": {"msd": ["rnb"]},
    "funk": {"msd": ["funk"]},
    "hip-hop": {"msd": ["Hip-Hop"]},
    "folk": {"msd": ["folk"]},
    "country": {"msd": ["country"], "mtt": ["country"]},
    "classical": {"mtt": ["classical", "classic", "harpsichord", "opera"]},
    "new age": {"mtt": ["new age"]},
    "experimental": {"msd": ["experimental"], "mtt": ["weird"]},
    "easy listening": {"msd": ["easy listening", "oldies"]},
    "opera": {"mtt": ["opera"]},
    "world": {"mtt": ["indian", "sitar"]},
}

# A broader genre heard with a narrower one it contains is not a mismatch: house *is* electronic dance music
# (the MSD tagger puts 'electronic' above 'House' on nearly every house track), metal and punk are rock.
BROADER: dict[str, tuple[str, ...]] = {
    "house": ("electronic", "dance"), "techno": ("electronic", "dance"), "metal": ("rock",), "punk": ("rock",),
}

MOODS: dict[str, dict[str, list[str]]] = {
    "happy": {"msd": ["happy"]},
    "sad": {"msd": ["sad"]},
    "mellow": {"msd": ["Mellow", "chill", "easy listening"], "mtt": ["soft"]},
    "party": {"msd": ["party"], "mtt": ["dance"]},
    "beautiful": {"msd": ["beautiful"]},
    "sexy": {"msd": ["sexy"]},
    "catchy": {"msd": ["catchy"]},
    "energetic": {"mtt": ["fast", "loud"]},
    "calm": {"mtt": ["quiet", "soft", "slow"]},
    "dark": {"mtt": ["weird"], "msd": ["experimental"]},
}

INSTRUMENTS: dict[str, dict[str, list[str]]] = {
    "guitar": {"msd": ["guitar"], "mtt": ["guitar"]},
    "piano": {"mtt": ["piano"]},
    "strings": {"mtt": ["strings", "violin", "cello", "harp"]},
    "violin": {"mtt": ["violin"]},
    "cello": {"mtt": ["cello"]},
    "harp": {"mtt": ["harp"]},
    "harpsichord": {"mtt": ["harpsichord"]},
    "flute": {"mtt": ["flute"]},
    "sitar": {"mtt": ["sitar"]},
    "drums": {"mtt": ["drums", "beat", "beats"]},
    "synth": {"mtt": ["synth"]},
    "vocals": {
        "msd": ["female vocalists", "male vocalists", "female vocalist"],
        "mtt": ["vocal", "vocals", "singing", "voice", "male vocal", "female vocal", "male voice", "female voice"],
    },
    "female vocals": {"msd": ["female vocalists", "female vocalist"], "mtt": ["female", "woman", "female vocal", "female voice"]},
    "male vocals": {"msd": ["male vocalists"], "mtt": ["male", "man", "male vocal", "male voice"]},
    "choir": {"mtt": ["choir", "choral"]},
    "instrumental": {"msd": ["instrumental"], "mtt": ["no vocals", "no vocal", "no voice"]},
    "acoustic": {"msd": ["acoustic"]},
}

# Other words people use for the same labels.
SYNONYMS: dict[str, str] = {
    "hip hop": "hip-hop", "hiphop": "hip-hop", "rap": "hip-hop", "r&b": "rnb", "r'n'b": "rnb",
    "rhythm and blues": "rnb", "electronica": "electronic", "edm": "electronic", "electro": "electronic",
    "heavy metal": "metal", "hard rock": "rock", "alternative": "indie", "chill": "chillout",
    "chill-out": "chillout", "lofi": "chillout", "lo-fi": "chillout", "classic": "classical",
    "orchestral": "classical", "baroque": "classical", "newage": "new age", "disco": "dance",
    "trance": "techno", "soul music": "soul", "bluegrass": "country", "americana": "folk",
    "singer-songwriter": "folk", "symphony": "classical", "string quartet": "classical",
    "vocal": "vocals", "voice": "vocals", "singing": "vocals", "singer": "vocals",
    "synthesizer": "synth", "synths": "synth", "keys": "piano", "keyboard": "piano",
    "drum": "drums", "percussion": "drums", "beats": "drums", "guitars": "guitar",
    "violins": "violin", "orchestra": "strings", "fast": "energetic", "upbeat": "energetic",
    "chilled": "mellow", "relaxing": "calm", "relaxed": "calm", "melancholic": "sad",
    "melancholy": "sad", "gloomy": "dark", "cheerful": "happy", "joyful": "happy",
    "grunge": "rock", "synthwave": "electronic", "dubstep": "electronic", "drum and bass": "electronic",
    "salsa": "world", "reggae": "world", "bossa nova": "jazz",
}

KINDS = {"genre": GENRES, "mood": MOODS, "instrument": INSTRUMENTS}
ALL_LABELS: dict[str, str] = {label: kind for kind, table in KINDS.items() for label in table}


# Labels of the instrument table that say how the music sounds, not who plays it: never listed as instruments.
# 'solo' (the instruments named play alone) is one the words give, not the taggers (tools.language.slots).
SOUND_TAGS = ("instrumental", "acoustic", "solo")
SAID_AS = {"solo": "played alone"}  # a sound tag as a sentence says it ('with piano, played alone')


def possessive(name: str) -> str:
    """'jazz' -> "jazz's", 'blues' -> "blues'" (a style's own groove, range or band)."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def is_plural(label: str) -> bool:
    """Whether an instrument's name is a plural noun, for the verb after it ('the strings play', 'the bass
    plays')."""
    word = label.strip().lower().split()[-1] if label.strip() else ""
    return word in ("timpani",) or (word.endswith("s") and not word.endswith("ss"))


def genre_names() -> list[str]:
    return list(GENRES)


def normalise(word: str) -> str | None:
    """The vocabulary label a word names ('Hip Hop' -> 'hip-hop'), or None."""
    w = " ".join(word.strip().lower().replace("_", " ").split())
    if w in ALL_LABELS:
        return w
    if w in SYNONYMS:
        return SYNONYMS[w]
    if w.endswith("s") and w[:-1] in ALL_LABELS:
        return w[:-1]
    return None


def require_genre(word: str) -> str:
    """The genre a word names, or an UnknownLabelError that suggests close names."""
    label = normalise(word)
    if label is not None and ALL_LABELS.get(label) == "genre":
        return label
    close = get_close_matches(word.strip().lower(), genre_names(), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise UnknownLabelError(
        f"'{word}' is not a genre Tastemaker knows.{hint} Known genres: {', '.join(genre_names())}."
    )


def _project(table: dict[str, dict[str, list[str]]], model_probs: dict[str, dict[str, float]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for label, sources in table.items():
        values = []
        for model, tags in sources.items():
            probs = model_probs.get(model)
            if probs is None:
                continue
            present = [probs[t] for t in tags if t in probs]
            if present:
                values.append(max(present))
        if values:
            out[label] = float(sum(values) / len(values))
    return out


def to_unified(model_probs: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """{'msd': {...}, 'mtt': {...}} tag probabilities -> {'genres','moods','instruments'}."""
    return {
        "genres": _project(GENRES, model_probs),
        "moods": _project(MOODS, model_probs),
        "instruments": _project(INSTRUMENTS, model_probs),
    }
