"""The terminal chat: `tastemaker chat --terminal`.

Reads one message per line, from the keyboard or from a pipe (so a whole
conversation can be scripted: `printf '/attach a.wav\\nwhat is this?\\n' |
tastemaker chat --terminal`). `/attach PATH` attaches an audio file to the next
message, `/quit` ends. Progress goes to stderr (tqdm on a terminal, plain lines
otherwise); replies, charts (as text bars) and result files go to stdout.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
from typing import IO, Iterator

from tqdm import tqdm

from agent import warmup
from agent.graph import ChatAgent, Reply, dropped_uploads
from agent.radio_chat import RadioChat, chat_piece_audio
from agent.session import AudioResult, GenreChart, Reporter, TastePanel, Upload
from tools.errors import AudioError, TastemakerError
from tools.incidents import apology

STOPPED = "Stopped: I cancelled that, nothing was made. Ask again, or press Ctrl-C at the prompt (or /quit) to end."
HELP = "Type a message and press Enter. /attach PATH attaches an audio file, /help shows this, /quit ends."


class TerminalReporter(Reporter):
    """A line per tool call; a tqdm bar for its progress when stderr is a terminal."""

    def __init__(self, stream: IO[str] = sys.stderr):
        self.stream = stream
        # Steps nest (a loop iteration inside create_music), so each open step keeps its own bar.
        self.bars: list[tqdm] = []

    @property
    def bar(self) -> tqdm | None:
        return self.bars[-1] if self.bars else None

    @contextlib.contextmanager
    def step(self, name: str, detail: str = "") -> Iterator[Reporter]:
        indent = "  " * (len(self.bars) + 1)
        print(f"{indent}[{name}] {detail}".rstrip(), file=self.stream, flush=True)
        interactive = hasattr(self.stream, "isatty") and self.stream.isatty()
        bar = tqdm(total=100, desc=f"{indent}{name}", file=self.stream, leave=False, disable=not interactive,
                   bar_format="{desc}: {percentage:3.0f}%|{bar:20}| {postfix}")
        self.bars.append(bar)
        try:
            yield self
        finally:
            self.bars.remove(bar)
            bar.close()

    def progress(self, text: str, fraction: float | None = None) -> None:
        if self.bar is not None and not self.bar.disable:
            if fraction is not None:
                self.bar.update(max(0, int(fraction * 100) - self.bar.n))
            self.bar.set_postfix_str(text[:60])
        elif text not in ("done",):
            print(f"    {text}", file=self.stream, flush=True)


def plain(text: str) -> str:
    """A reply as a terminal shows it: no markdown bold (the browser renders it; here it was literal asterisks)."""
    return text.replace("**", "")


def render_reply(reply: Reply) -> str:
    """The reply as terminal text: the answer, then text bar charts and the audio files made."""
    lines = [plain(reply.text)]
    tracks = 0
    for item in reply.items:
        if isinstance(item, TastePanel):
            lines.append("\n  Your taste" + (f", from {len(item.songs)} song(s)" if item.songs else "") +
                         f" (liked {item.ratings.get('liked', 0)}, disliked {item.ratings.get('disliked', 0)})")
            for label, weight in item.genres:
                lines.append(f"    {label:<14} {'█' * max(1, round(weight * 30)):<30} {weight:.2f}")
            for _, name, genres in item.songs:
                lines.append(f"    ♪ {name} ({', '.join(g for g, _ in genres)})")
        elif isinstance(item, GenreChart):
            lines.append(f"\n  {item.title}")
            for label, p in item.genres:
                lines.append(f"    {label:<14} {'█' * max(1, round(p * 30)):<30} {p:.2f}")
        elif isinstance(item, AudioResult) and item.generation_id:
            lines.append(f"\n  ♪ {item.title}: {item.path}\n    {item.caption}")  # the detail: a second line
        elif isinstance(item, AudioResult):  # a library track the reply has listed: its number and file only
            tracks += 1
            lines.append(f"{'' if tracks > 1 else chr(10)}  ♪ {tracks}. {item.path}")
    return "\n".join(lines)


def run_terminal(stdin: IO[str] = sys.stdin, stdout: IO[str] = sys.stdout, agent: ChatAgent | None = None) -> int:
    interactive = stdin.isatty()
    warmup.start()  # models load and the built-in library builds while the person types
    agent = agent or ChatAgent(reporter=TerminalReporter())
    print(f"Tastemaker chat ({agent.brain}). {HELP}", file=stdout, flush=True)
    pending: list[Upload] = []
    radio = RadioChat(user=agent.session.user)
    while True:
        if interactive:
            try:
                line = input("you> ")
            except EOFError:
                break
        else:
            raw = stdin.readline()
            if not raw:
                break
            line = raw.rstrip("\n")
            print(f"you> {line}", file=stdout, flush=True)
        line = line.strip()
        if not line:
            continue
        if line in ("/quit", "/exit", "/q"):
            break
        if line == "/help":
            print(HELP, file=stdout, flush=True)
            continue
        if line.startswith("/attach"):
            print(attach_line(agent, line[len("/attach"):], pending), file=stdout, flush=True)
            continue
        if line.startswith("/"):
            print(f"Unknown command {line.split()[0]}. {HELP}", file=stdout, flush=True)
            continue
        if (radio_said := radio_line(radio, line, pending[0].path if pending else None, agent.session)) is not None:
            pending = []
            print("tastemaker> " + radio_said, file=stdout, flush=True)
            continue
        try:
            reply = agent.send(line, uploads=pending)
        except KeyboardInterrupt:  # Ctrl-C during a turn stops that turn (the piece being made), not the chat
            # what the turn made or said before the stop is not kept: the person was told it was cancelled
            agent.take_back_last_turn()
            dropped = dropped_uploads([u for u in pending if u.id not in agent.session.uploads])
            pending = []
            print(f"\ntastemaker> {STOPPED}{dropped}", file=stdout, flush=True)
            continue
        pending = []
        if any(a.generation_id for a in reply.audio):
            radio.chat_made_a_piece()  # 'this one' is the chat's new piece, not the stopped station's last
        print("tastemaker> " + render_reply(reply), file=stdout, flush=True)
    if radio.playing:
        radio.stop()
    print("Bye!", file=stdout, flush=True)
    from tools.library.default import building

    if building():
        print("(saving the music library's progress: a few seconds)", file=stdout, flush=True)
    warmup.finish()
    return 0


def attach_path(text: str) -> str:
    """The path in `/attach PATH` as a shell would read it: quotes and backslash escapes ('my\\ song.flac')
    undone, ~ expanded. A path the shell could not read as one word (an unquoted space) is taken as typed."""
    text = text.strip()
    try:
        words = shlex.split(text)
    except ValueError:  # an unmatched quote: "Don't stop.wav"
        words = []
    path = words[0] if len(words) == 1 else text
    return os.path.expanduser(path)


def attach_line(agent: ChatAgent, text: str, pending: list[Upload]) -> str:
    """Attach the file `/attach` names to the next message (once, however often it is named); what to say."""
    path = attach_path(text)
    if not path:
        return "Usage: /attach PATH (an audio file: wav, flac, ogg or mp3)"
    same = [u for u in agent.session.uploads.values() if os.path.realpath(u.path) == os.path.realpath(path)]
    if same and any(u.id == same[0].id for u in pending):
        return f"{same[0].name} is already attached as {same[0].id}; it goes with your next message."
    try:
        upload = same[0] if same else agent.attach(path)
    except AudioError as exc:  # the path as the person typed it, not only the file's name
        return f"Can't attach it: {AudioError(text.strip() or path, exc.problem, exc.advice)}"
    except TastemakerError as exc:
        return f"Can't attach it: {exc}"
    except Exception as exc:  # noqa: BLE001 - one line, and the conversation goes on
        return f"Can't attach it: {apology(exc, 'terminal attach', 'the attachment')}"
    pending.append(upload)
    return f"Attached {upload.name} as {upload.id} ({upload.duration:.1f} s); it goes with your next message."


def radio_line(radio: RadioChat, line: str, song: str | None = None, session=None) -> str | None:
    """The radio's answer to a line that is for it ("play my radio", "skip" while it plays), else None.
    With the chat's `session`, "a playlist like it" starts from the chat's last piece.

    The terminal chat has no player: it names the file of the piece that is on; `tastemaker radio` is the
    terminal's own radio, which writes and plays pieces as they come."""
    if not radio.wants(line, with_song=song is not None):
        return None
    try:
        if song is None and session is not None:
            song = chat_piece_audio(line, session)
        if session is None:
            reply = radio.handle(line, song=song)
        else:  # a playlist takes minutes: its progress shows as a chat turn's does (it was silent for 150 s)
            with session.reporter.step("radio", line):
                reply = radio.handle(line, song=song, session=session,
                                     progress=lambda fraction, what: session.reporter.progress(what, fraction))
    except TastemakerError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - one line, and the conversation goes on
        return apology(exc, "terminal radio", "the radio")
    if reply is None:
        return None
    return plain(reply.text) + (f"\n  ♪ {reply.piece.path}" if reply.piece is not None else "")
