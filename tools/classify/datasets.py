"""Labelled audio datasets: reading the common layouts, and splitting them.

Formats (`load_dataset(path, fmt)`):
  folder  DIR/<label>/<any depth>/*.wav  (GTZAN's layout; any extra class folder,
          such as one artist's songs, is just another label)
  fma     FMA's metadata (tracks.csv with its three header rows, genres.csv)
          and an audio folder of <id[:3]>/<id>.mp3; single-label uses
          genre_top, multi-label genres_all; FMA's own train/val/test split is kept
  mumu    a MuMu-style CSV: an id or path column and a `genres` column of
          comma-separated genre strings (audio found by path or by file stem)
  csv     a manifest, .csv (columns path, label(s), optional artist, split) or
          .json (a list of {"path", "labels", "artist", "split"})

Labels are compared lowercased with single spaces ("Hip-Hop " -> "hip-hop").
Splits are stratified per label, optionally grouped by artist so that no
artist is in two splits.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tools.audio import is_audio_name
from tools.errors import TastemakerError

FORMATS = ("folder", "fma", "mumu", "csv", "json")
SPLITS = ("train", "val", "test")
_SPLIT_NAMES = {"train": "train", "training": "train", "val": "val", "valid": "val", "validation": "val",
                "test": "test", "testing": "test"}


def clean_label(label: str) -> str:
    return " ".join(str(label).strip().lower().split())


@dataclass(frozen=True)
class Example:
    path: Path
    labels: tuple[str, ...]
    artist: str = ""
    split: str = ""  # set when the dataset defines its own split


@dataclass
class Dataset:
    examples: list[Example]
    labels: list[str]
    source: str
    format: str
    problems: list[str] = field(default_factory=list)  # rows skipped while reading, with the reason

    @property
    def has_multiple_labels(self) -> bool:
        return any(len(e.labels) > 1 for e in self.examples)

    def counts(self) -> Counter:
        return Counter(label for e in self.examples for label in e.labels)

    def subset(self, indices: list[int]) -> Dataset:
        return Dataset([self.examples[i] for i in indices], self.labels, self.source, self.format, self.problems)


def _finish(examples: list[Example], source: Path, fmt: str, problems: list[str]) -> Dataset:
    if not examples:
        detail = f" Problems: {'; '.join(problems[:5])}" if problems else ""
        raise TastemakerError(f"{source}: found no labelled audio files in the {fmt} dataset.{detail}")
    labels = sorted({label for e in examples for label in e.labels})
    return Dataset(examples, labels, str(source), fmt, problems)


def load_folder(root: Path) -> Dataset:
    if not root.is_dir():
        raise TastemakerError(f"{root}: not a folder. A folder dataset has one sub-folder per label.")
    examples, problems = [], []
    for label_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(f for f in label_dir.rglob("*") if f.is_file() and is_audio_name(f))
        if not files:
            problems.append(f"{label_dir.name}/ holds no audio files")
        examples += [Example(f, (clean_label(label_dir.name),)) for f in files]
    if not examples:
        raise TastemakerError(
            f"{root}: found no audio in label sub-folders. Expected {root}/<label>/<file>.wav "
            "(wav, flac, ogg or mp3), one folder per genre."
        )
    return _finish(examples, root, "folder", problems)


def _split_labels(raw: str) -> tuple[str, ...]:
    parts = re.split(r"[,;|]", raw) if raw else []
    return tuple(dict.fromkeys(clean_label(p) for p in parts if p.strip()))


def _resolve(base: Path, raw: str, by_stem: dict[str, Path] | None = None) -> Path | None:
    p = Path(raw)
    for candidate in (p, base / p):
        if candidate.is_file():
            return candidate
    if by_stem is not None:
        return by_stem.get(Path(raw).stem) or by_stem.get(raw)
    return None


def _audio_by_stem(root: Path) -> dict[str, Path]:
    return {f.stem: f for f in root.rglob("*") if f.is_file() and is_audio_name(f)}


def load_manifest(path: Path) -> Dataset:
    """A CSV (path + label/labels [+ artist, split]) or JSON manifest; paths relative to the manifest."""
    if path.is_dir():
        found = [path / n for n in ("manifest.csv", "manifest.json") if (path / n).is_file()]
        if not found:
            raise TastemakerError(f"{path}: no manifest.csv or manifest.json in this folder; give the file itself.")
        path = found[0]
    if not path.is_file():
        raise TastemakerError(f"{path}: no such manifest file.")
    rows: list[dict] = []
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise TastemakerError(f"{path}: not valid JSON ({exc}).") from None
        rows = data.get("examples", []) if isinstance(data, dict) else data
        if not isinstance(rows, list):
            raise TastemakerError(f"{path}: expected a list of {{'path', 'labels'}} objects.")
    else:
        with open(path, newline="") as fh:
            rows = list(csv.DictReader(fh))
    examples, problems = [], []
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            problems.append(f"row {n}: not an object")
            continue
        row = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
        raw_path = row.get("path") or row.get("file") or row.get("audio") or row.get("filename")
        raw_labels = row.get("labels", row.get("label", row.get("genres", row.get("genre", ""))))
        if not raw_path:
            problems.append(f"row {n}: no path")
            continue
        labels = (tuple(dict.fromkeys(clean_label(x) for x in raw_labels if str(x).strip()))
                  if isinstance(raw_labels, list) else _split_labels(str(raw_labels or "")))
        if not labels:
            problems.append(f"row {n} ({raw_path}): no label")
            continue
        audio = _resolve(path.parent, str(raw_path))
        if audio is None:
            problems.append(f"row {n}: {raw_path} not found")
            continue
        split = _SPLIT_NAMES.get(str(row.get("split") or "").strip().lower(), "")
        examples.append(Example(audio, labels, str(row.get("artist") or "").strip(), split))
    if not rows:
        raise TastemakerError(f"{path}: the manifest has no rows. Columns: path, labels (comma-separated), artist.")
    return _finish(examples, path, "csv", problems)


def load_mumu(path: Path) -> Dataset:
    """MuMu-style metadata: comma-separated genre strings per album/track, audio beside it."""
    csv_path = path
    if path.is_dir():
        found = sorted(path.glob("*.csv"))
        if not found:
            raise TastemakerError(f"{path}: no CSV file here; a MuMu dataset has a CSV with a 'genres' column.")
        csv_path = found[0]
    root = csv_path.parent
    with open(csv_path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or "genres" not in {str(k).strip().lower() for k in rows[0]}:
        raise TastemakerError(f"{csv_path}: expected a 'genres' column of comma-separated genres (MuMu layout).")
    by_stem = _audio_by_stem(root)
    examples, problems = [], []
    for n, row in enumerate(rows, start=1):
        row = {str(k).strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        key = next((row[k] for k in ("path", "file", "audio", "amazon_id", "id", "msd_track_id") if row.get(k)), "")
        labels = _split_labels(row.get("genres", ""))
        audio = _resolve(root, key, by_stem) if key else None
        if audio is None or not labels:
            problems.append(f"row {n}: {'no audio for ' + key if key else 'no id'}" if labels else f"row {n}: no genres")
            continue
        artist = row.get("artist") or row.get("artist_mbid") or row.get("album_mbid") or ""
        examples.append(Example(audio, labels, artist))
    return _finish(examples, csv_path, "mumu", problems)


def _fma_tracks(tracks_csv: Path) -> list[dict[str, str]]:
    """FMA's tracks.csv has two header rows (group, field) and a 'track_id' row."""
    with open(tracks_csv, newline="") as fh:
        reader = csv.reader(fh)
        try:
            groups, fields = next(reader), next(reader)
            next(reader)
        except StopIteration:
            raise TastemakerError(f"{tracks_csv}: too short to be FMA's tracks.csv.") from None
        names, group = [], ""
        for g, f in zip(groups, fields):
            group = g or group
            names.append(f"{group}.{f}" if f else "track_id")
        names[0] = "track_id"
        return [dict(zip(names, row)) for row in reader if row]


def load_fma(path: Path, multi_label: bool) -> Dataset:
    meta = next((d for d in (path, path / "fma_metadata") if (d / "tracks.csv").is_file()), None)
    if meta is None:
        raise TastemakerError(f"{path}: no tracks.csv (looked here and in fma_metadata/). Unpack fma_metadata.zip here.")
    genre_names: dict[str, str] = {}
    if (meta / "genres.csv").is_file():
        with open(meta / "genres.csv", newline="") as fh:
            genre_names = {r["genre_id"]: r["title"] for r in csv.DictReader(fh)}
    elif multi_label:
        raise TastemakerError(f"{meta}: genres.csv is missing; it names the ids in genres_all.")
    rows = _fma_tracks(meta / "tracks.csv")
    audio_dirs = [d for d in sorted(path.iterdir()) if d.is_dir() and d.name != "fma_metadata"] + [path]
    examples, problems = [], []
    for row in rows:
        tid = row["track_id"].strip()
        if not tid.isdigit():
            continue
        name = f"{int(tid):06d}"
        audio = next((d / name[:3] / f"{name}.mp3" for d in audio_dirs if (d / name[:3] / f"{name}.mp3").is_file()),
                     None)
        if audio is None:
            continue  # FMA's small/medium subsets hold only some of the tracks listed
        if multi_label:
            ids = re.findall(r"\d+", row.get("track.genres_all", ""))
            labels = tuple(dict.fromkeys(clean_label(genre_names[i]) for i in ids if i in genre_names))
        else:
            top = row.get("track.genre_top", "")
            labels = (clean_label(top),) if top.strip() else ()
        if not labels:
            problems.append(f"track {tid}: no genre")
            continue
        split = _SPLIT_NAMES.get(row.get("set.split", "").strip().lower(), "")
        examples.append(Example(audio, labels, row.get("artist.name", "") or row.get("artist.id", ""), split))
    return _finish(examples, path, "fma", problems)


def load_dataset(path: str | Path, fmt: str = "folder", multi_label: bool = False) -> Dataset:
    p = Path(path).expanduser()
    if not p.exists():
        raise TastemakerError(f"{p}: no such file or folder.")
    if fmt == "folder":
        ds = load_folder(p)
    elif fmt == "fma":
        ds = load_fma(p, multi_label)
    elif fmt == "mumu":
        ds = load_mumu(p)
    elif fmt in ("csv", "json"):
        ds = load_manifest(p)
    else:
        raise TastemakerError(f"unknown dataset format '{fmt}'; choose one of {', '.join(FORMATS)}.")
    if not multi_label and ds.has_multiple_labels:
        n = sum(len(e.labels) > 1 for e in ds.examples)
        raise TastemakerError(
            f"{p}: {n} examples have more than one label; train with --multi-label, or give one label per file."
        )
    return ds


def _check_counts(ds: Dataset, minimum: int) -> None:
    counts = ds.counts()
    if len(counts) < 2:
        raise TastemakerError(f"{ds.source}: only one label ({', '.join(counts)}); a classifier needs at least two.")
    small = sorted((n, label) for label, n in counts.items() if n < minimum)
    if small:
        listed = ", ".join(f"'{label}' ({n})" for n, label in small)
        raise TastemakerError(
            f"{ds.source}: too few examples for {listed}; each label needs at least {minimum} "
            "(one each for training, validation and test). Add examples or remove the label."
        )


def _strata(ds: Dataset) -> list[str]:
    """One key per example: its label, or for several labels the rarest of them."""
    counts = ds.counts()
    return [min(e.labels, key=lambda label: (counts[label], label)) for e in ds.examples]


def split_dataset(ds: Dataset, val_fraction: float = 0.15, test_fraction: float = 0.15, seed: int = 0,
                  group_by_artist: bool = False) -> dict[str, list[int]]:
    """Indices per split. Every label gets at least one example in each split.

    A dataset whose examples all carry a split (FMA, a manifest's split column) keeps it.
    """
    if ds.examples and all(e.split for e in ds.examples):
        given = {s: [i for i, e in enumerate(ds.examples) if e.split == s] for s in SPLITS}
        if all(given.values()):
            return given
    _check_counts(ds, 3)
    rng = np.random.default_rng(seed)
    keys = _strata(ds)
    if group_by_artist:
        return _grouped_split(ds, keys, val_fraction, test_fraction, seed)
    out: dict[str, list[int]] = {s: [] for s in SPLITS}
    for key in sorted(set(keys)):
        members = [i for i, k in enumerate(keys) if k == key]
        rng.shuffle(members)
        n = len(members)
        if n < 3:  # only with several labels: a rare combination whose labels are counted elsewhere
            out["train"] += members
            continue
        n_test = min(max(1, round(n * test_fraction)), n - 2)
        n_val = min(max(1, round(n * val_fraction)), n - n_test - 1)
        out["test"] += members[:n_test]
        out["val"] += members[n_test:n_test + n_val]
        out["train"] += members[n_test + n_val:]
    return {s: sorted(v) for s, v in out.items()}


def _grouped_split(ds: Dataset, keys: list[str], val_fraction: float, test_fraction: float,
                   seed: int) -> dict[str, list[int]]:
    """Whole artists go to one split (scikit-learn's StratifiedGroupKFold, one fold each for test and val)."""
    from sklearn.model_selection import StratifiedGroupKFold

    missing = [str(e.path) for e in ds.examples if not e.artist]
    if missing:
        raise TastemakerError(
            f"{len(missing)} examples have no artist (e.g. {missing[0]}), so the split cannot be grouped by artist. "
            "Add an artist column to the manifest, or train without --group-by-artist."
        )
    groups = np.array([e.artist for e in ds.examples])
    if len(set(groups)) < 3:
        raise TastemakerError("grouping by artist needs at least 3 different artists (one per split).")
    idx = np.arange(len(ds.examples))

    def hold_out(members: np.ndarray, fraction: float, salt: int) -> tuple[np.ndarray, np.ndarray]:
        n_groups = len(set(groups[members]))
        folds = int(min(max(2, round(1 / max(fraction, 1e-6))), n_groups))
        splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed + salt)
        rest, held = next(splitter.split(members, np.array(keys)[members], groups[members]))
        return members[rest], members[held]

    remaining, test = hold_out(idx, test_fraction, 0)
    train, val = hold_out(remaining, val_fraction / max(1e-6, 1 - test_fraction), 1)
    split = {"train": sorted(train.tolist()), "val": sorted(val.tolist()), "test": sorted(test.tolist())}
    train_labels = {label for i in split["train"] for label in ds.examples[i].labels}
    lost = sorted(set(ds.labels) - train_labels)
    if lost:
        raise TastemakerError(
            f"after grouping by artist, no training example is left for {', '.join(lost)}: "
            "those labels come from too few artists. Add artists or train without --group-by-artist."
        )
    return split
