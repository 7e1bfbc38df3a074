"""The browser app as a new visitor meets it (Playwright in Debian's Chromium).

The welcome screen sells the product (its name, promise and starter buttons, not Chainlit's logo), a
starter button starts a conversation, the footer names the brain in use, and during a whole
conversation (upload, describe, make, refine, like) the page asks nothing of any host but this one.
"""

from __future__ import annotations

from tests.test_browser import (  # noqa: F401 (fixtures and marks reused)
    ASSISTANT,
    app_url,
    browser,
    open_chat,
    pytestmark,
    say,
    upload,
)

LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "http://localhost", "ws://localhost", "data:", "blob:")


def test_the_welcome_screen_sells_it_and_a_starter_starts_a_chat(app_url, browser):
    page = open_chat(browser, app_url)
    welcome = page.locator("#welcome-screen")
    welcome.get_by_text("Tell us the music you like, and we'll create it.").wait_for(timeout=30000)
    assert "Everything runs on this machine" in welcome.inner_text()
    assert page.title() == "Tastemaker"
    assert "Chainlit" not in welcome.inner_text()
    starter = page.get_by_text("Make a calm piano piece")
    starter.wait_for(timeout=10000)
    for label in ("Search the library", "What's my taste?", "What can you do?"):
        assert page.get_by_text(label).count() == 1
    starter.click()
    reply = page.locator(ASSISTANT).first
    reply.wait_for(timeout=120000)
    page.wait_for_selector(f"{ASSISTANT} audio", timeout=120000)
    footer = page.get_by_text("offline planner reads your words")
    assert footer.count() == 1  # not "LLMs can make mistakes": no LLM runs here
    page.close()


def test_a_whole_conversation_never_leaves_this_machine(app_url, browser, write_audio):
    page = browser.new_page()
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(LOCAL) else outside.append(r.url))
    page.goto(app_url)
    page.wait_for_selector("#chat-input", timeout=30000)
    upload(page, write_audio("favourite.wav"))
    say(page, "what is this song?", 0)
    made = say(page, "make me a 4 second jazz track", 1)
    made.locator("audio").first.wait_for(timeout=60000)
    say(page, "faster", 2).locator("audio").first.wait_for(timeout=60000)
    page.get_by_role("button", name="Like", exact=True).last.click()
    page.locator(ASSISTANT).nth(3).wait_for(timeout=60000)
    page.reload()
    page.wait_for_selector("#chat-input", timeout=30000)
    page.wait_for_timeout(1000)
    assert outside == [], f"the page reached outside this machine: {outside}"
    page.close()


def test_the_taste_panel_shows_the_songs_and_one_can_be_removed(app_url, browser, write_audio):
    page = open_chat(browser, app_url)
    upload(page, write_audio("first_love.wav"))
    say(page, "what is this song?", 0)
    taste = say(page, "what's my taste?", 1)
    panel = taste.locator("#taste-panel")
    panel.wait_for(timeout=30000)
    assert "first_love.wav" in panel.inner_text()
    panel.get_by_role("button", name="Remove first_love.wav").click()
    removed = page.locator(ASSISTANT).nth(2)
    removed.wait_for(timeout=30000)
    assert "took first_love.wav out of your taste" in removed.inner_text().replace("*", "")
    assert "first_love.wav" not in removed.locator("#taste-panel").inner_text()
    told = say(page, "I like jazz", 3)  # a taste in words: the panel again, with its reset button
    page.once("dialog", lambda dialog: dialog.accept())  # 'Forget your whole taste...?'
    told.locator("#taste-reset").click()
    reset = page.locator(ASSISTANT).nth(4)
    reset.wait_for(timeout=30000)
    assert "Your taste is reset" in reset.inner_text()
    assert "don't know your taste yet" in say(page, "what's my taste?", 5).inner_text()
    page.close()


# Every toast the page shows, kept in window.__toasts (Chainlit's toasts are sonner's, gone after 4 s).
RECORD_TOASTS = """
window.__toasts = [];
new MutationObserver(() => {
  for (const toast of document.querySelectorAll('[data-sonner-toast]')) {
    const text = toast.textContent || '';
    if (text && !window.__toasts.includes(text)) window.__toasts.push(text);
  }
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


def test_a_fresh_library_shows_its_build_and_a_search_says_how_far(browser, tmp_path):
    """A new data directory: the built-in library builds in the background, shown beside the chat."""
    import os

    from tests.test_browser import start_app, stop_app

    proc, url = start_app(dict(os.environ, TASTEMAKER_HOME=str(tmp_path / "fresh-home"), CI="true"))
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})  # room for the task list beside the chat
        page.add_init_script(RECORD_TOASTS)  # a toast shows for 4 s: a busy CI machine's test could look too late
        page.goto(url)
        page.wait_for_selector("#chat-input", timeout=30000)
        page.wait_for_function(  # said on arrival
            "() => (window.__toasts || []).some(t => t.includes('Getting your music library ready'))", timeout=60000)
        reply = say(page, "search the library for Bach chorales", 0)
        assert "still building your music library" in reply.inner_text()
        page.get_by_text("building your music library:").filter(visible=True).first.wait_for(timeout=60000)  # live
        page.close()
    finally:
        stop_app(proc)
