"""The offline planner: a LangChain chat model that needs no LLM.

It reads the conversation, works out the intent and slots of the person's last
message (agent.intents), and answers with tool calls, deterministically. When
the tool results come back it answers from them in plain sentences
(agent.answers). It implements `bind_tools`, so `create_agent` drives it
exactly as it drives an OpenAI-compatible model; it is the product's default
brain and only offers what the bound tools can do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool

from agent import answers, intents
from agent.intents import Parsed

MAKING_TOOLS = ("generate_music", "create_music", "refine_music")


@dataclass
class Context:
    """What the conversation so far makes available to a new request."""

    uploads: list[str] = field(default_factory=list)  # every upload id, oldest first
    latest_uploads: list[str] = field(default_factory=list)  # the last message that attached files
    attached_now: list[str] = field(default_factory=list)  # files attached to the newest message itself
    pieces: list[str] = field(default_factory=list)  # generated piece ids, oldest first
    last_referent: str | None = None  # "upload" or "piece": what "this" most likely means


def read_context(messages: Sequence[BaseMessage]) -> Context:
    ctx = Context()
    for m in messages:
        if isinstance(m, HumanMessage):
            ids = intents.upload_ids_in(_text(m))
            ctx.attached_now = ids
            if ids:
                ctx.uploads.extend(i for i in ids if i not in ctx.uploads)
                ctx.latest_uploads = ids
                ctx.last_referent = "upload"
        elif isinstance(m, ToolMessage) and m.name in MAKING_TOOLS:
            result = _json(m)
            for piece in result.get("pieces", []):
                ctx.pieces.append(piece["id"])
                ctx.last_referent = "piece"
    return ctx


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


class OfflinePlanner(BaseChatModel):
    """Deterministic intent + slot parsing that emits tool calls, then answers from their results."""

    tool_names: list[str] = []

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
        parsed = intents.parse(intents.strip_note(_text(messages[last_human])))
        if results:
            return AIMessage(content=answers.compose(parsed, results))
        ctx = read_context(messages)
        calls = self.plan(parsed, ctx)
        if isinstance(calls, str):
            return AIMessage(content=calls)
        return AIMessage(
            content="",
            tool_calls=[{"name": name, "args": args, "id": f"call_{last_human}_{i}", "type": "tool_call"}
                        for i, (name, args) in enumerate(calls)],
        )

    def plan(self, parsed: Parsed, ctx: Context) -> list[tuple[str, dict[str, Any]]] | str:
        """Tool calls for a request, or a direct answer (a string) when no tool is needed or possible."""
        intent, slots = parsed.intent, parsed.slots
        if intent == intents.GREETING:
            return answers.greeting(self.tool_names)
        if intent == intents.HELP:
            return answers.help_text(self.tool_names)
        if intent == intents.REFUSE_FILE:
            return answers.REFUSE_FILE
        if intent == intents.DESCRIBE:
            if not ctx.uploads:
                return answers.NEED_UPLOAD
            return self._call("describe_uploads", {"upload_ids": ctx.latest_uploads or ctx.uploads})
        if intent == intents.TASTE:
            said = parsed.text if not slots.is_empty() else ""
            return self._call("taste_profile", {"text": said, "upload_ids": ctx.uploads})
        if intent == intents.SIMILAR:
            if ctx.last_referent == "piece":
                return self._call("find_similar", {"generation_id": ctx.pieces[-1]})
            if ctx.uploads:
                return self._call("find_similar", {"upload_id": (ctx.latest_uploads or ctx.uploads)[-1]})
            if slots.is_empty():
                return answers.NEED_REFERENCE
            return self._call("search_library", {"query": parsed.text})
        if intent == intents.SEARCH:
            return self._call("search_library", {"query": parsed.text})
        if intent == intents.FEEDBACK:
            if not ctx.pieces:
                return answers.NOTHING_TO_RATE
            return self._call("record_feedback", {"liked": bool(parsed.liked), "generation_id": ctx.pieces[-1]})
        if intent == intents.ADD:
            if ctx.last_referent == "piece":
                return self._call("add_to_library", {"generation_id": ctx.pieces[-1]})
            if ctx.uploads:
                return self._call("add_to_library", {"upload_id": (ctx.latest_uploads or ctx.uploads)[-1]})
            return answers.NOTHING_TO_ADD
        if intent == intents.REFINE:
            if ctx.pieces:
                return self._call("refine_music", {"change": parsed.text, "generation_id": ctx.pieces[-1]})
            if slots.is_empty():
                return answers.NOTHING_TO_REFINE
            intent = intents.MAKE  # "more jazz" before anything was made: make some jazz
        if intent == intents.MAKE_LIKE:
            if not ctx.uploads and ctx.pieces:
                return self._call("refine_music", {"change": "more like this", "generation_id": ctx.pieces[-1]})
            if not ctx.uploads and "create_music" not in self.tool_names:
                return answers.NEED_UPLOAD_FOR_LIKE
            return self._call("create_music", self._music_args(parsed) | {"upload_ids": ctx.uploads,
                                                                           "max_iters": slots.max_iters})
        if intent == intents.MAKE:
            return self._call("generate_music", self._music_args(parsed))
        if ctx.attached_now and slots.is_empty():
            # A song sent with 'here you go' or 'and this one?': what it is, is the likeliest question.
            return self._call("describe_uploads", {"upload_ids": ctx.attached_now})
        return answers.not_understood(self.tool_names)

    def _call(self, name: str, args: dict[str, Any]) -> list[tuple[str, dict[str, Any]]] | str:
        if name not in self.tool_names:
            return answers.unavailable(name)
        return [(name, {k: v for k, v in args.items() if v not in (None, [], {}, "")})]

    @staticmethod
    def _music_args(parsed: Parsed) -> dict[str, Any]:
        s = parsed.slots
        return {
            "description": parsed.text, "genres": s.genres, "moods": list(s.moods), "instruments": list(s.instruments),
            "avoid": s.avoid, "tempo": s.tempo, "seconds": s.seconds, "engine": s.engine, "candidates": s.candidates,
        }
