"""Background jobs that one process at a time may run, however many instances and workers.

A server runs a few jobs on a schedule: the retention purge, the connected shops' catalogue
sync, the knowledge base's re-crawls. Every instance and every worker process (`samtale serve
--workers N`) runs the same schedule, so each round first tries a lock named for its job; the
process that gets it runs the round, the others skip it. The jobs also say what is due (a source
crawled an hour ago is not due again), so a process whose turn comes just after another's round
finds nothing left to do.

On PostgreSQL the lock is a session-level advisory lock (`pg_try_advisory_lock`) on a
connection of its own, held for the round: it never waits, and it goes with the connection, so
a process that dies mid-round frees it. On SQLite there is one process (the server refuses
several workers on SQLite), so the lock is always granted.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator

from sqlalchemy import text

from samtale.infra.database import Database


def lock_key(name: str) -> int:
    """A stable 64-bit advisory-lock key for a job's name (the same in every process)."""
    return int.from_bytes(
        hashlib.sha256(f"samtale:{name}".encode()).digest()[:8], "big", signed=True
    )


@contextlib.asynccontextmanager
async def exclusive(db: Database, key: int) -> AsyncIterator[bool]:
    """Yields True when this process holds the job's lock now (until the block ends), False
    when another process holds it."""
    if db.dialect != "postgresql":
        yield True
        return
    async with db.engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        got = bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))
        try:
            yield got
        finally:
            if got:
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
