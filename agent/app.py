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

import asyncio
import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import chainlit as cl

from agent import chat_store, history, pictures, radio_web, warmup
from agent.buttons import BUTTONS, button_words
from agent.graph import ChatAgent, Reply, dropped_uploads
from agent.llm import chat_model, model_label
from agent.attachments import take_files
from agent.session import AudioResult, GenreChart, LoopChart, Reporter, TastePanel, Upload
from agent.study_web import install_on_chainlit
from agent.web import branding, guard, identity, reloads
from agent.web.sessions import REGISTRY
from tools.errors import AudioError
from tools.settings import get_settings

guard.install()  # the session layer, defended (agent/web): before Chainlit serves anything
warmup.warm_models()  # before the port opens: "running at" means the first answer comes in seconds
warmup.warm_sketch_and_pictures()
warmup.start_library_build()
BRAIN = model_label(chat_model())
branding.install(BRAIN)  # our name, welcome, footer and sign-in words; a page that asks no other host
# Blind listening studies (tastemaker study) are served at /study by the same app; by invitation with login on.
install_on_chainlit(invite_only=history.login_enabled())
radio_web.install_on_chainlit()  # the radio player's audio: /radio/<station>/<piece>

# (action, label, lucide icon, what pressing it says): icons rather than emoji, which not every system draws.


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




def elements_for(reply: Reply) -> list:
    elements: list = []
    if reply.audio:
        # public/elements/PieceDetails.jsx: each player's engine, model, seed and judge, folded
        items = [{"title": item.title, "caption": item.caption} for item in reply.audio]
        elements.append(cl.CustomElement(name="PieceDetails", props={"items": items}, display="inline"))
    for item in reply.items:
        if isinstance(item, GenreChart):
            elements.append(picture(item.title, pictures.genre_chart(item), "medium"))
        elif isinstance(item, AudioResult):
            elements.append(cl.Audio(name=item.title, path=item.path, display="inline"))
            if item.generation_id:  # a piece: a glance at its waveform, spectrogram and what it sounds like
                elements.append(piece_picture(item))
            if item.midi_path and Path(item.midi_path).is_file():  # a sketch piece's notes, to take into a DAW
                name = re.sub(r"[^\w -]+", "", item.title).strip() or "piece"  # 'g1: jazz' -> 'g1 jazz.mid'
                elements.append(cl.File(name=f"{name}.mid", path=item.midi_path, mime="audio/midi", display="inline"))
        elif isinstance(item, LoopChart):
            elements.append(picture("the loop, round by round", pictures.loop_chart(item), "medium"))
        elif isinstance(item, TastePanel):
            elements.append(taste_panel(item))
    return elements


def piece_picture(item: AudioResult) -> cl.Image | cl.Text:
    """The piece's picture, or one line saying why there is none (its file damaged or gone), never a traceback."""
    try:
        figure = pictures.piece_thumbnail(item.path, item.heard, item.title)
    except AudioError as exc:
        return cl.Text(name=f"{item.title} (no picture)", display="inline",
                       content=f"No picture of {item.title}: {AudioError(exc.path, exc.problem)}")  # no upload advice
    return picture(f"{item.title} (picture)", figure, "large")


def picture(name: str, figure, size: str) -> cl.Image:
    return cl.Image(name=name, content=pictures.png(figure), mime="image/png", display="inline", size=size)


def taste_panel(panel: TastePanel) -> cl.CustomElement:
    """public/elements/TastePanel.jsx: the person's taste, each song removable, and a reset."""
    props = {"genres": panel.genres, "ratings": panel.ratings, "words": panel.words,
             "songs": [{"key": key, "name": name, "genres": genres} for key, name, genres in panel.songs]}
    return cl.CustomElement(name="TastePanel", props=props, display="inline")


@cl.action_callback("taste_forget")
async def taste_forget(action: cl.Action) -> None:
    from tools.taste import forget_song, taste_songs

    agent = cl.user_session.get("agent") or new_agent()
    user = agent.session.user
    key = str(payload_of(action).get("key", ""))
    song = next((s for s in taste_songs(user) if s.key == key), None)  # only this person's own songs
    if song is None:
        await cl.Message(content="That song is no longer part of your taste.").send()
        return
    profile = forget_song(user, key)
    agent.session.profile = profile
    from agent.actions import show_taste

    show_taste(agent.session, profile)
    items = agent.session.take_outbox()
    await cl.Message(content=f"I took **{song.name}** out of your taste.",
                     elements=await cl.make_async(elements_for)(Reply(text="", items=items))).send()


@cl.action_callback("taste_reset")
async def taste_reset(action: cl.Action) -> None:
    from agent import actions, answers

    agent = cl.user_session.get("agent") or new_agent()
    forgotten = actions.taste_profile(agent.session, forget=True)
    await cl.Message(content=answers.taste(forgotten)).send()


async def answer(agent: ChatAgent, text: str, uploads: list[Upload] = ()) -> None:
    reporter = agent.session.reporter
    if isinstance(reporter, ChainlitReporter):
        current = cl.context.current_step
        reporter.parent_id = current.id if current else None
    # what this turn is making, for the page that comes back if this one is reloaded meanwhile (on_chat_end)
    cl.user_session.set("turn", (text, tuple(u.name for u in uploads)))
    turn = asyncio.ensure_future(cl.make_async(agent.send)(text, uploads=list(uploads)))
    try:
        reply = await asyncio.shield(turn)
    except asyncio.CancelledError:  # the stop button: the work stops where it next reports, and nothing is kept
        cl.user_session.set("turn", None)  # stopped by the person: a reload while it winds down cut nothing off
        agent.stop()
        if not (await turn).stopped:  # it had finished just before the stop reached it
            agent.take_back_last_turn()
        await drop_stopped_uploads(agent, uploads, say=True)
        raise
    finally:
        cl.user_session.set("turn", None)
    if reply.stopped:  # the page went away mid-turn (on_chat_end), or came back after a dropped connection
        await drop_stopped_uploads(agent, uploads, say=False)  # the reply says so
        await cl.Message(content=reply.text).send()
        return
    pieces = [a.generation_id for a in reply.audio if a.generation_id]
    if pieces and cl.user_session.get("radio") is not None:
        cl.user_session.get("radio").chat_made_a_piece()  # 'this one' is the chat's new piece now
    # pictures are drawn off the event loop: the other chats' sockets keep moving meanwhile
    # a piece's buttons (like, another one...) under the piece; none under 'play my music', a list of several
    message = cl.Message(content=reply.text, elements=await cl.make_async(elements_for)(reply),
                         actions=buttons(pieces[-1]) if pieces and "my_music" not in reply.tools else [])
    await message.send()
    if history.login_enabled():  # a kept chat: its state too, so that reopening it picks up where it stopped
        shown = cl.user_session.get("shown") or {}
        if pieces:
            shown[message.id] = pieces
            cl.user_session.set("shown", shown)
        state = agent.graph.get_state(agent.config).values.get("messages", [])
        await cl.make_async(chat_store.save)(agent.session, cl.context.session.thread_id, state, shown)


async def drop_stopped_uploads(agent: ChatAgent, uploads: list[Upload], say: bool) -> None:
    """A stopped turn's new files went with it (ChatAgent.take_back_last_turn): so do their copies beside a kept
    chat, and the person is told which to attach again."""
    gone = [u for u in uploads if u.id not in agent.session.uploads]
    if gone and history.login_enabled():
        for u in gone:
            await cl.make_async(chat_store.drop_upload)(agent.session.user, cl.context.session.thread_id, u.path)
    if gone and say:
        await cl.Message(content="Nothing was made." + dropped_uploads(gone)).send()


def buttons(piece: str) -> list[cl.Action]:
    """Like, dislike, another one, more like this, for the piece they sit under (an older piece's buttons act on
    that piece, not the newest): what each says is decided here, not by the page."""
    return [cl.Action(name=name, label=label, icon=icon, payload={"piece": piece}) for name, label, icon, *_ in BUTTONS]


@cl.set_chat_profiles
async def chat_profiles(user=None) -> list[cl.ChatProfile]:
    """One profile: Chainlit shows its mark and description as the welcome screen of an empty chat."""
    return [cl.ChatProfile(name=branding.NAME, markdown_description=branding.welcome_markdown(BRAIN),
                           icon="/public/mark.svg", default=True,
                           starters=[cl.Starter(label=label, message=message, icon=icon)
                                     for label, message, icon in branding.STARTERS])]


def person() -> str:
    """Whose library, uploads and taste this chat uses: the login name, else this browser's own guest identity
    (TASTEMAKER_SHARED_LIBRARY=1 makes every open-mode visitor share one)."""
    user = cl.user_session.get("user")
    if user is not None:
        return user.identifier
    if get_settings().shared_library:
        return "local"
    token = identity.token_from_cookie_header(cl.context.session.environ.get("HTTP_COOKIE"))
    return identity.guest_name(token) if token else "local"


def new_agent() -> ChatAgent:
    agent = ChatAgent(reporter=ChainlitReporter(), user=person())
    cl.user_session.set("agent", agent)
    return agent


@cl.on_chat_start
async def start() -> None:
    agent = new_agent()
    cut = reloads.CUT_OFF.take(agent.session.user)
    if cut is not None:  # this person's last page went away mid-turn (a reload): say so, not an empty page
        # the words stay here, on the server: the button's payload is only shown, never trusted (make_again)
        cl.user_session.set("again", cut.words or None)
        again = [cl.Action(name="make_again", label="Make it again", icon="refresh-cw",
                           payload={"words": cut.words})] if cut.words else []
        await cl.Message(content=reloads.told(cut, history.login_enabled()), actions=again).send()
    left = None if history.login_enabled() else reloads.PAGES_LEFT.take(agent.session.user)
    if left is not None:  # the pieces this person's last page made (no login: no kept chat to reopen)
        await go_on_from(agent, left)
    from tools.library import open_library
    from tools.library.default import build_in_background

    status = await cl.make_async(lambda: build_in_background(open_library()))()
    if status.state == "building":  # a fresh data directory: say so at once, then show how far it is, live
        await cl.context.emitter.send_toast(
            f"Getting your music library ready in the background ({status.done}/{status.total} pieces, a few "
            "minutes, once). You can start now; searches work when it is done.", "info")
        asyncio.create_task(show_library_build(status))


async def go_on_from(agent: ChatAgent, left: reloads.PageLeft) -> None:
    """The pieces and the conversation a reloaded page had, taken into this chat (the next piece is numbered after
    them, 'slower' is about the last one) and the pieces shown again with their players, the last one's buttons under
    them."""
    from agent import actions, answers

    agent.session.pieces.update(left.pieces)
    if left.messages:
        agent.graph.update_state(agent.config, {"messages": left.messages})
    listed = actions.chat_pieces_again(agent.session)
    reply = Reply(text=answers.back_after_reload(listed, left.files), items=agent.session.take_outbox())
    last = list(agent.session.pieces)[-1]
    await cl.Message(content=reply.text, elements=await cl.make_async(elements_for)(reply),
                     actions=buttons(last)).send()


async def show_library_build(status) -> None:
    """A task list beside the chat: 'building your music library: 23/67', then ready."""
    tasks = cl.TaskList(status="Getting ready")
    task = cl.Task(title=status.describe(), status=cl.TaskStatus.RUNNING)
    await tasks.add_task(task)
    await tasks.send()
    shown = None
    while status.state == "building":
        if status.describe() != shown:
            shown = task.title = status.describe()
            await tasks.send()
        await asyncio.sleep(2)
    task.title = status.describe()
    task.status = cl.TaskStatus.DONE if status.state == "ready" else cl.TaskStatus.FAILED
    tasks.status = "Ready" if status.state == "ready" else "Library not built"
    await tasks.send()


@cl.on_message
async def on_message(message: cl.Message) -> None:
    agent: ChatAgent | None = cl.user_session.get("agent")
    if agent is None:  # a resumed chat after a restart
        agent = new_agent()
    REGISTRY.uploads_used(cl.context.session.id)
    reloads.CUT_OFF.back(agent.session.user, cl.context.session.id)  # a page that went on after a dropped connection
    reloads.PAGES_LEFT.back(agent.session.user, cl.context.session.id)
    limit = get_settings().max_files_per_message
    elements = [e for e in (message.elements or []) if getattr(e, "path", None)]
    if len(elements) > limit:  # the upload guard counts too; this holds even for files it never saw
        await cl.Message(content=f"At most {limit} files per message: I took the first {limit}.").send()
        elements = elements[:limit]
    keep = None
    if history.login_enabled():  # kept beside the chat: the session's upload folder goes when it ends
        thread = cl.context.session.thread_id
        keep = lambda path, name: chat_store.keep_upload(agent.session.user, thread, path, name)  # noqa: E731
    # checked before anything else: a text file named song.wav is one clear line, not a 0:00 player in the chat
    uploads, problems = await cl.make_async(take_files)(agent.attach, [(e.path, e.name) for e in elements], keep)
    for i, _ in problems:
        await elements[i].remove()
    if problems:
        await cl.Message(content="\n".join(line for _, line in problems)).send()
        if not uploads:  # the message was about files we could not use: said why, and stop there
            return
    if await radio_turn(agent, message.content or "", [(u.path, u.name) for u in uploads]):
        return
    await answer(agent, message.content or "", uploads)


@cl.on_feedback
async def thumbs(feedback) -> None:
    """Chainlit's own thumbs under a reply (kept chats): on a reply with a piece they are a like or a dislike of
    it, the same as our buttons; on other replies they are only kept with the chat."""
    agent: ChatAgent | None = cl.user_session.get("agent")
    pieces = (cl.user_session.get("shown") or {}).get(feedback.forId, [])
    if agent is None or not pieces or pieces[-1] not in agent.session.pieces:
        return
    from agent.actions import record_feedback

    await cl.make_async(record_feedback)(agent.session, bool(feedback.value), pieces[-1])


@cl.on_chat_resume
async def resume(thread) -> None:
    """A kept chat reopened from the sidebar: its uploads, pieces, taste and conversation come back, and the
    buttons under its pieces (Chainlit brings back the messages, players and charts)."""
    agent = new_agent()
    messages, shown, notes = await cl.make_async(chat_store.restore)(agent.session, thread["id"])
    if messages:
        agent.graph.update_state(agent.config, {"messages": messages})
    cl.user_session.set("shown", shown)
    for message_id, pieces in shown.items():
        if any(p in agent.session.pieces for p in pieces):
            for action in buttons(pieces[-1]):
                await action.send(for_id=message_id)
    if notes:
        await cl.Message(content="Welcome back. Not everything came back: " + "; ".join(notes) + ".").send()


@cl.action_callback("make_again")
async def make_again(action: cl.Action) -> None:
    """The request a reload cut off, sent again as the person's own message.

    A client can send any payload under this name (another person's words, a huge string, a list), at any time:
    what runs is only what this session was offered (kept server-side by start), once, and not while a turn runs."""
    agent: ChatAgent | None = cl.user_session.get("agent")
    words = cl.user_session.get("again")
    if agent is None or not isinstance(words, str) or not words.strip() or turn_running():
        return
    cl.user_session.set("again", None)  # once: a second press (or a replay) would make it twice
    await action.remove()
    await cl.Message(content=words, type="user_message").send()
    as_a_turn(answer(agent, words))


BUSY = "I'm still making the last one: wait for it, or press stop first, then press the button again."


def payload_of(action: cl.Action) -> dict:
    """An action's payload as the client sent it, which may be anything: a dict, else nothing."""
    return action.payload if isinstance(action.payload, dict) else {}


def turn_running() -> bool:
    """Whether this session is making something now (answer() marks its turn; the page's own start-up task, which
    Chainlit also calls the session's current task, is not a turn)."""
    return cl.user_session.get("turn") is not None


async def _button(action: cl.Action) -> None:
    agent: ChatAgent | None = cl.user_session.get("agent")
    if agent is None:
        return
    if turn_running():  # an older piece's button pressed while a piece is being made: one turn at a time
        await cl.Message(content=BUSY).send()
        return
    text = button_words(action.name, payload_of(action).get("piece"), agent.session.pieces)
    await cl.Message(content=text, type="user_message").send()
    as_a_turn(answer(agent, text))


def as_a_turn(work) -> None:
    """A button's request run as a typed one is: the page shows the stop button and the stop button stops it.
    (Chainlit runs an action callback inside its HTTP request, not as the session's task, so neither happened:
    'Make it again' or 'Another one' made a 60 s piece that could not be stopped.)"""
    context = cl.context

    async def turn() -> None:
        try:
            await context.emitter.task_start()
            await work
        except asyncio.CancelledError:  # the stop button; answer() has stopped the work and said so
            pass
        finally:
            await context.emitter.task_end()

    context.session.current_task = asyncio.create_task(turn())


for _name, *_ in BUTTONS:
    cl.action_callback(_name)(_button)


# -- the radio: "play my radio", "start a jazz station", playlists, and steering words while it plays ----------

def session_radio(agent: ChatAgent):
    """This chat's radio (agent.radio_chat.RadioChat), made on first use."""
    from agent.radio_chat import RadioChat

    radio = cl.user_session.get("radio")
    if radio is None:
        token = identity.token_from_cookie_header(cl.context.session.environ.get("HTTP_COOKIE"))
        radio = RadioChat(user=agent.session.user, browser=True, client=identity.client_key(token) if token else None)
        if agent.session.pieces:  # a chat resumed with its pieces: 'what is playing?' is about them, not the radio
            radio.chat_made_a_piece()
        cl.user_session.set("radio", radio)
    return radio


async def radio_turn(agent: ChatAgent, text: str, files: list[tuple[str, str]]) -> bool:
    """Answer a message that is for the radio (True), or leave it to the agent (False). An attached song
    seeds a new station ("a station like this song")."""
    from agent.radio_chat import chat_piece_audio
    from tools.errors import TastemakerError
    from tools.incidents import apology

    radio = session_radio(agent)
    if not radio.wants(text, with_song=bool(files)):
        return False
    try:
        async with cl.Step(name="radio", type="tool") as step:
            step.input = text

            def progress(fraction: float, what: str) -> None:  # a playlist takes a while: say how far it is
                step.output = f"[{'#' * int(fraction * 20):<20}] {fraction:.0%} {what}"
                cl.run_sync(step.update())

            song = files[0][0] if files else chat_piece_audio(text, agent.session)  # 'a playlist like it'
            reply = await cl.make_async(radio.handle)(text, song=song, progress=progress, session=agent.session)
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
    if reply.playlist is not None and radio.playlist_pieces:  # the M3U to download: track names, no server paths
        elements.append(cl.File(name=Path(reply.playlist.m3u).name, content=radio_web.portable_m3u(radio).encode(),
                                display="inline", mime="audio/x-mpegurl"))
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
async def end() -> None:
    """The page closed or reloaded: a turn in progress stops (its piece would go to nobody and keep a name), and so
    does the station."""
    agent: ChatAgent | None = cl.user_session.get("agent")
    if agent is not None:
        agent.stop()
        turn = cl.user_session.get("turn")
        if turn:  # cut off mid-turn: the person's next page says so (agent/web/reloads.py)
            reloads.CUT_OFF.note(agent.session.user, *turn, session=cl.context.session.id)
        # without a login nothing else keeps this page's pieces: the person's next page shows them again (not for the
        # one shared 'local' visitor every cookie-less browser is, whose next page may be someone else's)
        if agent.session.pieces and not history.login_enabled() and agent.session.user != "local":
            messages = agent.graph.get_state(agent.config).values.get("messages", [])
            files = tuple(u.name for u in agent.session.uploads.values())
            reloads.PAGES_LEFT.leave(agent.session.user, reloads.PageLeft(dict(agent.session.pieces), list(messages),
                                                                          files), cl.context.session.id)
    radio = cl.user_session.get("radio")
    if radio is not None and radio.station is not None:
        await cl.make_async(radio.stop)()


history.configure()
