"""The offline planner's words: fixed replies, and short plain sentences written from tool results.

Replies say what was made and what was not reached, in plain words; the engine, model, seed and judge go to
each player's caption (the collapsible detail in the browser, a second line in the terminal).
"""

from __future__ import annotations

import re
from typing import Any

from tools.genres import ALL_LABELS, SAID_AS, SOUND_TAGS, possessive
from tools.language import Reading
from tools.language import intents as I
from tools.language.foreign import language_name
from tools.language.slots import audience_style, chosen_for_occasion
from tools.language.words import GROOVE_NAMED, is_that_groove, occasion_style, stand_in_named

REFUSE_FILE = (
    "I can't open files by their path on this machine: I only work with audio you attach to the chat "
    "(the paperclip in the browser, or /attach PATH in the terminal). Attach the song and ask me again."
)
NEED_UPLOAD = "I need a song to listen to first. Attach an audio file (wav, flac, ogg or mp3) and ask me again."
NEED_UPLOAD_FOR_LIKE = (
    "Like what? Attach one or more songs you love (wav, flac, ogg or mp3) and I'll make something in their spirit, "
    "or tell me the style in words, e.g. 'make me a mellow jazz piece'."
)
NEED_TWO_SONGS = ("To blend songs I need at least two of them: attach the songs you want combined "
                  "(wav, flac, ogg or mp3) and say 'blend these'.")
NEED_REFERENCE = "Similar to what? Attach a song, or make something first, and I'll find pieces that sound like it."
NOTHING_TO_RATE = "Thanks! There's nothing I've made yet for you to rate, though. Ask me to make something first."
# 'meh' or 'I don't like it' as the first words: no thanks for a dislike of nothing
NOTHING_TO_DISLIKE = ("I haven't made anything yet, so there's nothing to dislike. Shall I make something? Say what "
                      "you'd like ('a calm piano piece', 'upbeat funk at 120 bpm').")
NOTHING_TO_ADD = "There's nothing to add yet: attach a song, or ask me to make something, then say 'add it to my library'."
NOTHING_TO_REFINE = (
    "There's nothing to refine yet. Ask me to make something first, e.g. 'make me a rock track', "
    "then say 'more jazz', 'faster' or 'another one'."
)
NOTHING_TO_EXPLAIN = ("I haven't made anything yet, so there's nothing to explain. Ask me for a piece "
                      "('make me a calm piano piece') and then ask 'why did you choose that?'.")


def nothing_to_explain(uploads: list[str]) -> str:
    """'why did you make it like that?' before any piece: with a song attached, the song is what 'it' may be."""
    if not uploads:
        return NOTHING_TO_EXPLAIN
    songs = ", ".join(uploads[-3:])
    return (f"I haven't made anything yet: {songs} {'is' if len(uploads) == 1 else 'are'} yours. Say 'what is this?' to "
            "hear what I make of it, or 'make something like it', then ask me why.")

NOTHING_MADE = ("I haven't made anything in this chat yet. Ask me for a piece ('make me a calm piano piece'), or say "
                "'what did I save?' for your library.")

NOTHING_TO_PLAY = ("I haven't made anything in this chat yet, so there's nothing to play again. Ask me for a piece "
                   "('make me a calm piano piece'), or search the library ('find me some jazz').")

def no_such_piece(which: int, pieces: list[str]) -> str:
    """'Play the fifth one' when the chat made fewer: say which there are rather than play another."""
    return (f"There is no piece number {which} in this chat; the pieces so far are {', '.join(pieces)}. "
            f"Say 'play {pieces[-1]} again' or 'the first one'.")


def no_such_name(name: str, pieces: list[str], example: str = "make {last} faster', 'something like {first}") -> str:
    """'make g1 faster', 'save g42' naming a piece this chat has not made; `example` names one that is there."""
    if not pieces:
        return (f"There is no {name}: I haven't made anything in this chat yet. Ask me for a piece ('make me a calm "
                "piano piece'), then say what to change.")
    return (f"There is no {name} in this chat; the pieces so far are {', '.join(pieces)}. Say which one "
            f"('{example.format(last=pieces[-1], first=pieces[0])}').")


def which_piece(pieces: list[str], labels: dict[str, list[str]]) -> str:
    """'play the slow one' when that does not say which: what each piece is, to pick by name."""
    each = ", ".join(f"{p} ({', '.join(labels.get(p, [])[:2]) or 'no style named'})" for p in pieces)
    return f"Which one do you mean? The pieces so far: {each}. Say 'play {pieces[-1]}' or 'the first one'."


def nothing_earlier(piece: str, undone: str) -> str:
    """A second 'undo' after going back to a piece that changed nothing before it: not the undone one again."""
    return (f"{piece} is as far back as this goes: it was not made from an earlier piece. Say 'play {undone}' to "
            f"have the change back, or 'another one' for a new take.")


def no_piece_made_as(label: str, pieces: list[str], labels: dict[str, list[str]]) -> str:
    """'the rock one' when no piece was made as rock: what each piece is, to pick by name."""
    each = ", ".join(f"{p} ({', '.join(labels.get(p, [])[:2]) or 'no style named'})" for p in pieces)
    return f"None of the pieces so far was made as {label}: {each}. Say which one you mean by its name."


def first_piece(piece: str) -> str:
    """'the one before' when the piece in hand is the chat's first."""
    return f"{piece} is the first piece of this chat; there is nothing before it. Say 'another one' for a new take."


def nothing_before(pieces: list[str]) -> str:
    return f"There is only {pieces[-1]} so far, nothing before it. Say 'another one' for a new take."


CAPABILITIES = {
    "describe_uploads": "tell you what an uploaded song is (genres, moods, instruments): attach it and ask "
                        "'what is this song?'",
    "taste_profile": "sum up your taste from the songs you upload and what you tell me ('what's my taste?')",
    "search_library": "search the music library ('find string quartets by Beethoven')",
    "find_similar": "find library pieces that sound like a song ('find something similar')",
    "generate_music": "make music from a description ('make me a 20 second rock track at 140 bpm')",
    "create_music": "make something like the songs you uploaded, or blend them ('make me something like these', "
                    "'combine my songs')",
    "refine_music": "change the last piece ('more jazz', 'faster', 'make the drums quieter', 'in D minor', "
                    "'a completely different take')",
    "explain_music": "explain how a piece was made ('why did you choose that?')",
    "play_music": "play a piece again ('play the first one again')",
    "list_pieces": "list what I made in this chat, and which comes closest to what you asked ('what have you made?')",
    "my_music": "play your own music: what I made for you here and what you saved ('play my music')",
    "record_feedback": "remember what you like ('I love it', 'not my thing')",
    "add_to_library": "add a piece to your library ('add it to my library')",
}
# A concrete thing to try for each intent the router guessed (for a message it could not place).
SUGGESTIONS = {
    I.MAKE: "'make me a calm piano piece'", I.MAKE_LIKE: "'make me something like this' with a song attached",
    I.REFINE: "'more jazz', 'faster' or 'another one'", I.DESCRIBE: "'what is this song?' with a song attached",
    I.SEARCH: "'find string quartets by Beethoven'", I.SIMILAR: "'find something similar'",
    I.TASTE: "'what's my taste?'", I.FEEDBACK: "'I love it' or 'not my thing'", I.ADD: "'add it to my library'",
    I.EXPLAIN: "'why did you choose that?'", I.COMBINE: "'combine my songs' after attaching two",
    I.HELP: "'help'", I.GREETING: "'hello'",
}
VERBS = ("make", "compose", "play", "give", "i want", "song", "piece", "music")
CAPABILITY_OF = {
    I.MAKE: "a new piece of music", I.MAKE_LIKE: "something like your songs", I.REFINE: "a change to the last piece",
    I.DESCRIBE: "what a song is", I.SEARCH: "a search of the library", I.SIMILAR: "pieces that sound alike",
    I.TASTE: "your taste", I.FEEDBACK: "to tell me how you liked it", I.ADD: "to save something to your library",
    I.EXPLAIN: "why I made a piece the way I did", I.COMBINE: "a blend of your songs",
}
FALLBACK_SUGGESTIONS = ["'make me a calm piano piece'", "'what is this song?' with a song attached",
                        "'make me something like these' with songs attached", "'find string quartets by Beethoven'"]


RADIO_ELSEWHERE = ("I can play you an endless station that learns from your skips and likes: say 'start a jazz "
                   "station' or 'play my radio' in the chat, or ask for 'a 30-minute "
                   "playlist for a dinner party'.")

# Both chats hand these to the radio before the tools (agent/radio_chat.py)
RADIO_CAPABILITIES = [
    "play a radio station that learns from your likes and skips ('start a calm jazz station', then 'skip', "
    "'I like this', 'calmer', 'stop the radio')",
    "make a playlist of new pieces and library tracks ('make me a 30-minute playlist for a dinner party')",
]


_HOW_TO_GET = ("In the browser, the audio player's menu (⋮) downloads the WAV, or right-click the player and save it; "
               "the .mid file under a sketch piece is its MIDI. In the terminal chat, the path after ♪ under each "
               "piece is the WAV, and the .mid of the same name beside it is its MIDI.")
DOWNLOAD = ("Every piece is a WAV file; one the sketch engine made has a MIDI file beside it. " + _HOW_TO_GET +
            " Say 'add it to my library' to keep it in your library too.")
_OFFERED = ("wav", "wave", "midi", "mid")


def download(said: str) -> str:
    """How to get a piece's file: the formats offered (WAV, and MIDI for a sketch), and a format that is not offered
    ('export as mp3') said to be not offered, never a WAV handed over as if it were one."""
    asked = re.search(r"\b(" + I.FILE_FORMATS + r")\b", said.lower())
    if asked is None or asked.group(1) in _OFFERED:
        return DOWNLOAD
    name = asked.group(1).upper()
    return (f"I don't make {name} files: every piece is a WAV (full quality; any audio converter turns it into "
            f"{name}), and one the sketch engine made has a MIDI file beside it. " + _HOW_TO_GET)
PLAYBACK = ("Nothing is playing from me: each piece plays in the player under its reply (in the terminal chat, open "
            "the file after ♪ in your audio player), and that player pauses and resumes it. Say 'start a station' for "
            "music that keeps coming, which 'pause' and 'stop' then control.")
VOLUME = ("The volume is your player's (its slider, or your device's keys): every piece I make is mastered to the "
          "same loudness, -14 LUFS, as streaming services play music. If you meant more drive, say 'more energetic' "
          "or 'calmer'.")
QUIETER = ("How loud a piece plays is your player's volume (its slider, or your device's keys): every piece I make is "
           "levelled alike, to -14 LUFS, as streaming services play music, so that is where to turn it down. If you "
           "meant gentler music, say 'softer' or 'calmer' (a calmer take also runs a little slower).")
LOOP = ("I can't put a piece on repeat myself: the player does that. In the browser, right-click the player under the "
        "piece and tick 'Loop'; in the terminal chat, open the file after ♪ in a player with repeat on. For music that "
        "keeps coming without repeating, say 'a station like it': it plays new pieces like this one, on and on. "
        "Or say 'make it 2 minutes long' for a longer piece.")
METER = ("I write everything in 4/4 for now, so a waltz (3/4) or 6/8 is beyond me yet, sorry. I can make it "
         "gentler, slower or swung: say 'slower and gentler', or name a style.")
KEY_CHANGE = ("I keep a piece in one key for now: a key change partway through is beyond me yet, sorry. I can move the "
              "whole piece: say 'in D' or 'in a minor key'.")


def meter_of(name: str) -> str:
    """'Is it in 3/4?' about a piece: every piece here is in 4/4."""
    return f"No: {name} is in 4/4, as everything I write is for now (a waltz's 3/4 or a jig's 6/8 is beyond me yet)."


SOUND_QUALITY = ("Every piece here is played by the offline sketch engine: General MIDI instruments and sampled kits, "
                 "mixed and mastered like a small studio would (MusicGen sounds more like a recording, but its "
                 "weights are not on this machine). Each take picks its own band, kit and room: say 'another one', "
                 "name the instruments you want ('with piano and strings'), or tell me which part bothers you "
                 "('the drums sound fake' takes them out).")
ABOUT = ("I'm Tastemaker, a music assistant running on this machine: I make instrumental pieces from what you "
         "describe and the songs you share, and I learn your taste as we go. I don't sing; hip-hop gets a rapped "
         "verse, about whatever you ask ('a hip-hop song about summer'). Type 'help' to see everything I can do.")
RENAME = ("What should I call it? Say 'name it Rainy Day' (or 'name g2 Rainy Day'): I save it to your library under "
          "that name, and 'play Rainy Day' plays it.")
def no_such_title(words: str, occasion: bool = False) -> str:
    """'play Sunset' where nothing is called so and the words ask for nothing else (or name only an occasion: a new
    piece for it is offered)."""
    new = f"'make me a {words.lower()} track'" if occasion else "describe a new piece ('play me some calm jazz')"
    return (f"Nothing you made or saved is called '{words}'. Say 'list my music' to see the names, 'play my music' to "
            f"hear it all, or {new}.")


def renamed(piece: str, said: str, now: str) -> str:
    """'play Blue Morning' after 'rename it to Grey Evening': that name is gone; what it is called now."""
    return f"Nothing is called '{said}' any more: {piece} is called **{now}** now. Say 'play {now}' to hear it."


def not_ready_yet(title: str) -> str:
    """'play Maple Leaf Rag' while the built-in collection is still being made."""
    return (f"**{title}** is in the built-in collection, which is still being made on this machine: ask again in a few "
            "minutes ('list my music' says how far it is).")


NOTHING_TO_NAME = ("I haven't made anything in this chat yet, so there's nothing to name. Ask me for a piece "
                   "('make me a calm piano piece'), then say 'name it Rainy Day'.")
DELETE = ("I can't delete pieces from the chat yet: they stay in this chat's list ('what have you made?'), and a piece is "
          "only in the library if you saved it. Your taste is yours to reset: say 'forget my taste'.")
# what stays is what is kept: the library and the taste; a new chat's pieces start again at g1 (a kept browser chat,
# with a login, is reopened from the sidebar with its pieces)
GOODBYE = ("Bye for now! Your library (with the pieces you saved) and your taste stay for next time: come back and "
           "say 'start my station' or 'what's in my library?'.")
THANKS = "You're welcome! Tell me what to make next, or say 'start a station' for music that keeps coming."


def help_text(tool_names: list[str]) -> str:
    lines = [f"- {text}" for name, text in CAPABILITIES.items() if name in tool_names]
    if not lines:
        return "I have no tools available right now."
    from tools.genres import ALL_LABELS

    styles = ", ".join(sorted(label for label, kind in ALL_LABELS.items() if kind == "genre"))
    return ("Here's what I can do:\n" + "\n".join(lines + [f"- {text}" for text in RADIO_CAPABILITIES])
            + f"\n\nStyles I make: {styles}; with any mood (calm, sad, dark, energetic...) and lead instrument.")


def greeting(tool_names: list[str]) -> str:
    return "Hello! I'm Tastemaker: tell me the music you like, and I'll create it.\n\n" + help_text(tool_names)


_UNSURE = ("I am not sure", "That looks like", "Still not sure")


def not_understood(reading: Reading, tool_names: list[str], earlier: list[str]) -> str:
    """A best guess and one concrete thing to try; never the same line as the reply before."""
    asked_before = sum(1 for e in earlier if e.startswith(_UNSURE))
    again = bool(earlier) and earlier[-1].startswith(_UNSURE)
    if reading.language:
        head = (f"That looks like {language_name(reading.language)}. I understand English best, and I found no "
                "music words I know in it.")
    elif reading.guess in SUGGESTIONS and reading.guess not in (I.HELP, I.GREETING):
        head = (f"{'Still not sure' if again else 'I am not sure'} what you mean. My best guess: "
                f"{CAPABILITY_OF.get(reading.guess, 'something I can do')}? If so, say {SUGGESTIONS[reading.guess]}.")
        return head + (" Type 'help' to see everything I can do." if again else "")
    else:
        head = f"{'Still not sure' if again else 'I am not sure'} what you'd like me to do."
    suggestion = FALLBACK_SUGGESTIONS[asked_before % len(FALLBACK_SUGGESTIONS)]
    text = f"{head} For example, say {suggestion}."
    return text + (" Type 'help' to see everything I can do." if asked_before else "")


def unavailable(tool: str) -> str:
    what = CAPABILITIES.get(tool, tool).split(" (")[0].split(":")[0]
    return f"Sorry, I can't {what} on this installation yet: that part of Tastemaker is not installed."


def _labels(pairs: list[Any], k: int = 3, with_p: bool = True) -> str:
    items = [f"{label} ({p:.0%})" if with_p else str(label) for label, p in pairs[:k]]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _names(items: list[str]) -> str:
    return _labels([(i, 0) for i in items], len(items), with_p=False)


# Moods that cannot both be a song's mood: the tagger can rank both high ('Mood: calm and energetic')
_OPPOSED = ({"calm", "energetic"}, {"happy", "sad"}, {"happy", "dark"}, {"mellow", "energetic"}, {"calm", "party"})


def _agreeing(moods: list[Any]) -> list[Any]:
    """The moods to say together: the second one only if it does not contradict the first."""
    return [m for i, m in enumerate(moods) if i == 0 or {moods[0][0], m[0]} not in _OPPOSED]


def describe(result: dict[str, Any]) -> str:
    parts = []
    for u in result["uploads"]:
        text = f"**{u['name']}** ({u['duration_s']:.0f} s) sounds like {_labels(u['genres'])}."
        if u.get("moods"):
            text += f" Mood: {_labels(_agreeing(u['moods'][:2]), 2, with_p=False)}."
        players = [(i, p) for i, p in u.get("instruments") or [] if i not in SOUND_TAGS][:3]
        sound = [i for i, _ in (u.get("instruments") or [])[:3] if i in SOUND_TAGS]
        if players:
            text += f" I hear {_labels(players, 3, with_p=False)}" + (f" ({_names(sound)})." if sound else ".")
        elif sound:
            text += f" It sounds {_names(sound)}."
        if u.get("tempo_bpm") and u.get("key"):
            text += f" About {u['tempo_bpm']} BPM, in {u['key']}."
        if c := u.get("classifier"):
            verdict = _labels([(label, 0) for label in c["labels"]], 3, with_p=False) or "none of its labels"
            text += f" Your classifier ({c['name']}) says: {verdict} (top: {_labels(c['top'], 3)})."
        parts.append(text)
    if any("generation_id" in u for u in result["uploads"]):
        parts.append("Say 'why did you choose that?' to see how it was made.")
    elif len(result["uploads"]) > 1:
        parts.append("Ask me to 'make something like these' and I'll create a piece in their spirit.")
    else:
        parts.append("Want something like it? Say 'make me something like this'.")
    return "\n\n".join(parts)


NOTHING_TO_ASK_ABOUT = ("I haven't made anything in this chat yet, and no song is attached, so there's nothing to "
                        "answer that about. Ask me for a piece ('make me a rock track') or attach a song, then ask "
                        "again.")


def made_facts(p: dict[str, Any]) -> dict[str, Any]:
    """What a making tool's result says about one piece, in the shape questions are answered from."""
    rapped = [{"name": "rapped vocals", "family": "vocals", "program": None, "detail": ""}] if p.get("hook") else []
    return {"name": p["id"], "piece": True, "seconds": p.get("seconds"), "tempo": p.get("tempo"), "key": p.get("key"),
            "genres": p.get("heard_genres") or [], "parts": (p.get("parts") or []) + rapped,  # the rap is no MIDI part
            "made_as": p.get("labels") or [], "rhythm": p.get("rhythm")}  # what it was asked to be: 'is it sad?'


def described_facts(u: dict[str, Any]) -> dict[str, Any]:
    """What describe_uploads says about one song or piece (the tagger's genres, moods and instruments)."""
    return {"name": u["name"], "piece": "generation_id" in u, "seconds": u.get("duration_s"),
            "tempo": u.get("tempo_bpm"), "key": u.get("key"), "genres": u.get("genres") or [],
            "moods": u.get("moods") or [], "instruments": u.get("instruments") or []}


_COUNTS = {2: "two", 3: "three", 4: "four"}


def _band(parts: list[dict[str, Any]]) -> str:
    """'drums (a power kit), electric bass and two overdriven guitars': each instrument once, counted."""
    named = [f"{p['name']} ({p['detail']})" if p.get("detail") else p["name"] for p in parts]
    counted = []
    for name in dict.fromkeys(named):
        n = named.count(name)
        counted.append(f"{_COUNTS.get(n, n)} {name}s" if n > 1 else name)
    return _names(counted)


def _plays(part: dict[str, Any], instrument: str) -> bool:
    """Whether a part of the arrangement is the instrument asked about ('guitar' is any guitar)."""
    from tools.generate.sketch.styles import GM_PROGRAMS

    return (instrument in (part["name"], part["family"]) or instrument in part["name"].split()
            or (part["program"] is not None and GM_PROGRAMS.get(instrument) == part["program"]))


# what a comparison asks about: the fact it is read from, and which way is 'more'
_COMPARED = {"faster": ("tempo", 1), "quicker": ("tempo", 1), "slower": ("tempo", -1), "longer": ("seconds", 1),
             "shorter": ("seconds", -1), "darker": ("minor", 1), "sadder": ("minor", 1), "brighter": ("minor", -1),
             "happier": ("minor", -1)}


def _pace(f: dict[str, Any]) -> str:
    known = [x for x in (f"about {f['tempo']:.0f} BPM" if f.get("tempo") else None, f.get("key")) if x]
    return f"{f['name']} ({', '.join(known) or 'tempo and key not known'})"


def compare(how: str, this: dict[str, Any], other: dict[str, Any], which: bool = False) -> str:
    """'is it slower than the first one?' answered from both pieces' known tempo, length or key: said, not made.
    `which`: asked as 'which is slower, g1 or g2?', so the answer names the one that is."""
    told = _compared(how, this, other)
    if which and told.startswith(("Yes: ", "No: ")):
        winner = this["name"] if told.startswith("Yes") else other["name"]
        return f"{winner} is {how}: {told.split(': ', 1)[1]}"
    return told


def _compared(how: str, this: dict[str, Any], other: dict[str, Any]) -> str:
    a, b = this["name"], other["name"]
    if a == b:
        return f"That is {a} both times: name another piece to compare it with ('is {a} slower than g1?')."
    fact, sign = _COMPARED.get(how, (None, 0))
    if fact in ("tempo", "seconds"):
        x, y = this.get(fact), other.get(fact)
        if not (x and y):
            return f"I don't know both {'tempos' if fact == 'tempo' else 'lengths'}: {_pace(this)}, {_pace(other)}."
        told = (f"{a} runs at about {x:.0f} BPM, {b} at about {y:.0f} BPM" if fact == "tempo" else
                f"{a} is {x:.0f} seconds long, {b} {y:.0f} seconds")
        if abs(x - y) <= 0.03 * max(x, y):
            return f"About the same: {told}."
        return f"{'Yes' if (x - y) * sign > 0 else 'No'}: {told}."
    if fact == "minor":
        modes = [(f.get("key") or "").partition(" ")[2] for f in (this, other)]
        if all(modes) and modes[0] != modes[1]:
            darker = modes[0] == "minor"
            return (f"{'Yes' if darker == (sign > 0) else 'No'}: {a} is in {this['key']} and {b} in {other['key']}; a "
                    "minor key sounds darker than a major one.")
    # nothing measured says which is calmer, heavier or louder (or darker, in the same mode): what is known, said
    return f"I can't measure which is {how}; what I know: {_pace(this)} and {_pace(other)}."


def side_by_side(this: dict[str, Any], other: dict[str, Any]) -> str:
    """'how does it compare to the first one?': what is known of both, side by side (tempo, key and mode, style,
    instruments, mood), in one line; nothing new made."""
    a, b = this["name"], other["name"]
    if a == b:
        return f"That is {a} both times: name another piece to compare it with ('how does {a} compare to g1?')."
    told = []
    x, y = this.get("tempo"), other.get("tempo")
    if x and y:
        told.append(f"both run at about {x:.0f} BPM" if abs(x - y) <= 0.03 * max(x, y) else
                    f"{a} is {'faster' if x > y else 'slower'} (about {x:.0f} BPM against {y:.0f})")
    ka, kb = this.get("key"), other.get("key")
    if ka and kb:
        ma, mb = ka.partition(" ")[2], kb.partition(" ")[2]
        told.append(f"both are in {ka}" if ka == kb else
                    f"{a} is in {ka} and {b} in {kb}, so {a} sounds {'darker' if ma == 'minor' else 'brighter'}"
                    if ma and mb and ma != mb else f"{a} is in {ka} and {b} in {kb}")
    sa, sb = _style(this), _style(other)
    if sa and sb:
        told.append(f"both are {sa}" if sa == sb else f"{a} is {sa}, {b} {sb}")
    pa, pb = _instruments(this), _instruments(other)
    if pa and pb:
        only_a, only_b = [i for i in pa if i not in pb], [i for i in pb if i not in pa]
        told.append("the same instruments" if not (only_a or only_b) else
                    "; ".join(f"only {n} has {_names(o)}" for n, o in ((a, only_a), (b, only_b)) if o))
    ma, mb = [m for m, _ in this.get("moods") or []][:2], [m for m, _ in other.get("moods") or []][:2]
    if ma and mb and ma != mb:
        told.append(f"{a} sounds {_names(ma)}, {b} {_names(mb)}")
    if not told:
        return f"I know too little of them to compare: {_pace(this)} and {_pace(other)}."
    return f"{a} next to {b}: " + "; ".join(told) + "."


def _style(f: dict[str, Any]) -> str:
    """What a piece was made as, else the genre heard most in it."""
    made = [g for g in f.get("made_as") or [] if ALL_LABELS.get(g) == "genre"]
    heard = [g for g, _ in f.get("genres") or []]
    return " and ".join(made[:2]) if made else heard[0] if heard else ""


def _instruments(f: dict[str, Any]) -> list[str]:
    """The instruments a piece plays (its parts), or those heard in a song."""
    named = [p["name"] for p in f.get("parts") or []] or [i for i, _ in (f.get("instruments") or [])[:3]]
    return list(dict.fromkeys(named))


def holds(reading: Reading, f: dict[str, Any]) -> bool | None:
    """Whether a yes/no question about a piece or song is answered yes from what is known of it ('does it have
    drums?', 'is it in minor?', 'is it jazz?'); None when that is not known."""
    slots = reading.slots
    said_groove = GROOVE_NAMED.search(reading.corrected)
    if said_groove and f.get("rhythm"):  # 'is it a bossa nova?': its groove, whatever style it was played as
        return is_that_groove(said_groove.group(1), f["rhythm"].get("style", ""), f["rhythm"].get("groove", ""))
    if f.get("piece") and stand_in_named(reading.corrected):  # 'is it reggae?': never, whatever played instead
        return False
    if slots.instruments:
        wanted = next(iter(slots.instruments))
        if f.get("parts"):
            return any(_plays(p, wanted) for p in f["parts"])
        heard = [label for label, _ in f.get("instruments") or []]
        return wanted in heard if heard else None
    if slots.mode or slots.key:
        if not f.get("key"):
            return None
        tonic, _, mode = f["key"].partition(" ")
        return (not slots.mode or slots.mode == mode) and (not slots.key or slots.key.lower() == tonic.lower())
    for kind, said in (("genres", slots.genres), ("moods", slots.moods)):
        if said:
            wanted = next(iter(said))
            heard = [label for label, _ in f.get(kind) or []][:3]
            if wanted in f.get("made_as", []):
                return True
            return wanted in heard if heard else None
    return None


def groove_of(f: dict[str, Any]) -> str | None:
    """'what groove is it?': the groove the arranger chose (its drum pattern's name), its meter, tempo and feel; of a
    song, what is known (its tempo); None when nothing is."""
    name, rhythm = f["name"], f.get("rhythm")
    pace = f" at about {f['tempo']:.0f} BPM" if f.get("tempo") else ""
    if not rhythm:
        if not pace:
            return None
        return (f"{name} runs{pace}; I can't name its groove (I keep that only for pieces I arrange)." if not f["piece"]
                else f"{name} runs{pace}; I kept no record of its groove.")
    feel = rhythm.get("feel") or "straight"
    head = f"{name} is in {rhythm.get('meter', '4/4')}{pace}, {feel}"
    if not rhythm.get("drums"):
        players = [p["name"] for p in f.get("parts") or []]
        keeps = f"the {players[0]} keeps the time" if len(players) == 1 else "the band keeps the time"
        return f"{head}, with no drums: {keeps}. Say 'add drums' for a beat."
    groove, _, detail = (rhythm.get("groove") or "").partition(":")
    style = rhythm.get("style") or "its style"
    kit = next((p.get("detail") for p in f.get("parts") or [] if p.get("family") == "drums" and p.get("detail")), "")
    on = f" on {kit}" if kit else ""
    played = f", played{on}" if on else ""
    if groove:  # one of the style's grooves (styles.GROOVES): another take may bring another
        owner = rhythm.get("groove_of") or style
        told = f"{possessive(owner)} \"{groove.strip()}\" groove" + (f" ({detail.strip()})" if detail else "")
        under = f" under the {style} band" if owner != style else ""
        then = ("Say 'slower' or 'faster' to change its pace." if rhythm.get("asked") or under
                else "Say 'another one' for another groove, or 'slower'.")  # a groove asked for stays in a new take
        return f"{head}, on {told}{under}{played}. {then}"
    return f"{head}, on {possessive(style)} own beat{played}. Say 'busier drums' or 'slower' to change it."


def answer_about(asked: str, reading: Reading, f: dict[str, Any]) -> str | None:
    """One line answering a question about a piece or song from what is known of it (None: not known)."""
    name, slots, text = f["name"], reading.slots, reading.corrected
    change = f["piece"]  # a piece of ours can be changed: say how
    if asked == "tempo":
        return f"{name} runs at about {f['tempo']:.0f} BPM." if f.get("tempo") else None
    if asked == "key":
        if not f.get("key") and f.get("parts") and all(p["family"] == "drums" for p in f["parts"]):
            return f"{name} is played by drums alone: it has no key. Add an instrument ('add a bass') to give it one."
        return f"{name} is in {f['key']}." if f.get("key") else None
    if asked == "length":
        return f"{name} is {f['seconds']:.0f} seconds long." if f.get("seconds") else None
    if asked == "groove":  # how it lays the time down, from the arrangement; 'is it swung?' answered yes or no first
        line = groove_of(f)
        swung = str((f.get("rhythm") or {}).get("feel", "")).startswith("swung")
        if line and f.get("rhythm") and re.search(r"\b(?:swung|swinging|swing)\b", text):
            return ("Yes: " if swung else "No: ") + line
        if line and f.get("rhythm") and re.search(r"^(?:so |and )?(?:is|was) \S+ straight\b", text):
            return ("No: " if swung else "Yes: ") + line
        if line and f.get("rhythm") and re.search(r"\bin 4/4\b", text):
            return "Yes: " + line
        return line
    if asked == "instruments":  # who plays in it, from the arrangement (the tagger's guess is for songs)
        if len(f.get("parts") or []) == 1:  # a solo: 'played by a piano alone', not 'has acoustic grand piano'
            part = f["parts"][0]
            if part["family"] == "drums":  # 'a drum solo': the kit ('a room kit') alone
                return f"{name} is played by {part.get('detail') or 'a drum kit'} alone."
            player = part["name"]
            return f"{name} is played by {'an' if player[0] in 'aeiou' else 'a'} {player} alone."
        return f"{name} has {_band(f['parts'])}." if f.get("parts") else None
    said_groove = GROOVE_NAMED.search(text)
    if said_groove and f.get("rhythm") and (line := groove_of(f)):  # 'is it a bossa nova?', 'is it boom bap?'
        rhythm = f["rhythm"]
        yes = is_that_groove(said_groove.group(1), rhythm.get("style", ""), rhythm.get("groove", ""))
        return ("Yes: " if yes else f"No, not a {said_groove.group(1)}: ") + line
    if change and (stood := stand_in_named(text)):  # 'is it reggae?': no piece of ours is; what plays instead
        word, label = stood
        played = (f"on {label}" if ALL_LABELS.get(label, "instrument") == "instrument" else f"as {label} music")
        if label in f.get("made_as", []) or any(_plays(p, label) for p in f.get("parts") or []):
            return f"No: there is no {word} here; {name} was played {played} instead."
        return f"No: {name} has no {word} (I have no {word} of my own; the nearest is {label})."
    if slots.instruments:
        wanted = next(iter(slots.instruments))
        if f.get("parts"):
            has = any(_plays(p, wanted) for p in f["parts"])
            band = _band(f["parts"])
            if has:
                return f"Yes: {name} has {band}."
            return f"No: {name} has {band}, no {wanted}." + (f" Say 'add {wanted}' to bring one in." if change else "")
        heard = [label for label, _ in f.get("instruments") or []]
        if heard:
            if wanted in heard:
                return f"Yes: I hear {_names(heard)} in {name}."
            return f"I don't hear {wanted} in {name}: I hear {_names(heard)}."
        return None
    if slots.mode or slots.key:
        if not f.get("key"):
            return None
        tonic, _, mode = f["key"].partition(" ")
        same = (not slots.mode or slots.mode == mode) and (not slots.key or slots.key.lower() == tonic.lower())
        asked_key = " ".join(k for k in (slots.key.upper() if slots.key else None, slots.mode) if k)
        if same:
            return f"Yes, {name} is in {f['key']}."
        return f"No, {name} is in {f['key']}." + (f" Say 'in {asked_key}' to change that." if change else "")
    speed = re.search(r"\b(fast|quick|slow)\b", text)
    if speed and f.get("tempo"):
        fast, tempo = speed.group(1) != "slow", f["tempo"]
        pace = "fast" if tempo >= 120 else "slow" if tempo < 90 else "medium"
        verdict = "Yes" if pace == ("fast" if fast else "slow") else "No" if pace != "medium" else "Not really"
        return f"{verdict}: {name} runs at about {tempo:.0f} BPM, a {pace} tempo."
    for kind, said, ask in (("genres", slots.genres, "more {}"), ("moods", slots.moods, "make it {}")):
        if not said:
            continue
        heard = [label for label, _ in f.get(kind) or []][:3]
        wanted = next(iter(said))
        how = ", ".join(x for x in (f.get("key"), f"{f['tempo']:.0f} BPM" if f.get("tempo") else None) if x)
        how = f" ({how})" if how else ""
        if wanted in f.get("made_as", []):  # made so on purpose: say that, then what the ear hears
            return (f"Yes: {name} was made {'as ' if kind == 'genres' else ''}{wanted}{how}."
                    + (f" I hear {_names(heard)} in it." if heard else ""))
        made_moods = [m for m in f.get("made_as", []) if kind == "moods" and ALL_LABELS.get(m) == "mood"]
        if made_moods:  # 'is it happy?' of a piece made sad: what it was made to be, not the tagger's guess
            return (f"No: {name} was made {_names(made_moods)}{how}."
                    + (f" Say '{ask.format(wanted)}' to change that." if change else ""))
        if not heard:
            return None
        if wanted in heard:
            return f"Yes: I hear {_names(heard)} in {name}."
        return (f"I hear {_names(heard)} in {name}, not {wanted}."
                + (f" Say '{ask.format(wanted)}' to change that." if change else ""))
    return None


def taste(result: dict[str, Any]) -> str:
    if result.get("forgotten"):
        return ("Your taste is reset: no songs, no words, no likes. Upload a song you love, or tell me what you like, "
                "to start again.")
    styled = bool(result.get("genres") or result.get("moods") or result.get("instruments"))
    if not styled and result.get("energy") is not None:  # only how calm or lively: a start, not a style yet
        return (f"From what you told me, your taste is: **{result['explanation']}**. Tell me a style or two you like "
                "as well ('I like soul and jazz'), or attach a song you like, and I'll make something to match.")
    if not styled:  # only what to keep out
        return (f"So far I know to keep {_names(result.get('avoid') or [])} out of what I make for you. Tell me what you "
                "do like ('I like mellow jazz with piano'), or attach a song you like.")
    clips = result.get("from_clips") or []
    source = f"From {len(clips)} song{'s' if len(clips) != 1 else ''}" if clips else "From what you told me"
    text = f"{source}, your taste is: **{result['explanation']}**." + _liked_line(result)
    if result.get("shared_genres"):
        text += f" Your songs all share {_names(result['shared_genres'][:3])}."
    if len(clips) > 1:
        return text + " Say 'make me something like these' and I'll create a piece to match."
    if clips:
        return text + " Say 'make me something like it' and I'll create a piece to match."
    return text + " Say 'make me something for my taste' and I'll create a piece to match, or attach a song you like."


def _liked_line(result: dict[str, Any]) -> str:
    """What the person liked and turned down of what I made ('what did I like?'): this chat's pieces by name, the
    styles over all."""
    line = ""
    for kind, said in (("liked", "You liked"), ("disliked", "You turned down")):
        count = result.get(f"{kind}_count") or 0
        if not count:
            continue
        here = result.get(kind) or []
        named = f" (here: {_names(here)})" if here else ""
        styles = result.get(f"{kind}_genres") or []
        mostly = f", mostly {_names(styles[:3])}" if styles else ""
        steer = ": I steer away from those" if kind == "disliked" else ""
        line += f" {said} {count} piece{'s' if count != 1 else ''} I made{named}{mostly}{steer}."
    return line


def feedback(result: dict[str, Any]) -> str:
    """A like or dislike taken, naming the piece it went to ('Glad you like g1 (metal)!': a button under an older
    piece acts on that one, and the taste it teaches is what the tagger heard, which may be another genre)."""
    made_as = f" ({result['made_as']})" if result.get("made_as") else ""
    which = f" **{result['generation_id']}**{made_as}" if result.get("generation_id") else " it"
    if result.get("again"):  # the same word about the same piece: noted once, and the taste moved once
        return (f"Noted already: you {'like' if result['liked'] else 'do not like'}{which}. Say 'another one' or "
                "tell me what to change.")
    if result.get("taste_empty"):  # noted, but nothing to show for it: not 'updated your taste: no preferences yet'
        if result["liked"]:
            return (f"Glad you like{which}! I've noted that, but I can't tell your taste from it yet. Tell me what you "
                    "like ('I like mellow jazz with piano') or attach a song you like.")
        return "Thanks for telling me; I've noted that. Say 'another one' or tell me what to change."
    if result["liked"]:
        return f"Glad you like{which}! I've noted that and updated your taste: {result['profile']}."
    away = f"{which.strip()}" if result.get("generation_id") else "that"
    return (f"Thanks for telling me; I'll steer away from {away}. Your taste now: {result['profile']}. "
            "Say 'another one' or tell me what to change.")


_OTHER_STYLES = ("ambient", "jazz", "rock", "classical", "funk", "folk")  # far apart: a real change of direction


def still_not_it(f: dict[str, Any]) -> str:
    """A second mild no in a row about the same piece ('meh', then 'not quite'): not the same thanks again, but
    directions to choose from, named from what is known of it."""
    name = f["name"]
    tempo = f" (it runs at about {f['tempo']:.0f} BPM)" if f.get("tempo") else ""
    mode = (f.get("key") or "").partition(" ")[2]
    tone = ("'brighter' (it is in " + f["key"] + ") or 'darker'" if mode == "minor" else
            "'darker' (it is in " + f["key"] + ") or 'brighter'" if mode else "'darker' or 'brighter'")
    own = set(f.get("made_as") or []) | {g for g, _ in (f.get("genres") or [])[:2]}
    styles = [g for g in _OTHER_STYLES if g not in own][:2]
    return (f"Still not it, then: rather than guess again, pick a direction for {name}: 'slower'{tempo} or 'faster', "
            f"{tone}, 'less drums', or another style ('make it {styles[0]}', 'make it {styles[1]}'). "
            "Or say 'another one' for a fresh take of the same request.")


def _piece_line(p: dict[str, Any]) -> str:
    heard = _names([g for g, _ in p.get("heard_genres") or []])
    tempo = f", about {p['tempo']} BPM" if p.get("tempo") else ""
    key = f", {p['key']}" if p.get("key") else ""
    line = f"**{p['id']}** ({p['seconds']:.0f} s{tempo}{key}): I hear {heard or 'no clear genre'} in it."
    if p.get("hook"):
        line += f" Rapped by a robot voice (espeak-ng); the hook: \"{p['hook']}\"."
    if p.get("notes"):
        line += f" Arranger's notes: {'; '.join(p['notes'])}."
    return line


def made(result: dict[str, Any], earlier: list[str]) -> str:
    pieces = result["pieces"]
    lines = []
    if result.get("using"):
        lines.append(f"Using {_names(result['using'])}.")
    if "refined_from" in result:
        what = "A different take on" if result.get("different") else "A new take on"
        lines.append(f"{what} {result['refined_from']} ({result['change']}):")
    elif len(pieces) > 1:
        lines.append(f"Here are {len(pieces)} versions:")
    lines += [_piece_line(p) for p in pieces]
    if "target" in result:
        rounds = f"{result['iterations']} round{'s' if result['iterations'] != 1 else ''}"
        aim = "Blending" if result.get("combined") else "Aiming for"
        if result["matched"]:
            lines.append(f"{aim} {_names(result['target'])}: after {rounds} I hear all of it, so it matched.")
        else:
            missed = [t for t in result["target"] if t not in result.get("reached", [])]
            lines.append(f"{aim} {_names(result['target'])}: after {rounds} I still don't hear {_names(missed)} among "
                         "its top genres, so it did not fully match.")
        if result.get("reference"):
            lines.append(f"It borrowed ideas from {result['reference']} in the library.")
    if result.get("unmet"):
        lines.append("Note: " + "; ".join(result["unmet"]) + ".")
    choice = pieces[0].get("engine_choice", "") if pieces else ""
    if choice.startswith("MusicGen") and "musicgen" not in pieces[0]["engine"] and not any(
            "MusicGen" in e for e in earlier):
        lines.append(f"({choice}.)")  # once per conversation
    hint = "Tell me what to change ('more jazz', 'faster', 'less drums', 'in D minor'), or ask why I chose it."
    if not any(hint in e for e in earlier):  # once per conversation is enough
        lines.append(hint)
    return "\n\n".join(lines)


def played(result: dict[str, Any]) -> str:
    if result.get("track_id"):
        by = f" by {result['artist']}" if result.get("artist") else ""
        return f"Here is **{result['title']}**{by}. Say 'make something like it' to hear it as a new piece."
    piece, _, asked = result["title"].partition(": ")
    named_as = f" \"{result['name']}\"" if result.get("name") else ""  # 'Here is **g1** "Blue Morning" (jazz)'
    if result.get("from_library"):  # saved in an earlier chat: a piece of this one now
        return (f"Here is **{piece}**{named_as} ({asked}) from your library, a piece of this chat again: ask about it "
                "or change it ('what key is it in?', 'why did you choose that?', 'slower', 'add strings').")
    return (f"Here is **{piece}**{named_as} ({asked}) again. What you ask to change now changes this one ('more "
            "energy', 'slower', 'in D minor').")


def back_to(result: dict[str, Any]) -> str:
    """'undo that': the piece gone back to, said as such (not as a piece merely played again)."""
    piece, _, asked = result["title"].partition(": ")
    return (f"Back to **{piece}** ({asked}). What you ask to change now changes this one "
            "('more energy', 'slower', 'in D minor').")


def explain(result: dict[str, Any]) -> str:
    w = result["weights"]
    asked = ", ".join(f"{k} {v:.1f}" for k, v in sorted(w["genres"].items(), key=lambda kv: -kv[1])) or "no genre"
    # moods, then the players; 'instrumental' is how it sounds, not an instrument ('with ... instrumental and piano')
    players = [i for i in w["instruments"] if i not in SOUND_TAGS]
    aimed = "".join([f", {_names(list(w['moods']))}" if w["moods"] else "",
                     f", with {_names(players)}" if players else "",
                     *(f", {SAID_AS.get(i, i)}" for i in w["instruments"] if i in SOUND_TAGS)])
    lines = [f"**{result['id']}**: you said \"{result['said']}\"." if result.get("said") else f"**{result['id']}**:",
             *([f"It is a new take on {result['refined_from']}, changed as you asked: \"{result['change']}\"."]
               if result.get("refined_from") else []),
             *([f"It is **{result['from_library']}** from your library, made in an earlier chat."]
               if result.get("from_library") else []),
             f"I aimed for {asked}{aimed}"
             + (f", leaving out {_names(result['avoid'])}" if result.get("avoid") else "") + "."]
    facts = []
    if result.get("tempo"):
        facts.append(f"{result['tempo']:.0f} BPM")
    if result.get("key"):
        facts.append(f"in {result['key']}")
    if result.get("energy") is not None:
        facts.append(f"energy {result['energy']:.1f} of 1")
    if facts:
        lines.append("It plays at " + ", ".join(facts) + ".")
    if result.get("why"):  # the why of each choice, not only the what
        lines.append("Why: " + ". ".join(w[:1].upper() + w[1:] for w in result["why"]) + ".")
    lines.append(f"The prompt was: \"{result['prompt']}\".")
    if result.get("attempts"):
        best: dict[int, dict] = {}  # each round's best candidate
        for a in result["attempts"]:
            if a["iteration"] not in best or a["jaccard"] > best[a["iteration"]]["jaccard"]:
                best[a["iteration"]] = a
        steps = "; ".join(f"round {i} heard {_names(a['heard']) or 'nothing clear'}" for i, a in sorted(best.items()))
        lines.append(f"The loop aimed for {_names(result.get('target') or [])}: {steps}.")
    else:
        lines.append(f"Then I listened: I hear {_names([g for g, _ in result['heard']]) or 'no clear genre'} in it.")
    if result.get("notes"):
        lines.append(f"Arranger's notes: {'; '.join(result['notes'])}.")
    return "\n\n".join(lines)


def pieces(result: dict[str, Any]) -> str:
    made = result["pieces"]
    lines = [f"This chat has {len(made)} piece{'s' if len(made) != 1 else ''}:"]
    for n, p in enumerate(made, start=1):
        _, _, asked = p["title"].partition(": ")
        hearing = "its file is no longer here" if p.get("gone") else f"I hear {_names(p['heard']) or 'no clear genre'}"
        named_as = f" \"{p['name']}\"" if p.get("name") else ""
        line = f"{n}. **{p['id']}**{named_as} {asked} ({p['seconds']} s): {hearing}"
        if p.get("refined_from"):
            line += f"; a new take on {p['refined_from']} (\"{p['change']}\")"
        if p.get("liked") is not None:
            line += "; you liked it" if p["liked"] else "; not your thing"
        lines.append(line + ".")
    if result.get("closest"):
        lines.append(closest_line(result))
    return "\n".join(lines)


def closest_line(result: dict[str, Any]) -> str:
    """Which piece the tagger hears nearest to what it was asked to be, and why: how strongly it hears the asked
    genres in it and in the next nearest ('which one was better?')."""
    best, runner = result["closest"], result.get("next")

    def heard_in(piece: str, heard: dict[str, float]) -> str:
        return f"{', '.join(f'{g} at {p:.2f}' for g, p in heard.items())} in {piece}"

    why = heard_in(best, result.get("closest_heard") or {})
    if runner:
        same = list(runner["heard"]) == list(result.get("closest_heard") or {})
        why += ", " + (f"{', '.join(f'{p:.2f}' for p in runner['heard'].values())} in {runner['id']}" if same
                       else heard_in(runner["id"], runner["heard"]))
    if result.get("tie") and runner:  # heard alike: not one named closest
        none = "none is clearly what it was asked to be yet, and " if not result.get("closest_in_top", True) else ""
        head = f"By what I hear, {none}**{best}** and **{runner['id']}** are too close to call (I hear {why})"
    elif result.get("closest_in_top", True):
        head = f"By what I hear, **{best}** comes closest to what it was asked to be (I hear {why})"
    else:  # none is heard as asked among its top three genres: the nearest, said as such
        head = (f"By what I hear, none is clearly what it was asked to be yet; **{best}** comes closest (I hear "
                f"{why})")
    return head + "; which is better is yours to say ('I like the second one', 'play g1')."


def _counted(table: list, most: int = 6) -> str:
    return ", ".join(f"{g} {n}" for g, n in table[:most]) + (", ..." if len(table) > most else "")


def _chat_piece(p: dict[str, Any]) -> str:
    """'**g1** jazz (8 s)', '**g1** "Blue Morning" (jazz, 8 s)'."""
    _, _, asked = p["title"].partition(": ")
    gone = ", its file is no longer here" if p.get("gone") else ""
    if p.get("name"):
        return f"**{p['id']}** \"{p['name']}\" ({asked}, {p['seconds']} s{gone})"
    return f"**{p['id']}** {asked} ({p['seconds']} s{gone})"


def back_after_reload(pieces: list[dict[str, Any]], files: tuple[str, ...] = ()) -> str:
    """The line a page opens with when the person's last page (no login) was reloaded or closed with pieces in it;
    the files attached to it went with it."""
    n = len(pieces)
    lines = [f"Welcome back. Your last page went away (a reload or a closed tab); here {'is' if n == 1 else 'are'} "
             f"the {n} piece{'' if n == 1 else 's'} you made on it, the players below in this order:"]
    lines += [f"{i}. {_chat_piece(p)}" for i, p in enumerate(pieces, start=1)]
    lines.append("")
    lines.append(f"Tell me what to change in {pieces[-1]['id']} ('slower', 'more bass'), say 'play g1' to hear one "
                 "again, or 'save it' to keep one in your library.")
    if files:
        lines.append(f"The files you attached there went with it: attach {', '.join(files[:5])} again to use them.")
    return "\n".join(lines)


def overview(result: dict[str, Any]) -> str:
    """The person's music: what they saved (the newest listed), the built-in collection beside it, and this chat's
    pieces not saved yet (theirs too; a save keeps one)."""
    about = result["overview"]
    unsaved = about.get("unsaved") or []
    lines = []
    if about["count"]:
        lines.append(f"Your library holds {about['count']} track{'s' if about['count'] != 1 else ''} "
                     f"({_counted(about['genres'])}). The newest, last added first:")
        lines += [f"{i}. **{t['title']}**" + (f" by {t['artist']}" if t["artist"] else "") + f" ({t['genre']})"
                  for i, t in enumerate(result["tracks"], start=1)]
    elif unsaved:
        lines.append("Nothing is saved in your library yet.")
    else:
        lines.append("Your library is empty. Attach a song and say 'add it to my library', or save a piece I made.")
    if unsaved:
        first = unsaved[0]["id"]
        lines.append(f"Made in this chat, not saved yet: {', '.join(_chat_piece(p) for p in unsaved)}. Say 'name "
                     f"{first} Rainy Day' (or 'save {first}') to keep one in your library; 'play my music' plays them.")
    if about.get("built_in"):
        lines.append(f"Beside {'them' if about['count'] else 'it'}, the built-in collection: {about['built_in']} "
                     f"pieces ({_counted(about['built_in_genres'], 4)}). Search it by words ('find string quartets') "
                     "or sound ('find something similar').")
    elif result.get("building"):  # the built-in collection is another thing than theirs: said on its own line
        lines.append(f"(The built-in collection of example pieces is still being made: {result['building']}; search "
                     "it in a few minutes.)")
    elif about["count"]:
        lines.append("Search it by words ('find string quartets') or sound ('find something similar').")
    return "\n".join(lines)


def my_music(result: dict[str, Any]) -> str:
    """'play my music': this chat's pieces and the saved tracks, each with its player; or, with none, what to say."""
    pieces, saved = result["pieces"], result["tracks"]
    if not pieces and not saved:
        trouble = f" (I couldn't open your library: {result['library_error']})" if result.get("library_error") else ""
        return ("You have no music of your own yet: nothing made in this chat and nothing saved to your library"
                f"{trouble}. Say 'make me a calm piano piece' to make one, or 'play some music' for a station of new "
                "pieces.")
    n = len([p for p in pieces if not p.get("gone")]) + len(saved)
    lines = [f"Your music, {n} piece{'s' if n != 1 else ''} to play, the players below in this order:"]
    if pieces:
        lines.append("Made in this chat:")
        lines += [f"{i}. {_chat_piece(p)}" + ("; saved" if p["saved"] else "") for i, p in enumerate(pieces, start=1)]
    if saved:
        lines.append("Saved in your library:")
        # numbered when they are the only list, or all pieces of ours numbered on from the chat's ('the third one')
        ours = all(t.get("generation_id") for t in saved)
        lines += [(f"{i}. " if not pieces or ours else "- ") + f"**{t['title']}**"
                  + (f" by {t['artist']}" if t["artist"] else "") + f" ({t['genre']})"
                  + (f", here as **{t['generation_id']}**" if t.get("generation_id") else "")
                  for i, t in enumerate(saved, start=len(pieces) + 1 if ours else 1)]
    if result.get("more"):
        lines.append(f"... and {result['more']} more saved: say 'list my music' for the newest, or search by name.")
    if result.get("library_error"):
        lines.append(f"(Your library could not be opened: {result['library_error']})")
    lines.append("")  # the list ends here ('...; saved Say ...' ran on in the browser's list item)
    ours = [t["generation_id"] for t in saved if t.get("generation_id")]
    lines.append(f"Say 'play {(pieces[0]['id'] if pieces else ours[0])}' to hear one again and change it"
                 if pieces or ours else "Say 'play the first one' to hear one again")
    lines[-1] += ", or 'play some music' for a station of new pieces."
    return "\n".join(lines)


def tracks(result: dict[str, Any]) -> str:
    if "overview" in result:
        return overview(result)
    found = result["tracks"]
    if not found:
        return ("I found nothing in the library for that. Try other words, or add music: attach a song and say "
                "'add it to my library'.")
    head = f"Using {result['using']}. " if result.get("using") else ""

    def line(i: int, t: dict[str, Any]) -> str:
        return f"{i}. **{t['title']}**" + (f" by {t['artist']}" if t["artist"] else "") + f" ({t['genre']}): {t['why']}"

    close = [t for t in found if t.get("close", True)]
    far = [t for t in found if not t.get("close", True)]
    if not close:  # nothing in the library is really like it: say so, show the nearest, offer to make one
        lines = [f"{head}Nothing in the library is close to that. The nearest, but not close:"]
        lines += [line(i, t) for i, t in enumerate(far, start=1)]
        lines.append("\nShall I make you a piece like it instead? Say 'make me something like it'.")
        return "\n".join(lines)
    kind = "that sound alike" if result.get("using") else "for that"  # a word search finds, it does not compare
    lines = [f"{head}I found {len(close)} piece{'s' if len(close) != 1 else ''} in the library {kind}:"]
    lines += [line(i, t) for i, t in enumerate(close, start=1)]
    if far:
        lines.append("Nearest after those, but not close:")
        lines += [line(i, t) for i, t in enumerate(far, start=len(close) + 1)]
    return "\n".join(lines)


def named(result: dict[str, Any]) -> str:
    """'name it Blue Morning': the piece's name, where it is kept, and how to play it by that name."""
    piece = result.get("generation_id") or "It"
    where = (f"renamed in your library (it was '{result['renamed_from']}')" if result.get("renamed_from") else
             "in your library under that name" if result["already_there"] else
             f"saved to your library under that name, as {result['genre']}")
    return (f"{piece} is now called **{result['title']}**, {where}. Say 'play {result['title']}' to hear it again, "
            "or 'list my music' to see what you have.")


def added(result: dict[str, Any]) -> str:
    if result.get("renamed_from"):
        return (f"Renamed it in your library: **{result['title']}** (it was '{result['renamed_from']}', "
                f"id {result['id']}).")
    if result["already_there"]:
        return f"That one is already in your library, as **{result['title']}** ({result['genre']}, id {result['id']})."
    return (f"Added **{result['title']}** to your library as {result['genre']} (id {result['id']}); it now holds "
            f"{result['tracks_in_library']} track{'s' if result['tracks_in_library'] != 1 else ''}. Ask me to 'find "
            "something similar' or search for it.")


WRITERS = {
    "add_to_library": added, "search_library": tracks, "find_similar": tracks, "describe_uploads": describe,
    "taste_profile": taste, "record_feedback": feedback, "explain_music": explain, "play_music": played,
    "list_pieces": pieces, "my_music": my_music,
}


def compose(reading: Reading, results: list[tuple[str, dict[str, Any]]], earlier: list[str] = ()) -> str:
    """One reply from the results of the tool calls of this turn."""
    parts = []
    if reading.language:
        parts.append(f"That looks like {language_name(reading.language)}: I understand English best, so I went by "
                     f"the words I recognised ({', '.join(w for w in reading.understood if w not in VERBS)}).")
    for name, result in results:
        if "error" in result:
            parts.append(result["error"] if result.get("not_ready") else f"Sorry, that didn't work: {result['error']}")
        elif name in ("generate_music", "create_music", "refine_music"):
            if reading.intent == I.REFINE and name == "generate_music":  # 'more bass' as a first message
                parts.append("There was nothing to change yet, so here is a new piece with that in it.")
            if reading.slots.audience and name != "refine_music":  # who it is for chose the style: said so
                parts.append(f"For your {reading.slots.audience}, I went for {audience_style(reading.slots.audience)} "
                             "(a guess at what they'd enjoy: name a style if you know better).")
            elif chosen_for_occasion(reading.slots) and name != "refine_music":  # what it is for chose it: said so
                parts.append(f"For '{reading.slots.occasion}', I went for {occasion_style(reading.slots.occasion)} "
                             "(a guess at what fits: name a style if you know better).")
            parts.append(made(result, list(earlier)))
        elif name == "record_feedback" and not result["liked"] and len(results) > 1:  # a new take follows
            parts.append("Noted; I'll steer away from that." + ("" if result.get("taste_empty") else
                                                                 f" Your taste now: {result['profile']}."))
        elif (name == "describe_uploads" and result.get("uploads") and (asked := I.piece_question(reading.corrected))
              and (line := answer_about(asked, reading, described_facts(result["uploads"][-1])))):
            parts.append(line)  # a question about it: its answer, not the whole description
        elif name == "add_to_library" and re.search(I.RENAME, reading.corrected):
            parts.append(named(result))
        elif name == "play_music" and result.get("generation_id") and re.search(I.UNDO, reading.corrected):
            parts.append(back_to(result))
        elif (name == "play_music" and result.get("piece") and reading.intent in (I.DESCRIBE, I.EXPLAIN)
              and (asked := I.piece_question(reading.corrected))
              and (line := answer_about(asked, reading, made_facts(result["piece"])))):
            parts.append(f"{line} {played(result)}")  # 'what key is Blue Morning in?': taken up, and answered
        elif name in WRITERS:
            parts.append(WRITERS[name](result))
        else:
            parts.append(f"Done ({name}).")
    return "\n\n".join(parts)
