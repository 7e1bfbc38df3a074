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
from dataclasses import dataclass, field
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
_ADVENTURE = re.compile(r"\b(?:more|less) adventurous\b|\badventurous(?:ness)?\s*(?:to\s*)?(\d+(?:\.\d+)?)\s*(%?)|"
                        r"\b(?:surprise me more|play it safe|more variety|less variety)\b", re.IGNORECASE)
_LIBRARY = re.compile(r"\b(?:more|less|fewer) (?:library|of my (?:own )?(?:music|songs|tracks)|new pieces|generated)\b|"
                      r"\blibrary\s*(?:share\s*)?(?:to\s*)?(\d+(?:\.\d+)?)\s*(%?)|\bonly (?:my library|new pieces)\b",
                      re.IGNORECASE)
_RESUME = re.compile(r"\b(?:resume|play on|continue|restart)\b.*?\b([0-9a-f]{16})\b", re.IGNORECASE)
_MINUTES = re.compile(r"(\d+(?:\.\d+)?)\s*-?\s*(minutes?|mins?|hours?|h)\b", re.IGNORECASE)


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
    value = float(m.group(1))
    return value * 60 if m.group(2).lower().startswith("h") else value


@dataclass
class RadioCommand:
    """What a message asks of the radio."""

    kind: str  # start | playlist | resume_playlist | stop | pause | steer | settings
    words: str = ""
    steer: Steer | None = None
    settings: dict[str, float] = field(default_factory=dict)


def _fraction(number: str, percent: str) -> float:
    value = float(number)
    return value / 100 if percent or value > 1 else value


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
                 energy=change.energy_change(), tempo_factor=change.tempo_factor or 1.0)


def _pieces(n: int) -> str:
    return f"{n} piece" if n == 1 else f"{n} pieces"


def _kind(label: str) -> str:
    from tools.genres import ALL_LABELS

    return ALL_LABELS.get(label, "instrument")


def parse_radio(text: str, playing: bool, options: StationOptions | None = None) -> RadioCommand | None:
    """The radio command in a message (None: not for the radio)."""
    text = (text or "").strip()
    if not text:
        return None
    if _PAUSE.match(text) and playing:
        return RadioCommand("pause")  # what a station can do about it depends on where it plays: RadioChat.pause
    if _STOP.match(text) and (playing or re.search(r"\b(?:radio|station)\b", text, re.IGNORECASE)):
        return RadioCommand("stop")  # with nothing playing: "No station is playing.", not a pitch for the radio
    if (m := _RESUME.search(text)) and re.search(r"\bplaylist\b", text, re.IGNORECASE):
        return RadioCommand("resume_playlist", words=m.group(1).lower())
    if is_playlist_request(text):
        return RadioCommand("playlist", words=text)
    if is_radio_request(text):
        return RadioCommand("start", words=text)
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

    @property
    def playing(self) -> bool:
        return self.station is not None

    def wants(self, text: str, with_song: bool = False) -> bool:
        """Whether this message is for the radio (a request, or steering while a station plays). With a song
        attached only a radio request is ("a station like this"); "what is this?" stays with the chat."""
        if with_song and not is_radio_request(text):
            return False
        if self._about_piece(text) is not None:
            return True
        return parse_radio(text, self.playing, self.station.options if self.station else self.options) is not None

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
        if song is None and (about := self._about_piece(text)) is not None:
            return self.ask(about[1]) if about[0] == "ask" else self.save(session)
        command = parse_radio(text, self.playing, self.station.options if self.station else self.options)
        if command is None:
            return None
        if command.kind == "playlist":
            return self.playlist(command.words, output_dir, progress, song)
        if command.kind == "resume_playlist":
            return self.start(resume_playlist=command.words)
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
    def start(self, words: str = "", song: str | None = None, resume_playlist: str | None = None) -> RadioReply:
        """Start a station (stopping any playing one) and wait for its first piece."""
        self.stop()
        if resume_playlist:
            from tools.radio.playlist import resume_playlist as resume

            station = resume(resume_playlist, user=self.user)
        else:
            station = Station.start(StationRequest(words=words, user=self.user, song=song, options=self.options))
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
        if resume_playlist:
            return RadioReply(
                f"Playing your playlist, {_pieces(len(self.playlist_pieces))} in order; after the last one the "
                f"station plays on in its spirit. Now playing: {describe_piece(piece)}.", piece=piece, started=True)
        from tools.taste import explain

        p = station.taste.profile
        seeded = explain(p) if (p.genres or p.moods or p.energy is not None) else \
            "it starts from scratch (no taste saved yet) and learns from what you skip and like"
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
        self._last_piece = self.current_piece
        station, self.station = self.station, None
        if station is None:
            return RadioReply("No station is playing.", stopped=True)
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
                f"{len(playlist.tracks) - generated} from your library), ordered so neighbours flow.")
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
