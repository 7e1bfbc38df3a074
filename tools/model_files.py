"""Install the embedded model files that do not come with a Python package.

The musicnn 0.1.0 wheel on PyPI carries the pretrained TF checkpoints (ISC
licence, MTG-UPF 2019), but its declared dependencies do not install on
Python 3.11. So we download the wheel alone (`pip download --no-deps`), check
its SHA-256, and unpack just the checkpoints and the licence into the models
folder (TASTEMAKER_MODELS_DIR, default .venv/share/tastemaker/models).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from tools.errors import ModelMissingError, storage_error
from tools.settings import get_settings

MUSICNN_WHEEL = "musicnn-0.1.0-py3-none-any.whl"
MUSICNN_SHA256 = "f38a4890c648c1ddbb141c5d96d2b0a8cfcd36746002d896989f7b88beb65cfa"
MUSICNN_MODELS = ("MSD_musicnn", "MTT_musicnn")
_FILES = (".index", ".data-00000-of-00001", "config.json")


def musicnn_dir() -> Path:
    return get_settings().models_dir / "musicnn"


def musicnn_installed(dest: Path | None = None) -> bool:
    dest = dest or musicnn_dir()
    return all((dest / m / ".index").is_file() and (dest / m / ".data-00000-of-00001").is_file() for m in MUSICNN_MODELS)


def unpack_musicnn_wheel(wheel: Path, dest: Path) -> None:
    """Check the wheel's hash and unpack the checkpoints atomically (temp folder, then rename).

    A failed unpack (a full disk, a read-only models folder) leaves nothing behind and is one StorageError."""
    try:
        _unpack(wheel, dest)
    except OSError as exc:
        raise storage_error(exc, "the musicnn model files") from None


def _unpack(wheel: Path, dest: Path) -> None:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != MUSICNN_SHA256:
        raise ModelMissingError(f"{wheel} has SHA-256 {digest}, not the musicnn 0.1.0 wheel's {MUSICNN_SHA256}.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".musicnn-", dir=dest.parent))
    try:
        with zipfile.ZipFile(wheel) as zf:
            for model in MUSICNN_MODELS:
                (staging / model).mkdir()
                for name in _FILES:
                    with zf.open(f"musicnn/{model}/{name}") as src, open(staging / model / name, "wb") as out:
                        shutil.copyfileobj(src, out)
            with zf.open("musicnn-0.1.0.dist-info/LICENSE.md") as src, open(staging / "LICENSE.md", "wb") as out:
                shutil.copyfileobj(src, out)
        if dest.exists():
            shutil.rmtree(dest)
        staging.rename(dest)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def fetch_musicnn(dest: Path | None = None, wheel: Path | None = None) -> Path:
    """Make sure the musicnn checkpoints are installed; download the wheel from PyPI if needed."""
    dest = dest or musicnn_dir()
    if musicnn_installed(dest):
        return dest
    if wheel is None:
        tmp = Path(tempfile.mkdtemp(prefix="musicnn-wheel-"))
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(tmp), "musicnn==0.1.0"]
        done = subprocess.run(cmd, capture_output=True, text=True)
        wheel = tmp / MUSICNN_WHEEL
        if done.returncode != 0 or not wheel.is_file():
            raise ModelMissingError(
                "Could not download the musicnn 0.1.0 wheel from PyPI (it carries the tagger's weights): "
                + (done.stderr.strip().splitlines() or ["no output"])[-1]
            )
    unpack_musicnn_wheel(wheel, dest)
    return dest
