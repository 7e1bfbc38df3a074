"""Playlists: made from a small real library and the sketch engine, ordered, exported as M3U, saved in the data
directory and resumed as a station; the crossfaded mix; bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.test_library_audio import rock_audio, write_tagged_wav
from tools.errors import TastemakerError
from tools.radio.mix import crossfade_mix
from tools.radio.options import StationOptions
from tools.radio.playlist import PlaylistRequest, build_playlist, list_playlists, load_playlist, resume_playlist


@pytest.fixture(scope="module")
def rock_home(tmp_path_factory) -> Path:
    """A data directory whose library holds two rock recordings (and not the default library)."""
    from tools.library import open_library

    home = tmp_path_factory.mktemp("playlist-home")
    music = tmp_path_factory.mktemp("rock")
    write_tagged_wav(music / "riff_one.wav", rock_audio(seed=0, tempo=140, root=40), title="Riff One",
                     artist="The Amps", genre="rock")
    write_tagged_wav(music / "riff_two.wav", rock_audio(seed=1, tempo=120, root=45), title="Riff Two",
                     artist="The Amps", genre="rock")
    with open_library(home) as lib:
        assert len(lib.add_paths([music], progress=False).added) == 2
    return home


@pytest.fixture
def in_rock_home(rock_home, monkeypatch):
    monkeypatch.setenv("TASTEMAKER_HOME", str(rock_home))
    monkeypatch.setenv("TASTEMAKER_DEFAULT_LIBRARY", "0")
    return rock_home


def test_cli_playlist_json_exports_m3u_and_generated_files(in_rock_home, tmp_path, capsys):
    out = tmp_path / "party"
    env = dict(os.environ, CI="true")  # with CI set, pyfluidsynth prints where it found its library (on stdout)
    result = subprocess.run(
        [sys.executable, "-m", "agent.cli", "playlist", "rock for a party", "--minutes", "1", "--out", str(out),
         "--piece-seconds", "12", "--library-share", "0.5", "--no-taste", "--json"],
        text=True, capture_output=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"tracks", "m3u", "minutes"}
    assert data["minutes"] >= 0.75 and len(data["tracks"]) >= 4
    for track in data["tracks"]:
        assert set(track) == {"file", "title", "source", "seconds", "genres"}
        assert track["source"] in ("library", "generated") and Path(track["file"]).is_file()
        assert track["seconds"] > 0 and track["genres"] and all(isinstance(v, float) for v in track["genres"].values())
    sources = {t["source"] for t in data["tracks"]}
    assert sources == {"library", "generated"}
    generated = [t for t in data["tracks"] if t["source"] == "generated"]
    assert all(Path(t["file"]).parent == out.resolve() for t in generated)  # exported beside the M3U
    m3u = Path(data["m3u"]).read_text().splitlines()
    assert m3u[0] == "#EXTM3U" and len([line for line in m3u if line.startswith("#EXTINF:")]) == len(data["tracks"])
    library_lines = [line for line in m3u if line.endswith("riff_one.wav") or line.endswith("riff_two.wav")]
    assert library_lines and all(Path(line).is_absolute() for line in library_lines)  # library tracks by full path
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging folder or part file left

    saved = list_playlists()
    assert saved and saved[-1]["m3u"] == data["m3u"]
    owner = load_playlist(saved[-1]["id"])["owner"]  # the person running the command (--no-taste or not)
    assert owner
    # `playlist --list --user NAME` lists that person's playlists only (it listed everyone's, with their paths)
    assert saved[-1]["id"] in {p["id"] for p in list_playlists(owner=owner)}
    assert not list_playlists(owner=owner + "-someone-else")
    from agent.cli import main

    assert main(["playlist", "--list", "--user", owner + "-someone-else", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"playlists": []}
    station = resume_playlist(saved[-1]["id"], user=owner, run_worker=False)
    assert [station.next().path for _ in data["tracks"]] == [t["file"] for t in data["tracks"]]  # its own, in order
    nxt = station.next()  # then it plays on, without repeating the playlist's library tracks
    played_library = {p.track_id for p in station.played[:-1] if p.track_id}
    assert nxt.track_id == "" or nxt.track_id not in played_library


def test_bad_playlist_requests_get_one_clear_line(in_rock_home, tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    with pytest.raises(TastemakerError, match="0.5 to 240 minutes"):
        build_playlist(PlaylistRequest("jazz", minutes=0, out=str(tmp_path / "x")))
    with pytest.raises(TastemakerError, match="is a file"):
        build_playlist(PlaylistRequest("jazz", minutes=1, out=str(a_file)))
    with pytest.raises(TastemakerError, match="--out DIR"):
        build_playlist(PlaylistRequest("jazz", minutes=1))
    for count in (0, 1000):  # 'a playlist of 1000 songs' in the chat
        with pytest.raises(TastemakerError, match=f"1 to 100 pieces \\(got {count}\\)"):
            build_playlist(PlaylistRequest("jazz", tracks=count, out=str(tmp_path / "z")))
    assert not (tmp_path / "z").exists()
    with pytest.raises(TastemakerError, match="no saved playlist"):
        load_playlist("0123456789abcdef")
    result = subprocess.run([sys.executable, "-m", "agent.cli", "playlist", "jazz", "--minutes", "-3", "--out",
                             str(tmp_path / "y")], text=True, capture_output=True, timeout=120, env=dict(os.environ))
    assert result.returncode == 2 and result.stderr.strip().startswith("tastemaker: A playlist can last")
    assert not (tmp_path / "y").exists() or not list((tmp_path / "y").iterdir())


def test_a_playlist_with_a_mix_orders_generated_pieces_and_crossfades_them(in_rock_home, tmp_path):
    options = StationOptions(library_share=0.0, piece_seconds=10.0, crossfade_seconds=2.0)
    playlist = build_playlist(PlaylistRequest("calm ambient", minutes=0.5, out=str(tmp_path / "calm"), options=options,
                                              mix=True))
    assert all(t.source == "generated" for t in playlist.tracks) and len(playlist.tracks) >= 2
    info = sf.info(playlist.mix)
    expected = sum(t.seconds for t in playlist.tracks) - 2.0 * (len(playlist.tracks) - 1)
    assert info.duration == pytest.approx(expected, abs=0.05)


def test_crossfade_mix_overlaps_neighbours_with_equal_power(tmp_path):
    rate = 44100
    a, b = tmp_path / "a.wav", tmp_path / "b.wav"
    sf.write(a, np.full(rate * 3, 0.5, dtype=np.float32), rate)
    sf.write(b, np.full(rate * 2, 0.5, dtype=np.float32), rate)
    out = crossfade_mix([str(a), str(b)], tmp_path / "mix.wav", crossfade_seconds=1.0, loudness=None)
    y, sr = sf.read(out)
    assert sr == rate and y.shape == (rate * 4, 2)  # 3 s + 2 s - 1 s of overlap, in stereo
    middle = y[int(2.5 * rate)]  # halfway through the fade: cos and sin of 45 degrees, both 0.5 loud
    assert middle == pytest.approx([0.5 * 2 * np.cos(np.pi / 4)] * 2, abs=0.01)
    assert not (tmp_path / ".mix.wav.part").exists()


def test_the_mix_is_stereo_at_the_pieces_rate_and_brings_each_piece_to_one_loudness(tmp_path):
    """The mix was 32 kHz mono, and a library track 4 dB louder than its neighbours stayed 4 dB louder."""
    import pyloudnorm

    rate = 44100
    t = np.arange(rate * 4) / rate
    loud, quiet = tmp_path / "loud.wav", tmp_path / "quiet.wav"
    left, right = np.sin(2 * np.pi * 220 * t), np.sin(2 * np.pi * 330 * t)
    sf.write(loud, (0.5 * np.stack([left, right], axis=1)).astype(np.float32), rate)
    sf.write(quiet, (0.05 * np.stack([right, left], axis=1)).astype(np.float32), 22050 * 2)
    out = crossfade_mix([str(loud), str(quiet)], tmp_path / "mix.wav", crossfade_seconds=0.5)
    y, sr = sf.read(out)
    assert sr == rate and y.shape[1] == 2 and not np.allclose(y[:, 0], y[:, 1])
    meter = pyloudnorm.Meter(rate)
    first, second = y[: int(3 * rate)], y[int(4 * rate):]
    assert meter.integrated_loudness(first) == pytest.approx(-14.0, abs=0.5)
    assert meter.integrated_loudness(second) == pytest.approx(-14.0, abs=0.5)


def test_two_playlists_never_overwrite_each_other(in_rock_home, tmp_path):
    """Two chat playlists of the same words went into one folder: the second M3U replaced the first, and their
    tracks were mixed there ("exports/of-3-songs-like-it/3 songs like it.m3u" twice; "a -10 minute playlist" wrote
    "exports/-.m3u")."""
    options = StationOptions(library_share=0.0, piece_seconds=5.0, crossfade_seconds=1.0)
    made = [build_playlist(PlaylistRequest("3 songs like it", out=str(tmp_path / "exports"), options=options,
                                           tracks=1, own_folder=True)) for _ in range(2)]
    folders = [Path(p.m3u).parent for p in made]
    assert folders[0] != folders[1] and all(f.parent == tmp_path / "exports" for f in folders)
    assert all(f.name == f"3 songs like it {p.id}" for f, p in zip(folders, made))
    # one folder the person chose for both (--out): the second playlist's files take new names
    same = [build_playlist(PlaylistRequest("-", out=str(tmp_path / "mine"), options=options, tracks=1))
            for _ in range(2)]
    assert [Path(p.m3u).name for p in same] == ["playlist.m3u", "playlist (2).m3u"]
    assert same[0].tracks[0].file != same[1].tracks[0].file
    assert all(Path(p.m3u).read_text().count("#EXTINF") == 1 and Path(p.tracks[0].file).is_file() for p in same)


def test_a_playlist_that_fails_leaves_no_folder_of_its_own(in_rock_home, tmp_path):
    """A chat playlist 'like this' with a song that cannot be read left an empty exports/<name> <id>/ each time."""
    bad = tmp_path / "not-a-song.wav"
    bad.write_text("hello")
    exports = tmp_path / "exports"
    with pytest.raises(TastemakerError):
        build_playlist(PlaylistRequest("a playlist like this", out=str(exports), tracks=1, song=str(bad),
                                       own_folder=True, options=StationOptions(library_share=0.0, piece_seconds=5.0,
                                                                               crossfade_seconds=1.0)))
    assert exports.is_dir() and not list(exports.iterdir())
