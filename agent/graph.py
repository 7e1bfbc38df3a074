"""The agent: `create_agent` over the session's tools, and one conversation turn at a time.

`ChatAgent` is what the browser app, the terminal chat, the tests and the
evaluation harness all use: `send(text, attachments)` returns a `Reply` with
the answer, the tool calls made, and what to show (players, charts).
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, RemoveMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver

from agent.attachments import attachment_note, upload_ids_in
from agent.actions import library_titles
from agent.llm import chat_model, model_label
from agent.planner import OfflinePlanner
from agent.session import AudioResult, GenreChart, Reporter, Session, TurnStopped, Upload
from agent.toolbox import build_tools
from tools import jobs
from tools.errors import TastemakerError
from tools.incidents import apology

SYSTEM_PROMPT_FILE = Path(__file__).resolve().parent.parent / "prompts" / "system.md"
# Enough for a few rounds of tool calls; a looping LLM is stopped with a clear message.
RECURSION_LIMIT = 16
STOPPED = "Stopped: I cancelled that, nothing was made. Ask again whenever you like."


def system_prompt() -> str:
    return SYSTEM_PROMPT_FILE.read_text(encoding="utf-8")


def build_agent(session: Session, model: BaseChatModel | None = None, checkpointer: Any = None):
    """A LangGraph agent whose tools are bound to `session`."""
    return create_agent(
        model or chat_model(),
        build_tools(session),
        system_prompt=system_prompt(),
        checkpointer=checkpointer if checkpointer is not None else InMemorySaver(),
    )


@dataclass
class Reply:
    text: str
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    items: list[AudioResult | GenreChart] = field(default_factory=list)
    attachment_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stopped: bool = False  # the person stopped the turn: nothing it made was kept

    @property
    def tools(self) -> list[str]:
        return [name for name, _ in self.tool_calls]

    @property
    def audio(self) -> list[AudioResult]:
        return [i for i in self.items if isinstance(i, AudioResult)]

    @property
    def charts(self) -> list[GenreChart]:
        return [i for i in self.items if isinstance(i, GenreChart)]



def _titles(session: Session) -> list[tuple[str, str]]:
    """(track id, name) of the tracks a name may play: the person's own first, then the built-in collection's."""
    return [(tid, title) for tid, title, _ in library_titles(session)]


class ChatAgent:
    """One conversation: a session, its agent graph, and its history (kept by the checkpointer)."""

    def __init__(self, session: Session | None = None, model: BaseChatModel | None = None,
                 reporter: Reporter | None = None, user: str = "local"):
        self.session = session or Session(reporter=reporter, user=user)
        if reporter is not None:
            self.session.reporter = reporter
        self.model = model or chat_model()
        if isinstance(self.model, OfflinePlanner) and self.model.known_titles is None:
            # 'play Blue Morning' of a piece saved in an earlier chat: the planner may read this person's names
            self.model = self.model.model_copy(update={"known_titles": functools.partial(_titles, self.session)})
        self.brain = model_label(self.model)
        self.graph = build_agent(self.session, self.model)
        self.config = {"configurable": {"thread_id": self.session.id}, "recursion_limit": RECURSION_LIMIT}
        self._before_turn: tuple[dict, dict, Any, set[str]] | None = None

    def stop(self) -> None:
        """Stop the turn in progress (called from another thread): it ends where its work next reports progress,
        and what it made and said is not kept (`send` returns a Reply with stopped=True)."""
        self.session.stop_requested.set()

    def take_back_last_turn(self) -> None:
        """Forget the last turn as if it had not happened: its pieces, uploads and messages (a turn stopped by the
        person, including one that finished just before the stop reached it)."""
        if self._before_turn is None:
            return
        pieces, uploads, last_loop, message_ids = self._before_turn
        kept = {f for piece in pieces.values() for f in _files(piece.generation)}
        for gid in set(self.session.pieces) - set(pieces):  # its files too: nobody will play them (10 MB a minute)
            if self.session.pieces[gid].from_library:
                continue  # a saved piece taken up again: its files are the library's, not this turn's
            for path in _files(self.session.pieces[gid].generation) - kept:
                Path(path).unlink(missing_ok=True)
        self.session.pieces, self.session.uploads, self.session.last_loop = dict(pieces), dict(uploads), last_loop
        messages = self.graph.get_state(self.config).values.get("messages", [])
        extra = [RemoveMessage(id=m.id) for m in messages if m.id not in message_ids]
        if extra:
            self.graph.update_state(self.config, {"messages": extra})
        self.session.outbox.clear()
        self._before_turn = None

    def _stopped(self, attached: list[Upload], start: float) -> Reply:
        self.take_back_last_turn()
        dropped = [u for u in attached if u.id not in self.session.uploads]
        return Reply(text=STOPPED + dropped_uploads(dropped), stopped=True, seconds=time.perf_counter() - start)

    def attach(self, path: str | Path, name: str | None = None):
        """Add an upload (validated now; a bad file raises AudioError with a clear message)."""
        return self.session.attach(path, name)

    def send(self, text: str, attachments: list[str | Path | tuple[str | Path, str]] = (),
             uploads: list[Upload] = ()) -> Reply:
        """One turn: attach files (paths, or uploads already attached), run the agent, collect what it made."""
        start = time.perf_counter()
        self.session.stop_requested.clear()
        messages = self.graph.get_state(self.config).values.get("messages", [])
        # new uploads given with this turn are the turn's (the apps attach them first, to check them): a stopped
        # turn takes them back with its message, which is where the conversation learns of them
        new = {u.id for u in uploads} - {uid for m in messages for uid in upload_ids_in(_content(m))}
        self._before_turn = (dict(self.session.pieces), {k: u for k, u in self.session.uploads.items() if k not in new},
                             self.session.last_loop, {m.id for m in messages})
        errors, attached = [], list(uploads)
        for item in attachments:
            path, name = item if isinstance(item, tuple) else (item, None)
            try:
                attached.append(self.attach(path, name))
            except TastemakerError as exc:
                errors.append(str(exc))
        if errors and not attached:  # the message was about files we could not use: say why, and stop there
            return Reply(text="\n".join(errors), attachment_errors=errors, seconds=time.perf_counter() - start)
        content = text.strip()
        if attached:
            content += ("\n\n" if content else "") + attachment_note([(u.id, u.name, u.duration) for u in attached])
        self.session.outbox.clear()
        try:
            with jobs.working_for(self.session.id, self.session.audio_allowance):
                state = self.graph.invoke({"messages": [HumanMessage(content=content)]}, self.config)
        except TurnStopped:
            return self._stopped(attached, start)
        except TastemakerError as exc:
            return Reply(text=str(exc), attachment_errors=errors, seconds=time.perf_counter() - start)
        except Exception as exc:  # an unreachable or misbehaving LLM endpoint, or a bug of ours
            text = _llm_failure_message(self.brain, exc) if _is_llm_failure(exc) else \
                apology(exc, "chat turn", "your request")
            return Reply(text=text, attachment_errors=errors, seconds=time.perf_counter() - start)
        if self.session.stop_requested.is_set():  # stopped after the work's last report: still nothing kept
            return self._stopped(attached, start)
        turn = _this_turn(state["messages"])
        calls = [(c["name"], dict(c["args"])) for m in turn if isinstance(m, AIMessage) for c in m.tool_calls]
        answer = next((m for m in reversed(turn) if isinstance(m, AIMessage) and not m.tool_calls), None)
        reply_text = _content(answer) if answer else ""
        if errors:
            reply_text = "\n".join(errors) + ("\n\n" + reply_text if reply_text else "")
        return Reply(text=reply_text, tool_calls=calls, items=self.session.take_outbox(), attachment_errors=errors,
                     seconds=time.perf_counter() - start)


def dropped_uploads(uploads: list[Upload]) -> str:
    """What a stopped turn's reply adds when the turn had files: they went with it, and how to give them again."""
    if not uploads:
        return ""
    names = ", ".join(u.name for u in uploads)
    return f" {names} went with it: attach {'them' if len(uploads) > 1 else 'it'} again with your next request."


def _files(generation) -> set[str]:
    """A piece's audio, MIDI and sidecar."""
    return {f for f in (generation.audio_path, generation.midi_path, (generation.conditioning or {}).get("sidecar")) if f}


def _this_turn(messages: list) -> list:
    last_human = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
    return [m for m in messages[last_human + 1:] if isinstance(m, (AIMessage, ToolMessage))]


def _content(m) -> str:
    if isinstance(m.content, str):
        return m.content
    return "".join(part.get("text", "") for part in m.content if isinstance(part, dict))


def _is_llm_failure(exc: Exception) -> bool:
    try:
        import openai
    except ImportError:
        return False
    from langgraph.errors import GraphRecursionError

    return isinstance(exc, (openai.OpenAIError, GraphRecursionError))


def _llm_failure_message(brain: str, exc: Exception) -> str:
    from langgraph.errors import GraphRecursionError

    if isinstance(exc, GraphRecursionError):
        return f"The language model ({brain}) kept calling tools without answering; please rephrase your request."
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return (
        f"The language model ({brain}) did not answer: {reason}. Check OPENAI_BASE_URL / OPENAI_API_KEY / "
        "TASTEMAKER_LLM_MODEL, or unset them to use the built-in offline planner."
    )
