"""Retrieval and the library CLI on a small real library: three default-library pieces and two rock recordings."""

from __future__ import annotations

import json
from pathlib import Path

import pretty_midi
import pytest
import soundfile as sf

from agent.cli import main
from tests.test_library_audio import RATE, rock_audio, write_tagged_wav
from tools.audio import clip_from_array
from tools.errors import TastemakerError, UnknownLabelError
from tools.library import default as default_module
from tools.library import ensure_default_library, open_library, scores
from tools.library.catalogue import PIECES
from tools.retrieve import search_text, similar_to_clip

SMALL_DEFAULT = ["beethoven-op18no1-1", "bach-bwv1-6", "ryan-acaciareel"]


@pytest.fixture(scope="module")
def library_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("retrieve-home")
    rock = tmp_path_factory.mktemp("rock")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(default_module, "PIECES", [p for p in PIECES if p.id in SMALL_DEFAULT])
        lib = open_library(home)
        report = ensure_default_library(lib, progress=False)
        assert report is not None and len(report.added) == 3, report.summary()
    write_tagged_wav(rock / "riff_one.wav", rock_audio(seed=0, tempo=140, root=40), title="Riff One",
                     artist="The Amps", genre="rock")
    write_tagged_wav(rock / "riff_two.wav", rock_audio(seed=1, tempo=120, root=45), title="Riff Two",
                     artist="The Amps", genre="rock")
    assert len(lib.add_paths([rock], progress=False).added) == 2
    lib.close()
    return home


@pytest.fixture
def lib(library_home):
    with open_library(library_home) as library:
        yield library


@pytest.fixture
def cli_env(library_home, monkeypatch):
    monkeypatch.setenv("TASTEMAKER_HOME", str(library_home))
    monkeypatch.setenv("TASTEMAKER_DEFAULT_LIBRARY", "0")


def test_default_pieces_keep_midi_beside_audio_and_their_metadata(lib):
    quartet = lib.get("beethoven-op18no1-1")
    assert quartet.artist == "Ludwig van Beethoven" and quartet.genre == "classical"
    assert quartet.extra["period"] == "Classical-era" and "viola" in quartet.extra["instrumentation"]
    assert "string quartet" in quartet.description
    audio, midi = Path(quartet.audio_path), Path(quartet.midi_path)
    assert audio.parent == midi.parent and audio.stem == midi.stem and audio.suffix == ".flac"
    score = pretty_midi.PrettyMIDI(str(midi))
    assert [i.program for i in score.instruments] == [40, 40, 41, 42]
    assert 40 <= score.get_end_time() <= scores.MAX_SECONDS + 0.01
    assert abs(sf.info(str(audio)).duration - quartet.duration) < 0.01 and quartet.duration <= 48
    reel = lib.get("ryan-acaciareel")
    assert reel.genre == "folk" and reel.duration >= scores.MIN_SECONDS  # a short tune played through again
    assert lib.meta("default_library") == default_module.DEFAULT_LIBRARY_VERSION
    assert ensure_default_library(lib, progress=False) is None  # built once, not again


def test_text_search_puts_the_beethoven_quartet_first(lib):
    results = search_text("string quartet by Beethoven", k=3, library=lib)
    assert results[0].track.id == "beethoven-op18no1-1"
    assert "beethoven" in results[0].why and results[0].score > results[1].score
    assert search_text("fiddle reel for dancing", k=1, library=lib)[0].track.id == "ryan-acaciareel"
    assert search_text("hymn played on the organ", k=1, library=lib)[0].track.id == "bach-bwv1-6"


def test_genre_filter_searches_one_partition(lib):
    rock = search_text("string quartet by Beethoven", k=5, genre="rock", library=lib)
    assert {r.track.id for r in rock} == {t.id for t in lib.list(genre="rock")} and len(rock) == 2
    assert all(r.track.genre == "rock" for r in rock)
    assert search_text("anything", genre="jazz", library=lib) == []
    with pytest.raises(UnknownLabelError, match="not a genre"):
        search_text("anything", genre="polka-step", library=lib)
    with pytest.raises(TastemakerError, match="empty"):
        search_text("  ", library=lib)


def test_similar_ranks_rock_above_orchestral(lib):
    query = clip_from_array(rock_audio(seed=2, tempo=160, root=43), RATE, name="new_rock.wav")
    results = similar_to_clip(query, k=6, library=lib)
    assert [r.track.genre for r in results[:2]] == ["rock", "rock"]
    rock_scores = [r.score for r in results if r.track.genre == "rock"]
    other_scores = [r.score for r in results if r.track.genre != "rock"]
    assert min(rock_scores) > max(other_scores)
    assert "audio similarity" in results[0].why
    only_classical = similar_to_clip(query, k=5, genre="classical", library=lib)
    assert {r.track.genre for r in only_classical} == {"classical"} and len(only_classical) == 2


def test_cli_search_json_shape(cli_env, capsys):
    assert main(["library", "search", "string quartet by Beethoven", "--k", "2", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert len(results) == 2
    assert set(results[0]) == {"id", "title", "artist", "genre", "score", "path", "why"}
    assert results[0]["id"] == "beethoven-op18no1-1" and Path(results[0]["path"]).is_file()


def test_cli_similar_list_and_errors(cli_env, capsys, tmp_path):
    query = write_tagged_wav(tmp_path / "query.wav", rock_audio(seed=3, tempo=150, root=42))
    assert main(["library", "similar", str(query), "--k", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["genre"] == "rock"
    assert main(["library", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["tracks"]
    assert len(listed) == 5 and sum(1 for t in listed if t["midi_path"]) == 3
    assert main(["library", "similar", str(tmp_path / "missing.wav")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["library", "remove", "no-such-id"]) == 2
    assert "No track with id" in capsys.readouterr().err
    assert main(["library", "search", "x", "--k", "0"]) == 2


def test_cli_add_and_remove(cli_env, capsys, tmp_path):
    song = write_tagged_wav(tmp_path / "extra.wav", rock_audio(seed=4, tempo=130, root=41, seconds=5.0),
                            title="Extra Riff")
    (tmp_path / "bad.wav").write_bytes(b"not a wav")
    assert main(["library", "add", str(song), str(tmp_path / "bad.wav")]) == 2  # one skipped: exit 2
    out = capsys.readouterr()
    assert "added extra-riff-" in out.out and "skipped" in out.err and "bad.wav" in out.err
    track_id = next(w for w in out.out.split() if w.startswith("extra-riff-")).rstrip(":")
    assert main(["library", "remove", track_id]) == 0
    assert f"removed {track_id}" in capsys.readouterr().out
    assert main(["library", "list", "--json"]) == 0
    assert track_id not in capsys.readouterr().out


def test_a_chat_says_when_the_nearest_pieces_are_not_close(cli_env):
    """Death metal against quartets and reels: the nearest are shown as 'nearest, but not close', never as alike."""
    from agent import actions, answers
    from agent.session import Session

    session = Session()
    upload = session.attach(Path(__file__).parent / "fixtures" / "recordings" / "muldjord-chaos-god-excerpt.ogg")
    result = actions.find_similar(session, upload_id=upload.id, k=5)
    by_genre = {t["genre"]: t["close"] for t in result["tracks"]}
    assert by_genre.get("classical") is False and by_genre.get("folk", False) is False
    text = answers.tracks(result)
    assert "not close" in text
    if not any(t["close"] for t in result["tracks"]):
        assert "Nothing in the library is close" in text and "make me something like it" in text


def test_a_replys_numbers_the_players_and_the_second_one_are_the_same_tracks(tmp_path):
    """The reply lists close pieces first; the players and 'the second one' followed the search's own order."""
    from types import SimpleNamespace

    from agent import actions, answers
    from agent.session import Session
    from tools.contracts import Track

    def result(name: str, similarity: float) -> SimpleNamespace:
        audio = tmp_path / f"{name}.wav"
        audio.write_bytes(b"")
        track = Track(id=name, title=name, genre="jazz", audio_path=str(audio))
        return SimpleNamespace(track=track, score=0.5, why="sounds alike", genre_similarity=similarity)

    session = Session()
    found = actions._tracks(session, [result("far", 0.0), result("close-a", 0.9), result("close-b", 0.8)])
    listed = [line.split("**")[1] for line in answers.tracks(found | {"using": "x"}).splitlines() if "**" in line]
    assert listed == session.last_search == [a.title for a in session.outbox] == ["close-a", "close-b", "far"]
