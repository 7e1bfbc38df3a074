"""The radio in conversation: "play my radio", "radio for running", "start a jazz station", playlists, and
steering words while a station plays ("skip", "I like this", "more like this", "calmer", "less drums").

Whether a message asks for a station or a playlist is the chat's one parser's call (tools.language: the
radio and playlist intents); the app and the terminal ask `is_radio_request(text)` (or `RadioChat.wants(text)`
while a station plays: "skip", "stop" mean something only then) before the agent sees the message, and
`RadioChat.handle(text)` does the rest. Words become typed requests here (a `Steer`,
StationOptions changes, a PlaylistRequest); tools.radio never reads text. Adjustments reuse the chat's own
refinement reading (tools.language and MusicChange), so "less drums" means the same on the radio as for a piece.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tools.errors import TastemakerError
from tools.language.slots import NUMBER_WORDS, ORDINALS
from tools.radio import RadioPiece, Station, StationOptions, StationRequest, Steer

if TYPE_CHECKING:
    from tools.radio.playlist import Playlist, Progress

_STOP = re.compile(r"^\s*(?:please\s+)?(?:(?:stop|pause|end|quit|kill|turn off|switch off|shut off|shut down|enough)"
                   r"(?:\s+(?:the\s+)?(?:radio|station|music|playing|it)(?:\s+now)?)?|"
                   # 'turn the radio off', 'radio off': the thing named first ('radio off' started a station)
                   r"(?:(?:turn|switch|shut)\s+)?(?:the\s+)?(?:radio|station|music|it)\s+off)"
                   r"(?:\s+please)?[\s!.]*$", re.IGNORECASE)
_PAUSE = re.compile(r"^\s*(?:please\s+)?(?:pause|hold on|wait)(?:\s+(?:the\s+)?(?:radio|station|music|playing|it))?"
                    r"(?:\s+please)?[\s!.]*$", re.IGNORECASE)
_SKIP = re.compile(r"^\s*(?:please\s+)?(skip|next|skip (?:it|this|this one)|next one|next song|next piece|"
                   r"not this one|⏭)[\s!.]*$", re.IGNORECASE)
_LIKE_WORD = re.compile(r"^\s*(like|love|love this|like this|liked|nice|yes|👍|❤️?|<3)[\s!.]*$", re.IGNORECASE)
_DISLIKE_WORD = re.compile(r"^\s*(dislike|hate|hate this|nope|meh|no|👎|boo)[\s!.]*$", re.IGNORECASE)
_MORE_LIKE = re.compile(r"\bmore like (?:this|that|it)\b", re.IGNORECASE)
_ADVENTURE = re.compile(r"\b(?:more|less) adventurous\b|\badventurous(?:ness)?\s*(?:to\s*)?(-?\d+(?:\.\d+)?)\s*(%?)|"
                        r"\b(?:surprise me more|play it safe|more variety|less variety)\b", re.IGNORECASE)
_LIBRARY = re.compile(r"\b(?:more|less|fewer) (?:library|of my (?:own )?(?:music|songs|tracks)|new pieces|generated)\b|"
                      r"\blibrary\s*(?:share\s*)?(?:to\s*)?(-?\d+(?:\.\d+)?)\s*(%?)|\bonly (?:my library|new pieces)\b",
                      re.IGNORECASE)
_RESUME = re.compile(r"\b(?:resume|play on|continue|restart)\b.*?\b([0-9a-f]{16})\b", re.IGNORECASE)
# 'resume playlist', 'resume my last playlist', 'play playlist b562bf93' (a prefix), 'resume playlist 夜の曲': the
# person's own playlists, never a new one ('resume playlist' made a 10-piece playlist called 'last')
_RESUME_PLAYLIST = re.compile(
    r"^\s*(?:please\s+)?(?:(resume|continue|replay|reopen|restart)|play(?:\s+back)?|open)\s+(?:(?:my|the)\s+)?"
    r"(?:(?:last|latest|previous|recent|most recent|only|old)\s+)?playlist(?:\s+(?:again|please))?"
    r"(?:\s+(?:id\s+)?(\S+))?[\s!.?]*$", re.IGNORECASE)
# the station that plays (or the one that played last) goes on: not a new one from the taste ('keep the music
# coming' replaced a jazz station with one from the taste; 'turn the radio back on' read 'turn back' as a theme)
_KEEP_ON = re.compile(
    r"^\s*(?:please\s+)?(?:keep\s+(?:the\s+|my\s+)?(?:music|radio|station|songs|tunes|pieces|it|them)\s+"
    r"(?:coming|going|playing|on)|keep\s+(?:the\s+|my\s+)?\w+\s+coming|keep\s+(?:on\s+)?(?:playing|going)|non-?stop(?:\s+(?:music|\w+))?|"
    r"more music|(?:turn|switch|put)\s+(?:the\s+|my\s+)?(?:radio|station|music|it)\s+(?:back\s+)?on(?:\s+again)?|"
    r"(?:turn|switch|put)\s+(?:back\s+)?on\s+(?:the\s+|my\s+)?(?:radio|station|music)|"
    r"(?:the\s+)?(?:radio|station|music)\s+back\s+on|"
    r"(?:resume|continue|unpause|restart|play on)"
    r"(?:\s+(?:the\s+|my\s+)?(?:last\s+)?(?:radio|station|music|it|playing))?)"
    r"(?:\s+(?:again|please|now))*[\s!.]*$", re.IGNORECASE)
_WHAT_PLAYS = re.compile(r"^\s*(?:so\s+|and\s+)?what(?:'s|s| is)?\s+(?:playing|on)(?:\s+(?:now|right now|on the "
                         r"(?:radio|station)))?\s*\??\s*$|^\s*what(?:'s|s| is)?\s+(?:the\s+)?(?:radio|station)\s+"
                         r"playing(?:\s+now)?\s*\??\s*$", re.IGNORECASE)
_WHY = re.compile(r"^\s*why\b.*\b(?:this|that|it)\b|^\s*why\s+(?:this|that)(?: one| piece| song| track)?\s*\??\s*$",
                  re.IGNORECASE)
# a minus sign is kept: 'a -10 minute playlist' is refused, not made as 10 minutes
_MINUTES = re.compile(r"((?<![\w.-])-\s*)?(\d+(?:\.\d+)?)\s*-?\s*(minutes?|mins?|hours?|h)\b", re.IGNORECASE)


def _intent(text: str) -> str:
    from tools.language import understand

    return understand(text or "", use_examples=False).intent  # by cue only: cheap, and a guess starts nothing


def is_playlist_request(text: str) -> bool:
    """'make me a 30-minute playlist for a dinner party' (typos and all: the chat's one parser reads it)."""
    from tools.language.intents import PLAYLIST

    return _intent(text) == PLAYLIST


def is_radio_request(text: str) -> bool:
    """'play my radio', 'radio for running', 'start a jazz station', or a playlist request."""
    from tools.language.intents import PLAYLIST, RADIO

    return _intent(text) in (RADIO, PLAYLIST)


_COUNT = re.compile(r"\b(\d+|" + "|".join(NUMBER_WORDS) + r")\s+(?:\w+\s+)?(?:songs?|tracks?|pieces?|tunes?)\b",
                    re.IGNORECASE)
# 'a playlist like it', 'a station like g2', 'a radio like the second one': the chat's own piece is the seed
_LIKE_A_PIECE = re.compile(r"\blike (?:it|this|that|this one|that one|the last one|(g\d+)|the (" + "|".join(ORDINALS)
                           + r") one)\b", re.IGNORECASE)


def playlist_tracks(text: str) -> int | None:
    """'a playlist of 3 songs' -> 3 ('five more tracks', 'a few songs' too); None when no count is named."""
    m = _COUNT.search(text or "")
    if not m:
        return None
    word = m.group(1).lower()
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def chat_piece_audio(text: str, session) -> str | None:
    """The audio of the chat's piece a station or playlist request starts from ('a playlist like it' after g3:
    g3's file; 'a station like g2'); None when it names none or nothing is made yet ('like this' then is words).
    A named piece the chat does not have raises the session's clear TastemakerError."""
    if not is_radio_request(text) or not (m := _LIKE_A_PIECE.search(text)):
        return None
    named, nth = m.group(1), m.group(2)
    if named is None and session.last_piece is None:
        return None
    if nth:  # the chat's pieces in the order they were made
        made, n = list(session.pieces), ORDINALS[nth.lower()]
        if n > len(made):
            raise TastemakerError(f"There is no {nth.lower()} piece yet: this chat has {len(made)} "
                                  f"({', '.join(made)}). Say 'a station like g1', or describe it in words.")
        named = made[n - 1]
    piece = session.piece(named.lower() if named else None)
    if not Path(piece.generation.audio_path).is_file():  # named by its id: no server path reaches the browser
        raise TastemakerError(f"{piece.id}'s file is no longer here, so I can't start from it. Say 'another one' to "
                              "make a new piece, or describe the playlist in words.")
    return piece.generation.audio_path


# A playlist asked for with no length or count: ten pieces (about ten minutes, made in a minute or two), and the
# reply says how to ask for more or fewer (it was thirty, unasked)
DEFAULT_PLAYLIST_TRACKS = 10


def playlist_minutes(text: str, default: float = 30.0) -> float:
    m = _MINUTES.search(text or "")
    if not m:
        return default
    value = -float(m.group(2)) if m.group(1) else float(m.group(2))
    return value * 60 if m.group(3).lower().startswith("h") else value


@dataclass
class RadioCommand:
    """What a message asks of the radio."""

    kind: str  # start | playlist | resume_playlist | stop | pause | steer | settings
    words: str = ""
    steer: Steer | None = None
    settings: dict[str, float] = field(default_factory=dict)


def _fraction(number: str, percent: str) -> float:
    """'50%' is 0.5; a bare number is on the 0-to-1 scale ('adventurous 5' was read as 5% and kept; now it is
    refused as 'library 150%' is)."""
    value = float(number)
    return value / 100 if percent else value


def parse_settings(text: str, options: StationOptions) -> dict[str, float]:
    """'more adventurous', 'adventurous 0.6', 'more library', 'library 50%', 'only new pieces'."""
    low = text.lower()
    changes: dict[str, float] = {}
    if m := _ADVENTURE.search(low):
        if m.group(1):
            changes["adventurous"] = _fraction(m.group(1), m.group(2))
        elif re.search(r"more adventurous|surprise me more|more variety", low):
            changes["adventurous"] = min(1.0, round(options.adventurous + 0.2, 2))
        else:
            changes["adventurous"] = max(0.0, round(options.adventurous - 0.2, 2))
    if m := _LIBRARY.search(low):
        if m.group(1):
            changes["library_share"] = _fraction(m.group(1), m.group(2))
        elif "only my library" in low:
            changes["library_share"] = 1.0
        elif "only new pieces" in low:
            changes["library_share"] = 0.0
        elif re.search(r"more (?:library|of my)|(?:less|fewer) (?:new pieces|generated)", low):
            changes["library_share"] = min(1.0, round(options.library_share + 0.25, 2))
        else:
            changes["library_share"] = max(0.0, round(options.library_share - 0.25, 2))
    return changes


def parse_steer(text: str) -> Steer | None:
    """Steering words for the piece playing, or None if the words steer nothing."""
    from tools.generate.request import MusicChange
    from tools.language import understand
    from tools.language.intents import FEEDBACK, REFINE

    if _SKIP.match(text):
        return Steer("skip")
    if _MORE_LIKE.search(text):
        return Steer("more_like_this")
    if _LIKE_WORD.match(text):
        return Steer("like")
    if _DISLIKE_WORD.match(text):
        return Steer("dislike")
    reading = understand(text)
    if reading.intent == FEEDBACK:
        return Steer("like" if reading.slots.liked is not False else "dislike")
    if reading.intent != REFINE:  # "make me a rock track" while the radio plays is a request of its own
        return None
    change = MusicChange.from_slots(reading.slots, text)
    if change.seconds or change.seconds_factor:
        return None  # a length is for a piece, not for a station
    deltas = dict(change.more) | {label: -1.0 for label in change.remove}
    kinds = {"genre": {}, "instrument": {}, "mood": {}}
    for label, delta in deltas.items():
        kinds.get(_kind(label), kinds["genre"])[label] = delta
    if not (deltas or change.energy_delta or change.tempo_factor):
        return None
    return Steer("adjust", genres=kinds["genre"], instruments=kinds["instrument"], moods=kinds["mood"],
                 energy=change.energy_change(), tempo_factor=change.tempo_factor or 1.0,
                 paced=bool(change.energy_delta))  # 'less drums' alone keeps the tempo; 'calmer' slows it too


def _pieces(n: int) -> str:
    return f"{n} piece" if n == 1 else f"{n} pieces"


def _kind(label: str) -> str:
    from tools.genres import ALL_LABELS

    return ALL_LABELS.get(label, "instrument")


def _as_meant(text: str) -> str:
    """The message with its typos fixed as the rest of the chat fixes them ('skp', 'stpo', 'pasue' while a station
    plays were not station words)."""
    from tools.language.spelling import correct

    return correct(text)


def parse_radio(text: str, playing: bool, options: StationOptions | None = None,
                stopped_here: bool = False) -> RadioCommand | None:
    """The radio command in a message (None: not for the radio). `stopped_here`: this chat played a station that
    is off now ('resume' and 'turn it back on' mean that one)."""
    text = (text or "").strip()
    if not text:
        return None
    said, text = text, _as_meant(text)
    if _PAUSE.match(text) and playing:
        return RadioCommand("pause")  # what a station can do about it depends on where it plays: RadioChat.pause
    if _STOP.match(text) and (playing or re.search(r"\b(?:radio|station)\b", text, re.IGNORECASE)):
        return RadioCommand("stop")  # with nothing playing: "No station is playing.", not a pitch for the radio
    if (m := _RESUME_PLAYLIST.match(said)) and (m.group(1) or m.group(2) is None
                                                or re.fullmatch(r"[0-9a-f]{4,16}", m.group(2), re.IGNORECASE)):
        return RadioCommand("resume_playlist", words=(m.group(2) or "").lower())
    if (m := _RESUME.search(said)) and re.search(r"\bplaylist\b", said, re.IGNORECASE):
        return RadioCommand("resume_playlist", words=m.group(1).lower())
    if (m := _RESUME.search(said)) and re.search(r"\b(?:station|radio)\b", said, re.IGNORECASE):
        return RadioCommand("resume_station", words=m.group(1).lower())
    if _KEEP_ON.match(text) and (playing or stopped_here or re.search(r"\b(?:radio|station|music|non-?stop|coming)\b",
                                                                     text, re.IGNORECASE)):
        return RadioCommand("keep", words=said)
    if is_playlist_request(said):
        return RadioCommand("playlist", words=said)
    if is_radio_request(said):
        return RadioCommand("start", words=said)
    if not playing:
        return None
    settings = parse_settings(text, options or StationOptions())
    if settings:
        return RadioCommand("settings", settings=settings)
    steer = parse_steer(text)
    return RadioCommand("steer", steer=steer) if steer is not None else None


# Stations playing in this process, by id: the browser player fetches their pieces by (station, piece) id,
# and only the browser that started one (its identity cookie's key) may.
_STATIONS: dict[str, Station] = {}
_LISTENERS: dict[str, str] = {}
_LOCK = threading.Lock()


def station_by_id(station_id: str) -> Station | None:
    with _LOCK:
        return _STATIONS.get(station_id)


def piece_file(station_id: str, piece_id: str, client: str | None = None) -> Path | None:
    """The audio file of a piece a live station has played or queued, for the browser (`client`) whose chat
    started it (None for anything else)."""
    station = station_by_id(station_id)
    with _LOCK:
        listener = _LISTENERS.get(station_id)
    if station is None or (listener is not None and listener != client):
        return None
    with station._cond:
        for p in [*station.played[-50:], *station.upcoming, *station.queue]:
            if p.id == piece_id and Path(p.path).is_file():
                return Path(p.path)
    return None


@dataclass
class RadioReply:
    text: str
    piece: RadioPiece | None = None  # the piece that starts now (a new station, or after a skip)
    started: bool = False
    stopped: bool = False
    playlist: Playlist | None = None


def describe_piece(piece: RadioPiece) -> str:
    heard = ", ".join(f"{g} {p:.2f}" for g, p in piece.top_genres(3).items())
    where = "from your library" if piece.source == "library" else "new"
    return f"{piece.title} ({where}, {piece.seconds:.0f} s; heard as {heard}; {piece.reason})"


def station_facts(piece: RadioPiece) -> dict:
    """What the station knows of a piece, in the shape the chat answers questions about a piece from."""
    top = lambda table: sorted(table.items(), key=lambda kv: -kv[1])[:5]  # noqa: E731
    return {"name": piece.title, "piece": False, "seconds": piece.seconds, "tempo": piece.tempo, "key": piece.key,
            "genres": top(piece.genres), "moods": top(piece.moods), "instruments": top(piece.instruments),
            "made_as": [piece.asked] if piece.asked else []}


def describe_adjustment(steer: Steer) -> str:
    """'Calmer, fewer drums, more jazz' from an adjustment's deltas."""
    parts = []
    if steer.energy and "drums" not in steer.instruments:  # fewer drums lower the energy too; say it once
        parts.append("calmer" if steer.energy < 0 else "livelier")
    if steer.tempo_factor != 1.0:
        parts.append("slower" if steer.tempo_factor < 1 else "faster")
    for table in (steer.genres, steer.instruments, steer.moods):
        for label, delta in table.items():
            if label in ("calm", "energetic"):
                continue
            parts.append(f"{'more' if delta > 0 else 'no' if delta <= -1 else 'less'} {label}")
    text = ", ".join(dict.fromkeys(parts)) or "noted"
    return text[0].upper() + text[1:] + ", from the next piece on"


def default_options() -> StationOptions:
    """A chat station's options: pieces as long as TASTEMAKER_RADIO_PIECE_SECONDS (30 s by default)."""
    from tools.settings import get_settings

    seconds = get_settings().radio_piece_seconds
    if not 4.0 <= seconds <= 300.0:
        raise TastemakerError(f"TASTEMAKER_RADIO_PIECE_SECONDS={seconds:g} is out of range; set 4 to 300.")
    return StationOptions(piece_seconds=seconds, crossfade_seconds=min(3.0, round(seconds / 4, 2)))


class RadioChat:
    """One conversation's radio: at most one station at a time."""

    def __init__(self, user: str = "local", options: StationOptions | None = None, browser: bool = False,
                 client: str | None = None):
        self.user = user
        self.client = client  # the browser (its identity cookie's key) whose player alone may fetch the audio
        self.browser = browser  # replies say what to type in the chat, not which command to run
        self.options = options or default_options()
        self.station: Station | None = None
        self.now_playing: str | None = None  # the piece a player says it is playing (it may have fetched ahead)
        self.player_commands: list[dict] = []  # for a browser player: pieces to switch to, or a stop
        self.playlist_pieces: list[RadioPiece] = []  # a playlist being played back: its tracks, in order
        self._played_before = 0  # pieces a resumed station had played before this chat started it
        self._last_piece: RadioPiece | None = None  # the piece a stopped station played last, until the chat makes one
        self._stopped: Station | None = None  # the station this chat stopped last: 'resume the radio' plays it on
        self._chat_made = False  # the chat made a piece of its own: 'what is playing?' without a station is about it

    @property
    def current_piece(self) -> RadioPiece | None:
        """'this one': the piece the station plays now, else the one it played last (until the chat makes a piece)."""
        if self.station is None:
            return self._last_piece
        with self.station._cond:
            played = list(self.station.played[-50:])
        return next((p for p in reversed(played) if p.id == self.now_playing), played[-1] if played else None)

    def chat_made_a_piece(self) -> None:
        """The chat made a piece of its own: 'this one' is that piece now, not the stopped station's last."""
        self._last_piece = None
        self._chat_made = True

    @property
    def playing(self) -> bool:
        return self.station is not None

    def wants(self, text: str, with_song: bool = False) -> bool:
        """Whether this message is for the radio (a request, or steering while a station plays). With a song
        attached only a radio request is ("a station like this"); "what is this?" stays with the chat."""
        if with_song and not is_radio_request(text):
            return False
        return self._route(text) is not None

    def _command(self, text: str) -> RadioCommand | None:
        return parse_radio(text, self.playing, self.station.options if self.station else self.options,
                           stopped_here=self._stopped is not None)

    def _route(self, text: str):
        """What answers this message (None: it is not for the radio)."""
        if _WHAT_PLAYS.match(text or "") and (self.station is not None or self._last_piece is not None
                                              or (self._stopped is None and not self._chat_made)):
            return self.what_plays  # the station off: it is off, not 'On the station: ...'; a piece the chat made: its
        if _WHY.match(text or "") and self.current_piece is not None and not is_radio_request(text):
            return self.why
        if (about := self._about_piece(text)) is not None:
            return (lambda: self.ask(about[1])) if about[0] == "ask" else self.save
        if (command := self._command(text)) is not None:
            return command
        if not self.playing and self._stopped is not None and self._last_piece is not None:  # (a piece the chat made
            steer = parse_steer(_as_meant(text))  # since is what 'I like this' and 'next' are about: the agent's)
            if steer is not None and steer.action in ("skip", "like", "dislike", "more_like_this"):
                return lambda: self.after_stop(steer)
        return None

    def _about_piece(self, text: str) -> tuple[str, object] | None:
        """('ask', reading) for a question about the station's piece ('what key is it in?'), ('save', reading) for
        'save this one'; None when the message is not about it (or no station piece is 'this one')."""
        from tools.language import intents as I
        from tools.language import understand

        if self.current_piece is None or is_radio_request(text):
            return None
        reading = understand(text)
        about_it = r"\b(?:it|this|that)(?: one| piece| song| track| tune)?\b|\bplaying\b"
        if (reading.intent == I.DESCRIBE and not re.search(r"\bg\d+\b|\b(?:my|these)\b", reading.corrected)
                and (I.piece_question(reading.corrected) or re.search(about_it, reading.corrected))):
            return "ask", reading
        if reading.intent == I.ADD and re.search(r"\b(?:it|this|that)(?: one)?\b", reading.corrected):
            return "save", reading
        return None

    def handle(self, text: str, output_dir: str | None = None, song: str | None = None,
               progress: Progress | None = None, session=None) -> RadioReply | None:
        """Answer a radio message; `song` (an attached file) seeds a new station; `progress` hears how a
        playlist's making goes; the chat's `session` is whose library 'save this one' adds the piece to."""
        if song is None:
            route = self._route(text)
            if route is None or route == self.save:
                return self.save(session) if route is not None else None
            if not isinstance(route, RadioCommand):
                return route()
            command = route
        else:
            command = self._command(text)
        if command is None:
            return None
        if command.kind == "playlist":
            return self.playlist(command.words, output_dir, progress, song)
        if command.kind == "resume_playlist":
            return self.start(resume_playlist=self._playlist_id(command.words))
        if command.kind == "resume_station":
            return self.start(resume_station=command.words)
        if command.kind == "keep":
            return self.keep(command.words)
        if command.kind == "start":
            return self.start(command.words, song=song)
        if command.kind == "stop":
            return self.stop()
        if command.kind == "pause":
            return self.pause()
        if command.kind == "settings":
            return self.settings(**command.settings)
        assert command.steer is not None
        return self.steer(command.steer)

    # -------------------------------------------------------------------------------- actions
    def start(self, words: str = "", song: str | None = None, resume_playlist: str | None = None,
              resume_station: str | None = None) -> RadioReply:
        """Start a station and wait for its first piece; a station that was playing stops once the new one is
        there (a request that fails leaves it playing: a failed 'resume playlist' had stopped it unsaid), and the
        reply says so."""
        if resume_playlist:
            from tools.radio.playlist import resume_playlist as resume

            station = resume(resume_playlist, user=self.user)
        elif resume_station and self.station is not None and self.station.id == resume_station:
            return self.keep("")  # the one playing: it plays on
        elif resume_station:
            station = self._resume_station(resume_station)
        else:
            station = Station.start(StationRequest(words=words, user=self.user, song=song, options=self.options))
        replaced = ""
        if self.station is not None:
            name = "playlist" if self.playlist_pieces else self._name(self.station)
            played = len(self.station.played[self._played_before:])
            self.stop()
            replaced = f"(Your {name} stopped after {_pieces(played)}.) "
        reply = self._started(station, resume_playlist is not None, resumed=resume_station is not None)
        return replace(reply, text=replaced + reply.text)

    def _started(self, station: Station, playlist: bool, resumed: bool = False) -> RadioReply:
        with _LOCK:
            _STATIONS[station.id] = station
            if self.client:
                _LISTENERS[station.id] = self.client
        self.station = station
        self.player_commands.clear()
        self.playlist_pieces = list(station.upcoming)
        self._played_before = len(station.played)
        piece = station.next()
        self.now_playing = piece.id
        if playlist:
            return RadioReply(
                f"Playing your playlist, {_pieces(len(self.playlist_pieces))} in order; after the last one the "
                f"station plays on in its spirit. Now playing: {describe_piece(piece)}.", piece=piece, started=True)
        from tools.taste import explain

        p = station.taste.profile
        seeded = explain(p) if (p.genres or p.moods or p.energy is not None) else \
            "it starts from scratch (no taste saved yet) and learns from what you skip and like"
        if resumed:
            before = _pieces(len(station.played) - 1)
            return RadioReply(f"Your {self._name(station)} plays on where it left off ({before} "
                              f"played before), leaning: {seeded}. Now playing: {describe_piece(piece)}.", piece=piece,
                              started=True)
        return RadioReply(
            f"Your station is on: {seeded}. Skip, like or dislike as it plays, or say \"more like this\", "
            f"\"calmer\", \"less drums\", \"more adventurous\", \"more library\"; likes and skips go into your taste. "
            f"Now playing: {describe_piece(piece)}.", piece=piece, started=True)

    def pause(self) -> RadioReply:
        """'pause' while a station plays: nothing here can hold a piece mid-play, so say what happens instead."""
        if self.browser:  # the player can stop, not pause: said, and stopped
            stopped = self.stop()
            return RadioReply("The player can't pause a station, so I stopped it. " + stopped.text, stopped=True)
        piece = self.current_piece
        where = f" (the piece on now is the file {piece.path})" if piece is not None else ""
        return RadioReply("Nothing plays in this terminal: each piece is a file you play yourself" + where + ", so "
                          "there is nothing to pause, and the station stays on where it is. Say 'next' for the next "
                          "piece when you want it, or 'stop the radio' to end the station.")

    @staticmethod
    def _name(station: Station) -> str:
        """'jazz station' (the genres the person named for it), else 'station'."""
        named = " and ".join(station.taste.named[:2])
        return f"{named} station" if named else "station"

    def _resume_station(self, station_id: str) -> Station:
        """A saved station of this person's, where it left off (someone else's reads as missing, as playlists do)."""
        import json

        from tools.radio.station import check_id, stations_dir

        missing = TastemakerError(f"You have no station '{station_id}'. Say 'start the radio' for a new one.")
        try:
            data = json.loads((stations_dir() / check_id(station_id) / "station.json").read_text())
        except (OSError, ValueError, TastemakerError):
            raise missing from None
        if data.get("user") != self.user:
            raise missing
        return Station.resume(station_id, user=self.user)

    def _last_station_id(self) -> str | None:
        """This person's most recently saved station that played something."""
        import json

        from tools.radio.station import stations_dir

        best: tuple[float, str] | None = None
        folder = stations_dir()
        for path in folder.glob("*/station.json") if folder.is_dir() else []:
            try:
                data = json.loads(path.read_text())
            except (OSError, ValueError):
                continue
            newer = best is None or data.get("saved", 0) > best[0]
            if data.get("user") == self.user and data.get("played") and newer:
                best = (float(data.get("saved", 0)), str(data.get("id")))
        return best[1] if best else None

    def keep(self, words: str) -> RadioReply:
        """'keep the music coming', 'non-stop lofi', 'turn the radio back on', 'resume the radio': the station playing
        plays on (or the last one resumes, as `tastemaker radio --resume` does); a style it does not play ('non-stop
        lofi' on a jazz station) is a new station, and the reply says the old one stopped."""
        from tools.radio.seeding import named_genres

        asked = named_genres(words)
        if self.station is not None:
            if asked and not set(asked) <= set(self.station.taste.named):
                return self.start(words)
            piece = self.current_piece
            terminal = "" if self.browser else " In this terminal each piece is a file you play yourself: say 'next' " \
                "for the one after it."
            return RadioReply(f"Your {self._name(self.station)} is still on and plays on"
                              + (f": now playing {describe_piece(piece)}." if piece is not None else ".") + terminal)
        again = re.search(r"\b(?:resume|continue|unpause|restart|play on|back on|again)\b", words, re.IGNORECASE)
        # 'keep the music coming' in a chat that played no station is a new one; 'resume the radio' is the last one
        last = None if asked else self._stopped.id if self._stopped is not None else \
            self._last_station_id() if again else None
        if last is None:  # nothing to resume: a new station, of the style named if any ('turn back' is no theme)
            return self.start(words if asked else "")
        return self.start(resume_station=last)

    def _playlist_id(self, words: str) -> str:
        """The playlist 'resume playlist [X]' means: X itself, the one playlist of this person's X begins, or their
        last one (no X, 'last', 'my'); else one clear line naming theirs."""
        from tools.radio.playlist import list_playlists

        mine = [e for e in list_playlists(owner=self.user) if e.get("id")]  # oldest first
        wanted = (words or "").strip().lower()
        if not wanted and mine:
            return mine[-1]["id"]
        found = [e for e in mine if wanted and str(e["id"]).startswith(wanted)]
        if len(found) == 1:
            return found[0]["id"]
        listed = "; ".join(f"{e['id']} ({e.get('words') or 'no words'}, {_pieces(int(e.get('tracks') or 0))})"
                           for e in mine[-5:])
        theirs = f" Yours: {listed}." if mine else " You have made none yet: say 'make me a 20-minute playlist'."
        asked = f" '{words}'" if wanted else ""
        raise TastemakerError(f"You have no playlist{asked}.{theirs}")

    def what_plays(self) -> RadioReply:
        """'what is playing?': the station's piece, or that the radio is off (and what it played last)."""
        if self.station is not None:
            piece = self.current_piece
            return RadioReply(f"On the station: {describe_piece(piece)}." if piece is not None else
                              "The station is on; its first piece is on its way.")
        last = self._stopped.played[-1] if self._stopped is not None and self._stopped.played else None
        if last is not None:
            again = "'resume the radio' to play on" + ("" if self.browser else f" (station {self._stopped.id})")
            return RadioReply(f"The radio is off (it played {last.title} last). Say {again}, or 'start a jazz "
                              "station' for a new one.")
        return RadioReply("Nothing is playing. Say 'start the radio' (or 'start a jazz station', 'radio for running') "
                          "for a station; each piece I make plays in the player under its reply.")

    def why(self) -> RadioReply:
        """'why this one?' of the station's piece: the reason the station picked it."""
        piece = self.current_piece
        where = "from your library" if piece.source == "library" else "made for the station"
        off = "" if self.station is not None else " (the station is off now; it was its last piece)"
        return RadioReply(f"The station picked {piece.title} ({where}) for {piece.reason}{off}.")

    def after_stop(self, steer: Steer) -> RadioReply:
        """'skip' or 'I like this' once the station is off: a like or dislike still goes to its last piece."""
        station, piece = self._stopped, self._last_piece
        again = " Say 'resume the radio' to play on, or 'start the radio' for a new station."
        if steer.action == "skip" or station is None or piece is None:
            return RadioReply("The station is off, so there is nothing to skip." + again)
        station.steer(steer, piece_id=piece.id)
        said = "Noted, you like" if steer.action in ("like", "more_like_this") else "Noted, not the sound of"
        return RadioReply(f"{said} {piece.title}, the station's last piece (saved to your taste). The station is "
                          "off." + again)

    def ask(self, reading) -> RadioReply:
        """A question about the station's piece ('what key is it in?', 'does it have drums?'), from what the station
        knows of it: its tempo, key, length and what the tagger hears."""
        from agent import answers
        from tools.language import intents as I

        piece = self.current_piece
        asked = I.piece_question(reading.corrected)
        line = answers.answer_about(asked, reading, station_facts(piece)) if asked else None
        return RadioReply(line or f"On the station: {describe_piece(piece)}.")

    def save(self, session=None) -> RadioReply:
        """'save this one' of the station's piece: a library track is there already; a new piece is added."""
        from agent import answers

        piece = self.current_piece
        if piece.source == "library":
            return RadioReply(f"{piece.title} is from your library already.")
        if session is None:
            raise TastemakerError("I can only save a station's piece from the chat. Its file is " + piece.path)
        from agent.actions import add_station_piece

        return RadioReply(answers.added(add_station_piece(session, piece)))

    def stop(self) -> RadioReply:
        if self.station is not None:
            self._last_piece = self.current_piece
        station, self.station = self.station, None
        if station is None:
            return RadioReply("No station is playing.", stopped=True)
        self._stopped = station
        self.player_commands.append({"stop": True})
        station.stop()
        with _LOCK:
            _STATIONS.pop(station.id, None)
            _LISTENERS.pop(station.id, None)
        played = station.played[self._played_before:]  # this time only, not what a resumed station had played
        liked = sum(1 for p in played if p.liked)
        skipped = sum(1 for p in played if p.skipped)
        again = "Say 'play my radio' to start a new one; your likes and skips are in your taste." if self.browser \
            else f"Its id is {station.id} (`tastemaker radio --resume {station.id}` plays on)."
        return RadioReply(f"Station stopped after {_pieces(len(played))} ({liked} liked, {skipped} skipped). {again}",
                          stopped=True)

    def _station(self) -> Station:
        if self.station is None:
            raise TastemakerError("No station is playing. Say 'play my radio' or 'start a jazz station' first.")
        return self.station

    def next_piece(self, skip: bool = False) -> RadioPiece:
        """The piece after the current one (a skip moves the taste first and waits briefly for a piece that
        fits it; the skipped piece plays on meanwhile)."""
        station = self._station()
        if skip:
            station.steer(Steer("skip"), piece_id=self._playing_id(station))
        piece = station.next(wait_for_fit=8.0 if skip else 0.0)
        self.now_playing = piece.id
        return piece

    def previous_piece(self) -> RadioPiece:
        """The piece before the one playing, again (a playlist's previous track)."""
        station = self._station()
        piece = station.previous(self._playing_id(station))
        self.now_playing = piece.id
        return piece

    def jump_to(self, piece_id: str) -> RadioPiece:
        """One of the playlist's own tracks, now (the player's track list)."""
        station = self._station()
        if not any(p.id == piece_id for p in self.playlist_pieces):
            raise TastemakerError("That track is not on this playlist.")
        piece = station.jump(piece_id)
        self.now_playing = piece.id
        return piece

    def _playing_id(self, station: Station) -> str | None:
        """The piece to steer: the one the player says it plays, if the station knows it."""
        known = self.now_playing and any(p.id == self.now_playing for p in station.played[-50:])
        return self.now_playing if known else None

    def steer(self, steer: Steer) -> RadioReply:
        from tools.taste import explain

        station = self._station()
        if steer.action == "skip":
            piece = self.next_piece(skip=True)
            self.player_commands.append({"piece": piece})
            return RadioReply(f"Skipped. Now playing: {describe_piece(piece)}.", piece=piece)
        station.steer(steer, piece_id=self._playing_id(station))
        said = {"like": "Noted, you like it", "dislike": "Noted, not this sound",
                "more_like_this": "More like this coming up", "adjust": describe_adjustment(steer)}[steer.action]
        saved = " (saved to your taste)" if steer.action in ("like", "dislike", "more_like_this") else ""
        return RadioReply(f"{said}{saved}. The station now leans: {explain(station.taste.profile)}.")

    def settings(self, **changes: float) -> RadioReply:
        station = self._station()
        options = station.set_options(**changes)
        self.options = options
        return RadioReply(f"Station settings: adventurous {options.adventurous:.2f}, library share "
                          f"{options.library_share:.0%}. The next pieces follow them.")

    def playlist(self, words: str, output_dir: str | None = None, progress: Progress | None = None,
                 song: str | None = None) -> RadioReply:
        """Make a playlist (from `song` instead of the saved taste, when given); in the browser it starts
        playing at once (its player has the track list)."""
        from tools.radio.playlist import PlaylistRequest, build_playlist
        from tools.settings import get_settings

        based = ""
        if song is None and (like := _LIKE_A_PIECE.search(words or "")) and not like.group(1) and not like.group(2):
            # 'a playlist of 3 songs like it' with nothing made in this chat: say what 'it' became (it was unsaid)
            from tools.taste import explain, load_profile

            taste = load_profile(self.user) if self.user else None
            based = (" Nothing is made in this chat yet, so 'it' is your saved taste (" + explain(taste) + ")" if taste
                     and (taste.genres or taste.moods) else " Nothing is made in this chat yet and no taste is saved, "
                     "so it starts from scratch") + "; make a piece first, or attach a song, for a playlist like it."
            words = " ".join(_LIKE_A_PIECE.sub(" ", words).split())
        minutes = playlist_minutes(words)
        count = playlist_tracks(words)
        unsized = count is None and not _MINUTES.search(words or "")
        if unsized:
            count = DEFAULT_PLAYLIST_TRACKS
        folder = output_dir or str(get_settings().home / "playlists" / "exports")
        playlist = build_playlist(PlaylistRequest(words=words, minutes=minutes, out=folder, user=self.user,
                                                  tracks=count, song=song, own_folder=True), progress)
        generated = sum(1 for t in playlist.tracks if t.source == "generated")
        made = (f"Your {playlist.minutes:.0f}-minute playlist: {_pieces(len(playlist.tracks))} ({generated} new, "
                f"{len(playlist.tracks) - generated} from your library), ordered so neighbours flow.{based}")
        if unsized:
            made += (f" You named no length, so I made {count}; ask for 'a playlist of 20 songs' or 'a 45-minute "
                     "playlist' for more, or 'a playlist of 5 songs' for fewer.")
        if not self.browser:
            return RadioReply(f"{made} Saved as M3U: {playlist.m3u} (playlist id {playlist.id}; say 'resume "
                              f"playlist {playlist.id}' or run `tastemaker radio --playlist {playlist.id}` to play "
                              "on from it).", playlist=playlist)
        started = self.start(resume_playlist=playlist.id)
        return RadioReply(f"{made} It plays below in order (previous and next move through it, or "
                          f"click a title); the arrow beside a title downloads it, and the attached M3U plays them in "
                          f"order from one folder. To hear it again later, say 'resume playlist {playlist.id}'. Now playing: "
                          f"{describe_piece(started.piece)}.", piece=started.piece, started=True, playlist=playlist)
