"""Nearest by meaning: labelled phrases embedded once (all-MiniLM, tools.embeddings), and texts ranked against
them. Labels are matched through their description phrases, intents through their labelled examples."""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np


class Nearest:
    """Owners ranked by the cosine similarity of their closest phrase to a text."""

    def __init__(self, phrases: Callable[[], list[tuple[str, str]]]):
        self._phrases = phrases  # (owner, phrase) pairs, read on first use
        self._lock = threading.Lock()
        self._vectors: tuple[list[str], np.ndarray] | None = None

    def _load(self) -> tuple[list[str], np.ndarray]:
        from tools.embeddings import embed_texts

        with self._lock:
            if self._vectors is None:
                pairs = self._phrases()
                self._vectors = ([o for o, _ in pairs], embed_texts([p for _, p in pairs]))
            return self._vectors

    def rank(self, texts: list[str]) -> list[list[tuple[str, float]]]:
        from tools.embeddings import embed_texts

        if not texts:
            return []
        owners, vectors = self._load()
        out = []
        for row in embed_texts(texts) @ vectors.T:
            best: dict[str, float] = {}
            for owner, sim in zip(owners, map(float, row)):
                best[owner] = max(best.get(owner, -1.0), sim)
            out.append(sorted(best.items(), key=lambda kv: -kv[1]))
        return out
