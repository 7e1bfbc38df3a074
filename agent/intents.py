"""What a chat message asks for: its intent and its slots, read deterministically.

The offline planner (agent.planner) turns these into tool calls, and the
refine tool uses `parse_change` so that "more jazz" means the same thing
whichever brain (planner or LLM) asked for it. Words are understood through
the unified vocabulary of tools.genres.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tools.genres import ALL_LABELS, SYNONYMS

# Intents, in the order they are tried (the first that matches wins).
GREETING, HELP, REFUSE_FILE, FEEDBACK, ADD, DESCRIBE, TASTE, SIMILAR, SEARCH = (
    "greeting", "help", "refuse_file", "feedback", "add_to_library", "describe", "taste", "similar", "search",
)
MAKE_LIKE, MAKE, REFINE, UNKNOWN = "make_like", "make", "refine", "unknown"

NUMBER_WORDS = {"one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "a couple of": 2}

# Every phrase the vocabulary knows (labels and synonyms), longest first so "hip hop" wins over "hip".
_PHRASES: dict[str, str] = {label: label for label in ALL_LABELS}
_PHRASES.update({word: label for word, label in SYNONYMS.items() if label in ALL_LABELS})
_PHRASE_RE = re.compile(
    r"\b(" + "|".join(re.escape(p) for p in sorted(_PHRASES, key=len, reverse=True)) + r")s?\b", re.IGNORECASE
)
_NEGATION_RE = re.compile(r"\b(?:no|without|not|never|avoid|minus|zero)\s+(?:any\s+|the\s+|too\s+much\s+)?$")


@dataclass
class Slots:
    """Everything a request can specify about the music (all optional)."""

    genres: dict[str, float] = field(default_factory=dict)
    moods: dict[str, float] = field(default_factory=dict)
    instruments: dict[str, float] = field(default_factory=dict)
    avoid: list[str] = field(default_factory=list)
    tempo: float | None = None
    seconds: float | None = None
    engine: str | None = None
    candidates: int | None = None
    max_iters: int | None = None

    def is_empty(self) -> bool:
        return not (self.genres or self.moods or self.instruments or self.avoid or self.tempo or self.seconds)


@dataclass
class Change:
    """A refinement of the last piece: label deltas, a tempo factor, energy, length, a new seed."""

    genres: dict[str, float] = field(default_factory=dict)
    moods: dict[str, float] = field(default_factory=dict)
    instruments: dict[str, float] = field(default_factory=dict)
    tempo_factor: float = 1.0
    tempo: float | None = None
    energy: float = 0.0
    seconds: float | None = None
    seconds_factor: float = 1.0
    new_seed: bool = True
    like_last: bool = False

    def is_empty(self) -> bool:
        return not (
            self.genres or self.moods or self.instruments or self.tempo or self.energy or self.seconds
            or self.tempo_factor != 1.0 or self.seconds_factor != 1.0 or self.like_last
        )


@dataclass
class Parsed:
    intent: str
    slots: Slots
    text: str
    liked: bool | None = None  # feedback only


def _labels_with_context(text: str) -> list[tuple[str, str, str]]:
    """(label, kind, the text just before it) for each vocabulary word in the text."""
    found = []
    for m in _PHRASE_RE.finditer(text):
        label = _PHRASES[m.group(1).lower()]
        found.append((label, ALL_LABELS[label], text[max(0, m.start() - 24) : m.start()].lower()))
    return found


def parse_slots(text: str) -> Slots:
    """Genres, moods, instruments (and what to avoid), tempo, duration, engine and candidates."""
    slots = Slots()
    lowered = text.lower()
    for label, kind, before in _labels_with_context(text):
        if _NEGATION_RE.search(before):
            if label not in slots.avoid:
                slots.avoid.append(label)
            continue
        weight = 0.6 if re.search(r"\b(?:a bit of|a little|slightly|some|hint of|touch of)\s+$", before) else 1.0
        table = {"genre": slots.genres, "mood": slots.moods, "instrument": slots.instruments}[kind]
        table[label] = max(table.get(label, 0.0), weight)
    if m := re.search(r"(\d{2,3})\s*(?:bpm|beats per minute)", lowered):
        slots.tempo = float(m.group(1))
    if m := re.search(r"(\d+(?:\.\d+)?)\s*(?:-\s*)?(seconds?|secs?|s|minutes?|mins?)\b", lowered):
        value = float(m.group(1))
        slots.seconds = value * 60 if m.group(2).startswith("m") else value
    elif re.search(r"\bhalf a minute\b", lowered):
        slots.seconds = 30.0
    elif re.search(r"\ba minute\b", lowered):
        slots.seconds = 60.0
    if re.search(r"\bmusic\s*gen\b|\bmusicgen\b", lowered):
        slots.engine = "musicgen"
    elif re.search(r"\bsketch\b", lowered):
        slots.engine = "sketch"
    number = r"(\d+|" + "|".join(k for k in NUMBER_WORDS if len(k) > 2) + r")"
    if m := re.search(number + r"\s+(?:candidates?|versions?|options?|variations?|takes?)\b", lowered):
        raw = m.group(1)
        slots.candidates = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
    if m := re.search(r"(?:at most |up to )?" + number + r"\s+(?:rounds|iterations|attempts|tries)\b", lowered):
        raw = m.group(1)
        slots.max_iters = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
    return slots


_REFINE_START = re.compile(
    r"^(?:(?:please|ok|okay|now|and|hmm|nice|good|great|cool)[,!.]?\s+)*(?:(?:can you |could you )?make it\s+|"
    r"(?:try|do|play|give me)\s+)?(?:a bit |a little |much |way |even |slightly )?"
    r"(more|less|fewer|faster|slower|quicker|shorter|longer|louder|softer|quieter|calmer|"
    r"heavier|lighter|darker|brighter|happier|sadder|another|again|different|add|drop|remove|"
    r"without|no|increase|decrease|speed|slow)\b"
)
_GREETING = re.compile(r"^\s*(hi|hello|hey|hiya|good (?:morning|afternoon|evening)|yo|howdy|greetings)\b[\s!.,]*\w{0,12}[\s!.]*$")
_HELP = re.compile(r"\b(help|what can you do|how do(?:es)? (?:this|it|you) work|what do you do|examples?|commands?)\b")
_PATH = re.compile(r"(?:^|\s)(?:~|\.{1,2})?/(?:[\w.-]+/)*[\w.-]+|\b[a-z]:\\|\.\./")
_FILE_VERB = re.compile(r"\b(read|open|load|cat|show|print|use|tag|analy[sz]e|fetch|import|upload|attach)\b")
_LIKE = re.compile(
    r"\b(i (?:really )?(?:like|love|enjoy|dig) (?:it|this|that)|(?:love|like) it|this is (?:great|good|nice|lovely)|"
    r"(?:great|nice|lovely|awesome|amazing|perfect|beautiful) (?:one|piece|track|song|job)?\s*[!.]*$|thumbs up|👍)"
)
_DISLIKE = re.compile(
    r"\b(i (?:don'?t|do not) (?:like|love|enjoy)|dislike|hate (?:it|this|that)|not (?:good|great|nice|my thing)|"
    r"(?:awful|terrible|bad|boring|horrible)\b|thumbs down)|👎"
)
_ADD = re.compile(r"\b(add|save|put|store|keep)\b.*\b(library|collection)\b|\bsave (?:it|this|that)\b")
_DESCRIBE = re.compile(
    r"\b(what(?:'s| is| are)? (?:this|that|these|those|it|they|my)|which genres?|what genres?|what kind|what style|"
    r"identify|classify|tag (?:it|this|these|them|my)|analy[sz]e|describe (?:it|this|these|them|my)|sounds? like what|"
    r"recogni[sz]e)\b"
)
_TASTE = re.compile(
    r"\b(my taste|what do i like|my profile|taste profile|what i like|my style|what kind of music do i|"
    r"my preferences|what('s| is) my)\b"
)
_TASTE_STATEMENT = re.compile(
    r"^(?:and |also |well,? )?i(?: really| mostly| usually)? (?:like|love|enjoy|prefer|adore|dig|am into|'m into|"
    r"listen to|can't stand|hate|dislike|don't like)\b"
)
_SIMILAR = re.compile(r"\b(similar|sounds? like (?:this|it|that|these|my)|like this one in|resembl|closest|nearest)\b")
_SEARCH = re.compile(
    r"\b(search|look for|look up|find|show me|list|any|do you have|pieces? by|works? by|songs? by|tracks? by|"
    r"in the library|from the library|library)\b"
)
_MAKE = re.compile(
    r"\b(make|create|compose|generate|write|produce|play me|give me|build|render|i want|i'd like|i would like|"
    r"can i (?:get|have)|something|a track|a song|a piece|a tune|music for)\b"
)
_LIKE_THESE = re.compile(
    r"\b(like (?:these|those|them|this|that|it|my (?:songs?|tracks?|uploads?|music|clips?|files?))|"
    r"(?:from|based on|matching|for|fits?|with) my taste|in (?:that|the same|this|their) (?:style|vein|spirit)|"
    r"similar to (?:these|those|them|this|my))\b"
)


def parse(text: str) -> Parsed:
    """The intent of one message, with its slots."""
    clean = " ".join(text.strip().split())
    low = clean.lower()
    slots = parse_slots(clean)
    if not low:
        return Parsed(HELP, slots, clean)
    if _PATH.search(clean) and _FILE_VERB.search(low):
        return Parsed(REFUSE_FILE, slots, clean)
    if _GREETING.match(low):
        return Parsed(GREETING, slots, clean)
    if _HELP.search(low) and not _MAKE.search(low.replace("help", "")) and len(low) < 60:
        return Parsed(HELP, slots, clean)
    if _ADD.search(low):
        return Parsed(ADD, slots, clean)
    if _DISLIKE.search(low) and len(low) < 60:
        return Parsed(FEEDBACK, slots, clean, liked=False)
    if _LIKE.search(low) and len(low) < 60 and not _MAKE_VERB.search(low):
        return Parsed(FEEDBACK, slots, clean, liked=True)
    if _REFINE_START.search(low) or re.fullmatch(r"(?:one )?more like (?:this|that|it)[!.]*", low):
        return Parsed(REFINE, slots, clean)
    if _TASTE.search(low) and not _MAKE_VERB.search(low):
        return Parsed(TASTE, slots, clean)
    if _TASTE_STATEMENT.search(low) and not slots.is_empty() and not _MAKE_VERB.search(low):
        return Parsed(TASTE, slots, clean)  # "I love mellow jazz with piano": words for the profile
    if _DESCRIBE.search(low) and not _MAKE_VERB.search(low):
        return Parsed(DESCRIBE, slots, clean)
    if _SIMILAR.search(low) and not _MAKE_VERB.search(low):
        return Parsed(SIMILAR, slots, clean)
    if _MAKE_VERB.search(low) or (_MAKE.search(low) and not _SEARCH.search(low)):
        return Parsed(MAKE_LIKE if _LIKE_THESE.search(low) else MAKE, slots, clean)
    if _SEARCH.search(low):
        return Parsed(SEARCH, slots, clean)
    if not slots.is_empty():  # "jazz, 90 bpm" on its own: a request for music
        return Parsed(MAKE, slots, clean)
    return Parsed(UNKNOWN, slots, clean)


_MAKE_VERB = re.compile(r"\b(make|create|compose|generate|write|produce|play me|render)\b(?! it\b)")

_TEMPO_WORDS = {
    "faster": 1.2, "quicker": 1.2, "speed up": 1.2, "speed it up": 1.2, "slower": 0.83, "slow down": 0.83,
    "slow it down": 0.83, "more tempo": 1.2, "less tempo": 0.83,
}
_ENERGY_WORDS = {
    "more energetic": 0.25, "more energy": 0.25, "louder": 0.2, "heavier": 0.2, "more intense": 0.25,
    "more upbeat": 0.25, "more lively": 0.25, "punchier": 0.2, "less energetic": -0.25, "less energy": -0.25,
    "calmer": -0.25, "softer": -0.2, "quieter": -0.2, "gentler": -0.2, "more relaxed": -0.25, "lighter": -0.15,
    "more chill": -0.25, "less intense": -0.25,
}
_MOOD_WORDS = {"darker": "dark", "sadder": "sad", "happier": "happy", "brighter": "happy", "calmer": "calm",
               "more energetic": "energetic", "more upbeat": "energetic", "mellower": "mellow"}


def parse_change(text: str) -> Change:
    """A refinement ("more jazz", "faster", "less drums", "another one", "more energetic", "30 seconds")."""
    low = " " + " ".join(text.lower().split()) + " "
    change = Change()
    for phrase, factor in _TEMPO_WORDS.items():
        if f" {phrase} " in low or f" {phrase}!" in low or f" {phrase}." in low:
            change.tempo_factor *= factor
    for phrase, delta in _ENERGY_WORDS.items():
        if phrase in low:
            change.energy += delta
    for phrase, mood in _MOOD_WORDS.items():
        if phrase in low:
            sign = -1.0 if mood in ("energetic",) and "less" in phrase else 1.0
            change.moods[mood] = change.moods.get(mood, 0.0) + 0.3 * sign
    for label, kind, before in _labels_with_context(text):
        before = before.strip()
        if re.search(r"\b(?:less|fewer|no|without|drop|remove|minus|lose|not so much|not as much)(?:\s+\w+)?$", before):
            delta = -1.0 if re.search(r"\b(?:no|without|drop|remove|lose)(?:\s+\w+)?$", before) else -0.3
        else:
            delta = 0.3 if not re.search(r"\b(?:lots of|much more|way more|a lot more|heavy on)$", before) else 0.5
        if label == "energetic" and delta > 0:
            continue  # counted as energy above
        table = {"genre": change.genres, "mood": change.moods, "instrument": change.instruments}[kind]
        table[label] = table.get(label, 0.0) + delta
    drums = change.instruments.get("drums", 0.0)
    if -1.0 < drums < 0 or drums > 0:  # busier or sparser drums: the arrangement follows energy
        change.energy += -0.2 if drums < 0 else 0.15
    slots = parse_slots(text)
    if slots.tempo:
        change.tempo = slots.tempo
    if slots.seconds:
        change.seconds = slots.seconds
    elif re.search(r"\blonger\b", low):
        change.seconds_factor = 1.5
    elif re.search(r"\bshorter\b", low):
        change.seconds_factor = 0.67
    change.like_last = bool(re.search(r"\bmore like (?:this|that|it)\b", low))
    return change


def attachment_note(items: list[tuple[str, str, float]]) -> str:
    """The line added to a user's message naming what they attached: [(upload id, file name, seconds)]."""
    return "Attached: " + "; ".join(f"{uid} ({name}, {secs:.1f} s)" for uid, name, secs in items)


_NOTE_RE = re.compile(r"^Attached: (.*)$", re.MULTILINE)
_NOTE_ITEM_RE = re.compile(r"\b(u\d+) \(")


def upload_ids_in(text: str) -> list[str]:
    """Upload ids named in a message's attachment note."""
    ids: list[str] = []
    for line in _NOTE_RE.findall(text):
        ids.extend(_NOTE_ITEM_RE.findall(line))
    return ids


def strip_note(text: str) -> str:
    """The user's own words, without the attachment note."""
    return _NOTE_RE.sub("", text).strip()
