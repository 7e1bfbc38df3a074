"""The typed requests (tools.generate.request): range checks with notes, seeds that stay in 0..2**32-1, and
`tastemaker generate` reading words through the same parser and the same checks as the chat."""

from __future__ import annotations

import json

import pytest
import soundfile as sf

from agent.cli import main
from tools.errors import TastemakerError
from tools.generate import GenerationRequest, generate
from tools.generate.request import LONGEST, MusicAsk, MusicChange, candidate_seeds, next_seed
from tools.language import read_slots


@pytest.mark.parametrize("text, seconds, tempo, note", [
    ("a 3 minute rock song", LONGEST, None, "you asked for 3 minutes"),
    ("make me a 10 hours long ambient track", LONGEST, None, "you asked for 10 hours"),
    ("a 1.5 hour drone", LONGEST, None, "you asked for 1.5 hours"),
    ("a 1000 second jazz piece", LONGEST, None, "you asked for 1000 s (about 17 minutes);"),  # not 16.6667 minutes
    ("techno at 10000 bpm", 15.0, 240.0, "10000 BPM is faster than anyone can play"),
    ("a blues song at 1 bpm", 15.0, 40.0, "1 BPM is slower than music moves"),
    ("a 20 second jazz piece at 95 bpm", 20.0, 95.0, None),
])
def test_numbers_out_of_range_are_brought_in_with_a_note(text, seconds, tempo, note):
    ask, notes = MusicAsk.from_slots(read_slots(text), text).fitted(15.0)
    assert (ask.seconds, ask.tempo) == (seconds, tempo)
    assert (note in notes[0]) if note else notes == []


@pytest.mark.parametrize("text", ["a jazz piece, 0 s", "make a rock song -5 s long"])
def test_a_length_of_nothing_is_refused_with_a_clear_line(text):
    with pytest.raises(TastemakerError, match="can't be .* long .*ask for 1 to 120 seconds"):
        MusicAsk.from_slots(read_slots(text), text).fitted(15.0)


def test_a_change_is_typed_from_the_same_slots():
    change = MusicChange.from_slots(read_slots("make the drums quieter and add some piano"), "x")
    assert change.more == {"drums": -0.3, "piano": 0.3}
    assert MusicChange.from_slots(read_slots("in D minor")).key == "D"
    assert MusicAsk.from_slots(read_slots("jazz, I don't want drums")).style().avoid == ["drums"]


def test_seeds_wrap_inside_the_seed_space_so_every_candidate_can_be_remade():
    top = 2**32 - 1
    assert candidate_seeds(top, 3) == [top, 0, 1] and next_seed(top, 7919) == 7918
    made = generate(GenerationRequest(prompt="calm piano", seconds=1.0, seed=top, candidates=2, engine="sketch"))
    assert [g.seed for g in made] == [top, 0]
    again = generate(GenerationRequest(prompt="calm piano", seconds=1.0, seed=0, engine="sketch"))[0]
    assert sf.read(again.audio_path)[0].tolist() == sf.read(made[1].audio_path)[0].tolist()


def test_cli_generate_reads_the_words_like_the_chat(tmp_path, capsys):
    out = tmp_path / "long.wav"
    code = main(["generate", "a 3 minute calm piano piece at 500 bpm", "--engine", "sketch", "--json", "-o", str(out)])
    captured = capsys.readouterr()
    record = json.loads(captured.out)
    assert code == 0 and record["duration_s"] == pytest.approx(LONGEST, abs=1.0)
    assert "you asked for 3 minutes" in captured.err and "500 BPM" in captured.err
    assert any("3 minutes" in n for n in record["notes"])
    assert main(["generate", "rock", "--engine", "sketch", "--seconds", "2", "--key", "D", "--mode", "minor",
                 "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    sidecar = json.loads(open(made["path"].replace(".wav", ".json")).read())
    assert sidecar["style"]["genres"] == {"rock": 1.0} and sidecar["arrangement"]["key"] == "D minor"
    assert main(["generate", "a jazz piece, -5 s"]) == 2
    assert "can't be -5 s long" in capsys.readouterr().err


@pytest.mark.parametrize("genres", ["{'jazz': 1.0}", '{"jazz": 1.0}', "jazz=1", "jazz"])
def test_cli_generate_takes_its_label_flags_as_its_help_writes_them(tmp_path, capsys, genres):
    """--genres crashed on every value (its type was read as a plain string), and --moods calm was the moods c, a,
    l and m: a dict's and a list's type parameters were taken for a union's members."""
    out = tmp_path / "flags.wav"
    assert main(["generate", "a piece", "--engine", "sketch", "--seconds", "2", "--genres", genres, "--moods", "calm",
                 "--instruments", "piano,solo", "--avoid", "drums", "--json", "-o", str(out)]) == 0
    made = json.loads(capsys.readouterr().out)
    style = json.loads(open(made["path"].replace(".wav", ".json")).read())["style"]
    assert style["genres"] == {"jazz": 1.0} and set(style["moods"]) == {"calm"}
    assert set(style["instruments"]) == {"piano", "solo"} and style["avoid"] == ["drums"]
    with pytest.raises(SystemExit) as refused:  # argparse's own exit, with its one line
        main(["generate", "a piece", "--genres", "{nope"])
    assert refused.value.code == 2 and "is not a genre table" in capsys.readouterr().err


def test_generate_into_a_folder_that_is_not_there_says_it_made_it(tmp_path, capsys):
    """`generate -o /new/dir/x.wav` made the folder without a word."""
    out = tmp_path / "new" / "dir" / "x.wav"
    assert main(["generate", "rock", "--engine", "sketch", "--seconds", "2", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == f"Made folder {out.parent}" and out.is_file()
    assert main(["generate", "rock", "--engine", "sketch", "--seconds", "2", "-o", str(out.with_name("y.wav"))]) == 0
    assert "Made folder" not in capsys.readouterr().out  # there now: nothing to say


@pytest.mark.parametrize("seconds", [float("inf"), 1e8, 86400.0])
def test_a_length_far_past_the_limit_is_said_plainly(seconds):
    """'you asked for inf hours' and '27777.8 hours' said the number, not the limit."""
    ask, notes = MusicAsk(seconds=seconds).fitted(15.0)
    assert ask.seconds == LONGEST and notes == ["that is far longer than the 120 s limit, so it is 120 s (2 minutes)"]


def test_nan_seconds_is_refused_with_the_same_limits_as_everywhere(capsys):
    with pytest.raises(TastemakerError, match="'nan' is not a length: ask for 1 to 120 seconds"):
        MusicAsk(seconds=float("nan")).fitted(15.0)
    assert main(["generate", "rock", "--seconds", "nan"]) == 2
    assert capsys.readouterr().err.startswith("tastemaker: 'nan' is not a length: ask for 1 to 120 seconds")
    with pytest.raises(TastemakerError, match="ask for 1 to 120 seconds"):  # the engines' own guard agrees
        GenerationRequest(prompt="rock", seconds=0.7).validate()


def test_generate_with_nothing_to_make_is_one_line_and_no_progress_bar(capsys):
    assert main(["generate"]) == 2
    assert capsys.readouterr().err == ('tastemaker: Say what to make: a description ("calm piano for a rainy night"), '
                                       "a style, or a reference file.\n")


def test_an_unusable_data_directory_is_one_clear_line_not_an_apology(monkeypatch, capsys):
    """TASTEMAKER_HOME=/proc/xyz said 'Sorry, something went wrong ... Reference 9c8199 in the error log'."""
    monkeypatch.setenv("TASTEMAKER_HOME", "/proc/xyz")
    assert main(["generate", "rock"]) == 2
    assert capsys.readouterr().err == ("tastemaker: The data directory /proc/xyz (TASTEMAKER_HOME) cannot be used (No "
                                       "such file or directory). Check it, or set TASTEMAKER_HOME to another folder.\n")


@pytest.mark.parametrize("flags, said", [
    (["--max-iters", "-1"], "--max-iters must be between 1 and 20 (got -1)."),
    (["--candidates", "0"], "--candidates must be between 1 and 8 (got 0)."),
    (["--seconds", "nan"], "--seconds must be between 1 and 120 (got nan)."),
    (["--max-seconds", "-5"], "--max-seconds must be between 1 and 3600 (got -5)."),
])
def test_create_refuses_a_loop_it_cannot_run_in_one_line(capsys, flags, said):
    """`tastemaker create jazz --max-iters -1` said 'no match after -1 iterations' and exited 0."""
    assert main(["create", "jazz", *flags]) == 2
    assert capsys.readouterr().err == f"tastemaker: {said}\n"


def test_a_tempo_within_a_beat_of_the_bound_is_the_bound_without_a_note():
    # 'slower' of a 48 BPM piece asked for 39.9562 BPM, and the note read "39.9562 BPM is slower than music moves"
    from tools.generate.request import fit_tempo

    assert fit_tempo(39.9562) == (40.0, []) and fit_tempo(240.4) == (240.0, [])
    assert fit_tempo(30.26)[1] == ["30 BPM is slower than music moves; it plays at 40 BPM, the slowest I make"]
