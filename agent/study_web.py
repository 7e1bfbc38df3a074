"""The blind listening study in the browser: plain HTML pages and forms, no JavaScript.

  GET  /study/{id}                  a new rater: a signed rater id, then their first trial
                                    (with login on: only through an invitation link or when signed in)
  GET  /study/{id}/r/{rater}        the rater's next unanswered trial (or the thank-you page)
  POST /study/{id}/r/{rater}        one answer (form fields: trial, and score 1-5 or chosen clip)
  GET  /study/{id}/clip/{token}.wav a clip, by its random token (never its condition or source name)

`router` serves them in any FastAPI app. In the chat app (Chainlit) call
`install_on_chainlit()` once; standalone, `tastemaker study serve` runs
`create_app()` with uvicorn.
"""

from __future__ import annotations

import html
import re
import secrets

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from agent.web import signing
from tools.errors import TastemakerError
from tools.evaluate import study as studies

PREFIX = "/study"
_TOKEN = re.compile(r"^[0-9a-f]{1,32}$")  # study ids, rater ids and clip tokens are all hex

router = APIRouter(prefix=PREFIX)
# With login on, new raters need an invitation (or a signed-in person); set by install_on_chainlit.
INVITE_ONLY = {"on": False}

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
.clip { margin: 1rem 0; padding: 0.75rem; border: 1px solid #ddd; border-radius: 8px; }
audio { width: 100%; }
.scale label { margin-right: 1rem; }
button { font-size: 1rem; padding: 0.5rem 1rem; margin: 0.25rem 0; }
.progress { color: #666; }
.error { color: #b00; }
"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>",
        status_code=status,
    )


def _problem(message: str, status: int) -> HTMLResponse:
    return _page("Listening study", f"<h1>Listening study</h1><p class='error'>{html.escape(message)}</p>", status)


def _load(study_id: str) -> studies.Study:
    if not _TOKEN.match(study_id):
        raise TastemakerError(f"'{study_id}' is not a study id.")
    return studies.load_study(study_id)


def _trial_form(study: studies.Study, rater: str, trial: studies.Trial) -> str:
    action = f"{PREFIX}/{study.id}/r/{rater}"
    players = "".join(
        f"<div class='clip'><p><strong>Clip {i}</strong></p>"
        f"<audio controls preload='none' src='{PREFIX}/{study.id}/clip/{token}.wav'></audio></div>"
        for i, token in enumerate(trial.clips, start=1)
    )
    if study.kind == "rating":
        scale = "".join(
            f"<label><input type='radio' name='score' value='{v}' required> {v}</label>" for v in studies.SCALE
        )
        answer = (f"<p class='scale'>1 = not at all, 5 = very much<br>{scale}</p>"
                  "<button type='submit' id='next'>Next</button>")
    else:
        answer = "".join(
            f"<button type='submit' name='chosen' value='{token}' id='pick-{i}'>Clip {i} is machine-made</button> "
            for i, token in enumerate(trial.clips, start=1)
        )
    return (f"<h1>Listening study</h1><p class='progress'>Trial {trial.position} of {trial.total}</p>"
            f"<p id='question'>{html.escape(study.question)}</p>"
            f"<form method='post' action='{action}'><input type='hidden' name='trial' value='{trial.number}'>"
            f"{players}{answer}</form>")


def invitation_link(base_url: str, study_id: str) -> str:
    return f"{base_url.rstrip('/')}{PREFIX}/{study_id}?invite={signing.invitation(study_id)}"


async def _signed_in(request: Request) -> bool:
    from chainlit.auth import get_current_user, get_token_from_cookies

    token = get_token_from_cookies(dict(request.cookies))
    if not token:
        return False
    try:
        return await get_current_user(token) is not None
    except Exception:  # noqa: BLE001 - an expired or forged token is simply not signed in
        return False


@router.get("/{study_id}")
async def start(study_id: str, request: Request, invite: str = "") -> Response:
    """A new rater: each visit gets its own server-signed id (and so its own shuffled order)."""
    try:
        study = _load(study_id)
    except TastemakerError as exc:
        return _problem(str(exc), 404)
    invited = secrets.compare_digest(invite, signing.invitation(study.id))
    if INVITE_ONLY["on"] and not invited and not await _signed_in(request):
        return _problem("This listening study is by invitation: open the link you were sent.", 403)
    return RedirectResponse(f"{PREFIX}/{study.id}/r/{signing.new_rater(study.id)}", status_code=303)


@router.get("/{study_id}/r/{rater}")
def show(study_id: str, rater: str) -> Response:
    try:
        study = _load(study_id)
    except TastemakerError as exc:
        return _problem(str(exc), 404)
    if not signing.is_rater(study.id, rater):
        return _problem("That rater link is not valid; start again from the study's link.", 404)
    trial = studies.next_trial(study, rater)
    if trial is None:
        return _page("Thank you", f"<h1 id='done'>Thank you!</h1><p>You answered all {len(study.trials)} trials "
                                  "of this study. You can close this page.</p>")
    return _page("Listening study", _trial_form(study, rater, trial))


@router.post("/{study_id}/r/{rater}")
async def answer(study_id: str, rater: str, request: Request) -> Response:
    try:
        study = _load(study_id)
        if not signing.is_rater(study.id, rater):
            raise TastemakerError("That rater link is not valid; start again from the study's link.")
        form = await request.form()
        trial = int(str(form.get("trial", "")))
        score = int(str(form["score"])) if form.get("score") else None
        chosen = str(form["chosen"]) if form.get("chosen") else None
        studies.record_response(study, rater, trial, score=score, chosen=chosen)
    except (TastemakerError, ValueError) as exc:
        return _problem(f"That answer could not be saved: {exc}", 400)
    # Post/redirect/get: reloading the next page never sends the answer twice.
    return RedirectResponse(f"{PREFIX}/{study.id}/r/{rater}", status_code=303)


@router.get("/{study_id}/clip/{token}.wav")
def clip(study_id: str, token: str) -> Response:
    try:
        study = _load(study_id)
        if not _TOKEN.match(token):
            raise TastemakerError(f"'{token}' is not a clip of this study.")
        path = studies.clip_path(study, token)
    except TastemakerError as exc:
        return _problem(str(exc), 404)
    return FileResponse(path, media_type="audio/wav")


def include_ahead(app: FastAPI, routes: APIRouter) -> None:
    """Add a router's routes to an app, ahead of any catch-all route it already has.

    Chainlit's server ends with GET /{full_path:path} (its single-page app), and
    Starlette tries routes in order, so routes appended after it would never be reached.
    """
    before = len(app.router.routes)
    app.include_router(routes)
    added = app.router.routes[before:]
    del app.router.routes[before:]
    app.router.routes[0:0] = added


def install(app: FastAPI) -> None:
    """Add the study's routes to an app, ahead of any catch-all route it already has."""
    include_ahead(app, router)


def install_on_chainlit(invite_only: bool = False) -> None:
    """Serve the study pages from the chat app: call once from agent/app.py (invite_only when login is on)."""
    from chainlit.server import app

    INVITE_ONLY["on"] = invite_only
    if not any(getattr(r, "path", "").startswith(PREFIX + "/") for r in app.router.routes):
        install(app)


def create_app() -> FastAPI:
    """A small app serving only the study pages (`tastemaker study serve`)."""
    app = FastAPI(title="Tastemaker listening study")
    install(app)
    return app
