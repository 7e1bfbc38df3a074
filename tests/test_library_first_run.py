"""A fresh data directory: the built-in library builds in the background, with a status, and the chat says how
far it is instead of waiting minutes behind a spinner."""

from __future__ import annotations

import time

from agent.graph import ChatAgent
from tools.library import default as default_module
from tools.library import open_library
from tools.library.catalogue import PIECES


def test_the_build_runs_in_the_background_and_reports_progress(tmp_path, monkeypatch):
    monkeypatch.setenv("TASTEMAKER_HOME", str(tmp_path))
    two = [p for p in PIECES if p.id in ("bach-bwv1-6", "ryan-acaciareel")]
    monkeypatch.setattr(default_module, "PIECES", two)
    library = open_library()
    status = default_module.build_in_background(library)
    assert status.state == "building" and status.describe().startswith("building your music library")
    assert default_module.build_in_background(library) is status  # one build per data directory
    deadline = time.monotonic() + 600
    while status.state == "building" and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status.state == "ready" and (status.done, status.total) == (2, 2)
    assert {t.id for t in open_library().list()} == {"bach-bwv1-6", "ryan-acaciareel"}
    assert default_module.build_in_background(open_library()).state == "ready"


def test_a_search_while_it_builds_says_how_far_it_is(tmp_path, monkeypatch):
    monkeypatch.setenv("TASTEMAKER_HOME", str(tmp_path))
    building = default_module.BuildStatus(state="building", done=23, total=67)
    monkeypatch.setattr(default_module, "build_in_background", lambda library: building)
    reply = ChatAgent().send("search the library for string quartets by Beethoven")
    assert "building your music library: 23/67" in reply.text
    assert "Sorry" not in reply.text and "make you something new" in reply.text
