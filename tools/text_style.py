"""Free text -> a structured Style (weighted genres, moods, instruments, tempo, key, energy, negations) + themes.

Words the unified vocabulary knows (tools.genres) are taken directly; other content words ("dreamy",
"synthwave", "rainy") are matched to the vocabulary by sentence-embedding similarity (tools.embeddings)
against short descriptions of each label. Words that match nothing well are kept as themes.

    parse_text("a dreamy synth track for a rainy night, not too fast, no vocals")
    -> TextStyle(style=Style(genres={'ambient': .., 'electronic': ..}, instruments={'synth': 1.0}, energy=0.35,
                             avoid=['vocals'], ...), themes=['rainy', 'night'], ...)
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

import numpy as np

from tools.contracts import Style
from tools.generate.sketch.styles import GM_PROGRAMS
from tools.genres import ALL_LABELS, GENRES, INSTRUMENTS, MOODS, normalise

# What each label sounds like, for embedding similarity (only labels a listener would ask for).
DESCRIPTIONS: dict[str, str] = {
    "rock": "rock music with electric guitars, drums and bass, a rock band",
    "metal": "heavy metal, distorted guitars, aggressive, loud, headbanging, brutal",
    "punk": "punk rock, fast, raw, rebellious, angry",
    "pop": "pop music, catchy, radio hit, mainstream song, chart",
    "indie": "indie alternative music, lo-fi guitars, underground",
    "electronic": "electronic music, synthesizers, synthwave, electro, edm, futuristic, retro 80s, cyberpunk",
    "dance": "dance music, club, dancing, disco",
    "house": "house music, deep house, club, four on the floor beat",
    "techno": "techno, trance, rave, warehouse, pounding beat, hypnotic",
    "ambient": "ambient music, dreamy, atmospheric, spacey, ethereal, drones, floating, space, ocean",
    "chillout": "chillout, lounge, downtempo, lo-fi beats, lofi, study beats, coffee shop, chill",
    "jazz": "jazz, swing, bebop, saxophone, smoky club, improvisation, cocktail bar",
    "blues": "blues, twelve bar, soulful guitar, delta, juke joint",
    "soul": "soul music, motown, gospel, heartfelt singing",
    "rnb": "r&b, rhythm and blues, smooth groove, slow jam",
    "funk": "funk, groovy, slap bass, syncopated, disco funk",
    "hip-hop": "hip hop, rap, boom bap, trap, rapper, urban",
    "folk": "folk music, acoustic, campfire, storytelling, traditional, pastoral, medieval, celtic",
    "country": "country music, western, cowboy, banjo, fiddle, nashville, ranch",
    "classical": "classical music, orchestra, symphony, piano sonata, baroque, cinematic, film score, epic",
    "new age": "new age, meditation, spa, healing, peaceful nature, yoga",
    "experimental": "experimental, avant-garde, weird, noise, strange",
    "world": "world music, indian, sitar, ethnic, tribal",
    "happy": "happy, joyful, cheerful, sunny, bright, uplifting",
    "sad": "sad, melancholic, heartbreak, tears, lonely, grief",
    "mellow": "mellow, soft, gentle, warm, smooth, laid back",
    "party": "party, celebration, festive",
    "beautiful": "beautiful, lovely, romantic, tender",
    "energetic": "energetic, powerful, intense, driving, fast, workout, running",
    "calm": "calm, peaceful, quiet, serene, relaxing, sleep, sleeping",
    "dark": "dark, sinister, eerie, ominous, gloomy, haunting, horror",
}
EMBED_THRESHOLD = 0.6  # cosine similarity a word needs to a label's phrase to count as that label
STOPWORDS = {
    # 'beat' and 'track' name a piece, not a genre ('beat' alone came out as techno by meaning, 0.60)
    "a", "about", "also", "an", "and", "are", "as", "at", "background", "be", "beat", "beats", "bit", "but", "by",
    "can", "could", "create", "feel", "feeling", "for", "from", "give", "i", "in", "into", "is", "it", "its",
    "just", "kind", "less", "like", "little", "lot", "made", "make", "me", "more", "much", "music", "my", "of",
    "on", "one", "onto", "or", "our", "over", "piece", "please", "quite", "really", "so", "some", "something",
    "song", "songs", "sort", "sound", "sounds", "style", "than", "that", "the", "then", "these", "this", "those",
    "three", "to", "too", "track", "tracks", "tune", "tunes", "two", "type", "under", "very", "vibe", "vibes",
    "want", "was", "we", "were", "which", "while", "who", "whose", "with", "would", "you", "your",
}

IMPLIED_GENRE = {"synth": "electronic", "sitar": "world", "harpsichord": "classical", "violin": "classical",
                 "cello": "classical", "strings": "classical", "choir": "classical"}
ENERGY_WORDS = {
    "aggressive": 0.9, "intense": 0.85, "energetic": 0.85, "heavy": 0.8, "hard": 0.75, "loud": 0.8, "driving": 0.8,
    "pumping": 0.85, "powerful": 0.8, "explosive": 0.95, "wild": 0.85, "upbeat": 0.75, "lively": 0.7, "punchy": 0.75,
    "calm": 0.2, "gentle": 0.25, "soft": 0.25, "quiet": 0.2, "mellow": 0.3, "relaxing": 0.2, "relaxed": 0.25,
    "peaceful": 0.15, "chill": 0.3, "laid-back": 0.3, "sleepy": 0.1, "soothing": 0.2, "dreamy": 0.3, "tender": 0.3,
}
# Tempo words set energy, which places the tempo inside the chosen style's range ("slow rock" is still rock).
TEMPO_WORDS = {
    "fast": 0.85, "faster": 0.85, "quick": 0.8, "rapid": 0.9, "frantic": 0.95, "uptempo": 0.8, "up-tempo": 0.8,
    "slow": 0.2, "slower": 0.2, "downtempo": 0.25, "sluggish": 0.15, "moderate": 0.5, "medium": 0.5, "mid-tempo": 0.5,
}
_NEGATION = re.compile(r"\b(?:no|without|not|never|don't|dont|avoid|less|minus|nothing)\s+"
                       r"(?:too\s+|so\s+|very\s+|any\s+)?"
                       r"([a-z&'\- ]+?)(?=[,.;!?]|\s+(?:and|but|with|for|or|in|please)\b|$)")
_BPM = re.compile(r"\b(\d{2,3})\s*(?:bpm|beats per minute)\b|\b(?:at|tempo)\s+(\d{2,3})\b")
_KEY = re.compile(r"\b(?:in|key of)\s+([a-g])\s*(#|♯|b|♭|sharp|flat)?\s*(major|minor|maj|min|m)?\b", re.IGNORECASE)
# Lengths and counts ("6 seconds", "3 versions") belong to the request, not to the music's style.
_REQUEST_NUMBERS = re.compile(r"\b\d+(?:\.\d+)?\s*-?\s*(?:seconds?|secs?|s|minutes?|mins?|candidates?|versions?|"
                              r"options?|variations?|takes?|rounds|iterations|attempts|tries)\b")
WHOLE_TEXT_FLOOR = 0.3  # below this, the sentence's nearest genre is a guess, not a reading
_WEIGHT_PREFIX = re.compile(r"\b(?:a\s+(?:bit|touch|hint|dash|pinch)\s+of|a\s+little|slightly|some|hints?\s+of)"
                            r"\s+([a-z&'\-]+(?:\s+[a-z&'\-]+)?)")


_DESCRIPTION_WORDS = {p.strip() for d in DESCRIPTIONS.values() for p in d.split(",")}


@dataclass
class TextStyle:
    """What the text asked for: the Style, the words left over as themes, and why each label was chosen."""

    style: Style
    themes: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)


_proto_lock = threading.Lock()
_prototypes: tuple[list[str], np.ndarray] | None = None


def _label_prototypes() -> tuple[list[str], np.ndarray]:
    """(label of each description phrase, the phrases' embeddings): a label is as close as its closest phrase."""
    from tools.embeddings import embed_texts

    global _prototypes
    with _proto_lock:
        if _prototypes is None:
            owners, phrases = [], []
            for label, description in DESCRIPTIONS.items():
                for phrase in description.split(","):
                    owners.append(label)
                    phrases.append(phrase.strip())
            _prototypes = (owners, embed_texts(phrases))
        return _prototypes


def similar_labels(texts: list[str]) -> list[list[tuple[str, float]]]:
    """For each text, the vocabulary labels ranked by cosine similarity to their closest description phrase."""
    from tools.embeddings import embed_texts

    if not texts:
        return []
    owners, protos = _label_prototypes()
    sims = embed_texts(texts) @ protos.T
    out = []
    for row in sims:
        best: dict[str, float] = {}
        for owner, sim in zip(owners, map(float, row)):
            best[owner] = max(best.get(owner, -1.0), sim)
        out.append(sorted(best.items(), key=lambda kv: -kv[1]))
    return out


def _ngrams(words: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, phrase) for 3-, 2- and 1-word spans, longest first."""
    out = []
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            out.append((i, i + n, " ".join(words[i : i + n])))
    return out


def _put(table: dict[str, float], label: str, weight: float) -> None:
    table[label] = round(max(table.get(label, 0.0), weight), 3)


def parse_text(text: str, use_embeddings: bool = True) -> TextStyle:
    """Understand a request like 'heavy metal with fast drums' or 'a dreamy synth track for a rainy night'."""
    style = Style()
    reasons: dict[str, str] = {}
    lowered = " " + text.lower().replace("’", "'") + " "

    # explicit numbers: tempo and key
    m = _BPM.search(lowered)
    if m:
        bpm = float(m.group(1) or m.group(2))
        if 40 <= bpm <= 240:
            style.tempo = bpm
            reasons["tempo"] = f"'{m.group(0).strip()}'"
    m = _KEY.search(lowered)
    if m and (m.group(2) or m.group(3)):
        acc = {"#": "#", "♯": "#", "sharp": "#", "b": "b", "♭": "b", "flat": "b"}.get((m.group(2) or "").lower(), "")
        style.key = m.group(1).upper() + acc
        if m.group(3):
            style.mode = "minor" if m.group(3).lower() in ("minor", "min", "m") else "major"
        reasons["key"] = f"'{m.group(0).strip()}'"
        lowered = lowered.replace(m.group(0).lower(), " ")
    if style.mode is None:
        if re.search(r"\bminor\b", lowered):
            style.mode = "minor"
        elif re.search(r"\bmajor\b", lowered):
            style.mode = "major"

    lowered = _REQUEST_NUMBERS.sub(" ", lowered)

    # negations: "no vocals", "without drums", "not too fast"
    energy_cap: float | None = None
    for m in _NEGATION.finditer(lowered):
        phrase = m.group(1).strip()
        for word in (phrase, *phrase.split()):
            if word in TEMPO_WORDS or word in ENERGY_WORDS:
                level = TEMPO_WORDS.get(word, ENERGY_WORDS.get(word, 0.5))
                if level >= 0.5:
                    energy_cap = 0.5
                else:
                    style.energy = max(style.energy or 0.0, 0.5)
                reasons[f"not {word}"] = f"'{m.group(0).strip()}'"
                break
            label = normalise(word)
            if label:
                if label not in style.avoid:
                    style.avoid.append(label)
                reasons[f"avoid {label}"] = f"'{m.group(0).strip()}'"
                break
        lowered = lowered.replace(m.group(0), " , ")

    # softened mentions: "a touch of jazz" -> weight 0.35
    soft: dict[str, float] = {}
    for m in _WEIGHT_PREFIX.finditer(lowered):
        for word in (m.group(1), m.group(1).split()[0]):
            label = normalise(word)
            if label:
                soft[label] = 0.35
                lowered = lowered.replace(m.group(0), " " + word + " ")
                break

    words = re.findall(r"[a-z0-9&'\-]+", lowered)
    used = [False] * len(words)
    energies: list[float] = []
    for start, end, phrase in _ngrams(words):
        if any(used[start:end]):
            continue
        label = normalise(phrase)
        kind = ALL_LABELS.get(label) if label else None
        if label and kind:
            weight = soft.get(label, 1.0)
            if label in style.avoid:
                continue
            table = {"genre": style.genres, "mood": style.moods, "instrument": style.instruments}[kind]
            _put(table, label, weight)
            reasons[label] = f"'{phrase}'"
            for i in range(start, end):
                used[i] = True
            if phrase in ENERGY_WORDS:
                energies.append(ENERGY_WORDS[phrase])
            if phrase in TEMPO_WORDS:
                energies.append(TEMPO_WORDS[phrase])
            continue
        if phrase in GM_PROGRAMS or (phrase.endswith("s") and phrase[:-1] in GM_PROGRAMS):
            # instruments the arranger can play though the taggers' vocabulary has no label for them (saxophone)
            name = phrase if phrase in GM_PROGRAMS else phrase[:-1]
            if name not in style.avoid:
                _put(style.instruments, name, soft.get(name, 1.0))
                reasons[name] = f"'{phrase}'"
            for i in range(start, end):
                used[i] = True
            continue
        if end - start == 1 and (phrase in ENERGY_WORDS or phrase in TEMPO_WORDS):
            energies.append(ENERGY_WORDS.get(phrase, TEMPO_WORDS.get(phrase, 0.5)))
            reasons[f"energy:{phrase}"] = f"'{phrase}'"
            # words that also name a sound ('dreamy') still go on to the similarity match
            used[start] = phrase not in _DESCRIPTION_WORDS

    if energies:
        style.energy = round(float(np.mean(energies)), 3)
    if energy_cap is not None:
        style.energy = min(style.energy if style.energy is not None else 0.5, energy_cap)

    # the rest: content words, matched by meaning or kept as themes
    leftovers = [w for i, w in enumerate(words) if not used[i] and w not in STOPWORDS and not w.isdigit()
                 and len(w) > 2 and w not in ("minor", "major", "bpm")]
    themes: list[str] = []
    if use_embeddings and leftovers:
        for word, ranked in zip(leftovers, similar_labels(leftovers)):
            label, sim = ranked[0]
            if sim < EMBED_THRESHOLD or label in style.avoid:
                themes.append(word)
                continue
            kind = ALL_LABELS[label]
            table = {"genre": style.genres, "mood": style.moods, "instrument": style.instruments}[kind]
            _put(table, label, round(min(1.0, 0.5 + (sim - EMBED_THRESHOLD)), 3))
            reasons[label] = reasons.get(label, f"'{word}' (similar, {sim:.2f})")
            if sim < 0.9:
                themes.append(word)  # a loose match still says something about the piece ('night')
    else:
        themes = leftovers

    # instruments that carry a genre with them ('a synth track' is electronic, at least in part)
    for instrument, genre in IMPLIED_GENRE.items():
        wanted = style.instruments.get(instrument, 0) >= 0.5 and genre not in style.avoid
        if wanted and genre not in style.genres and (instrument in ("synth", "sitar") or not style.genres):
            _put(style.genres, genre, 0.6)
            reasons.setdefault(genre, f"implied by {instrument}")

    # no genre named or implied word by word, but words about the music are left ('a song for my wedding'):
    # the whole sentence's nearest genres, weighted by similarity. A request with no such words ('make me
    # something like these', '6 seconds') names no genre, and gets none.
    if not style.genres and use_embeddings and leftovers:
        ranked = [(g, s) for g, s in similar_labels([text])[0] if g in GENRES and g not in style.avoid][:2]
        if ranked and ranked[0][1] >= WHOLE_TEXT_FLOOR:
            top = ranked[0][1]
            for g, s in ranked:
                if s >= top - 0.08:
                    _put(style.genres, g, round(s / top, 3))
                    reasons.setdefault(g, f"whole text (similar, {s:.2f})")
    return TextStyle(style=style, themes=themes, reasons=reasons)


def describe(style: Style, themes: list[str] | None = None) -> str:
    """A Style as a MusicGen-style text prompt ('ambient, electronic, dreamy, synth, slow, 70 bpm, rainy night')."""
    parts: list[str] = []
    parts += [g for g, _ in sorted(style.genres.items(), key=lambda kv: -kv[1])]
    parts += [m for m, _ in sorted(style.moods.items(), key=lambda kv: -kv[1])]
    parts += [i for i, _ in sorted(style.instruments.items(), key=lambda kv: -kv[1])]
    if style.energy is not None:
        parts.append("high energy" if style.energy > 0.7 else "low energy" if style.energy < 0.3 else "")
    if style.tempo:
        parts.append(f"{style.tempo:.0f} bpm")
    if style.key:
        parts.append(f"in {style.key} {style.mode or ''}".strip())
    elif style.mode:
        parts.append(style.mode)
    parts += [f"no {a}" for a in style.avoid]
    parts += themes or []
    return ", ".join(p for p in parts if p)


__all__ = ["DESCRIPTIONS", "INSTRUMENTS", "MOODS", "TextStyle", "describe", "parse_text", "similar_labels"]
