"""The browser radio's server side: audio for the player, and what its buttons do.

  GET /radio/{station}/{piece}   a piece's audio (wav, or a library track's own file), by the random ids of a
                                 station playing in this process and one of its pieces, to the browser whose
                                 chat started it (its identity cookie); nothing else is served

`player_action(radio, payload)` answers the RadioPlayer element's calls (Chainlit action "radio"): the
payload comes from the browser, so every field is checked and only the session's own station is touched.
`player_props(radio, piece)` is what the element starts with.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, Response

from agent.radio_chat import RadioChat, piece_file
from agent.study_web import include_ahead
from agent.web import identity
from tools.errors import TastemakerError
from tools.radio import RadioPiece, Steer

PREFIX = "/radio"
_ID = re.compile(r"^[0-9a-f]{16}$")
MEDIA = {".wav": "audio/wav", ".flac": "audio/flac", ".ogg": "audio/ogg", ".mp3": "audio/mpeg",
         ".aif": "audio/aiff", ".aiff": "audio/aiff", ".opus": "audio/ogg"}
OPS = ("now", "next", "previous", "jump", "poll", "skip", "like", "dislike", "more_like_this", "calmer", "less_drums", "set", "stop")
# The player's two word buttons, as the same adjustments the words make in the chat ("calmer", "less drums").
BUTTON_WORDS = {"calmer": "calmer", "less_drums": "less drums"}

router = APIRouter(prefix=PREFIX)


@router.get("/{station_id}/{piece_id}")
def piece_audio(station_id: str, piece_id: str, request: Request) -> Response:
    token = identity.token_from_cookie_header(request.headers.get("cookie"))
    client = identity.client_key(token) if token else None
    path = piece_file(station_id, piece_id, client) if _ID.match(station_id) and _ID.match(piece_id) else None
    if path is None:
        return Response("No such piece on a station playing here.", status_code=404, media_type="text/plain")
    return FileResponse(path, media_type=MEDIA.get(path.suffix.lower(), "application/octet-stream"))


def install(app: FastAPI) -> None:
    """Add the route ahead of Chainlit's catch-all page."""
    include_ahead(app, router)


def install_on_chainlit() -> None:
    from chainlit.server import app

    if not any(getattr(r, "path", "").startswith(PREFIX + "/") for r in app.router.routes):
        install(app)


def piece_props(piece: RadioPiece) -> dict:
    return {"id": piece.id, "title": piece.title, "source": piece.source, "seconds": round(piece.seconds, 2),
            "genres": [[g, round(p, 3)] for g, p in piece.top_genres(3).items()], "reason": piece.reason}


def piece_url(station_id: str, piece: RadioPiece) -> str:
    return f"{PREFIX}/{station_id}/{piece.id}"


def player_props(radio: RadioChat, piece: RadioPiece) -> dict:
    """The player's start; a playlist played back adds its tracks in order (each with its audio's URL)."""
    station = radio.station
    assert station is not None
    props = {"station": station.id, "piece": piece_props(piece), "crossfade": station.options.crossfade_seconds,
             "adventurous": station.options.adventurous, "library_share": station.options.library_share}
    if radio.playlist_pieces:
        props["tracks"] = [piece_props(p) | {"url": piece_url(station.id, p), "file": name}
                           for p, name in zip(radio.playlist_pieces, _file_names(radio.playlist_pieces))]
    return props


def _file_names(pieces: list[RadioPiece]) -> list[str]:
    from tools.radio.playlist import track_file_name

    return [track_file_name(n, p.title, Path(p.path).suffix) for n, p in enumerate(pieces, start=1)]


def portable_m3u(radio: RadioChat) -> str:
    """The playing playlist as an M3U of the names its tracks download under (the player's arrows): saved in one
    folder with them, it plays in any player. The server's own paths stay on the server."""
    from tools.radio.playlist import m3u_text

    pieces = radio.playlist_pieces
    return m3u_text([(name, p.title, p.seconds) for p, name in zip(pieces, _file_names(pieces))])


def _fraction(value: object, name: str) -> float:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TastemakerError(f"{name} must be a number from 0 to 1.") from None
    if not 0.0 <= x <= 1.0:
        raise TastemakerError(f"{name} must be a number from 0 to 1.")
    return x


def player_action(radio: RadioChat | None, payload: object) -> dict:
    """One call from the player: {"station", "op", ...} -> {"message"?, "piece"?, "stop"?}."""
    if not isinstance(payload, dict):
        return {"message": "That request was not understood."}
    op = payload.get("op")
    station = radio.station if radio is not None else None
    if station is None or payload.get("station") != station.id:
        return {"stop": True, "message": "This station is no longer playing. Ask for a new one in the chat."}
    if op not in OPS:
        return {"message": "That button is not known."}
    playing = payload.get("playing")
    if isinstance(playing, str) and _ID.match(playing):
        radio.now_playing = playing
    try:
        if op == "now":
            return {}
        if op == "poll":
            commands, radio.player_commands = radio.player_commands, []
            for command in commands:  # the latest piece wins; a stop wins over everything
                if command.get("stop"):
                    return {"stop": True}
            pieces = [c["piece"] for c in commands if "piece" in c]
            return {"piece": piece_props(pieces[-1])} if pieces else {}
        if op == "next":
            piece = radio.next_piece(skip=False)
            return {"piece": piece_props(piece)}
        if op == "previous":
            return {"piece": piece_props(radio.previous_piece())}
        if op == "jump":
            piece_id = payload.get("piece")
            if not (isinstance(piece_id, str) and _ID.match(piece_id)):
                return {"message": "That track is not on this playlist."}
            return {"piece": piece_props(radio.jump_to(piece_id))}
        if op == "skip":
            if payload.get("have_next"):  # the player already holds the next piece: only the taste moves
                station.steer(Steer("skip"), piece_id=radio._playing_id(station))
                return {"message": "Skipped."}
            piece = radio.next_piece(skip=True)
            return {"piece": piece_props(piece), "message": "Skipped."}
        if op == "set":
            changes = {}
            if "adventurous" in payload:
                changes["adventurous"] = _fraction(payload["adventurous"], "Adventurousness")
            if "library_share" in payload:
                changes["library_share"] = _fraction(payload["library_share"], "The library share")
            return {"message": radio.settings(**changes).text} if changes else {}
        if op == "stop":
            return {"stop": True, "message": radio.stop().text}
        if op in BUTTON_WORDS:
            from agent.radio_chat import parse_steer

            steer = parse_steer(BUTTON_WORDS[op])
            assert steer is not None
            return {"message": radio.steer(steer).text}
        return {"message": radio.steer(Steer(op)).text}
    except TastemakerError as exc:
        return {"message": str(exc)}
