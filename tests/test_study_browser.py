"""The listening study in a real browser: Playwright (pip) drives Debian's Chromium against `tastemaker study serve`.

A rater opens the study's link, hears each clip (the player's audio is served), rates every trial 1-5 through the
form, reaches the thank-you page; a second rater answers the two-choice form; `results` summarises what they did.
Never `playwright install`: /usr/bin/chromium is used.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest
import soundfile as sf

from tests.conftest import tone_mix
from tests.test_browser import browser, free_port, pytestmark  # noqa: F401 (fixture, marks reused)
from tools.evaluate import study as studies
from tools.settings import get_settings


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("study-audio")
    for name, level in (("machine", 0.1), ("human", 0.5)):
        (root / name).mkdir()
        for i in range(2):
            sf.write(str(root / name / f"{name}{i}.wav"), tone_mix(seconds=2.0, seed=i, level=level), 22050)
    return root / "machine", root / "human"


@pytest.fixture(scope="module")
def server():
    """`tastemaker study serve` in its own process, sharing this test session's data directory."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "agent.cli", "study", "serve", "--port", str(port)],
                            env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/study/00000000", timeout=2)
        except urllib.error.HTTPError:  # our 404 page: the server is up
            break
        except OSError:
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def conditions(study_id: str) -> dict[str, str]:
    with sqlite3.connect(get_settings().home / "tastemaker.db") as db:
        return dict(db.execute("SELECT token, condition FROM study_clips WHERE study = ?", (study_id,)))


def test_rate_a_study_in_the_browser_and_summarise(folders, server, browser):
    study = studies.create_study(*folders, kind="rating", question="How natural does this sound?")
    cond = conditions(study.id)
    page = browser.new_page()
    page.goto(f"{server}/study/{study.id}")
    assert page.locator("#question").inner_text() == "How natural does this sound?"
    for position in range(1, 5):
        assert f"Trial {position} of 4" in page.locator(".progress").inner_text()
        src = page.locator("audio").get_attribute("src")
        token = src.rsplit("/", 1)[1].removesuffix(".wav")
        assert "machine" not in src and "human" not in src and "machine" not in page.content()
        audio = page.request.get(server + src)
        assert audio.ok and audio.headers["content-type"] == "audio/wav" and audio.body()[:4] == b"RIFF"
        # This rater prefers the human recordings.
        page.check(f"input[name=score][value='{2 if cond[token] == 'a' else 5}']")
        page.click("#next")
    page.wait_for_selector("#done")
    summary = studies.results(study.id)
    assert summary["raters"] == 1 and summary["responses"] == 4
    assert summary["conditions"]["a"]["mean"] == 2.0 and summary["conditions"]["b"]["mean"] == 5.0
    assert summary["mann_whitney"]["rank_biserial"] == -1.0


def test_two_choice_study_in_the_browser(folders, server, browser):
    study = studies.create_study(*folders, kind="choice", seed=0)
    cond = conditions(study.id)
    page = browser.new_page()
    page.goto(f"{server}/study/{study.id}")
    for _ in range(len(study.trials)):
        tokens = [s.rsplit("/", 1)[1].removesuffix(".wav") for s in
                  page.locator("audio").evaluate_all("els => els.map(e => e.getAttribute('src'))")]
        assert len(tokens) == 2 and {cond[t] for t in tokens} == {"a", "b"}
        page.click(f"#pick-{[cond[t] for t in tokens].index('a') + 1}")  # always finds the machine
    page.wait_for_selector("#done")
    summary = studies.results(study.id)
    assert summary["correct"] == summary["responses"] == len(study.trials) == 2
