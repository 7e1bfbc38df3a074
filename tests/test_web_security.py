"""The chat server under attack: each test replays one attack on a real `tastemaker chat` process.

A forged session id that is a path (Chainlit 2.12 would write into it and `rmtree` it), a socket opened
from another origin, a session id stolen from a file URL, a DNS-rebinding Host, oversized and too many
uploads, password guessing. The client is agent.web.client.ChatClient (Socket.IO + HTTP, like the page).
"""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

import httpx
import pytest

from agent.web.client import ChatClient
from agent.web.guard import Policy
from agent.web.limits import LoginThrottle
from agent.web.sessions import SessionRegistry, is_session_id
from tests.test_browser import start_app, stop_app

ROOT = Path(__file__).resolve().parents[1]
SONG = ROOT / "conversations" / "audio" / "rock_band.flac"


@pytest.fixture(scope="module")
def app_home(tmp_path_factory):
    return tmp_path_factory.mktemp("security-home")


@pytest.fixture(scope="module")
def app_url(app_home):
    home = app_home
    env = dict(os.environ, TASTEMAKER_HOME=str(home), TASTEMAKER_DEFAULT_LIBRARY="0", TASTEMAKER_MAX_FILE_MB="1",
               TASTEMAKER_MAX_FILES_PER_MESSAGE="2", TASTEMAKER_SESSION_KEEP_S="1")
    proc, url = start_app(env)
    yield url
    stop_app(proc)


def raw_post(url: str, path: str, cookie: str, declared_length: int) -> str:
    """A POST that declares a huge body and sends none of it: the answer must come from the headers alone."""
    host, port = url.rsplit("/", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall((f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: tastemaker_client={cookie}\r\n"
                   f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {declared_length}\r\n\r\n")
                  .encode())
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = s.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer.decode("latin-1")


def run(coro):
    return asyncio.run(coro)


async def refused(client: ChatClient, **kw) -> bool:
    try:
        await client.open(**kw)
    except Exception:  # noqa: BLE001 - socketio raises ConnectionError subclasses
        return True
    return False


# -- the attacks, replayed ------------------------------------------------------------------------------------


def test_a_session_id_that_is_a_path_is_refused_and_nothing_outside_is_touched(app_url, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    forged = os.path.relpath(victim, ROOT / ".files")  # '../../tmp/.../victim': Chainlit's .files/<id>

    async def attack() -> bool:
        c = ChatClient(app_url)
        if await refused(c, session_id=forged):
            return True
        await c.upload(SONG)  # on an undefended server this writes into the victim folder...
        await c.clear_and_close()  # ...and this removes it (rmtree on the session's folder)
        await asyncio.sleep(2)
        return False

    assert run(attack()), "a session id that is a path was accepted"
    assert (victim / "precious.txt").read_text() == "keep me"
    assert sorted(p.name for p in victim.iterdir()) == ["precious.txt"]


@pytest.mark.parametrize("session_id", ["", "x" * 36, "00000000-0000-0000-0000-000000000000",
                                        "6F9619FF-8B86-4011-B42D-00C04FC964FF", "a/b", "../" * 12])
def test_only_plain_uuid4_session_ids_are_accepted(app_url, session_id):
    assert run(refused(ChatClient(app_url), session_id=session_id))


def test_a_socket_or_a_change_from_another_origin_is_refused(app_url):
    assert run(refused(ChatClient(app_url, origin="http://localhost:9999")))
    assert run(refused(ChatClient(app_url, origin="null")))

    async def same_origin_then_foreign_post() -> int:
        owner = ChatClient(app_url, origin=app_url)  # the page's own origin is fine
        await owner.open()
        foreign = ChatClient(app_url, origin="http://evil.localhost:8000", cookie=owner.cookie)
        response = await foreign.post_json("/project/action", {"sessionId": owner.session_id,
                                                               "action": {"name": "like", "payload": {}}})
        await owner.close()
        return response.status_code

    assert run(same_origin_then_foreign_post()) == 403


def test_a_stolen_session_id_grants_nothing_and_the_victim_keeps_talking(app_url):
    async def scenario():
        victim = ChatClient(app_url)
        await victim.open()
        upload = (await victim.upload(SONG)).json()["id"]
        thief = ChatClient(app_url)  # knows the ids (they are in every file URL) but not the victim's cookie
        took_over = not await refused(thief, session_id=victim.session_id)
        stolen_file = await thief.get(f"/project/file/{upload}", session_id=victim.session_id)
        stolen_action = await thief.post_json("/project/action", {"sessionId": victim.session_id,
                                                                  "action": {"name": "like", "payload": {}}})
        stolen_upload = await thief.get("/project/file/x", session_id=victim.session_id)
        own_file = await victim.get(f"/project/file/{upload}", session_id=victim.session_id)
        turn = await victim.send("hello")
        await victim.close()
        return took_over, stolen_file.status_code, stolen_action.status_code, stolen_upload.status_code, \
            own_file.status_code, turn.text

    took_over, file_status, action_status, upload_status, own_status, reply = run(scenario())
    assert not took_over
    assert (file_status, action_status, upload_status) == (403, 403, 403)
    assert own_status == 200
    assert "Tastemaker" in reply  # the victim's next message is still answered


def test_a_socket_without_the_identity_cookie_is_refused(app_url):
    # cookie="": a client that never loaded the page, so has no identity to bind the session to
    assert run(refused(ChatClient(app_url, cookie="")))


def test_a_rebound_host_name_is_refused(app_url):
    port = app_url.rsplit(":", 1)[1]
    response = httpx.get(app_url + "/", headers={"Host": f"attacker.example:{port}"})
    assert response.status_code == 403
    assert httpx.get(app_url + "/", headers={"Host": f"localhost:{port}"}).status_code == 200


def test_an_oversized_upload_is_refused_before_it_is_read(app_url):
    async def scenario():
        c = ChatClient(app_url)
        await c.open()
        declared = raw_post(app_url, f"/project/file?session_id={c.session_id}", c.cookie, 2 * 1024**3)
        async with httpx.AsyncClient() as http:
            async def chunks():  # no declared length: counted while it streams, refused past the limit
                yield (b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.wav"\r\n'
                       b"Content-Type: audio/wav\r\n\r\n")
                for _ in range(64):
                    yield b"\0" * 65536
                yield b"\r\n--x--\r\n"

            streamed = await http.post(f"{app_url}/project/file", params={"session_id": c.session_id},
                                       headers={**c.headers(), "Content-Type": "multipart/form-data; boundary=x"},
                                       content=chunks())
        await c.close()
        return declared, streamed

    declared, streamed = run(scenario())
    assert declared.startswith("HTTP/1.1 413") and "1 MB limit" in declared  # answered before any body is sent
    assert streamed.status_code == 413


def test_an_empty_file_gets_a_clear_answer_not_a_server_error(app_url, tmp_path):
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")

    async def scenario():
        c = ChatClient(app_url)
        await c.open()
        answer = await c.upload(empty)
        await c.close()
        return answer

    answer = run(scenario())
    assert answer.status_code == 400 and "empty" in answer.json()["detail"]


def test_more_files_than_a_message_may_carry_are_refused_by_the_server(app_url, write_audio):
    song = write_audio("short.wav")

    async def scenario():
        c = ChatClient(app_url)
        await c.open()
        codes = [(await c.upload(song)).status_code for _ in range(3)]  # the limit is 2 in this app
        await c.send("what are these?")  # a message takes the pending files with it...
        codes.append((await c.upload(song)).status_code)  # ...so the next message may bring new ones
        await c.close()
        return codes

    assert run(scenario()) == [200, 200, 429, 200]


def test_a_second_server_does_not_delete_the_first_ones_uploads(app_url, tmp_path):
    """Chainlit removes its upload folder when it stops: two servers once shared one and lost uploads."""
    async def upload_after_another_server_stopped():
        other, _ = start_app(dict(os.environ, TASTEMAKER_HOME=str(tmp_path / "other"),
                                  TASTEMAKER_DEFAULT_LIBRARY="0"))
        stop_app(other)
        c = ChatClient(app_url)
        await c.open()
        status = (await c.upload(SONG)).status_code
        await c.close()
        return status

    assert run(upload_after_another_server_stopped()) == 200


def test_password_guessing_is_slowed_down(tmp_path):
    env = dict(os.environ, TASTEMAKER_HOME=str(tmp_path / "home"), TASTEMAKER_DEFAULT_LIBRARY="0",
               CHAINLIT_AUTH_SECRET="s" * 64, TASTEMAKER_PASSWORD="right-password", TASTEMAKER_LOGIN_MAX_FAILURES="3")
    proc, url = start_app(env)
    try:
        def login(password: str) -> httpx.Response:
            return httpx.post(url + "/login", data={"username": "tastemaker", "password": password})

        codes = [login(f"guess-{i}").status_code for i in range(6)]
        during = login("right-password")
    finally:
        stop_app(proc)
    assert codes[:3] == [401, 401, 401]
    assert 429 in codes[3:]  # after three failures the address must wait
    assert during.status_code == 429 and "Wait" in during.json()["detail"]  # even the right password waits


# -- the parts, on their own ----------------------------------------------------------------------------------


def test_session_ids_must_be_lowercase_uuid4():
    assert is_session_id("3f2b8a9e-4c1d-4e5f-9a7b-0c1d2e3f4a5b")
    for bad in ("3F2B8A9E-4C1D-4E5F-9A7B-0C1D2E3F4A5B", "3f2b8a9e-4c1d-1e5f-9a7b-0c1d2e3f4a5b", "../x", None, 7):
        assert not is_session_id(bad)


def test_a_session_belongs_to_the_first_browser_that_claims_it():
    registry = SessionRegistry()
    assert registry.claim("s1", "browser-a") == "new"
    assert registry.claim("s1", "browser-a") == "same"  # a reconnect
    assert registry.claim("s1", "browser-b") == "other"
    registry.release("s1")
    assert registry.owner("s1") is None


def test_origin_and_host_policy():
    loopback = Policy("127.0.0.1", ("https://music.example.org",))
    assert loopback.origin_allowed("http://127.0.0.1:8000", "127.0.0.1:8000")
    assert loopback.origin_allowed("https://music.example.org/", "127.0.0.1:8000")
    assert not loopback.origin_allowed("http://localhost:8001", "localhost:8000")  # another port, another origin
    assert not loopback.origin_allowed("null", "localhost:8000")
    assert loopback.host_allowed("localhost:8000") and loopback.host_allowed("[::1]:8000")
    assert loopback.host_allowed("music.example.org")
    assert not loopback.host_allowed("attacker.example:8000")
    assert Policy("0.0.0.0", ()).host_allowed("my-laptop.local:8000")  # shared on a network: any name


def test_login_backoff_doubles_and_a_success_clears_it():
    now = [0.0]
    throttle = LoginThrottle(max_failures=2, clock=lambda: now[0])
    throttle.failed("1.2.3.4")
    assert throttle.wait_s("1.2.3.4") == 0
    throttle.failed("1.2.3.4")
    assert throttle.wait_s("1.2.3.4") == 1.0
    throttle.failed("1.2.3.4")
    assert throttle.wait_s("1.2.3.4") == 2.0
    assert throttle.wait_s("5.6.7.8") == 0  # other addresses are not affected
    now[0] += 2.0
    assert throttle.wait_s("1.2.3.4") == 0
    throttle.succeeded("1.2.3.4")
    throttle.failed("1.2.3.4")
    assert throttle.wait_s("1.2.3.4") == 0


# -- per-person data and session clean-up ---------------------------------------------------------------------


def test_two_visitors_in_open_mode_have_their_own_taste(app_url):
    """The finding: in open mode one visitor's 'I like it' moved another's taste (everyone was user 'local')."""
    async def scenario():
        alice, bob = ChatClient(app_url), ChatClient(app_url)
        await alice.open()
        await bob.open()
        await alice.send("make me a 3 second jazz track")
        liked = await alice.send("I love it")
        alice_taste = await alice.send("what's my taste?")
        bob_taste = await bob.send("what's my taste?")
        await alice.close()
        await bob.close()
        return liked.text, alice_taste.text, bob_taste.text

    liked, alice_taste, bob_taste = run(scenario())
    assert "jazz 0." in alice_taste  # her like moved her own profile
    assert "jazz 0." not in bob_taste and "don't know your taste" in bob_taste.lower()  # not his


def test_a_closed_chat_leaves_no_files_behind(app_url, app_home):
    async def scenario():
        c = ChatClient(app_url)
        await c.open()
        assert (await c.upload(SONG)).status_code == 200
        folders = list((app_home / "uploads").glob(f"*/{c.session_id}"))  # this server's own upload store
        folder = folders[0] if folders else app_home / "missing"
        existed = folder.is_dir()
        await c.close()  # a tab closed without "new chat": kept TASTEMAKER_SESSION_KEEP_S (1 s here) for a reconnect
        for _ in range(60):  # gone within a few seconds on an idle server; a busy one may take longer
            if not folder.exists():
                break
            await asyncio.sleep(0.5)
        return existed, folder.exists()

    existed, still_there = run(scenario())
    assert existed and not still_there


def test_a_thread_id_that_is_not_a_uuid_is_refused(app_url):
    client = ChatClient(app_url)
    client.thread_id = "../../elsewhere"
    assert run(refused(client))


def test_a_file_attached_before_the_chat_session_is_up_waits_for_it(app_url):
    """A person attaching a song in the page's first second must not be refused (the tests used to retry)."""
    async def scenario():
        c = ChatClient(app_url)
        await c.load_page()
        early = asyncio.create_task(c.upload(SONG))  # the socket is not open yet
        await asyncio.sleep(1.0)
        await c.open()
        response = await early
        turn = await c.send("what is this?", files=[{"id": response.json()["id"]}])
        await c.close()
        return response.status_code, turn.text

    status, reply = run(scenario())
    assert status == 200
    assert "rock_band.flac" in reply and "sounds like" in reply


def test_one_visitors_library_additions_are_not_found_by_another(app_url):
    """The finding: in open mode another visitor's upload was found and played by a new session."""
    async def scenario():
        alice, bob = ChatClient(app_url), ChatClient(app_url)
        await alice.open()
        await bob.open()
        upload = (await alice.upload(SONG)).json()["id"]
        await alice.send("here is my song", files=[{"id": upload}])
        added = await alice.send("add it to my library")
        hers = await alice.send("search the library for rock band")
        his = await bob.send("search the library for rock band")
        await alice.close()
        await bob.close()
        return added.text, hers, his

    added, hers, his = run(scenario())
    assert "rock band" in added.lower() or "rock_band" in added.lower()
    assert any(e.get("type") == "audio" for e in hers.elements)  # she finds her own song
    assert not any(e.get("type") == "audio" for e in his.elements)  # he does not
    assert "rock band" not in his.text.lower()


def test_an_ended_session_leaves_nothing_in_chainlits_message_memory(tmp_path, monkeypatch):
    """Chainlit keeps each session's messages (pictures included) in a module dict nothing empties (its #2951):
    20 chats used to leave ~290 MB behind in benchmarks/load.py. Ending a session must drop them."""
    import uuid

    import chainlit.config
    from chainlit.chat_context import chat_contexts
    from chainlit.session import WebsocketSession

    from agent.web.sessions import harden_session_end

    monkeypatch.setattr(chainlit.config, "FILES_DIRECTORY", tmp_path)
    harden_session_end()
    session_id = str(uuid.uuid4())
    session = WebsocketSession(id=session_id, socket_id="socket-1", emit=lambda *a: None,
                               emit_call=lambda *a: None, user_env={}, client_type="webapp")
    chat_contexts[session_id] = ["a reply with a piece and its picture"]
    (tmp_path / session_id).mkdir(exist_ok=True)
    asyncio.run(session.delete())
    assert session_id not in chat_contexts
    assert not (tmp_path / session_id).exists()


def test_a_cut_off_turn_is_told_once_to_its_own_person_and_not_a_day_later():
    """The server side of a reload mid-turn (the page side is in test_browser.py): the note is the person's own."""
    from agent.web.reloads import FRESH_S, CutOffTurns, told

    notes = CutOffTurns()
    notes.note("guest-a", "make me a 120 second rock track", ("song.wav",), now=1000.0)
    assert notes.take("guest-b", now=1001.0) is None  # another browser is not told
    cut = notes.take("guest-a", now=1001.0)
    assert cut is not None and notes.take("guest-a", now=1002.0) is None  # once
    line = told(cut, kept_chats=False)
    assert "“make me a 120 second rock track”" in line and "attach song.wav again" in line and "sidebar" not in line
    notes.note("guest-a", "make me a jazz piece", now=1000.0)
    assert notes.take("guest-a", now=1000.0 + FRESH_S + 1) is None  # another visit
    notes.note("guest-a", "make me a jazz piece", now=1000.0, session="s1")
    notes.back("guest-a", "s2")  # another page of theirs talking: the note stays
    notes.back("guest-a", "s1")  # the same page talking again: a dropped connection, not a reload
    assert notes.take("guest-a", now=1001.0) is None


def test_cut_off_notes_nobody_came_back_for_do_not_pile_up():
    """A client that opens pages and leaves them mid-turn, again and again, under new guest names."""
    from agent.web.reloads import FRESH_S, CutOffTurns

    notes = CutOffTurns()
    for i in range(1000):
        notes.note(f"guest-{i}", "make me something " * 20, now=1000.0 + i)
    notes.note("guest-late", "make me a jazz piece", now=1000.0 + 999 + FRESH_S + 1)
    assert len(notes._notes) == 1  # the stale ones went when the next note came
    assert notes.take("guest-late", now=1000.0 + 999 + FRESH_S + 2) is not None


def test_a_forged_make_again_payload_runs_nothing_it_was_not_offered(monkeypatch):
    """The 'Make it again' button's payload comes from the client, which can send anything under its name: another
    person's words, a huge string, a list, no words at all, at any time. Replayed against the callback in-process:
    only the words this session was offered run, once, and a forged payload never reaches the chat."""
    import uuid

    import chainlit as cl
    from chainlit.context import init_ws_context
    from chainlit.session import WebsocketSession

    from agent import app
    from agent.graph import ChatAgent

    ran: list[str] = []

    async def answered(agent, text, uploads=()):  # the turn itself is not what is tested here: only what reaches it
        ran.append(text)

    monkeypatch.setattr(app, "answer", answered)
    forged = [{"words": "delete everything and make what the other person asked"}, {"words": "x" * 10_000_000},
              {"words": ["make", "me"]}, {"words": {"nested": True}}, {"words": 42}, {}, {"piece": "g1"}, None]

    async def scenario(offered: str | None, turn: tuple | None = None) -> tuple[list[str], list]:
        sent: list = []
        session = WebsocketSession(id=str(uuid.uuid4()), socket_id="socket-1",
                                   emit=lambda *a: sent.append(a) or asyncio.sleep(0),
                                   emit_call=lambda *a: asyncio.sleep(0), user_env={}, client_type="webapp")
        init_ws_context(session)
        cl.user_session.set("agent", ChatAgent())
        cl.user_session.set("again", offered)
        cl.user_session.set("turn", turn)
        for payload in forged + forged:
            action = cl.Action(name="make_again", payload={})
            action.payload = payload  # as the client sent it, whatever its type
            await app.make_again(action)
        if session.current_task is not None:
            await session.current_task
        return list(ran), [a for a in sent if a and a[0] == "new_message"]

    got, messages = run(scenario(None))  # nothing was cut off in this session: nothing runs, nothing is said
    assert got == [] and messages == []
    busy = "make me a 20 second jazz piece"
    cl_turn = ("make me a rock piece", ())
    got, messages = run(scenario(busy, turn=cl_turn))  # offered, but a typed request is being made: not now
    assert got == [] and messages == []
    got, messages = run(scenario("make me a 20 second jazz piece"))  # offered: those words, once
    assert got == ["make me a 20 second jazz piece"] and len(messages) == 1
    assert messages[0][1]["output"] == "make me a 20 second jazz piece"


def test_forged_button_payloads_are_answered_and_a_button_waits_for_the_turn_in_progress(monkeypatch):
    """The piece buttons and the taste panel's remove button take payloads from the client too: a list, None or
    another chat's piece is no server error; an older piece's button pressed while a piece is being made starts no
    second turn on the same chat."""
    import uuid

    import chainlit as cl
    from chainlit.context import init_ws_context
    from chainlit.session import WebsocketSession

    from agent import app
    from agent.graph import ChatAgent

    ran: list[str] = []

    async def answered(agent, text, uploads=()):
        ran.append(text)

    monkeypatch.setattr(app, "answer", answered)

    async def scenario(turn: tuple | None) -> list:
        sent: list = []
        session = WebsocketSession(id=str(uuid.uuid4()), socket_id="socket-1",
                                   emit=lambda *a: sent.append(a) or asyncio.sleep(0),
                                   emit_call=lambda *a: asyncio.sleep(0), user_env={}, client_type="webapp")
        init_ws_context(session)
        cl.user_session.set("agent", ChatAgent(user=f"guest-{uuid.uuid4().hex[:8]}"))
        cl.user_session.set("turn", turn)
        for payload in (["g1"], None, "g1", {"piece": ["g1"]}, {"piece": "g99"}):
            action = cl.Action(name="another", payload={})
            action.payload = payload
            await app._button(action)
            if session.current_task is not None:
                await session.current_task
            forget = cl.Action(name="taste_forget", payload={})
            forget.payload = payload
            await app.taste_forget(forget)
        return [a[1]["output"] for a in sent if a and a[0] == "new_message"]

    said = run(scenario(None))
    assert ran == ["another one"] * 5  # the piece in hand, whatever the payload said
    assert said.count("That song is no longer part of your taste.") == 5
    ran.clear()
    said = run(scenario(("make me a rock piece", ())))  # a typed request is being made
    assert ran == [] and said.count(app.BUSY) == 5



def test_the_guard_goes_in_front_of_an_app_that_already_answered_a_request():
    """CI found this order: a test served Chainlit's app bare, and importing the chat app afterwards crashed
    (Starlette refuses middleware once its stack is built), so the chat app could not start at all. Replayed
    in-process: the app answers a rebound Host name unguarded, then the guard is installed, and the same request
    is refused."""
    from chainlit.server import app
    from fastapi.testclient import TestClient

    from agent.web import guard

    app.user_middleware[:] = [m for m in app.user_middleware if m.cls is not guard.GuardMiddleware]
    app.middleware_stack = None
    rebound = {"Host": "attacker.example"}
    assert TestClient(app, base_url="http://localhost").get("/", headers=rebound).status_code == 200
    assert app.middleware_stack is not None  # the stack is built: the order that crashed

    guard.install()
    assert TestClient(app, base_url="http://localhost").get("/", headers=rebound).status_code == 403
    assert TestClient(app, base_url="http://localhost").get("/").status_code == 200


def test_a_page_that_goes_leaves_its_pieces_for_its_own_person_only():
    """Open mode: a reloaded page's pieces come back to the person's next page (test_browser.py has the page side).
    They are left under the browser's own guest name, never under the 'local' user that every cookie-less browser
    (and, with a shared library, every visitor) is, whose next page may be somebody else's."""
    import uuid

    import chainlit as cl
    from chainlit.context import init_ws_context
    from chainlit.session import WebsocketSession

    from agent import app
    from agent.graph import ChatAgent
    from agent.web import reloads

    async def a_page_goes(user: str) -> None:
        session = WebsocketSession(id=str(uuid.uuid4()), socket_id="socket-1", emit=lambda *a: asyncio.sleep(0),
                                   emit_call=lambda *a: asyncio.sleep(0), user_env={}, client_type="webapp")
        init_ws_context(session)
        agent = ChatAgent(user=user)
        agent.session.pieces["g1"] = "a piece"  # what the page had made
        cl.user_session.set("agent", agent)
        await app.end()

    run(a_page_goes("local"))
    assert reloads.PAGES_LEFT.take("local") is None
    run(a_page_goes("guest-0123456789abcdef"))
    assert reloads.PAGES_LEFT.take("guest-other") is None
    left = reloads.PAGES_LEFT.take("guest-0123456789abcdef")
    assert left is not None and left.pieces == {"g1": "a piece"}
    assert reloads.PAGES_LEFT.take("guest-0123456789abcdef") is None  # once
