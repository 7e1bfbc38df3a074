"""Words -> typed slots: the one parser every caller uses (the offline planner, the refine tool, the CLI,
taste profiles and the generators).

    read_slots("jazz, I don't want drums")        -> genres {jazz: 1}, avoid [drums]
    read_slots("make the drums quieter")          -> more {drums: -0.3}
    read_slots("turn the bass up")                -> more {bass: +0.3}
    read_slots("make it in D minor")              -> key D, mode minor
    read_slots("a 3 minute rock song at 300 bpm") -> seconds 180, tempo 300 (the request clamps, with a note)

Vocabulary words are taken directly (tools.language.words); the text has been through typo correction first
(tools.language.spelling). With `meaning=True`, other content words ('dreamy', 'rainy') are matched to labels
by sentence-embedding similarity (tools.embeddings, all-MiniLM) against short descriptions of each label;
words that match nothing well are kept as themes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from tools.genres import GENRES
from tools.language import words as lexicon
from tools.language.meaning import Nearest
from tools.language.spelling import correct
from tools.language.words import ARTISTS, GROOVE_NAMED, GROOVE_WORDS, label_of


@dataclass
class Slots:
    """Everything one message says about music. Wanted labels carry a weight 0..1; `more` holds a change's
    signed deltas ('more jazz' +0.3, 'less drums' -0.3); `avoid` what to leave out."""

    genres: dict[str, float] = field(default_factory=dict)
    moods: dict[str, float] = field(default_factory=dict)
    instruments: dict[str, float] = field(default_factory=dict)
    avoid: list[str] = field(default_factory=list)
    more: dict[str, float] = field(default_factory=dict)
    tempo: float | None = None  # BPM as said (range checks belong to the request)
    tempo_factor: float | None = None  # 'faster' 1.2, 'slower' 0.83
    key: str | None = None  # 'D', 'F#', 'Eb'
    mode: str | None = None  # 'major' or 'minor'
    seconds: float | None = None  # as said: '3 minutes' is 180, '-5 s' is -5
    era: str | None = None  # a decade as said ("80s", "1990s"): never a length
    seconds_factor: float | None = None  # 'longer' 1.5, 'shorter' 0.67
    seconds_delta: float | None = None  # '3 seconds longer' +3, 'add 4 seconds' +4, '5 s shorter' -5
    energy: float | None = None  # 0..1 from words like 'calm' or 'aggressive'
    energy_delta: float | None = None  # 'more energetic' +0.25
    candidates: int | None = None
    max_iters: int | None = None
    engine: str | None = None
    which: int | None = None  # 'the second one' -> 2
    refers: str | None = None  # 'it' (one thing) or 'these' (several)
    named_as: str | None = None  # 'the rock one': a label that may say which piece is meant
    liked: bool | None = None
    different: bool = False  # 'a completely different take'
    like_last: bool = False  # 'more like this'
    levels: dict[str, float] = field(default_factory=dict)  # a part turned up or down, dB by role: {'lead': 4.0}
    fade_out: bool = False  # 'fade it out at the end'
    quieter: bool = False  # 'quieter', 'not so loud' of the whole piece: the player's volume (all levelled alike)
    audience: str | None = None  # who the music is for, as said ('grandma' in 'something my grandma would like')
    themes: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # why each label was read ('jazzy', 'similar 0.71')
    language: str | None = None  # set for a message that is not English ('de')
    groove: str | None = None  # a groove named ('bossa nova', 'blast beats': words.GROOVE_WORDS), as said
    drop_groove: bool = False  # a groove named as unwanted ('no blast beats'): the style's own again
    groove_genre: str | None = None  # the genre a groove named implied, nothing else naming one ('a trap beat')
    occasion: str | None = None  # what the music is for, as words.OCCASIONS names it ('halloween', 'first dance')

    def names_music(self) -> bool:
        """Whether the message says anything about the music itself (a style, tempo, key, length...)."""
        return bool(self.genres or self.moods or self.instruments or self.avoid or self.more or self.tempo
                    or self.key or self.mode or self.seconds is not None or self.energy is not None or self.groove
                    or self.drop_groove)

    def is_change(self) -> bool:
        """Whether it reads as a change to something made ('faster', 'less drums', 'another take')."""
        return bool(self.more or self.tempo_factor or self.seconds_factor or self.seconds_delta or self.energy_delta
                    or self.different
                    or self.like_last or self.levels or self.fade_out or self.drop_groove)

    def pairs(self) -> set[tuple[str, str]]:
        """(slot, value) pairs, the unit of the language benchmark's slot F1."""
        out: set[tuple[str, str]] = set()
        for name in ("genres", "moods", "instruments"):  # a whole-sentence guess is not a reading
            out |= {(name, label) for label in getattr(self, name)
                    if not self.reasons.get(label, "").startswith("whole text")}
        out |= {("avoid", a) for a in self.avoid}
        out |= {("more" if d > 0 else "less", label) for label, d in self.more.items()}
        for name in ("key", "mode", "candidates", "which", "language"):
            if getattr(self, name) is not None:
                out.add((name, str(getattr(self, name))))
        for name in ("tempo", "seconds"):
            if getattr(self, name) is not None:
                out.add((name, f"{getattr(self, name):g}"))
        if self.tempo_factor:
            out.add(("tempo_change", "up" if self.tempo_factor > 1 else "down"))
        if self.seconds_factor or self.seconds_delta:
            longer = (self.seconds_factor or 1) > 1 or (self.seconds_delta or 0) > 0
            out.add(("length_change", "up" if longer else "down"))
        if self.energy_delta:
            out.add(("energy", "up" if self.energy_delta > 0 else "down"))
        if self.liked is not None:
            out.add(("liked", "yes" if self.liked else "no"))
        out |= {(name, "yes") for name in ("different", "like_last", "fade_out", "quieter") if getattr(self, name)}
        out |= {("level", f"{role} {'up' if db > 0 else 'down'}") for role, db in self.levels.items()}
        return out


# -- what each label sounds like, for embedding similarity (only labels a listener would ask for) --------------
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
    "classical": "classical music, orchestra, symphony, piano sonata, baroque, cinematic, film score",
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
WHOLE_TEXT_FLOOR = 0.3  # below this, the sentence's nearest genre is a guess, not a reading
SOFT_WEIGHT = 0.35  # 'a touch of jazz'
CHANGE_STEP, BIG_STEP = 0.3, 0.5  # 'more jazz', 'lots more jazz'
STOPWORDS = {
    # 'beat' and 'track' name a piece, not a genre ('beat' alone came out as techno by meaning, 0.60); 'band' the
    # players, any style's ('with a full band' was rock, 0.80)
    "a", "about", "also", "an", "and", "are", "as", "at", "background", "band", "bands", "be", "beat", "beats", "bit",
    "but", "by",
    "can", "could", "create", "feel", "feeling", "for", "from", "give", "i", "in", "into", "is", "it", "its",
    "just", "kind", "less", "like", "little", "lot", "made", "make", "me", "more", "much", "music", "my", "of",
    "on", "one", "onto", "or", "our", "over", "piece", "pieces", "please", "quite", "really", "so", "some", "something",
    "song", "songs", "sort", "sound", "sounds", "style", "than", "that", "the", "then", "these", "this", "those",
    "three", "to", "too", "track", "tracks", "tune", "tunes", "two", "type", "under", "very", "vibe", "vibes",
    "want", "was", "we", "were", "which", "while", "who", "whose", "with", "would", "you", "your", "compose",
    "generate", "write", "produce", "play", "gimme", "okay", "now", "want", "i'd", "i'm", "let's", "do", "get",
    "have", "new", "another", "version", "versions", "short", "long", "tell", "what", "what's", "how", "why",
    "here", "there", "go", "try", "again", "redo", "meh", "all", "any", "add", "put", "keep", "save", "find", "search",
    # words about the conversation, not the music ('combine the styles of my songs', 'what's my taste')
    "taste", "profile", "styles", "upload", "uploads", "favourite", "favourites", "favorite", "favorites", "combine",
    "blend", "mix", "mash", "merge", "fuse", "hybrid", "cross", "together", "sum", "based", "same", "similar",
    "get", "groove", "jam", "tune", "both", "them", "mine", "ones", "own", "made", "did", "does", "done", "think",
    "thing", "stuff", "okay", "ok", "thanks", "thank", "maybe", "pls", "plz", "lol", "show", "tell", "list",
    "genre", "genres", "fave", "fav", "usually", "mostly", "prefer",
    "whatever", "surprise", "anything", "dunno", "idk", "meh", "fine", "ugh", "hmm",
    # music that keeps coming ('keep the music coming', 'non-stop jazz'): how long it plays, not what it is about
    "coming", "going", "playing", "non-stop", "nonstop", "endless", "forever", "repeat",
    # who plays, not the mood: 'harp alone' was a sad country piece by the meaning of 'alone' (_read_solo reads them)
    "solo", "alone", "only", "unaccompanied", "itself",
}
IMPLIED_GENRE = {"synth": "electronic", "sitar": "world", "harpsichord": "classical", "violin": "classical",
                 "cello": "classical", "strings": "classical", "choir": "classical"}
ENERGY_WORDS = {
    "aggressive": 0.9, "intense": 0.85, "energetic": 0.85, "heavy": 0.8, "hard": 0.75, "loud": 0.8, "driving": 0.8,
    "pumping": 0.85, "powerful": 0.8, "explosive": 0.95, "wild": 0.85, "upbeat": 0.75, "lively": 0.7, "punchy": 0.75,
    "calm": 0.2, "gentle": 0.25, "soft": 0.25, "quiet": 0.2, "mellow": 0.3, "relaxing": 0.2, "relaxed": 0.25,
    "peaceful": 0.15, "chill": 0.3, "laid-back": 0.3, "sleepy": 0.1, "soothing": 0.2, "dreamy": 0.3, "tender": 0.3,
    "sleep": 0.1, "sleeping": 0.1, "asleep": 0.1, "bedtime": 0.1, "nap": 0.15, "epic": 0.8, "ballad": 0.25,
    "ballads": 0.25, "lullaby": 0.1, "lullabies": 0.1,
    "banger": 0.9, "bangers": 0.9,
}
# Words that set the energy and, when nothing else in the message names a genre, suggest one: an epic is a film
# score, a ballad a slow song ('epic metal' stays metal, 'a jazz ballad' jazz).
# a word that names no genre but implies one when nothing else does: 'epic', and what the music is for ('something
# upbeat for my workout' read the whole sentence by meaning and came out chillout and dance)
GENRE_IF_ALONE = {"epic": "classical", "ballad": "pop", "ballads": "pop",
                  "workout": "dance", "gym": "dance", "cardio": "dance", "running": "dance", "jogging": "dance",
                  "studying": "chillout", "study": "chillout", "homework": "chillout", "focus": "chillout",
                  "reading": "chillout", "coding": "chillout", "sleep": "ambient", "sleeping": "ambient",
                  "asleep": "ambient", "bedtime": "ambient", "nap": "ambient",
                  "meditation": "new age", "meditating": "new age", "yoga": "new age", "spa": "new age",
                  "dinner": "jazz", "roadtrip": "rock", "driving": "rock", "lullaby": "new age", "lullabies": "new age",
                  "birthday": "pop", "banger": "dance", "bangers": "dance", "cooking": "soul", "cook": "soul",
                  "cleaning": "pop", "podcast": "chillout", "gaming": "electronic", "walk": "folk", "walking": "folk", "hiking": "folk"}
# Who the music is for, when nothing names a style ('something my grandma would like', 'music for my kids'): a
# gentle, fitting style for them, said back in the reply. Without it 'grandma' was matched by the sentence's meaning
# and came out electronic and house. (Who someone is, is a guess at what they like: the reply says so.)
AUDIENCE_OF = {
    **dict.fromkeys(("grandma", "granny", "gran", "nan", "nana", "nanna", "grandmother", "grandpa", "grandad",
                     "granddad", "grandfather", "gramps", "grandparents", "grandparent", "grannies", "grandmas"),
                    "grandparents"),
    **dict.fromkeys(("kids", "kid", "children", "child", "toddler", "toddlers", "kiddos", "kiddies"), "kids"),
    **dict.fromkeys(("dad", "father", "daddy", "papa"), "dad"),
    **dict.fromkeys(("mom", "mum", "mother", "mommy", "mummy", "mama", "parents"), "mum"),
}
# group -> (genres, moods, energy, the style in words for the reply)
AUDIENCES: dict[str, tuple[dict[str, float], dict[str, float], float, str]] = {
    "grandparents": ({"soul": 1.0, "jazz": 0.5}, {"mellow": 0.8}, 0.3, "gentle 60s-style soul with a touch of jazz"),
    "kids": ({"pop": 1.0}, {"happy": 0.8}, 0.65, "playful, happy pop"),
    "dad": ({"rock": 1.0, "blues": 0.4}, {}, 0.55, "easy-going classic rock"),
    "mum": ({"soul": 1.0, "pop": 0.5}, {"mellow": 0.6}, 0.45, "warm soul with a pop lilt"),
}


# someone's, not a word in a title or a theme ('for my kids', 'the grandparents'; not 'mother nature', 'kid a')
_AUDIENCE = re.compile(r"\b(?:for|my|our|your|his|her|their|the)\s+(?:(?:little|old|dear|two|three|young)\s+)?("
                       + "|".join(sorted(AUDIENCE_OF, key=len, reverse=True)) + r")(?:'s)?\b")


def audience_style(word: str) -> str | None:
    """The style chosen for who the music is for ('grandma' -> 'gentle 60s-style soul...'), for the reply."""
    group = AUDIENCE_OF.get(word)
    return AUDIENCES[group][3] if group else None


# Tempo words set energy, which places the tempo inside the chosen style's range ("slow rock" is still rock).
TEMPO_WORDS = {
    "fast": 0.85, "quick": 0.8, "rapid": 0.9, "frantic": 0.95, "uptempo": 0.8, "up-tempo": 0.8,
    "slow": 0.2, "downtempo": 0.25, "sluggish": 0.15, "moderate": 0.5, "medium": 0.5, "mid-tempo": 0.5,
}
# A change's energy and tempo words (refinements); each phrase counts once.
ENERGY_CHANGES = {
    "more energetic": 0.25, "more energy": 0.25, "more intense": 0.25, "more upbeat": 0.25, "more lively": 0.25,
    "punchier": 0.2, "heavier": 0.2, "harder": 0.2, "wilder": 0.2, "more power": 0.25, "pump it up": 0.25,
    "louder": 0.2, "less energetic": -0.25, "less energy": -0.25, "less intense": -0.25, "calmer": -0.25,
    "softer": -0.2, "gentler": -0.2, "more relaxed": -0.25, "more chill": -0.25, "chiller": -0.25,
    "more mellow": -0.2, "mellower": -0.2, "more calm": -0.25, "less busy": -0.2, "tone it down": -0.2,
    # 'that's too loud' of the whole piece ('the drums are too loud' is read first, as less drums)
    "too loud": -0.2, "too busy": -0.2, "too intense": -0.25, "too much": -0.2, "too quiet": 0.2, "too soft": 0.2,
    "too calm": 0.25, "too boring": 0.2, "too sleepy": 0.25,
}
TEMPO_CHANGES = {
    "faster": 1.2, "quicker": 1.2, "speed up": 1.2, "speed it up": 1.2, "too slow": 1.2, "pick up the pace": 1.2,
    "more tempo": 1.2, "up the tempo": 1.2, "slower": 0.83, "slow down": 0.83, "slow it down": 0.83,
    "too fast": 0.83, "less fast": 0.83, "less tempo": 0.83, "lower the tempo": 0.83, "more slowly": 0.83,
    "twice as fast": 2.0, "double the tempo": 2.0, "double the speed": 2.0, "double speed": 2.0, "double time": 2.0,
    "half the tempo": 0.5, "half the speed": 0.5, "half speed": 0.5, "half as fast": 0.5, "twice as slow": 0.5,
}
COMPARATIVES = {"bassier": "bass",
                "darker": "dark", "sadder": "sad", "happier": "happy", "brighter": "happy", "calmer": "calm",
                "mellower": "mellow", "jazzier": "jazz", "funkier": "funk", "bluesier": "blues",
                "rockier": "rock", "dreamier": "ambient", "moodier": "dark", "spookier": "dark", "creepier": "dark",
                "scarier": "dark", "eerier": "dark"}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
            "5th": 5}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "a couple of": 2, "a few": 3}

_NUM = r"(-?\d+(?:\.\d+)?)"
_BPM = re.compile(_NUM + r"\s*(?:bpm|beats per minute|beats a minute)\b|\b(?:at|tempo(?: of)?)\s+(\d{2,3})\b"
                  r"(?!\s*(?:s|secs?|seconds?|mins?|minutes?|hours?|hrs?|%)\b)")
TIMES = {"twice": 2.0, "two times": 2.0, "2x": 2.0, "double": 2.0, "three times": 3.0, "3x": 3.0, "half": 0.5}
_TIMES_AS_LONG = re.compile(r"\b(twice|two times|2x|double|three times|3x|half)\s+(?:as\s+)?(long|short)(?:er)?\b")
_LONGER_BY = re.compile(r"\s*(longer|more|extra|shorter|less)\b")  # after a length: added or taken off
_ADD_LENGTH = re.compile(r"\b(add|another|plus|cut|take off|trim)\s+(?:an?\s+)?(?:extra\s+|more\s+)?$")
_LENGTH = re.compile(_NUM + r"\s*-?\s*(hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)\b(?:\s+long\b)?")
# "1990s", "'80s", "80's", "the 70s": decades. A bare 50s-90s ("an 80s synth pop song") is a decade too, unless
# it is said to be long: people write lengths as "80 s", "80 seconds" or "80-second".
_DECADE = re.compile(r"\b(?:19|20)\d0\s?['’]?s\b|['’]\d0s\b|\b\d0['’]s\b|\b[5-9]0s\b(?!\s+long\b)")
_LENGTH_WORDS = {"half a minute": 30.0, "a minute": 60.0, "an hour": 3600.0, "a few seconds": 5.0}
_KEY = re.compile(r"\b(?:in(?: the)?(?: key of)?|key of|to)\s+([a-h])(?:\s*(#|♯|♭|sharp|flat|b(?![a-z])))?"
                  r"(?:\s*(major|minor|maj|min|m)\b)?(?=\s*(?:key\b|[,.;!?]|$|\s+(?:and|at|with|please|pls|plz|"
                  r"for|now|this|instead|then|too|major|minor)\b))", re.IGNORECASE)
_MODE = re.compile(r"\b(major|minor)\b(?:\s+key|\s+mode|\s+scale)?")
# 'in Z minor', 'in the key of Z': a letter that names no key, kept so that the reply can say so (it was dropped,
# leaving 'minor'). H is B in German and Nordic naming ('in H minor' is B minor): _KEY reads it
_NOT_A_KEY = re.compile(r"\bin\s+([i-z])\s+(?:major|minor)\b|\bkey\s+of\s+([i-z])\b(?!')", re.IGNORECASE)
_COUNT = r"(\d+|one|two|three|four|five|six|seven|eight|a couple of|a few)"
# "3 versions", and "3 rock songs": several pieces from one request are its candidates, each one shown
_CANDIDATES = re.compile(r"\b" + _COUNT + r"\s+(?:candidates?|versions?|options?|variations?|takes?|"
                         r"(?:[a-z&'-]+\s+){0,3}(?:songs|tracks|pieces|tunes|ballads|lullabies|waltzes|marches|"
                         r"novas?|beats|loops|jams|anthems))\b")
_ITERS = re.compile(r"(?:at most |up to )?" + _COUNT + r"\s+(?:rounds?|iterations?|attempts?|tries)\b")
_ORDINAL = re.compile(r"\b(?:the\s+)?(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\b"
                      r"(?=\s+(?:one|song|track|piece|upload|result|candidate|version|take|file)s?\b|\s*[?.!]*$|"
                      r"\s+(?:to|in|faster|slower)\b)")
_THESE = re.compile(r"\b(these|those|them|both|all of them|my (?:songs|uploads|tracks|clips|files|music))\b")
_IT = re.compile(r"\b(it|this|that|this one|that one|dis)\b")

_L = r"([a-z&'][a-z&'-]*(?:\s+[a-z&'-]+){0,2})"  # up to three words that may name a label
_UP = re.compile(r"\b(?:turn|crank|bring|pump|boost|raise|push)\s+(?:up\s+)?(?:the\s+|some\s+)?" + _L)
_DOWN = re.compile(r"\b(?:turn|tone|bring|dial)\s+down\s+(?:the\s+)?" + _L + r"|\b(?:turn|tone|bring|dial)\s+"
                   r"(?:the\s+)?" + _L + r"\s+down\b|\blower\s+the\s+" + _L)
_MORE = re.compile(r"\b(?<!no )(?<!not )(lots more|a lot more|much more|way more|more|extra|add(?:\s+(?:some|a|an|more|in))?|"
                   r"bring in|louder|heavier on|heavy on|stronger|with more|(?:put|throw|stick)\s+(?:in\s+)?"
                   r"(?:some|a|an|more)|throw in)\s+(?:of\s+)?(?:the\s+|some\s+)?" + _L)
_LESS = re.compile(r"\b(less|fewer|quieter|softer|not so much|not as much|not (?:so |too )?sure about|not loving)\s+"
                   r"(?:of\s+)?(?:the\s+)?" + _L)
_L_BEFORE = r"([a-z&'][a-z&'-]*(?:\s+[a-z&'-]+)?)"  # one or two words just before a change word
_TOO = re.compile(r"\b(?:the\s+)?" + _L_BEFORE + r"\s+(?:is|are|'s|was|were)\s+(?:way\s+|a bit\s+|much\s+)?too\s+"
                  r"(loud|much|strong|busy|quiet|soft|weak)\b")
# loudness words read as the music's energy, each said in the reply with what loudness is (every piece is levelled
# alike): 'that's too loud' a calmer take, 'louder' a livelier one ('quieter' alone changes nothing: _QUIETER)
LOUDNESS_AS_ENERGY = ("too loud", "too quiet", "too soft", "louder", "softer")
# the whole piece quieter ('quieter', 'less loud'; understand reads 'not so loud' as 'quieter'): its loudness, which
# mastering sets alike for every piece (-14 LUFS), so the player's volume; 'softer' and 'gentler' are a mood
_QUIETER = re.compile(r"\b(?:quieter|less loud|lower the volume|turn the volume down)\b")
_AFTER = re.compile(r"\b(?:the\s+)?" + _L_BEFORE + r"\s+(louder|quieter|softer|up|down|lower|higher)\b")
# 'not into', 'not a fan of', 'no fan of': a dislike said the other way round ('I'm not really into jazz')
_NOT_INTO = (r"not\s+(?:really\s+|much\s+|too\s+|that\s+|very\s+|big\s+)?(?:into|a\s+(?:big\s+|huge\s+)?fan\s+of|"
             r"big\s+on|keen\s+on|fond\s+of|crazy\s+about)|no\s+(?:big\s+)?fan\s+of")
_REMOVE = re.compile(r"\b(?:" + _NOT_INTO + r"|no|without|drop|remove|lose|get rid of|cut|kill|skip|minus|ditch|avoid|"
                     r"never|(?:i\s+)?(?:don't|do not)\s+(?:want|need|like)(?:\s+any)?|hate|can't stand|dislike|not)"
                     r"\s+(?:the\s+|any\s+|too much\s+|more\s+)?" + _L)
# 'jazz isn't my thing', 'country is not for me'
_NOT_MY_THING = re.compile(r"\b" + _L_BEFORE + r"\s+(?:isn't|is not|'s not|aren't|are not)\s+(?:really\s+)?"
                           r"(?:my thing|for me|my style|my cup of tea|my jam|my scene)\b")
# 'the drums sound fake', 'the piano sounds cheap': that part is not wanted (as 'I don't like the drums')
_SOUNDS_BAD_WORDS = r"(?:fake|cheap|bad|off|weird|terrible|awful|wrong|thin|robotic|plastic|artificial|annoying|horrible)"
SOUNDS_BAD = re.compile(r"\b" + _L_BEFORE + r"\s+(?:sounds?|sounding|is|are)\s+(?:so\s+|really\s+|too\s+|kinda\s+|a bit\s+)?"
                         + _SOUNDS_BAD_WORDS + r"\b")
_NOT_TOO = re.compile(r"\b(?:not|no|never)\s+(?:too\s+|so\s+|very\s+)?([a-z-]+)")
# 'some' softens only after 'with', 'and' or 'plus' ('rock with some jazz'); 'I want some funky music' is funk
_SOFT = re.compile(r"\b(?:a\s+(?:bit|touch|hint|dash|pinch)\s+of|a\s+little(?:\s+bit\s+of)?|slightly|"
                   r"(?:with|and|plus)\s+some|hints?\s+of)\s+([a-z&'-]+(?:\s+[a-z&'-]+)?)")
# what the person says they like is about them, not a theme for the piece ('I love jazz'; 'a love song' is one)
_I_LIKE = re.compile(r"\bi\s+(?:really\s+|just\s+|absolutely\s+|totally\s+|also\s+)?(?:love|like|adore|enjoy|"
                     r"dig)\b")
_NOT_THAT = re.compile(r"^\s*(?:(?:no+|nope|nah|hmm+|ugh)\b[\s,.!]*)?not (?:that|this|it)(?: one)?(?:[\s,.!]+(?:please|again)"
                       r")*[\s,.!]*$")
_DIFFERENT = re.compile(r"\b(?:different (?:take|version|one|direction|approach|style)|completely different|"
                        r"totally different|something (?:else|different)|change it up|fresh take|whole new|"
                        r"entirely different|brand new take)\b")
_LIKE_LAST = re.compile(r"\bmore like (?:this|that|it|g\d+|the (?:first|second|third|last) one)\b")
# a piece pointed at: 'it', 'g2', 'the second one', 'the last one', 'the cello one' (which piece 'the cello one' is, the
# planner decides from what each piece was made as; 'i prefer the slower one' asks for a change)
_DESCRIBED = r"the (?![a-z-]+er\b)[a-z&'-]+(?: [a-z&'-]+)? (?:one|piece|song|version|take)\b"
_A_PIECE_SAID = (r"(?:it|this|that|g\d+\b|the (?:first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)(?: one)?|"
                 + _DESCRIBED + ")")
_LIKED = re.compile(r"\b(i (?:really )?(?:like|love|enjoy|dig|prefer|liked|loved|enjoyed|preferred|adored?) "
                    + _A_PIECE_SAID + "|"
                    # 'the cello one is my favourite', 'the last one was better', 'my favourite is the second one'
                    r"(?:the (?:first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)|" + _DESCRIBED + ")"
                    r"(?: one)? (?:is|was|'s|sounds?|sounded) (?:(?:much|way|a lot|far|"
                    r"definitely|so much) )?(?:better|the best|best|my (?:favou?rite|fave|fav))\b|"
                    r"\bmy (?:favou?rite|fave|fav) (?:is|was) " + _A_PIECE_SAID + "|"
                    r"(?<!'d )(?<!\bid )(?<!would )(?<!\bd )(?:love|like|dig) (?:it|this|g\d+\b)|"
                    r"(?:great|nice|lovely|awesome|amazing|perfect|beautiful|cool|brilliant|excellent|fantastic|"
                    r"wonderful|superb|sick|fire|dope)\b|thumbs up|👍|sounds (?:good|great|amazing))")
_DISLIKED = re.compile(r"(\b(?:(?:i )?(?:don'?t|do not|didn'?t) (?:like|love|enjoy)|dislike|hated? "
                       + _A_PIECE_SAID + "|"
                       # 'not a fan of the second', 'not a big fan of the punk one' ('not a fan of jazz' is taste)
                       r"not (?:really |much of )?(?:a )?(?:big |huge )?fan of " + _A_PIECE_SAID + "|"
                       r"not (?:good|great|nice|for me|it)\b|not (?:really )?my (?:thing|style|cup of tea|jam)|"
                       r"(?:it|this|that)(?: one)? (?:isn't|is not|'s not) (?:really )?my (?:thing|style|jam)|"
                       r"not (?:really |quite )?(?:feeling|digging|into) (?:it|this|that)|"
                       r"(?:awful|terrible|bad|boring|horrible|meh|nah|nope|ugh|rubbish|crap)\b|thumbs down)|👎|"
                       # 'not quite' on its own: a mild no to the piece ('not quite so loud' is a change)
                       r"^\s*(?:(?:hmm+|mm+|no|nah|meh)\W+)?not quite(?: (?:it|right|there|that|what i (?:wanted|meant|"
                       r"had in mind)))?[\s,.!]*$)")


def _blank(text: str, m: re.Match) -> str:
    """The text with a match replaced by a comma, so the words it used are read only once."""
    return text[: m.start()] + " , " + text[m.end():]


def _label_at(phrase: str, from_end: bool = False) -> tuple[str, str, int] | None:
    """The label the start (or the end) of a phrase names, as (label, kind, words used): longest first."""
    words = phrase.split()
    for n in range(min(3, len(words)), 0, -1):
        found = label_of(" ".join(words[-n:] if from_end else words[:n]))
        if found:
            return found[0], found[1], n
    return None


def _put(table: dict[str, float], label: str, weight: float) -> None:
    table[label] = round(max(table.get(label, 0.0), weight), 3)


def _table(slots: Slots, kind: str) -> dict[str, float]:
    return {"genre": slots.genres, "mood": slots.moods, "instrument": slots.instruments}[kind]


def _add_more(slots: Slots, label: str, delta: float, reason: str) -> None:
    slots.more[label] = round(slots.more.get(label, 0.0) + delta, 3)
    slots.reasons[f"{'more' if delta > 0 else 'less'} {label}"] = f"'{reason}'"


def _avoid(slots: Slots, label: str, reason: str) -> None:
    if label not in slots.avoid:
        slots.avoid.append(label)
    slots.reasons[f"avoid {label}"] = f"'{reason}'"


def _read_numbers(low: str, slots: Slots) -> str:
    if m := _DECADE.search(low):
        slots.era = re.sub(r"['’\s]", "", m.group(0))
        slots.reasons["era"] = f"'{m.group(0)}' (a decade, not a length)"
        low = _DECADE.sub(" , ", low)
    if m := _BPM.search(low):
        slots.tempo = float(m.group(1) or m.group(2))
        slots.reasons["tempo"] = f"'{m.group(0).strip()}'"
        low = _blank(low, m)
    if m := _LENGTH.search(low):
        value, unit = float(m.group(1)), m.group(2)
        seconds = value * (3600 if unit.startswith("h") else 60 if unit.startswith("m") else 1)
        after, before = _LONGER_BY.match(low[m.end():]), _ADD_LENGTH.search(low[: m.start()])
        if after or before:  # a length added or taken off: '3 seconds longer', 'add 4 seconds'
            shorter = bool(after and after.group(1) in ("shorter", "less")) or bool(before and before.group(1) in
                                                                                  ("cut", "take off", "trim"))
            slots.seconds_delta = -seconds if shorter else seconds
            slots.reasons["seconds_delta"] = f"'{m.group(0).strip()}'"
            low = low[: m.start()] + " , " + (low[m.end() + after.end():] if after else low[m.end():])
        else:
            slots.seconds = seconds
            slots.reasons["seconds"] = f"'{m.group(0).strip()}'"
            low = _blank(low, m)
    else:
        for phrase, seconds in _LENGTH_WORDS.items():
            if re.search(rf"\b{phrase}\b", low):
                slots.seconds = seconds
                low = low.replace(phrase, " , ")
                break
    m = _CANDIDATES.search(low)
    if m and re.search(r"\b(?:these|those|the|my|your|our|both|of)\s+$", low[: m.start()]):
        m = None  # 'like these two songs' names songs already there, not how many to make
    if m:
        raw = m.group(1)
        slots.candidates = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
        low = low[: m.start(1)] + " , " + low[m.end(1):]  # the count only: 'rock' in '3 rock songs' is still read
    if m := _ITERS.search(low):
        raw = m.group(1)
        slots.max_iters = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
        low = _blank(low, m)
    if re.search(r"\bmusic\s*gen\b", low):
        slots.engine = "musicgen"
    elif re.search(r"\bsketch engine\b|\bwith (?:the )?sketch\b", low):
        slots.engine = "sketch"
    return low


def _read_key(original: str, low: str, slots: Slots) -> str:
    text = original.replace("’", "'")
    for m in _KEY.finditer(text):
        letter, accidental, mode = m.group(1), (m.group(2) or "").lower(), (m.group(3) or "").lower()
        after = text[m.end(): m.end() + 5].lower()
        named = bool(accidental or mode) or "key of" in m.group(0).lower() or letter.isupper() or letter != "a"
        if letter == "a" and mode and after.strip().startswith("key") and not accidental:
            named = False  # 'in a minor key': a mode, not the key of A
        if not named:
            continue
        sign = {"#": "#", "♯": "#", "sharp": "#", "b": "b", "♭": "b", "flat": "b"}.get(accidental, "")
        # H is B (German, Nordic); an H with a sign is kept as said ('Hb', 'H#' are no keys: the reply says so)
        slots.key = ("B" if letter.lower() == "h" and not sign else letter.upper()) + sign
        if mode:
            slots.mode = "major" if mode in ("major", "maj") else "minor"
        slots.reasons["key"] = f"'{m.group(0).strip()}'"
        low = low.replace(m.group(0).lower(), " , ", 1)
        break
    if slots.key is None and (m := _NOT_A_KEY.search(text)):
        slots.key = (m.group(1) or m.group(2)).upper()  # not a key: the reply says so and the style chooses one
        slots.reasons["key"] = f"'{m.group(0).strip()}'"
    if slots.mode is None and (m := _MODE.search(low)):
        slots.mode = m.group(1)
        low = _blank(low, m)
    return low


# 'make the rock one slower', 'the piano piece': a piece pointed at by what it is ('the drum track' is the drums)
_NAMED_PIECE = re.compile(r"\bthe\s+([a-z&'-]+(?:\s+[a-z&'-]+)?)\s+(one|piece|song|tune|version|take|track)\b")


def _read_named_piece(low: str, slots: Slots) -> None:
    """The label of 'the rock one', which may say which piece is meant (the planner decides: with no rock piece
    made it is the style asked for); two such ('the jazz one and the rock one') are styles to blend."""
    found = [(m, label_of(m.group(1))) for m in _NAMED_PIECE.finditer(low)]
    found = [hit for m, hit in found if hit and not (hit[1] == "instrument" and m.group(2) == "track")]
    if len(found) == 1:
        slots.named_as = found[0][0]


def _read_references(low: str, slots: Slots) -> None:
    found = {ORDINALS[m.group(1)] for m in _ORDINAL.finditer(low)}
    if len(found) == 1:
        slots.which = found.pop()
    if _THESE.search(low):
        slots.refers = "these"
    elif _IT.search(low):
        slots.refers = "it"


# the melody (the arrangement's lead) heard too little or too much: 'i can't hear the melody', 'bring the tune forward'
# ('the tune' is also the whole piece: it names the melody only where a piece cannot be meant, 'turn the tune up' is
# the player's volume)
_LEAD = r"(?:melody|main melody|lead(?! (?:guitar|synth|vocals?|singer))|lead line|top line|main line)"
_TUNE = r"(?:melody|main melody|tune|lead(?! (?:guitar|synth|vocals?|singer))|lead line|top line|main line)"
_SO = r"(?:way |a bit |a little |really |so |too |kind of |kinda |much )*"
_MELODY_UP = re.compile(
    r"\b(?:can'?t|cannot|can not|barely|hardly|don'?t|do not) (?:really )?hear (?:the|its|that) " + _TUNE + r"\b|"
    r"\bbring (?:out |up |forward )?(?:the|its) " + _TUNE + r"(?: (?:forward|out|up|to the front|front))?\b|"
    r"\b(?:(?:the|its) )?" + _TUNE + r"(?: is|'s| was| gets| sounds) " + _SO
    + r"(?:buried|lost|hidden|drowned(?: out)?|in the background|hard to hear)\b|"
    r"\b(?:(?:the|its) )?" + _LEAD + r"(?: is|'s| was| sounds) " + _SO + r"(?:quiet|soft|faint|low|weak)\b|"
    r"\b(?:the )?" + _TUNE + r" (?:a (?:bit|little) |much )?(?:up front|forward|more prominent|to the front|"
    r"(?:stand|stands|pop|pops|come|comes) out)\b|"
    r"\b(?:the )?" + _LEAD + r" (?:a (?:bit|little) |much )?(?:louder|up)\b|"
    r"\b(?:louder|more prominent|clearer|stronger) " + _LEAD + r"\b|\bturn up (?:the )?" + _LEAD + r"\b")
_MELODY_DOWN = re.compile(
    r"\b(?:(?:the|its) )?" + _LEAD + r"(?: is|'s| was| sounds) " + _SO + r"(?:loud|much|strong|piercing|shrill)\b|"
    r"\b(?:the )?" + _LEAD + r" (?:a (?:bit|little) |much )?(?:quieter|softer|down)\b|"
    r"\b(?:quieter|softer) " + _LEAD + r"\b|\bturn down (?:the )?" + _LEAD + r"\b")
LEVEL_STEP_DB = 4.0  # a part turned up or down: clearly heard, still the same band
# the ending faded out, not stopped: 'can the ending fade out', 'fade it out at the end', 'no abrupt ending'
_FADE_OUT = re.compile(
    r"\b(?:(?:the )?end(?:ing)?|it) (?:could |can |should |to )?fade[sd]?(?! in)(?: (?:out|away))?"
    r"(?: slowly| gently)?\b|"
    r"\bfade[sd]? (?:it |this |that |the (?:song |piece |track |music )?)?(?:out|away)(?: slowly| gently)?"
    r"(?: (?:at|in|towards|toward) the (?:very )?end(?:ing)?)?\b|\bfade-?out(?: at the end)?\b|"
    r"\bfade (?:at|in) the end\b|"
    r"\b(?:end|finish)e?s? (?:it |with |on )?(?:a |with a )?(?:slow |gentle |long |soft )?fade\b|"
    r"\b(?:no|not (?:so |such an? )?|less|without (?:an? )?) ?(?:abrupt|sudden) (?:ending|end|stop|finish)\b|"
    r"\b(?:ending|end|stop|finish)(?: is| was|'s)? " + _SO + r"(?:abrupt|sudden)\b|"
    r"\b(?:ends|stops|finishes|cuts off|ended|stopped) " + _SO + r"(?:abruptly|suddenly)\b")


def _read_parts(low: str, slots: Slots) -> str:
    """A part's level ('the melody is too quiet': the lead up) and the ending ('fade it out'): the mix, not the
    style; read before 'too quiet' is taken for the whole piece."""
    for pattern, db in ((_MELODY_DOWN, -LEVEL_STEP_DB), (_MELODY_UP, LEVEL_STEP_DB)):
        if m := pattern.search(low):
            slots.levels["lead"] = db
            slots.reasons[f"level lead {'up' if db > 0 else 'down'}"] = f"'{m.group(0).strip()}'"
            low = pattern.sub(" , ", low)
            break
    if m := _FADE_OUT.search(low):
        slots.fade_out = True
        slots.reasons["fade out"] = f"'{m.group(0).strip()}'"
        low = _FADE_OUT.sub(" , ", low)
    return low


def _read_changes(low: str, slots: Slots) -> str:
    """Refinement phrases: more/less of a label, louder/quieter parts, tempo, length, energy, a new take."""
    if _NOT_THAT.search(low):  # 'not that', 'nah, not this one': something else than the piece in hand
        slots.different = True
        low = _NOT_THAT.sub(" , ", low)
    if _DIFFERENT.search(low):
        slots.different = True
        low = _DIFFERENT.sub(" , ", low)
    if m := _LIKE_LAST.search(low):
        slots.like_last = True
        low = _blank(low, m)
    factor = None
    for phrase, f in sorted(TEMPO_CHANGES.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{phrase}\b", low):
            factor = factor or f
            low = re.sub(rf"\b{phrase}\b", " , ", low)
    slots.tempo_factor = factor
    if m := _TIMES_AS_LONG.search(low):  # 'twice as long' was 'another one' at the same length (and punk by meaning)
        slots.seconds_factor = TIMES[m.group(1)] if m.group(2) == "long" else 1 / TIMES[m.group(1)]
        low = _blank(low, m)
    elif re.search(r"\blonger\b", low):
        slots.seconds_factor = 1.5
    elif re.search(r"\bshorter\b", low):
        slots.seconds_factor = 0.67

    def first_label(pattern: re.Pattern, text: str):
        from_end = pattern in (_TOO, _AFTER)  # 'make the drums quieter': the label ends the phrase
        for m in pattern.finditer(text):
            for g in m.groups():
                if g and g not in ("up", "down") and (found := _label_at(g, from_end)):
                    return m, found
        return None

    for phrase, delta in sorted(ENERGY_CHANGES.items(), key=lambda kv: -len(kv[0])):
        # 'more chill' before 'more <label>'; 'too loud' after 'the drums are too loud' (less drums)
        if " " in phrase and not phrase.startswith("too ") and re.search(rf"\b{phrase}\b", low):
            slots.energy_delta = round((slots.energy_delta or 0.0) + delta, 3)
            low = re.sub(rf"\b{phrase}\b", " , ", low)

    rules = [
        (_TOO, lambda m: -CHANGE_STEP if m.groups()[-1] in ("loud", "much", "strong", "busy") else CHANGE_STEP),
        (_DOWN, lambda m: -CHANGE_STEP),
        (_UP, lambda m: CHANGE_STEP),
        (_AFTER, lambda m: CHANGE_STEP if m.groups()[-1] in ("louder", "up", "higher") else -CHANGE_STEP),
        (_LESS, lambda m: -CHANGE_STEP),
        (_MORE, lambda m: BIG_STEP if m.group(1) in ("lots more", "a lot more", "much more", "way more")
         else CHANGE_STEP),
    ]
    for pattern, sign in rules:
        while hit := first_label(pattern, low):
            m, (label, _kind, _n) = hit
            if pattern is _UP and not re.search(r"\bup\b|crank|boost|pump|raise|push", m.group(0)):
                break  # 'turn the bass' without 'up': not a change
            if label == "energetic" and pattern in (_MORE, _LESS):
                slots.energy_delta = (slots.energy_delta or 0.0) + (0.25 if pattern is _MORE else -0.25)
            else:
                _add_more(slots, label, sign(m), m.group(0).strip())
            low = _blank(low, m)
    if m := _QUIETER.search(low):  # after the parts: 'make the drums quieter' is less drums
        slots.quieter = True
        slots.reasons["quieter"] = f"'{m.group(0).strip()}'"
        low = _QUIETER.sub(" , ", low)
    for phrase, delta in sorted(ENERGY_CHANGES.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{phrase}\b", low):
            slots.energy_delta = round((slots.energy_delta or 0.0) + delta, 3)
            if phrase in LOUDNESS_AS_ENERGY:  # read as energy (a calmer or livelier take); the reply says so
                slots.reasons[f"energy:{phrase}"] = "calmer" if delta < 0 else "livelier"
            if phrase in COMPARATIVES:
                _add_more(slots, COMPARATIVES[phrase], CHANGE_STEP, phrase)
            low = re.sub(rf"\b{phrase}\b", " , ", low)
    for word, label in COMPARATIVES.items():
        if re.search(rf"\b{word}\b", low):
            _add_more(slots, label, CHANGE_STEP, word)
            low = re.sub(rf"\b{word}\b", " , ", low)
    return low


def _read_not_too(low: str, slots: Slots) -> tuple[str, float | None]:
    """'not too fast' caps the energy; 'not too slow' raises it (read before 'too fast' means 'slower')."""
    energy_cap = None
    for m in list(_NOT_TOO.finditer(low)):
        word = m.group(1)
        if word in TEMPO_WORDS or word in ENERGY_WORDS:
            level = TEMPO_WORDS.get(word, ENERGY_WORDS.get(word, 0.5))
            if level >= 0.5:
                energy_cap = 0.5
            else:
                slots.energy = max(slots.energy or 0.0, 0.5)
            slots.reasons[f"not {word}"] = f"'{m.group(0).strip()}'"
            low = low.replace(m.group(0), " , ", 1)
    return low, energy_cap


def _read_removals(low: str, slots: Slots) -> str:
    """'no vocals', 'without drums', 'I don't want drums' -> avoid."""
    while True:
        for m in _REMOVE.finditer(low):
            found = _label_at(m.group(1))
            if found:
                _avoid(slots, found[0], m.group(0).strip())
                low = _blank(low, m)
                break
        else:
            break
    for pattern in (_NOT_MY_THING, SOUNDS_BAD):
        for m in list(pattern.finditer(low)):
            found = _label_at(m.group(1), from_end=True)
            if found:
                _avoid(slots, found[0], m.group(0).strip())
                low = low.replace(m.group(0), " , ", 1)
                if pattern is SOUNDS_BAD:
                    slots.liked = False
    return low


_LABELS = Nearest(lambda: [(label, phrase.strip()) for label, d in DESCRIPTIONS.items() for phrase in d.split(",")])


def similar_labels(texts: list[str]) -> list[list[tuple[str, float]]]:
    """For each text, the vocabulary labels ranked by cosine similarity to their closest description phrase."""
    return _LABELS.rank(texts)


_DESCRIPTION_WORDS = {p.strip() for d in DESCRIPTIONS.values() for p in d.split(",")}


def _read_artists(low: str, slots: Slots) -> str:
    """'something like Daft Punk': the artist's genres, as if named (and the name is not read again as 'punk')."""
    from tools.genres import ALL_LABELS

    for artist in sorted(ARTISTS, key=len, reverse=True):
        pattern = rf"(?<![\w/]){re.escape(artist)}(?![\w/])"
        if not (m := re.search(rf"(\b(?:less|not|nothing|not so much|not as much) like\s+)?{pattern}", low)):
            continue
        for label, weight in ARTISTS[artist].items():
            if m.group(1):  # 'less like Daft Punk': away from their sound
                _add_more(slots, label, -CHANGE_STEP, m.group(0).strip())
            elif label not in slots.avoid:
                _put(_table(slots, ALL_LABELS[label]), label, weight)
                slots.reasons.setdefault(label, f"'{artist}' (artist)")
        low = low.replace(m.group(0), " , ", 1)
    return low


# what comes right before a groove named to say it is not wanted ('no blast beats', 'get rid of the trap beat')
_NO_GROOVE = re.compile(r"\b(?:no|not|without|minus|less|fewer|remove|drop|lose|skip|cut|ditch|stop|kill|get rid of|"
                        r"take out|instead of|rather than|enough)\s+(?:\w+\s+){0,2}$")
# the word after a groove's name that says it is one ('a trap beat', 'a half-time feel')
_GROOVE_NOUN = re.compile(r"\s+(?:beats?|grooves?|feel|rhythms?)\b")


def _read_groove(low: str, slots: Slots) -> str:
    """A groove named ('a bossa nova', 'metal with blast beats'): kept as said for the arranger. Words that name no
    label of their own are taken out of the text, so that 'a breakbeat track' is not matched by meaning (it was
    chillout and rnb); words that do ('bossa nova', 'boom bap') stay for the labels."""
    found = GROOVE_NAMED.search(low)
    if not found:
        return low
    end = (_GROOVE_NOUN.match(low, found.end()) or found).end()  # 'a trap beat': the beat is the groove, not drums
    refused = _NO_GROOVE.search(low[:found.start()])
    if refused:  # 'no blast beats', 'remove the trap beat': the phrase goes whole (not read as drums, a style left
        slots.drop_groove = True  # out, or by its meaning), and the style's own groove comes back
        return low[:refused.start()] + " , " + low[end:]
    slots.groove = found.group(1)
    if all(label_of(w) is None for w in [slots.groove, *re.split(r"[\s-]+", slots.groove)]):
        low = low[:found.start()] + " , " + low[end:]
    return low


# a search looks for words ('search the library for road trip'), not music to make for an occasion
_SEARCHES = re.compile(r"\bsearch\b")
# an occasion said not to be one ('a pop song, not for a funeral', 'upbeat, nothing spooky') is no occasion
_NEGATED = re.compile(r"(?:\b(?:not|no|nothing|without|never)|n't)(?:\s+[\w'-]+){0,2}\s*[,.]?\s*$")


def _read_occasion(low: str, slots: Slots) -> tuple[str, list[str]]:
    """The occasion a request names ('a spooky halloween track', 'our wedding first dance'), kept in slots.occasion,
    and every occasion's words (themes); they are taken out of the text but for those naming a mood ('a dinner party'
    is a party; 'a first dance' is no dance music). A change of a piece in hand is left to its words ('make it
    spookier')."""
    named = [m for m in lexicon.OCCASION_NAMED.finditer(low) if not _NEGATED.search(low[:m.start()])]
    if not named or slots.is_change() or slots.refers or _SEARCHES.search(low):
        return low, []
    # the most particular one: not a mere setting, the longest words, else the last ('our wedding first dance', 'a
    # video game boss fight', 'boss fight music for my video game')
    slots.occasion = max(named, key=lambda m: (m.group(1) not in lexicon.GENERAL_OCCASIONS, len(m.group(1)),
                                               m.start())).group(1)
    for found in reversed(named):
        moods = [w for w in found.group(1).split() if (label_of(w) or ("", ""))[1] == "mood"]
        low = low[:found.start()] + " , " + " ".join(moods) + " , " + low[found.end():]
    return low, list(dict.fromkeys(m.group(1) for m in named))


def _occasion_music(slots: Slots) -> None:
    """What plays for the occasion named: its styles when no style was named word for word, its moods when the moods
    named are among them (or none was), its energy and its mode when none was said."""
    if slots.occasion is None:
        return
    occasion, said = lexicon.OCCASIONS[slots.occasion], f"'{slots.occasion}' (what it is for)"
    if not slots.genres:
        for label, weight in occasion.genres.items():
            if label not in slots.avoid:
                _put(slots.genres, label, weight)
                slots.reasons.setdefault(label, said)
    if set(slots.moods) <= set(occasion.moods):
        for label, weight in occasion.moods.items():
            if label not in slots.avoid and label not in slots.moods:
                _put(slots.moods, label, weight)
                slots.reasons.setdefault(label, said)
    if slots.energy is None:
        slots.energy = occasion.energy
    if occasion.mode and slots.mode is None and slots.key is None:
        slots.mode = occasion.mode
        slots.reasons.setdefault(occasion.mode, said)


def chosen_for_occasion(slots: Slots) -> bool:
    """Whether the occasion named chose the style (no style was named), which the reply then says."""
    return slots.occasion is not None and bool(slots.genres) and all(
        slots.reasons.get(g, "").endswith("(what it is for)") for g in slots.genres)


def _read_labels(low: str, slots: Slots, meaning: bool, original: str) -> None:
    """Wanted labels word by word (longest phrase first), energy words, and the rest by meaning or as themes."""
    soft: dict[str, float] = {}
    for m in _SOFT.finditer(low):
        for phrase in (m.group(1), m.group(1).split()[0]):
            found = label_of(phrase)
            if found:
                soft[found[0]] = SOFT_WEIGHT
                low = low.replace(m.group(0), " " + phrase + " ", 1)
                break
    low = _read_artists(low, slots)
    low, occasions = _read_occasion(low, slots)
    words = re.findall(r"[a-z0-9&'\-]+", low)
    used = [False] * len(words)
    energies: list[float] = []
    for n in (3, 2, 1):
        for start in range(len(words) - n + 1):
            end = start + n
            if any(used[start:end]):
                continue
            phrase = " ".join(words[start:end])
            found = label_of(phrase)
            if found and found[0] not in slots.avoid:
                label, kind = found
                _put(_table(slots, kind), label, soft.get(label, 1.0))
                slots.reasons.setdefault(label, f"'{phrase}'")
                used[start:end] = [True] * n
                if phrase in ENERGY_WORDS or phrase in TEMPO_WORDS:
                    energies.append(ENERGY_WORDS.get(phrase, TEMPO_WORDS.get(phrase, 0.5)))
            elif n == 1 and (phrase in ENERGY_WORDS or phrase in TEMPO_WORDS):
                energies.append(ENERGY_WORDS.get(phrase, TEMPO_WORDS.get(phrase, 0.5)))
                slots.reasons[f"energy:{phrase}"] = f"'{phrase}'"
                used[start] = phrase not in _DESCRIPTION_WORDS  # 'dreamy' also goes on to the meaning match
    if energies:
        slots.energy = round(float(np.mean(energies)), 3)
    if not slots.genres and slots.groove:  # 'a trap beat', 'a breakbeat track': the style whose groove it is
        style = next(iter(GROOVE_WORDS[slots.groove]))
        if style not in slots.avoid:
            _put(slots.genres, style, 0.8)
            slots.groove_genre = style
            slots.reasons.setdefault(style, f"'{slots.groove}' ({'an' if style[0] in 'aeiou' else 'a'} {style} groove)")
    _occasion_music(slots)
    if not slots.genres:
        for word in [w for w in words if w in GENRE_IF_ALONE]:
            if GENRE_IF_ALONE[word] not in slots.avoid:
                _put(slots.genres, GENRE_IF_ALONE[word], 0.8)
                slots.reasons.setdefault(GENRE_IF_ALONE[word], f"'{word}' (no other genre named)")
    said_for = _AUDIENCE.search(low)
    if said_for and not slots.genres and slots.liked is None and not slots.refers:  # a request, not a rating
        slots.audience = said_for.group(1)
        genres, moods, energy, _ = AUDIENCES[AUDIENCE_OF[slots.audience]]
        for label, weight in genres.items():
            if label not in slots.avoid:
                _put(slots.genres, label, weight)
                slots.reasons.setdefault(label, f"'{slots.audience}' (who it is for)")
        for label, weight in moods.items():
            if label not in slots.avoid and not slots.moods:
                _put(slots.moods, label, weight)
        slots.energy = energy if slots.energy is None else slots.energy
    leftovers = [w for i, w in enumerate(words) if not used[i] and w not in STOPWORDS and not w[0].isdigit()
                 and len(w) > 2 and w not in ("minor", "major", "bpm") and w not in ORDINALS
                 and not w.startswith("-")]  # 'like the second one' says which, not what
    if meaning and leftovers:
        for word, ranked in zip(leftovers, similar_labels(leftovers)):
            label, sim = ranked[0]
            if sim < EMBED_THRESHOLD or label in slots.avoid:
                slots.themes.append(word)
                continue
            from tools.genres import ALL_LABELS

            _put(_table(slots, ALL_LABELS[label]), label, round(min(1.0, 0.5 + (sim - EMBED_THRESHOLD)), 3))
            slots.reasons.setdefault(label, f"'{word}' (similar, {sim:.2f})")
            if sim < 0.9:
                slots.themes.append(word)  # a loose match still says something about the piece ('night')
    else:
        slots.themes = leftovers
    # the occasion is what the piece is about too ('songs about summer and the sea', a rapped halloween hook)
    slots.themes = [*occasions, *(t for t in slots.themes if t not in occasions)]
    # instruments that carry a genre with them ('a synth track' is electronic, at least in part)
    for instrument, genre in IMPLIED_GENRE.items():
        wanted = slots.instruments.get(instrument, 0) >= 0.5 and genre not in slots.avoid
        if wanted and genre not in slots.genres and (instrument in ("synth", "sitar") or not slots.genres):
            _put(slots.genres, genre, 0.6)
            slots.reasons.setdefault(genre, f"implied by {instrument}")
    # no genre named or implied word by word, but words about the music are left ('a song for my wedding'):
    # the whole sentence's nearest genres, weighted by similarity. A request with no such words ('make me
    # something like these', '6 seconds') names no genre, and gets none.
    if not slots.genres and meaning and leftovers:
        ranked = [(g, s) for g, s in similar_labels([original])[0] if g in GENRES and g not in slots.avoid][:2]
        if ranked and ranked[0][1] >= WHOLE_TEXT_FLOOR:
            top = ranked[0][1]
            for g, s in ranked:
                if s >= top - 0.08:
                    _put(slots.genres, g, round(s / top, 3))
                    slots.reasons.setdefault(g, f"whole text (similar, {s:.2f})")


def read_slots(text: str, meaning: bool = False) -> Slots:
    """Every slot one message fills. `meaning=True` also matches other words to labels by embedding
    similarity (and falls back to the whole sentence's nearest genres); it loads the text model."""
    slots = Slots()
    said = " " + correct(text) + " "
    low = said
    if _DISLIKED.search(low):
        slots.liked = False
    elif _LIKED.search(low):
        slots.liked = True
    low = re.sub(r"\bsynth-?pop\b", "synth pop", low)  # one word: the pop was lost, only 'electronic' found
    low = _read_numbers(low, slots)
    low = _read_key(text, low, slots)
    _read_named_piece(low, slots)
    _read_references(low, slots)
    low = _read_parts(low, slots)
    low, energy_cap = _read_not_too(low, slots)
    low = _read_changes(low, slots)
    low = _read_removals(low, slots)
    low = _I_LIKE.sub(" , ", low)
    low = _A_PLACE.sub(" home ", low)
    low = _read_groove(low, slots)
    _read_labels(low, slots, meaning, text)
    _no_rap_is_no_vocals(low, slots)
    for label in slots.avoid:
        for table in (slots.genres, slots.moods, slots.instruments):
            table.pop(label, None)
    if energy_cap is not None:
        slots.energy = min(slots.energy if slots.energy is not None else 0.5, energy_cap)
    if _HABIT.search(low):
        _habit_not_change(slots)
    _era_sound(slots)
    _epic_is_minor(low, slots)
    _read_solo(low, slots, text)
    _read_band(said, slots)  # (the words as said: the changes above take "add a funk band")
    return slots


_EPIC = re.compile(r"\b(?:epic|trailer)\b")
_BRIGHT_MOODS = ("happy", "energetic", "party")


def _epic_is_minor(low: str, slots: Slots) -> None:
    """'epic trailer music' came out in D major: film-trailer epics are minor, unless a mode or a happy mood is said
    ('an epic happy anthem')."""
    if slots.mode is None and slots.key is None and _EPIC.search(low) and slots.liked is None and \
            not any(m in slots.moods for m in _BRIGHT_MOODS) and not slots.more:
        slots.mode = "minor"
        slots.reasons.setdefault("minor", f"'{_EPIC.search(low).group(0)}' (epic music is mostly minor)")


_RAP_WORD = re.compile(r"\brap(?:s|ping|ped|per|pers)?\b")
_HIP_HOP = re.compile(r"\bhip[- ]?hop\b")
_LEAVE_OUT = re.compile(r"'(?:no|without|minus|drop|lose|remove|cut|skip|less|ditch|take out|get rid of)\b")


def _no_rap_is_no_vocals(low: str, slots: Slots) -> None:
    """'a jazzy hip hop beat, no rapping': the rap is hip-hop's voice, so 'no rapping' leaves out the vocals, not
    the style (it left jazz alone, the hip-hop said beside it dropped)."""
    reason = slots.reasons.get("avoid hip-hop", "")
    if "hip-hop" not in slots.avoid or not _RAP_WORD.search(reason) or _HIP_HOP.search(reason) or \
            not _LEAVE_OUT.match(reason):  # 'I hate rap' is a taste: the style
        return
    slots.avoid = [a for a in slots.avoid if a != "hip-hop"] + ([] if "vocals" in slots.avoid else ["vocals"])
    slots.reasons["avoid vocals"] = slots.reasons.pop("avoid hip-hop")
    said = _HIP_HOP.search(low)
    if said:
        slots.genres["hip-hop"] = 1.0
        slots.reasons["hip-hop"] = f"'{said.group(0)}'"


# 'solo': the piece played by the instruments named and nothing else (a sound tag, like 'acoustic': tools.genres)
SOLO = "solo"
# who cannot play a piece alone here: the arranger's voices are sampled 'aahs' (a kit alone is a drum solo)
_NOT_SOLOISTS = {"vocals", "female vocals", "male vocals", "choir", "instrumental", "acoustic", SOLO}
_SOLO_ALWAYS = r"\bsolo\s+(?:\w+\s+)?{i}\b|\b{i}\s+(?:only|alone|on its own|by itself|unaccompanied)\b|" \
               r"\b(?:just|only)\s+(?:an?\s+|the\s+|one\s+)?{i}\b|\bunaccompanied\b"
# a piece for an instrument, said without a genre ('a piano piece', 'a cello sonata', 'music for guitar'); with a
# genre said, the band plays and the instrument leads ('a rock song with a guitar solo')
_SOLO_IF_NO_GENRE = r"\b{i}(?:\s+and\s+(?:the\s+)?(?:drums|{i}))?\s+(?:piece|sonata|etude|nocturne|prelude|recital|solo|duo|" \
                    r"duet)\b|\b(?:piece|music|something|sonata|duet|duo)\s+for\s+(?:solo\s+)?(?:an?\s+|the\s+)?{i}\b"
# a string quartet is its players alone: a violin on the tune, a viola and a cello (not an orchestra with timpani)
_STRING_QUARTET = re.compile(r"\bstring quartet\b(?!s)")


def _read_solo(low: str, slots: Slots, text: str = "") -> None:
    """'solo piano', 'just a guitar', 'a cello piece': the instruments named play alone (no band, no drums)."""
    # one quartet to play ('string quartets' is a kind of music to search for; the spelling pass singularises it)
    quartet = _STRING_QUARTET.search(low) if _STRING_QUARTET.search(text.lower() or low) else None
    genre_said = any(not slots.reasons.get(g, "").startswith(("whole text", "implied by")) and
                     not (quartet and _STRING_QUARTET.search(slots.reasons.get(g, ""))) for g in slots.genres)
    if found := quartet:  # with a genre said ('a rock song with a string quartet'): beside the band
        for label in ("violin", "viola", "cello") + (() if genre_said else (SOLO,)):
            slots.instruments.setdefault(label, 1.0)
            slots.reasons.setdefault(label, f"'{found.group(0)}'")
        if not genre_said:
            slots.genres = {"classical": 1.0}
            slots.reasons["classical"] = f"'{found.group(0)}'"
            return
        if slots.reasons.get("classical", "") == f"'{found.group(0)}'":  # the band's style, not an orchestra's
            slots.genres.pop("classical", None)
    phrases = [m.group(1) for label in slots.instruments if label not in _NOT_SOLOISTS
               for m in [re.match(r"'([^']+)'", slots.reasons.get(label, ""))] if m]
    if not phrases:
        return
    named = "(?:" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)) + ")"
    patterns = _SOLO_ALWAYS if genre_said else _SOLO_ALWAYS + "|" + _SOLO_IF_NO_GENRE
    found = re.search(patterns.format(i=named), low)
    if found:
        slots.instruments[SOLO] = 1.0
        slots.reasons[SOLO] = f"'{found.group(0).strip()}'"


# 'with a full band', 'add a band', 'bring in the band': a solo piece played by its style's band ('a jazz piece with a
# full band' asks for what a new piece has anyway)
_BAND = re.compile(r"\b(?:(?:with|add|bring in|bring back|get|have|use|plus|put)\s+(?:an?\s+|the\s+|some\s+)?"
                   r"(?:(?:full|whole|entire|complete|proper|real|backing|live)\s+)?(?:[a-z-]+\s+)?band|full[- ]band|"
                   r"backing band|band\s+(?:behind|under|around|beneath)\s+(?:it|this|that|the \w+))\b")
# ('add a funk band behind it': the band, in that style)
# 'without the band', 'lose the band': the piece played by the instruments it names alone (solo)
_NO_BAND = re.compile(r"\b(?:without|no|minus|lose|drop|ditch|cut|remove|get rid of|take out|take away)\s+"
                      r"(?:the\s+|a\s+|any\s+)?(?:(?:whole|full|backing)\s+)?band\b")


def _read_band(low: str, slots: Slots) -> None:
    if found := _NO_BAND.search(low):
        _add_more(slots, SOLO, 1.0, found.group(0).strip())
        return
    found = _BAND.search(low)
    names_music = slots.genres or slots.moods or slots.instruments
    if not found or SOLO in slots.instruments or (names_music and not slots.refers):  # a new piece has its band
        return
    _add_more(slots, SOLO, -1.0, found.group(0).strip())


# A decade's sound, where nothing else says what to play: the style its records are remembered by, and the
# instrument that dates them ('make it more 80s': synths; 'an 80s song': synth-pop; 'an 80s rock song' stays rock)
ERA_SOUND = {"50s": ("rock", "piano"), "60s": ("soul", None), "70s": ("funk", None), "80s": ("pop", "synth"),
             "90s": ("dance", "synth")}


def _era_sound(slots: Slots) -> None:
    era = re.sub(r"^(?:19|')", "", slots.era or "")
    if era not in ERA_SOUND:
        return
    genre, instrument = ERA_SOUND[era]
    reason = f"'{slots.era}' (no other genre named)"
    if slots.is_change() or slots.refers:  # the piece in hand, dated: its instrument, not another style
        if instrument and instrument not in slots.more:
            _add_more(slots, instrument, 0.3, slots.era)
        return
    if not any(not r.startswith("whole text") for label, r in slots.reasons.items() if label in slots.genres):
        slots.genres = {genre: 0.8}
        slots.reasons[genre] = reason
        if instrument:
            slots.instruments.setdefault(instrument, 0.6)


# 'music for cleaning the house', 'a party at my house': a place, not house music ('the house track' is the music)
_A_PLACE = re.compile(r"\b(?:the|my|our|your|his|her|their|grandma's|mom's|mum's|dad's)\s+(?:whole\s+|entire\s+|new\s+)?"
                      r"house\b(?!\s*(?:music|tracks?|beats?|songs?|tunes?|mix|one|piece|version|style|vibes?|groove|"
                      r"feel|sound))")
# what someone usually likes, not a change to the piece in hand: 'i prefer slower stuff usually', 'i generally go
# for faster music' ('i like it slower', 'i prefer the slower one' are about a piece)
_HABIT = re.compile(r"^\W*(?:and |also |well,? |so |honestly,? )?i(?:'m| am)?(?: really| mostly| usually| generally| "
                    r"normally| typically| tend to| always)? (?:like|love|enjoy|prefer|listen to|go for)\b"
                    r"(?!\s+(?:it|this|that|them|these|those|the|one)\b)(?!.*\b(?:it|this|that|one)\b)")


def _habit_not_change(slots: Slots) -> None:
    """A taste said with a comparative ('slower stuff', 'faster music') is a taste for slow or fast music."""
    if slots.tempo_factor:
        slots.energy = TEMPO_WORDS["slow"] if slots.tempo_factor < 1 else TEMPO_WORDS["fast"]
        slots.tempo_factor = None
    if slots.energy_delta:
        base = slots.energy if slots.energy is not None else 0.5
        slots.energy = min(1.0, max(0.0, base + slots.energy_delta))
        slots.energy_delta = None
