"""`tastemaker tag`: JSON shape, bad files reported alongside good ones, exit status."""

from __future__ import annotations

import json

from agent.cli import main
from tests.conftest import tone_mix


def test_tag_json_reports_good_and_bad_files(write_audio, tmp_path, capsys):
    good = write_audio("good.flac", tone_mix(seconds=4.0))
    bad = tmp_path / "notes.mp3"
    bad.write_text("not audio")
    status = main(["tag", str(good), str(bad), "--model", "all", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert status == 2  # a file given could not be read: a user error
    assert [r["model"] for r in out["results"]] == ["msd", "mtt"]
    for r in out["results"]:
        assert r["file"] == str(good)
        assert len(r["tags"]) == 50 and all(0 <= p <= 1 for p in r["tags"].values())
        assert abs(r["duration_s"] - 4.0) < 0.01
        assert r["genres"] and max(r["genres"].values()) <= 1
    assert out["errors"] == [{"file": str(bad), "error": out["errors"][0]["error"]}]
    assert "looks like text" in out["errors"][0]["error"]


def test_tag_folder_recursively_and_human_output(write_audio, tmp_path, capsys):
    write_audio("one.wav", tone_mix(seconds=3.5, seed=1))
    (tmp_path / "deeper").mkdir()
    write_audio("deeper/two.wav", tone_mix(seconds=3.5, seed=2))
    status = main(["tag", str(tmp_path), "--top", "3"])
    out = capsys.readouterr().out
    assert status == 0
    assert "one.wav" in out and "two.wav" in out
    assert out.count("genres:") == 2


def test_missing_file_exit_status_and_no_traceback(tmp_path, capsys):
    """A bad path exited 1 with 'error: ...' where every other command exits 2 with 'tastemaker: ...'."""
    status = main(["tag", str(tmp_path / "missing.wav")])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err == f"tastemaker: '{tmp_path / 'missing.wav'}': no such file. Check the path and try again.\n"


def test_a_folder_is_announced_with_its_count_and_what_is_not_audio_is_counted(write_audio, tmp_path, capsys):
    """`tag /tmp` walked and tagged 7,472 files without a word, and said one error per file it could not read."""
    write_audio("one.wav", tone_mix(seconds=3.0, seed=1))
    write_audio("two.wav", tone_mix(seconds=3.0, seed=2))
    (tmp_path / "notes.txt").write_text("a shopping list")
    (tmp_path / "deeper").mkdir()
    for n in range(3):
        (tmp_path / "deeper" / f"fake{n}.mp3").write_text("not audio")
    status = main(["tag", str(tmp_path), "--top", "2"])
    out, err = capsys.readouterr()
    assert status == 2 and out.count("genres:") == 2
    lines = err.splitlines()
    assert lines[0] == f"Found 5 audio files under {tmp_path} (1 other file skipped: not audio); tagging them."
    assert any(line.startswith("tagging:") or "\rtagging:" in line for line in lines[1:-1])  # the progress bar
    assert lines[-1].startswith("tastemaker: skipped 3 files that could not be read (the first: ")
    assert err.count("fake") == 1 and lines[-1].endswith("--json lists each.")


def test_an_empty_folder_is_one_line_not_found_zero_then_an_error(tmp_path, capsys):
    """'Found 0 audio files under X; tagging them.' came before the line saying X holds no audio file."""
    (tmp_path / "empty").mkdir()
    assert main(["tag", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err
    assert "Found 0" not in err and len(err.strip().splitlines()) == 1 and err.startswith("tastemaker: ")


def test_a_folder_of_very_many_files_asks_for_all_first(tmp_path, capsys, monkeypatch):
    """More than MANY_FILES audio files is an hour of work: refused in one line (exit 2) unless --all is given."""
    import agent.commands.tag as tag

    for n in range(tag.MANY_FILES + 1):
        (tmp_path / f"{n}.wav").write_bytes(b"")
    assert main(["tag", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == (f"tastemaker: Found {tag.MANY_FILES + 1} audio files under {tmp_path}: more than "
                                 f"{tag.MANY_FILES}, a long run. Add --all to tag them all, or give a smaller folder.\n")
    monkeypatch.setattr(tag, "MANY_FILES", 2)
    few = tmp_path / "few"
    few.mkdir()
    for n in range(3):
        (few / f"{n}.wav").write_bytes(b"")
    assert main(["tag", str(few)]) == 2 and "Add --all" in capsys.readouterr().err
    assert main(["tag", str(few), "--all"]) == 2  # tagged: three empty files, each unreadable
    err = capsys.readouterr().err
    assert err.startswith(f"Found 3 audio files under {few}; tagging them.") and "skipped 3 files" in err


def test_help_starts_without_loading_the_models():
    """`tastemaker --help` (and argument errors) must be instant: no command imports torch to register itself."""
    import subprocess
    import sys

    code = ("import sys; from agent.cli import build_parser; p = build_parser(); "
            "names = sorted(p._subparsers._group_actions[0].choices); "
            "heavy = [m for m in ('torch', 'transformers', 'librosa.core', 'faiss') if m in sys.modules]; "
            "print(len(names), heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split(maxsplit=1)
    assert int(out[0]) >= 12 and out[1].strip() == "[]", out


def test_settings_in_a_dotenv_file_apply_and_the_environment_wins(write_audio, tmp_path, monkeypatch, capsys):
    """The CLI reads `.env` as the browser app does; a variable set in the environment is not overridden."""
    clip = write_audio("five.wav", tone_mix(seconds=5.0))
    env_file = tmp_path / "my.env"
    env_file.write_text("TASTEMAKER_MAX_DURATION_S=2\n")
    monkeypatch.setenv("CHAINLIT_ENV_FILE", str(env_file))
    # set-then-delete: monkeypatch removes what load_dotenv sets when the test ends
    monkeypatch.setenv("TASTEMAKER_MAX_DURATION_S", "0")
    monkeypatch.delenv("TASTEMAKER_MAX_DURATION_S")
    assert main(["tag", str(clip)]) == 2
    assert "is 5.0 s long, over the 2.0 s limit" in capsys.readouterr().err

    monkeypatch.setenv("TASTEMAKER_MAX_DURATION_S", "900")
    assert main(["tag", str(clip)]) == 0


def test_a_setting_that_is_not_a_number_is_one_clear_line(write_audio, monkeypatch, capsys):
    clip = write_audio("ok.wav", tone_mix(seconds=3.0))
    monkeypatch.setenv("TASTEMAKER_MAX_FILE_MB", "abc")
    assert main(["tag", str(clip)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tastemaker: TASTEMAKER_MAX_FILE_MB='abc' is not allowed: use a number above 0")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_top_below_one_is_refused_like_library_search_k(write_audio, capsys):
    """`tag --top -1` printed every tag but one, as if nothing were wrong."""
    song = write_audio("song.wav", tone_mix(seconds=3.0, seed=3))
    assert main(["tag", "--top", "-1", str(song)]) == 2
    assert capsys.readouterr().err == "tastemaker: --top must be at least 1 (got -1).\n"
