"""The CLI's exit status, one command family at a time: a user error (a bad path, an option value out of range, a
file that is not audio we can read) exits 2 with one line, never a traceback; `tag`, `library add` and `profile`
exited 1 for theirs."""

from __future__ import annotations

import pytest

from agent.cli import main

NOPE = "/nonexistent-chat17/nope.wav"


@pytest.mark.parametrize("family, argv, said", [
    ("tag", ["tag", NOPE], f"tastemaker: '{NOPE}': no such file."),
    ("tag", ["tag", "{text}"], "is not audio we can read: it looks like text"),
    ("tag", ["tag", NOPE, "--top", "0"], "tastemaker: --top must be at least 1 (got 0)."),
    ("classifiers", ["classify", NOPE, "--checkpoint", "/nonexistent-chat17/best.pt"], "no such checkpoint"),
    ("classifiers", ["train", "--data", "/nonexistent-chat17", "--out", "{tmp}/run"], "no such file or folder"),
    ("classifiers", ["synth-dataset", "--genres", "jazz", "--per-genre", "0", "--out", "{tmp}/set"],
     "--per-genre must be at least 1"),
    ("library", ["library", "add", NOPE], f"skipped {NOPE}: no such file or folder."),
    ("library", ["library", "add", "{text}"], "is not audio we can read: it looks like text"),
    ("library", ["library", "similar", NOPE], f"tastemaker: '{NOPE}': no such file."),
    ("library", ["library", "search", "jazz", "--k", "0"], "tastemaker: --k must be at least 1 (got 0)."),
    ("generate", ["generate", "jazz", "--seconds", "-5"], "tastemaker: A piece can't be -5 s long"),
    ("taste", ["profile", "--like", NOPE], f"tastemaker: '{NOPE}': no such file."),
    ("taste", ["profile", "--user", "nobody-chat17"], "tastemaker: No saved profile for nobody-chat17 yet."),
    ("taste", ["create", "--like", NOPE], f"tastemaker: '{NOPE}': no such file."),
    ("radio", ["radio", "--adventurous", "5", "--no-play"], "tastemaker: Adventurousness must be 0 to 1 (got 5)."),
    ("radio", ["radio", "--like", NOPE, "--no-play"], f"tastemaker: '{NOPE}': no such file."),
    ("radio", ["playlist", "--minutes", "-3", "jazz"], "tastemaker: A playlist can last 0.5 to 240 minutes"),
    ("evaluation", ["eval", "/nonexistent-chat17/script.yaml"], "no such conversation script"),
    ("evaluation", ["metrics", NOPE], f"tastemaker: '{NOPE}': no such file."),
    ("evaluation", ["study", "create", "--a", "/nonexistent-chat17", "--b", "{tmp}"], "is not a folder"),
    ("chat", ["chat", "--port", "99999"], "tastemaker: --port 99999 is not a port"),
])
def test_a_user_error_exits_2_with_one_line(family, argv, said, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TASTEMAKER_DEFAULT_LIBRARY", "0")
    text = tmp_path / "notes.mp3"
    text.write_text("a shopping list, not a recording")
    argv = [a.replace("{text}", str(text)).replace("{tmp}", str(tmp_path)) for a in argv]
    status = main(argv)
    err = capsys.readouterr().err
    assert status == 2, (family, argv, err)
    assert said in err and "Traceback" not in err, (family, err)


def test_a_bad_option_or_command_is_argparse_s_exit_2(capsys):
    for argv in (["models", "nope"], ["tag", NOPE, "--model", "nope"], ["radio", "--speed", "fast"]):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2, argv
        assert "invalid" in capsys.readouterr().err, argv
    # generate's options out of range were dropped without a word, and the piece made (exit 0)
    for option, said in ((["--mode", "sideways"], "invalid choice"), (["--energy", "5"], "not from 0 (calm) to 1"),
                         (["--energy=-1"], "not from 0 (calm) to 1"), (["--vocals", "maybe"], "not yes or no")):
        with pytest.raises(SystemExit) as stop:
            main(["generate", "a piece", "--seconds", "2", *option])
        assert stop.value.code == 2 and said in capsys.readouterr().err, option
