"""One settings object, read from environment variables.

Defaults work offline on a fresh machine. Every variable is documented in the
README's configuration table.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tools.errors import SettingError


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a number. Set it to one (in the environment or in .env), "
                           "or unset it for the default.") from None


def _env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tastemaker"


def _default_models_dir() -> Path:
    # scripts/setup.sh unpacks model files (the musicnn checkpoints) here,
    # inside the virtual environment, so they travel with it.
    return Path(sys.prefix) / "share" / "tastemaker" / "models"


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=_default_home)
    models_dir: Path = field(default_factory=_default_models_dir)
    allow_downloads: bool = False
    max_file_mb: float = 100.0
    max_duration_s: float = 900.0
    min_duration_s: float = 1.0
    musicgen_model: str = "facebook/musicgen-small"
    soundfont: str = ""
    llm_model: str = "gpt-4o-mini"
    openai_api_key: str = ""
    openai_base_url: str = ""
    classifier: str = ""  # a checkpoint from `tastemaker train`: the chat's classifier and loop judge
    radio_piece_seconds: float = 30.0  # how long each new piece on a chat radio station lasts

    @classmethod
    def from_env(cls) -> "Settings":
        home = os.environ.get("TASTEMAKER_HOME")
        models = os.environ.get("TASTEMAKER_MODELS_DIR")
        return cls(
            home=Path(home).expanduser() if home else _default_home(),
            models_dir=Path(models).expanduser() if models else _default_models_dir(),
            allow_downloads=_env_bool("TASTEMAKER_ALLOW_DOWNLOADS"),
            max_file_mb=_env_float("TASTEMAKER_MAX_FILE_MB", 100.0),
            max_duration_s=_env_float("TASTEMAKER_MAX_DURATION_S", 900.0),
            min_duration_s=_env_float("TASTEMAKER_MIN_DURATION_S", 1.0),
            musicgen_model=os.environ.get("TASTEMAKER_MUSICGEN_MODEL", "facebook/musicgen-small"),
            soundfont=os.environ.get("TASTEMAKER_SOUNDFONT", ""),
            llm_model=os.environ.get("TASTEMAKER_LLM_MODEL", "gpt-4o-mini"),
            openai_api_key=os.environ.get("OPENAI_API_KEY", ""),
            openai_base_url=os.environ.get("OPENAI_BASE_URL", ""),
            classifier=os.environ.get("TASTEMAKER_CLASSIFIER", "").strip(),
            radio_piece_seconds=_env_float("TASTEMAKER_RADIO_PIECE_SECONDS", 30.0),
        )

    def ensure_home(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home


def get_settings() -> Settings:
    """Settings as the environment says now (cheap; read on every call)."""
    return Settings.from_env()


def apply_hub_policy() -> None:
    """Model hubs stay off unless TASTEMAKER_ALLOW_DOWNLOADS=1.

    Offline, transformers fails in 0.00 s with these set instead of retrying
    for 20+ s, so "weights missing" is reported at once.
    """
    if _env_bool("TASTEMAKER_ALLOW_DOWNLOADS"):
        return
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
