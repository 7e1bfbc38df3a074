"""`tastemaker chat --terminal` with a conversation piped into it (a real subprocess, real tagger)."""

from __future__ import annotations

import os
import subprocess
import sys


def run_chat(script: str, tmp_path) -> subprocess.CompletedProcess:
    env = dict(os.environ, TASTEMAKER_HOME=str(tmp_path / "home"), TASTEMAKER_DEFAULT_LIBRARY="0")
    return subprocess.run([sys.executable, "-m", "agent.cli", "chat", "--terminal"], input=script, text=True,
                          capture_output=True, timeout=120, env=env)


def test_piped_conversation_attach_ask_and_quit(write_audio, tmp_path):
    song = write_audio("song.wav")
    bad = tmp_path / "picture.mp3"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    script = (f"hello\n/attach {bad}\n/attach {song}\nwhat is this song?\ncat /etc/passwd\n/quit\n"
              "this line comes after /quit and is never read\n")
    out = run_chat(script, tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Hello! I'm Tastemaker" in out.stdout
    assert "Can't attach it" in out.stdout and "PNG image" in out.stdout  # a clear message for a bad file
    assert "Attached song.wav as u1" in out.stdout
    assert "song.wav (4 s) sounds like" in out.stdout
    assert "song.wav: top genres" in out.stdout and "█" in out.stdout  # the text bar chart
    assert "[describe_uploads]" in out.stderr  # the tool call is shown as progress
    assert "only work with audio you attach" in out.stdout
    assert "never read" not in out.stdout and out.stdout.rstrip().endswith("Bye!")


def test_the_text_models_loading_bar_stays_out_of_the_chat(tmp_path):
    """A message the parser only understands by its nearest example loads the text model: quietly."""
    out = run_chat("what can you do for my mood today, friend?\nplay the first one again\n/quit\n", tmp_path)
    assert out.returncode == 0 and "Loading weights" not in out.stdout + out.stderr


def test_leaving_while_the_library_builds_ends_cleanly_and_the_build_resumes_later(tmp_path):
    """Every chat that made a piece and then asked something the parser reads by meaning ended in 'terminate
    called without an active exception' (exit 134): the library build's thread was inside the tagger as the
    process ended. Now it stops at a safe point first, and is not marked built."""
    env = dict(os.environ, TASTEMAKER_HOME=str(tmp_path / "home"))
    env.pop("TASTEMAKER_DEFAULT_LIBRARY", None)  # the build on, as a person gets it
    out = subprocess.run([sys.executable, "-m", "agent.cli", "chat", "--terminal"], text=True, capture_output=True,
                         input="make me a 4 second soul song\nwhat is the weather\nbye\n", timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "terminate called" not in out.stderr and "Traceback" not in out.stdout + out.stderr
    assert "saving the music library's progress" in out.stdout  # it was still building when the person left
    from tools.library import open_library

    assert open_library(tmp_path / "home").meta("default_library") is None  # not built: the next start resumes


def test_end_of_input_ends_the_chat(tmp_path):
    out = run_chat("/help\n/nonsense\n", tmp_path)
    assert out.returncode == 0
    assert "/attach PATH" in out.stdout and "Unknown command /nonsense" in out.stdout


def test_upload_describe_like_it_and_refine_run_to_the_end(tmp_path):
    """The path that crashed (nested reporter steps in 'make me something like it'), piped end to end."""
    song = os.path.join(os.path.dirname(__file__), "..", "conversations", "audio", "rock_band.flac")
    script = f"/attach {song}\nwhat is this?\nmake me something like it\nfaster please\nI hate it\n/quit\n"
    out = run_chat(script, tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Traceback" not in out.stdout + out.stderr
    assert "[create_music]" in out.stderr and "[iteration 1]" in out.stderr  # the nested steps were shown
    assert "[refine_music]" in out.stderr and '"like_last": false' not in out.stderr  # an empty default: not shown
    assert '[record_feedback] {"liked": false' in out.stderr  # an answer, shown: the dislike read as one
    assert out.stdout.count("♪ g") >= 2  # a piece from "like it" and one from the refinement
    assert out.stdout.rstrip().endswith("Bye!")


def test_an_unexpected_failure_in_a_turn_is_one_line_and_the_chat_goes_on(tmp_path, monkeypatch):
    import io

    from agent import actions
    from agent.graph import ChatAgent
    from agent.terminal import run_terminal

    monkeypatch.setenv("TASTEMAKER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TASTEMAKER_DEFAULT_LIBRARY", "0")  # no 67-piece build left running under the suite

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug deep inside")

    monkeypatch.setattr(actions, "search_library", broken)
    stdout = io.StringIO()
    rc = run_terminal(io.StringIO("search the library for Beethoven\nhello\n"), stdout, ChatAgent())
    text = stdout.getvalue()
    assert rc == 0
    assert "something went wrong on my side" in text and "ZeroDivisionError" in text
    assert "Traceback" not in text and "a bug deep inside" not in text  # details go to the log, not the person
    assert "Hello! I'm Tastemaker" in text  # the next turn is answered
    log = (tmp_path / "home" / "logs" / "errors.log").read_text()
    assert "a bug deep inside" in log and "Traceback" in log


def test_attach_reads_a_path_as_a_shell_does_and_attaches_a_file_once(write_audio, tmp_path):
    """`/attach ~/x.flac` said 'x.flac: no such file' (no ~, and the folder dropped), `my\\ song.flac` failed, and a
    file attached three times was described three times."""
    write_audio("my song.wav")  # in tmp_path, which is $HOME for the chat
    script = ("/attach ~/nope.wav\n/attach ~/my\\ song.wav\n/attach '~/my song.wav'\n"
              f"/attach {tmp_path}/my song.wav\nwhat is this song?\n/quit\n")
    env = dict(os.environ, HOME=str(tmp_path), TASTEMAKER_HOME=str(tmp_path / "home"), TASTEMAKER_DEFAULT_LIBRARY="0")
    out = subprocess.run([sys.executable, "-m", "agent.cli", "chat", "--terminal"], input=script, text=True,
                         capture_output=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert "Can't attach it: '~/nope.wav': no such file." in out.stdout  # the path as typed, quoted
    assert "Attached my song.wav as u1" in out.stdout and "as u2" not in out.stdout
    assert out.stdout.count("my song.wav is already attached as u1") == 2
    assert out.stdout.count("sounds like") == 1


def test_ctrl_c_cancels_the_piece_being_made_and_a_second_one_at_the_prompt_ends_the_chat(tmp_path):
    """Ctrl-C while a piece was made ended the whole chat ('tastemaker: interrupted')."""
    import signal
    import threading
    import time

    env = dict(os.environ, TASTEMAKER_HOME=str(tmp_path / "home"), TASTEMAKER_DEFAULT_LIBRARY="0")
    chat = subprocess.Popen([sys.executable, "-m", "agent.cli", "chat", "--terminal"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    out, err = [], []
    for stream, lines in ((chat.stdout, out), (chat.stderr, err)):
        threading.Thread(target=lambda s=stream, keep=lines: keep.extend(s), daemon=True).start()

    def wait_for(text: str, lines: list[str]) -> None:
        deadline = time.time() + 120
        while not any(text in line for line in lines):
            assert time.time() < deadline and chat.poll() is None, "".join(out + err)[-2000:]
            time.sleep(0.05)

    try:
        chat.stdin.write("make me a 100 second rock song\n")
        chat.stdin.flush()
        wait_for("arranging candidate", err)  # the piece is being made (a 100 s piece takes far longer than this)
        chat.send_signal(signal.SIGINT)
        wait_for("Stopped: I cancelled that", out)
        chat.stdin.write("make me a 3 second jazz piece\n")
        chat.stdin.flush()
        wait_for("♪ g1", out)  # the chat goes on; the cancelled piece is not g1
        chat.send_signal(signal.SIGINT)  # at the prompt: the chat ends
        assert chat.wait(timeout=60) == 130
    finally:
        chat.kill()
    time.sleep(0.2)
    assert "Traceback" not in "".join(out + err) and "tastemaker: interrupted" in "".join(err)
    assert sum("rock" in line and ".wav" in line for line in out) == 0


def test_my_music_in_the_terminal_is_what_i_made_not_a_station(tmp_path):
    """'play my music' started a station of new pieces ('Your station is on: it starts from scratch'); 'name it' was
    refused and 'play Blue Morning' made a new blues piece."""
    script = ("play my music\nmake me a 2 second calm jazz piece\nplya my music\nname it Blue Morning\n"
              "play blue mornin\n/quit\n")
    out = run_chat(script, tmp_path)
    assert out.returncode == 0, out.stderr
    assert "station is on" not in out.stdout and "Traceback" not in out.stdout + out.stderr
    assert "tastemaker> You have no music of your own yet" in out.stdout
    assert "Your music, 1 piece to play" in out.stdout and "1. g1 jazz (2 s)" in out.stdout  # no markdown stars
    assert "g1 is now called Blue Morning, saved to your library" in out.stdout
    assert 'Here is g1 "Blue Morning" (jazz) again.' in out.stdout and "g2" not in out.stdout
    assert out.stdout.count("♪ g1: jazz") == 3  # made, among my music, and played again by its name
