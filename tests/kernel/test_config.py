from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from samtale.kernel.config import Settings, async_database_url
from samtale.kernel.languages import normalize_language


def test_driver_is_added_to_plain_urls() -> None:
    assert (
        async_database_url("postgresql://postgres@127.0.0.1:5432/test")
        == "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    )
    assert async_database_url("postgres://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_database_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"
    assert async_database_url("postgresql+asyncpg://h/db") == "postgresql+asyncpg://h/db"
    with pytest.raises(ValueError):
        async_database_url("nonsense")


def test_embedded_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "HOST", "PORT"):
        monkeypatch.delenv(f"SAMTALE_{name}", raising=False)
    monkeypatch.setenv("SAMTALE_DATA_DIR", str(tmp_path))
    s = Settings()
    assert s.is_sqlite and str(tmp_path) in s.effective_database_url
    assert s.redis_url is None and s.port == 8000
    key = s.effective_secret_key
    assert len(key) > 40
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert Settings().effective_secret_key == key  # generated once


def test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMTALE_DATABASE_URL", "postgresql://p@h/db")
    monkeypatch.setenv("SAMTALE_PORT", "9001")
    monkeypatch.setenv("SAMTALE_LOG_LEVEL", "WARNING")
    s = Settings()
    assert (
        s.effective_database_url == "postgresql+asyncpg://p@h/db"
        and s.port == 9001
        and s.log_level == "warning"
    )
    monkeypatch.setenv("SAMTALE_LOG_LEVEL", "loud")
    with pytest.raises(ValidationError):
        Settings()


def test_language_codes() -> None:
    assert normalize_language("no") == "nb"
    assert normalize_language("nb-NO") == "nb"
    assert normalize_language("da_DK") == "da"
    assert normalize_language("EN") == "en"
    assert normalize_language("de") is None
    assert normalize_language("") is None
