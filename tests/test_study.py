"""Blind listening studies: creation (blind, loudness-matched, atomic), per-rater order, statistics."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from agent.cli import main
from tests.conftest import tone_mix
from tools.errors import TastemakerError
from tools.evaluate import study as studies
from tools.settings import get_settings


def make_folder(root: Path, name: str, n: int, level: float, seed: int = 0) -> Path:
    folder = root / name
    folder.mkdir()
    for i in range(n):
        sf.write(str(folder / f"{name}-secret-{i}.wav"), tone_mix(seconds=2.0, seed=seed + i, level=level), 22050)
    return folder


@pytest.fixture
def folders(tmp_path):
    return make_folder(tmp_path, "generated", 6, level=0.05), make_folder(tmp_path, "human", 6, level=0.6, seed=9)


def test_created_study_is_blind_and_loudness_matched(folders):
    study = studies.create_study(*folders, kind="rating")
    assert len(study.trials) == 12 and study.question == studies.QUESTIONS["rating"]
    files = sorted(study.folder.glob("*.wav"))
    assert len(files) == 12
    assert not any("secret" in f.name or "generated" in f.name or "human" in f.name for f in files)
    levels = [20 * np.log10(np.sqrt(np.mean(sf.read(str(f))[0] ** 2))) for f in files]
    # Sources differ by 22 dB; the study's clips are all at the same level.
    assert max(levels) - min(levels) < 0.5 and abs(np.mean(levels) - studies.TARGET_DBFS) < 0.5
    assert {sf.info(str(f)).samplerate for f in files} == {studies.CLIP_RATE}
    assert studies.load_study(study.id).trials == study.trials


def test_each_rater_has_their_own_stable_order(folders):
    study = studies.create_study(*folders, kind="choice", seed=1)
    assert len(study.trials) == 6 and all(second for _, second in study.trials)
    one, two = studies.rater_order(study, "aaaa"), studies.rater_order(study, "bbbb")
    assert [t.number for t in one] != [t.number for t in two]
    assert [t.clips for t in one] == [t.clips for t in studies.rater_order(study, "aaaa")]
    assert sorted(t.number for t in one) == list(range(6))
    # The left/right position does not give the machine away: both sides hold machine clips for some trial.
    conditions = dict(sqlite3.connect(get_settings().home / "tastemaker.db").execute(
        "SELECT token, condition FROM study_clips WHERE study = ?", (study.id,)))
    assert {conditions[t.clips[0]] for t in one + two} == {"a", "b"}


def test_rating_results_means_cis_and_mann_whitney(folders):
    study = studies.create_study(*folders, kind="rating")
    conditions = {first: i < 6 for i, (first, _) in enumerate(study.trials)}  # the first six trials are A's clips
    a_scores, b_scores = iter([5, 5, 4, 4, 5, 4]), iter([1, 2, 1, 2, 2, 1])
    for trial in studies.rater_order(study, "r1"):
        is_a = conditions[trial.clips[0]]
        studies.record_response(study, "r1", trial.number, score=next(a_scores if is_a else b_scores))
    assert studies.next_trial(study, "r1") is None and studies.next_trial(study, "r2") is not None
    summary = studies.results(study.id)
    a, b = summary["conditions"]["a"], summary["conditions"]["b"]
    assert (a["n"], b["n"]) == (6, 6)
    assert a["mean"] == pytest.approx(4.5) and b["mean"] == pytest.approx(1.5)
    # t-interval by hand: sd = sqrt(0.3), sem = sd / sqrt(6), t(0.975, 5) = 2.5706
    half = 2.5706 * np.sqrt(0.3) / np.sqrt(6)
    assert a["ci"] == pytest.approx([4.5 - half, 4.5 + half], abs=1e-3)
    mw = summary["mann_whitney"]
    assert mw["u"] == 36.0 and mw["rank_biserial"] == 1.0 and mw["p"] < 0.01
    text = studies.format_results(summary)
    assert "mean 4.50" in text and "Mann-Whitney U = 36.0" in text


def test_answering_again_replaces_and_bad_answers_are_refused(folders):
    study = studies.create_study(*folders, kind="rating")
    studies.record_response(study, "r1", 0, score=2)
    studies.record_response(study, "r1", 0, score=4)
    assert studies.results(study.id)["responses"] == 1
    with pytest.raises(TastemakerError, match="1 to 5"):
        studies.record_response(study, "r1", 1, score=7)
    with pytest.raises(TastemakerError, match="no trial"):
        studies.record_response(study, "r1", 99, score=3)


def test_choice_results_binomial_against_chance(folders):
    study = studies.create_study(*folders, kind="choice", seed=3)
    conditions = dict(sqlite3.connect(get_settings().home / "tastemaker.db").execute(
        "SELECT token, condition FROM study_clips WHERE study = ?", (study.id,)))
    # Two raters, 6 pairs each: 11 of 12 picks find the machine-made clip (A).
    for rater, wrong in (("r1", 0), ("r2", 1)):
        for n, trial in enumerate(studies.rater_order(study, rater)):
            machine = next(c for c in trial.clips if conditions[c] == "a")
            human = next(c for c in trial.clips if conditions[c] == "b")
            studies.record_response(study, rater, trial.number, chosen=human if n < wrong else machine)
    summary = studies.results(study.id)
    assert summary["correct"] == 11 and summary["responses"] == 12 and summary["raters"] == 2
    b = summary["binomial"]
    assert b["proportion"] == pytest.approx(11 / 12)
    assert b["p"] == pytest.approx(2 * 13 / 4096)  # two-sided exact: 2 * P(X >= 11 | n=12, 1/2)
    assert b["ci"][0] < 11 / 12 < b["ci"][1] and b["ci"][0] > 0.5


def test_a_bad_file_leaves_nothing_behind(tmp_path):
    good = make_folder(tmp_path, "good", 2, level=0.3)
    bad = make_folder(tmp_path, "bad", 1, level=0.3)
    (bad / "broken.wav").write_text("not audio at all")
    before = set(studies.studies_dir().glob("*"))
    with pytest.raises(TastemakerError, match="broken.wav"):
        studies.create_study(good, bad)
    assert set(studies.studies_dir().glob("*")) == before
    (tmp_path / "empty").mkdir()
    with pytest.raises(TastemakerError, match="no audio files"):
        studies.create_study(good, tmp_path / "empty")
    with pytest.raises(TastemakerError, match="not a folder"):
        studies.create_study(good, tmp_path / "missing")


def test_cli_create_results_and_unknown_study(folders, capsys, tmp_path):
    assert main(["study", "create", "--a", str(folders[0]), "--b", str(folders[1]), "--kind", "choice",
                 "--json"]) == 0
    import json

    info = json.loads(capsys.readouterr().out)
    assert info["trials"] == 6 and info["path"].startswith(f"/study/{info['id']}?invite=")
    plot = tmp_path / "results.png"
    assert main(["study", "results", info["id"], "--plot", str(plot)]) == 0
    assert "no answers yet" in capsys.readouterr().out and plot.stat().st_size > 1000
    assert main(["study", "results", "ffffffff"]) == 2
    assert "no study 'ffffffff'" in capsys.readouterr().err


def test_serve_says_what_it_serves(folders, capsys, monkeypatch):
    """`tastemaker study serve` without an id sat silent; it says each study's link, or that there is none yet."""
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    assert main(["study", "serve", "--port", "9999"]) == 0
    said = capsys.readouterr().out
    assert ("No studies yet" in said) == (not studies.list_studies()) and "Ctrl-C stops" in said
    study = studies.create_study(*folders)
    assert main(["study", "serve", "--port", "9999"]) == 0
    said = capsys.readouterr().out
    assert f"http://127.0.0.1:9999/study/{study.id}?invite=" in said and "Ctrl-C stops" in said


def test_study_pages_are_served_by_the_chat_app_ahead_of_its_catch_all(folders):
    """Chainlit's server answers every unknown GET with its page; the study routes must come first."""
    from chainlit.server import app
    from fastapi.testclient import TestClient

    from agent.study_web import install_on_chainlit

    study = studies.create_study(*folders, kind="rating")
    install_on_chainlit()
    install_on_chainlit()  # twice is harmless
    # as a browser on this machine asks (localhost): another test may have put the app's guard in front (agent.app
    # installs it on import), and the guard answers a loopback server only under its own names, not 'testserver'
    client = TestClient(app, base_url="http://localhost")
    first = client.get(f"/study/{study.id}")
    assert first.status_code == 200 and "Trial 1 of 12" in first.text and "<audio" in first.text
    assert client.get("/study/ffffffff").status_code == 404
    assert "<audio" not in client.get("/some/chat/page").text  # everything else is still Chainlit's


def test_with_login_on_raters_come_only_by_invitation_and_cannot_be_invented(folders):
    """The attack: with login on, anyone could open a study and post answers under made-up rater ids."""
    from fastapi.testclient import TestClient

    from agent import study_web
    from agent.web import signing

    study = studies.create_study(*folders, kind="rating")
    client = TestClient(study_web.create_app())
    study_web.INVITE_ONLY["on"] = True
    try:
        assert client.get(f"/study/{study.id}", follow_redirects=False).status_code == 403
        assert client.get(f"/study/{study.id}?invite=0123456789abcdef0123456789abcdef",
                          follow_redirects=False).status_code == 403
        invited = client.get(study_web.invitation_link("", study.id), follow_redirects=False)
        assert invited.status_code == 303
        rater = invited.headers["location"].rsplit("/", 1)[1]
        assert signing.is_rater(study.id, rater)
    finally:
        study_web.INVITE_ONLY["on"] = False
    for made_up in ("abcdef123456", "ab" * 14, rater[:-1] + ("0" if rater[-1] != "0" else "1")):
        assert client.get(f"/study/{study.id}/r/{made_up}").status_code == 404
        posted = client.post(f"/study/{study.id}/r/{made_up}", data={"trial": "1", "score": "5"})
        assert posted.status_code == 400
    assert studies.results(study.id)["responses"] == 0  # nothing was recorded for invented raters
    ok = client.post(f"/study/{study.id}/r/{rater}", data={"trial": "1", "score": "4"}, follow_redirects=False)
    assert ok.status_code == 303 and studies.results(study.id)["responses"] == 1
    other = studies.create_study(*folders, kind="rating")
    assert not signing.is_rater(other.id, rater)  # a rater of one study is nobody in another
