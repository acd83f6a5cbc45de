"""Settings, read from `SAMTALE_*` environment variables.

With nothing set, Samtale runs on its embedded defaults: SQLite in a local data folder, the
in-process hub, and a secret key generated once into the data folder. Scaling out is a matter of
setting `SAMTALE_DATABASE_URL` (PostgreSQL) and `SAMTALE_REDIS_URL`.
"""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOG_LEVELS = ("debug", "info", "warning", "error")


def async_database_url(url: str) -> str:
    """Add the async driver to a database URL given without one.

    `postgresql://…` and `postgres://…` become `postgresql+asyncpg://…`; `sqlite:///…` becomes
    `sqlite+aiosqlite:///…`. URLs that already name a driver are kept as they are.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"not a database URL: {url!r}")
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+asyncpg://{rest}"
    if scheme == "sqlite":
        return f"sqlite+aiosqlite://{rest}"
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAMTALE_", extra="ignore")

    database_url: str | None = None
    redis_url: str | None = None
    # Prefix of every Redis key and channel, so that several installations can share a Redis.
    redis_prefix: str = "samtale:"
    data_dir: Path = Path("data")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Worker processes of `samtale serve` on the one port (more than one only with PostgreSQL and
    # Redis; see `samtale.cli.workers`).
    workers: int = Field(default=1, ge=1, le=64)
    secret_key: str | None = None
    log_level: str = "info"
    # The origin the server is reached at from browsers (for the demo page, e-mails and CSP).
    public_url: str | None = None

    # Limits at the edge.
    max_message_chars: int = Field(default=4000, ge=1)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    messages_per_minute: int = Field(default=30, ge=1)
    conversations_per_minute_per_ip: int = Field(default=30, ge=1)
    # Bot turns in flight per instance; beyond it a visitor message is answered 503 with
    # Retry-After at once (the widget sends it again) instead of queueing for seconds.
    max_pending_turns: int = Field(default=64, ge=1)
    # Websocket heartbeat: a ping every `ws_heartbeat_seconds`; a client silent for three
    # intervals is disconnected.
    ws_heartbeat_seconds: float = Field(default=20.0, gt=0)
    # Visitor websockets one instance holds at most (an idle one costs about 44 KB); past it a
    # new socket is refused (close code 4429) and the widget follows its chat over HTTP.
    ws_max_visitor_sockets: int = Field(default=20_000, ge=1)
    # Behind a reverse proxy, trust X-Forwarded-For from these addresses (comma-separated).
    # None by default: a header anyone can send must not choose the address that rate limits
    # and log-in limits count.
    trusted_proxies: str = ""

    # `GET /metrics` answers only with `Authorization: Bearer <metrics_token>`; without a token
    # configured it answers 404.
    metrics_token: str | None = None
    # With no trained model saved, a shop's bot answers with the fast path as soon as that is
    # trained (seconds) while the whole cascade trains behind it; off: the cascade first.
    bot_fast_start: bool = True

    # Let shops' HTTP connectors call loopback and private addresses (only when the shops'
    # systems live on the operator's own network; see `shop.addresses`).
    shop_private_addresses: bool = False
    # Connected shops' catalogues are synced every `shop_sync_interval_seconds` (0: off, e.g.
    # when `samtale shop sync` runs from cron); a full sync (removing products the shop no
    # longer has) at most every `shop_full_sync_seconds`, incremental ones in between.
    shop_sync_interval_seconds: float = Field(default=3 * 3600.0, ge=0)
    shop_full_sync_seconds: float = Field(default=24 * 3600.0, ge=0)
    # Carriers' API credentials for every shop that gives none of its own (live status).
    carrier_postnord_api_key: str | None = None
    carrier_bring_api_uid: str | None = None
    carrier_bring_api_key: str | None = None
    carrier_dhl_api_key: str | None = None

    # Where attachments (photos, PDFs sent in a chat) are kept: "folder" (under
    # `<data_dir>/attachments`, the embedded default) or "database" (the `attachment_blobs`
    # table; every instance sees every file, e.g. several instances on PostgreSQL).
    attachment_storage: Literal["folder", "database"] = "folder"

    # The retention purge inside the server: every `purge_interval_seconds` (0: off, e.g. when
    # `samtale purge` runs from cron), deleting at most `purge_batch_size` conversations per
    # transaction.
    purge_interval_seconds: float = Field(default=3600.0, ge=0)
    purge_batch_size: int = Field(default=500, ge=1, le=10_000)

    @field_validator("log_level")
    @classmethod
    def _level(cls, v: str) -> str:
        v = v.lower()
        if v not in LOG_LEVELS:
            raise ValueError(f"log level must be one of {', '.join(LOG_LEVELS)}")
        return v

    @field_validator("database_url")
    @classmethod
    def _db(cls, v: str | None) -> str | None:
        return async_database_url(v) if v else v

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'samtale.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @cached_property
    def effective_secret_key(self) -> str:
        """The configured secret key, else one generated once into the data folder."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key + "\n")
        return key

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "localhost" if self.host in ("0.0.0.0", "::", "127.0.0.1") else self.host
        return f"http://{host}:{self.port}"
