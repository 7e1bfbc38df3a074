"""A/B experiments and the metrics command: real generation (sketch engine), real re-tagging, scipy tests."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from agent.cli import main
from tools.errors import TastemakerError
from tools.evaluate.ab import ABRequest, compare, load_requests, mcnemar, run_ab, write_ab_report


def test_paired_and_unpaired_tests_give_the_exact_values():
    a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    b = [x + d for x, d in zip(a, [0.5, 1.5, 2.5, 3.5, 4.5, 5.5])]  # every pair improves, by distinct amounts
    c = compare(a, b)
    assert c["wilcoxon"]["p"] == pytest.approx(2 / 2**6)  # exact: all 6 signed ranks positive
    assert c["a"]["mean"] == 3.5 and c["mean_difference"] == pytest.approx(3.0)
    assert c["a"]["ci"][0] < 3.5 < c["a"]["ci"][1]
    assert compare(a, a)["wilcoxon"]["p"] == 1.0
    m = mcnemar([False] * 6 + [True] * 2, [True] * 8)
    assert (m["only_a"], m["only_b"], m["b_rate"]) == (0, 6, 1.0) and m["p"] == pytest.approx(2 / 2**6)


@pytest.fixture(scope="module")
def ab_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ab")
    report = run_ab("plain", "weighted", [ABRequest("a calm classical piece for strings", ["classical"])], [0, 1],
                    out, seconds=3.0)
    return out, report


def test_an_ab_run_is_paired_measured_and_reported(ab_run):
    out, report = ab_run
    assert report["setups"] == {"a": "plain", "b": "weighted"} and report["pairs"] == 2
    for row in report["rows"]:
        for cond in ("a", "b"):
            r = row[cond]
            assert r["path"].startswith(str(out / cond)) and r["engine"] == "sketch"
            assert 0 <= r["jaccard"] <= 1 and r["onset_density"] > 0 and r["seconds_to_make"] > 0
    assert {p.name for p in (out / "a").iterdir()} == {"r00-s0.wav", "r00-s1.wav"} == {p.name for p in (out / "b").iterdir()}
    assert set(report["metrics"]) >= {"jaccard", "tempo_stability", "key_clarity", "onset_density"}
    assert report["fad"]["a_vs_b"] >= 0
    files = write_ab_report(report, out)
    assert json.loads(files["json"].read_text())["pairs"] == 2
    assert "[a](a/r00-s0.wav)" in files["markdown"].read_text() and files["chart"].stat().st_size > 5000


def test_ab_inputs_are_checked(tmp_path):
    with pytest.raises(TastemakerError, match="Unknown set-up 'magic'"):
        run_ab("plain", "magic", load_requests(None), [0], tmp_path)
    with pytest.raises(TastemakerError, match="two different set-ups"):
        run_ab("plain", "plain", load_requests(None), [0], tmp_path)
    bad = tmp_path / "requests.yaml"
    bad.write_text(yaml.safe_dump([{"prompt": "x", "genres": ["polka-step"]}]))
    with pytest.raises(TastemakerError, match="not a genre"):
        load_requests(bad)
    bad.write_text(yaml.safe_dump([{"prompt": "x"}]))
    with pytest.raises(TastemakerError, match="needs 'prompt'"):
        load_requests(bad)
    assert main(["metrics", "--ab", "plain", "loop"]) == 2  # no --report


def test_metrics_command_on_two_folders(ab_run, tmp_path, capsys):
    out, _ = ab_run
    targets = tmp_path / "targets.yaml"
    targets.write_text(yaml.safe_dump({"*": ["classical"], "r00-s1.wav": ["classical", "jazz"]}))
    assert main(["metrics", "--generated", str(out / "a"), "--reference", str(out / "b"), "--targets", str(targets),
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["fad"]["value"] >= 0 and result["fad"]["embeddings"] == [2, 2]
    by_name = {f["file"].rsplit("/", 1)[1]: f for f in result["files"]}
    assert by_name["r00-s0.wav"]["intended"] == ["classical"]
    assert by_name["r00-s1.wav"]["intended"] == ["classical", "jazz"]
    assert result["alignment"]["files"] == 2 and 0 <= result["alignment"]["mean_jaccard"] <= 1
    assert set(result["descriptors"]["reference"]) == {"tempo_bpm", "tempo_stability", "key_clarity", "onset_density"}
    assert main(["metrics", "--generated", str(out / "a")]) == 2
    assert "--reference" in capsys.readouterr().err


def test_metrics_reads_intended_genres_from_the_generators_sidecars(tmp_path, capsys):
    from tools.generate import GenerationRequest, generate

    (tmp_path / "gen").mkdir()
    generate(GenerationRequest(prompt="a jazz piece", seconds=3.0, seed=4, engine="sketch", candidates=2,
                               output=str(tmp_path / "gen" / "piece.wav")))
    shutil.copytree(tmp_path / "gen", tmp_path / "ref")
    (tmp_path / "gen" / "piece.json").unlink()  # this one has no sidecar: no intended genres
    assert main(["metrics", "--generated", str(tmp_path / "gen"), "--reference", str(tmp_path / "ref")]) == 0
    text = capsys.readouterr().out
    assert "FAD (musicnn): 0.000" in text  # the same audio on both sides
    assert "piece.wav: wanted" not in text and "wanted jazz" in text and "alignment over 1 files" in text


def test_metrics_of_a_file_that_is_not_there_names_it_in_one_line(tmp_path, capsys):
    """`tastemaker metrics /nope.wav` printed the top-level usage and nothing about the file."""
    missing = tmp_path / "nope.wav"
    assert main(["metrics", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"tastemaker: '{missing}': no such file. Check the path and try again."
    there = tmp_path / "song.wav"
    there.write_bytes(b"RIFF")
    assert main(["metrics", str(there)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--generated DIR --reference DIR" in err and "usage" not in err

