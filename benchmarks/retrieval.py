"""Retrieval at scale: the library's FAISS indexes on synthetic vectors, and ingest throughput on real audio.

    .venv/bin/python benchmarks/retrieval.py                       # 10k and 100k, 384-d
    .venv/bin/python benchmarks/retrieval.py --sizes 1000000       # the 1M case (builds for a while)
    .venv/bin/python benchmarks/retrieval.py --sizes 10000 --ingest 8   # + ingest throughput, 8 real files

For each size: the index the library chooses (tools.library.index.make_index:
flat below APPROX_THRESHOLD, HNSW above), its build time, its memory (the
serialised index and the process's RSS growth), single-query latency
p50/p95 (k=10, one thread per query as a chat request would run), and
recall@10 against exact search (IndexFlatIP). HNSW is measured at several
efSearch values; the library uses HNSW_EF_SEARCH.

Vectors: a Gaussian mixture on the unit sphere (clusters, like real
embeddings), queries drawn from the same mixture and held out of the index.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.library import index as library_index


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def mixture(n: int, dim: int, rng: np.random.Generator, clusters: int, centres: np.ndarray | None = None):
    if centres is None:
        centres = rng.standard_normal((clusters, dim)).astype(np.float32)
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    out = np.empty((n, dim), dtype=np.float32)
    step = 100_000
    for start in range(0, n, step):
        m = min(step, n - start)
        which = rng.integers(0, len(centres), m)
        block = centres[which] + rng.standard_normal((m, dim)).astype(np.float32) * (0.7 / np.sqrt(dim))
        out[start : start + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out, centres


def latencies(index: faiss.Index, queries: np.ndarray, k: int = 10, params=None) -> tuple[np.ndarray, np.ndarray]:
    times, found = [], []
    for q in queries:
        t = time.perf_counter()
        _, ids = index.search(q[None, :], k, params=params)
        times.append(time.perf_counter() - t)
        found.append(ids[0])
    return np.array(times) * 1000, np.array(found)


def recall_at(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth)]))


def bench_size(n: int, dim: int, n_queries: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    clusters = max(10, n // 1000)
    data, centres = mixture(n, dim, rng, clusters)
    queries, _ = mixture(n_queries, dim, rng, clusters, centres)
    ids = np.arange(n, dtype=np.int64)

    exact = faiss.IndexFlatIP(dim)
    exact.add(data)
    _, truth = exact.search(queries, 10)  # batched ground truth
    del exact

    before = rss_mb()
    t = time.perf_counter()
    built = library_index.VectorIndex.build(ids, data, dim, version=1)
    build_s = time.perf_counter() - t
    grown = rss_mb() - before
    size_mb = faiss.serialize_index(built.index).nbytes / 1e6
    print(f"\n{n:>9,} vectors x {dim}-d: index {built.kind}, build {build_s:.1f} s, "
          f"serialised {size_mb:.0f} MB, RSS +{grown:.0f} MB (the vectors alone: {n * dim * 4 / 1e6:.0f} MB)")
    faiss.omp_set_num_threads(1)  # one query, one thread: what a chat request costs
    if built.kind == "flat":
        ms, found = latencies(built.index, queries)
        print(f"  exact        p50 {np.percentile(ms, 50):6.2f} ms  p95 {np.percentile(ms, 95):6.2f} ms  "
              f"recall@10 {recall_at(found, truth):.3f}")
    else:
        for ef in (32, 64, library_index.HNSW_EF_SEARCH, 128, 256):
            params = faiss.SearchParametersHNSW(efSearch=ef)
            ms, found = latencies(built.index, queries, params=params)
            mark = "  <- library default" if ef == library_index.HNSW_EF_SEARCH else ""
            print(f"  efSearch {ef:3d} p50 {np.percentile(ms, 50):6.2f} ms  p95 {np.percentile(ms, 95):6.2f} ms  "
                  f"recall@10 {recall_at(found, truth):.3f}{mark}")
    faiss.omp_set_num_threads(os.cpu_count() or 1)


def bench_ingest(count: int) -> None:
    """Tracks per minute for `count` real recordings (the rendered default-library pieces, 45 s each)."""
    import soundfile as sf

    from tools.embeddings import text_model
    from tools.library import open_library
    from tools.library.catalogue import PIECES
    from tools.library.ingest import ANALYSE_SECONDS
    from tools.library.scores import render_piece
    from tools.tagger import get_tagger

    work = Path(tempfile.mkdtemp(prefix="tm-ingest-"))
    try:
        t = time.perf_counter()
        pieces = [p for p in PIECES if p.genre == "classical"][:count]
        for p in pieces:
            render_piece(p, str(work / "audio"))
        render_s = time.perf_counter() - t
        lib = open_library(work / "home")
        get_tagger("msd"), get_tagger("mtt"), text_model()  # model loading is a one-off, not per track
        files = sorted((work / "audio").glob("*.flac"))
        seconds = sum(sf.info(str(f)).duration for f in files)
        t = time.perf_counter()
        report = lib.add_paths(files, progress=True)
        ingest_s = time.perf_counter() - t
        print(f"\ningest: {len(report.added)} real recordings ({seconds / len(files):.0f} s each, tagged up to "
              f"{ANALYSE_SECONDS:.0f} s) in {ingest_s:.1f} s = "
              f"{60 * len(report.added) / ingest_s:.1f} tracks/minute; rendering them from scores took {render_s:.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--dim", type=int, default=384, help="384 = the text index; the audio index is 200-d")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--ingest", type=int, default=0, metavar="N", help="also time ingesting N real recordings")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"faiss {faiss.__version__}, {os.cpu_count()} CPU cores, approximate index from "
          f"{library_index.APPROX_THRESHOLD:,} vectors (HNSW M={library_index.HNSW_M}, "
          f"efConstruction={library_index.HNSW_EF_CONSTRUCTION}, efSearch={library_index.HNSW_EF_SEARCH})")
    for n in args.sizes:
        bench_size(n, args.dim, args.queries, args.seed)
    if args.ingest:
        bench_ingest(args.ingest)


if __name__ == "__main__":
    main()
