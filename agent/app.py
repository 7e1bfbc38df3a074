"""The browser app (Chainlit 2.12): `tastemaker chat` serves it.

Each browser session gets a ChatAgent. Uploads arrive as message elements and
become session uploads (checked by tools.audio, with a clear message for a
bad file). The agent runs in a worker thread; its tool calls and loop
iterations appear as Chainlit steps with progress. Replies carry a genre chart
per described upload, a player for every audio result (with the engine and
model), and buttons: like, dislike, another one, more like this.
Login (and chat history in SQLite) switch on when CHAINLIT_AUTH_SECRET and
TASTEMAKER_PASSWORD are set: see agent/history.py.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

import chainlit as cl
import matplotlib

matplotlib.use("Agg")  # no display on a server
import matplotlib.pyplot as plt  # noqa: E402

from agent import history  # noqa: E402
from agent.graph import ChatAgent, Reply  # noqa: E402
from agent.session import AudioResult, GenreChart, Reporter  # noqa: E402
from agent.study_web import install_on_chainlit  # noqa: E402
from agent import radio_web  # noqa: E402

install_on_chainlit()  # blind listening studies (tastemaker study) are served at /study by the same app
radio_web.install_on_chainlit()  # the radio player's audio: /radio/<station>/<piece>

BUTTONS = [
    ("like", "👍 Like", "I like it"),
    ("dislike", "👎 Dislike", "I don't like it"),
    ("another", "🔁 Another one", "another one"),
    ("more_like_this", "➕ More like this", "more like this"),
]


class ChainlitReporter(Reporter):
    """Tool calls (and loop iterations, nested) as Chainlit steps, updated from the agent's worker thread."""

    def __init__(self) -> None:
        self.parent_id: str | None = None
        self.stack: list[cl.Step] = []

    @contextlib.contextmanager
    def step(self, name: str, detail: str = "") -> Iterator[Reporter]:
        parent = self.stack[-1].id if self.stack else self.parent_id

        async def open_step() -> cl.Step:
            s = cl.Step(name=name, type="tool", parent_id=parent, show_input="json" if detail.startswith("{") else True)
            s.input = detail
            s.start = s.created_at
            await s.send()
            return s

        s = cl.run_sync(open_step())
        self.stack.append(s)
        try:
            yield self
        finally:
            self.stack.pop()

            async def close_step() -> None:
                s.end = cl.utils.utc_now()
                await s.update()

            cl.run_sync(close_step())

    def progress(self, text: str, fraction: float | None = None) -> None:
        if not self.stack:
            return
        s = self.stack[-1]
        bar = f"[{'#' * int(fraction * 20):<20}] {fraction:.0%} " if fraction is not None else ""
        s.output = f"{bar}{text}"
        cl.run_sync(s.update())


def chart_figure(chart: GenreChart):
    labels = [g for g, _ in chart.genres][::-1]
    values = [p for _, p in chart.genres][::-1]
    fig, ax = plt.subplots(figsize=(5, 0.45 * len(labels) + 0.8))
    ax.barh(labels, values, color="#6c5ce7")
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability")
    ax.set_title(chart.title, fontsize=10)
    for y, v in enumerate(values):
        ax.text(min(v + 0.02, 0.9), y, f"{v:.2f}", va="center", fontsize=8)
    fig.tight_layout()
    return fig


def elements_for(reply: Reply) -> list:
    elements: list = []
    for item in reply.items:
        if isinstance(item, GenreChart):
            fig = chart_figure(item)
            elements.append(cl.Pyplot(name=item.title, figure=fig, display="inline", size="medium"))
            plt.close(fig)
        elif isinstance(item, AudioResult):
            elements.append(cl.Audio(name=item.title, path=item.path, display="inline"))
    return elements


def reply_content(reply: Reply) -> str:
    captions = [f"🎵 **{item.title}**: {item.caption}" for item in reply.audio]
    return "\n\n".join([reply.text, *captions]) if captions else reply.text


async def answer(agent: ChatAgent, text: str, files: list[tuple[str, str]]) -> None:
    reporter = agent.session.reporter
    if isinstance(reporter, ChainlitReporter):
        current = cl.context.current_step
        reporter.parent_id = current.id if current else None
    reply = await cl.make_async(agent.send)(text, files)
    actions = []
    if reply.audio and any(a.generation_id for a in reply.audio):
        actions = [cl.Action(name=name, label=label, payload={"text": said}) for name, label, said in BUTTONS]
    await cl.Message(content=reply_content(reply), elements=elements_for(reply), actions=actions).send()


@cl.on_chat_start
async def start() -> None:
    agent = ChatAgent(reporter=ChainlitReporter())
    cl.user_session.set("agent", agent)


@cl.on_message
async def on_message(message: cl.Message) -> None:
    agent: ChatAgent | None = cl.user_session.get("agent")
    if agent is None:  # a resumed chat after a restart
        agent = ChatAgent(reporter=ChainlitReporter())
        cl.user_session.set("agent", agent)
    files = [(e.path, e.name) for e in (message.elements or []) if getattr(e, "path", None)]
    if await radio_turn(agent, message.content or "", files):
        return
    await answer(agent, message.content or "", files)


async def _button(action: cl.Action) -> None:
    agent: ChatAgent | None = cl.user_session.get("agent")
    if agent is None:
        return
    text = action.payload.get("text", "")
    await cl.Message(content=text, type="user_message").send()
    await answer(agent, text, [])


for _name, _label, _said in BUTTONS:
    cl.action_callback(_name)(_button)


# -- the radio: "play my radio", "start a jazz station", playlists, and steering words while it plays ----------

def session_radio(agent: ChatAgent):
    """This chat's radio (agent.radio_chat.RadioChat), made on first use."""
    from agent.radio_chat import RadioChat

    radio = cl.user_session.get("radio")
    if radio is None:
        radio = RadioChat(user=agent.session.user)
        cl.user_session.set("radio", radio)
    return radio


async def radio_turn(agent: ChatAgent, text: str, files: list[tuple[str, str]]) -> bool:
    """Answer a message that is for the radio (True), or leave it to the agent (False). An attached song
    seeds a new station ("a station like this song")."""
    from agent.radio_chat import is_radio_request
    from tools.errors import TastemakerError
    from tools.incidents import apology

    radio = cl.user_session.get("radio")
    if not (is_radio_request(text) or (radio is not None and not files and radio.wants(text))):
        return False
    radio = session_radio(agent)
    try:
        async with cl.Step(name="radio", type="tool") as step:
            step.input = text
            reply = await cl.make_async(radio.handle)(text, song=files[0][0] if files else None)
    except TastemakerError as exc:
        await cl.Message(content=str(exc)).send()
        return True
    except Exception as exc:  # noqa: BLE001 - one line for the person, the traceback to the error log
        await cl.Message(content=apology(exc, "radio turn", "the radio")).send()
        return True
    if reply is None:
        return False
    elements = []
    if reply.started and reply.piece is not None:
        elements = [cl.CustomElement(name="RadioPlayer", props=radio_web.player_props(radio, reply.piece),
                                     display="inline")]
    await cl.Message(content=reply.text, elements=elements).send()
    return True


@cl.action_callback("radio")
async def radio_player_action(action: cl.Action) -> dict:
    """The radio player's buttons and its requests for the next piece."""
    from tools.incidents import apology

    try:
        return await cl.make_async(radio_web.player_action)(cl.user_session.get("radio"), action.payload)
    except Exception as exc:  # noqa: BLE001
        return {"message": apology(exc, "radio player", "the radio")}


@cl.on_chat_end
async def radio_end() -> None:
    radio = cl.user_session.get("radio")
    if radio is not None and radio.station is not None:
        await cl.make_async(radio.stop)()


history.configure()
