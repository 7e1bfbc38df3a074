"""tools.settings: one typed object, every variable validated once, one clear line per bad value."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from agent.cli import main
from tests.conftest import tone_mix
from tests.filesystems import fill_disk, read_only_dir, tiny_disk
from tools.errors import SettingError
from tools.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name,value,allowed", [
    ("TASTEMAKER_LLM_TIMEOUT_S", "abc", "a number above 0"),
    ("TASTEMAKER_PORT", "x", "a whole number from 1 to 65535"),
    ("TASTEMAKER_MAX_FILE_MB", "nan", "a number above 0"),
    ("TASTEMAKER_MAX_DURATION_S", "inf", "a number above 0"),
    ("TASTEMAKER_MAX_DURATION_S", "-1", "a number above 0"),
    ("TASTEMAKER_MIN_DURATION_S", "0", "a number above 0"),
    ("TASTEMAKER_MAX_FILES_PER_MESSAGE", "0", "a whole number from 1 to 100"),
    ("TASTEMAKER_MAX_FILES_PER_MESSAGE", "101", "a whole number from 1 to 100"),
    ("TASTEMAKER_TURN_AUDIO_S", "nan", "a number above 0"),
    ("TASTEMAKER_SESSION_AUDIO_S", "-5", "a number above 0"),
    ("TASTEMAKER_WORKERS", "-1", "a whole number from 0 to 256"),
    ("TASTEMAKER_LOGIN_MAX_FAILURES", "0", "a whole number from 1"),
    ("TASTEMAKER_SESSION_KEEP_S", "-1", "a number from 0"),
    ("TASTEMAKER_DEFAULT_LIBRARY", "maybe", "1 or 0"),
    ("TASTEMAKER_SHARED_LIBRARY", "sometimes", "1 or 0"),
    ("TASTEMAKER_ALLOWED_ORIGINS", "evil.example", "comma-separated origins"),
    ("TASTEMAKER_RAY_ADDRESS", "head-node", "a Ray cluster's address"),
])
def test_a_bad_value_is_one_line_naming_the_variable_value_and_range(monkeypatch, name, value, allowed):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError) as caught:
        get_settings()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{name}={value!r} is not allowed: use {allowed}")


def test_every_bad_value_is_reported_at_once(monkeypatch):
    monkeypatch.setenv("TASTEMAKER_PORT", "x")
    monkeypatch.setenv("TASTEMAKER_MAX_FILE_MB", "-1")
    lines = str(pytest.raises(SettingError, get_settings).value).splitlines()
    assert [line.split("=")[0] for line in lines] == ["TASTEMAKER_MAX_FILE_MB", "TASTEMAKER_PORT"]


def test_secrets_are_never_shown(monkeypatch):
    monkeypatch.setenv("TASTEMAKER_PORT", "0")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-123")
    monkeypatch.setenv("TASTEMAKER_PASSWORD", "hunter2")
    with pytest.raises(SettingError) as caught:
        get_settings()
    assert "sk-secret" not in str(caught.value)
    monkeypatch.delenv("TASTEMAKER_PORT")
    assert "sk-secret" not in repr(get_settings()) and "hunter2" not in repr(get_settings())


def test_a_database_url_is_checked_and_never_shown(monkeypatch):
    monkeypatch.setenv("TASTEMAKER_DATABASE_URL", "mysql://me:pa55word@db/music")
    message = str(pytest.raises(SettingError, get_settings).value)
    assert message.startswith("TASTEMAKER_DATABASE_URL=(hidden) is not allowed: use a PostgreSQL URL")
    assert "pa55word" not in message
    monkeypatch.setenv("TASTEMAKER_DATABASE_URL", "postgresql://me:pa55word@db:5432/music")
    settings = get_settings()
    assert settings.postgres_url.endswith("@db:5432/music") and "pa55word" not in repr(settings)
    assert "TASTEMAKER_DATABASE_URL" not in settings.for_workers()  # never shipped to job workers


def test_min_duration_must_be_below_max(monkeypatch):
    monkeypatch.setenv("TASTEMAKER_MIN_DURATION_S", "30")
    monkeypatch.setenv("TASTEMAKER_MAX_DURATION_S", "20")
    assert "TASTEMAKER_MIN_DURATION_S must be below TASTEMAKER_MAX_DURATION_S" in str(
        pytest.raises(SettingError, get_settings).value)


def test_defaults_and_new_fields(monkeypatch):
    s = get_settings()
    assert (s.max_files_per_message, s.turn_audio_s, s.session_audio_s, s.workers, s.login_max_failures,
            s.session_keep_s, s.shared_library, s.allowed_origins) == (10, 600.0, 3600.0, 0, 5, 120.0, False, [])
    assert s.worker_count >= 1 and not s.login_enabled and not s.llm_configured and s.default_library
    monkeypatch.setenv("TASTEMAKER_ALLOWED_ORIGINS", " https://music.example.org/ ,http://localhost:8000")
    monkeypatch.setenv("TASTEMAKER_WORKERS", "3")
    monkeypatch.setenv("TASTEMAKER_SHARED_LIBRARY", "yes")
    monkeypatch.setenv("TASTEMAKER_DEFAULT_LIBRARY", "0")
    monkeypatch.setenv("TASTEMAKER_LLM_MODEL", "llama3")
    monkeypatch.setenv("CHAINLIT_AUTH_SECRET", "s" * 32)
    monkeypatch.setenv("TASTEMAKER_PASSWORD", "pw")
    s = get_settings()
    assert s.allowed_origins == ["https://music.example.org", "http://localhost:8000"]
    assert (s.worker_count, s.shared_library, s.default_library, s.llm_configured, s.login_enabled) == \
        (3, True, False, True, True)


def test_settings_follow_the_environment_and_are_frozen(monkeypatch, tmp_path):
    monkeypatch.setenv("TASTEMAKER_HOME", str(tmp_path / "a"))
    first = get_settings()
    assert first.home == tmp_path / "a" and get_settings() is first  # cached while the environment is the same
    monkeypatch.setenv("TASTEMAKER_HOME", str(tmp_path / "b"))
    assert get_settings().home == tmp_path / "b"
    with pytest.raises(Exception):
        first.port = 1
    assert first.model_copy(update={"port": 9000}).port == 9000


def test_bad_settings_do_not_crash_at_import():
    """TASTEMAKER_LLM_TIMEOUT_S=abc and TASTEMAKER_PORT=x used to raise while importing agent.llm / the CLI."""
    code = "import agent.llm, agent.cli; agent.cli.build_parser(); print('imported')"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "TASTEMAKER_LLM_TIMEOUT_S": "abc",
           "TASTEMAKER_PORT": "x", "CHAINLIT_ENV_FILE": "/dev/null", "HOME": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imported"


def test_cli_reports_a_bad_setting_in_one_line(monkeypatch, capsys):
    monkeypatch.setenv("TASTEMAKER_PORT", "x")
    assert main(["chat"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == ("tastemaker: TASTEMAKER_PORT='x' is not allowed: use a whole number from 1 to 65535. "
                           "Set it in the environment or in .env, or unset it for the default (8000).")


def test_nan_limit_no_longer_disables_the_check(monkeypatch, write_audio):
    """TASTEMAKER_MAX_DURATION_S=nan used to let any length through (every comparison with nan is False)."""
    from tools.audio import load_clip

    path = write_audio("long.wav", tone_mix(seconds=4.0))
    monkeypatch.setenv("TASTEMAKER_MAX_DURATION_S", "nan")
    with pytest.raises(SettingError, match="TASTEMAKER_MAX_DURATION_S='nan'"):
        load_clip(path)


def test_nothing_else_reads_these_variables():
    """Only tools/settings.py reads TASTEMAKER_*, OPENAI_* or CHAINLIT_AUTH_SECRET from the environment."""
    pattern = re.compile(r"""(environ(\.get)?\s*[\[(]|getenv\s*\()\s*["'](TASTEMAKER_|OPENAI_|CHAINLIT_AUTH_SECRET)""")
    readers = [str(p.relative_to(ROOT)) for folder in ("agent", "tools") for p in (ROOT / folder).rglob("*.py")
               if p.name != "settings.py" and pattern.search(p.read_text(encoding="utf-8"))]
    assert readers == []


# ---- the data directory ------------------------------------------------------------------------------------------
def test_data_directory_that_is_a_file(monkeypatch, tmp_path, capsys):
    home = tmp_path / "home"
    home.write_text("not a folder")
    monkeypatch.setenv("TASTEMAKER_HOME", str(home))
    with pytest.raises(SettingError, match="is a file, not a folder"):
        get_settings().ensure_home()
    assert main(["library", "list"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"tastemaker: The data directory {home} (TASTEMAKER_HOME) is a file, not a folder. "
                   "Set TASTEMAKER_HOME to a folder (it is created if missing).")


def test_data_directory_read_only(monkeypatch, tmp_path, capsys):
    with read_only_dir(tmp_path / "ro") as folder:
        monkeypatch.setenv("TASTEMAKER_HOME", str(folder / "home"))
        assert main(["library", "list"]) == 2
        assert "is read-only for this user" in capsys.readouterr().err
        monkeypatch.setenv("TASTEMAKER_HOME", str(folder))
        with pytest.raises(SettingError, match="is read-only for this user"):
            get_settings().check_home()
        assert main(["chat", "--terminal"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "is read-only for this user" in err


def test_data_directory_on_a_full_disk(monkeypatch, tmp_path, capsys):
    with tiny_disk(tmp_path / "disk") as disk:
        (disk / "home").mkdir()
        fill_disk(disk)
        monkeypatch.setenv("TASTEMAKER_HOME", str(disk / "home"))
        with pytest.raises(SettingError, match="is on a full disk"):
            get_settings().check_home()
        assert main(["chat", "--terminal"]) == 2
        assert "is on a full disk. Free some space" in capsys.readouterr().err
        assert [p.name for p in (disk / "home").iterdir()] == []  # the probe left nothing


def test_settings_object_can_be_built_directly():
    s = Settings(max_file_mb=5)
    assert s.max_file_mb == 5
    with pytest.raises(Exception):
        Settings(max_file_mb=float("nan"))
