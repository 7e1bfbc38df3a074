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


def test_what_i_saved_is_listed_while_the_built_in_collection_builds(tmp_path, monkeypatch, write_audio):
    """'what did I save?' answered 'I'm still building your music library: 0/67' with the person's own track
    right there."""
    monkeypatch.setenv("TASTEMAKER_HOME", str(tmp_path))
    building = default_module.BuildStatus(state="building", done=3, total=67)
    monkeypatch.setattr(default_module, "build_in_background", lambda library: building)
    agent = ChatAgent(user="saver")
    song = agent.attach(str(write_audio("garage.wav")))
    added = agent.send("add it to my library as Quiet Garage", uploads=[song])
    assert "Quiet Garage" in added.text, added.text
    reply = agent.send("what did i save")
    assert "Quiet Garage" in reply.text and "still being made: 3/67" in reply.text
    search = agent.send("search the library for string quartets")
    assert "building your music library" in search.text  # a search still waits for the collection


def test_a_stopped_build_is_not_marked_built_and_a_later_start_builds_again(tmp_path, monkeypatch):
    monkeypatch.setenv("TASTEMAKER_HOME", str(tmp_path))
    two = [p for p in PIECES if p.id in ("bach-bwv1-6", "ryan-acaciareel")]
    monkeypatch.setattr(default_module, "PIECES", two)
    status = default_module.build_in_background(open_library())
    default_module.stop_background_builds()  # what the end of a chat does
    assert status.state == "idle" and not default_module.is_ready(open_library())
    again = default_module.build_in_background(open_library())
    deadline = time.monotonic() + 600
    while again.state == "building" and time.monotonic() < deadline:
        time.sleep(0.5)
    assert again.state == "ready" and {t.id for t in open_library().list()} == {"bach-bwv1-6", "ryan-acaciareel"}


def test_a_stations_library_is_the_background_build_that_stops_when_the_process_ends(tmp_path, monkeypatch):
    """`tastemaker radio` on a fresh data directory built the library in a thread of its own, which the end of the
    process did not stop: it waited minutes, then aborted ("terminate called without an active exception")."""
    from tools.contracts import TasteProfile
    from tools.radio import StationOptions
    from tools.radio.station import Station
    from tools.radio.steering import StationTaste

    monkeypatch.setenv("TASTEMAKER_HOME", str(tmp_path))
    two = [p for p in PIECES if p.id in ("bach-bwv1-6", "ryan-acaciareel")]
    monkeypatch.setattr(default_module, "PIECES", two)
    station = Station(StationTaste(TasteProfile()), StationOptions(library_share=0.5))
    station.load_library_in_background()
    deadline = time.monotonic() + 60
    while not default_module.building() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert default_module.building()  # the build the end of the process stops
    default_module.stop_background_builds()  # what atexit does
    assert not default_module.building() and not default_module.is_ready(open_library())
