"""How the browser app looks and speaks: Tastemaker's name, welcome, starters, footer and sign-in words.

- The welcome screen is a single chat profile's description (Chainlit shows it, with our mark, when a
  chat is empty): the product's promise and what to try (chainlit.md), plus a line saying where the
  person's words go, true to the brain in use.
- Starter buttons for the main things to do.
- Chainlit's texts that do not fit are replaced: the sign-in form asks for a user name (not an e-mail),
  a wrong password says so, the footer names the brain instead of "LLMs can make mistakes".
- The page asks nothing of other hosts: the font is served from public/fonts, and the links Chainlit's
  page template has to a font service and a CDN stylesheet are taken out of it.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

APP_ROOT = Path(__file__).resolve().parents[2]
WELCOME_FILE = APP_ROOT / "chainlit.md"
NAME = "Tastemaker"
PROMISE = "Tell us the music you like, and we'll create it."

STARTERS = [
    ("Make a calm piano piece", "Make me a calm piano piece for a rainy night", "/public/icons/piano.svg"),
    ("A rock track at 140 bpm", "Make me a 20 second rock track at 140 bpm", "/public/icons/sparkles.svg"),
    ("Search the library", "Search the library for string quartets by Beethoven", "/public/icons/search.svg"),
    ("What's my taste?", "What's my taste?", "/public/icons/heart.svg"),
    ("What can you do?", "What can you do?", "/public/icons/help.svg"),
]

# Tags of Chainlit's page template that reach other hosts (a font service, a CDN stylesheet for math).
_OUTSIDE_LINKS = re.compile(r"\s*<link[^>]+href=\"https?://[^\"]+\"[^>]*/?>", re.IGNORECASE)
_OUTSIDE_META = re.compile(r"(<meta property=\"og:(?:image|url)\" content=\")https?://[^\"]*(\")", re.IGNORECASE)


def is_offline_brain(brain: str) -> bool:
    return brain == "offline planner"


def where_words_go(brain: str) -> str:
    if is_offline_brain(brain):
        return "Everything runs on this machine: your words and songs are not sent anywhere."
    return (f"Your words go to the language model {brain}; your songs stay on this machine. "
            "The model can make mistakes.")


def footer(brain: str) -> str:
    if is_offline_brain(brain):
        return "Tastemaker's offline planner reads your words with rules on this machine; nothing is sent anywhere."
    return f"Answers are written by {brain}, which can make mistakes; the music is made on this machine."


def welcome_markdown(brain: str) -> str:
    """chainlit.md (also the page's Readme), and where the person's words go with this brain."""
    return WELCOME_FILE.read_text(encoding="utf-8").rstrip() + f"\n\n*{where_words_go(brain)}*\n"


def translation_overrides(brain: str) -> dict:
    return {
        "auth": {"login": {
            "title": f"Sign in to {NAME}",
            "form": {"email": {"label": "User name", "placeholder": "your user name",
                               "required": "Enter your user name"},
                     "password": {"required": "Enter your password"}},
            "errors": {"credentialsSignin": "Wrong user name or password. Try again.",
                       "credentialssignin": "Wrong user name or password. Try again.",
                       "default": "Could not sign in: wrong user name or password, or too many tries "
                                  "(then wait a little before the next)."},
        }},
        "chat": {"watermark": footer(brain)},
        "navigation": {"user": {"menu": {"logout": "Sign out"}}},
    }


def _merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        out[key] = _merge(out.get(key, {}), value) if isinstance(value, dict) else value
    return out


def local_page(html: str) -> str:
    """Chainlit's page without the tags that fetch from other hosts."""
    html = _OUTSIDE_LINKS.sub("", html)
    return _OUTSIDE_META.sub(r"\1/public/mark.svg\2", html)


_BRAIN = {"label": "offline planner"}


async def _translations(language: str = "en-US"):
    """Chainlit's texts for the page, with ours laid over them."""
    from chainlit.config import config
    from fastapi.responses import JSONResponse

    if not re.fullmatch(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,2}", language):
        language = "en-US"
    translation = config.load_translation(config.ui.language or language)
    return JSONResponse({"translation": _merge(translation, translation_overrides(_BRAIN["label"]))})


def install(brain: str) -> None:
    """Apply the branding to the Chainlit app of this process (once, before it serves)."""
    import chainlit.server as server
    from chainlit.config import config

    config.ui.name = NAME
    config.ui.description = PROMISE
    if not any(getattr(r, "endpoint", None) is _translations for r in server.app.router.routes):
        _BRAIN["label"] = brain
        server.app.add_api_route("/project/translations", _translations, methods=["GET"])
        server.app.router.routes.insert(0, server.app.router.routes.pop())  # ahead of Chainlit's own
    if not getattr(server.get_html_template, "tastemaker", False):
        original_page = server.get_html_template

        def get_html_template(root_path: str) -> str:
            return local_page(original_page(root_path))

        get_html_template.tastemaker = True  # type: ignore[attr-defined]
        server.get_html_template = get_html_template
