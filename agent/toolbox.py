"""The agent's tools: LangChain tools over agent.actions, bound to one chat session.

Each tool takes session references (upload ids "u1", generated piece ids "g1",
library track ids), never a file-system path, and returns JSON the model reads
(an LLM or the offline planner). A TastemakerError becomes {"error": message},
which the agent passes on to the person. A tool whose capability is not
installed is not offered.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from typing import Any, Callable

from langchain_core.tools import BaseTool, StructuredTool

from agent import actions, compose
from agent.session import Session
from tools.errors import TastemakerError


def has_module(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _as_tool(session: Session, func: Callable[..., dict[str, Any]]) -> BaseTool:
    """A LangChain tool around `func`: a reporter step, errors as a clear message, JSON out."""

    @functools.wraps(func)
    def run(**kwargs: Any) -> str:
        shown = {k: v for k, v in kwargs.items() if v not in (None, [], {}, "")}
        with session.reporter.step(func.__name__, json.dumps(shown, ensure_ascii=False)):
            try:
                result = func(**kwargs)
            except TastemakerError as exc:
                result = {"error": str(exc)}
            session.reporter.progress(f"error: {result['error']}" if "error" in result else "done", 1.0)
        return json.dumps(result, ensure_ascii=False, default=str)

    return StructuredTool.from_function(run, name=func.__name__, description=func.__doc__)


def build_tools(session: Session) -> list[BaseTool]:
    """The tools this installation can offer, bound to one session."""

    def describe_uploads(upload_ids: list[str] | None = None) -> dict[str, Any]:
        """Tag and classify uploaded songs: top genres, moods, instruments and tags of each.
        upload_ids: ids like ["u1"] from the 'Attached:' notes; omit for every upload."""
        return actions.describe_uploads(session, upload_ids)

    def taste_profile(text: str = "", upload_ids: list[str] | None = None) -> dict[str, Any]:
        """Sum up the person's taste (genres, moods, instruments, tempo, key, energy) from their uploads and
        words; their words outrank the songs. text: what they said about their taste (may be empty);
        upload_ids: uploads to learn from (omit for all)."""
        return actions.taste_profile(session, text, upload_ids)

    def record_feedback(liked: bool, generation_id: str | None = None) -> dict[str, Any]:
        """Remember that the person liked (true) or disliked (false) a generated piece (id like "g1"; omit for
        the latest). Their saved taste profile moves toward or away from it."""
        return actions.record_feedback(session, liked, generation_id)

    def generate_music(description: str, genres: dict[str, float] | None = None, moods: list[str] | None = None,
                       instruments: list[str] | None = None, avoid: list[str] | None = None,
                       tempo: float | None = None, seconds: float | None = None, engine: str | None = None,
                       candidates: int | None = None, like_upload_ids: list[str] | None = None) -> dict[str, Any]:
        """Make new music from a description. description: the person's words; genres: {genre: weight 0..1};
        moods, instruments, avoid: label lists; tempo in BPM; seconds (default 15); engine "auto", "sketch" or
        "musicgen"; candidates (1-8); like_upload_ids: an upload to borrow tempo/key/melody from."""
        return compose.generate_music(session, description, genres, moods, instruments, avoid, tempo, seconds,
                                      engine, candidates, like_upload_ids)

    def create_music(description: str = "", upload_ids: list[str] | None = None,
                     genres: dict[str, float] | None = None, moods: list[str] | None = None,
                     instruments: list[str] | None = None, avoid: list[str] | None = None, tempo: float | None = None,
                     seconds: float | None = None, engine: str | None = None, candidates: int | None = None,
                     max_iters: int | None = None) -> dict[str, Any]:
        """Make something like the person's uploaded songs (or their saved taste): builds their taste profile,
        generates, re-tags the result with a music classifier and refines until the genres match.
        upload_ids: the songs to be like; genres: target genres {genre: weight}; other args as generate_music."""
        return compose.create_music(session, description, upload_ids, genres, moods, instruments, avoid, tempo,
                                    seconds, engine, candidates, max_iters)

    def refine_music(change: str, generation_id: str | None = None) -> dict[str, Any]:
        """Change the last generated piece (or generation_id like "g2") and make it again: change is the person's
        words, e.g. "more jazz", "faster", "less drums", "another one", "more energetic", "30 seconds"."""
        return compose.refine_music(session, change, generation_id)

    def search_library(query: str, genre: str | None = None, k: int = 5) -> dict[str, Any]:
        """Search the music library by words (title, composer, description, tags): query like "string quartets
        by Beethoven"; genre: restrict to one genre; k: how many results (default 5)."""
        return actions.search_library(session, query, genre, k)

    def find_similar(upload_id: str | None = None, generation_id: str | None = None, k: int = 5) -> dict[str, Any]:
        """Find library tracks that sound like an upload (upload_id like "u1") or a generated piece
        (generation_id like "g1"; omit both for the latest piece)."""
        return actions.find_similar(session, upload_id, generation_id, k)

    def add_to_library(upload_id: str | None = None, generation_id: str | None = None, title: str | None = None,
                       artist: str | None = None) -> dict[str, Any]:
        """Add an upload (upload_id like "u1") or a generated piece (generation_id like "g1"; omit both for the
        latest piece) to the person's music library, where search and find_similar will find it.
        title, artist: optional names to file it under."""
        return actions.add_to_library(session, upload_id, generation_id, title, artist)

    offered = [describe_uploads]
    if has_module("tools.retrieve") and has_module("tools.library"):
        offered += [search_library, find_similar, add_to_library]
    if has_module("tools.generate"):
        offered += [generate_music, refine_music]
    if has_module("tools.loop") and has_module("tools.taste"):
        offered += [create_music]
    if has_module("tools.taste"):
        offered += [taste_profile, record_feedback]
    return [_as_tool(session, f) for f in offered]
