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
    assert status == 1
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
    status = main(["tag", str(tmp_path / "missing.wav")])
    captured = capsys.readouterr()
    assert status == 1
    assert "no such file" in captured.err and "Traceback" not in captured.err


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
    assert main(["tag", str(clip)]) == 1
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
