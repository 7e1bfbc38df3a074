"""The words the language layer knows: vocabulary labels, their other names, playable instruments.

Everything here is a table, so a new word is a new row. The unified vocabulary (tools.genres) is the source of
labels; this module adds the everyday forms people type ('jazzy', 'sax', 'bluesy') and the chat shorthand
('u', 'plz', 'gimme') that would otherwise stop a parser.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

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
    "depressing": "sad", "melancholy": "sad", "gloomy": "dark", "cheerful": "happy", "joyful": "happy",
    "drumkit": "drums", "drum kit": "drums", "vox": "vocals", "vocalist": "vocals", "sung": "vocals",
    "rapping": "hip-hop", "rapped": "hip-hop", "guitarist": "guitar", "pianist": "piano", "acoustic guitar": "acoustic guitar",
    "electric guitar": "guitar", "electric bass": "bass",  # 'electric' here is the instrument's, not electronic music
}
# Instruments and styles people name that the sketch engine has no sound or style of its own for, and what plays
# instead: read as that label, and said in the piece's notes ('no ukulele here; played it on nylon guitar').
STAND_INS: dict[str, str] = {
    "ukulele": "nylon guitar", "uke": "nylon guitar", "mandolin": "acoustic guitar", "bouzouki": "acoustic guitar",
    "balalaika": "acoustic guitar", "lute": "nylon guitar", "reggae": "world", "salsa": "world", "ska": "world",
    "dancehall": "world", "afrobeat": "world", "cumbia": "world", "tango": "world", "flamenco": "world",
    # dances and forms the style book has no style for: the nearest one that has their players (a waltz came out as
    # dance and rnb, a jig as blues, a march as punk at 193 BPM, a big band as rock, bossa nova as swung jazz)
    "waltz": "classical", "march": "classical", "jig": "folk", "polka": "folk", "big band": "jazz",
    "bossa nova": "jazz", "bossa": "jazz", "samba": "world",
}
def _each(words: tuple[str, ...], by_style: dict[str, str | None]) -> dict[str, dict[str, str | None]]:
    """The same grooves under each of several words, a table of its own for each (none shared by two words)."""
    return {word: dict(by_style) for word in words}


# Grooves people ask for by name ('a bossa nova', 'metal with blast beats', 'a trap beat'): the words, and for each
# style whose drummer has it, the groove's name in the sketch engine's style book (its GROOVES; None: the style's
# own playing is that already, a blues shuffle). The first style is the one the words imply when the request names
# no genre ('a shuffle' is a blues).
GROOVE_WORDS: dict[str, dict[str, str | None]] = {
    **_each(("bossa nova", "bossa", "bossanova"), {"jazz": "bossa nova"}),
    **_each(("brushes", "two feel"), {"jazz": "two feel on brushes"}),
    "thrash": {"metal": "thrash"},
    **_each(("half-time", "half time", "halftime"), {"funk": "half-time with ghost notes",
                                                              "metal": "half-time: chugging over a slow backbeat"}),
    **_each(("gallop", "galloping"), {"metal": "gallop"}),
    **_each(("blast beat", "blast beats", "blastbeat", "blastbeats"),
                    {"metal": "blast beat, tremolo-picked chords"}),
    **_each(("two-beat", "two beat"), {"punk": "two-beat"}),
    **_each(("d-beat", "d beat", "dbeat"), {"punk": "d-beat"}),
    **_each(("pop-punk", "pop punk"), {"punk": "pop-punk: eighth kicks, open hats, palm-muted verse"}),
    "disco funk": {"funk": "disco funk: four on the floor", "dance": None},
    **_each(("four on the floor", "four-on-the-floor", "4 on the floor"),
                    {"house": "off-beat hats", "electronic": "four on the floor",
                     "funk": "disco funk: four on the floor", "dance": None, "techno": None}),
    **_each(("breakbeat", "breakbeats", "big beat"), {"electronic": "breakbeat"}),
    "electro": {"electronic": "electro"},
    "tribal house": {"house": "tribal: toms and rims"},
    **_each(("jackin", "jackin'", "jacking", "chicago house"),
                    {"house": "jackin': sixteenth hats and the ride"}),
    **_each(("boom bap", "boom-bap", "boombap"), {"hip-hop": "boom bap"}),
    "trap": {"hip-hop": "trap: rolling hats, a sparse kick"},
    **_each(("west coast", "g-funk"), {"hip-hop": "west coast"}),
    "train beat": {"country": "train beat"},
    "shuffle": {"blues": None, "country": "shuffle on the rim"},
}


# Occasions people make music for ('a spooky halloween track', 'a song for our wedding first dance'): what plays
# when nothing else names a style, its moods and energy (the energy places the tempo in the style's range: at 0.35
# or under, its slow, ballad range) and its mode, and the style in words for the reply. A style, mood or key the
# person names wins over the occasion's. Without these the sentence's meaning chose: halloween was house and folk, a
# first dance 121 BPM disco ('dance'), a funeral folk and soul, christmas was not understood at all.
@dataclass(frozen=True)
class Occasion:
    genres: dict[str, float]
    moods: dict[str, float]
    energy: float
    mode: str | None
    style: str  # said in the reply: 'For halloween, I went for {style}'


def _occasion(words: tuple[str, ...], genres: dict[str, float], moods: dict[str, float], energy: float,
              mode: str | None, style: str) -> dict[str, Occasion]:
    return dict.fromkeys(words, Occasion(genres, moods, energy, mode, style))  # frozen: one row may share its words


OCCASIONS: dict[str, Occasion] = {
    **_occasion(("halloween", "hallowe'en", "spooky", "haunted house", "haunted", "horror film", "horror movie",
                 "horror", "scary movie", "scary film", "trick or treat", "creepy"),
                {"classical": 1.0}, {"dark": 0.9}, 0.4, "minor", "dark, eerie orchestral music in a minor key"),
    **_occasion(("first dance", "1st dance", "wedding dance", "slow dance"),
                {"soul": 1.0, "pop": 0.4}, {"beautiful": 0.8}, 0.3, None, "a slow, romantic soul ballad"),
    **_occasion(("wedding", "wedding ceremony", "walk down the aisle", "walking down the aisle", "bride"),
                {"classical": 1.0}, {"beautiful": 0.8}, 0.4, None, "warm, graceful strings"),
    **_occasion(("wedding reception", "wedding party"),
                {"pop": 1.0, "dance": 0.6}, {"happy": 0.8, "party": 0.6}, 0.75, None, "bright, danceable pop"),
    **_occasion(("birthday", "birthday party", "bday"),
                {"pop": 1.0}, {"happy": 0.8, "party": 0.6}, 0.7, None, "happy, upbeat pop"),
    **_occasion(("kids party", "kids' party", "kid's party", "children's party", "childrens party"),
                {"pop": 1.0}, {"happy": 0.9, "party": 0.6}, 0.7, None, "playful, happy pop"),
    **_occasion(("funeral", "memorial", "memorial service", "burial", "remembrance"),
                {"classical": 1.0}, {"sad": 0.8}, 0.2, "minor", "slow, solemn strings"),
    **_occasion(("graduation", "graduation ceremony", "commencement"),
                {"pop": 1.0}, {"happy": 0.8}, 0.65, None, "a bright, proud pop anthem"),
    **_occasion(("christmas", "xmas", "x-mas", "christmas eve", "holiday season", "festive", "santa"),
                {"pop": 1.0}, {"happy": 0.8}, 0.55, None, "bright, festive pop"),
    **_occasion(("new year's eve", "new years eve", "new year's", "new years", "new year", "nye"),
                {"dance": 1.0, "pop": 0.4}, {"party": 0.9, "happy": 0.6}, 0.85, "major", "big, happy dance-pop"),
    **_occasion(("thanksgiving", "thanksgiving dinner", "family dinner", "holiday dinner"),
                {"folk": 1.0, "country": 0.4}, {"happy": 0.5, "mellow": 0.5}, 0.45, None, "warm acoustic folk"),
    **_occasion(("a toast", "raise a glass", "celebration", "celebrate", "anniversary"),
                {"pop": 1.0, "soul": 0.4}, {"happy": 0.9}, 0.65, None, "joyful, celebratory pop with some soul"),
    **_occasion(("dinner party", "dinner", "cocktail party", "cocktail hour", "cocktails"),
                {"jazz": 1.0}, {"mellow": 0.7}, 0.35, None, "easy, mellow jazz"),
    **_occasion(("romantic dinner", "date night", "candlelit dinner", "candlelight dinner", "valentine's day",
                 "valentines day", "valentine's", "valentines", "valentine", "romantic evening", "romance"),
                {"soul": 1.0, "jazz": 0.4}, {"beautiful": 0.8, "mellow": 0.5}, 0.3, None, "slow, romantic soul"),
    **_occasion(("coffee shop", "coffeeshop", "coffee house", "coffeehouse", "cafe", "café"),
                {"jazz": 1.0, "chillout": 0.4}, {"mellow": 0.8}, 0.35, None, "mellow café jazz"),
    **_occasion(("road trip", "roadtrip", "road trips", "long drive", "long drives", "car ride"),
                {"rock": 1.0}, {"happy": 0.6}, 0.7, None, "open-road rock"),
    **_occasion(("rainy day", "rainy sunday", "rainy afternoon", "rainy morning", "rainy days", "rainy evening",
                 "rainy weekend"),
                {"chillout": 1.0, "jazz": 0.4}, {"mellow": 0.8}, 0.3, None, "slow, mellow chillout"),
    **_occasion(("beach", "beach day", "summer day", "summer holiday", "poolside", "bbq", "barbecue", "cookout"),
                {"pop": 1.0, "funk": 0.4}, {"happy": 0.8}, 0.65, None, "sunny, easy-going pop"),
    **_occasion(("pool party", "beach party", "summer party", "block party"),
                {"dance": 1.0, "pop": 0.4}, {"party": 0.9, "happy": 0.6}, 0.8, "major", "sunny dance-pop"),
    **_occasion(("campfire", "camp fire", "bonfire", "around the fire", "camping", "singalong", "sing-along"),
                {"folk": 1.0}, {"mellow": 0.6, "happy": 0.4}, 0.4, None, "acoustic folk to sing along to"),
    **_occasion(("boss fight", "boss battle", "final boss", "battle scene", "fight scene", "epic battle"),
                {"classical": 1.0, "metal": 0.4}, {"dark": 0.7, "energetic": 0.8}, 0.9, "minor",
                "a fast, dark orchestral battle theme with heavy guitars"),
    **_occasion(("video game", "videogame", "arcade", "retro game", "8-bit", "8 bit", "chiptune"),
                {"electronic": 1.0}, {"happy": 0.6}, 0.7, "major", "bright, bouncy electronic music"),
    **_occasion(("heist", "heist movie", "heist film", "spy movie", "spy film", "spy thriller"),
                {"funk": 1.0, "jazz": 0.3}, {"dark": 0.5}, 0.5, None, "cool, tense jazz-funk in a minor key"),
    **_occasion(("chase scene", "car chase", "action movie", "action film", "action scene"),
                {"rock": 1.0, "electronic": 0.4}, {"energetic": 0.9, "dark": 0.5}, 0.9, "minor",
                "fast, driving rock with synths"),
    **_occasion(("sunset", "sunrise", "golden hour", "dusk", "twilight"),
                {"chillout": 1.0, "ambient": 0.4}, {"mellow": 0.8}, 0.35, "major", "warm, mellow chillout"),
    **_occasion(("breakup", "break up", "break-up", "heartbreak", "heartbroken", "broken heart"),
                {"pop": 1.0}, {"sad": 0.8}, 0.3, "minor", "a slow, sad pop ballad"),
    **_occasion(("workout", "gym", "cardio", "jogging", "exercise", "spin class", "hiit", "my run", "a run", "for running"),
                {"dance": 1.0}, {}, 0.85, None, "fast, pumping dance music"),
    **_occasion(("yoga", "meditation", "meditating", "mindfulness", "spa", "massage"),
                {"new age": 1.0}, {}, 0.15, None, "slow, peaceful new age"),
    **_occasion(("studying", "study", "homework", "to focus", "focusing", "concentration", "coding", "exam", "exams",
                 "revision"),
                {"chillout": 1.0}, {}, 0.35, None, "calm, steady chillout without words to distract"),
}
# settings rather than occasions: another occasion named beside them says more ('boss fight music for my video game'
# is a boss fight, 'christmas dinner' christmas)
GENERAL_OCCASIONS = frozenset({"video game", "videogame", "arcade", "dinner", "summer day", "summer holiday",
                               "celebration", "celebrate", "wedding", "exercise", "study"})
# everyday words are no occasion on their own ('running away from home', 'with focus on the piano', 'a coffee
# break'): the table names the occasion ('coffee shop', 'for running', 'to focus')
# an occasion named in a text, longest words first ('wedding first dance' is a first dance, not a wedding)
OCCASION_NAMED = re.compile(r"(?<![\w'-])(" + "|".join(re.escape(w) for w in sorted(OCCASIONS, key=len, reverse=True))
                            + r")(?![\w'-])")


def occasion_style(phrase: str) -> str | None:
    """The style chosen for an occasion ('halloween' -> 'dark, eerie orchestral music ...'), for the reply."""
    found = OCCASIONS.get(phrase)
    return found.style if found else None


# a groove named in a text, longest words first ('bossa nova' before 'bossa')
GROOVE_NAMED = re.compile(r"(?<![\w'-])(" + "|".join(re.escape(w) for w in sorted(GROOVE_WORDS, key=len, reverse=True))
                          + r")(?![\w'-])")


def is_that_groove(words: str, style: str, groove: str) -> bool:
    """Whether a piece of `style` playing `groove` (its name in the style book; '' for the style's own) plays the
    groove `words` name ('is it a bossa nova?')."""
    by_style = GROOVE_WORDS.get(words.lower(), {})
    return groove in {name for name in by_style.values() if name} or (style in by_style and by_style[style] is None)


# Artists people name for a sound ("something like Daft Punk"): their genres, as if said. A curated few dozen of
# the most named, so that 'daft punk' is house, not punk; anyone else is matched by meaning like any word.
ARTISTS: dict[str, dict[str, float]] = {
    "daft punk": {"house": 1.0, "electronic": 0.7}, "aphex twin": {"electronic": 1.0, "experimental": 0.6},
    "avicii": {"dance": 1.0, "house": 0.7},
    "calvin harris": {"dance": 1.0, "pop": 0.6}, "skrillex": {"electronic": 1.0, "dance": 0.7},
    "kraftwerk": {"electronic": 1.0}, "jean michel jarre": {"electronic": 1.0, "ambient": 0.6},
    "brian eno": {"ambient": 1.0, "experimental": 0.5}, "boards of canada": {"electronic": 1.0, "ambient": 0.7},
    "moby": {"electronic": 1.0, "chillout": 0.6}, "massive attack": {"chillout": 1.0, "electronic": 0.6},
    "portishead": {"chillout": 1.0, "dark": 0.6}, "zero 7": {"chillout": 1.0},
    "the beatles": {"rock": 1.0, "pop": 0.8}, "beatles": {"rock": 1.0, "pop": 0.8},
    "the rolling stones": {"rock": 1.0, "blues": 0.5}, "rolling stones": {"rock": 1.0, "blues": 0.5},
    "led zeppelin": {"rock": 1.0, "blues": 0.5}, "pink floyd": {"rock": 1.0, "experimental": 0.5},
    "queen": {"rock": 1.0, "pop": 0.6}, "nirvana": {"rock": 1.0, "punk": 0.5}, "radiohead": {"indie": 1.0, "rock": 0.7},
    "foo fighters": {"rock": 1.0}, "ac/dc": {"rock": 1.0}, "acdc": {"rock": 1.0}, "the ramones": {"punk": 1.0},
    "ramones": {"punk": 1.0}, "sex pistols": {"punk": 1.0}, "green day": {"punk": 1.0, "rock": 0.6},
    "metallica": {"metal": 1.0}, "iron maiden": {"metal": 1.0}, "black sabbath": {"metal": 1.0, "rock": 0.5},
    "slayer": {"metal": 1.0}, "arctic monkeys": {"indie": 1.0, "rock": 0.7}, "the strokes": {"indie": 1.0, "rock": 0.7},
    "taylor swift": {"pop": 1.0, "country": 0.5}, "ed sheeran": {"pop": 1.0, "acoustic": 0.6},
    "adele": {"pop": 1.0, "soul": 0.6}, "beyonce": {"rnb": 1.0, "pop": 0.7}, "rihanna": {"pop": 1.0, "rnb": 0.6},
    "michael jackson": {"pop": 1.0, "funk": 0.6}, "madonna": {"pop": 1.0, "dance": 0.6},
    "billie eilish": {"pop": 1.0, "dark": 0.5}, "the weeknd": {"rnb": 1.0, "pop": 0.7},
    "dua lipa": {"pop": 1.0, "dance": 0.7}, "abba": {"pop": 1.0, "dance": 0.5},
    "kanye west": {"hip-hop": 1.0}, "kendrick lamar": {"hip-hop": 1.0}, "eminem": {"hip-hop": 1.0},
    "drake": {"hip-hop": 1.0, "rnb": 0.5}, "jay-z": {"hip-hop": 1.0}, "dr dre": {"hip-hop": 1.0},
    "tupac": {"hip-hop": 1.0}, "nujabes": {"hip-hop": 1.0, "chillout": 0.7}, "j dilla": {"hip-hop": 1.0},
    "miles davis": {"jazz": 1.0}, "john coltrane": {"jazz": 1.0}, "bill evans": {"jazz": 1.0, "piano": 0.7},
    "dave brubeck": {"jazz": 1.0}, "herbie hancock": {"jazz": 1.0, "funk": 0.5}, "norah jones": {"jazz": 1.0, "pop": 0.5},
    "bb king": {"blues": 1.0, "guitar": 0.6}, "b.b. king": {"blues": 1.0, "guitar": 0.6},
    "muddy waters": {"blues": 1.0}, "stevie ray vaughan": {"blues": 1.0, "guitar": 0.6},
    "james brown": {"funk": 1.0, "soul": 0.6}, "parliament": {"funk": 1.0}, "earth wind and fire": {"funk": 1.0, "soul": 0.6},
    "aretha franklin": {"soul": 1.0}, "marvin gaye": {"soul": 1.0}, "otis redding": {"soul": 1.0},
    "stevie wonder": {"soul": 1.0, "funk": 0.6}, "amy winehouse": {"soul": 1.0, "jazz": 0.5},
    "bob marley": {"world": 1.0}, "bob dylan": {"folk": 1.0}, "simon and garfunkel": {"folk": 1.0},
    "joni mitchell": {"folk": 1.0}, "mumford and sons": {"folk": 1.0}, "johnny cash": {"country": 1.0},
    "dolly parton": {"country": 1.0}, "willie nelson": {"country": 1.0}, "hans zimmer": {"classical": 1.0, "strings": 0.7},
    "john williams": {"classical": 1.0, "strings": 0.7}, "ludovico einaudi": {"new age": 1.0, "piano": 0.8},
    "enya": {"new age": 1.0}, "yiruma": {"new age": 1.0, "piano": 0.8}, "max richter": {"classical": 1.0, "ambient": 0.5},
    "philip glass": {"classical": 1.0, "piano": 0.5},
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
        label = MORE_NAMES.get(candidate) or SYNONYMS.get(candidate) or STAND_INS.get(candidate)
        if label and label in ALL_LABELS:
            return label, ALL_LABELS[label]
        if label and label in instruments():  # a stand-in the arranger plays: 'ukulele' is its nylon guitar
            return label, "instrument"
        if candidate in instruments():
            return candidate, "instrument"
    return None


@functools.lru_cache(maxsize=1)
def artist_words() -> frozenset[str]:
    """The words of the artists' names: typo correction leaves them alone ('daft' is not a typo of 'draft') but
    never corrects toward them ('mash up' is not 'cash up')."""
    return frozenset(w for name in ARTISTS for w in re.findall(r"[a-z][a-z'&-]*", name))


@functools.lru_cache(maxsize=1)
def label_words() -> frozenset[str]:
    """Every single word that names a label, an instrument or a groove (what typo correction may correct toward)."""
    words: set[str] = set(DESCRIPTIVE_WORDS)
    for phrase in [*ALL_LABELS, *SYNONYMS, *MORE_NAMES, *instruments(), *GROOVE_WORDS,  # ('boom bap' was 'boom rap')
                   *OCCASIONS]:  # ('haloween', 'chrismas', 'weding')
        words.update(w for w in re.split(r"[\s]+", phrase) if len(w) > 2)
    return frozenset(words)


def stand_in_named(text: str) -> tuple[str, str] | None:
    """The first word of `text` the engine has no sound or style of its own for, and what plays instead
    ('is it reggae?' -> ('reggae', 'world'))."""
    for word, stand_in in STAND_INS.items():
        if re.search(rf"\b{word}s?\b", text.lower()):
            return word, stand_in
    return None


def stand_in_notes(reasons: dict[str, str]) -> list[str]:
    """What could not be honoured as asked, from a reading's reasons ({label: "'ukulele'"}, {"more nylon guitar":
    "'add ukuleles'"}): 'no ukulele here; played it on nylon guitar', 'no reggae style here; played it as world music'."""
    notes = []
    for label, reason in reasons.items():
        label = re.sub(r"^(?:more|less) ", "", label)
        said: list[str] = []
        for word, stand_in in sorted(STAND_INS.items(), key=lambda kv: -len(kv[0])):  # 'bossa nova' before 'bossa'
            if any(word in longer for longer in said):
                continue
            if stand_in == label and re.search(rf"\b{word}(?:s|-?ish)?\b", reason.lower()):
                said.append(word)
                notes.append(f"no {word} here; played it on {label}" if ALL_LABELS.get(label, "instrument") ==
                             "instrument" else f"no {word} style here; played it as {label} music")
    from tools.language.slots import LOUDNESS_AS_ENERGY

    for label, direction in reasons.items():
        # a loudness word read as the music's energy ('energy:' also marks 'quick' or 'chill', which are no loudness)
        if label.startswith("energy:") and label.removeprefix("energy:") in LOUDNESS_AS_ENERGY:
            notes.append(f"I took '{label.removeprefix('energy:')}' as {direction} music: every "
                         "piece is levelled alike (-14 LUFS), so how loud it plays is your player's volume")
    if "quieter" in reasons:
        notes.append(f"{reasons['quieter']} is your player's volume: every piece is levelled alike (-14 LUFS), so that "
                     "part changed nothing in it")
    return list(dict.fromkeys(notes))


# 'not so loud', 'not quite so fast': less of it, said as the other way ('quieter', 'slower'), which is read already
NOT_SO: dict[str, str] = {
    "loud": "quieter", "noisy": "quieter", "fast": "slower", "quick": "slower", "slow": "faster", "dark": "brighter",
    "bright": "darker", "heavy": "lighter", "long": "shorter", "short": "longer", "sad": "happier",
    "gloomy": "happier", "quiet": "louder", "soft": "louder", "calm": "more energetic", "mellow": "more energetic",
    "intense": "calmer", "energetic": "calmer", "busy": "calmer", "aggressive": "calmer",
}
_NOT_SO = re.compile(r"\bnot (?:quite |that |as |too )?(?:so |as )(" + "|".join(NOT_SO) + r")\b(?: as (?:that|this|it))?",
                     re.IGNORECASE)


def not_so(text: str) -> str:
    """`text` with 'not so X' said as the other way: 'not quite so loud' -> 'quieter'."""
    return _NOT_SO.sub(lambda m: NOT_SO[m.group(1).lower()], text)
