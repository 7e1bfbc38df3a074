"""`synth-dataset`: generated clips per genre (the offline sketch engine), as a folder dataset with a manifest."""

from __future__ import annotations

import csv

import pytest

from agent.cli import main
from tools.audio import load_clip
from tools.classify import load_dataset
from tools.classify import synth as synth_module
from tools.classify.synth import synth_dataset
from tools.errors import ModelMissingError, UnknownLabelError


def test_sketch_engine_makes_a_labelled_folder_dataset(tmp_path, monkeypatch):
    out = tmp_path / "synthetic"
    manifest = synth_dataset(["Rock", "jazz"], 2, out, engine="sketch", seconds=2.0, seed=5, progress=False)
    rows = list(csv.DictReader(manifest.open()))
    assert [r["labels"] for r in rows] == ["rock", "rock", "jazz", "jazz"]
    assert rows[0]["prompt"] == f"A rock track. {rows[0]['description']}."
    assert rows[0]["description"] != rows[1]["description"]  # varied descriptions
    assert rows[0]["engine"] == "sketch" and rows[0]["model"].startswith("sketch")
    for r in rows:
        clip = load_clip(out / r["path"], 16000)
        assert clip.duration == pytest.approx(2.0, abs=0.05)
    folder = load_dataset(out, "folder")
    assert folder.labels == ["jazz", "rock"] and len(folder.examples) == 4
    assert [e.labels for e in load_dataset(manifest, "csv").examples] == [(r["labels"],) for r in rows]
    # clips on disk are kept: a second run with more per genre makes only the new ones
    made = []
    real_generate = __import__("tools.generate", fromlist=["generate"]).generate
    monkeypatch.setattr("tools.generate.generate", lambda req: made.append(req.output) or real_generate(req))
    synth_dataset(["rock", "jazz"], 3, out, engine="sketch", seconds=2.0, seed=5, progress=False)
    assert sorted(p.split("/")[-1] for p in made) == ["jazz_002.wav", "rock_002.wav"]
    assert len(list(csv.DictReader((out / "manifest.csv").open()))) == 6


def test_bad_requests_are_refused_before_any_work(tmp_path, monkeypatch):
    with pytest.raises(UnknownLabelError, match="polka"):
        synth_dataset(["rock", "polka"], 1, tmp_path / "x", progress=False)
    with pytest.raises(Exception, match="at least two different genres"):
        synth_dataset(["rock", "Rock"], 1, tmp_path / "x", progress=False)
    monkeypatch.setenv("TASTEMAKER_MUSICGEN_MODEL", str(tmp_path / "no-such-model"))
    with pytest.raises(ModelMissingError, match="--engine sketch"):
        synth_dataset(["rock", "jazz"], 1, tmp_path / "x", engine="musicgen", progress=False)
    assert not (tmp_path / "x").exists()
    assert synth_module.prompt_for("jazz", 0)[0].startswith("A jazz track. ")


def test_cli(tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["synth-dataset", "--genres", "folk,electronic", "--per-genre", "1", "--seconds", "1.5",
                 "--out", str(out)]) == 0
    assert "manifest:" in capsys.readouterr().out
    assert sorted(p.parent.name for p in out.rglob("*.wav")) == ["electronic", "folk"]
    assert main(["synth-dataset", "--genres", "rock,zydecoo", "--per-genre", "1", "--out", str(out)]) == 2
    assert "zydecoo" in capsys.readouterr().err
