"""Many listeners, many machines: the same product on a Ray cluster and a PostgreSQL database, for real.

A local Ray cluster (a head and two worker nodes, tests.services.ray_cluster) and a PostgreSQL server from
Debian's package (tests.services.postgres_server) start once for this module, in temporary places, and
stop after it. Select these tests with `-m services`; the rest of the suite needs neither.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from agent.web.client import ChatClient
from tests.conftest import tone_mix
from tests.services import (
    chat_server,
    crash_once,
    free_port,
    new_database,
    postgres_server,
    ray_cluster,
    started,
)
from tools import jobs
from tools.library.store import KINDS, Library, NewTrack

REPO = Path(__file__).resolve().parents[1]
SONG = REPO / "conversations" / "audio" / "rock_band.flac"
RATE = 16000

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def postgres_server_url():
    with contextlib.ExitStack() as stack:
        yield started(stack, postgres_server())


@pytest.fixture
def postgres_url(postgres_server_url, request):
    """A database of its own for each test, on the module's server."""
    return new_database(postgres_server_url, request.node.name.lower()[:60])


@pytest.fixture(scope="module")
def ray_address():
    with contextlib.ExitStack() as stack:
        yield started(stack, ray_cluster(workers=2))


@pytest.fixture
def on_ray(ray_address):
    """This process runs its jobs on the cluster for the test (as `--ray` does), and goes back after."""
    jobs.use_ray(ray_address)
    try:
        yield jobs.engine()
    finally:
        jobs.use_ray(None)
        os.environ.pop("TASTEMAKER_RAY_ADDRESS", None)
        jobs.engine()  # back to the in-process engine: this process leaves the cluster


def write_clips(folder: Path, count: int, seconds: float = 1.5, first_seed: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"piece{n:02d}.wav"
        sf.write(str(path), tone_mix(seconds=seconds, sr=RATE, seed=first_seed + n), RATE)
        paths.append(path)
    return paths


def cli(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "agent.cli", *args], env=env, cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def base_env(home: Path, **more: str) -> dict[str, str]:
    return dict(os.environ, TASTEMAKER_HOME=str(home), TASTEMAKER_DEFAULT_LIBRARY="0", PYTHONPATH=str(REPO), **more)


def stored_count(home: Path) -> int:
    try:
        with sqlite3.connect(home / "tastemaker.db", timeout=5) as db:
            return int(db.execute("SELECT COUNT(*) FROM tracks").fetchone()[0])
    except sqlite3.Error:
        return 0  # not created yet


# ---- the library, fanned out over Ray ---------------------------------------------------------------------------


def test_a_folder_added_through_ray_and_stopped_half_way_ends_with_each_track_once(ray_address, tmp_path):
    """`library add --ray` fans the folder out over the workers; the machine running it goes away after its first
    batch; run again, it adds the rest: nothing lost, nothing twice, and what the workers stored is what the real
    tagger hears."""
    folder = tmp_path / "music"
    paths = write_clips(folder, 24, first_seed=100)
    (folder / "copy-of-piece00.wav").write_bytes(paths[0].read_bytes())  # the same recording twice
    (folder / "notes.wav").write_text("not audio at all")
    home = tmp_path / "home"
    env = base_env(home, TASTEMAKER_RAY_ADDRESS=ray_address)
    first = cli("library", "add", str(folder), "--ray", "--json", env=env)
    deadline = time.monotonic() + 300
    while stored_count(home) == 0 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    kept = stored_count(home)
    assert 0 < kept < 24  # stopped half-way: its batches written whole, nothing after them

    second = cli("library", "add", str(folder), "--ray", "--json", env=env)
    out, err = second.communicate(timeout=600)
    assert second.returncode == 2, err  # one file could not be read: a user error
    assert "Traceback" not in err and "tagging on Ray: 2 workers" in err
    report = json.loads(out)
    assert len(report["added"]) == 24 - kept
    assert len(report["duplicates"]) == kept + 1  # what the first run stored, and the copy
    assert [Path(f["file"]).name for f in report["failed"]] == ["notes.wav"]
    assert "not audio we can read" in report["failed"][0]["error"]

    lib = Library(home)
    tracks = lib.list()
    assert len(tracks) == 24
    assert len({t.content_hash for t in tracks}) == len({t.audio_path for t in tracks}) == 24
    assert lib.index("audio").count == lib.index("text").count == 24
    from tools.audio import load_clip
    from tools.tagger import tag_full

    stored = next(t for t in tracks if Path(t.audio_path).name == "piece03.wav")
    here = tag_full(load_clip(paths[3], sample_rate=16000))
    assert stored.tags["ambient"] == pytest.approx(round(here.genres.probabilities["ambient"], 4), abs=1e-4)
    assert stored.genre == here.genres.top(1)[0][0]


def test_a_worker_that_dies_under_a_job_is_replaced_and_the_job_retried(on_ray, tmp_path):
    batch = [jobs.Job(crash_once, (str(tmp_path / f"crashed-{n}"), n), name=f"job {n}") for n in range(4)]
    outcomes = sorted(jobs.stream(batch), key=lambda o: o.index)
    assert [(o.ok, o.value) for o in outcomes] == [(True, n * n) for n in range(4)]
    assert all((tmp_path / f"crashed-{n}").exists() for n in range(4))  # each one's first worker did die
    assert jobs.run(jobs.Job(crash_once, (str(tmp_path / "crashed-task"), 7))) == 49  # a chat's task, too


def test_chat_jobs_on_ray_give_what_this_process_gives(on_ray, tmp_path):
    from tools.audio import clip_from_array
    from tools.contracts import TasteProfile
    from tools.generate import GenerationRequest, generate
    from tools.loop import LoopConfig, create
    from tools.tagger import tag_full

    clip = clip_from_array(tone_mix(seconds=4.0, sr=RATE, seed=3), RATE, name="tone")
    request = GenerationRequest(prompt="calm jazz piano", seconds=2, engine="sketch", seed=5,
                                output=str(tmp_path / "ray.wav"))
    profile, config = TasteProfile(genres={"jazz": 0.8}), LoopConfig(max_iters=1, candidates=2, seconds=3, seed=11)
    remote_tags = tag_full(clip).genres.probabilities
    said: list[tuple[float, str]] = []  # a chat turn's progress callback stays here; the job goes
    remote_piece = generate(request, progress=lambda fraction, words: said.append((fraction, words)))[0]
    assert said == [(1.0, "done")]
    remote_loop = create(profile, ["jazz"], config)

    jobs.use_ray(None)  # the same, in this process
    assert not jobs.engine().remote
    assert tag_full(clip).genres.probabilities == pytest.approx(remote_tags, abs=1e-6)
    local_piece = generate(GenerationRequest(prompt="calm jazz piano", seconds=2, engine="sketch", seed=5,
                                             output=str(tmp_path / "here.wav")))[0]
    # the same piece (FluidSynth's rendering differs in the last bits from one process to another)
    assert Path(remote_piece.midi_path).read_bytes() == Path(local_piece.midi_path).read_bytes()
    assert np.allclose(sf.read(remote_piece.audio_path)[0], sf.read(local_piece.audio_path)[0], atol=0.01)
    local_loop = create(profile, ["jazz"], config)
    assert [a.generation.seed for a in remote_loop.attempts] == [a.generation.seed for a in local_loop.attempts]
    for remote, local in zip(remote_loop.attempts, local_loop.attempts, strict=True):  # candidate order kept
        assert remote.predicted == pytest.approx(local.predicted, abs=0.02)  # heard in near-identical audio


def test_an_address_where_no_cluster_answers_is_one_line(tmp_path):
    env = base_env(tmp_path / "home", TASTEMAKER_RAY_ADDRESS=f"127.0.0.1:{free_port()}")
    proc = cli("library", "add", str(tmp_path), "--ray", env=env)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert err.strip().startswith("tastemaker: No Ray cluster answers at 127.0.0.1:")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


# ---- shared state in PostgreSQL ---------------------------------------------------------------------------------


def _new_track(n: int) -> NewTrack:
    rng = np.random.default_rng(n)
    return NewTrack(id=f"t{n}", title=f"Track {n}", content_hash=hashlib.sha256(f"track {n}".encode()).hexdigest(),
                    text_vec=rng.standard_normal(KINDS["text"]), audio_vec=rng.standard_normal(KINDS["audio"]),
                    genre="rock" if n % 2 else "jazz")


def test_two_servers_writing_the_same_postgres_catalogue_at_once_store_each_track_once(postgres_url, tmp_path):
    one, other = Library(tmp_path / "one", database_url=postgres_url), Library(tmp_path / "two",
                                                                               database_url=postgres_url)
    start, written = threading.Barrier(2), {}

    def add(name: str, lib: Library, numbers: range) -> None:
        start.wait()
        written[name] = lib.insert([_new_track(n) for n in numbers])

    threads = [threading.Thread(target=add, args=("one", one, range(0, 12))),
               threading.Thread(target=add, args=("two", other, range(6, 20)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    added = len(written["one"].added) + len(written["two"].added)
    present = len(written["one"].duplicates) + len(written["two"].duplicates)
    assert (added, present) == (20, 6)  # the overlap: stored by whoever wrote first, "already present" for the other
    assert len(one) == len(other) == 20
    # each server's own search index catches up with what the other wrote
    assert one.index("audio").count == other.index("audio").count == 20
    removed = other.remove("t3")
    assert removed.id == "t3" and len(one) == 19 and one.index("text").count == 19
    one.close()
    other.close()


def test_taste_is_kept_in_postgres_when_configured(postgres_url, monkeypatch):
    from tools.contracts import Generation, Tags, TasteProfile
    from tools.taste import store

    monkeypatch.setenv("TASTEMAKER_DATABASE_URL", postgres_url)
    store.save_profile("alice", TasteProfile(genres={"jazz": 0.7}))
    piece = Generation(audio_path="x.wav", sample_rate=32000, engine="sketch", model="m", prompt="rock", seed=1,
                       duration=1.0, tags=Tags("genres", {"rock": 0.9}))
    assert store.record_feedback("alice", piece, liked=True).genres == {"jazz": 0.7, "rock": 0.15}
    assert store.feedback_count("alice") == {"liked": 1, "disliked": 0}
    assert store.load_profile("bob") is None
    monkeypatch.delenv("TASTEMAKER_DATABASE_URL")
    assert store.load_profile("alice") is None  # the SQLite store of the data directory never saw her


def test_a_taste_made_of_songs_words_and_ratings_is_the_same_in_postgres_and_sqlite(postgres_url, monkeypatch,
                                                                                   tmp_path):
    """The same steps (a song, words, a like, a mild dislike, a song taken out) build the same profile in both."""
    import numpy as np

    from tools.contracts import Generation, Tags
    from tools.taste import store
    from tools.taste.analysis import ClipAnalysis

    def song(name: str, genres: dict[str, float], tempo: float) -> ClipAnalysis:
        return ClipAnalysis(name=name, duration=30.0, genres=genres, moods={"happy": 0.4}, instruments={"guitar": 0.6},
                            tempo=tempo, key="A", mode="minor", key_clarity=0.5, energy=0.6, brightness=0.4,
                            embedding=np.zeros(8, dtype=np.float32))

    def piece(genres: dict[str, float]) -> Generation:
        return Generation(audio_path="x.wav", sample_rate=32000, engine="sketch", model="m", prompt="p", seed=1,
                          duration=1.0, tags=Tags("genres", genres))

    def steps() -> tuple:
        store.remember_song("carol", "k1", song("one.wav", {"rock": 0.8, "blues": 0.3}, 120.0))
        store.remember_song("carol", "k1", song("one.wav", {"rock": 0.8, "blues": 0.3}, 120.0))  # once per song
        store.remember_song("carol", "k2", song("two.wav", {"jazz": 0.7}, 96.0))
        store.remember_words("carol", "I love mellow jazz")
        store.record_feedback("carol", piece({"jazz": 0.9}), liked=True)
        store.record_feedback("carol", piece({"rock": 0.9}), liked=False, strength=0.3)  # a radio skip
        profile = store.forget_song("carol", "k1")
        return profile, [s.key for s in store.taste_songs("carol")], store.feedback_count("carol")

    monkeypatch.setenv("TASTEMAKER_HOME", str(tmp_path / "home"))
    in_sqlite = steps()
    monkeypatch.setenv("TASTEMAKER_DATABASE_URL", postgres_url)
    in_postgres = steps()
    assert in_postgres == in_sqlite
    profile, songs, counts = in_postgres
    assert songs == ["k2"] and counts == {"liked": 1, "disliked": 1} and "jazz" in profile.genres
    import psycopg

    with psycopg.connect(postgres_url) as db:  # the rows are in PostgreSQL itself
        assert db.execute("""SELECT (SELECT COUNT(*) FROM taste_songs), (SELECT COUNT(*) FROM taste_words),
                                    (SELECT SUM(strength) FROM feedback)""").fetchone() == (1, 1, 1.3)
    store.reset_taste("carol")
    assert store.load_profile("carol") is None and store.taste_songs("carol") == []


def test_two_app_servers_sharing_postgres_serve_the_same_person(postgres_url, ray_address, tmp_path):
    """Behind a load balancer a person's next request may reach another server: it knows their chats, their
    taste and their library. The first server's heavy jobs run on the Ray cluster, the second's in-process."""
    password = "many-listeners"
    common = base_env(tmp_path, CHAINLIT_AUTH_SECRET="s" * 64, TASTEMAKER_PASSWORD=password,
                      TASTEMAKER_DATABASE_URL=postgres_url, TASTEMAKER_AUDIO_DIR=str(tmp_path / "shared-audio"),
                      TASTEMAKER_SESSION_KEEP_S="1")

    async def signed_in(url: str) -> ChatClient:
        client = ChatClient(url)
        await client.load_page()
        assert (await client.login("tastemaker", password)).status_code == 200
        await client.open()
        return client

    async def scenario(first_url: str, second_url: str):
        first = await signed_in(first_url)
        upload = (await first.upload(SONG)).json()["id"]
        described = await first.send("what is this song?", files=[{"id": upload}])
        added = await first.send("add it to my library")
        made = await first.send("make me a 3 second jazz track")
        await first.send("I love it")
        await first.close()
        second = await signed_in(second_url)
        taste = await second.send("what's my taste?")
        found = await second.send("search the library for rock band")
        threads = await second.threads()
        steps = {}
        for thread in threads:
            answer = await second.get(f"/project/thread/{thread['id']}")
            steps[thread["id"]] = [s.get("output", "") for s in answer.json().get("steps", [])]
        await second.close()
        return described, added.text, made, taste.text, found, steps

    with chat_server(dict(common, TASTEMAKER_HOME=str(tmp_path / "server-a"), TASTEMAKER_RAY_ADDRESS=ray_address)) \
            as first_url, chat_server(dict(common, TASTEMAKER_HOME=str(tmp_path / "server-b"))) as second_url:
        described, added, made, taste, found, steps = asyncio.run(scenario(first_url, second_url))
    assert "sounds like" in described.text and "Sorry" not in described.text  # tagged on a Ray worker
    assert any(e.get("type") == "audio" for e in made.elements) and "Sorry" not in made.text  # rendered there
    assert "added" in added.lower() and "rock band" in added.lower()
    # the song described and the like given on the first server are the taste the second one reads
    assert "From 1 song" in taste and "rock 0." in taste
    import psycopg

    with psycopg.connect(postgres_url) as db:
        liked = db.execute("""SELECT liked, genres FROM feedback WHERE "user" = 'tastemaker'""").fetchall()
        saved = db.execute("""SELECT profile FROM taste_profiles WHERE "user" = 'tastemaker'""").fetchone()
    profile = json.loads(saved[0])
    assert len(liked) == 1 and liked[0][0] == 1 and "jazz" in json.loads(liked[0][1])
    assert profile["genres"].get("jazz", 0) > 0  # the like pulled the shared profile toward the piece's genres
    assert any(e.get("type") == "audio" for e in found.elements)  # the song added there plays here
    assert "rock band" in found.text.lower()
    first_chat = [said for said in steps.values() if "make me a 3 second jazz track" in said]
    assert len(first_chat) == 1 and "I love it" in first_chat[0]  # the first server's chat, read through the second
    kept = tmp_path / "shared-audio"  # a kept chat's state and files are in the shared folder: any server reopens it
    assert list(kept.glob("chats/*/*.json")) and list(kept.glob("chat-files/**/*.wav"))
