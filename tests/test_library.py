"""The library store and ingest: real SQLite, real FAISS, the real tagger and text model, small audio."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.conftest import tone_mix
from tests.test_library_audio import RATE, write_tagged_wav
from tools.errors import TastemakerError
from tools.library import index as index_module
from tools.library import open_library
from tools.library.index import VectorIndex
from tools.library.store import Library
from tools.retrieve import search_text

REPO = Path(__file__).resolve().parents[1]


def _tone(seed: int, seconds: float = 4.0) -> np.ndarray:
    return tone_mix(seconds=seconds, sr=RATE, seed=seed)


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def music_folder(tmp_path) -> Path:
    """Two good recordings (one nested, one with its own tags), a corrupt WAV and a text file posing as MP3."""
    folder = tmp_path / "music"
    write_tagged_wav(folder / "first.wav", _tone(1), title="Night Drive", artist="The Testers", genre="Rock",
                     comment="loud guitars at midnight")
    (folder / "nested" / "deeper").mkdir(parents=True)
    sf.write(str(folder / "nested" / "deeper" / "second_song.flac"), _tone(2), RATE)
    (folder / "broken.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt " + os.urandom(64))
    (folder / "notes.mp3").write_text("this is not audio at all\n")
    return folder


def test_add_folder_reads_tags_skips_bad_files_and_dedupes(home, music_folder):
    lib = open_library(home)
    report = lib.add_paths([music_folder], progress=False)

    assert sorted(Path(t.audio_path).name for t in report.added) == ["first.wav", "second_song.flac"]
    failed = {Path(f).name: why for f, why in report.failed}
    assert set(failed) == {"broken.wav", "notes.mp3"}
    assert "not audio we can read" in failed["broken.wav"] and "text" in failed["notes.mp3"]

    tagged = next(t for t in report.added if t.title == "Night Drive")
    assert tagged.artist == "The Testers" and tagged.description == "loud guitars at midnight"
    assert tagged.genre == "rock" and tagged.extra["declared_genre"] == "Rock"
    assert tagged.extra["predicted_genre"]  # the tagger's own top genre is kept beside the declared one
    plain = next(t for t in report.added if t.title != "Night Drive")
    assert plain.title == "second song" and plain.genre == plain.extra["predicted_genre"]
    assert set(plain.tags) >= {"rock", "classical", "guitar", "piano"} and 0 <= max(plain.tags.values()) <= 1
    assert abs(plain.duration - 4.0) < 0.01 and len(plain.content_hash) == 64

    # the same content again (even under another name) is a no-op
    copy = music_folder / "copy_of_first.wav"
    copy.write_bytes((music_folder / "first.wav").read_bytes())
    again = lib.add_paths([music_folder / "first.wav", copy, music_folder / "nested"], progress=False)
    assert again.added == [] and len(again.duplicates) == 3 and len(lib) == 2
    assert lib.index("text").count == lib.index("audio").count == 2


def test_missing_paths_and_empty_folders_are_reported(home, tmp_path):
    (tmp_path / "empty").mkdir()
    report = open_library(home).add_paths([tmp_path / "empty", tmp_path / "nowhere.wav"], progress=False)
    reasons = dict(report.failed)
    assert "no audio files" in reasons[str(tmp_path / "empty")]
    assert "no such file" in reasons[str(tmp_path / "nowhere.wav")]


def test_manifests_csv_and_json(home, tmp_path):
    sf.write(str(tmp_path / "a.wav"), _tone(3), RATE)
    sf.write(str(tmp_path / "b.wav"), _tone(4), RATE)
    csv_manifest = tmp_path / "collection.csv"
    csv_manifest.write_text(
        "id,title,composer,description,path,genre,period\n"
        "quartet-1,Quartet in G,A. Composer,a gentle string quartet,a.wav,classical,Classical\n"
    )
    json_manifest = tmp_path / "more.json"
    json_manifest.write_text(json.dumps({"tracks": [
        {"id": "song-2", "title": "Harbour Song", "artist": "Sea Folk", "keywords": ["sea shanty", "folk"],
         "path": str(tmp_path / "b.wav")}]}))
    lib = open_library(home)
    assert [t.id for t in lib.add_manifest(csv_manifest, progress=False).added] == ["quartet-1"]
    assert [t.id for t in lib.add_manifest(json_manifest, progress=False).added] == ["song-2"]

    quartet = lib.get("quartet-1")
    assert (quartet.artist, quartet.genre, quartet.extra["period"]) == ("A. Composer", "classical", "Classical")
    assert quartet.description == "a gentle string quartet"
    assert lib.get("song-2").description == "sea shanty, folk"
    assert search_text("sea shanty", k=1, library=lib)[0].track.id == "song-2"

    bad = tmp_path / "bad.csv"
    bad.write_text("id,title\nx,No path here\n")
    with pytest.raises(TastemakerError, match="no 'path'"):
        lib.add_manifest(bad, progress=False)
    with pytest.raises(TastemakerError, match="no such manifest"):
        lib.add_manifest(tmp_path / "missing.json", progress=False)
    reused = tmp_path / "reused.csv"
    sf.write(str(tmp_path / "c.wav"), _tone(5), RATE)
    reused.write_text("id,title,path\nquartet-1,Another,c.wav\n")
    report = lib.add_manifest(reused, progress=False)
    assert report.added == [] and "already used" in report.failed[0][1]


def test_remove_and_rebuild(home, tmp_path):
    for seed in (6, 7, 8):
        sf.write(str(tmp_path / f"t{seed}.wav"), _tone(seed), RATE)
    lib = open_library(home)
    ids = [t.id for t in lib.add_paths([tmp_path], progress=False).added]
    assert len(ids) == 3
    gone = lib.remove(ids[0])
    assert gone.id == ids[0] and Path(gone.audio_path).exists()  # a user's own file is never deleted
    assert [t.id for t in lib.list()] == ids[1:]
    assert ids[0] not in {r.track.id for r in search_text("tone", k=5, library=lib)}
    with pytest.raises(TastemakerError, match="No track with id"):
        lib.remove(ids[0])

    # a deleted (or corrupt) index file is rebuilt from the database
    lib.index_path("audio").write_bytes(b"garbage")
    fresh = Library(home)
    assert fresh.index("audio").count == 2 and fresh.index("audio").version == fresh.version()
    fresh.rebuild()
    assert VectorIndex.load(fresh.index_path("text")).count == 2


def test_failure_inside_a_write_changes_nothing(home, tmp_path, monkeypatch):
    sf.write(str(tmp_path / "one.wav"), _tone(9), RATE)
    lib = open_library(home)
    lib.add_paths([tmp_path / "one.wav"], progress=False)
    version = lib.version()
    sf.write(str(tmp_path / "two.wav"), _tone(10), RATE)

    def crash(self, v):
        raise RuntimeError("power cut")

    monkeypatch.setattr(Library, "_set_version", crash)  # fails after the INSERT, before COMMIT
    with pytest.raises(RuntimeError, match="power cut"):
        lib.add_paths([tmp_path / "two.wav"], progress=False)
    monkeypatch.undo()
    assert len(lib) == 1 and lib.version() == version
    assert lib.index("text").count == 1


def test_crash_between_commit_and_index_save_is_repaired(home, tmp_path, monkeypatch):
    sf.write(str(tmp_path / "one.wav"), _tone(11), RATE)
    sf.write(str(tmp_path / "two.wav"), _tone(12), RATE)
    lib = open_library(home)
    lib.add_paths([tmp_path / "one.wav"], progress=False)

    def crash(self, path):
        path.with_name(f".{path.name}.part").write_bytes(b"half an index")
        raise KeyboardInterrupt  # killed while writing the index

    monkeypatch.setattr(VectorIndex, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        lib.add_paths([tmp_path / "two.wav"], progress=False)
    monkeypatch.undo()
    reopened = Library(home)
    assert len(reopened) == 2
    assert VectorIndex.load(reopened.index_path("text")).version < reopened.version()  # old index still on disk
    assert reopened.index("text").count == 2 and reopened.index("audio").count == 2  # rebuilt on use
    assert len(search_text("music", k=5, library=reopened)) == 2


KILL_SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    import tools.library.ingest as ingest
    ingest.BATCH_SIZE = 1  # one transaction per file, so the kill lands between and inside batches
    from tools.library import open_library
    lib = open_library(Path(sys.argv[1]))
    insert = lib.insert
    def reporting_insert(items, **kwargs):
        out = insert(items, **kwargs)
        print("committed", len(lib), flush=True)
        return out
    lib.insert = reporting_insert
    lib.add_paths([sys.argv[2]], progress=False)
    print("finished", flush=True)
""")


@pytest.mark.slow
def test_killed_build_leaves_a_working_library(home, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for seed in range(20, 28):
        sf.write(str(folder / f"piece{seed}.wav"), _tone(seed, seconds=3.0), RATE)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(home), str(folder)], cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        for line in proc.stdout:  # kill it (SIGKILL: no clean-up at all) once two batches are in
            if line.startswith("committed 2"):
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL

    lib = open_library(home)
    survivors = len(lib)
    assert 2 <= survivors < 8
    with sqlite3.connect(home / "tastemaker.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert lib.index("text").count == lib.index("audio").count == survivors
    assert len(search_text("a piece", k=10, library=lib)) == survivors
    report = lib.add_paths([folder], progress=False)  # adding again finishes the job, nothing twice
    assert len(report.added) == 8 - survivors and len(report.duplicates) == survivors and len(lib) == 8


def test_index_type_follows_size_and_filters_by_id(monkeypatch):
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((20, 64))
    vectors = centres[rng.integers(0, 20, 2000)] + 0.3 * rng.standard_normal((2000, 64))
    ids = np.arange(1000, 3000)
    exact = VectorIndex.build(ids, vectors, 64, version=1)
    assert exact.kind == "flat"
    monkeypatch.setattr(index_module, "APPROX_THRESHOLD", 500)
    approx = VectorIndex.build(ids, vectors, 64, version=1)
    assert approx.kind == "hnsw"
    queries = vectors[:50] + 0.1 * rng.standard_normal((50, 64))
    recall = np.mean([
        len({i for i, _ in approx.search(q, 10)} & {i for i, _ in exact.search(q, 10)}) / 10 for q in queries
    ])
    assert recall >= 0.9
    allowed = ids[::7]
    for index in (exact, approx):
        hits = index.search(queries[0], 5, allowed_ids=allowed)
        assert len(hits) == 5 and {i for i, _ in hits} <= set(allowed.tolist())
        assert index.search(queries[0], 5, allowed_ids=np.array([], dtype=np.int64)) == []
    best_id, best_score = exact.search(vectors[3], 1)[0]
    assert best_id == 1003 and best_score == pytest.approx(1.0, abs=1e-5)


def test_loading_faiss_logs_nothing_a_person_would_read(tmp_path):
    """faiss's loader logs its failed AVX2/AVX512 imports ('ModuleNotFoundError(...)') at INFO; `tastemaker chat`
    shows INFO lines, so importing the index module must leave faiss.loader silent below WARNING."""
    probe = textwrap.dedent("""
        import logging, sys
        logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, format="%(name)s %(levelname)s %(message)s")
        import tools.library.index
        import faiss
        assert faiss.IndexFlatIP(4).d == 4
        print("loaded")
    """)
    root = str(Path(index_module.__file__).resolve().parents[2])  # the tools this test imported, not another tree's
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                         env=dict(os.environ, PYTHONPATH=root))
    assert out.returncode == 0 and "loaded" in out.stdout, out.stderr[-2000:]
    assert [line for line in out.stdout.splitlines() if line.startswith("faiss.loader")] == [], out.stdout
