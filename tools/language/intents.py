"""What a message asks for: a table of intents, each with the cues that mark it and labelled examples.

Routing is by score, not by order: every intent's cues are tried, the strongest wins. A message no cue
marks clearly goes to the nearest labelled example by sentence-embedding similarity (all-MiniLM,
tools.embeddings). A new intent is a new row: its name, its cues (pattern, strength) and a few examples
people would type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tools.language.meaning import Nearest
from tools.language.slots import SOUNDS_BAD, Slots
from tools.language.spelling import FORMAT_WORDS

GREETING, HELP, REFUSE_FILE, FEEDBACK, ADD, DESCRIBE, TASTE, SIMILAR, SEARCH = (
    "greeting", "help", "refuse_file", "feedback", "add_to_library", "describe", "taste", "similar", "search",
)
MAKE_LIKE, MAKE, REFINE, EXPLAIN, COMBINE, UNKNOWN = (
    "make_like", "make", "refine", "explain", "combine", "unknown",
)
PLAY = "play"  # a piece already made (or a track found), again
PIECES = "pieces"  # the pieces made in this chat so far
NAME = "name"  # a name given to a piece ('name it Blue Morning'): it is saved to the library under it
MY_MUSIC = "my_music"  # the person's own music played: this chat's pieces and what they saved ('play my music')
RADIO, PLAYLIST = "radio", "playlist"  # music that keeps coming: a station, or an ordered list saved to keep
THANKS = "thanks"
DOWNLOAD = "download"  # how to keep a piece's file
FILE_FORMATS = "|".join(FORMAT_WORDS)
PLAYBACK = "playback"  # pause, resume, stop when no station plays: the player under each piece does that
OUT_OF_SCOPE = "out_of_scope"  # examples of what Tastemaker does not do; routes to UNKNOWN

CUE_FLOOR = 0.5  # a cue weaker than this is not enough on its own
EXAMPLE_FLOOR = 0.62  # cosine similarity the nearest labelled example needs to be taken
GUESS_FLOOR = 0.45  # below this, not even a guess is worth offering

_MAKE_VERB = (r"\b(?:make|create|compose|generate|write|produce|play me|render|build|give me|i want|i'd like|"
              r"i would like|can i (?:get|have)|could i (?:get|have)|let's have|how about)\b")
_LIKE_THESE = (r"\b(?:like (?:these|those|them|this|that|it|dis|mine|g\d+|the (?:first|second|third|last) one|"
               r"my (?:songs?|tracks?|uploads?|music|clips?|files?))|(?:from|based on|matching|for|fits?|with) "
               r"my taste|in (?:that|the same|this|their|my) (?:style|vein|spirit)|in the (?:style|vein|spirit) of (?:these|those|"
               r"them|this|that|it|my (?:songs?|tracks?|uploads?|music|clips?|files?))|similar to (?:these|those|them|"
               r"this|that|it|my))\b")

# going back to the piece before ('undo that', 'the previous one'): said, and the planner plays that piece
GO_BACK = r"\b(?:undo|revert|go back)\b"  # a change taken back: the piece it changed
PREVIOUS = r"\b(?:one before|previous one|previous piece|one before that)\b"  # the piece made before the one in hand
UNDO = f"{GO_BACK}|{PREVIOUS}"  # either: the play that goes back says so

# a polite way into a request: 'could you possibly make it slower', 'is it possible to make it faster?'
_POLITELY = (r"(?:(?:(?:can|could|would|will) (?:you|u)(?: please| possibly| maybe| perhaps| just)?|(?:is|would) it "
             r"(?:be )?possible to|do you think you could|why not|why (?:don'?t|dont) (?:you|u))\s+)?")

_GOODBYE = (r"(?:bye|goodbye|good bye|bye bye|see (?:you|ya)(?: later)?|later|that'?s all(?: for now)?|good ?night|"
            r"(?:let'?s )?call it a (?:day|night))\b")


def says_goodbye(text: str) -> bool:
    return re.search(_GOODBYE, text) is not None


# 'can I have the first one but in minor': that piece, changed (not a new piece, though 'can I have' asks for one)
# a mild no before a change ('meh, make it slower', 'not quite, make it darker'): the change is to the piece in hand
_MILD_NO = r"meh|nope|not quite(?: right| it| there)?"
_ONE_BUT_CHANGED = (r"\b(?:the (?:first|second|third|fourth|fifth|last|previous|1st|2nd|3rd|4th|5th) one|g\d+|that one|"
                    r"this one) but (?:in|with|without|more|less|faster|slower|louder|softer|quieter|calmer|heavier|"
                    r"darker|brighter|shorter|longer|happier|sadder|no|a bit|a little|slightly|much)\b")

# 'a version without the guitar', 'get rid of the strings': a part taken out of the piece in hand
_PART_TAKEN_OUT = (r"\b(?:a|another) (?:version|take|one) (?:of (?:it|this|that) )?(?:without|with no|minus)\b|"
                   r"^(?:(?:ok|okay|now|and|but|please|hmm)[,!.]*\s+)*(?:(?:can|could) you\s+)?(?:please\s+)?"
                   r"(?:get rid of|take out|remove|drop|lose|cut|kill|ditch|mute) the \w+")

# 'turn it up', 'volume down': the player's volume, not the music ('louder' alone is more drive, a change)
VOLUME = (r"^(?:(?:ok|okay|please|now|hey|can you|could you)\W+)*(?:turn (?:it|this|that|the (?:music|volume|sound)) "
          r"(?:up|down)|turn (?:up|down) the (?:volume|music|sound)|(?:the )?volume (?:up|down)|(?:raise|lower|increase|"
          r"decrease) the volume|crank it(?: up)?)(?: a (?:bit|little|lot))?(?: please)?\W*$")

# a time signature other than 4/4, which the sketch engine does not write: 'turn it into a waltz', 'in 6/8'
METER = (r"\b(?:waltz(?:es)?|jigs?|(?:3|5|6|7|9|12)/(?:4|8)|(?:three|five|six|seven|nine|twelve)[- ](?:four|eight)|"
         r"odd (?:time|meters?)|(?:a |another |different )?time signature|triple (?:time|meter)|compound (?:time|meter))")
# a change of key inside the piece, which the sketch engine does not write: 'a piece with a key change', 'modulate'
KEY_CHANGE = (r"\b(?:key ?changes?|changes? (?:of )?key(?:s)? (?:in|during|half ?way|mid)|modulat(?:e|es|ed|ing|ion)s?|"
              r"truck ?driver'?s? (?:gear )?change)\b")
# 'is it in 3/4?', 'is this a waltz?': a question about the piece's meter, not a request
METER_QUESTION = r"^(?:(?:so|and|hmm|wait|ok|okay)\W+)*(?:is|was|isn'?t)\s+(?:it|this|that|this one|that one|g\d+)\b"

_CAN_IT_BE = r"^(?:(?:ok|okay|so|and|hmm|but|now)\W+)*(?:can|could) (?:it|this|that|this one|that one) (?:be|have|go)\b"

# one piece played over and over, which the player does, not the chat: 'loop it', 'play it on repeat' ('what did the
# loop hear' is the classifier loop; 'keep the music coming' is a station)
LOOP = (r"\b(?:loop (?:it|this|that|g\d+|the (?:song|piece|track|tune|last one))|loop(?:ed|ing)? (?:it|this|that)|"
        r"(?:put|play|have|set|keep|leave) (?:it|this|that|g\d+|the (?:song|piece|track|tune)) on (?:a )?"
        r"(?:loop|repeat)|(?:on|in) (?:a )?loop|on repeat(?! forever)|(?:repeat|replay|play) (?:it|this|that) "
        r"(?:over and over|again and again|forever|endlessly|non-?stop)|keep (?:playing|repeating) (?:it|this|that)"
        r"(?: one| song| piece)?\W*$|(?:make|can) (?:it|this|that) (?:a )?loop(?:able)?)\b|"
        r"^(?:(?:ok|okay|now|and|please)\W+)*(?:loop|on repeat)(?: (?:it|please|pls))*\W*$")

# the sound as a whole, not a part of it: 'it sounds like a video game', 'can it sound more real?'
SOUND_QUALITY = (r"\b(?:sounds?|sounding) (?:like (?:an? |some )?(?:video ?games?|midi|robots?|8-?bit|toys?|ringtones?|"
                 r"elevator music|a computer)|(?:so |really |too |kinda )?(?:fake|robotic|artificial|synthetic|plastic|"
                 r"cheap|computery))\b|\b(?:sound|be) (?:more )?(?:real|realistic|human|natural|organic)\b|\b(?:more|less) "
                 r"(?:real|realistic|robotic|fake|artificial|midi)\b|\brealer\b")

# about the assistant itself: 'who are you', 'is this AI', 'can you sing'
ABOUT = (r"^(?:(?:so|and|but|hey|hi|ok|okay)\W+)*(?:who|what) (?:are|r) (?:you|u)\W*$|\bare (?:you|u) (?:an? )?(?:ai|bot|"
         r"robot|human|real person|person|computer)\b|\bis (?:this|it|that) (?:made by |made with |written by )?(?:an? )?"
         r"(?:ai|bot|computer)\b|\b(?:can|do) (?:you|u) (?:sing|write lyrics)\b")

# naming or deleting a piece, which the chat cannot do yet: 'rename it to Rainy Day', 'delete that song'
_A_PIECE = (r"(?:it|this|that|this one|that one|g\d+|(?:the|this|that|my) (?:song|piece|track|tune|file|one)|"
            r"the (?:first|second|third|fourth|fifth|last|previous|other|\w+) (?:one|song|piece|track|tune))")
RENAME = (r"^(?:(?:ok|okay|please|now|and|can you|could you|let'?s)\W+)*(?:rename|retitle|re-?name|(?:call|name|title) "
          + _A_PIECE + r"\b(?! (?:more|less|a day|a night|quits)\b)|change (?:the|its|it's) (?:name|title))")
DELETE = (r"^(?:(?:ok|okay|please|now|and|can you|could you|just)\W+)*(?:delete|erase|trash|bin|throw away|get rid of|"
          r"remove) " + _A_PIECE + r"(?: (?:from|out of) (?:my |the )?(?:library|list|chat|collection))?(?: please)?\W*$")

# the person's own music: 'my music', 'my songs', 'my stuff', 'my library', 'what I made', 'the songs I saved'
_MINE = (r"(?:(?:all )?(?:of )?(?:my|our)(?: own)?(?: saved)? (?:music|songs?|tracks?|tunes?|pieces?|stuff|library|"
         r"collection|creations)|(?:what|everything|all(?: of)?(?: the)?(?: (?:music|songs|pieces|tracks|stuff))?|the "
         r"(?:music|songs?|pieces?|tracks?|stuff)|(?:something|anything)) (?:that )?(?:i|we|you)(?:'ve| have)? "
         r"(?:made|saved|created|kept|composed)(?: for me)?|(?:something|anything) (?:from|of|in) my (?:library|music|"
         r"songs|collection)|(?:something|anything) of mine)")
PLAYS_MINE = (r"^(?:(?:please|just|ok|okay|now|so|hey|and|can you|could you|can i|could i)\W+)*(?:play|replay|put on|"
              r"listen to|let me hear|i want to hear|hear)(?: me| back)?(?: all)? " + _MINE +
              r"(?: (?:again|for me|now|please|back|so far|today))*\W*$")
# 'list my music', 'show my songs', 'what songs do I have': the person's music listed (the library's overview, with
# this chat's pieces that are not saved); 'list the pieces' and 'what have you made?' stay this chat's pieces
LISTS_MINE = (r"\b(?:show|see|list|view)(?: me)?(?: all)?(?: of)? (?:my|our) (?:saved |own )?(?:music|songs|tracks|tunes|"
              r"pieces|stuff|collection)\b|\bwhat (?:music|songs|tracks|tunes|pieces) (?:do|did) (?:i|we) (?:have|own|"
              r"save|keep)\b")


# a piece named in 'name it ...', 'call the first one ...' (longest first: 'this one' before 'this')
_NAMED_PIECE = (r"(?:this one|that one|g\d+|(?:the|this|that|my) (?:song|piece|track|tune|file|one)|the (?:first|second|"
                r"third|fourth|fifth|last|previous|other|[a-z&'-]+) (?:one|song|piece|track|tune)|it|this|that)")


def naming(text: str) -> tuple[str | None, str | None]:
    """The piece and the name in 'name it Blue Morning', 'call g1 "Rainy Day"', 'rename the first one to X', 'change its
    name to X' (the name as typed, quotes and a closing 'please' off): (piece words or None, name or None)."""
    m = re.search(r"^(?:(?:ok|okay|please|now|and|so|can you|could you|let'?s|i'?d like to|i want to)\W+)*(?:re-?name|"
                  r"retitle|call|name|title)(?: (?P<piece>" + _NAMED_PIECE + r"))?(?:\s+(?:to|as|into|with the (?:name|"
                  r"title)))?\s*:?\s*(?P<title>.*?)\W*(?:\bplease\W*)?$|^(?:(?:ok|okay|please|now|and|can you|could you)"
                  r"\W+)*change (?:the|its|it's) (?:name|title)(?: of (?P<piece2>" + _NAMED_PIECE + r"))? to\s*(?P<title2>.*?)"
                  r"\W*(?:\bplease\W*)?$", text.strip(), re.IGNORECASE)
    if not m:
        return None, None
    title = (m.group("title") or m.group("title2") or "").strip().strip("\"'“”‘’").strip()[:TITLE_MAX].strip()
    return (m.group("piece") or m.group("piece2") or None), (title or None)


_THEN = r"(?:\s+(?:again|once more|one more time|please|now|for me|for us|thanks|thank you))*\W*$"


def played_words(text: str) -> str | None:
    """The words after 'play' ('play Blue Morning again please' -> 'Blue Morning', 'put Blue Morning on', 'I'd like
    to hear Blue Morning'): maybe a name the person gave."""
    m = re.search(r"^(?:(?:please|ok|okay|now|and|so|hey|can you|could you|would you|can i|could i|can we|could we)"
                  r"\W+)*(?:play|replay|put on|let me hear|let'?s hear|listen to|hear|queue(?: up)?|i want to hear|"
                  r"i wanna hear|i'?d like to hear|i would like to hear|i want to listen to|i'?d like to listen to)\s+"
                  r"(?P<words>.+?)" + _THEN, text.strip(), re.IGNORECASE)
    m = m or re.search(r"^(?:(?:please|ok|okay|now|and|so|can you|could you)\W+)*(?:put|stick|throw)\s+"
                       r"(?P<words>(?!(?:it|this|that|them|some|something|me|a|an|my)\b).+?)\s+on" + _THEN,
                       text.strip(), re.IGNORECASE)
    return m.group("words").strip("\"'“”‘’ ") if m else None


def liked_words(text: str) -> str | None:
    """The words after the last 'like' of a request for music like something ('make something like Blue Morning' ->
    'Blue Morning'): maybe a name the person gave."""
    m = re.search(r"\b(?:like|similar to|in the style of|based on)\s+(?P<words>(?:(?!\blike\b).)+?)(?:(?:,|\s+but|\s+only|"
                  r"\s+just)\s.*)?" + _THEN, text.strip(), re.IGNORECASE)
    return m.group("words").strip("\"'“”‘’ ") if m else None


def bare_title(text: str) -> str | None:
    """A message that may be a name alone ('Blue Morning please', 'Blue Morning again!'): its words, the courtesy off;
    None for a message that is long or a question."""
    words = re.sub(r"^(?:(?:ok|okay|now|and|so|hey|um|uh)\W+)*", "", text.strip(), flags=re.IGNORECASE)
    words = re.sub(_THEN, "", words, flags=re.IGNORECASE).strip("\"'“”‘’ ")
    if not words or "?" in text or len(words.split()) > 8:
        return None
    return words


# "I'd like it longer": the piece in hand, changed ('I'd like' asks for a new piece otherwise)
_WANT_IT_CHANGED = (r"\b(?:i'?d like|i want|i would like|can i have|could i have|give me) (?:it|this|that|this one|"
                    r"that one) (?:a bit |a little |much |way |even |slightly )?(?:more|less|faster|slower|quicker|"
                    r"shorter|longer|louder|softer|quieter|calmer|heavier|lighter|darker|brighter|happier|sadder|"
                    r"without|with|in)\b")

# 'save it as Rainy Monday': the title to file a piece under (the rest of the message, as typed)
_TITLED = r"(?:as|called|named|titled|under) \W*(?P<title>\w.*?)\W*(?:\bplease\W*)?$"
TITLE_MAX = 100  # characters of a title typed in the chat that are kept


def title_in(text: str) -> str | None:
    m = re.search(_TITLED, text, re.IGNORECASE)
    return m.group("title").strip()[:TITLE_MAX].strip() if m else None


# a yes/no question about a piece or song: 'does it have drums?', 'is it in minor?', 'is there a piano in it?', 'is
# g1 jazz?' (a question, not a request: 'can you make it have drums?' and 'could it be in minor?' change the piece)
_PIECE = r"(?:it|this|that|this one|that one|g\d+|the (?:song|piece|track|tune|last one|new one))"
ASKS_YES_NO = (r"^(?:(?:so|and|but|ok|okay|hmm|wait|also|just curious)\W+)*(?:(?:does|did|do) " + _PIECE +
               r" (?:have|has|use|feature|contain|include|got)\b|(?:is|was) " + _PIECE +
               r"(?! (?:possible|ok|okay|alright|fine|ready|done|finished|saved|too|over|playing)\b)(?: (?:in|a|an|"
               r"some|kind of|kinda|sort of|more|really))*\b|(?:is|are) there (?:an? |any |some )?[\w -]{2,30}? "
               r"(?:in|on) " + _PIECE + r"\b|(?:has|have) " + _PIECE + r" (?:got )?(?:an? |any )?\w)")
# 'is it slower than the first one?', 'is g2 darker than g1?', 'which is faster, g1 or g2?': a question comparing two
# pieces, not a change
_COMPARED_PIECE = (r"it|this|this one|that|that one|the new one|the (?:last|latest|newest) one|g\d+|"
                   r"the (?:first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th) one")
_HOW = (r"(?P<how>faster|quicker|slower|longer|shorter|darker|brighter|sadder|happier|calmer|heavier|louder|quieter|"
        r"softer|more energetic)")
_OPENING = r"^(?:(?:so|and|but|ok|okay|hmm|wait|also)\W+)*"
COMPARES = (_OPENING + r"(?:is|was|does|did) (?P<this>" + _COMPARED_PIECE + r")(?: (?:sound|run|go|play|feel))? "
            r"(?:(?:any|a bit|a little|much|even|really)\s+)?" + _HOW + r" than (?P<other>.+?)\W*$")
WHICH_IS = (_OPENING + r"(?:which|what)(?: one| piece| song)?(?: is| was|'s| sounds| runs)? " + _HOW +
            r"\W*\s*(?P<this>" + _COMPARED_PIECE + r") or (?P<other>" + _COMPARED_PIECE + r")\W*$")
# 'how does it compare to the first one?', 'how is g2 different from g1?', 'what's the difference between g1 and g2?',
# 'compare it with the first one': the two side by side, with no 'faster' or 'darker' asked (no group 'how')
_SIDE = r"(?P<this>" + _COMPARED_PIECE + r")"
_AGAINST = r"(?: (?:to|with|from|against|and|than) (?P<other>.+?))?\W*$"
_SIDE_BY_SIDE = tuple(re.compile(_OPENING + asked + _AGAINST) for asked in (
    r"how (?:does|did|do) " + _SIDE + r" (?:compare|stack up|measure up|differ)",
    r"how(?:'s| is| was) " + _SIDE + r" different",
    r"(?:(?:can|could) you |please )?compare (?!g\d+ )" + _SIDE,  # 'compare g1 and g2' stays the list of pieces
    r"what(?:'s|s| is| are)? (?:the )?differences? between " + _SIDE))


def compares_at_all(text: str) -> re.Match | None:
    """The match of a comparison that asks no 'faster' or 'darker' (no group 'how'), else None."""
    return next((m for pattern in _SIDE_BY_SIDE if (m := pattern.search(text))), None)


# what a question about a piece asks: its tempo, its key, its length, or yes or no about what is in it
# 'what groove is it?', "what's the rhythm?", 'what beat is this?', 'what time signature is it in?': how the piece lays
# the time down (a question: 'a hip hop beat' asks for music)
GROOVE_QUESTION = (r"\b(?:what|which|whats|what's)(?:'s| is| was)? (?:(?:kind|sort|type) of )?(?:the |its |this |that |"
                   r"it's )?(?:groove|grove|rhythm|beat|drum (?:pattern|beat|groove)|feel|time signature|meter|metre|"
                   r"pulse)s?\b(?! (?:for|to)\b)|\bhow (?:does|do) (?:it|this|that|the drums?) (?:groove|swing)\b|"
                   r"\b(?:describe|tell me(?: about)?) (?:the |its )?(?:groove|rhythm|beat)\b|"
                   r"^(?:so |and )?(?:is|was) (?:it|this|that|g\d+) (?:a |in )?(?:swung|swinging|swing|straight|in 4/4)\b|"
                   r"\bdoes (?:it|this|that|g\d+) swing\b")
_ASKS = (("compare", COMPARES), ("compare", WHICH_IS), *(("compare", p) for p in _SIDE_BY_SIDE), ("tempo", r"\b(?:bpm|tempo|how fast)\b"),
         ("key", r"\bwhat(?:'s| is)? (?:the |its )?key\b|\b(?:what|which) key\b"),
         ("length", r"\bhow long is\b|\b(?:length|duration)\b"), ("groove", GROOVE_QUESTION),
         ("instruments", r"\b(?:what|which) instruments?\b|\bwho(?:'s|s| is)? play(?:s|ing)\b|\bwhat(?:'s| is) (?:in it|playing "
                         r"in it)\b"), ("yes_no", ASKS_YES_NO))


# where a message holds a question and a request ('is it sad? and make it faster', 'make it slower. also, what key is
# it in?', 'what key is it in and can you put it in D minor?'): after a question mark or a full stop, or before
# 'also' or 'and can you / could you / please'
_CLAUSE_BREAK = re.compile(r"(?<=[?.!])\s+(?:and\s+|also,?\s+|then\s+)?|[,;]?\s+(?:and\s+)?also,?\s+|"
                           r"\s+and\s+(?=(?:can|could|would) you\b|please\b)", re.IGNORECASE)
_IF_SO = re.compile(r"^(?:if so|if yes|if it does|if there are|if there is)[,]?\s+", re.IGNORECASE)


def clauses(text: str) -> list[str]:
    """The message as one clause, or two when it joins two things to do; 'if so, remove them' keeps its condition
    out (the planner reads it against the question before it)."""
    parts = [p.strip(" ,;") for p in _CLAUSE_BREAK.split(text.strip()) if p and p.strip(" ,;.!?")]
    if len(parts) != 2 or any(len(p.split()) < 2 for p in parts):
        return [text]
    return [parts[0], _IF_SO.sub("", parts[1])]


def conditional(text: str) -> bool:
    """Whether the message's second clause holds only if its question is answered yes ('does it have drums? if so
    remove them')."""
    parts = clauses(text)
    raw = [p.strip(" ,;") for p in _CLAUSE_BREAK.split(text.strip()) if p and p.strip(" ,;.!?")]
    return len(parts) == 2 and len(raw) == 2 and bool(_IF_SO.match(raw[1]))


def piece_question(text: str) -> str | None:
    """'compare', 'tempo', 'key', 'length' or 'yes_no' for a question about a piece (typo-corrected, lowercased), else None."""
    return next((what for what, pattern in _ASKS if re.search(pattern, text)), None)


# a question about radio, or stopping one, does not start one
_NOT_A_QUESTION = (r"^(?!\s*(?:what|how|why|who|when|does|is|are|can you explain|(?:please\s+)?(?:stop|pause|end|"
                   r"quit|turn off|switch off|enough))\b)")
_START_WORDS = (r"\b(?:play|start|put on|begin|make|give me|i want|turn on|tune|open|resume|launch|create|"
                r"switch to|run)\b")


@dataclass
class Intent:
    """One thing people ask for: the cues that mark it (regex, strength 0..1) and examples of the asking."""

    name: str
    cues: list[tuple[str, float]]
    examples: list[str] = field(default_factory=list)
    wants_music_words: bool = False  # its strength grows when the message names music (genres, tempo...)


INTENTS: list[Intent] = [
    Intent(GREETING, [(r"^(?:hi|hello|hey|hiya|howdy|greetings|yo|heya|good (?:morning|afternoon|evening|day))"
                       r"\b(?:\s+(?:there|you|all|everyone|tastemaker|again|hey))*[\s!.,:)(]*$", 0.95)],
           ["hi", "hello there", "hey!", "good afternoon"]),
    Intent(THANKS, [(r"^(?:(?:ok|okay|great|cool|nice|perfect|awesome)\W+)?(?:thanks|thank you|thank u|thx|ty|cheers|"
                     r"many thanks|thanks a lot|much appreciated)\b(?:\s+(?:so much|a lot|a bunch|again|tastemaker|"
                     r"mate|man))*(?:\W+(?:and\s+)?" + _GOODBYE + r")?[\s!.,:)(]*$", 0.95),
                    (r"^(?:(?:ok|okay|great|cool|nice|perfect|awesome)\W+)?" + _GOODBYE + r"[\s!.,:)(]*$", 0.95)],
           ["thanks!", "thank you so much", "cheers", "thanks, bye"]),
    Intent(HELP, [(r"^(?:help|help me|help please|please help)\W*$", 0.95),
                  (r"\b(?:what can (?:you|i) (?:do|ask|say)|how do(?:es)? (?:this|it|you|i) (?:work|use)|what do you do|"
                   r"what are (?:the |your )?commands|show me (?:some )?examples|how to use|what are you)\b", 0.9),
                  (r"^(?:so |and |ok )?(?:what|which) (?:(?:kinds?|sorts?|types?) of )?(?:genres?|styles?|music)?\s*"
                   r"(?:can|do) you (?:make|do|play|write|know|create)(?:\s+(?:for me|here|now))?\W*$", 0.9),
                  # ('music to help me sleep' is what the music is for)
                  (r"\bhelp\b(?!\s+(?:me|us|you|my \w+)\s+(?:to\s+)?(?:sleep|fall|relax|focus|study|concentrate|work|"
                   r"unwind|calm|chill|wake|get|meditate|rest|dance|run|train|work ?out|think|read|write|code))", 0.6)],
           ["what can you do", "how do I use this", "what are you able to do", "give me some examples of what to ask"]),
    Intent(EXPLAIN, [(r"^(?:but )?why\b", 0.92), (r"\bwhy (?:did|do|does|is|was|that|this|those)\b", 0.92),
                     (r"\bhow did you (?:make|come up|pick|choose|decide|get|do)\b", 0.92),
                     (r"\bexplain\b|\breasoning\b|\bwhat (?:prompt|weights|settings)\b|"
                      r"\bwhat did (?:the loop|you|it) (?:hear|try|use|do|change)\b|\bwhat(?:'s| has| is)? changed\b|\bhow was (?:it|this) made\b", 0.9)],
           ["why did you pick those genres", "explain how you made it", "what was the prompt",
            "how did you decide on that", "what did you hear each round"]),
    Intent(COMBINE, [(r"\b(?:combine|blend|mash(?:-| )?up|merge|fuse|hybrid|cross(?:over)?|mix)\b"
                      r"(?=.*\b(?:songs?|styles?|them|these|those|uploads?|both|two|together|tracks?|the \w+ one|"
                      r"my)\b)", 0.92),
                     (r"\b(?:a mix|a blend|a cross|a mashup|a fusion|a hybrid) (?:of|between)\b", 0.92),
                     (r"^(?:combine|blend|merge|fuse) (?:them|these|those|both|it all)\W*$", 0.95)],
           ["blend the two songs I uploaded", "combine both of my tracks into one", "mix the styles of these",
            "a fusion of my songs"]),
    Intent(ADD, [(r"\b(?:add|save|put|store|keep|file)\b.*\b(?:library|collection|favourites|favorites)\b", 0.95),
                 (r"^(?:(?:perfect|great|nice|cool|awesome|love it|ok|okay|yes|yeah|good)\W+)*(?:please )?"
                  r"(?:save|keep|store) (?:it|this|that|this one|that one|the \w+ one|g\d+)\W*(?:please)?\W*$", 0.9),
                 (r"^(?:(?:perfect|great|nice|cool|awesome|love it|ok|okay|yes|yeah|good)\W+)*(?:please )?"
                  r"(?:save|keep|store|add|file) (?:it|this|that|this one|that one|the \w+ one|g\d+) " + _TITLED, 0.93)],
           ["save this one to my library", "add that to the collection", "keep it in my library"]),
    Intent(TASTE, [(r"\b(?:my taste|my profile|what do i (?:like|listen)|what i like|"
                    r"what (?:did|have) i (?:liked?|loved?|enjoyed?)|(?:which|what) (?:ones?|pieces|songs|tracks) "
                    r"(?:did|have) i (?:liked?|loved?)|what i(?:'ve| have)? liked|my (?:music )?style\b(?! of)|"
                    r"what kind of music (?:do i|am i)|what (?:music|genres?) (?:do i(?! (?:have|own)\b)|am i)|my preferences|"
                    r"taste profile|what am i into|what do you know about me|what have you learn(?:ed|t) about me|"
                    r"my (?:favou?rite|fave|fav) (?:genres?|music|styles?|kinds? of music|bands?|artists?) (?:is|are))\b",
                    0.95),
                   (r"^(?:and |also |well,? |so |honestly,? )?i(?:'m| am)?(?: really| mostly| usually| generally)? "
                    r"(?:like|love|enjoy|prefer|adore|into|listen to|can't stand|hate|dislike|don't like|"
                    r"am into|'m into|(?:am |'m )?not (?:really |much |too |that |very |big )?(?:into|a (?:big |huge )?"
                    r"fan of|big on|keen on|fond of|crazy about)|(?:am |'m )?no (?:big )?fan of)\b"
                    r"(?!\s+(?:it|this|that|them|these)\b)", 0.8),
                   # said without 'I': 'not a fan of country', 'jazz isn't my thing' (not 'it isn't my thing')
                   (r"^(?:honestly,? |tbh,? |well,? )?not (?:really |much of )?(?:a )?(?:big |huge )?fan of\b"
                    r"(?!\s+(?:it|this|that|them|these)\b)", 0.8),
                   (r"^(?:honestly,? |tbh,? |well,? )?not (?:really |that |too |very |so )?(?:into|big on|keen on|"
                    r"fond of|crazy about)\b"
                    r"(?!\s+(?:it|this|that|them|these)\b)", 0.8),
                   (r"^(?:honestly,? |tbh,? |well,? )?(?!(?:it|this|that|these|those|they)\b)[a-z&' -]{2,30}? "
                    r"(?:isn't|is not|'s not|aren't|are not) (?:really )?(?:my thing|for me|my style|my cup of tea|"
                    r"my jam|my scene)\b", 0.8)],
           ["what's my taste", "what kind of music am I into", "I love sad piano music", "i mostly listen to metal"],
           wants_music_words=True),
    Intent(DESCRIBE, [(r"\b(?:what(?:'s| is| are| was|s)? (?:this|that|these|those|it|they|g\d+|the (?:first|second|third) "
                       r"one)|which (?:genres?|style|kind)|what (?:genres?|kind|style|type|instruments?|mood)|"
                       r"identify|classify|tag (?:it|this|these|them|my)|analy[sz]e|"
                       r"describe (?:it|this|these|them|my (?:song|track|upload))|what would you call|"
                       r"what does (?:it|this|that) sound like|tell me (?:about|what)|recogni[sz]e|"
                       r"what do you hear)\b", 0.85),
                      (GROOVE_QUESTION, 0.9),
                      (r"\bwhat(?:'s| is)? (?:this |that |it |now |currently )*playing\b|"
                       r"\bwhat am i (?:listening to|hearing)\b|\bwho(?:'s|s| is)? play(?:s|ing)\b", 0.9),
                      # a musician's questions about a song: its tempo, key, length, mood
                      (r"\bwhat(?:'s| is| was)? (?:the |its )?(?:bpm|tempo|key)\b|\bwhat key\b|\bhow (?:fast|long) is (?:it|this|"
                       r"that)\b|^(?:so )?(?:is|does) (?:it|this|that)(?: one| song| track)? (?:sound )?(?:sad|happy|dark|"
                       r"calm|energetic|fast|slow|major|minor|mellow)\b", 0.88)],
           ["what genre would you say this is", "what is this track", "identify this song for me",
            "which style is it", "what instruments are in it"]),
    Intent(SIMILAR, [(r"\b(?:similar|sounds? like (?:this|it|that|these|my)|resembl\w*|closest|close to|"
                      r"(?:songs?|tracks?|music|stuff|pieces?|anything) like (?:this|it|that|these|mine|the)|"
                      r"more (?:songs?|tracks?|music|stuff|pieces?) like)\b", 0.86)],
           ["anything in the library like this", "find tracks that sound like it", "what's close to my song"]),
    Intent(SEARCH, [(r"\b(?:search|look (?:for|up)|show me|list|do you have|got any|pieces? by|works? by|"
                     r"songs? by|tracks? by|in the library|from the library|library)\b", 0.8),
                    (r"\bfind\b", 0.7), (r"^(?:any|some) \w+", 0.55),
                    (r"\bwhat (?:did|have|has) (?:i|we) (?:saved?|added|add|kept|keep|put)\b", 0.85),
                    # 'show my music', 'what music do I have': the library's overview (it was read as a radio)
                    (LISTS_MINE, 0.9)],
           ["search for Vivaldi", "do you have any string quartets", "show me the folk songs in the library"]),
    Intent(MAKE, [(_MAKE_VERB, 0.75), (r"^(?:(?:just|ok|okay|then|go on|so|whatever|fine|meh|idk|i don'?t know|dunno|anything)[,!.]?\s+)*"
                                   r"(?:just\s+)?surprise me\b", 0.9), (r"\b(?:something|a (?:track|song|piece|tune|beat|jam|groove|soundscape)|"
                                       r"music for|some \w+ music)\b", 0.6)],
           ["make a jazz tune", "compose something calm", "I'd like a rock song", "play me some blues"],
           wants_music_words=True),
    Intent(MAKE_LIKE, [(_MAKE_VERB + r".*" + _LIKE_THESE, 0.97), (r"^(?:now |and |ok |okay )?something " + _LIKE_THESE,
                                                                0.9),
                       (r"\b(?:a (?:track|song|piece|tune)|one) " + _LIKE_THESE, 0.88)],
           ["make me one like these", "create something like my songs", "compose a piece in the same style"]),
    Intent(REFINE, [(r"^(?:(?:please|ok|okay|now|and|hmm|nice|good|great|cool|but|so|yeah|yes|no|actually|wait|nah|"
                     + _MILD_NO + r")[,!.]*\s+)*"
                     + _POLITELY + r"(?:make (?:it|the \w+(?: one)?|th(?:at|is)(?: one)?|them|g\d+)\b|"
                     r"try (?:it|again)|"
                     r"do (?:it )?again|again\b|another\b|one more\b|(?:a bit|a little|much|way|even|slightly) "
                     r"(?:more|less|faster|slower|quicker|shorter|longer|louder|softer|quieter|calmer|\w+er)\b|"
                     r"(?:more|less|fewer|faster|slower|quicker|shorter|longer|louder|softer|quieter|calmer|heavier|"
                     r"lighter|darker|brighter|happier|sadder|mellower|add|drop|remove|lose|without|no|increase|"
                     r"decrease|speed|slow|turn|crank|put it|transpose|now in|too|change|swap|replace)\b)", 0.86),
                    (r"\b(?:another (?:one|version|take|go)|try again|one more|again please|do a different|"
                     r"different take)\b", 0.86),
                    # 'redo': another take of the same request
                    (r"^(?:(?:ok|okay|hmm|nah|no|meh|please)\W+)*(?:redo|re-do|do it over)(?: (?:it|that|this|this one|"
                     r"that one))?(?: please)?\W*$", 0.92),
                    (r"^(?:(?:ok|okay|nah|no|meh|hmm)\W+)*(?:next|next one|skip|skip it|skip this(?: one)?)(?: please)?"
                     r"\W*$", 0.9),
                    (r"^(?:the )?[\w -]{2,20} (?:is|are) too \w+", 0.86), (r"\bmake it\b", 0.8),
                    (_ONE_BUT_CHANGED, 0.93), (_WANT_IT_CHANGED, 0.93), (_PART_TAKEN_OUT, 0.93),
                    # a key or mode alone, the chat's own example ('in D minor'): it made a new piece with no genre
                    (r"^(?:(?:ok|okay|now|and|but|maybe|try|hmm|please)\W+)*(?:(?:in|try) )?(?:the key of )?"
                     r"(?:[a-z](?:#|b|♯|♭| sharp| flat)? )?(?:major|minor)(?: key)?(?: please| instead| now)?\W*$",
                     0.9),
                    # a key letter alone, said of the piece in hand ('in D', 'in F#', 'in B flat', 'in H')
                    (r"^(?:(?:ok|okay|now|and|but|maybe|hmm|please)\W+)*(?:in|try) [a-h](?:#|b|♯|♭| sharp| flat)?"
                     r"(?: please| instead| now)?\W*$", 0.9),
                    (r"^(?:(?:ok|okay|now|and|but|maybe|try|hmm|please)\W+)*(?:(?:put it |make it )?in )?the key of "
                     r"[a-z](?:#|b|♯|♭| sharp| flat)?(?: major| minor)?(?: please| instead| now)?\W*$", 0.9),
                    (r"^(?:(?:hmm|but|ok|okay|no)[,!.]?\s+)*(?:it|that|this|it'?s|that'?s|this is|it is|that is)?\s*"
                     r"(?:way |a bit |a little |much )?too \w+[\s!.]*$", 0.86),
                    # 'instrumental please' after a rapped piece: that piece without its voice (it made a new one)
                    (r"^(?:(?:ok|okay|now|and|but|please|hmm)\W+)*(?:an? |make it |make it an? )?(?:instrumental|"
                     r"unplugged)(?: version| one| take| mix)?(?: please| instead| now)?\W*$", 0.9),
                    # 'I don't like the drums': a part of the piece ('I don't like jazz' is taste)
                    (r"\b(?:don'?t|do not) (?:really )?(?:like|want|need) the \w+", 0.9)],
           ["another one please", "make it a little faster", "more drums", "can you try again",
            "put it in a major key", "less guitar and more piano"]),
    Intent(PLAY, [(r"^(?:(?:please|ok|okay|now|and|can you|could you)[,!.]?\s+)*(?:play|replay|let me hear|"
                   r"can i hear|i want to hear|listen to)\s+(?:it|that|this|that one|this one|the (?:first|second|"
                   r"third|fourth|fifth|last|latest|newest|1st|2nd|3rd|4th|5th) one|the [a-z&'-]+(?: [a-z&'-]+)? (?:one|piece|song|"
                   r"version|take)|g\d+)(?:\s+(?:again|once more|one more time))?"
                   r"(?:\s+please)?[\s!.]*$", 0.96),
                  (r"\b(?:play|hear|listen to)\b.*\b(?:again|once more|one more time)\b", 0.9),
                  (r"\b(?:go back to|back to|play|i prefer(?:red)?|i liked) the (?:one before|previous one|last one)\b|"
                   r"^(?:(?:nah|no|hmm)\W+)?the (?:one before|previous one)\b|"
                   r"^(?:(?:nah|no|hmm|ugh|please)\W+)*(?:undo|revert|go back)(?: (?:that|it|this|the last change|"
                   r"that change))?(?: please)?\W*$", 0.92),
                  (r"^(?:(?:ok|okay|i'?ll take|i choose|i pick|let'?s go with|go with|i prefer)\s+)?(?:the\s+)?"
                   r"(?:first|second|third|fourth|fifth|last|latest|newest|1st|2nd|3rd|4th|5th)(?:\s+one)?(?:\s+please)?[\s!.]*$",
                   0.9)],
           ["play the first one again", "replay it", "let me hear the second one", "the second one",
            "play g2 again"]),
    Intent(NAME, [(RENAME, 0.95)], ["rename this piece", "give it a title", "change the name of the song"]),
    Intent(MY_MUSIC, [(PLAYS_MINE, 0.97)], ["play my music", "play my songs", "play what I made", "play my stuff"]),
    Intent(PIECES, [(r"\b(?:how many (?:pieces |songs |tracks |tunes )?(?:have|did) you (?:made|make|done|do|created|"
                     r"create)|what (?:have|did) you (?:made|make|created|create)(?: (?:so far|today|for me))?\W*$|"
                     r"(?:list|show me|show) (?:all )?(?:the |your )?(?:pieces|songs|tracks|tunes)(?: (?:you made|"
                     r"so far|from this chat))?\W*$|which(?: (?:one|piece|song|track|version|of (?:them|these|those|the (?:two|"
                     r"three|pieces|versions))))?(?: (?:was|is|sounds?|do you think (?:was|is|sounds?)))? (?:the )?"
                     r"(?:better|beter|best|closest)\b|which (?:one|piece|song|version) do you (?:like|prefer)|"
                     r"\bcompare (?:the (?:two|three|pieces|songs|versions|takes)|them|these|those|both|all|g\d+ (?:and|"
                     r"with|to) g\d+)\b)", 0.93)],
           ["what have you made so far", "how many songs have you made", "which one was better?",
            "list the pieces"]),
    # 0.98: the word 'playlist' or 'station' outranks 'make ... like it' (a playlist like it is still a playlist)
    Intent(PLAYLIST, [(_NOT_A_QUESTION + r".*\bplaylists?\b", 0.98)],
           ["make me a 30-minute playlist for a dinner party", "a playlist for running", "an hour of music to keep"]),
    Intent(RADIO, [(_NOT_A_QUESTION + r".*" + _START_WORDS + r".*\b(?:radio|station)\b", 0.98),
                   (_NOT_A_QUESTION + r".*\b(?:radio|station)\b.*" + _START_WORDS, 0.98),
                   (_NOT_A_QUESTION + r"(?:a |an |my |some )?[\w -]{0,30}\b(?:radio|station)\b", 0.96),
                   # 'play my music', 'play some music': music with nothing said of it, to listen to ('play me
                   # some blues' is a piece; 'show my music' the library)
                   (r"^(?:(?:please|just|ok|okay|now|so|hey)\W+)*(?:play|put on|turn on|start)(?: me)?(?: some| any)?"
                    r" (?:music|tunes)(?:\W+(?:please|for me|now|then))*\W*$", 0.92),
                   # 'play me something', nothing said of it: a station ('play me something calm' is a piece)
                   (r"^(?:(?:please|just|ok|okay|now|so|hey|can you|could you)\W+)*(?:play|put on)(?: me)? "
                    r"(?:something|anything)(?:\W+(?:please|for me|now|then))*\W*$", 0.92),
                   # music that keeps coming: a station by another name
                   (r"\b(?:keep (?:the )?(?:music|songs|tunes|it) (?:coming|going|playing)|non-?stop|endless|"
                    r"never-?ending|on repeat forever|all (?:day|night) long)\b", 0.9)],
           ["play my radio", "radio for running", "start a jazz station", "put on some radio"],
           wants_music_words=True),
    Intent(FEEDBACK, [(r"^(?:i|we)\s+(?:really\s+)?(?:like|love|liked|loved|prefer|hate|dislike|don'?t like)\s+"
                       r"(?:the\s+)?(?:first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)(?:\s+one)?\b", 0.9)],
           ["I like this", "that's great", "not for me", "I don't like it", "awesome, thanks", "I love the second one"]),
    Intent(PLAYBACK, [(VOLUME, 0.95),
                      (r"^(?:(?:ok|okay|please|now|hey)\W+)*(?:pause|resume|unpause|stop|mute|silence|shh+|"
                       r"(?:stop|pause) (?:it|this|that|the music|playing|the song)|turn (?:it|this|that|the music) "
                       r"(?:off|on)|turn (?:off|on)(?: the music)?|shut (?:it|this|that) off)(?: please)?\W*$", 0.95)],
           ["pause", "stop the music", "turn it off"]),
    Intent(DOWNLOAD, [(r"\b(?:download|save (?:it|this|that|g\d+) (?:to|on|onto) my \w+|where (?:is|are|can i find) "
                       r"(?:the |its |my )?(?:file|files|wav|mp3|audio)|get the (?:file|wav|mp3|audio))\b", 0.9),
                      (r"\b(?:export|(?:as|in|to) (?:an? )?(?:mp3|wav|flac|midi)|sheet music|the (?:midi|score)|"
                       r"midi file)\b", 0.9),
                      # 'can I get an mp3?', 'I want the mp3 version', 'save it as mp3': a file format asked for, not a
                      # piece ('make me something like the mp3 I sent' is one)
                      (r"\b(?:get|have|want|need|give me|make me|send me|save (?:it|this|that|g\d+)|export|convert|"
                       r"download|turn (?:it|this|that) into)\b(?:(?!\blike\b)[^.?!]){0,20}?\b"
                       r"(?:an?|the|as|in|into|to) (?:" + FILE_FORMATS + r")\b", 0.97)],
           ["how do I download it", "where is the file", "can I get the wav"]),
    Intent(OUT_OF_SCOPE, [], ["what's the weather tomorrow", "tell me a story", "who is the president",
                              "what time is it", "book me a flight", "how old are you", "what's 2 plus 2"]),
]
BY_NAME = {i.name: i for i in INTENTS}

# a question about how a piece came to be, which may name the making ('why did you make it like that?'); not a
# suggestion ('why not make it faster', 'why don't you make one like these')
_ASKS_HOW_IT_WAS_MADE = (r"^(?:(?:but|so|and|ok|okay|hmm|wait|just curious)[,!.]*\s+)*(?:(?:why|how come) (?:did|do|"
                         r"does|is|was|would|'d)|how (?:did|was|'d)|how come) (?:you|it|this|that|the \w+)\b(?! not\b)")

_PATH = re.compile(r"(?:^|\s)(?:~|\.{1,2})?/(?:[\w.-]+/)*[\w.-]+|\b[a-z]:\\|\.\./")
_FILE_VERB = re.compile(r"\b(read|open|load|cat|show|print|use|tag|analy[sz]e|fetch|import|upload|attach|list)\b")


def _cue_scores(text: str, slots: Slots) -> dict[str, float]:
    scores: dict[str, float] = {}
    for intent in INTENTS:
        best = max((w for pattern, w in intent.cues if re.search(pattern, text)), default=0.0)
        if best and intent.wants_music_words and slots.names_music():
            best = min(1.0, best + 0.05)
        if best:
            scores[intent.name] = best
    short = len(text) < 60
    if slots.liked is not None and short:
        # a like or a dislike on its own is feedback; with a question or a request it is part of that
        scores[FEEDBACK] = 0.84 if re.search(_MAKE_VERB, text) is None else 0.5
    if slots.is_change() or (slots.key and re.search(r"\b(?:it|now|this|that)\b", text)):
        scores[REFINE] = max(scores.get(REFINE, 0.0), 0.8)
    if slots.liked is False and slots.avoid and SOUNDS_BAD.search(text):
        scores[REFINE] = 0.9  # 'the drums sound fake': that part out, not a dislike of the whole piece
    if re.search(_CAN_IT_BE, text) and slots.names_music():
        scores[REFINE] = max(scores.get(REFINE, 0.0), 0.85)  # 'can it be 10 seconds': the piece in hand
    if TASTE in scores and scores[TASTE] < 0.9 and not slots.names_music():
        del scores[TASTE]  # 'I love it' is feedback, 'I love jazz' is taste
    names_the_piece = (re.match(r"^(?:(?:ok|okay|so|and|now|please|hmm|yes|yeah|nice|great|cool|but|no|actually|wait|"
                                r"nah|" + _MILD_NO + r")[,!.]*\s+)*"
                                + _POLITELY + r"make (?:it|the \w+|that|this|g\d+\b)", text)
                       or re.search(_ONE_BUT_CHANGED, text) or re.search(_WANT_IT_CHANGED, text)
                       or re.search(_PART_TAKEN_OUT, text)
                       # 'i like it but make it faster': the piece, named after a like
                       or re.search(r"\b(?:but|now|so|and|just|then)\s+(?:(?:can|could) you\s+)?make (?:it|that|this)\b",
                                    text))
    if re.search(_MAKE_VERB, text) and REFINE in scores and not names_the_piece:
        scores[REFINE] = min(scores[REFINE], 0.7)  # 'give me a different take' stays a refinement below
    if slots.different:
        scores[REFINE] = 0.95
    if re.search(r"^(?:(?:but|so|ok|okay|hmm)[,!.]*\s+)*why (?:not|don'?t you|dont you)\b", text):
        scores.pop(EXPLAIN, None)  # 'why not make it faster?' suggests a change; it asks nothing
    if re.search(_ASKS_HOW_IT_WAS_MADE, text):
        scores[EXPLAIN] = 0.98  # 'why did you make it like that?' asks about the piece, not for one like it
    if MAKE_LIKE in scores and re.search(_MAKE_VERB, text):
        scores.pop(TASTE, None)  # 'make me something for my taste, 4 seconds' asks for music, not to see the taste
    if re.search(COMPARES, text) or re.search(WHICH_IS, text) or compares_at_all(text):
        scores[DESCRIBE] = 0.97  # 'is it slower than the first one?' asks; 'make it slower than the first one' changes
    if re.search(ASKS_YES_NO, text) and slots.names_music():  # 'is it jazz?' asks about it ('is that all?' does not)
        scores[DESCRIBE] = max(scores.get(DESCRIBE, 0.0), 0.9)
    if SIMILAR in scores and re.search(_MAKE_VERB, text) and not re.search(r"\bfind\b", text):
        scores[SIMILAR] = 0.6  # 'make me something similar to these' is a request for music
    return scores


_EXAMPLES = Nearest(lambda: [(i.name, e) for i in INTENTS for e in i.examples])


def nearest_examples(text: str) -> list[tuple[str, float]]:
    """Intents ranked by the cosine similarity of their closest labelled example to the text."""
    return _EXAMPLES.rank([text])[0]


@dataclass
class Route:
    """Where a message goes: the intent, how sure (0..1), how it was decided, and the runner-up guess."""

    intent: str
    confidence: float
    via: str  # 'cue', 'example', 'words' or 'none'
    guess: str | None = None  # for UNKNOWN: the nearest intent, to suggest


def route(text: str, slots: Slots, use_examples: bool = True) -> Route:
    """The intent of one (typo-corrected, lowercased) message given its slots."""
    if not text.strip():
        return Route(HELP, 1.0, "cue")
    if _PATH.search(text) and _FILE_VERB.search(text):
        return Route(REFUSE_FILE, 1.0, "cue")
    scores = _cue_scores(text, slots)
    if scores:
        name, score = max(scores.items(), key=lambda kv: kv[1])
        if score >= CUE_FLOOR:
            return Route(name, score, "cue")
    if slots.genres or slots.moods or slots.instruments:  # 'jazz, 90 bpm' on its own: a request for music
        return Route(MAKE, 0.6, "words")
    ranked = nearest_examples(text) if use_examples else []
    if ranked and ranked[0][1] >= EXAMPLE_FLOOR:
        name, sim = ranked[0]
        return Route(UNKNOWN if name == OUT_OF_SCOPE else name, sim, "example")
    if slots.names_music():  # '120 bpm, 30 seconds': still a request for music
        return Route(MAKE, 0.5, "words")
    top = ranked[0] if ranked else (OUT_OF_SCOPE, 0.0)
    guess = top[0] if top[0] != OUT_OF_SCOPE and top[1] >= GUESS_FLOOR else None
    return Route(UNKNOWN, 0.0, "none", guess)
