from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from samtale.infra.database import Database
from samtale.infra.migrate import upgrade
from samtale.kernel.config import async_database_url
from tests.faults.processes import OwnPostgres, OwnRedis, postgres_available, redis_available


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    if not redis_available():
        pytest.skip("redis-server is not installed")
    redis = OwnRedis()
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
async def own_postgres() -> AsyncIterator[OwnPostgres]:
    """A migrated database on a PostgreSQL of the test's own."""
    if not postgres_available():
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed")
    pg = OwnPostgres()
    pg.start()
    db = Database(async_database_url(pg.url))
    await upgrade(db)
    await db.dispose()
    yield pg
    pg.remove()
