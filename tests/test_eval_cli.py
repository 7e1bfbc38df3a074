"""`tastemaker eval`: scripted conversations through the real agent (offline planner), reports and exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import soundfile as sf
import yaml

from tools.language import intents, understand
from agent.cli import main
from tests.conftest import tone_mix
from tools.errors import TastemakerError
from tools.evaluate.conversations import load_script

CONVERSATIONS = Path(__file__).resolve().parent.parent / "conversations"


def write_script(folder: Path, name: str, turns: list[dict]) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"name": name, "turns": turns}), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_built_in_library(monkeypatch):
    """These tests score conversations and their reports, not the built-in library: `eval` would first build all
    of it (67 pieces, 1.5-3 minutes here). Its build is tested in test_library_first_run.py on a few pieces."""
    monkeypatch.setenv("TASTEMAKER_DEFAULT_LIBRARY", "0")


@pytest.fixture
def song(tmp_path) -> Path:
    (tmp_path / "songs").mkdir()
    path = tmp_path / "songs" / "mine.wav"
    sf.write(str(path), tone_mix(seconds=4.0, seed=2), 22050)
    return path


def test_a_conversation_passes_and_the_report_has_the_promised_shape(tmp_path, song, capsys):
    script = write_script(tmp_path, "small", [
        {"user": "hello", "expect": {"tools": [], "reply_contains": ["Tastemaker"], "max_latency_s": 10}},
        {"user": "what is this song?", "attach": ["songs/mine.wav"],
         "expect": {"tools": ["describe_uploads"], "reply_contains": ["mine.wav"], "audio": False}},
        {"user": "make me a 3 second rock track",
         "expect": {"tools": ["generate_music"], "audio": 1, "genres": ["rock"], "reply_contains": ["sketch"]}},
        {"user": "faster", "expect": {"tools": ["refine_music"], "audio": True, "reply_contains": ["new take on g1"]}},
    ])
    report_dir = tmp_path / "report"
    assert main(["eval", str(script), "--json", "--offline", "--report", str(report_dir)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"scripts", "summary"}
    (s,) = report["scripts"]
    assert s["name"] == "small" and s["passed"] is True
    for turn in s["turns"]:
        assert {"user", "reply", "tools", "passed", "failures", "latency_s"} <= set(turn)
        assert turn["passed"] and turn["failures"] == [] and turn["latency_s"] > 0
    assert s["turns"][2]["tools"] == ["generate_music"] and "rock" in s["turns"][2]["genres"][0]
    summary = report["summary"]
    # 3 + 4 + 5 + 4 expectations: each turn that called tools also checks that none of them returned an error.
    assert summary["scripts"] == summary["passed"] == 1
    assert summary["expectations"] == summary["expectations_passed"] == 16
    assert summary["pass_rate"] == 1.0 and summary["mean_latency_s"] > 0 and summary["loop_runs"] == 0
    assert summary["brains"] == ["offline planner"]
    saved = json.loads((report_dir / "report.json").read_text())
    assert saved["summary"] == summary
    md = (report_dir / "report.md").read_text()
    links = [line for line in md.splitlines() if "](audio/" in line]
    assert len(links) == 2 and all((report_dir / p.split("](")[1].split(")")[0]).is_file() for p in links)
    assert (report_dir / "latency.png").stat().st_size > 1000


def test_failed_expectations_are_reported_and_exit_1(tmp_path, capsys):
    script = write_script(tmp_path, "wrong", [
        {"user": "hello", "expect": {"tools": ["generate_music"], "reply_contains": ["banana"],
                                     "reply_excludes": ["hello"], "audio": True, "max_latency_s": 10}},
    ])
    assert main(["eval", str(script), "--offline"]) == 1
    captured = capsys.readouterr()
    assert "FAIL  wrong" in captured.out and "4 of 5 expectations" not in captured.out
    assert "0 of 1 scripts passed; 1 of 5 expectations (20%)" in captured.out
    assert "reply_contains: missing ['banana']" in captured.err and "tools: wanted ['generate_music']" in captured.err


@pytest.mark.parametrize("turns, message", [
    ([{"user": "hi", "expect": {"tool": ["x"]}}], "unknown expectation tool"),
    ([{"user": "hi", "attach": ["nope.wav"]}], "attachment .*nope.wav does not exist"),
    ([{"user": "hi", "expect": {"genres": ["jazzz-core"]}}], "not a genre Tastemaker knows"),
    ([{"user": "hi", "expect": {"max_latency_s": -1}}], "positive number"),
    ([{"text": "hi"}], "needs 'user'"),
    ([], "non-empty list of 'turns'"),
])
def test_bad_scripts_fail_before_running_with_a_clear_message(tmp_path, capsys, turns, message):
    good = write_script(tmp_path, "good", [{"user": "hello"}])
    bad = write_script(tmp_path, "bad", turns)
    assert main(["eval", str(good), str(bad), "--offline"]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and __import__("re").search(message, err)
    (tmp_path / "broken.yaml").write_text("turns: [user: {", encoding="utf-8")
    with pytest.raises(TastemakerError, match="not valid YAML"):
        load_script(tmp_path / "broken.yaml")


def test_a_wrong_script_is_said_before_the_library_is_built(tmp_path, capsys, monkeypatch):
    # a stranger's `tastemaker eval fake.wav` built the 67-piece default library for minutes before saying the file was
    # not a script, and a folder of scripts was 'no such conversation script'
    import tools.library.default as default

    built = []
    monkeypatch.setattr(default, "auto_build_enabled", lambda: True)
    monkeypatch.setattr(default, "ensure_default_library", lambda *a, **k: built.append(1))
    (tmp_path / "fake.wav").write_text("hello\n")
    assert main(["eval", str(tmp_path / "fake.wav"), "--offline"]) == 2
    assert "expected a mapping" in capsys.readouterr().err and not built
    assert main(["eval", str(tmp_path), "--offline"]) == 2
    assert "is a folder: give the scripts in it" in capsys.readouterr().err and not built


def test_the_shipped_scripts_load_and_cover_every_intent():
    scripts = [load_script(p) for p in sorted(CONVERSATIONS.glob("*.yaml"))]
    assert len(scripts) >= 8
    covered = {understand(turn.user).intent for s in scripts for turn in s.turns}
    everything = {i.name for i in intents.INTENTS if i.name != intents.OUT_OF_SCOPE} | {intents.REFUSE_FILE}
    assert everything <= covered, f"no script for {everything - covered}"
    refinements = {turn.user for s in scripts for turn in s.turns if understand(turn.user).intent == intents.REFINE}
    assert {"more jazz", "faster", "another one"} <= refinements
    assert any("more energetic" in r for r in refinements)
    assert all(turn.expect for s in scripts for turn in s.turns), "every shipped turn checks something"


def test_a_crashing_turn_fails_that_turn_and_the_rest_still_runs(tmp_path, capsys, monkeypatch):
    from agent.graph import ChatAgent

    real_send = ChatAgent.send

    def send(self, text, *args, **kwargs):
        if text == "boom":
            raise RuntimeError("the agent fell over")
        return real_send(self, text, *args, **kwargs)

    monkeypatch.setattr(ChatAgent, "send", send)
    script = write_script(tmp_path, "crash", [{"user": "boom"}, {"user": "hello", "expect": {"tools": []}}])
    assert main(["eval", str(script), "--offline", "--json"]) == 1
    first, second = json.loads(capsys.readouterr().out)["scripts"][0]["turns"]
    assert first["failures"] == ["no crash: RuntimeError: the agent fell over"] and second["passed"]


def test_a_script_leaves_the_library_as_it_found_it(tmp_path, song, capsys, monkeypatch):
    """What a script adds to the library is taken out after it, so the next script cannot retrieve it."""
    from tools.library import open_library

    monkeypatch.setenv("TASTEMAKER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TASTEMAKER_DEFAULT_LIBRARY", "0")
    script = write_script(tmp_path, "adds", [
        {"user": "add this to my library", "attach": ["songs/mine.wav"],
         "expect": {"tools": ["add_to_library"], "reply_contains": ["library"]}},
    ])
    assert main(["eval", str(script), "--json", "--offline"]) == 0
    (turn,) = json.loads(capsys.readouterr().out)["scripts"][0]["turns"]
    assert turn["passed"], turn["failures"]
    with open_library() as library:
        assert len(library) == 0
        assert not list((library.files_dir / "added").glob("*"))
