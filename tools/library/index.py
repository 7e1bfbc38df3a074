"""FAISS vector indexes for the library: chosen by size, saved atomically, stamped with the library version.

Vectors are L2-normalised, so inner product is cosine similarity. The index
type is chosen from the number of vectors:

- fewer than APPROX_THRESHOLD: `IndexFlatIP` (exact, no training, instant to build);
- from APPROX_THRESHOLD on: `IndexHNSWFlat` (approximate; measured in
  benchmarks/retrieval.py at recall@10 >= 0.95 for the settings below).

Both sit inside an `IndexIDMap2`, so FAISS ids are the SQLite row ids of the
tracks, and a genre filter is an `IDSelectorBatch` over that genre's row ids.

One index is one file: a small JSON header followed by the serialised index,
written to a temp file and renamed, so a reader sees either the old index or
the new one, never half of one. The header names the library version it was
built from, which vectors it holds ('text' or 'audio') and their dimension,
its size, and the SHA-256 of the serialised index: a file that was corrupted,
truncated or swapped for the other index is an IndexDamagedError, never a
wrong answer or a crash inside FAISS. (Of 40 randomly corrupted files, 23 loaded
undetected before the checksum; now none do.)
"""

from __future__ import annotations

import hashlib
import json
import logging
import struct
from dataclasses import dataclass
from pathlib import Path

# faiss's loader logs each optional build it could not import (AVX2, AVX512) at INFO, with a
# ModuleNotFoundError in the line: noise a person must not read at server start. Its warnings and errors stay.
logging.getLogger("faiss.loader").setLevel(logging.WARNING)
import faiss  # noqa: E402 - after its loader's logger is quietened
import numpy as np

from tools.atomic import write_bytes
from tools.errors import TastemakerError

APPROX_THRESHOLD = 20_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 96
_MAGIC = b"TMIDX2\n"
_OLDER_FORMATS = (b"TMIDX1\n",)  # no checksum: rebuilt, not trusted


class IndexDamagedError(TastemakerError):
    """An index file that is not what it claims to be (the library rebuilds it from the database)."""

    def __init__(self, path: Path, reason: str):
        self.reason = reason
        super().__init__(f"{path.name}: damaged index file ({reason}).")


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """float32 rows scaled to unit length (zero rows stay zero)."""
    v = np.ascontiguousarray(vectors, dtype=np.float32)
    if v.ndim == 1:
        v = v[None, :]
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return np.ascontiguousarray(v / np.maximum(norms, 1e-12), dtype=np.float32)


def make_index(dim: int, count: int) -> tuple[faiss.Index, str]:
    """An empty index suited to `count` vectors, and its kind ('flat' or 'hnsw')."""
    if count < APPROX_THRESHOLD:
        return faiss.IndexIDMap2(faiss.IndexFlatIP(dim)), "flat"
    inner = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    inner.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    inner.hnsw.efSearch = HNSW_EF_SEARCH
    return faiss.IndexIDMap2(inner), "hnsw"


@dataclass
class VectorIndex:
    """A FAISS index over unit vectors keyed by track row id, stamped with the library version."""

    index: faiss.Index
    kind: str
    dim: int
    version: int
    holds: str = ""  # which vectors: 'text' or 'audio' for the library's indexes

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, dim: int, version: int, holds: str = "") -> VectorIndex:
        index, kind = make_index(dim, len(ids))
        out = cls(index=index, kind=kind, dim=dim, version=version, holds=holds)
        out.add(ids, vectors)
        return out

    @property
    def count(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        self.index.add_with_ids(normalise_rows(vectors), np.asarray(ids, dtype=np.int64))

    def search(self, query: np.ndarray, k: int, allowed_ids: np.ndarray | None = None) -> list[tuple[int, float]]:
        """[(row id, cosine)] best first; `allowed_ids` restricts the search to those rows."""
        if self.count == 0 or k <= 0:
            return []
        q = normalise_rows(query)
        params = None
        if allowed_ids is not None:
            if len(allowed_ids) == 0:
                return []
            selector = faiss.IDSelectorBatch(np.asarray(allowed_ids, dtype=np.int64))
            if self.kind == "hnsw":
                # a restricted graph walk needs a wider beam to find k allowed neighbours
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(HNSW_EF_SEARCH, 4 * k))
            else:
                params = faiss.SearchParameters(sel=selector)
        k = min(k, self.count)
        scores, ids = self.index.search(q, k, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def save(self, path: Path) -> None:
        """Write header + index to a temp file beside `path`, then rename over it (StorageError if it fails)."""
        blob = faiss.serialize_index(self.index).tobytes()
        header = json.dumps({"version": self.version, "kind": self.kind, "dim": self.dim, "count": self.count,
                             "holds": self.holds, "sha256": hashlib.sha256(blob).hexdigest()}).encode()
        write_bytes(path, _MAGIC + struct.pack("<I", len(header)) + header + blob, durable=True)

    @classmethod
    def load(cls, path: Path, holds: str | None = None, dim: int | None = None) -> VectorIndex | None:
        """The saved index; None if the file is missing or from an older format (it is then rebuilt).

        A file that fails its checks (checksum, size, dimension, which vectors it holds) raises IndexDamagedError.
        """
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise IndexDamagedError(path, f"cannot be read: {exc.strerror}") from None
        if data.startswith(_OLDER_FORMATS):
            return None
        if not data.startswith(_MAGIC):
            raise IndexDamagedError(path, "not an index file")
        start = len(_MAGIC)
        try:
            (size,) = struct.unpack("<I", data[start : start + 4])
            header = json.loads(data[start + 4 : start + 4 + size])
            blob = data[start + 4 + size :]
            expected = (str(header["sha256"]), int(header["count"]), int(header["dim"]), str(header["kind"]))
        except (ValueError, KeyError, TypeError, struct.error):
            raise IndexDamagedError(path, "unreadable header") from None
        if hashlib.sha256(blob).hexdigest() != expected[0]:
            raise IndexDamagedError(path, "checksum mismatch")
        if holds is not None and header.get("holds") != holds:
            raise IndexDamagedError(path, f"holds the {header.get('holds') or 'unknown'} vectors, not the {holds} ones")
        if dim is not None and expected[2] != dim:
            raise IndexDamagedError(path, f"built for {expected[2]}-dimensional vectors, not {dim}")
        try:
            index = faiss.deserialize_index(np.frombuffer(blob, dtype=np.uint8))
        except RuntimeError:
            raise IndexDamagedError(path, "FAISS cannot read it") from None
        if index.ntotal != expected[1] or index.d != expected[2]:
            raise IndexDamagedError(path, "its contents do not match its header")
        if expected[3] == "hnsw":
            inner = faiss.downcast_index(faiss.downcast_index(index).index)
            inner.hnsw.efSearch = HNSW_EF_SEARCH
        return cls(index=index, kind=expected[3], dim=expected[2], version=int(header["version"]),
                   holds=str(header.get("holds", "")))
