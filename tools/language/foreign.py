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
MIN_PROBABILITY_WITH_WORDS = 0.6  # enough when two words are another language's music words ('ein trauriges Lied')

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
    "vite": "fast", "despacio": "slow", "devagar": "slow", "snel": "fast", "langzaam": "slow",
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
    if language == "en":
        return None
    if float(probability) < MIN_PROBABILITY and not (float(probability) >= MIN_PROBABILITY_WITH_WORDS
                                                     and _glossary_words(text) >= 2):
        return None
    return None if _all_english(text) else str(language)


def _glossary_words(text: str) -> int:
    """How many words of a message are music words of another language the glossary knows
    ('ein trauriges Lied bitte': 'trauriges' and 'lied'; 'lied' is English too, but langid has the sentence)."""
    return sum(1 for word in re.findall(r"[^\W\d_]+", text.lower()) if any(
        word.startswith(stem) and meant != stem for stem, meant in GLOSSARY.items()))


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
# more (or a German comparative, 'schnell' + 'er'), courtesy, 'make it' ('mach es', 'hazlo'), and a word the glossary
# knows that has a comparative. Typed without accents or apostrophes as often as with them ('s il vous plait', 'piu').
_MORE = {"plus", "más", "mas", "più", "piu", "mehr", "meer", "mais", "bien", "un", "peu", "poco", "pochino", "etwas",
         "bisschen", "ein", "noch", "bit", "little", "encore", "ancora", "aún", "aun", "todavía", "todavia", "wat",
         "iets", "nog", "tres", "très", "muy", "molto", "viel", "beaucoup", "mucho", "pouco", "um", "po", "pò"}
_LESS = {"moins", "menos", "meno", "weniger", "minder"}  # 'moins vite': the opposite, compared
_COURTESY = {"y", "et", "und", "e", "en", "bitte", "por", "favor", "per", "favore", "s'il", "s", "il", "vous", "plaît",
             "plait", "svp", "stp", "te", "toi", "prego", "alsjeblieft", "graag", "please", "merci", "danke", "gracias",
             "grazie", "obrigado", "obrigada", "ahora", "maintenant", "jetzt", "ora", "agora", "nu", "mal", "doch",
             "porfavor", "perfavore", "sil", "silvousplait", "bitteschön", "bitteschon"}
_MAKE_IT = {"mach", "mache", "machs", "macht", "es", "das", "fais", "faites", "le", "la", "rends", "rendez", "hazlo",
            "hazla", "haz", "hacelo", "lo", "ponlo", "ponla", "rendilo", "rendila", "fallo", "falla", "fai", "faz",
            "faça", "faca", "deixa", "deixe", "torna", "torne", "maak", "het", "sie", "ihn"}
COMPARATIVE = {"fast": "faster", "slow": "slower", "calm": "calmer", "happy": "happier", "sad": "sadder",
               "dark": "darker", "mellow": "mellower", "energetic": "more energetic"}
_OPPOSITE = {"fast": "slow", "slow": "fast", "calm": "energetic", "energetic": "calm", "happy": "sad", "sad": "happy"}


def read_change(text: str) -> tuple[str, bool] | None:
    """The English of a short change said in another language ('plus rapide' -> 'faster') and whether a word of it is
    another language's (not 'a little calmer please'), else None: every word is a marker of more or less, courtesy,
    'make it', or a mood or pace the glossary knows, compared ('plus lent', 'langsamer', 'moins vite')."""
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower().replace("’", "'"))
    if not 1 <= len(words) <= 8:
        return None
    said, compared, less, foreign = [], False, False, False
    for word in words:
        if word in _MORE or word in _LESS:
            compared, less = True, less or word in _LESS
            foreign = foreign or word not in ("bit", "little")
            continue
        if word in _COURTESY or word in _MAKE_IT:
            foreign = foreign or word != "please"
            continue
        stem = next((st for st in sorted(GLOSSARY, key=len, reverse=True) if word.startswith(st)), None)
        if stem is None or GLOSSARY[stem] not in COMPARATIVE:
            return None
        compared = compared or (word.endswith("er") and not stem.endswith("er") and len(word) > len(stem))
        foreign = foreign or GLOSSARY[stem] != stem
        meant = _OPPOSITE.get(GLOSSARY[stem], GLOSSARY[stem]) if less else GLOSSARY[stem]
        if meant not in COMPARATIVE:
            return None
        said.append(COMPARATIVE[meant])
    return (" ".join(said), foreign) if said and compared else None


def change_words(text: str) -> str | None:
    """The English of a short change said in another language ('plus rapide' -> 'faster'), else None."""
    read = read_change(text)
    return read[0] if read else None


def likeliest(text: str) -> str | None:
    """The likeliest language of a short message known to be in another language ('langsamer bitte': two words, so
    detect() does not try): py3langid's first choice other than English."""
    try:
        ranked = _identifier().rank(text)
    except ImportError:
        return None
    return next((str(code) for code, _ in ranked if code != "en"), None)


def language_name(code: str) -> str:
    return NAMES.get(code, code)
