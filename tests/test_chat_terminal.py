"""`tastemaker chat --terminal` with a conversation piped into it (a real subprocess, real tagger)."""

from __future__ import annotations

import os
import subprocess
import sys


def run_chat(script: str, tmp_path) -> subprocess.CompletedProcess:
    env = dict(os.environ, TASTEMAKER_HOME=str(tmp_path / "home"))
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


def test_end_of_input_ends_the_chat(tmp_path):
    out = run_chat("/help\n/nonsense\n", tmp_path)
    assert out.returncode == 0
    assert "/attach PATH" in out.stdout and "Unknown command /nonsense" in out.stdout
