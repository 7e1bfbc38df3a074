"""Datasets (folder, FMA, MuMu, manifests), splits and the feature cache: fast, on small written files."""

from __future__ import annotations

import csv
import json
from itertools import chain

import numpy as np
import pytest

from tests.conftest import tone_mix
from tools.classify import features as features_module
from tools.classify import load_dataset, split_dataset
from tools.classify.datasets import Dataset, Example
from tools.classify.features import cache_dir, dataset_sequences, make_spec
from tools.errors import TastemakerError


@pytest.fixture
def folder(tmp_path, write_audio):
    root = tmp_path / "gtzan"
    for label in ("rock", "Jazz", "My Band"):  # an artist's own class is just another folder
        (root / label).mkdir(parents=True)
        for i in range(5):
            (root / label / f"{i}.wav").write_bytes(write_audio(f"{label}{i}.wav").read_bytes())
    (root / "empty").mkdir()
    return root


def test_folder_dataset_reads_one_label_per_folder(folder):
    ds = load_dataset(folder, "folder")
    assert ds.labels == ["jazz", "my band", "rock"]
    assert len(ds.examples) == 15 and all(len(e.labels) == 1 for e in ds.examples)
    assert any("empty/" in p for p in ds.problems)


def test_stratified_split_puts_every_label_in_every_split(folder):
    ds = load_dataset(folder, "folder")
    split = split_dataset(ds, 0.2, 0.2, seed=3)
    assert sorted(chain(*split.values())) == list(range(15))  # a partition
    for part in split.values():
        assert {ds.examples[i].labels[0] for i in part} == set(ds.labels)
    assert split == split_dataset(ds, 0.2, 0.2, seed=3)  # seeded
    assert split != split_dataset(ds, 0.2, 0.2, seed=4)


def test_a_label_with_too_few_examples_is_refused(tmp_path, write_audio):
    for label, n in (("rock", 4), ("polka", 1)):
        (tmp_path / "d" / label).mkdir(parents=True)
        for i in range(n):
            (tmp_path / "d" / label / f"{i}.wav").write_bytes(write_audio(f"x{label}{i}.wav").read_bytes())
    ds = load_dataset(tmp_path / "d", "folder")
    with pytest.raises(TastemakerError, match=r"'polka' \(1\).*at least 3"):
        split_dataset(ds)


def test_empty_and_unknown_inputs_are_clear_errors(tmp_path):
    (tmp_path / "nothing" / "rock").mkdir(parents=True)
    with pytest.raises(TastemakerError, match="found no audio"):
        load_dataset(tmp_path / "nothing", "folder")
    with pytest.raises(TastemakerError, match="unknown dataset format"):
        load_dataset(tmp_path, "parquet")
    with pytest.raises(TastemakerError, match="no such file"):
        load_dataset(tmp_path / "absent", "folder")


def test_csv_and_json_manifests(tmp_path, write_audio):
    a, b, c = (write_audio(n) for n in ("a.wav", "b.wav", "c.wav"))
    with open(tmp_path / "m.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["path", "labels", "artist"])
        w.writerows([[a.name, "Rock, Pop", "X"], [str(b), "jazz", "Y"], ["gone.wav", "rock", "Z"], [c.name, "", "Z"]])
    ds = load_dataset(tmp_path / "m.csv", "csv", multi_label=True)
    assert [e.labels for e in ds.examples] == [("rock", "pop"), ("jazz",)]
    assert [e.artist for e in ds.examples] == ["X", "Y"]
    assert len(ds.problems) == 2 and "gone.wav not found" in ds.problems[0]
    with pytest.raises(TastemakerError, match="more than one label.*--multi-label"):
        load_dataset(tmp_path / "m.csv", "csv")
    (tmp_path / "m.json").write_text(json.dumps([{"path": a.name, "labels": ["Rock"], "split": "training"}]))
    [e] = load_dataset(tmp_path / "m.json", "json").examples
    assert e.labels == ("rock",) and e.split == "train"


def test_mumu_genre_strings(tmp_path, write_audio):
    root = tmp_path / "mumu"
    (root / "audio").mkdir(parents=True)
    for tid in ("B001", "B002"):
        (root / "audio" / f"{tid}.wav").write_bytes(write_audio(f"{tid}.wav").read_bytes())
    (root / "MuMu_dataset_multi-label.csv").write_text(
        'amazon_id,album_mbid,genres\nB001,m1,"Pop,Rock,Dance Pop"\nB002,m2,Jazz\nB404,m3,Rock\n'
    )
    ds = load_dataset(root, "mumu", multi_label=True)
    assert [e.labels for e in ds.examples] == [("pop", "rock", "dance pop"), ("jazz",)]
    assert ds.examples[0].path.name == "B001.wav" and ds.examples[0].artist == "m1"
    assert ds.problems == ["row 3: no audio for B404"]


def test_fma_metadata_with_its_three_header_rows(tmp_path, write_audio):
    root = tmp_path / "fma"
    meta = root / "fma_metadata"
    meta.mkdir(parents=True)
    (meta / "genres.csv").write_text("genre_id,#tracks,parent,title,top_level\n12,1,0,Rock,12\n15,1,0,Electronic,15\n"
                                     "25,1,12,Punk,12\n")
    rows = [
        ["", "artist", "set", "set", "track", "track"],
        ["", "name", "split", "subset", "genre_top", "genres_all"],
        ["track_id", "", "", "", "", ""],
        ["2", "AWOL", "training", "small", "Rock", "[12, 25]"],
        ["5", "Kurt", "test", "small", "Electronic", "[15]"],
        ["7", "Nobody", "training", "small", "Rock", "[12]"],  # its audio is not in this subset
    ]
    with open(meta / "tracks.csv", "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    for tid in ("000002", "000005"):
        (root / "fma_small" / tid[:3]).mkdir(parents=True, exist_ok=True)
        (root / "fma_small" / tid[:3] / f"{tid}.wav").write_bytes(write_audio(f"{tid}.wav").read_bytes())
        (root / "fma_small" / tid[:3] / f"{tid}.wav").rename(root / "fma_small" / tid[:3] / f"{tid}.mp3")
    single = load_dataset(root, "fma")
    assert [(e.path.name, e.labels, e.artist, e.split) for e in single.examples] == [
        ("000002.mp3", ("rock",), "AWOL", "train"), ("000005.mp3", ("electronic",), "Kurt", "test")]
    multi = load_dataset(root, "fma", multi_label=True)
    assert multi.examples[0].labels == ("rock", "punk") and multi.labels == ["electronic", "punk", "rock"]


def _artist_dataset(write_audio) -> Dataset:
    examples = []
    for a in range(9):
        label = ("rock", "jazz", "folk")[a % 3]
        for i in range(3):
            examples.append(Example(write_audio(f"a{a}_{i}.wav"), (label,), artist=f"artist{a}"))
    return Dataset(examples, ["folk", "jazz", "rock"], "mem", "csv")


def test_grouped_split_keeps_each_artist_in_one_split(write_audio):
    ds = _artist_dataset(write_audio)
    split = split_dataset(ds, 0.34, 0.34, seed=0, group_by_artist=True)
    artists = {s: {ds.examples[i].artist for i in idx} for s, idx in split.items()}
    assert not artists["train"] & artists["val"] and not artists["train"] & artists["test"]
    assert not artists["val"] & artists["test"]
    assert sorted(chain(*split.values())) == list(range(len(ds.examples)))
    assert {ds.examples[i].labels[0] for i in split["train"]} == {"folk", "jazz", "rock"}
    ds.examples[0] = Example(ds.examples[0].path, ("rock",))
    with pytest.raises(TastemakerError, match="no artist"):
        split_dataset(ds, group_by_artist=True)


def test_dataset_defined_splits_are_kept(write_audio):
    examples = [Example(write_audio(f"s{i}.wav"), (("a", "b")[i % 2],), split=("train", "val", "test")[i % 3])
                for i in range(6)]
    split = split_dataset(Dataset(examples, ["a", "b"], "mem", "fma"))
    assert split == {"train": [0, 3], "val": [1, 4], "test": [2, 5]}


def test_features_are_cached_and_corrupt_files_skipped(tmp_path, write_audio, monkeypatch):
    good = write_audio("good.wav", tone_mix(seconds=3.5, sr=16000), sr=16000)
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 20)
    spec = make_spec("logmel")
    feats, skipped = dataset_sequences([good, corrupt], spec, copies=1, seed=0, progress=False)
    assert list(feats) == [0] and skipped[0]["file"] == str(corrupt) and "corrupt.wav" in skipped[0]["error"]
    original, augmented = feats[0]
    assert original.shape[1] == 96 and augmented.shape[1] == 96 and not np.array_equal(original, augmented[:1])
    assert len(list((cache_dir() / "logmel").glob("*.npy"))) >= 2
    # a second run reads the cache and never decodes the audio again
    monkeypatch.setattr(features_module, "load_clip", lambda *a, **k: pytest.fail("decoded again"))
    again, _ = dataset_sequences([good], spec, copies=1, seed=0, progress=False)
    assert np.array_equal(again[0][0], original) and np.array_equal(again[0][1], augmented)
