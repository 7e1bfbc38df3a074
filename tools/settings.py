"""One settings object, read from environment variables (and the `.env` file the CLI and Chainlit read).

Every `TASTEMAKER_*` and `OPENAI_*` variable (and whether `CHAINLIT_AUTH_SECRET` is set) is read here and
nowhere else, validated once with its allowed range: no NaN or infinity, no negative numbers, no zero limits.
A bad value is a `SettingError` with one line per variable naming the variable, the value and what is
allowed. Defaults work offline on a fresh machine; the README's configuration table lists every variable.

`get_settings()` is cheap: the validated object is cached per state of the environment, so a test that
changes a variable (monkeypatch.setenv) gets fresh settings on its next call.
"""

from __future__ import annotations

import errno
import os
import re
import sys
import threading
import uuid
from pathlib import Path
from typing import Annotated, Any

from annotated_types import Ge, Gt, Le, Lt
from dotenv import load_dotenv
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from tools.errors import SettingError

PREFIX = "TASTEMAKER_"
_READ_PREFIXES = (PREFIX, "OPENAI_", "CHAINLIT_AUTH_SECRET", "XDG_DATA_HOME")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+$")


def _default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tastemaker"


def _default_models_dir() -> Path:
    # scripts/setup.sh unpacks model files (the musicnn checkpoints) here,
    # inside the virtual environment, so they travel with it.
    return Path(sys.prefix) / "share" / "tastemaker" / "models"


def _number(low: float | None = None, high: float | None = None, low_open: bool = True, unit: str = ""):
    """A finite float field constrained to (low, high] (or [low, high] when low_open is False)."""
    bounds: list[Any] = [Field(allow_inf_nan=False, description=unit)]
    if low is not None:
        bounds.append(Gt(low) if low_open else Ge(low))
    if high is not None:
        bounds.append(Le(high))
    return Annotated[float, *bounds]


def _count(low: int, high: int, unit: str = ""):
    return Annotated[int, Field(ge=low, le=high, description=unit)]


class Settings(BaseSettings):
    """Every setting of the product. Frozen: change a copy with `settings.model_copy(update={...})`."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_ignore_empty=True, extra="ignore", frozen=True, validate_default=True,
    )

    # where things live
    home: Path = Field(default_factory=_default_home)
    models_dir: Path = Field(default_factory=_default_models_dir)
    allow_downloads: bool = False
    # input limits
    max_file_mb: _number(0, 10_000, unit="MB") = 100.0
    max_duration_s: _number(0, 24 * 3600, unit="seconds") = 900.0
    min_duration_s: _number(0, 600, unit="seconds") = 1.0
    # models
    musicgen_model: str = "facebook/musicgen-small"
    soundfont: str = ""
    text_model: str = ""
    classifier: str = ""  # a checkpoint from `tastemaker train`: the chat's classifier and loop judge
    default_library: bool = True  # build the music21 default library on first use
    # the chat model (an OpenAI-compatible endpoint; the offline planner without one)
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: _number(0, 3600, unit="seconds") = 60.0
    openai_api_key: SecretStr = Field(SecretStr(""), validation_alias=AliasChoices("OPENAI_API_KEY"))
    openai_base_url: str = Field("", validation_alias=AliasChoices("OPENAI_BASE_URL"))
    # the browser app
    port: _count(1, 65535) = 8000
    host: str = "127.0.0.1"
    user: str = "tastemaker"
    password: SecretStr = SecretStr("")
    auth_secret: SecretStr = Field(SecretStr(""), validation_alias=AliasChoices("CHAINLIT_AUTH_SECRET"))
    allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_files_per_message: _count(1, 100, unit="files") = 10
    turn_audio_s: _number(0, 24 * 3600, unit="seconds of audio") = 600.0
    session_audio_s: _number(0, 7 * 24 * 3600, unit="seconds of audio") = 3600.0
    workers: _count(0, 256, unit="0 means one per CPU") = 0
    login_max_failures: _count(1, 1000, unit="failed logins") = 5
    session_keep_s: _number(0, 7 * 24 * 3600, low_open=False, unit="seconds") = 120.0
    shared_library: bool = False
    radio_piece_seconds: _number(5, 600, low_open=False, unit="seconds") = 30.0  # each new piece on a chat radio station

    @field_validator("home", "models_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("musicgen_model", "soundfont", "text_model", "classifier", "llm_model", "openai_base_url",
                     "host", "user", mode="after")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part for part in value.split(",")]
        if isinstance(value, list):
            value = [str(v).strip().rstrip("/") for v in value if str(v).strip()]
            for origin in value:
                if not _ORIGIN.match(origin):
                    raise ValueError(f"{origin!r} is not an origin")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.min_duration_s >= self.max_duration_s:
            raise ValueError("min_duration_s must be below max_duration_s")
        return self

    # ---- derived ---------------------------------------------------------------------------------------------
    @property
    def llm_configured(self) -> bool:
        """An endpoint is configured: a key, a base URL or a model name was set."""
        return bool(self.openai_api_key.get_secret_value() or self.openai_base_url or "llm_model" in self.model_fields_set)

    @property
    def login_enabled(self) -> bool:
        """Login (and chat history) is on when both CHAINLIT_AUTH_SECRET and TASTEMAKER_PASSWORD are set."""
        return bool(self.auth_secret.get_secret_value() and self.password.get_secret_value())

    @property
    def worker_count(self) -> int:
        """How many heavy jobs may run at once (TASTEMAKER_WORKERS, 0 = one per CPU)."""
        return self.workers or max(1, os.cpu_count() or 1)

    def ensure_home(self) -> Path:
        """The data directory, created if missing; a data directory that cannot be one is a SettingError."""
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise home_error(self.home, exc) from None
        if not self.home.is_dir():
            raise home_error(self.home, FileExistsError(errno.EEXIST, "not a folder"))
        return self.home

    def check_home(self) -> Path:
        """ensure_home, plus a real write: read-only and full disks are found before any work starts."""
        home = self.ensure_home()
        probe = home / f".write-check-{uuid.uuid4().hex}"
        try:
            with open(probe, "wb") as fh:
                fh.write(b"\0" * 4096)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise home_error(home, exc) from None
        finally:
            try:
                probe.unlink(missing_ok=True)
            except OSError:
                pass
        return home


def home_error(home: Path, exc: OSError) -> SettingError:
    """One line for a data directory that cannot be used, by what is wrong with it."""
    where = f"The data directory {home} (TASTEMAKER_HOME)"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return SettingError(f"{where} is on a full disk. Free some space, or set TASTEMAKER_HOME to a folder on "
                            "another disk.")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return SettingError(f"{where} is read-only for this user. Make it writable, or set TASTEMAKER_HOME to a "
                            "folder you can write.")
    if exc.errno in (errno.EEXIST, errno.ENOTDIR):
        return SettingError(f"{where} is a file, not a folder. Set TASTEMAKER_HOME to a folder (it is created if "
                            "missing).")
    return SettingError(f"{where} cannot be used ({exc.strerror or exc}). Check it, or set TASTEMAKER_HOME to "
                        "another folder.")


# ---- reading the environment -----------------------------------------------------------------------------------
def variable_name(field: str) -> str:
    info = Settings.model_fields[field]
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return PREFIX + field.upper()


def _allowed(field: str) -> str:
    """What a field accepts, in words, from its type and bounds."""
    info = Settings.model_fields[field]
    if info.annotation is bool:
        return "1 or 0 (also true/false, yes/no, on/off)"
    if field == "allowed_origins":
        return "comma-separated origins such as https://music.example.org or http://localhost:8000"
    low = high = None
    low_open = False
    for bound in info.metadata:
        if isinstance(bound, Gt):
            low, low_open = bound.gt, True
        elif isinstance(bound, Ge):
            low = bound.ge
        elif isinstance(bound, (Le, Lt)):
            high = getattr(bound, "le", getattr(bound, "lt", None))
    kind = "a whole number" if info.annotation is int else "a number"
    words = kind
    if low is not None and high is not None:
        words = f"{kind} above {low:g} and at most {high:g}" if low_open else f"{kind} from {low:g} to {high:g}"
    elif low is not None:
        words = f"{kind} above {low:g}" if low_open else f"{kind} of at least {low:g}"
    unit = info.description or ""
    return words + (f" ({unit})" if unit else "")


def _default_words(field: str) -> str:
    default = Settings.model_fields[field].default
    if isinstance(default, bool):
        return f" ({int(default)})"
    if isinstance(default, (int, float)):
        return f" ({default:g})"
    return ""


def _explain(error: ValidationError) -> SettingError:
    lines = []
    for problem in error.errors():
        loc = [str(part) for part in problem.get("loc", ()) if isinstance(part, str)]
        field = loc[0] if loc and loc[0] in Settings.model_fields else None
        if field is None:  # a rule across fields
            lines.append(
                "TASTEMAKER_MIN_DURATION_S must be below TASTEMAKER_MAX_DURATION_S. Lower the first or raise the second.")
            continue
        name = variable_name(field)
        raw = os.environ.get(name, problem.get("input"))
        shown = "(hidden)" if Settings.model_fields[field].annotation is SecretStr else repr(raw)
        lines.append(f"{name}={shown} is not allowed: use {_allowed(field)}. Set it in the environment or in .env, "
                     f"or unset it for the default{_default_words(field)}.")
    return SettingError("\n".join(lines))


def _snapshot() -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(_READ_PREFIXES)))


_cache: dict[tuple, Settings | SettingError] = {}
_cache_lock = threading.Lock()


def get_settings() -> Settings:
    """Settings as the environment says now: validated once per state of the environment (cheap to call)."""
    key = _snapshot()
    found = _cache.get(key)
    if found is None:
        try:
            found = Settings()
        except ValidationError as exc:
            found = _explain(exc)
        with _cache_lock:
            if len(_cache) > 32:
                _cache.clear()
            _cache[key] = found
    if isinstance(found, SettingError):
        raise SettingError(str(found))
    return found


def load_env_file(root: Path) -> None:
    """Read `.env` at the repository root, as the browser app (Chainlit) does at start.

    So `tastemaker chat --terminal`, `eval` and the rest see the same settings as the browser.
    CHAINLIT_ENV_FILE names another file (relative to the repository root); variables already set in
    the environment win.
    """
    load_dotenv(root / os.environ.get("CHAINLIT_ENV_FILE", ".env"), override=False)


def apply_hub_policy() -> None:
    """Model hubs stay off unless TASTEMAKER_ALLOW_DOWNLOADS=1.

    Offline, transformers fails in 0.00 s with these set instead of retrying
    for 20+ s, so "weights missing" is reported at once. A bad value of any
    setting keeps the hubs off here; it is reported where the settings are used.
    """
    try:
        if get_settings().allow_downloads:
            return
    except SettingError:
        pass
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
