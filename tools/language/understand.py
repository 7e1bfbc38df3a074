"""One message -> a Reading: its intent, its typed slots, how sure the reading is, and its language."""

from __future__ import annotations

from dataclasses import dataclass, field

from tools.language import foreign
from tools.language.intents import COMBINE, MAKE, MAKE_LIKE, REFINE, TASTE, UNKNOWN, route
from tools.language.slots import Slots, read_slots
from tools.language.spelling import correct
from tools.language.words import not_so

# intents whose words describe the music to make: other words are matched to labels by meaning too
DESCRIBES_MUSIC = (MAKE, MAKE_LIKE, TASTE, COMBINE)


@dataclass
class Reading:
    text: str  # as typed
    intent: str
    slots: Slots
    confidence: float = 1.0
    via: str = "cue"  # how the intent was decided: cue, example, words, language or none
    corrected: str = ""  # the words the parser read (typos and shorthand fixed)
    guess: str | None = None  # for UNKNOWN: the nearest intent, to suggest something concrete
    understood: list[str] = field(default_factory=list)  # a non-English message's words that were understood

    @property
    def language(self) -> str | None:
        return self.slots.language


def understand(text: str, use_examples: bool = True) -> Reading:
    """Read one message. `use_examples=False` skips the text model (cue rules only)."""
    clean = " ".join(text.strip().split())
    read = foreign.read_change(clean)
    if read:  # 'plus rapide', 'schneller bitte': a change of the piece in hand ('rapide' is not 'rapped')
        change, other_language = read
        slots = read_slots(change)
        # said in which language: two words are too few for detect(), but 'langsamer' is no English word
        slots.language = (foreign.detect(clean) or foreign.likeliest(clean)) if other_language else None
        return Reading(clean, REFINE, slots, 0.6, "language", change, understood=change.split())
    language = foreign.detect(clean)
    if language:
        words = foreign.music_words(clean)
        slots = read_slots(" ".join(words))
        slots.language = language
        intent = MAKE if slots.names_music() else UNKNOWN
        return Reading(clean, intent, slots, 0.5, "language", " ".join(words), understood=words)
    typed, clean = clean, not_so(clean)  # 'not quite so loud' is read as 'quieter'
    corrected = correct(clean)
    slots = read_slots(clean)
    where = route(corrected, slots, use_examples=use_examples)
    if where.intent in DESCRIBES_MUSIC and use_examples:
        slots = read_slots(clean, meaning=True)
    return Reading(typed, where.intent, slots, where.confidence, where.via, corrected, where.guess)
