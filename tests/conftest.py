"""Shared fixtures: storage on SQLite always and on PostgreSQL when SAMTALE_TEST_POSTGRES_URL is
set (fixture ids `sqlite` and `postgres`), Redis when SAMTALE_TEST_REDIS_URL is set, and servers
built through the public API (a `Container`, its app, real uvicorn on loopback).

Each test run gets its own fresh PostgreSQL database and SQLite file, and its own Redis key
prefix, so runs never see each other's rows. Tests create their own tenants (unique slugs), so
they share a database within a run without seeing each other's data.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from samtale.app.container import Container
from samtale.cli.server import uvicorn_config
from samtale.conversations.responder import (
    ConversationContext,
    IncomingMessage,
    Reply,
    StaticRegistry,
)
from samtale.infra.database import Database
from samtale.infra.migrate import upgrade
from samtale.kernel.clock import Clock, ManualClock
from samtale.kernel.config import Settings, async_database_url
from samtale.model import Tenant
from samtale.tenants.service import TenantCreate, create_tenant
from samtale.web.app import create_app

POSTGRES_URL = os.environ.get("SAMTALE_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("SAMTALE_TEST_REDIS_URL")
# Every bot in the run, also those the commands and servers of the tests build from the
# environment, answers with its whole model from the first message: a run on an empty model
# cache behaves like one on a full cache.
os.environ.setdefault("SAMTALE_BOT_FAST_START", "false")

RUN_ID = f"{os.getpid()}_{secrets.token_hex(3)}"

BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])
# For what only several processes on one database can show (a lock one of them holds): SQLite
# is one process's database, where such a test would prove nothing.
ON_POSTGRES_ONLY = pytest.mark.parametrize("backend", [b for b in BACKENDS if b == "postgres"])


def pytest_report_header(config: Any) -> list[str]:
    return [
        f"samtale storage backends: {', '.join(BACKENDS)}",
        f"samtale redis: {'yes' if REDIS_URL else 'no (SAMTALE_TEST_REDIS_URL not set)'}",
    ]


def requires_redis() -> Any:
    return pytest.mark.skipif(not REDIS_URL, reason="SAMTALE_TEST_REDIS_URL is not set")


def requires_postgres() -> Any:
    return pytest.mark.skipif(not POSTGRES_URL, reason="SAMTALE_TEST_POSTGRES_URL is not set")


async def _create_pg_database(base_url: str, name: str) -> str:
    import asyncpg

    dsn = base_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return async_database_url(base_url.rsplit("/", 1)[0] + "/" + name)


async def _drop_pg_database(base_url: str, name: str) -> None:
    import asyncpg

    dsn = base_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


_URLS: dict[str, str] = {}


@pytest.fixture(scope="session")
async def database_urls(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[str, str]]:
    """One fresh, migrated database per backend for the whole run."""
    urls = {"sqlite": f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'samtale.db'}"}
    pg_name = f"samtale_test_{RUN_ID}"
    if POSTGRES_URL:
        urls["postgres"] = await _create_pg_database(POSTGRES_URL, pg_name)
    for url in urls.values():
        db = Database(url)
        await upgrade(db)
        await db.dispose()
    _URLS.update(urls)
    yield urls
    if POSTGRES_URL:
        await _drop_pg_database(POSTGRES_URL, pg_name)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, database_urls: dict[str, str]) -> str:
    return database_urls[backend]


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


def make_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "secret_key": "test-secret-key",
        "messages_per_minute": 1000,
        "conversations_per_minute_per_ip": 10_000,
        "redis_prefix": f"samtale-test-{RUN_ID}:",
        # Bots answer with their whole cascade from the first message, so a run on an empty
        # model cache behaves like one on a full cache.
        "bot_fast_start": False,
    }
    values.update(overrides)
    return Settings(**values)


class EchoResponder:
    """A test responder: echoes the text; 'boom' raises; 'state:<s>' asks for a state change."""

    async def respond(
        self, conversation: ConversationContext, message: IncomingMessage
    ) -> list[Reply]:
        if message.text == "boom":
            raise RuntimeError("responder exploded")
        if message.text.startswith("state:"):
            conversation.requested_state = message.text.split(":", 1)[1]
            return []
        conversation.bot_state["turns"] = conversation.bot_state.get("turns", 0) + 1
        return [Reply(f"echo: {message.text}", payload={"turn": conversation.bot_state["turns"]})]


@dataclass
class Server:
    runtime: Container
    app: Any
    url: str = ""
    _server: Any = None
    _task: Any = None

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=10, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def make_runtime(data_dir: Path) -> AsyncIterator[Callable[..., Any]]:
    """Build (and later close) runtimes: `await make_runtime(database_url, clock=..., ...)`."""
    made: list[Container] = []

    async def make(
        database_url: str,
        *,
        clock: Clock | None = None,
        responder: Any = None,
        registry: Any = None,
        redis: bool = False,
        db: Database | None = None,
        folder: Path | None = None,
        **settings: Any,
    ) -> Container:
        """`registry` answers instead of the echo responder (built on `db`, the container's
        database); `folder` replaces the test's data folder (the models' cache)."""
        if redis:
            settings["redis_url"] = REDIS_URL
        rt = Container.build(
            make_settings(database_url, folder or data_dir, **settings),
            clock=clock,
            responders=registry or StaticRegistry(responder or EchoResponder()),
            db=db,
        )
        await rt.start()
        made.append(rt)
        return rt

    yield make
    for rt in made:
        await rt.close()


@pytest.fixture
async def runtime(make_runtime: Callable[..., Any], database_url: str) -> Container:
    rt: Container = await make_runtime(database_url)
    return rt


@pytest.fixture
async def client(runtime: Container) -> AsyncIterator[httpx.AsyncClient]:
    """FastAPI's app in-process through httpx's ASGI transport."""
    app = create_app(runtime, manage_runtime=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", timeout=10
    ) as c:
        yield c


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Container], Any]]:
    """Start real uvicorn servers on loopback: `server = await serve(runtime)`."""
    servers: list[Server] = []

    async def start(rt: Container) -> Server:
        app = create_app(rt, manage_runtime=False)
        port = free_port()
        # The product's own uvicorn settings (websocket compression and frame limits included).
        config = uvicorn_config(
            app, rt.settings.model_copy(update={"host": "127.0.0.1", "port": port})
        )
        config.lifespan = "off"
        userver = uvicorn.Server(config)
        task = asyncio.create_task(userver.serve())
        for _ in range(500):
            if userver.started:
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        server = Server(rt, app, f"http://127.0.0.1:{port}", userver, task)
        servers.append(server)
        return server

    yield start
    for s in servers:
        s._server.should_exit = True
    for s in servers:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(s._task, 10)


async def new_tenant(db: Database, clock: Clock | None = None, **fields: Any) -> Tenant:
    suffix = uuid.uuid4().hex[:10]
    data = {
        "name": f"Shop {suffix}",
        "slug": f"shop-{suffix}",
        "widget_key": f"wk-{suffix}",
        "allowed_origins": ["https://shop.example"],
    }
    data.update(fields)
    async with db.transaction() as session:
        return await create_tenant(session, TenantCreate(**data), clock or ManualClock())


@pytest.fixture
def tenant_factory(runtime: Container) -> Callable[..., Any]:
    async def make(**fields: Any) -> Tenant:
        return await new_tenant(runtime.db, runtime.clock, **fields)

    return make


async def start_conversation(
    client: httpx.AsyncClient, widget_key: str, **body: Any
) -> dict[str, Any]:
    r = await client.post(
        f"/api/v1/widget/{widget_key}/conversations",
        json=body or None,
        headers={"origin": "https://shop.example"},
    )
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    data["headers"] = {"authorization": f"Bearer {data['token']}"}
    return data


@pytest.fixture(scope="session")
def bot_data_dir() -> Path:
    """One data folder for every test that runs the real bot, kept in `.cache/` between runs:
    the demo bot's model and its embeddings are computed once (about a minute on a quiet
    machine) and loaded in seconds afterwards."""
    path = Path(__file__).resolve().parents[1] / ".cache" / "test-bot"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
async def _shared_bot_runtimes() -> AsyncIterator[dict[str, Container]]:
    runtimes: dict[str, Container] = {}
    yield runtimes
    for rt in runtimes.values():
        await rt.close()


@pytest.fixture
async def make_bot_runtime(
    bot_data_dir: Path, _shared_bot_runtimes: dict[str, Container]
) -> AsyncIterator[Callable[..., Any]]:
    """Runtimes with every feature wired in (the real bot, shop actions, handoff), the demo tenant
    created, and its bot loaded: `runtime = await make_bot_runtime(database_url, clock=...)`.
    Without a clock or settings, one runtime per database is shared by the whole run (loading
    every tenant's bot once, not once per test)."""
    from samtale.app.container import Container
    from samtale.demo.tenant import ensure_demo

    made: list[Container] = []

    async def build(database_url: str, clock: Clock | None, settings: dict[str, Any]) -> Container:
        rt = Container.build(make_settings(database_url, bot_data_dir, **settings), clock=clock)
        await rt.start()
        async with rt.db.transaction() as session:
            await ensure_demo(session, rt.clock, bot_data_dir, [])
        registry: Any = rt.responders
        await registry.wait_ready()
        await registry.refresh()
        return rt

    async def make(
        database_url: str, *, clock: Clock | None = None, redis: bool = False, **settings: Any
    ) -> Container:
        if redis:
            settings["redis_url"] = REDIS_URL
        if clock is None and not settings:
            if database_url not in _shared_bot_runtimes:
                _shared_bot_runtimes[database_url] = await build(database_url, None, {})
            return _shared_bot_runtimes[database_url]
        rt = await build(database_url, clock, settings)
        made.append(rt)
        return rt

    yield make
    for rt in made:
        await rt.close()
