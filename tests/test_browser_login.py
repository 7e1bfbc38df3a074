"""Login and chat history in the browser: with CHAINLIT_AUTH_SECRET and TASTEMAKER_PASSWORD set, the app
asks for a login (a user name), refuses a wrong password with a clear line, and keeps the conversation in
SQLite so it is in the sidebar after a reload, and reopens with its players, buttons and state.
"""

from __future__ import annotations

import os
import sqlite3
import time

import pytest

from tests.test_browser import ASSISTANT, browser, pytestmark, start_app, stop_app  # noqa: F401 (fixture, marks reused)

USER, PASSWORD = "ada", "correct horse battery staple"


@pytest.fixture(scope="module")
def login_app(tmp_path_factory):
    home = tmp_path_factory.mktemp("login-home")
    env = dict(os.environ, TASTEMAKER_HOME=str(home), CHAINLIT_AUTH_SECRET="test-secret-" + "x" * 40,
               TASTEMAKER_PASSWORD=PASSWORD, TASTEMAKER_USER=USER)
    proc, url = start_app(env)
    yield url, home / "chat-history.db"
    stop_app(proc)


def log_in(page, url, user, password):
    page.goto(url)
    page.wait_for_selector("#password", timeout=60000)
    page.fill("#email", user)
    page.fill("#password", password)
    page.click('button[type="submit"]')


def test_login_is_required_and_the_chat_is_kept(login_app, browser):
    url, db = login_app
    context = browser.new_context()
    page = context.new_page()

    page.goto(url)
    page.wait_for_selector("#password", timeout=60000)
    assert page.locator('label[for="email"]').inner_text() == "User name"  # not "Email address"
    assert page.get_attribute("#email", "placeholder") == "your user name"
    log_in(page, url, USER, "wrong password")
    page.get_by_text("Wrong user name or password").wait_for(timeout=20000)
    assert page.locator("#chat-input").count() == 0, "a wrong password let the user in"
    assert page.locator("#password").count() == 1

    with page.expect_response(lambda r: "/ws/socket.io/" in r.url and "sid=" in r.url, timeout=60000):
        log_in(page, url, USER, PASSWORD)
    page.wait_for_selector("#chat-input", timeout=30000)
    page.fill("#chat-input", "make me some calm jazz piano")
    page.click("#chat-submit")
    reply = page.locator(ASSISTANT).first
    reply.wait_for(timeout=120000)
    page.wait_for_selector("audio", timeout=120000)

    # The conversation is in SQLite, under the logged-in user.
    deadline = time.monotonic() + 20
    rows = []
    while time.monotonic() < deadline:
        with sqlite3.connect(db) as con:
            rows = con.execute('SELECT t.id, t."userIdentifier", s.type, s.output FROM threads t '
                               'JOIN steps s ON s."threadId" = t.id').fetchall()
        if any(kind == "assistant_message" and output for _, _, kind, output in rows):
            break
        time.sleep(0.5)
    assert {user for _, user, _, _ in rows} == {USER}
    assert any(kind == "user_message" and "calm jazz piano" in (output or "") for _, _, kind, output in rows)
    assert any(kind == "assistant_message" and output for _, _, kind, output in rows)
    thread_id = rows[0][0]

    # A new page of the same login lists the past chat in the sidebar and opens it.
    again = context.new_page()
    again.goto(url)
    link = again.locator(f'a[href="/thread/{thread_id}"]')
    link.wait_for(timeout=60000)
    link.click()
    again.get_by_text("make me some calm jazz piano").first.wait_for(timeout=30000)
    # Resumed with its music: the player, the buttons and the input are back, and it goes on where it stopped.
    again.locator(f"{ASSISTANT} audio").first.wait_for(timeout=30000)
    again.get_by_role("button", name="Like", exact=True).first.wait_for(timeout=30000)
    replies = again.locator(ASSISTANT).count()
    again.fill("#chat-input", "faster")
    again.click("#chat-submit")
    refined = again.locator(ASSISTANT).nth(replies)
    refined.wait_for(timeout=120000)
    assert "new take on g1" in refined.inner_text()  # 'it' is still the piece made before the chat was reopened
    context.close()
