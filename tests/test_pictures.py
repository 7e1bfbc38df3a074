"""agent/pictures.py: a piece's picture is drawn from audio read by tools.audio, and a damaged piece is one line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tools.errors import AudioError

ROOT = Path(__file__).resolve().parents[1]


def test_pictures_read_audio_only_through_tools_audio():
    """House rule: tools/audio is the one place that reads audio files."""
    tree = ast.parse((ROOT / "agent" / "pictures.py").read_text())
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not {"soundfile", "audioread", "wave", "scipy.io.wavfile"} & imported


def test_a_piece_is_drawn_mono_or_stereo(write_audio):
    from agent import pictures

    for channels in (1, 2):
        path = write_audio(f"piece{channels}.wav", channels=channels)
        fig = pictures.piece_thumbnail(str(path), [("jazz", 0.8), ("rock", 0.1)], "g1: jazz")
        wave = fig.axes[0]
        assert len(wave.lines) == channels  # a mono piece is one line, not the same line drawn twice
        assert pictures.png(fig).startswith(b"\x89PNG")


def test_a_piece_not_tagged_has_no_empty_heard_as_chart(write_audio):
    from agent import pictures

    fig = pictures.piece_thumbnail(str(write_audio("untagged.wav", channels=2)), [], "g1: pop")
    bars = fig.axes[2]
    assert not bars.axison and not bars.patches  # drawn as empty axes from -0.04 to 0.04 before
    tagged = pictures.piece_thumbnail(str(write_audio("tagged.wav", channels=2)), [("pop", 0.6)], "g1: pop")
    assert tagged.axes[2].axison and len(tagged.axes[2].patches) == 1


def test_a_damaged_piece_gives_one_line_naming_its_file_not_a_traceback(tmp_path):
    import asyncio
    import uuid

    from chainlit.context import init_ws_context
    from chainlit.session import WebsocketSession

    from agent import pictures
    from agent.app import piece_picture
    from agent.session import AudioResult

    async def element_for(path: Path):  # a Chainlit element needs a session: a real one, with nobody listening
        init_ws_context(WebsocketSession(id=str(uuid.uuid4()), socket_id="s", emit=lambda *a: None,
                                         emit_call=lambda *a: None, user_env={}, client_type="webapp"))
        return piece_picture(AudioResult(path=str(path), title="g1: jazz", caption="", generation_id="g1"))

    damaged = tmp_path / "secret-server-folder" / "g1.wav"
    damaged.parent.mkdir()
    damaged.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage" * 4)
    with pytest.raises(AudioError, match="'g1.wav'"):
        pictures.piece_thumbnail(str(damaged), [("jazz", 0.8)], "g1: jazz")
    for path in (damaged, tmp_path / "gone.wav"):
        line = asyncio.run(element_for(path)).content
        assert line.startswith("No picture of g1: jazz: '") and "\n" not in line
        assert "secret-server-folder" not in line and str(tmp_path) not in line
        assert "Please upload" not in line  # a piece it made is not the person's upload
