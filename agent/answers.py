"""The offline planner's words: fixed replies, and plain sentences written from tool results."""

from __future__ import annotations

from typing import Any

from agent.intents import Parsed

REFUSE_FILE = (
    "I can't open files by their path on this machine: I only work with audio you attach to the chat "
    "(the paperclip in the browser, or /attach PATH in the terminal). Attach the song and ask me again."
)
NEED_UPLOAD = "I need a song to listen to first. Attach an audio file (wav, flac, ogg or mp3) and ask me again."
NEED_UPLOAD_FOR_LIKE = (
    "Like what? Attach one or more songs you love (wav, flac, ogg or mp3) and I'll make something in their spirit, "
    "or tell me the style in words, e.g. 'make me a mellow jazz piece'."
)
NEED_REFERENCE = "Similar to what? Attach a song, or make something first, and I'll find pieces that sound like it."
NOTHING_TO_RATE = "Thanks! There's nothing I've made yet for you to rate, though. Ask me to make something first."
NOTHING_TO_ADD = "There's nothing to add yet: attach a song, or ask me to make something, then say 'add it to my library'."
NOTHING_TO_REFINE = (
    "There's nothing to refine yet. Ask me to make something first, e.g. 'make me a rock track', "
    "then say 'more jazz', 'faster' or 'another one'."
)

CAPABILITIES = {
    "describe_uploads": "tell you what an uploaded song is (genres, moods, instruments): attach it and ask "
                        "'what is this song?'",
    "taste_profile": "sum up your taste from the songs you upload and what you tell me ('what's my taste?')",
    "search_library": "search the music library ('find string quartets by Beethoven')",
    "find_similar": "find library pieces that sound like a song ('find something similar')",
    "generate_music": "make music from a description ('make me a 20 second rock track at 140 bpm')",
    "create_music": "make something like the songs you uploaded, checking the result with a music classifier "
                    "('make me something like these')",
    "refine_music": "refine the last piece ('more jazz', 'faster', 'less drums', 'more energetic', 'another one')",
    "record_feedback": "remember what you like ('I love it', 'not my thing')",
    "add_to_library": "add a piece to your library ('add it to my library')",
}


def help_text(tool_names: list[str]) -> str:
    lines = [f"- {text}" for name, text in CAPABILITIES.items() if name in tool_names]
    return "Here's what I can do:\n" + "\n".join(lines) if lines else "I have no tools available right now."


def greeting(tool_names: list[str]) -> str:
    return "Hello! I'm Tastemaker: tell me the music you like, and I'll create it.\n\n" + help_text(tool_names)


def not_understood(tool_names: list[str]) -> str:
    return "I'm not sure what you'd like me to do. " + help_text(tool_names)


def unavailable(tool: str) -> str:
    what = CAPABILITIES.get(tool, tool).split(" (")[0].split(":")[0]
    return f"Sorry, I can't {what} on this installation yet: that part of Tastemaker is not installed."


def _labels(pairs: list[Any], k: int = 3, with_p: bool = True) -> str:
    items = [f"{label} ({p:.0%})" if with_p else str(label) for label, p in pairs[:k]]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def describe(result: dict[str, Any]) -> str:
    parts = []
    for u in result["uploads"]:
        text = f"**{u['name']}** ({u['duration_s']:.0f} s) sounds like {_labels(u['genres'])}."
        if u.get("moods"):
            text += f" Mood: {_labels(u['moods'], 2, with_p=False)}."
        if u.get("instruments"):
            text += f" I hear {_labels(u['instruments'], 3, with_p=False)}."
        if c := u.get("classifier"):
            verdict = _labels([(label, 0) for label in c["labels"]], 3, with_p=False) or "none of its labels"
            text += f" Your classifier ({c['name']}) says: {verdict} (top: {_labels(c['top'], 3)})."
        parts.append(text)
    if len(result["uploads"]) > 1:
        parts.append("Ask me to 'make something like these' and I'll create a piece in their spirit.")
    else:
        parts.append("Want something like it? Say 'make me something like this'.")
    return "\n\n".join(parts)


def taste(result: dict[str, Any]) -> str:
    clips = result.get("from_clips") or []
    source = f"From {len(clips)} song{'s' if len(clips) != 1 else ''}" if clips else "From what you told me"
    text = f"{source}, your taste is: **{result['explanation']}**."
    if result.get("shared_genres"):
        text += f" Your songs all share {_labels([(g, 0) for g in result['shared_genres']], 3, with_p=False)}."
    return text + " Say 'make me something like these' and I'll create a piece to match."


def feedback(result: dict[str, Any]) -> str:
    if result["liked"]:
        return f"Glad you like it! I've noted that and updated your taste: {result['profile']}."
    return (f"Thanks for telling me; I'll steer away from that. Your taste now: {result['profile']}. "
            "Say 'another one' or tell me what to change.")


def _piece_line(p: dict[str, Any]) -> str:
    heard = _labels(p.get("heard_genres") or [], 3)
    tempo = f" at about {p['tempo']} BPM" if p.get("tempo") else ""
    line = (f"**{p['id']}**: {p['seconds']:.0f} s{tempo}, made by the {p['engine']} engine ({p['model']}, "
            f"seed {p['seed']}). The tagger hears {heard or 'no clear genre'}.")
    if p.get("hook"):
        line += f" Rapped by espeak-ng's robot voice; the hook: \"{p['hook']}\"."
    if p.get("notes"):
        line += f" Arranger's notes: {'; '.join(p['notes'])}."
    return line


def made(result: dict[str, Any]) -> str:
    pieces = result["pieces"]
    if "refined_from" in result:
        head = f"Here's a new take on {result['refined_from']} ({result['change']}):"
    elif len(pieces) > 1:
        head = f"Here are {len(pieces)} candidates:"
    else:
        head = "Here you go:"
    lines = [head] + [_piece_line(p) for p in pieces]
    if "target" in result:
        verdict = "matched" if result["matched"] else "did not fully match"
        judge = f"; judged by {result['judge']}" if result.get("judge") else ""
        rounds = f"{result['iterations']} iteration{'s' if result['iterations'] != 1 else ''}"
        lines.append(f"Aiming for {_labels([(t, 0) for t in result['target']], 3, with_p=False)}, the classifier "
                     f"check {verdict} after {rounds} ({result['stop_reason']}{judge}).")
        if result.get("reference"):
            lines.append(f"It borrowed ideas from {result['reference']} in the library.")
    if pieces and "musicgen" not in pieces[0]["engine"] and pieces[0].get("engine_choice", "").startswith("MusicGen"):
        lines.append(f"({pieces[0]['engine_choice']}.)")
    lines.append("Tell me what to change: 'more jazz', 'faster', 'less drums', 'more energetic' or 'another one'.")
    return "\n\n".join(lines)


def tracks(result: dict[str, Any]) -> str:
    found = result["tracks"]
    if not found:
        return "I found nothing in the library for that. Try other words, or add music with 'tastemaker library add'."
    lines = [f"I found {len(found)} piece{'s' if len(found) != 1 else ''} in the library:"]
    lines += [f"- **{t['title']}**" + (f" by {t['artist']}" if t["artist"] else "") + f" ({t['genre']}): {t['why']}"
              for t in found]
    return "\n".join(lines)


def added(result: dict[str, Any]) -> str:
    if result["already_there"]:
        return f"That one is already in your library, as **{result['title']}** ({result['genre']}, id {result['id']})."
    return (f"Added **{result['title']}** to your library as {result['genre']} (id {result['id']}); it now holds "
            f"{result['tracks_in_library']} tracks. Ask me to 'find something similar' or search for it.")


WRITERS = {
    "add_to_library": added, "search_library": tracks, "find_similar": tracks, "generate_music": made,
    "create_music": made, "refine_music": made, "describe_uploads": describe, "taste_profile": taste,
    "record_feedback": feedback,
}


def compose(parsed: Parsed, results: list[tuple[str, dict[str, Any]]]) -> str:
    """One reply from the results of the tool calls of this turn."""
    parts = []
    for name, result in results:
        if "error" in result:
            parts.append(f"Sorry, that didn't work: {result['error']}")
        elif name in WRITERS:
            parts.append(WRITERS[name](result))
        else:
            parts.append(f"Done ({name}).")
    return "\n\n".join(parts)
