"""The offline planner: a LangChain chat model that needs no LLM.

It reads the conversation, understands the person's last message with the language layer
(tools.language.understand: intent + typed slots), works out what 'it', 'these' or 'the second one' point to
(the songs attached to this message, else the last thing shown: an upload, a search result or a piece), and
answers with tool calls whose typed arguments it fills from the slots. When the tool results come back it
answers from them in plain sentences (agent.answers). It implements `bind_tools`, so `create_agent` drives it
exactly as it drives an OpenAI-compatible model; it is the product's default brain and only offers what the
bound tools can do.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool

from agent import answers
from agent.attachments import strip_note, uploads_in
from tools.generate.request import MusicAsk, MusicChange
from tools.genres import ALL_LABELS
from tools.language import Reading, Slots, read_slots, understand
from tools.language import intents as I
from tools.language.slots import SOLO
from tools.language.spelling import title_match

MAKING_TOOLS = ("generate_music", "create_music", "refine_music")
# 'forget my taste', 'reset my profile': the browser's reset button, said in words
FORGET_TASTE = (r"\b(?:forget|reset|clear|erase|delete|wipe)\s+(?:all\s+(?:of\s+)?)?(?:my|the)\s+(?:music\s+)?"
                r"(?:taste|profile|taste profile|preferences)\b")
SHOWING_TOOLS = ("search_library", "find_similar")


@dataclass
class Context:
    """What the conversation so far makes available to a new request, and what was shown last."""

    uploads: list[str] = field(default_factory=list)  # every upload id, oldest first
    names: dict[str, str] = field(default_factory=dict)  # upload id -> file name
    latest_uploads: list[str] = field(default_factory=list)  # the last message that attached files
    attached_now: list[str] = field(default_factory=list)  # files attached to the newest message itself
    pieces: list[str] = field(default_factory=list)  # generated piece ids, the one in hand ('it') last
    made: list[str] = field(default_factory=list)  # generated piece ids in the order they were made
    last_batch: list[str] = field(default_factory=list)  # the pieces of the last making call (candidates)
    refined_from: dict[str, str] = field(default_factory=dict)  # a refinement's piece id -> the piece it changed
    undone_to: str | None = None  # the piece an 'undo' went back to, while it is the last thing played
    labels: dict[str, list[str]] = field(default_factory=dict)  # piece id -> what it was made as ('the rock one')
    tracks: list[str] = field(default_factory=list)  # library ids of the last search or similar result
    shown: str | None = None  # 'upload', 'piece', 'track' or 'taste': what 'it' most likely means
    earlier_replies: list[str] = field(default_factory=list)  # what the assistant said before this turn
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)  # piece or upload id -> what is known of it
    disliked_before: str | None = None  # the piece the turn before this one disliked ('meh', then 'not quite')
    liked_before: str | None = None  # the piece the turn before this one liked ('I like the second one', 'more like this')
    titles: list[tuple[tuple[str, str], str]] = field(default_factory=list)  # (('piece', 'g1'), 'Blue Morning'): named
    renamed: list[tuple[tuple[str, str], str, str]] = field(default_factory=list)  # (what, old name, new name)


def read_context(messages: Sequence[BaseMessage]) -> Context:
    ctx = Context()
    said = ""  # the person's last message: whether a piece played again was played for an 'undo'
    disliked = None  # the piece this turn disliked, if it did
    liked = None  # the piece this turn liked, if it did
    for m in messages:
        if isinstance(m, HumanMessage):
            said = _text(m)
            ctx.disliked_before, disliked = disliked, None
            ctx.liked_before, liked = liked, None
            found = uploads_in(_text(m))
            ctx.attached_now = [uid for uid, _ in found]
            if found:
                ctx.names.update(found)
                ctx.uploads.extend(uid for uid, _ in found if uid not in ctx.uploads)
                ctx.latest_uploads = [uid for uid, _ in found]
                ctx.shown = "upload"
        elif isinstance(m, ToolMessage) and m.name in MAKING_TOOLS:
            if _json(m).get("taken_up"):  # 'make Blue Morning slower': the saved piece, a piece of this chat first
                _taken_up(ctx, [_json(m)["taken_up"]])
            batch = [p["id"] for p in _json(m).get("pieces", [])]
            for p in _json(m).get("pieces", []):  # its record: 'does it have drums?' is answered from it
                ctx.facts[p["id"]] = answers.made_facts(p)
            ctx.labels.update((p["id"], p.get("labels", [])) for p in _json(m).get("pieces", []))
            if _json(m).get("refined_from"):  # 'undo that' goes back to it, whichever take is in hand
                ctx.refined_from.update((p, _json(m)["refined_from"]) for p in batch)
            if batch:
                ctx.undone_to = None
                ctx.pieces.extend(batch)
                ctx.made.extend(batch)
                ctx.last_batch = batch
                ctx.shown = "piece"
        elif isinstance(m, ToolMessage) and m.name == "explain_music" and _json(m).get("taken_up"):
            _taken_up(ctx, [_json(m)["taken_up"]])
        elif isinstance(m, ToolMessage) and m.name == "record_feedback" and _json(m).get("liked") is False:
            disliked = _json(m).get("generation_id")
        elif isinstance(m, ToolMessage) and m.name == "record_feedback" and _json(m).get("liked"):
            liked = _json(m).get("generation_id")
        elif isinstance(m, ToolMessage) and m.name == "play_music":  # played again: 'it' is that one now
            played = _json(m).get("generation_id")
            if _json(m).get("piece") and played not in ctx.pieces:  # a saved piece, a piece of this chat again
                _taken_up(ctx, [_json(m)["piece"]])
                if _json(m).get("name"):
                    ctx.titles = [(("piece", played), _json(m)["name"])] + ctx.titles
            if played in ctx.pieces:
                ctx.pieces = [p for p in ctx.pieces if p != played] + [played]
                ctx.shown = "piece"
                ctx.undone_to = played if re.search(I.GO_BACK, said.lower()) else None  # an undo, not "the one before"
            elif _json(m).get("track_id"):
                ctx.shown = "track"
        elif isinstance(m, ToolMessage) and m.name == "add_to_library" and _json(m).get("title"):
            told = _json(m)  # 'name it Blue Morning', 'save it as Rainy Day': 'play Blue Morning' is that one
            which = ("piece", told["generation_id"]) if told.get("generation_id") else ("track", told["id"])
            # a rename: the old name no longer plays it ('play Blue Morning' after 'rename it to Grey Evening')
            ctx.renamed += [(which, old, told["title"]) for what, old in ctx.titles if what == which
                            and old.casefold() != told["title"].casefold()]
            ctx.renamed = [r for r in ctx.renamed if r[1].casefold() != told["title"].casefold()]
            ctx.titles = [(which, told["title"])] + [t for t in ctx.titles if t[0] != which]
        elif isinstance(m, ToolMessage) and m.name == "my_music":  # the person's music, listed with players
            told = _json(m)
            ctx.titles += [(("piece", p["id"]), p["name"]) for p in told.get("pieces", []) if p.get("name")]
            ctx.titles += [(("piece", t["generation_id"]) if t.get("generation_id") else ("track", t["id"]), t["title"])
                           for t in told.get("tracks", [])]
            _taken_up(ctx, told.get("restored", []))  # the last one listed is 'it'
            saved = told.get("tracks", [])
            if saved and all(t.get("generation_id") for t in saved):  # all pieces of ours: numbered on from the chat's
                ctx.last_batch = [p["id"] for p in told.get("pieces", [])] + [t["generation_id"] for t in saved]
            elif saved and not told.get("pieces"):  # numbered alone: 'the second one' is the second of them
                ctx.tracks = [t["id"] for t in saved]
                ctx.shown = "track"
        elif isinstance(m, ToolMessage) and m.name in SHOWING_TOOLS:
            found_tracks = [t["id"] for t in _json(m).get("tracks", [])]
            if found_tracks:
                ctx.tracks = found_tracks
                ctx.shown = "track"
            if "overview" in _json(m):  # the person's saved music: their names
                ctx.titles += [(("track", t["id"]), t["title"]) for t in _json(m).get("tracks", [])]
        elif isinstance(m, ToolMessage) and m.name == "describe_uploads":  # what the tagger heard, kept
            for u in _json(m).get("uploads", []):
                known = ctx.facts.get(u.get("generation_id") or u.get("upload_id"), {})
                told = {k: v for k, v in answers.described_facts(u).items() if v not in (None, [])}
                ctx.facts[u.get("generation_id") or u.get("upload_id")] = known | told
        elif isinstance(m, ToolMessage) and m.name == "taste_profile":  # 'make me something like that' next
            told = _json(m)
            if told.get("genres") or told.get("moods") or told.get("instruments") or told.get("energy") is not None:
                # a taste to make music for, even one that is only how calm or lively ("I prefer slower stuff")
                ctx.shown = "taste"
        elif isinstance(m, AIMessage) and not m.tool_calls and _text(m):
            ctx.earlier_replies.append(_text(m))
    return ctx


def _taken_up(ctx: Context, records: list[dict[str, Any]]) -> None:
    """Saved pieces that became pieces of this chat ('play Blue Morning', 'play my music'), known as a made piece is:
    'what key is it in?', 'slower' and 'the jazz one' are about them."""
    for p in records:
        ctx.facts[p["id"]] = answers.made_facts(p)
        if p.get("name"):  # 'what key is Blue Morning in?' next: that piece, by its name
            ctx.titles = [(("piece", p["id"]), p["name"])] + [t for t in ctx.titles if t[0] != ("piece", p["id"])]
        ctx.labels[p["id"]] = p.get("labels", [])
        ctx.pieces = [g for g in ctx.pieces if g != p["id"]] + [p["id"]]
        ctx.made += [] if p["id"] in ctx.made else [p["id"]]
    if records:
        ctx.undone_to = None
        ctx.shown = "piece"


# 'yes please', 'sure, 5 seconds', 'go ahead': a yes to what the last reply offered ("Say 'make me something for my
# taste'"), or a filler word before the request itself (alone, 'sure' was read as a genre's meaning: punk)
_YES = re.compile(r"^(?:(?:yes|yeah|yep|yup|ya|sure|ok|okay|alright|all right|please|go ahead|do it|do that|let'?s do "
                  r"(?:it|that)|let'?s go|sounds good|why not|of course|definitely|absolutely)\b[\s,.!]*)+(.*)$", re.IGNORECASE)
# an offer opens a sentence ("Say 'another one' ..."; "Want something like it? Say '...'"), not an example of what one
# could say ("For example, say '...'", "If so, say '...'")
_OFFER = re.compile(r"(?:^|([.!?])\s+)Say '([^']+)'")


def _offer(reply: str) -> str | None:
    """What a yes to this reply takes up: the offer that answers its question, else its last offer."""
    offers = [(mark == "?", said) for mark, said in _OFFER.findall(reply)]
    asked = [said for after_question, said in offers if after_question]
    return (asked or [said for _, said in offers] or [None])[-1]


def taken_up(reading: Reading, ctx: Context) -> Reading:
    """The message read as what it says yes to: the last reply's first offer (with what the person added: 'sure, 5
    seconds'), or the words after the yes; any other message as it is."""
    said = _YES.match(reading.text.strip())
    if said is None or reading.intent == I.REFINE:  # 'ok, make it faster', 'yes, 10 seconds' of the piece in hand
        return reading
    rest = said.group(1).strip(" ,.!")
    rest_reading = understand(rest) if rest else None
    offer = _offer(ctx.earlier_replies[-1]) if ctx.earlier_replies else None
    only_details = rest_reading is None or (rest_reading.intent in (I.UNKNOWN, I.MAKE) and not (
        rest_reading.slots.genres or rest_reading.slots.moods or rest_reading.slots.instruments))
    if offer and only_details:
        return understand(f"{offer}, {rest}" if rest else offer)
    return rest_reading if rest_reading is not None and rest_reading.intent != I.UNKNOWN else reading


def _text(m: BaseMessage) -> str:
    if isinstance(m.content, str):
        return m.content
    return " ".join(part.get("text", "") for part in m.content if isinstance(part, dict))


def _json(m: BaseMessage) -> dict[str, Any]:
    try:
        value = json.loads(_text(m))
    except (json.JSONDecodeError, TypeError):
        return {"error": _text(m)}
    return value if isinstance(value, dict) else {"value": value}


@dataclass
class Referent:
    """What 'it' / 'these' / 'the second one' stands for in this message."""

    kind: str | None  # 'upload', 'piece', 'track' or None (nothing to point at)
    ids: list[str] = field(default_factory=list)


def _nth(items: list[str], which: int | None) -> list[str]:
    if which and 1 <= which <= len(items):
        return [items[which - 1]]
    return items


def named_pieces(label: str | None, ctx: Context) -> list[str]:
    """The pieces made as `label` ('the rock one'), the one in hand first."""
    if not label:
        return []
    return list(dict.fromkeys(p for p in reversed(ctx.pieces) if label in ctx.labels.get(p, [])))


def _counted_among(ctx: Context) -> str | None:
    """What 'the first one', 'the second one' count: the kind last shown, or after the taste (which is not a list)
    the chat's pieces, else its songs."""
    if ctx.shown in ("upload", "piece", "track"):
        return ctx.shown
    return "piece" if ctx.made else "upload" if ctx.uploads else None


def _only_a_meter(slots) -> bool:
    """Whether the only music the words name is a dance's meter ('a waltz' is read as classical music)."""
    return bool(slots.genres) and all(re.search(I.METER, slots.reasons.get(g, "")) for g in slots.genres) and not (
        slots.moods or slots.instruments or slots.avoid or slots.more or slots.tempo or slots.key or slots.mode
        or slots.seconds is not None or slots.energy is not None)


def resolve(reading: Reading, ctx: Context) -> Referent:
    """The songs attached to this message, else the last thing shown: one ('it') or several ('these')."""
    slots = reading.slots
    several = slots.refers == "these"
    if ctx.attached_now:
        if several and len(ctx.attached_now) == 1 and len(ctx.uploads) > 1:
            return Referent("upload", ctx.uploads)  # 'these' with one more song: all of them
        return Referent("upload", _nth(ctx.attached_now, slots.which))
    named = [g for g in re.findall(r"\bg\d+\b", reading.text.lower()) if g in ctx.pieces]
    if named:  # 'g1 but with strings'
        return Referent("piece", named[-1:])
    like_that = named_pieces(slots.named_as, ctx)
    if like_that:  # 'make the rock one slower': the latest piece made as rock
        return Referent("piece", like_that[:1])
    kind = _counted_among(ctx)
    if slots.which and kind:
        pool = {"upload": ctx.latest_uploads if len(ctx.latest_uploads) >= slots.which else ctx.uploads,
                # 'the second one' of several versions shown together; else of the chat's pieces, in order
                "piece": ctx.last_batch if len(ctx.last_batch) > 1 and len(ctx.last_batch) >= slots.which
                else ctx.made,
                "track": ctx.tracks}[kind]
        if slots.which <= len(pool):
            return Referent(kind, [pool[slots.which - 1]])
    if several and ctx.uploads:
        return Referent("upload", ctx.latest_uploads if len(ctx.latest_uploads) > 1 else ctx.uploads)
    if ctx.shown == "upload":
        return Referent("upload", ctx.latest_uploads[-1:])
    if ctx.shown == "piece":
        return Referent("piece", ctx.pieces[-1:])
    if ctx.shown == "track":
        return Referent("track", ctx.tracks[:1])
    return Referent(None)


# 'the slow one', 'the other piece': a piece pointed at by something that is not its name or its place in the list
_THE_KIND_ONE = (r"\bthe (?!(?:one|last|previous|latest|newest|new|same|current|first|second|third|fourth|fifth)\b)"
                 r"([a-z&'-]+(?: [a-z&'-]+)?) (?:one|piece|song|version|take)\b")
# the intents that may name a piece ('save g2', 'like g1'), each with what to say to name one that is there
NAMES_A_PIECE = {I.MAKE: "make {last} faster', 'something like {first}", I.MAKE_LIKE: "something like {first}",
                 I.REFINE: "make {last} faster", I.ADD: "save {last}", I.FEEDBACK: "I like {last}",
                 I.DESCRIBE: "what is {last}?", I.EXPLAIN: "why did you make {last} like that?"}


# a like or dislike that may be read as another thing when a piece is named by what it is: 'I like the jazz one' (a
# taste in words), 'I loved the cello one' (music asked for), 'I dont like the punk one' (a take without punk)
RATED_BY_DESCRIPTION = (I.TASTE, I.MAKE, I.REFINE, I.UNKNOWN, I.FEEDBACK)
# 'just the piano', 'the piano alone': an instrument of the piece in hand ('solo piano' may be a new piece)
_THE_ONE_ALONE = r"\b(?:just|only) the [a-z]+\b|\bthe [a-z]+ (?:alone|on its own|by itself)\b"
_THE_LAST_ONE = r"\bthe (?:last|newest|latest|most recent)(?: one| piece| song| take| version)?\b"


def without_the_name(slots: Slots) -> Slots:
    """The slots less the label that says which piece is meant ('the cello one') and what was read from it (the
    classical a cello implies, the punk 'I dont like the punk one' would leave out): the rest is what was asked."""
    label = slots.named_as
    from_it = {g for g, why in slots.reasons.items() if why in (f"implied by {label}",) or why.startswith("whole text")}
    gone = {label} | from_it
    return replace(slots, genres={k: v for k, v in slots.genres.items() if k not in gone},
                   moods={k: v for k, v in slots.moods.items() if k not in gone},
                   instruments={k: v for k, v in slots.instruments.items() if k not in gone},
                   avoid=[a for a in slots.avoid if a not in gone],
                   more={k: v for k, v in slots.more.items() if k not in gone})


class OfflinePlanner(BaseChatModel):
    """Deterministic intent + slot parsing that emits tool calls, then answers from their results."""

    tool_names: list[str] = []
    # (track id, title) of the person's saved tracks, for 'play Blue Morning' in a later chat (ChatAgent sets it to
    # read the session's library; without it only the names this conversation shows are known)
    known_titles: Any = None

    @property
    def _llm_type(self) -> str:
        return "tastemaker-offline-planner"

    @property
    def model_label(self) -> str:
        return "offline planner"

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any) -> "OfflinePlanner":
        names = [convert_to_openai_tool(t)["function"]["name"] for t in tools]
        return self.model_copy(update={"tool_names": names})

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self.respond(messages))])

    # -- the planner proper ----------------------------------------------------------------------
    def respond(self, messages: Sequence[BaseMessage]) -> AIMessage:
        last_human = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
        if last_human < 0:
            return AIMessage(content=answers.help_text(self.tool_names))
        results = [(m.name or "", _json(m)) for m in messages[last_human + 1:] if isinstance(m, ToolMessage)]
        reading = understand(strip_note(_text(messages[last_human])))
        ctx = read_context(messages[: last_human + 1])
        both = compound(strip_note(_text(messages[last_human])))
        if both and I.conditional(strip_note(_text(messages[last_human]))):
            # 'does it have drums? if so remove them': the request only when the answer is yes
            both, left = only_if_so(both, ctx)
            if left:
                reply = self._respond_to_each(both, ctx, messages[last_human + 1:], last_human)
                return reply if reply.tool_calls else AIMessage(content=f"{reply.content}\n\n{left}")
        if both:  # a question and a request in one message: each answered, in the order asked
            return self._respond_to_each(both, ctx, messages[last_human + 1:], last_human)
        if results:
            return AIMessage(content=answers.compose(reading, results, ctx.earlier_replies))
        reading = taken_up(reading, ctx)
        calls = self.plan(reading, ctx)
        if isinstance(calls, str):
            return AIMessage(content=calls)
        return AIMessage(
            content="",
            tool_calls=[{"name": name, "args": args, "id": f"call_{last_human}_{i}", "type": "tool_call"}
                        for i, (name, args) in enumerate(calls)],
        )

    def _respond_to_each(self, readings: list[Reading], ctx: Context, after: Sequence[BaseMessage],
                         last_human: int) -> AIMessage:
        """Tool calls for every clause that needs them (their ids say which clause), then one reply: each clause's
        answer, the direct ones from what is known, the others from their tools' results."""
        results: dict[int, list[tuple[str, dict[str, Any]]]] = {}
        for m in after:
            if isinstance(m, ToolMessage):
                clause = int(str(m.tool_call_id).split("_")[2]) if str(m.tool_call_id).count("_") == 3 else 0
                results.setdefault(clause, []).append((m.name or "", _json(m)))
        plans = [self.plan(r, ctx) for r in readings]
        if results or all(isinstance(p, str) for p in plans):
            return AIMessage(content="\n\n".join(
                p if isinstance(p, str) else answers.compose(r, results.get(k, []), ctx.earlier_replies)
                for k, (r, p) in enumerate(zip(readings, plans))))
        return AIMessage(content="", tool_calls=[
            {"name": name, "args": args, "id": f"call_{last_human}_{k}_{i}", "type": "tool_call"}
            for k, p in enumerate(plans) if not isinstance(p, str) for i, (name, args) in enumerate(p)])

    def plan(self, reading: Reading, ctx: Context) -> list[tuple[str, dict[str, Any]]] | str:
        """Tool calls for a request, or a direct answer (a string) when no tool is needed or possible."""
        intent, slots = reading.intent, reading.slots
        ref = resolve(reading, ctx)
        if ctx.attached_now and not reading.text:  # a song sent without a word: say what it is
            return self._call("describe_uploads", {"upload_ids": ctx.attached_now})
        if re.search(I.ABOUT, reading.corrected) and intent in (I.UNKNOWN, I.HELP, I.GREETING):
            return answers.ABOUT
        if intent == I.GREETING:
            return answers.greeting(self.tool_names)
        if intent == I.HELP:
            return answers.help_text(self.tool_names)
        if intent == I.THANKS:
            return answers.GOODBYE if I.says_goodbye(reading.corrected) else answers.THANKS
        if re.search(I.LOOP, reading.corrected) and intent not in (I.RADIO, I.PLAYLIST):
            return answers.LOOP  # the player repeats a piece: said, not a new take
        asks_groove = intent == I.DESCRIBE and I.piece_question(reading.corrected) == "groove"
        if asks_groove:  # 'what time signature is it in?': answered with the groove (below), not the 4/4 apology
            pass
        elif re.search(I.METER, reading.corrected) and re.search(I.METER_QUESTION, reading.corrected) and \
                ref.kind == "piece":
            return answers.meter_of(ref.ids[0])  # 'is it in 3/4?': no, said plainly
        elif re.search(I.METER, reading.corrected) and (not (slots.names_music() or slots.is_change()) or
                                                      (slots.refers and _only_a_meter(slots))):
            # only the time signature asked for ('turn it into a waltz': its style stand-in is no change asked for):
            # say so instead of a take in 4/4
            return answers.METER
        if re.search(I.KEY_CHANGE, reading.corrected) and not (slots.names_music() or slots.is_change()):
            return answers.KEY_CHANGE
        if re.search(I.SOUND_QUALITY, reading.corrected) and not (slots.names_music() or slots.avoid):
            return answers.SOUND_QUALITY  # the engine's sound as a whole: said plainly, not a take that changes nothing
        if intent == I.NAME:
            return self._name(reading, ctx, ref)
        if re.search(I.DELETE, reading.corrected):
            return answers.DELETE
        if slots.quieter and not (slots.is_change() or slots.names_music() or slots.different):
            return answers.QUIETER  # the loudness alone: the player's, not a calmer and slower take
        if intent == I.PLAYBACK:
            return answers.VOLUME if re.search(I.VOLUME, reading.corrected) else answers.PLAYBACK
        if intent == I.DOWNLOAD:
            return answers.download(reading.text)
        if intent == I.REFUSE_FILE:
            return answers.REFUSE_FILE
        if intent == I.MY_MUSIC:  # 'play my music': what they made here and saved, not a station of new music
            return self._call("my_music", {})
        if intent in (I.MAKE, I.PLAY, I.UNKNOWN, I.MAKE_LIKE) and (said := I.played_words(reading.text)):
            named_as = self._titled(said, ctx)  # 'play Blue Morning': the piece so named, not a new blues piece
            if named_as:
                key = "generation_id" if named_as[0] == "piece" else "track_id"
                return self._call("play_music", {key: named_as[1]})
            was = title_match(said, [((which, new), old) for which, old, new in ctx.renamed])
            if was:  # its old name: said what it is called now
                return answers.renamed(was[0][1] if was[0][0] == "piece" else "that track", said, was[1])
            # 'play Sunset', no such name and no music asked for, or only an occasion's name: said so, with what to say
            occasion_alone = slots.occasion is not None and " ".join(re.findall(r"[\w']+", said.lower())) == \
                slots.occasion
            if intent == I.UNKNOWN or occasion_alone:
                coming = self._coming(said)
                return answers.not_ready_yet(coming) if coming else answers.no_such_title(said, occasion_alone)
        if (intent in (I.UNKNOWN, I.PLAY) or (intent == I.MAKE and reading.via != "cue")) and \
                (bare := I.bare_title(reading.text)):
            # 'Blue Morning please': a name alone plays it (a name only: 'some blues please' is not close to one)
            named_as = self._titled(bare, ctx)
            if named_as:
                key = "generation_id" if named_as[0] == "piece" else "track_id"
                return self._call("play_music", {key: named_as[1]})
            was = title_match(bare, [((which, new), old) for which, old, new in ctx.renamed])
            if was:  # its old name alone: said what it is called now
                return answers.renamed(was[0][1] if was[0][0] == "piece" else "that track", bare, was[1])
        if intent in (I.MAKE, I.MAKE_LIKE, I.REFINE) and (like := I.liked_words(reading.text)) and \
                (named_as := self._titled(like, ctx)):
            # 'make something like Blue Morning': like the piece or track so named (its words are no style: 'blue')
            if named_as[0] == "piece":  # a take on it, with any change said ('... but faster')
                change = self._change(replace(reading, slots=read_slots(reading.text)), ctx, named_as[1])
                return self._call("refine_music", change | {"like_last": True, "generation_id": named_as[1]})
            return self._call("create_music", {"description": reading.text, "track_id": named_as[1],
                                               "seconds": slots.seconds, "max_iters": slots.max_iters})
        if intent in (I.MAKE, I.REFINE, I.DESCRIBE, I.EXPLAIN, I.UNKNOWN) and (titled := self._title_in(reading.text,
                                                                                                       ctx)):
            # 'make Blue Morning slower', 'what key is Blue Morning in?': the piece so named (its words are no style)
            answered = self._about_titled(reading, ctx, *titled)
            if answered is not None:
                return answered
        if intent in (I.RADIO, I.PLAYLIST):  # the chat app and the terminal chat hand these to the radio first
            return answers.RADIO_ELSEWHERE
        if intent in NAMES_A_PIECE:  # a piece named that is not there: said, not another piece
            unknown = [g for g in re.findall(r"\bg\d+\b", reading.corrected) if g not in ctx.made]
            if unknown:
                return answers.no_such_name(unknown[0], ctx.made, NAMES_A_PIECE[intent])
            if (slots.which and ctx.made and not ctx.attached_now and _counted_among(ctx) == "piece"
                    and slots.which > len(ctx.made)):  # 'make the third one slower' of one piece: said
                return answers.no_such_piece(slots.which, ctx.made)
        if slots.liked is not None and slots.named_as and ctx.made and intent in RATED_BY_DESCRIPTION:
            # 'I loved the cello one', 'I dont like the punk one': that piece rated, not a taste in words, a new cello
            # piece or a take without punk; with no piece made as it, which pieces there are (it says a piece is meant)
            if not named_pieces(slots.named_as, ctx):
                return answers.no_piece_made_as(slots.named_as, ctx.made, ctx.labels)
            reading = replace(reading, slots=without_the_name(slots))
            slots = reading.slots
            changes = slots.is_change() or re.search(r"\b(?:make|turn) (?:it|that|this|them)\b", reading.corrected)
            if changes or (intent == I.REFINE and slots.names_music()):
                intent = I.REFINE  # 'I hate the punk one, make it jazz instead': rated, and changed as asked
            else:
                intent = I.FEEDBACK
        if (intent == I.MAKE and reading.via == "words" and ctx.shown == "piece" and slots.instruments.get(SOLO)
                and re.search(_THE_ONE_ALONE, reading.corrected)):
            # 'just the piano' of a piece with a band: that piece, played by the piano alone (read as a change: no
            # style guessed from the words' meaning, as for a new piece)
            intent, slots = I.REFINE, read_slots(reading.text)
            reading = replace(reading, intent=intent, slots=slots)
        # 'the rock one' with no rock piece: said (every piece has its genres; 'the piano one' may be any piece)
        if (slots.named_as and ALL_LABELS.get(slots.named_as) == "genre" and ctx.shown == "piece"
                and intent in (I.REFINE, I.MAKE_LIKE, I.PLAY, I.ADD, I.FEEDBACK)
                and not named_pieces(slots.named_as, ctx)):
            return answers.no_piece_made_as(slots.named_as, ctx.made, ctx.labels)
        if intent == I.DESCRIBE:
            asked = I.piece_question(reading.corrected)
            if asked == "compare" and ctx.pieces:  # 'is it slower than the first one?': from what is known of both
                return compare_pieces(reading, ctx)
            if asked and ref.kind is None and not ctx.uploads:
                return answers.NOTHING_TO_ASK_ABOUT
            if asked and ref.kind in ("piece", "upload") and ref.ids[-1] in ctx.facts:
                line = answers.answer_about(asked, reading, ctx.facts[ref.ids[-1]])
                if line:  # known already: no new tagging, no whole description again
                    return line
            if ref.kind == "piece":
                return self._call("describe_uploads", {"generation_ids": ref.ids})
            if not ctx.uploads:
                return answers.NEED_UPLOAD
            ids = ref.ids if ref.kind == "upload" else ctx.latest_uploads
            if slots.refers == "these" and not slots.which:
                ids = ctx.latest_uploads if len(ctx.latest_uploads) > 1 else ctx.uploads
            return self._call("describe_uploads", {"upload_ids": ids})
        if intent == I.TASTE:
            if re.search(FORGET_TASTE, reading.corrected):
                return self._call("taste_profile", {"forget": True})
            # 'what have I liked so far?' names no music: a style guessed from the whole sentence is not kept as taste
            guessed = bool(slots.genres) and all("similar" in slots.reasons.get(g, "") for g in slots.genres)
            said = reading.text if slots.names_music() and not (guessed and not (slots.moods or slots.instruments
                                                                                   or slots.avoid)) else ""
            return self._call("taste_profile", {"text": said, "upload_ids": ctx.uploads})
        if intent == I.SIMILAR:
            if ref.kind:
                key = {"upload": "upload_id", "piece": "generation_id", "track": "track_id"}[ref.kind]
                return self._call("find_similar", {key: ref.ids[-1]})
            if not slots.names_music():
                return answers.NEED_REFERENCE
            return self._call("search_library", {"query": reading.text})
        if intent == I.SEARCH:
            return self._call("search_library", {"query": reading.text})
        if intent == I.FEEDBACK:
            if not ctx.pieces and slots.liked and ctx.uploads:  # "I love it" of a song they sent: their taste
                ids = ref.ids if ref.kind == "upload" else ctx.latest_uploads
                # 'i like this kind of stuff but usually a bit calmer': the words join the song
                said = reading.text if slots.names_music() or slots.is_change() else ""
                return self._call("taste_profile", {"text": said, "upload_ids": ids})
            if not ctx.pieces:
                return answers.NOTHING_TO_RATE if slots.liked else answers.NOTHING_TO_DISLIKE
            piece = ref.ids[-1] if ref.kind == "piece" else ctx.pieces[-1]
            if not slots.which and re.search(_THE_LAST_ONE, reading.corrected):
                piece = ctx.made[-1]  # 'the last one was better': the newest piece, not the one played again
            if not slots.liked and piece == ctx.disliked_before and not (slots.is_change() or slots.names_music()):
                # 'meh', then 'not quite': noted once already; the same thanks again would go nowhere
                return answers.still_not_it(ctx.facts.get(piece) or {"name": piece})
            liked = self._call("record_feedback", {"liked": bool(slots.liked), "generation_id": piece})
            if slots.liked and (slots.is_change() or slots.names_music()) and isinstance(liked, list):
                # 'love it, but a bit calmer please', 'great, now a jazz version': the like kept, the change made
                return liked + self._call("refine_music", self._change(reading, ctx, piece) | {"generation_id": piece})
            return liked
        if intent == I.ADD:
            if ref.kind is None:
                return answers.NOTHING_TO_ADD
            key = {"upload": "upload_id", "piece": "generation_id", "track": "track_id"}[ref.kind]
            title = I.title_in(reading.text) if ref.kind != "track" else None  # 'save it as Rainy Monday'
            return self._call("add_to_library", {key: ref.ids[-1]} | ({"title": title} if title else {}))
        if intent == I.PLAY:
            if ref.kind == "track":
                return self._call("play_music", {"track_id": ref.ids[-1]})
            if not ctx.pieces:
                return answers.NOTHING_TO_PLAY
            named = re.findall(r"\bg\d+\b", reading.text.lower())  # 'play g2'; an unknown one gets the tool's clear error
            which = reading.slots.which
            if not named and ref.kind == "piece" and which and which > max(len(ctx.made), len(ctx.last_batch)):
                return answers.no_such_piece(which, ctx.made)  # 'the fifth one' of one piece
            if not named and re.search(r"\bthe (?:last|newest|latest|most recent)(?: one| piece| song| take| version)?\b",
                                       reading.corrected):
                return self._call("play_music", {"generation_id": ctx.made[-1]})  # the newest, not the one in hand
            if not named and re.search(I.PREVIOUS, reading.corrected) and not re.search(I.GO_BACK, reading.corrected):
                at = ctx.made.index(ctx.pieces[-1])  # 'the one before', again and again: down the list of pieces
                if at == 0:
                    return answers.nothing_before(ctx.made) if len(ctx.made) == 1 else answers.first_piece(ctx.made[0])
                return self._call("play_music", {"generation_id": ctx.made[at - 1]})
            if not named and re.search(I.UNDO, reading.corrected):
                before = ctx.refined_from.get(ctx.pieces[-1])  # a change undone: the piece it changed
                if before:
                    return self._call("play_music", {"generation_id": before})
                if len(ctx.pieces) < 2:
                    return answers.nothing_before(ctx.made)
                if ctx.undone_to == ctx.pieces[-1]:  # undone once already: the one before now is what was undone
                    return answers.nothing_earlier(ctx.pieces[-1], ctx.pieces[-2])
                return self._call("play_music", {"generation_id": ctx.pieces[-2]})  # the one before the one in hand
            kind_named = re.search(_THE_KIND_ONE, reading.corrected)
            if not named and not which and kind_named and not named_pieces(slots.named_as, ctx):
                if kind_named.group(1) == "other" and len(ctx.pieces) == 2:
                    return self._call("play_music", {"generation_id": ctx.pieces[0]})  # of two, the one not in hand
                if len(ctx.made) > 1:
                    return answers.which_piece(ctx.made, ctx.labels)  # 'play the slow one': not a guess at which
            piece = named[-1] if named else ref.ids[-1] if ref.kind == "piece" else ctx.pieces[-1]
            return self._call("play_music", {"generation_id": piece})
        if intent == I.PIECES:
            if not ctx.pieces:
                return answers.NOTHING_MADE
            return self._call("list_pieces", {})
        if intent == I.EXPLAIN:
            if not ctx.pieces:
                return answers.nothing_to_explain(ctx.uploads)
            piece = ref.ids[-1] if ref.kind == "piece" else ctx.pieces[-1]
            return self._call("explain_music", {"generation_id": piece})
        if intent == I.COMBINE:
            songs = ctx.latest_uploads if len(ctx.latest_uploads) > 1 else ctx.uploads
            if len(songs) < 2:
                return answers.NEED_TWO_SONGS
            return self._call("create_music", self._ask(reading) | {"upload_ids": songs, "combine": True,
                                                                   "max_iters": slots.max_iters})
        if intent == I.REFINE:
            if ctx.pieces:
                piece = ref.ids[-1] if ref.kind == "piece" else ctx.pieces[-1]
                liked_just_now = slots.like_last and ctx.liked_before in ctx.pieces and not (
                    slots.which or slots.named_as or re.search(r"\bg\d+\b", reading.corrected))
                if liked_just_now:  # 'I like the second one', then 'more like this': that one, liked once
                    piece = ctx.liked_before
                refine = self._call("refine_music", self._change(reading, ctx, piece) | {"generation_id": piece})
                disliked_whole = slots.liked is False and not (slots.is_change() or slots.avoid)  # not 'the drums'
                if disliked_whole and isinstance(refine, list):  # 'that was awful, try again': said, and kept
                    return self._call("record_feedback", {"liked": False, "generation_id": piece}) + refine
                if slots.liked and isinstance(refine, list) and not liked_just_now:  # 'i like it but make it faster'
                    return self._call("record_feedback", {"liked": True, "generation_id": piece}) + refine
                return refine
            if not (slots.names_music() or slots.tempo_factor or slots.energy_delta):
                return answers.NOTHING_TO_REFINE  # 'another one', 'longer': nothing to go on
            intent = I.MAKE  # "more jazz", "slower" before anything was made: a new piece with that in it
        if intent == I.MAKE_LIKE:
            # 'based on my taste', or 'something like that' right after the person described their taste
            named_taste = "taste" in reading.corrected  # 'for my taste' is the taste, even right after a piece
            wants_taste = named_taste or (ctx.shown == "taste" and ref.kind is None)
            songs = ref.ids if ref.kind == "upload" else []
            if not songs and ref.kind == "piece" and not named_taste:  # 'like it' after a piece: more like it
                return self._call("refine_music", self._change(reading, ctx) | {"like_last": True,
                                                                              "generation_id": ref.ids[-1]})
            if not songs and ref.kind == "track":  # 'like the second one' after a search
                return self._call("create_music", self._ask(reading) | {"track_id": ref.ids[-1],
                                                                       "max_iters": slots.max_iters})
            if not songs and not wants_taste:
                return answers.NEED_UPLOAD_FOR_LIKE
            return self._call("create_music", self._ask(reading) | {"upload_ids": songs,
                                                                   "max_iters": slots.max_iters})
        if intent == I.MAKE:
            ask = self._ask(reading)
            named = [g for g in slots.genres if "similar" not in slots.reasons.get(g, "")]  # said, not guessed
            if re.search(r"\bsurprise me\b", reading.corrected) and not named:
                ask["genres"] = {surprise_genre(): 1.0}  # not the sentence's guessed meaning: any style at all
            elif ctx.shown == "taste" and not named and ref.kind is None:
                # 'I like rock' ... 'make me something': the taste just told is what the piece is for
                return self._call("create_music", ask | {"max_iters": slots.max_iters})
            return self._call("generate_music", ask)
        if ctx.attached_now and not slots.names_music():
            # A song sent with 'here you go' or 'and this one?': what it is, is the likeliest question.
            return self._call("describe_uploads", {"upload_ids": ctx.attached_now})
        return answers.not_understood(reading, self.tool_names, ctx.earlier_replies)

    def _titled(self, words: str, ctx: Context) -> tuple[str, str] | None:
        """('piece', 'g1') or ('track', id) for words that are, typos aside, a name the person gave; else None."""
        if re.fullmatch(r"g\d+", words.lower()):
            return None
        named = list(ctx.titles)
        if self.known_titles is not None and "play_music" in self.tool_names:
            named += [(("track", tid), title) for tid, title in self.known_titles()]
        return title_match(words, named)

    def _title_in(self, text: str, ctx: Context) -> tuple[tuple[str, str], str] | None:
        """(('piece', 'g1') or ('track', id), name) for a name the person gave that the words say as it is ('make
        Blue Morning slower'), the longest first; else None."""
        named = list(ctx.titles)
        if self.known_titles is not None and "play_music" in self.tool_names:
            named += [(("track", tid), title) for tid, title in self.known_titles()]
        low = " ".join(text.lower().split())
        for what, name in sorted(named, key=lambda n: -len(n[1] or "")):
            said = " ".join((name or "").lower().split())
            if len(said) >= 3 and re.search(rf"(?<![\w']){re.escape(said)}(?![\w'])", low):
                return what, name
        return None

    def _about_titled(self, reading: Reading, ctx: Context, what: tuple[str, str], name: str):
        """A change of, or a question about, the piece named: tool calls or an answer; None for anything else."""
        kind, ref = what
        rest = understand(re.sub(re.escape(name), "it", reading.text, flags=re.IGNORECASE))
        key = "generation_id" if kind == "piece" else "track_id"
        if rest.intent == I.REFINE or (rest.intent == I.MAKE and rest.slots.is_change()):
            change = self._change(rest, ctx, ref if kind == "piece" else None) | {"said": reading.text}
            return self._call("refine_music", change | {key: ref})
        if rest.intent == I.EXPLAIN:
            return self._call("explain_music", {key: ref})
        if rest.intent != I.DESCRIBE:
            return None
        if kind == "track":  # taken up first: the answer comes from its record (answers.compose)
            return self._call("play_music", {"track_id": ref})
        asked = I.piece_question(rest.corrected)
        line = answers.answer_about(asked, rest, ctx.facts[ref]) if asked and ref in ctx.facts else None
        return line or self._call("describe_uploads", {"generation_ids": [ref]})

    def _coming(self, words: str) -> str | None:
        """The title of a built-in piece the words name that the library does not hold yet (the collection is made
        in the background on first use), else None."""
        from agent.actions import title_aliases
        from tools.library.catalogue import PIECES

        if self.known_titles is None:
            return None
        titled = [(p.title, alias) for p in PIECES if p.title for alias in title_aliases(p.title)]
        return title_match(words, titled)

    def _name(self, reading: Reading, ctx: Context, ref: Referent) -> list[tuple[str, dict[str, Any]]] | str:
        """'name it Blue Morning', 'call g1 Rainy Day', 'rename the first one to X': the piece saved under that name
        (a saved piece renamed); a song sent is saved under it too. 'rename it' alone asks for the name."""
        if ref.kind == "upload":
            title = I.naming(reading.text)[1]
            return self._call("add_to_library", {"upload_id": ref.ids[-1], "title": title}) if title else answers.RENAME
        if not ctx.pieces:
            return answers.NOTHING_TO_NAME
        said, title = I.naming(reading.text)
        if not title:
            said, title = I.naming(reading.corrected)  # 'nmae it Blue Morning'
        said = (said or "").lower()
        if re.fullmatch(r"g\d+", said) and said not in ctx.made:
            return answers.no_such_name(said, ctx.made, "name {last} Rainy Day")
        which = next((n for word, n in _ORDINALS.items() if re.search(rf"\b{word}\b", said)), None)
        if which and which > len(ctx.made):
            return answers.no_such_piece(which, ctx.made)
        if not title:
            return answers.RENAME
        # the piece named (g1, 'the first one'), else the one in hand ('it'); an ordinal in the name is the name's
        piece = said if re.fullmatch(r"g\d+", said) else ctx.made[which - 1] if which else \
            ref.ids[-1] if ref.kind == "piece" and not reading.slots.which else ctx.pieces[-1]
        return self._call("add_to_library", {"generation_id": piece, "title": title})

    def _call(self, name: str, args: dict[str, Any]) -> list[tuple[str, dict[str, Any]]] | str:
        if name not in self.tool_names:
            return answers.unavailable(name)
        return [(name, {k: v for k, v in args.items() if v not in (None, [], {}, "")})]

    @staticmethod
    def _change(reading: Reading, ctx: Context, piece: str | None = None) -> dict[str, Any]:
        change = asdict(MusicChange.from_slots(reading.slots, reading.text))
        if named_pieces(reading.slots.named_as, ctx):  # 'make the rock one slower' says which, not 'more rock'
            change["more"].pop(reading.slots.named_as, None)
        named = [g for g in reading.slots.genres if g != reading.slots.named_as]
        if named and piece and swaps_style(reading.corrected, named):  # 'actually no, make it jazz': jazz, not rock too
            for genre in named:
                change["more"][genre] = 1.0
            for genre in ctx.labels.get(piece, []):
                if ALL_LABELS.get(genre) == "genre" and genre not in named:
                    change["more"][genre] = -1.0
        return {k: v for k, v in change.items() if v not in (None, [], {}, "", False)}

    @staticmethod
    def _ask(reading: Reading) -> dict[str, Any]:
        ask = asdict(MusicAsk.from_slots(reading.slots, reading.text))
        return {k: v for k, v in ask.items() if v not in (None, [], {}, "")}


def only_if_so(readings: list[Reading], ctx: Context) -> tuple[list[Reading], str]:
    """The clauses to act on when the second holds only if the first is answered yes, and what to say of the one
    left undone: nothing (yes: both done), 'so I left it as it is' (no), or how to ask for it (not known before the
    question's tool has answered)."""
    question, request = readings
    ref = resolve(question, ctx)
    facts = ctx.facts.get(ref.ids[-1]) if ref.kind in ("piece", "upload") and ref.ids else None
    verdict = answers.holds(question, facts) if facts and I.piece_question(question.corrected) == "yes_no" else None
    if verdict:
        return readings, ""
    if verdict is False:
        return readings[:1], "So I left it as it is."
    return readings[:1], f"I changed nothing yet: if it does, say '{request.text}'."


_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5,
             "5th": 5}


def compare_pieces(reading: Reading, ctx: Context) -> str:
    """The answer to 'is it slower than the first one?' or 'which is faster, g1 or g2?': both pieces' known tempo
    (length, key), no new take."""
    m = re.search(I.COMPARES, reading.corrected)
    which = m is None  # 'which is faster, g1 or g2?'
    m = m or re.search(I.WHICH_IS, reading.corrected) or I.compares_at_all(reading.corrected)
    said_this, said_other = m.group("this"), m.group("other") or "the one before"  # 'how is it different?'
    how = m.groupdict().get("how")  # none: 'how does it compare to the first one?', the two side by side
    this = said_this if re.fullmatch(r"g\d+", said_this) else ctx.made[-1] if re.search(
        r"\b(?:last|latest|newest|new)\b", said_this) else ctx.pieces[-1]
    if nth := re.search(r"\bthe (" + "|".join(_ORDINALS) + r")\b", said_this):  # 'is the second one darker...'
        if _ORDINALS[nth.group(1)] > len(ctx.made):
            return answers.no_such_piece(_ORDINALS[nth.group(1)], ctx.made)
        this = ctx.made[_ORDINALS[nth.group(1)] - 1]
    other = None
    if named := re.search(r"\bg\d+\b", said_other):
        other = named.group(0)
    elif nth := re.search(r"\bthe (" + "|".join(_ORDINALS) + r")\b", said_other):
        n = _ORDINALS[nth.group(1)]
        other = ctx.made[n - 1] if n <= len(ctx.made) else None
        if other is None:
            return answers.no_such_piece(n, ctx.made)
    elif re.search(r"\b(?:before|previous|original|old|older|earlier|last)\b", said_other) and this in ctx.made:
        other = ctx.refined_from.get(this) or (ctx.made[ctx.made.index(this) - 1] if ctx.made.index(this) else None)
        if other is None:
            return answers.nothing_before(ctx.made)
    elif (kind := re.search(r"\bthe ([a-z&'-]+) one\b", said_other)) and named_pieces(kind.group(1), ctx):
        other = named_pieces(kind.group(1), ctx)[0]
    if other is None:
        return answers.which_piece(ctx.made, ctx.labels)
    for gid in (this, other):
        if gid not in ctx.facts:
            return answers.no_such_name(gid, ctx.made, "is {last} slower than {first}?")
    if how is None:
        return answers.side_by_side(ctx.facts[this], ctx.facts[other])
    return answers.compare(how, ctx.facts[this], ctx.facts[other], which=which)


# a question about the music, or the chat's pieces, that may come with a request in one message
QUESTIONS = (I.DESCRIBE, I.EXPLAIN, I.PIECES)


def compound(text: str) -> list[Reading] | None:
    """The readings of a message that asks a question and makes a request ('is it sad? and make it faster'), else
    None (one clause, or two that are not a question and something else to do)."""
    parts = I.clauses(text)
    if len(parts) != 2:
        return None
    first, second = (understand(p) for p in parts)
    if first.slots.instruments and not second.slots.names_music() and re.search(r"\b(?:them|it|those|that)\b",
                                                                                second.corrected):
        # 'does it have drums? if so remove them': 'them' is what the question asked about
        second = understand(re.sub(r"\b(?:them|it|those|that)\b", next(iter(first.slots.instruments)), parts[1]))
    intents = {first.intent, second.intent}
    if first.intent == second.intent or not intents & set(QUESTIONS) or intents & {I.UNKNOWN, I.GREETING, I.THANKS,
                                                                                    I.HELP}:
        return None
    return [first, second]


# 'actually no, make it jazz', 'I meant classical', 'make it country instead', 'another one, but country': the piece's
# style swapped for the one named (a 'more jazz' or 'jazzier' adds to it)
_SWAPS = r"\b(?:instead|i meant|rather|actually)\b"


def swaps_style(text: str, genres: list[str]) -> bool:
    if re.search(_SWAPS, text):
        return True
    said = re.search(r"^(?:(?:no|nah|wait|hmm|ok|okay|so)\W+)*(?:(?:can|could) you\s+)?make it (?:into )?(?:an? )?([\w-]+)\W*$"
                     r"|\bbut (?:an? |in |as )?([\w-]+)\W*$", text)
    return bool(said) and (said.group(1) or said.group(2)) in genres


def surprise_genre() -> str:
    """A style picked at random from every style the sketch engine plays ("surprise me")."""
    import random

    from tools.generate.sketch.styles import STYLES

    return random.choice(sorted(STYLES))
