"""Messages in another language: which language (py3langid), and the music words in it we can still read.

Detection runs only on messages of three words or more, among the languages people are likely to write in,
and only a confident verdict counts (short English like 'more jazz' scores low for every language). The
glossary is small on purpose: the words a music request is made of (piano, calm, song, make...), so a
request in German or Spanish can still be acted on, and the reply says which words were understood.
"""

from __future__ import annotations

import functools
import re

LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "no", "pl", "tr")
NAMES = {"de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch",
         "sv": "Swedish", "da": "Danish", "no": "Norwegian", "pl": "Polish", "tr": "Turkish"}
MIN_WORDS = 3
MIN_PROBABILITY = 0.9

# word stem in another language -> the English word the parser knows (matched at the start of a word, so
# 'klavierstück' is piano and 'einschlafen' holds 'schlaf')
GLOSSARY: dict[str, str] = {
    # make / song
    "mach": "make", "mache": "make", "erstell": "make", "komponier": "compose", "spiel": "play", "gib": "give",
    "fais": "make", "faire": "make", "crée": "make", "compose": "compose", "joue": "play", "donne": "give",
    "hazme": "make", "haz": "make", "crea": "make", "componer": "compose", "toca": "play", "dame": "give",
    "quiero": "i want", "fammi": "make", "suona": "play", "faz": "make", "maak": "make", "speel": "play",
    "lied": "song", "stück": "piece", "musik": "music", "chanson": "song", "morceau": "piece", "musique": "music",
    "canción": "song", "cancion": "song", "pieza": "piece", "música": "music", "canzone": "song", "pezzo": "piece",
    "musica": "music", "brano": "piece", "liedje": "song", "nummer": "song",
    # instruments
    "klavier": "piano", "flügel": "piano", "gitarre": "guitar", "schlagzeug": "drums", "trommel": "drums",
    "geige": "violin", "cello": "cello", "flöte": "flute", "bass": "bass", "orgel": "organ", "gesang": "vocals",
    "guitare": "guitar", "batterie": "drums", "violon": "violin", "flûte": "flute", "voix": "vocals",
    "guitarra": "guitar", "batería": "drums", "bateria": "drums", "violín": "violin", "flauta": "flute",
    "pianoforte": "piano", "chitarra": "guitar", "batteria": "drums", "violino": "violin", "flauto": "flute",
    "tromba": "trumpet", "trompete": "trumpet", "trompette": "trumpet", "trompeta": "trumpet", "saxophon": "saxophone",
    # moods
    "ruhig": "calm", "entspann": "calm", "schlaf": "calm", "traurig": "sad", "fröhlich": "happy", "glücklich": "happy",
    "dunkel": "dark", "düster": "dark", "sanft": "mellow", "energisch": "energetic", "schnell": "fast",
    "langsam": "slow", "calme": "calm", "dormir": "calm", "triste": "sad", "joyeu": "happy", "heureu": "happy",
    "sombre": "dark", "doux": "mellow", "douce": "mellow", "rapide": "fast", "lent": "slow", "tranquil": "calm",
    "relaj": "calm", "alegre": "happy", "feliz": "happy", "oscur": "dark", "suave": "mellow", "rápid": "fast",
    "rapid": "fast", "lento": "slow", "calm": "calm", "dormire": "calm", "felice": "happy", "allegr": "happy",
    "scur": "dark", "dolce": "mellow", "veloce": "fast", "rustig": "calm", "vrolijk": "happy", "droevig": "sad",
}


@functools.lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect(text: str) -> str | None:
    """The language code of a message that is confidently not English ('de'), else None."""
    if len(re.findall(r"\w+", text)) < MIN_WORDS:
        return None
    try:
        language, probability = _identifier().classify(text)
    except ImportError:  # py3langid not installed: every message is read as English
        return None
    if language == "en" or float(probability) < MIN_PROBABILITY:
        return None
    return None if _all_english(text) else str(language)


def _all_english(text: str) -> bool:
    """Whether every word of a message is an English word: music's own Italian ('solo piano in D minor, 6 seconds'
    scored Italian) is English too. Another language's verdict needs at least one word English does not have."""
    from tools.language.spelling import english_words

    english = english_words()
    words = re.findall(r"[^\W\d_]+", text.lower())
    return bool(english) and all(w in english for w in words)


# a length in another language ('6 Sekunden', '5 segundos', '2 minutes'): read as the English the parser knows
_LENGTH = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:(sek(?:unden?|under|und)?|seg(?:undos?)?|sec(?:ond[ei]s?|onden|ondi|ondo)?|"
                     r"s|saniye)|(min(?:uten|utos?|uti|utes|uter|ut)?|dakika))\b", re.IGNORECASE)


def music_words(text: str) -> list[str]:
    """The English words for the music words in a message in another language (in the order they come), and its
    length in English ('6 seconds')."""
    found: list[str] = []
    for number, seconds, minutes in _LENGTH.findall(text):
        found.append(f"{number.replace(',', '.')} {'seconds' if seconds else 'minutes'}")
    text = _LENGTH.sub(" ", text)
    for word in re.findall(r"[^\W\d_]+", text.lower()):
        for stem, english in sorted(GLOSSARY.items(), key=lambda kv: -len(kv[0])):
            if word.startswith(stem) or (len(stem) >= 5 and stem in word):
                found.append(english)
                break
        else:
            from tools.language.words import label_of

            if label_of(word):  # 'jazz', 'rock' and 'piano' are the same in many languages
                found.append(word)
    return list(dict.fromkeys(found))


# 'plus rapide', 'schneller bitte', 'más lento por favor': a change said in another language. Its words: a marker of
# more (or a German comparative, 'schnell' + 'er'), courtesy, and a word the glossary knows that has a comparative.
_MORE = {"plus", "más", "mas", "più", "piu", "mehr", "meer", "mais", "bien", "un", "peu", "poco", "pochino", "etwas",
         "bisschen", "ein", "noch", "un", "bit", "little", "encore", "ancora", "aún", "aun", "todavía"}
_COURTESY = {"y", "et", "und", "e", "en", "bitte", "por", "favor", "per", "s'il", "vous", "plaît", "plait", "svp", "prego", "alsjeblieft", "please"}
COMPARATIVE = {"fast": "faster", "slow": "slower", "calm": "calmer", "happy": "happier", "sad": "sadder",
               "dark": "darker", "mellow": "mellower", "energetic": "more energetic"}


def change_words(text: str) -> str | None:
    """The English of a short change said in another language ('plus rapide' -> 'faster'), else None: every word is
    a marker of more, courtesy, or a mood or pace the glossary knows, compared ('plus lent', 'langsamer')."""
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower())
    if not 1 <= len(words) <= 6:
        return None
    said, compared = [], False
    for word in words:
        if word in _MORE:
            compared = True
            continue
        if word in _COURTESY:
            continue
        stem = next((st for st in sorted(GLOSSARY, key=len, reverse=True) if word.startswith(st)), None)
        if stem is None or GLOSSARY[stem] not in COMPARATIVE:
            return None
        compared = compared or (word.endswith("er") and not stem.endswith("er") and len(word) > len(stem))
        said.append(COMPARATIVE[GLOSSARY[stem]])
    return " ".join(said) if said and compared else None


def language_name(code: str) -> str:
    return NAMES.get(code, code)
