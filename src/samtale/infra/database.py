"""The database engine and sessions, the same code on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create an async engine. SQLite gets WAL, a busy timeout and enforced foreign keys (ON
    DELETE CASCADE is how deletion reaches every dependent row)."""
    if url.startswith("sqlite"):
        # Connections are kept (a new one costs its PRAGMAs); a burst beyond the pool waits for
        # a free connection rather than opening and closing throw-away ones.
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 0)
        kwargs.setdefault("pool_timeout", 60)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            # WAL is a property of the file: switching needs an exclusive lock, so only when
            # it is not WAL yet.
            cur.execute("PRAGMA journal_mode")
            if str(cur.fetchone()[0]).lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    # No ping before each checkout: on asyncpg it is BEGIN, a statement and ROLLBACK, three
    # round trips on every session, more than a bot turn's own. A connection that died with
    # the server fails its request instead (503 with Retry-After; the client retries), and the
    # disconnect marks every older pooled connection for replacement at its next checkout.
    kwargs.setdefault("pool_pre_ping", False)
    # A database that is away is said quickly (503 + Retry-After), not after a long wait.
    kwargs.setdefault("pool_timeout", 5)
    if url.startswith("postgresql+asyncpg"):
        kwargs.setdefault("connect_args", {"timeout": 3})
    if kwargs.get("poolclass") is NullPool:
        kwargs.pop("pool_size")
        kwargs.pop("max_overflow")
    return create_async_engine(url, **kwargs)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


class Database:
    """An engine with its session factory; one per process (or per server in tests)."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = make_sessionmaker(self.engine)
        # SQLite has one writer at a time. Writers queueing on an asyncio lock wait exactly as
        # long as they must; writers left to SQLite's busy handler sleep in growing steps, which
        # turns a few concurrent writes into second-long latencies.
        self._write_lock: asyncio.Lock | None = asyncio.Lock() if url.startswith("sqlite") else None
        # Reads that need no transaction (one statement, or several that may see different
        # commits): on PostgreSQL in autocommit, so a read is one round trip, not BEGIN, the
        # statement and ROLLBACK.
        self.readers = (
            make_sessionmaker(self.engine.execution_options(isolation_level="AUTOCOMMIT"))
            if self.engine.dialect.name == "postgresql"
            else self.sessions
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[AsyncSession]:
        """A session for reading only, outside any transaction (see `readers`)."""
        async with self.readers() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on any error."""
        if self._write_lock is None:
            async with self.sessions() as session, session.begin():
                yield session
            return
        async with self._write_lock, self.sessions() as session, session.begin():
            yield session

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()
