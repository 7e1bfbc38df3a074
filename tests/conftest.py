"""Shared test set-up: an isolated data directory and synthesised audio."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

FIXTURES = Path(__file__).parent / "fixtures"

# The suite runs in pytest-xdist workers: each compiles librosa's numba kernels into a cache of its own. Two
# processes compiling one kernel into one cache can leave it mismatched, and every later call then crashes the
# process (numba issue #10128; a fresh clone's CI did, twice). Set before anything imports numba.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["NUMBA_CACHE_DIR"] = str(Path(__file__).resolve().parent.parent / ".numba-cache"
                                        / os.environ["PYTEST_XDIST_WORKER"])

# The suite tests the embedded defaults. A user's (or a CI runner's) own settings,
# e.g. an OPENAI_API_KEY for the chat model or a TASTEMAKER_CLASSIFIER, would change
# what the product does, so they are cleared here, before any test or app starts.
# Where the model files and the SoundFont live is a fact of the machine, not a
# preference, so those two stay.
_KEPT = {"TASTEMAKER_MODELS_DIR", "TASTEMAKER_SOUNDFONT"}
for _name in list(os.environ):
    if (_name.startswith(("TASTEMAKER_", "OPENAI_", "CHAINLIT_")) and _name not in _KEPT) or _name == "HF_TOKEN":
        del os.environ[_name]
# The same settings in a `.env` file at the repository root (read by Chainlit and the
# CLI) are switched off too: both read this empty file instead.
os.environ["CHAINLIT_ENV_FILE"] = os.devnull


@pytest.fixture(autouse=True, scope="session")
def _isolated_home(tmp_path_factory):
    """Everything the product writes goes to a temp folder, never the user's."""
    home = tmp_path_factory.mktemp("tastemaker-home")
    old = os.environ.get("TASTEMAKER_HOME")
    os.environ["TASTEMAKER_HOME"] = str(home)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    yield home
    if old is None:
        os.environ.pop("TASTEMAKER_HOME", None)
    else:
        os.environ["TASTEMAKER_HOME"] = old


def tone_mix(seconds: float = 4.0, sr: int = 22050, seed: int = 0, level: float = 0.3) -> np.ndarray:
    """A quiet, music-like mixture: a few harmonics plus noise bursts."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    y = np.zeros_like(t)
    for f in (220.0, 277.18, 329.63):
        y += np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t)
    for beat in np.arange(0, seconds, 0.5):
        i = int(beat * sr)
        n = min(int(0.05 * sr), len(y) - i)
        y[i : i + n] += 3 * rng.standard_normal(n) * np.exp(-np.linspace(0, 6, n))
    return (level * y / np.abs(y).max()).astype(np.float32)


@pytest.fixture
def write_audio(tmp_path):
    """write_audio(name, samples=None, sr=22050, channels=1, subtype=None) -> Path."""

    def _write(name: str, samples: np.ndarray | None = None, sr: int = 22050, channels: int = 1, **kw) -> Path:
        y = tone_mix(sr=sr) if samples is None else samples
        if channels > 1:
            y = np.stack([y * (1 - 0.1 * c) for c in range(channels)], axis=1)
        path = tmp_path / name
        sf.write(str(path), y, sr, **kw)
        return path

    return _write
