"""FAISS vector indexes for the library: chosen by size, saved atomically, stamped with the library version.

Vectors are L2-normalised, so inner product is cosine similarity. The index
type is chosen from the number of vectors:

- fewer than APPROX_THRESHOLD: `IndexFlatIP` (exact, no training, instant to build);
- from APPROX_THRESHOLD on: `IndexHNSWFlat` (approximate; measured in
  benchmarks/retrieval.py at recall@10 >= 0.95 for the settings below).

Both sit inside an `IndexIDMap2`, so FAISS ids are the SQLite row ids of the
tracks, and a genre filter is an `IDSelectorBatch` over that genre's row ids.

One index is one file: a small JSON header (library version, kind, count)
followed by the serialised index, written to a temp file and renamed, so a
reader sees either the old index or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

APPROX_THRESHOLD = 20_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 96
_MAGIC = b"TMIDX1\n"


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

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, dim: int, version: int) -> VectorIndex:
        index, kind = make_index(dim, len(ids))
        out = cls(index=index, kind=kind, dim=dim, version=version)
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
        """Write header + index to a temp file beside `path`, then rename over it."""
        path.parent.mkdir(parents=True, exist_ok=True)
        header = json.dumps({"version": self.version, "kind": self.kind, "dim": self.dim, "count": self.count})
        blob = faiss.serialize_index(self.index)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        with open(tmp, "wb") as fh:
            fh.write(_MAGIC)
            fh.write(struct.pack("<I", len(header)))
            fh.write(header.encode())
            fh.write(blob.tobytes())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> VectorIndex | None:
        """The saved index, or None if the file is missing or unreadable (it is then rebuilt)."""
        try:
            data = path.read_bytes()
            if not data.startswith(_MAGIC):
                return None
            start = len(_MAGIC)
            (size,) = struct.unpack("<I", data[start : start + 4])
            header = json.loads(data[start + 4 : start + 4 + size])
            blob = np.frombuffer(data, dtype=np.uint8, offset=start + 4 + size)
            index = faiss.deserialize_index(blob)
        except (OSError, ValueError, RuntimeError, struct.error):
            return None
        if index.ntotal != header["count"]:
            return None
        if header["kind"] == "hnsw":
            inner = faiss.downcast_index(faiss.downcast_index(index).index)
            inner.hnsw.efSearch = HNSW_EF_SEARCH
        return cls(index=index, kind=header["kind"], dim=int(header["dim"]), version=int(header["version"]))
