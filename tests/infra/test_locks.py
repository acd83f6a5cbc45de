"""The once-at-a-time lock of the scheduled jobs: on PostgreSQL held by one connection (of any
process) until its round ends; on SQLite (one process) always granted."""

from __future__ import annotations

import pytest

from samtale.infra.database import Database
from samtale.infra.locks import exclusive, lock_key
from tests.conftest import POSTGRES_URL


def test_keys_are_stable_and_apart() -> None:
    assert lock_key("shop sync") == lock_key("shop sync")
    assert lock_key("shop sync") != lock_key("knowledge re-crawl")
    assert -(2**63) <= lock_key("shop sync") < 2**63  # a PostgreSQL bigint


@pytest.mark.skipif(not POSTGRES_URL, reason="SAMTALE_TEST_POSTGRES_URL is not set")
async def test_one_holder_at_a_time_on_postgres(database_urls: dict[str, str]) -> None:
    a, b = Database(database_urls["postgres"]), Database(database_urls["postgres"])
    key, other = lock_key("test job a"), lock_key("test job b")
    try:
        async with exclusive(a, key) as got_a:
            assert got_a
            async with exclusive(b, key) as got_b:
                assert not got_b  # another process's round is running: skip
            async with exclusive(b, other) as got_other:
                assert got_other  # another job's lock is its own
        async with exclusive(b, key) as got_b:
            assert got_b  # released when the round ended
    finally:
        await a.dispose()
        await b.dispose()


async def test_always_granted_on_sqlite(database_urls: dict[str, str]) -> None:
    db = Database(database_urls["sqlite"])
    try:
        async with exclusive(db, lock_key("test job")) as first:
            async with exclusive(db, lock_key("test job")) as second:
                assert first and second
    finally:
        await db.dispose()
