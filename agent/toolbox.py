"""The agent's tools: LangChain tools over agent.actions and agent.compose, bound to one chat session.

Each tool takes session references (upload ids "u1", generated piece ids "g1", library track ids), never a
file-system path, and returns JSON the model reads (an LLM or the offline planner). The music tools take typed
arguments built from the request dataclasses (tools.generate.request.MusicAsk and MusicChange): the schema an
LLM fills is the one the offline planner fills from the parser and `tastemaker generate` fills from its flags.
A TastemakerError becomes {"error": message}, which the agent passes on to the person. A tool whose capability
is not installed is not offered.
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import json
from typing import Any, Callable

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field, create_model

from agent import actions, compose
from agent.session import Session
from tools.errors import NotReadyYet, TastemakerError
from tools.generate.request import MusicAsk, MusicChange, schema_fields


def has_module(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _schema(name: str, base: type, extra: dict[str, tuple[Any, Any, str]]) -> type[BaseModel]:
    """A tool's argument schema: the request dataclass's fields, then the session references it needs."""
    spec: dict[str, Any] = {}
    for field_name, kind, default, help_text in schema_fields(base):
        spec[field_name] = (kind, Field(default=default, description=help_text))
    for field_name, (kind, default, help_text) in extra.items():
        spec[field_name] = (kind, Field(default=default, description=help_text))
    return create_model(f"{name}_args", **spec)


def _as_tool(session: Session, func: Callable[..., dict[str, Any]], schema: type[BaseModel] | None = None) -> BaseTool:
    """A LangChain tool around `func`: a reporter step, errors as a clear message, JSON out."""

    defaults = ({k: f.default for k, f in schema.model_fields.items()} if schema is not None else
                {k: p.default for k, p in inspect.signature(func).parameters.items()})

    @functools.wraps(func)  # without a schema, the tool's arguments are func's own
    def run(**kwargs: Any) -> str:
        # what was asked, without the empty defaults ('liked': false is an answer, shown: a dislike)
        shown = {k: v for k, v in kwargs.items()
                 if v not in (None, [], {}, "", False) or (v is False and defaults.get(k) is not False)}
        session.check_stopped()  # a stopped turn's next tool does not start
        with session.reporter.step(func.__name__, json.dumps(shown, ensure_ascii=False)):
            try:
                result = func(**kwargs)
            except TastemakerError as exc:
                result = {"error": str(exc)} | ({"not_ready": True} if isinstance(exc, NotReadyYet) else {})
            session.reporter.progress(f"error: {result['error']}" if "error" in result else "done", 1.0)
        return json.dumps(result, ensure_ascii=False, default=str)

    if schema is not None:
        return StructuredTool.from_function(run, name=func.__name__, description=func.__doc__, args_schema=schema)
    return StructuredTool.from_function(run, name=func.__name__, description=func.__doc__)


def _split(kwargs: dict[str, Any], base: type) -> tuple[dict[str, Any], dict[str, Any]]:
    names = {f[0] for f in schema_fields(base)}
    return ({k: v for k, v in kwargs.items() if k in names and v is not None},
            {k: v for k, v in kwargs.items() if k not in names})


def build_tools(session: Session) -> list[BaseTool]:
    """The tools this installation can offer, bound to one session."""

    def describe_uploads(upload_ids: list[str] | None = None, generation_ids: list[str] | None = None) -> dict[str, Any]:
        """Tag and classify uploaded songs (or pieces made in this chat): top genres, moods, instruments and tags.
        upload_ids: ids like ["u1"] from the 'Attached:' notes; generation_ids: pieces like ["g2"]; omit both
        for every upload."""
        return actions.describe_uploads(session, upload_ids, generation_ids)

    def taste_profile(text: str = "", upload_ids: list[str] | None = None, forget: bool = False) -> dict[str, Any]:
        """Sum up the person's taste (genres, moods, instruments, tempo, key, energy) from their uploads and
        words; their words outrank the songs. text: what they said about their taste (may be empty);
        upload_ids: uploads to learn from (omit for all); forget: true only when they ask to forget or reset
        their taste (it erases the saved songs, words and likes)."""
        return actions.taste_profile(session, text, upload_ids, forget)

    def record_feedback(liked: bool, generation_id: str | None = None) -> dict[str, Any]:
        """Remember that the person liked (true) or disliked (false) a generated piece (id like "g1"; omit for
        the latest). Their saved taste profile moves toward or away from it."""
        return actions.record_feedback(session, liked, generation_id)

    def generate_music(**kwargs: Any) -> dict[str, Any]:
        """Make new music from what the person asked, as typed fields: genres with weights, moods, instruments,
        what to avoid, tempo, key, mode, energy, vocals, seconds, candidates, engine; description: their words
        (the prompt). like_upload_ids: an upload to borrow tempo/key/melody from."""
        ask, rest = _split(kwargs, MusicAsk)
        return compose.generate_music(session, MusicAsk(**ask), rest.get("like_upload_ids"))

    def create_music(**kwargs: Any) -> dict[str, Any]:
        """Make something like the person's uploaded songs (or their saved taste): builds their taste profile,
        generates, re-tags the result with a music classifier and refines until the genres match.
        upload_ids: the songs to be like ("it" is one song, "these" several); track_id: a library track to be
        like instead (from a search: 'like the second one'); genres: target genres; combine: true to blend the
        songs (aim at each song's own genre); other fields as generate_music."""
        ask, rest = _split(kwargs, MusicAsk)
        return compose.create_music(session, MusicAsk(**ask), rest.get("upload_ids"), rest.get("max_iters"),
                                    bool(rest.get("combine")), track_id=rest.get("track_id"))

    def refine_music(**kwargs: Any) -> dict[str, Any]:
        """Change a generated piece (the latest, or generation_id like "g2") and make it again, as typed fields:
        more {label: +delta or -delta} ('more jazz' {"jazz": 0.3}, 'quieter drums' {"drums": -0.3}), remove
        [labels], tempo or tempo_factor (1.2 faster), key and mode ('in D minor'), energy_delta, seconds or
        seconds_factor, like_last ('more like this'), different ('a completely different take'), candidates (how
        many takes, 1 unless asked); said: the person's words. With no field set it is simply another take."""
        change, rest = _split(kwargs, MusicChange)
        if rest.get("track_id") and not rest.get("generation_id"):  # 'make Blue Morning slower': saved, taken up
            gid, record = actions.take_up(session, rest["track_id"])
            return compose.refine_music(session, MusicChange(**change), gid) | {"taken_up": record}
        return compose.refine_music(session, MusicChange(**change), rest.get("generation_id"))

    def play_music(generation_id: str | None = None, track_id: str | None = None,
                   title: str | None = None) -> dict[str, Any]:
        """Play again a piece made in this chat (generation_id like "g1"; omit for the latest) or a library
        track from a search (track_id): 'play the first one again', 'the second one'; or the piece or saved track
        the person named (title: 'play Blue Morning'). Later changes apply to it."""
        return actions.play_music(session, generation_id, track_id, title)

    def my_music() -> dict[str, Any]:
        """Play the person's own music ('play my music', 'play what I made'): every piece made in this chat, then
        the tracks they saved to their library (not the built-in collection), each with a player. For music they
        have not heard yet, a station is the radio, not this."""
        return actions.my_music(session)

    def explain_music(generation_id: str | None = None, track_id: str | None = None) -> dict[str, Any]:
        """Why a piece sounds as it does: what was asked (labels and their weights), the prompt, the engine and
        seed, and what the tagger heard (at each step of the loop). generation_id like "g1"; omit for the latest;
        track_id: a piece of ours the person saved in an earlier chat ('why did you make Blue Morning like that?')."""
        if track_id and not generation_id:
            generation_id, record = actions.take_up(session, track_id)
            return compose.explain_music(session, generation_id) | {"taken_up": record}
        return compose.explain_music(session, generation_id)

    def list_pieces() -> dict[str, Any]:
        """The pieces made in this chat so far, in order: what each was asked to be, what the tagger hears in it,
        which piece it changed and how, whether it was liked, and which is closest to its ask by ear."""
        return compose.list_pieces(session)

    def search_library(query: str, genre: str | None = None, k: int = 5) -> dict[str, Any]:
        """Search the music library by words (title, composer, description, tags): query like "string quartets
        by Beethoven"; genre: restrict to one genre; k: how many results (default 5)."""
        return actions.search_library(session, query, genre, k)

    def find_similar(upload_id: str | None = None, generation_id: str | None = None, track_id: str | None = None,
                     k: int = 5) -> dict[str, Any]:
        """Find library tracks that sound like an upload (upload_id like "u1"), a generated piece
        (generation_id like "g1") or a library track from a search (track_id); omit all for the latest piece."""
        return actions.find_similar(session, upload_id, generation_id, track_id, k)

    def add_to_library(upload_id: str | None = None, generation_id: str | None = None, title: str | None = None,
                       artist: str | None = None, track_id: str | None = None) -> dict[str, Any]:
        """Add an upload (upload_id like "u1") or a generated piece (generation_id like "g1"; omit both for the
        latest piece) to the person's music library, where search and find_similar will find it. A search
        result (track_id) is already in the library. title, artist: optional names to file it under."""
        return actions.add_to_library(session, upload_id, generation_id, title, artist, track_id)

    ids = list[str] | None
    typed = {
        "generate_music": _schema("generate_music", MusicAsk, {
            "like_upload_ids": (ids, None, "an upload to borrow tempo, key and melody from, e.g. ['u1']")}),
        "create_music": _schema("create_music", MusicAsk, {
            "upload_ids": (ids, None, "the uploads to be like, e.g. ['u1', 'u2']"),
            "track_id": (str | None, None, "a library track to be like, from a search or 'find similar'"),
            "max_iters": (int | None, None, "at most this many rounds of the loop (default 4)"),
            "combine": (bool, False, "true to blend the songs: aim at each song's own genre")}),
        "refine_music": _schema("refine_music", MusicChange, {
            "generation_id": (str | None, None, "the piece to change, e.g. 'g2'; omit for the latest"),
            "track_id": (str | None, None, ("a piece of ours the person saved in an earlier chat, to change "
                                            "('make Blue Morning slower'): it becomes a piece of this chat"))}),
    }
    offered = [describe_uploads]
    if has_module("tools.retrieve") and has_module("tools.library"):
        offered += [search_library, find_similar, add_to_library]
    if has_module("tools.generate"):
        offered += [generate_music, refine_music, explain_music, play_music, list_pieces]
    if has_module("tools.generate") and has_module("tools.library"):
        offered += [my_music]
    if has_module("tools.loop") and has_module("tools.taste"):
        offered += [create_music]
    if has_module("tools.taste"):
        offered += [taste_profile, record_feedback]
    return [_as_tool(session, f, typed.get(f.__name__)) for f in offered]
